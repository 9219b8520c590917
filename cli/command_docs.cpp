#include "cli/command_docs.hpp"

#include <cctype>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace po = boost::program_options;

namespace grid::cli {
namespace {

DescribeScope* g_scope = nullptr;  // the live DescribeScope, if any (see the header)

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

bool starts_with_icase(const std::string& text, const std::string& head) {
  if (text.size() < head.size()) return false;
  for (size_t i = 0; i < head.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != head[i]) return false;
  }
  return true;
}

OptionDoc option_doc(const po::option_description& d) {
  OptionDoc o;
  o.long_name = d.long_name();
  const std::string display = d.canonical_display_name(po::command_line_style::allow_dash_for_short);
  if (display.size() == 2 && display[0] == '-') o.short_name = display.substr(1);
  o.description = d.description();
  if (d.semantic()->max_tokens() == 0) return o;  // a switch: no value, and its default (false) says nothing
  // Boost's own rendering, as --help shows it: "NAME" or "NAME (=DEFAULT)".
  const std::string name = d.semantic()->name();
  const size_t at = name.find(" (=");
  if (at != std::string::npos && name.back() == ')') {
    o.value_name = name.substr(0, at);
    o.default_value = name.substr(at + 3, name.size() - at - 4);
  } else {
    o.value_name = name;
  }
  return o;
}

// Boost 1.74 has no caption() accessor: the caption is what operator<< prints before
// ":\n" and the first option line ("  -h [ --help ]", "  --config ...").
std::string caption_of(const po::options_description& options) {
  std::ostringstream text;
  text << options;
  const std::string all = text.str();
  const size_t end = all.find(":\n  -");
  return end == std::string::npos ? "" : all.substr(0, end);
}

}  // namespace

CommandDoc command_doc(const std::string& name, const std::string& summary, const po::options_description& options) {
  CommandDoc doc;
  doc.name = name;
  doc.summary = summary;
  const std::string caption = caption_of(options);
  const size_t first_end = caption.find('\n');
  std::string first = trim(caption.substr(0, first_end));
  std::string rest = first_end == std::string::npos ? "" : caption.substr(first_end + 1);
  if (starts_with_icase(first, "usage:")) first = trim(first.substr(6));
  doc.synopsis = first.empty() ? "loadgrid " + name + " [options]" : first;
  rest = trim(rest);
  const size_t last_line = rest.rfind('\n');
  const std::string tail = rest.substr(last_line == std::string::npos ? 0 : last_line + 1);
  if (starts_with_icase(tail, "options") && tail.size() == 7) {
    rest = trim(rest.substr(0, last_line == std::string::npos ? 0 : last_line));
  }
  doc.description = rest;
  const std::string invocation = "loadgrid " + name + " ";
  if (doc.synopsis.rfind(invocation, 0) == 0) {
    const std::string after = doc.synopsis.substr(invocation.size());
    const std::string word = after.substr(0, after.find(' '));
    if (!word.empty() && word[0] != '-' && word[0] != '[') doc.positional = word;
  }
  for (const auto& option : options.options()) doc.options.push_back(option_doc(*option));
  return doc;
}

DescribeScope::DescribeScope(std::string name, std::string summary)
    : name_(std::move(name)), summary_(std::move(summary)) {
  if (g_scope) throw std::logic_error("DescribeScope: one at a time");
  g_scope = this;
}

DescribeScope::~DescribeScope() { g_scope = nullptr; }

bool describe_options(const po::options_description& options) {
  if (!g_scope) return false;
  g_scope->described_ = command_doc(g_scope->name_, g_scope->summary_, options);
  return true;
}

}  // namespace grid::cli
