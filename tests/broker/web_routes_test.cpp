// The dashboard's pages through the router, without sockets (broker/web_routes.*,
// broker/web_assets.*): the page and its embedded assets, chart.js from the Debian
// package, /api/v1/summary, and which of them need the token. The browser test
// (integration suite dashboard_browser) drives the real page.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "broker/api_router.hpp"
#include "broker/summary_json.hpp"
#include "broker/web_assets.hpp"

using namespace grid;

namespace {

std::string header_of(const broker::ApiResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

struct Fixture {
  broker::SnapshotBox box;
  broker::ApiRouter open{box, "", [] {}};
  broker::ApiRouter guarded{box, "s3cret", [] {}};
};

// Sets LOADGRID_CHART_JS for one scope.
struct ChartJsAt {
  explicit ChartJsAt(const std::string& path) { ::setenv("LOADGRID_CHART_JS", path.c_str(), 1); }
  ~ChartJsAt() { ::unsetenv("LOADGRID_CHART_JS"); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(web_routes, Fixture)

BOOST_AUTO_TEST_CASE(root_is_the_dashboard_page_as_html_with_a_content_security_policy) {
  const auto r = open.handle({"GET", "/", ""});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.content_type == "text/html; charset=utf-8");
  BOOST_TEST(r.body == std::string(*broker::web_asset("dashboard.html")));
  BOOST_TEST(header_of(r, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);
  BOOST_TEST(header_of(r, "X-Content-Type-Options") == "nosniff");
  BOOST_TEST(open.handle({"GET", "/?token=abc", ""}).status == 200);  // the page takes ?token= once
}

BOOST_AUTO_TEST_CASE(every_embedded_asset_is_served_with_its_content_type) {
  const std::map<std::string, std::string> types = {{"dashboard.html", "text/html; charset=utf-8"},
                                                    {"view.js", "application/javascript; charset=utf-8"},
                                                    {"dashboard.js", "application/javascript; charset=utf-8"},
                                                    {"report.js", "application/javascript; charset=utf-8"},
                                                    {"style.css", "text/css; charset=utf-8"}};
  BOOST_TEST(broker::web_asset_names().size() == types.size());
  for (const auto& [name, type] : types) {
    const auto asset = broker::web_asset(name);
    BOOST_REQUIRE_MESSAGE(asset.has_value(), name);
    const auto r = open.handle({"GET", "/assets/" + name, ""});
    BOOST_TEST(r.status == 200, name);
    BOOST_TEST(r.content_type == type, name);
    BOOST_TEST(r.body == std::string(*asset), name);
    BOOST_TEST(r.body.size() > 100u, name);
  }
}

BOOST_AUTO_TEST_CASE(the_page_loads_only_its_own_assets) {
  const std::string page(*broker::web_asset("dashboard.html"));
  const std::regex reference(R"re((src|href)="([^"]*)")re");
  int references = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), reference); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[2];
    ++references;
    BOOST_TEST(target.rfind("assets/", 0) == 0u, target);  // relative: works behind a path prefix
    if (target != "assets/chart.min.js") BOOST_TEST(open.handle({"GET", "/" + target, ""}).status == 200, target);
  }
  BOOST_TEST(references == 4);
}

BOOST_AUTO_TEST_CASE(the_renderer_never_fetches) {
  // view.js draws from the model it is given (report.html inlines it, offline).
  const std::string view(*broker::web_asset("view.js"));
  for (const std::string call : {"fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "import("}) {
    BOOST_TEST(view.find(call) == std::string::npos, call);
  }
  BOOST_TEST(view.find("LoadgridView") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(view_js_is_every_source_of_broker_web_view_once_namespace_first_render_last) {
  // The build concatenates broker/web/view/*.js in the order broker/CMakeLists.txt lists.
  const std::string view(*broker::web_asset("view.js"));
  const std::filesystem::path dir = std::filesystem::path(LOADGRID_SOURCE_DIR) / "broker/web/view";
  auto read = [](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::size_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto source = read(entry.path());
    BOOST_TEST_REQUIRE(!source.empty(), entry.path().string());
    const auto at = view.find(source);
    BOOST_TEST(at != std::string::npos, entry.path().string());
    BOOST_TEST(view.find(source, at + 1) == std::string::npos, entry.path().string());
    total += source.size();
  }
  BOOST_TEST(total == view.size());  // nothing but the sources
  BOOST_TEST(view.rfind(read(dir / "namespace.js"), 0) == 0u);
  const auto last = read(dir / "render.js");
  BOOST_TEST(view.compare(view.size() - last.size(), last.size(), last) == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_asset_is_404_and_another_method_405) {
  const auto missing = open.handle({"GET", "/assets/nothing.js", ""});
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(nlohmann::json::parse(missing.body)["error"].get<std::string>().find("/assets/nothing.js") !=
             std::string::npos);
  BOOST_TEST(open.handle({"GET", "/assets/../api/v1/status", ""}).status == 404);
  for (const std::string method : {"POST", "PUT", "DELETE"}) {
    const auto r = open.handle({method, "/", ""});
    BOOST_TEST(r.status == 405, method);
    BOOST_TEST(header_of(r, "Allow") == "GET");
  }
}

BOOST_AUTO_TEST_CASE(with_a_token_the_pages_are_public_and_the_data_is_not) {
  for (const std::string path : {"/", "/assets/view.js", "/assets/style.css"}) {
    BOOST_TEST(guarded.handle({"GET", path, ""}).status == 200, path);
  }
  for (const std::string path : {"/api/v1/summary", "/api/v1/stats", "/metrics", "/nowhere"}) {
    BOOST_TEST(guarded.handle({"GET", path, ""}).status == 401, path);
  }
  BOOST_TEST(guarded.handle({"GET", "/api/v1/summary", "Bearer s3cret"}).status == 200);
}

BOOST_AUTO_TEST_CASE(chart_js_is_read_from_the_debian_package_at_request_time) {
  BOOST_TEST(broker::chart_js_path() == std::string(broker::kChartJsPath));
  const auto dir = std::filesystem::temp_directory_path() / ("loadgrid-chartjs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "chart.min.js").string();
  ChartJsAt at(file);
  const auto absent = open.handle({"GET", "/assets/chart.min.js", ""});
  BOOST_TEST(absent.status == 404);
  BOOST_TEST(absent.body.find("libjs-chart.js") != std::string::npos);
  std::ofstream(file) << "var Chart = 1;";
  const auto present = open.handle({"GET", "/assets/chart.min.js", ""});  // no restart needed
  BOOST_TEST(present.status == 200);
  BOOST_TEST(present.content_type == "application/javascript; charset=utf-8");
  BOOST_TEST(present.body == "var Chart = 1;");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(api_v1_summary_is_summary_json_of_the_latest_snapshot) {
  auto snapshot = std::make_shared<broker::ApiSnapshot>();
  snapshot->info.campaign = "live";
  snapshot->info.version = "9.9.9";
  snapshot->info.state = "running";
  box.publish(snapshot);
  const auto r = open.handle({"GET", "/api/v1/summary", ""});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.content_type == "application/json");
  const auto doc = nlohmann::json::parse(r.body);
  BOOST_TEST(doc["schema"] == "loadgrid.summary/1");
  BOOST_TEST(doc["campaign"] == "live");
  BOOST_TEST(doc.contains("health"));  // the grid's part too, as in summary.json
  BOOST_TEST(r.body == broker::summary_json(snapshot->info, snapshot->run, &snapshot->grid).dump(2) + "\n");
  const auto post = open.handle({"POST", "/api/v1/summary", ""});
  BOOST_TEST(post.status == 405);
  BOOST_TEST(header_of(post, "Allow") == "GET");
}

BOOST_AUTO_TEST_CASE(content_types_follow_the_extension) {
  BOOST_TEST(broker::web_content_type("a.html") == "text/html; charset=utf-8");
  BOOST_TEST(broker::web_content_type("a.js") == "application/javascript; charset=utf-8");
  BOOST_TEST(broker::web_content_type("a.css") == "text/css; charset=utf-8");
  BOOST_TEST(broker::web_content_type("a.json") == "application/json");
  BOOST_TEST(broker::web_content_type("js") == "application/octet-stream");
}

BOOST_AUTO_TEST_SUITE_END()
