#include "agent/target_allowlist.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace grid::agent {
namespace {

constexpr std::string_view kExamples =
    "expected e.g. api.example.test, *.example.test, api.example.test:8443, 10.0.0.0/8, 192.0.2.7:80, fd00::/8, "
    "[::1]:8080";

common::Error bad_pattern(std::string_view text, const std::string& why) {
  return common::Error{"'" + std::string(text) + "' is not a target pattern: " + why + " (" + std::string(kExamples) +
                       ")"};
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<uint16_t> parse_port(std::string_view s) {
  if (!all_digits(s) || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower case, without one trailing dot: how names are compared.
std::string normalized_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// Why `name` (normalized) is not a host name, or "" when it is one: dot-separated labels
// of letters, digits, '-' and '_', each 1 to 63 long, 253 in all. A last label of digits
// (or 0x...) would be read as an IPv4 address by URL parsers: refused, so that a pattern
// never means something else than it seems to.
std::string name_problem(std::string_view name) {
  if (name.empty()) return "the host name is empty";
  if (name.size() > 253) return "the host name is longer than 253 characters";
  size_t start = 0;
  std::string_view last;
  while (start <= name.size()) {
    const size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return "the host name has an empty label";
    if (label.size() > 63) return "a label of the host name is longer than 63 characters";
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return std::string("the host name holds '") + c + "'";
    }
    last = label;
    start = dot + 1;
  }
  if (all_digits(last) || last.rfind("0x", 0) == 0) return "it is neither a valid IP address nor a host name";
  return "";
}

// True when the first `prefix` bits of `a` and `b` are equal.
bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix) {
  const unsigned whole = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), whole) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[whole] & mask) == (b.bytes[whole] & mask);
}

IpAddress masked(IpAddress a, unsigned prefix) {
  for (unsigned bit = prefix; bit < a.bits(); ++bit) a.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return a;
}

// `host` without the brackets of an IPv6 literal.
std::string_view unbracketed(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  uint8_t raw[16];
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), raw) != 1) return std::nullopt;
    return from_v4(raw);
  }
  if (inet_pton(AF_INET6, s.c_str(), raw) != 1) return std::nullopt;
  return from_v6(raw);
}

IpAddress IpAddress::from_v4(const uint8_t* four) {
  IpAddress a;
  a.v4 = true;
  std::memcpy(a.bytes.data(), four, 4);
  return a;
}

IpAddress IpAddress::from_v6(const uint8_t* sixteen) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(sixteen, kMapped, 12) == 0) return from_v4(sixteen + 12);
  IpAddress a;
  a.v4 = false;
  std::memcpy(a.bytes.data(), sixteen, 16);
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

bool TargetPattern::matches_name(std::string_view host, uint16_t p) const {
  if (port && *port != p) return false;
  switch (kind) {
    case Kind::name:
      return host == name;
    case Kind::suffix:
      return host.size() > name.size() && host.substr(host.size() - name.size()) == name;
    case Kind::any_name:
      return true;
    case Kind::network:
      return false;
  }
  return false;
}

bool TargetPattern::matches_address(const IpAddress& address, uint16_t p) const {
  if (kind != Kind::network || (port && *port != p)) return false;
  return address.v4 == network.v4 && same_prefix(address, network, prefix);
}

common::Result<TargetPattern> parse_target_pattern(std::string_view text) {
  if (text.empty()) return common::Error{"an empty target pattern (" + std::string(kExamples) + ")"};
  TargetPattern p;
  p.text = std::string(text);
  std::string_view host = text;
  bool ipv6 = false;  // written as IPv6: bracketed, or with two or more colons
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad_pattern(text, "'[' without ']'");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad_pattern(text, "expected ':PORT' after ']'");
      if (!(p.port = parse_port(rest.substr(1)))) return bad_pattern(text, "the port is not 1 to 65535");
    }
    if (host.find(':') == std::string_view::npos) return bad_pattern(text, "brackets are for IPv6 addresses");
    ipv6 = true;
  } else if (const auto colons = std::count(text.begin(), text.end(), ':'); colons == 1) {
    const size_t colon = text.find(':');
    host = text.substr(0, colon);
    if (!(p.port = parse_port(text.substr(colon + 1)))) return bad_pattern(text, "the port is not 1 to 65535");
  } else if (colons >= 2) {
    ipv6 = true;
  }
  if (host.empty()) return bad_pattern(text, "no host");

  if (const size_t slash = host.find('/'); slash != std::string_view::npos) {
    const auto address = IpAddress::parse(host.substr(0, slash));
    const std::string_view length = host.substr(slash + 1);
    if (!address) return bad_pattern(text, "'" + std::string(host.substr(0, slash)) + "' is not an IP address");
    const unsigned written_bits = ipv6 ? 128 : 32;
    if (!all_digits(length) || length.size() > 3) return bad_pattern(text, "the prefix length is not a number");
    unsigned prefix = static_cast<unsigned>(std::stoul(std::string(length)));
    if (prefix > written_bits) {
      return bad_pattern(text, "the prefix length is above " + std::to_string(written_bits));
    }
    if (ipv6 && address->v4) {  // ::ffff:a.b.c.d/N: an IPv4 network
      if (prefix < 96) return bad_pattern(text, "an IPv4-mapped network needs a prefix of 96 or more");
      prefix -= 96;
    }
    const IpAddress network = masked(*address, prefix);
    if (!(network == *address)) {
      return bad_pattern(
          text, "host bits are set (did you mean " + network.to_string() + "/" + std::to_string(prefix) + "?)");
    }
    p.kind = TargetPattern::Kind::network;
    p.network = network;
    p.prefix = prefix;
    return p;
  }
  if (const auto address = IpAddress::parse(host)) {
    p.kind = TargetPattern::Kind::network;
    p.network = *address;
    p.prefix = address->bits();
    return p;
  }
  if (ipv6) return bad_pattern(text, "'" + std::string(host) + "' is not an IPv6 address");
  if (host == "*") {
    p.kind = TargetPattern::Kind::any_name;
    return p;
  }
  if (host.substr(0, 2) == "*.") {
    const std::string suffix = normalized_name(host.substr(2));
    if (const auto why = name_problem(suffix); !why.empty()) return bad_pattern(text, why);
    p.kind = TargetPattern::Kind::suffix;
    p.name = "." + suffix;
    return p;
  }
  const std::string name = normalized_name(host);
  if (const auto why = name_problem(name); !why.empty()) return bad_pattern(text, why);
  p.kind = TargetPattern::Kind::name;
  p.name = name;
  return p;
}

TargetAllowlist::TargetAllowlist() {
  for (const char* text : {"127.0.0.0/8", "::1", "localhost"}) patterns_.push_back(parse_target_pattern(text).value());
}

common::Result<TargetAllowlist> TargetAllowlist::parse(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return common::Error{"no target pattern (" + std::string(kExamples) + ")"};
  std::vector<TargetPattern> parsed;
  for (const auto& text : patterns) {
    auto p = parse_target_pattern(text);
    if (!p) return common::Error{p.error()};
    parsed.push_back(std::move(p.value()));
  }
  return TargetAllowlist(std::move(parsed));
}

bool TargetAllowlist::name_allowed(std::string_view host, uint16_t port) const {
  const std::string name = normalized_name(host);
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const TargetPattern& p) { return p.matches_name(name, port); });
}

bool TargetAllowlist::address_allowed(const IpAddress& address, uint16_t port) const {
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const TargetPattern& p) { return p.matches_address(address, port); });
}

bool TargetAllowlist::allows_host(std::string_view host, uint16_t port) const {
  host = unbracketed(host);
  if (host.empty()) return false;
  if (const auto address = IpAddress::parse(host)) return address_allowed(*address, port);
  return name_allowed(host, port);
}

bool TargetAllowlist::allows_connection(std::string_view host, const IpAddress& address, uint16_t port) const {
  host = unbracketed(host);
  if (!host.empty() && !IpAddress::parse(host) && name_allowed(host, port)) return true;
  return address_allowed(address, port);
}

std::string TargetAllowlist::describe() const {
  std::string out;
  for (const auto& p : patterns_) {
    if (!out.empty()) out += ", ";
    out += p.text;
  }
  return out;
}

std::optional<UrlTarget> url_target(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  const std::string scheme = normalized_name(url.substr(0, sep));
  uint16_t port = 0;
  if (scheme == "http") {
    port = 80;
  } else if (scheme == "https") {
    port = 443;
  } else {
    return std::nullopt;
  }
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority, port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port_text.empty()) {
    const auto p = parse_port(port_text);
    if (!p) return std::nullopt;
    port = *p;
  }
  return UrlTarget{std::string(host), port};
}

}  // namespace grid::agent
