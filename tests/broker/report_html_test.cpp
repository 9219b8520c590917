#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/report_html.hpp"

using namespace grid;
using json = nlohmann::ordered_json;

namespace {

const std::string kOpen = "<script type=\"application/json\" id=\"loadgrid-model\">";

json model_in(const std::string& html) {
  const auto from = html.find(kOpen);
  BOOST_REQUIRE(from != std::string::npos);
  const auto start = from + kOpen.size();
  const auto end = html.find("</script>", start);
  BOOST_REQUIRE(end != std::string::npos);
  return json::parse(html.substr(start, end - start));
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report_html)

BOOST_AUTO_TEST_CASE(the_model_survives_names_that_would_end_the_script_element) {
  const json model = {{"mode", "report"},
                      {"summary",
                       {{"campaign", "a<b>&\"c\""},
                        {"requests", json::array({{{"name", "</script><script>alert(1)</script><!--"}}})}}}};
  const std::string html = broker::report_html(model, {"body{}", "var v=1;", "var r=2;", std::string("var c=3;")});
  BOOST_TEST(model_in(html) == model);
  BOOST_TEST(html.find("<title>loadgrid report: a&lt;b&gt;&amp;&quot;c&quot;</title>") != std::string::npos);
  BOOST_TEST(count(html, "</script>") == 4u);  // the model, chart.js, view.js, report.js
}

BOOST_AUTO_TEST_CASE(the_page_inlines_its_style_and_scripts_in_order_and_needs_no_network) {
  const std::string html =
      broker::report_html(json{{"mode", "report"}}, {"STYLE{}", "VIEW();", "REPORT();", std::string("CHART();")});
  const auto style = html.find("STYLE{}"), chart = html.find("CHART();"), view = html.find("VIEW();"),
             report = html.find("REPORT();");
  BOOST_TEST(style < chart);
  BOOST_TEST(chart < view);
  BOOST_TEST(view < report);
  BOOST_TEST(html.find(" src=") == std::string::npos);
  BOOST_TEST(html.find(" href=") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_chart_js_the_page_has_no_chart_script) {
  const std::string html = broker::report_html(json{{"mode", "report"}}, {"", "VIEW();", "REPORT();", std::nullopt});
  BOOST_TEST(count(html, "<script>") == 2u);
}

BOOST_AUTO_TEST_CASE(a_script_holding_an_end_tag_cannot_end_its_element) {
  BOOST_TEST(broker::inline_script("s = '</script>'; t = '<'") == "s = '<\\/script>'; t = '<'");
}

BOOST_AUTO_TEST_SUITE_END()
