// [request.NAME] sections, the files they ship, and the ${...} variables of url, headers
// and body (broker/campaign_parser.hpp).

#include <algorithm>
#include <cctype>

#include "broker/campaign_parser.hpp"
#include "protocol/common/units.hpp"
#include "protocol/workload/template.hpp"
#include "protocol/workload/transport_choice.hpp"

namespace grid::broker::detail {
namespace {

using workload::TemplatePart;

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----";

std::string check_method(const std::string& method) {
  const bool token = !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || c == '-';
  });
  return token ? "" : "'" + method + "' is not an HTTP method (expected e.g. GET, POST, PUT)";
}

// The scheme and host must be written out: variables may follow them.
std::string check_url(const std::string& url) {
  const bool https = url.rfind("https://", 0) == 0;
  const size_t host = https ? 8 : 7;
  if ((!https && url.rfind("http://", 0) != 0) || url.size() <= host || url[host] == '/' || url[host] == '$') {
    return "'" + url + "' is not an http:// or https:// URL (expected e.g. http://127.0.0.1:8080/path; the scheme " +
           "and host must be written out, variables may follow)";
  }
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return "'" + url + "' holds a space or control character (expected them percent-encoded, e.g. %20)";
  }
  return "";
}

std::string check_header(const std::string& header) {
  const auto colon = header.find(':');
  const bool name_ok = colon != std::string::npos && colon > 0 &&
                       std::none_of(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(colon),
                                    [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  if (!name_ok || header.find_first_of("\r\n") != std::string::npos) {
    return "'" + header + "' is not a header (expected 'Name: value' on one line)";
  }
  return "";
}

// RFC 6901: empty (the whole document) or "/"-separated tokens where '~' is "~0" or "~1".
std::string check_pointer(const std::string& pointer) {
  bool ok = pointer.empty() || pointer.front() == '/';
  for (size_t i = 0; ok && i < pointer.size(); ++i) {
    if (pointer[i] == '~') ok = i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1');
  }
  return ok ? "" : "'" + pointer + "' is not a JSON pointer (expected empty or /a/0/b, with ~0 for '~' and ~1 for '/')";
}

std::optional<wire::StatusRange> status_range(const std::string& text) {
  const auto code = [](std::string_view part) -> std::optional<uint16_t> {
    const auto r = common::parse_count(part);
    if (!r || r.value() < 100 || r.value() > 599) return std::nullopt;
    return static_cast<uint16_t>(r.value());
  };
  const auto dash = text.find('-');
  const auto low = code(std::string_view(text).substr(0, dash));
  const auto high = dash == std::string::npos ? low : code(std::string_view(text).substr(dash + 1));
  if (!low || !high || *low > *high) return std::nullopt;
  return wire::StatusRange{*low, *high};
}

// Splits "WORD rest" at the first space; rest trimmed.
std::pair<std::string, std::string> first_word(std::string_view text) {
  text = trim(text);
  const size_t space = text.find_first_of(" \t");
  if (space == std::string_view::npos) return {std::string(text), ""};
  return {std::string(text.substr(0, space)), std::string(trim(text.substr(space + 1)))};
}

}  // namespace

void CampaignParser::finish_requests() {
  const auto& builtins = workload::builtin_variables();
  for (const SectionKeys& r : requests_) {
    wire::RequestSpec spec;
    spec.name = r.name;
    if (const auto* e = r.get("method")) {
      if (auto why = check_method(e->value); !why.empty()) problem(*e, why);
      spec.method = e->value;
    }
    if (const auto* e = r.get("url")) {
      spec.url = e->value;  // checked with its variables resolved (finish_variables)
    } else {
      problem(r, "url", "missing (expected e.g. url = http://127.0.0.1:8080/)");
    }
    const IniEntry* body = r.get("body");
    const IniEntry* body_file = r.get("body_file");
    if (body) spec.body = body->value;
    if (body && body_file) {
      problem(*body_file, "body and body_file exclude each other (expected one of them)");
    } else if (body_file) {
      if (auto content = read_shipped_file(*body_file)) spec.body = std::move(*content);
    }
    if (const auto* e = r.get("timeout")) {
      const auto t = common::parse_duration(e->value);
      if (!t) {
        problem(*e, t.error());
      } else if (t.value().count() <= 0 || t.value() > std::chrono::hours(1)) {
        problem(*e, "'" + e->value + "' is out of range (expected 1ms to 1h)");
      } else {
        spec.timeout_ms = static_cast<uint32_t>(t.value().count());
      }
    }
    if (const auto* e = r.get("expect_status")) {
      for (const auto& piece : split(e->value, ',')) {
        if (auto range = status_range(piece)) {
          spec.expect.push_back(*range);
        } else {
          problem(*e, "'" + piece +
                          "' is not a status or range (expected codes and inclusive ranges from 100 to 599, e.g. "
                          "200, 201, 300-399)");
        }
      }
      // Peers older than `expect` read only this one.
      if (!spec.expect.empty()) spec.expect_status = spec.expect.front();
    }
    if (const auto* e = r.get("http")) {
      if (e->value == "1.1") {
        spec.http = wire::HttpVersion::http1_1;
      } else if (e->value == "2") {
        spec.http = wire::HttpVersion::http2;
      } else {
        problem(*e, "'" + e->value + "' is not an HTTP version (expected 1.1 or 2)");
      }
    }
    if (const auto* e = r.get("transport")) {
      if (auto choice = workload::parse_transport_choice(e->value)) {
        spec.transport = *choice;
        const auto why = workload::needs_curl(spec);
        if (*choice == wire::TransportChoice::native && why) {
          problem(*e, "native cannot serve this request: " + *why + " (expected auto or curl)");
        }
      } else {
        problem(*e, "'" + e->value + "' is not a transport (expected auto, curl or native)");
      }
    }
    if (const auto* e = r.get("tls_verify")) {
      if (auto v = parse_bool(e->value)) {
        spec.tls_verify = *v;
      } else {
        problem(*e, "'" + e->value + "' is not a boolean (expected true or false)");
      }
    }
    if (const auto* e = r.get("ca_file")) {
      if (auto content = read_shipped_file(*e)) {
        if (content->find(kPem) == std::string::npos) {
          problem(*e, e->value + ": no certificate in it (expected PEM, with a line " + kPem + ")");
        } else {
          spec.ca_pem = std::move(*content);
        }
      }
    }
    for (const auto& e : r.repeated) {
      if (e.key == "headers") {
        spec.headers.push_back(e.value);  // checked with its variables resolved
      } else if (e.key == "check") {
        auto [kind, rest] = first_word(e.value);
        wire::Check check;
        std::string why;
        if (kind == "contains") {
          check.kind = wire::CheckKind::contains;
          check.text = rest;
          if (rest.empty()) why = "nothing to look for (expected contains TEXT)";
        } else if (kind == "regex") {
          check.kind = wire::CheckKind::regex;
          check.text = rest;
          if (auto bad = check_regex(rest); !bad.empty()) why = "regex '" + rest + "': " + bad;
        } else if (kind == "json") {
          check.kind = wire::CheckKind::json_equals;
          const size_t eq = rest.find("==");
          if (eq == std::string::npos) {
            why = "'" + e.value + "' has no '==' (expected json /pointer == VALUE)";
          } else {
            check.path = std::string(trim(std::string_view(rest).substr(0, eq)));
            check.text = std::string(trim(std::string_view(rest).substr(eq + 2)));
            why = check_pointer(check.path);
            if (why.empty() && check.text.empty()) why = "no value after '==' (expected json /pointer == VALUE)";
          }
        } else {
          const std::string hint = did_you_mean(kind, {"contains", "regex", "json"});
          why = "'" + e.value + "' is not a check (expected contains TEXT, regex PATTERN or json /pointer == VALUE" +
                (hint.empty() ? "" : "; " + hint) + ")";
        }
        if (why.empty()) {
          spec.checks.push_back(std::move(check));
        } else {
          problem(e, why);
        }
      } else if (e.key == "extract") {
        const auto [variable, more] = first_word(e.value);
        const auto [kind, source] = first_word(more);
        wire::Extract extract{variable, wire::ExtractKind::regex, source};
        std::string why;
        if (!is_variable_name(variable)) {
          why = "'" + variable + "' is not a variable name (expected VAR regex PATTERN, VAR json /pointer or VAR " +
                "header NAME; a name is letters, digits and '_', not starting with a digit)";
        } else if (std::find(builtins.begin(), builtins.end(), variable) != builtins.end()) {
          why = "'" + variable + "' is a built-in variable (expected another name; built-ins: " + join(builtins) + ")";
        } else if (const auto col = columns_.find(variable); col != columns_.end()) {
          why = "'" + variable + "' is a column of [data." + col->second + "] (expected another name)";
        } else if (kind == "regex") {
          if (auto bad = check_regex(source); !bad.empty()) why = "regex '" + source + "': " + bad;
        } else if (kind == "json") {
          extract.kind = wire::ExtractKind::json;
          why = check_pointer(source);
        } else if (kind == "header") {
          extract.kind = wire::ExtractKind::header;
          if (source.empty() || source.find_first_of(" \t:") != std::string::npos) {
            why = "'" + source + "' is not a header name (expected e.g. extract = token header X-Token)";
          }
        } else {
          const std::string hint = did_you_mean(kind, {"regex", "json", "header"});
          why = "'" + e.value + "' is not an extraction (expected VAR regex PATTERN, VAR json /pointer or VAR " +
                "header NAME" + (hint.empty() ? "" : "; " + hint) + ")";
        }
        if (why.empty()) {
          extracted_.insert(variable);
          spec.extracts.push_back(std::move(extract));
        } else {
          problem(e, why);
        }
      }
    }
    c_.requests.push_back(std::move(spec));
  }
  if (requests_.empty()) {
    problems_.add(0, "", "", "no [request.NAME] section (expected at least one request, e.g. [request.home] with url)");
  }
}

// --- variables -------------------------------------------------------------------------

namespace {

// Resolves ${env.NAME} in a template and checks every other variable is known. Returns
// the text agents get, or nullopt after reporting why not.
struct TemplateResolver {
  const std::function<std::optional<std::string>(const std::string&)>& getenv;
  const std::vector<std::string>& known;  // every usable name but env.NAME
  std::vector<std::string> problems;

  std::optional<std::string> resolve(const std::string& text) {
    auto parsed = workload::parse_template(text);
    if (!parsed) {
      problems.push_back(parsed.error());
      return std::nullopt;
    }
    bool has_env = false;
    std::vector<TemplatePart> parts;
    const auto add_literal = [&](const std::string& s) {
      if (!parts.empty() && parts.back().kind == TemplatePart::Kind::literal) {
        parts.back().text += s;
      } else {
        parts.push_back({TemplatePart::Kind::literal, s, 0, 0});
      }
    };
    for (const auto& p : parsed.value().parts) {
      if (p.kind == TemplatePart::Kind::variable && p.text.rfind("env.", 0) == 0) {
        has_env = true;
        const std::string name = p.text.substr(4);
        if (auto value = getenv(name)) {
          add_literal(*value);
        } else {
          problems.push_back("${" + p.text + "}: environment variable " + name +
                             " is not set (expected it set where the broker runs)");
        }
      } else if (p.kind == TemplatePart::Kind::variable) {
        if (std::find(known.begin(), known.end(), p.text) == known.end()) {
          const std::string hint = did_you_mean(p.text, known);
          problems.push_back("${" + p.text + "}: unknown variable" + (hint.empty() ? "" : ", " + hint) +
                             " (expected a built-in (" + join(workload::builtin_variables()) +
                             "), a [data.NAME] column, a variable some request extracts, or env.NAME)");
        }
        parts.push_back(p);
      } else if (p.kind == TemplatePart::Kind::literal) {
        add_literal(p.text);
      } else {
        parts.push_back(p);
      }
    }
    if (!problems.empty()) return std::nullopt;
    if (!has_env) return text;
    // Write it back with the environment's values as escaped literals.
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& p = parts[i];
      if (p.kind == TemplatePart::Kind::literal) {
        const std::string escaped = workload::escape_template(p.text);
        if (!escaped.empty() && escaped.back() == '$' && i + 1 < parts.size()) {
          // "$" then "${x}" reads as the escape "$${": no template can say this.
          problems.push_back(
              "a '$' from an environment variable lands right before ${...}, which a template cannot "
              "express (expected a value not ending in '$')");
          return std::nullopt;
        }
        out += escaped;
      } else if (p.kind == TemplatePart::Kind::variable) {
        out += "${" + p.text + "}";
      } else {
        out += "${random(" + std::to_string(p.low) + "," + std::to_string(p.high) + ")}";
      }
    }
    return out;
  }
};

}  // namespace

void CampaignParser::finish_variables() {
  std::vector<std::string> known = workload::builtin_variables();
  for (const auto& [column, feed] : columns_) known.push_back(column);
  known.insert(known.end(), extracted_.begin(), extracted_.end());
  const std::function<std::optional<std::string>(const std::string&)> lookup = [this](const std::string& name) {
    return getenv(name);
  };
  for (size_t i = 0; i < requests_.size(); ++i) {
    const SectionKeys& r = requests_[i];
    wire::RequestSpec& spec = c_.requests[i];
    // Resolves one field in place; reports problems at `e`.
    const auto resolve = [&](const IniEntry& e, std::string& field, const std::string& prefix) -> bool {
      TemplateResolver resolver{lookup, known, {}};
      auto out = resolver.resolve(field);
      for (const auto& why : resolver.problems) problem(e, prefix + why);
      if (!out) return false;
      field = std::move(*out);
      return true;
    };
    if (const auto* e = r.get("url")) {
      if (resolve(*e, spec.url, "")) {
        if (auto why = check_url(spec.url); !why.empty()) problem(*e, why);
      }
    }
    size_t h = 0;
    for (const auto& e : r.repeated) {
      if (e.key != "headers") continue;
      if (resolve(e, spec.headers[h], "")) {
        if (auto why = check_header(spec.headers[h]); !why.empty()) problem(e, why);
      }
      ++h;
    }
    if (const auto* e = r.get("body")) {
      resolve(*e, spec.body, "");
    } else if (const auto* f = r.get("body_file"); f && !spec.body.empty()) {
      resolve(*f, spec.body, f->value + ": ");
    }
  }
}

}  // namespace grid::broker::detail
