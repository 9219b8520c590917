#include "broker/report_html.hpp"

#include "broker/junit_xml.hpp"

namespace grid::broker {
namespace {

// JSON inside <script>: '<' only occurs inside strings, where \u003c is the same
// character, so no "</script" or "<!--" of a request name or log line survives.
std::string inline_json(const nlohmann::ordered_json& model) {
  const std::string text = model.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string inline_script(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string report_html(const nlohmann::ordered_json& model, const ReportAssets& assets) {
  std::string campaign;
  if (const auto s = model.find("summary"); s != model.end() && s->is_object()) {
    if (const auto c = s->find("campaign"); c != s->end() && c->is_string()) campaign = c->get<std::string>();
  }
  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"loadgrid\">\n<title>loadgrid report: " +
      xml_escape(campaign) + "</title>\n<style>\n" + inline_script(assets.style) +
      "\n</style>\n</head>\n<body>\n<div id=\"app\" class=\"lg-root\">"
      "<noscript>This report needs JavaScript to draw; its figures are in summary.json.</noscript></div>\n"
      "<script type=\"application/json\" id=\"loadgrid-model\">" +
      inline_json(model) + "</script>\n";
  if (assets.chart_js) html += "<script>\n" + inline_script(*assets.chart_js) + "\n</script>\n";
  html += "<script>\n" + inline_script(assets.view_js) + "\n</script>\n";
  html += "<script>\n" + inline_script(assets.report_js) + "\n</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace grid::broker
