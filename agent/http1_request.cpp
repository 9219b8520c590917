#include "agent/http1_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include <curl/curl.h>

namespace grid::agent {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, which, &text, flags) != CURLUE_OK || !text) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

bool same_name(const std::string& line, const char* name) {
  const size_t n = std::char_traits<char>::length(name);
  if (line.size() < n + 1 || line[n] != ':') return false;
  for (size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  return true;
}

// "Name:" with nothing after it: remove the header curl would add (curl's rule too).
bool removes(const std::string& line) {
  const auto colon = line.find(':');
  return colon != std::string::npos && std::all_of(line.begin() + static_cast<std::ptrdiff_t>(colon) + 1, line.end(),
                                                   [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

common::Result<Http1Target> http1_target(const std::string& url) {
  const auto bad = [&](const std::string& why) { return common::Error{"URL '" + url + "': " + why}; };
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return bad("cannot be parsed (out of memory)");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return bad("is not a valid URL");
  const std::string scheme = part(u.get(), CURLUPART_SCHEME);
  if (scheme != "http") return bad("is not plain http:// (" + scheme + " goes through curl)");
  if (!part(u.get(), CURLUPART_USER).empty() || !part(u.get(), CURLUPART_PASSWORD).empty()) {
    return bad("carries credentials (they go through curl)");
  }
  Http1Target t;
  t.host = part(u.get(), CURLUPART_HOST);
  if (t.host.empty()) return bad("has no host");
  std::string bracketed = t.host;
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  const std::string port = part(u.get(), CURLUPART_PORT);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("has an invalid port");
    }
    t.port = static_cast<uint16_t>(value);
  }
  // curl leaves the default port out of Host even when the URL names it ("h:80" -> "h").
  t.host_header = port.empty() || t.port == 80 ? bracketed : bracketed + ":" + port;
  t.path = part(u.get(), CURLUPART_PATH);
  if (t.path.empty()) t.path = "/";
  const std::string query = part(u.get(), CURLUPART_QUERY);
  if (!query.empty()) t.path += "?" + query;
  return t;
}

std::string http1_request(const std::string& method, const Http1Target& target, const std::vector<std::string>& headers,
                          const std::string& body) {
  bool own_host = false, own_accept = false, own_type = false;
  for (const auto& h : headers) {
    own_host = own_host || same_name(h, "Host");
    own_accept = own_accept || same_name(h, "Accept");
    own_type = own_type || same_name(h, "Content-Type");
  }
  // What the engine hands to curl as POSTFIELDS (everything but a bodiless GET and HEAD)
  // carries a Content-Length and, unless the request names one, curl's form type.
  const bool posted = !(method == "GET" && body.empty()) && method != "HEAD";
  std::string out;
  out.reserve(64 + target.path.size() + body.size());
  out += method;
  out += ' ';
  out += target.path;
  out += " HTTP/1.1\r\n";
  if (!own_host) out += "Host: " + target.host_header + "\r\n";
  if (!own_accept) out += "Accept: */*\r\n";
  for (const auto& h : headers) {
    if (removes(h) || same_name(h, "Content-Length") || same_name(h, "Expect")) continue;
    out += h;
    out += "\r\n";
  }
  if (posted) {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (!own_type) out += "Content-Type: application/x-www-form-urlencoded\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace grid::agent
