#include "broker/junit_xml.hpp"

#include <cstdint>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace grid::broker {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Length of the well-formed UTF-8 sequence at the start of `s` and its code point; 0 when
// it is not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, uint32_t& code) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  size_t len = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    code = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, code = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, code = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, code = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return len;
}

// XML 1.0 Char production.
bool xml_char(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string attr(std::string_view name, std::string_view value) {
  return fmt::format(" {}=\"{}\"", name, xml_escape(value));
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    uint32_t code = 0;
    size_t len = utf8_sequence(text, code);
    if (len == 0 || !xml_char(code)) {
      out += kReplacement;
      text.remove_prefix(len == 0 ? 1 : len);
      continue;
    }
    switch (code) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out.append(text.substr(0, len));
    }
    text.remove_prefix(len);
  }
  return out;
}

std::string junit_xml(const RunInfo& info) {
  size_t failures = 0;
  for (const auto& r : info.thresholds) failures += r.pass ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite";
  out += attr("name", "loadgrid." + info.campaign);
  out += fmt::format(" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.3f}\"", info.thresholds.size(),
                     failures, info.elapsed_s);
  if (info.started_unix_ms > 0) {
    const std::time_t started = static_cast<std::time_t>(info.started_unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&started, &tm);
    out += fmt::format(" timestamp=\"{:%Y-%m-%dT%H:%M:%S}\"", tm);  // UTC, no zone: the JUnit schema's form
  }
  out += ">\n";
  if (!info.aborted_by.empty()) {
    out += "  <properties>\n    <property" + attr("name", "aborted_by") + attr("value", info.aborted_by) +
           "/>\n  </properties>\n";
  }
  for (const auto& r : info.thresholds) {
    out += "  <testcase" + attr("name", r.label()) + attr("classname", "thresholds") + " time=\"0\"";
    if (r.pass) {
      out += "/>\n";
      continue;
    }
    const std::string observed = format_observed(r.unit, r.value);
    std::string detail = r.value ? fmt::format("{} was {}; expected {}", r.metric, observed, r.condition)
                                 : fmt::format("{}: no data to evaluate; expected {}", r.metric, r.condition);
    if (r.label() == info.aborted_by) detail += "; it stopped the run (abort_on_fail)";
    out += ">\n    <failure" + attr("message", r.value ? "observed " + observed : "no data") +
           attr("type", "threshold") + ">" + xml_escape(detail) + "</failure>\n  </testcase>\n";
  }
  return out + "</testsuite>\n";
}

}  // namespace grid::broker
