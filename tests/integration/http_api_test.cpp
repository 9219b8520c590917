// The broker's HTTP API over loopback (docs/http-api.md): the real binary, real sockets,
// libcurl as the client (a raw socket for malformed input), `promtool check metrics`
// for the exposition format.
//
// Race-free end check: the broker publishes one last snapshot after it has written the
// final summary.json, from the same objects (`"final": true` in status and stats), and
// --http-linger keeps the server up with it. The test waits for `final`, then compares
// the API and /metrics with summary.json, then ends the linger with POST /api/v1/stop.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

struct HttpResult {
  long status = 0;  // 0: no response
  std::string body;
  std::string headers;  // raw header block
};

HttpResult http(const std::string& method, const std::string& url, const std::vector<std::string>& headers = {},
                const std::string& body = "") {
  HttpResult r;
  CURL* easy = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  auto append = +[](char* p, size_t s, size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, s * n);
    return s * n;
  };
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &r.headers);
  if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(easy);
  return r;
}

nlohmann::json get_json(const std::string& url, const std::vector<std::string>& headers = {}) {
  const auto r = http("GET", url, headers);
  if (r.status != 200) throw std::runtime_error("GET " + url + ": status " + std::to_string(r.status) + " " + r.body);
  return nlohmann::json::parse(r.body);
}

// Sends `bytes` on a fresh loopback connection and returns what comes back until the
// server closes (bounded by a 5 s receive timeout).
std::string raw_exchange(const std::string& address, const std::string& bytes) {
  const auto colon = address.rfind(':');
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// The address from the broker's "http listening HOST:PORT" line.
std::string http_address(const ChildProcess& process) {
  const auto line = process.wait_for_err_line("http listening ", 20s);
  if (!line) throw std::runtime_error("no 'http listening' line; stderr:\n" + process.err());
  return line->substr(line->find("http listening ") + 15);
}

// Polls `url` until `condition` holds on its JSON (bounded); returns that document.
nlohmann::json poll_json(const std::string& url, const std::string& what,
                         const std::function<bool(const nlohmann::json&)>& condition, const ChildProcess& process,
                         std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      const auto doc = get_json(url);
      if (condition(doc)) return doc;
      last = doc.dump();
    } catch (const std::exception& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL("within " << limit.count() << " s " << url << " never showed " << what << "; last: " << last
                       << "\nstderr:\n"
                       << process.err());
  return {};
}

// Sample lines of a metric family: labels text -> value.
std::map<std::string, double> samples(const std::string& metrics, const std::string& name) {
  std::map<std::string, double> out;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    const auto space = line.rfind(' ');
    out[line.substr(name.size(), space - name.size())] = std::stod(line.substr(space + 1));
  }
  return out;
}

// `promtool check metrics` on `text`; std::nullopt when promtool is not installed.
std::optional<std::pair<int, std::string>> promtool_check(const std::string& dir, const std::string& text) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) return std::nullopt;
  std::ofstream(dir + "/metrics.txt") << text;
  const int rc =
      std::system(("promtool check metrics < " + dir + "/metrics.txt > " + dir + "/promtool.txt 2>&1").c_str());
  std::ifstream in(dir + "/promtool.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return std::make_pair(WEXITSTATUS(rc), ss.str());
}

std::string idle_campaign(const std::string& dir) {
  return write_campaign(dir, "10s", 1, "[request.home]\nurl = http://127.0.0.1:9/\n");
}

// A broker waiting for agents that never come: its HTTP server is up, nothing else runs.
std::unique_ptr<ChildProcess> waiting_broker(const std::string& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{kBinary,      "broker",     idle_campaign(dir), "--listen", "tcp://127.0.0.1:0",
                                "--results",  dir + "/out", "--expect-timeout", "120s",     "--http",
                                "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_api)

BOOST_AUTO_TEST_CASE(api_follows_a_run_and_its_final_figures_equal_summary_json) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(
      dir.path(), "60s", 5,
      "[request.home]\nurl = " + target.url("/") + "\n[request.err-503]\nurl = " + target.url("/status/503") + "\n",
      "think_time = 5ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "1", "--http",
                    "127.0.0.1:0", "--http-linger", "60s"});
  const std::string base = "http://" + http_address(run);

  poll_json(
      base + "/api/v1/status", "state running", [](const auto& s) { return s["state"] == "running"; }, run);
  const auto first = poll_json(
      base + "/api/v1/stats", "requests",
      [](const auto& s) { return s["total"]["requests"].template get<uint64_t>() > 0; }, run);
  const uint64_t seen = first["total"]["requests"].get<uint64_t>();
  const auto later = poll_json(
      base + "/api/v1/stats", "more requests",
      [seen](const auto& s) { return s["total"]["requests"].template get<uint64_t>() > seen && !s["series"].empty(); },
      run);
  BOOST_TEST(later["series"].back()["rps"].get<double>() >= 0.0);
  const auto nodes = get_json(base + "/api/v1/nodes");
  BOOST_TEST(nodes["children"][0]["kind"] == "relay");
  BOOST_TEST(nodes["children"][0]["agents"][0]["id"] == "local-agent-1");

  // Stop as SIGINT would; the final snapshot follows the final summary.json.
  BOOST_TEST(http("POST", base + "/api/v1/stop").status == 202);
  const auto status = poll_json(
      base + "/api/v1/status", "final", [](const auto& s) { return s["final"] == true; }, run);
  BOOST_TEST(status["state"] == "finished");
  // Once every agent below it sent its final window, the relay is finished too.
  const auto final_nodes = get_json(base + "/api/v1/nodes");
  BOOST_TEST(final_nodes["children"][0]["agents"][0]["state"] == "finished");
  BOOST_TEST(final_nodes["children"][0]["state"] == "finished");
  const auto stats = get_json(base + "/api/v1/stats");
  const auto metrics = http("GET", base + "/metrics");
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(summary["state"] == "interrupted");
  BOOST_TEST(stats["total"] == summary["total"]);
  BOOST_TEST(stats["requests"] == summary["requests"]);
  BOOST_TEST(stats["windows"] == summary["windows"]);
  // Each window's points per request name and per region add up to the grid's point.
  BOOST_REQUIRE(!stats["series"].empty());
  for (const auto& point : stats["series"]) {
    uint64_t by_request = 0, by_region = 0;
    for (const auto& [name, points] : stats["series_by_request"].items()) {
      for (const auto& p : points) {
        if (p["start_unix_ms"] == point["start_unix_ms"]) by_request += p["requests"].get<uint64_t>();
      }
    }
    for (const auto& p : stats["series_by_region"]["default"]) {
      if (p["start_unix_ms"] == point["start_unix_ms"]) by_region += p["requests"].get<uint64_t>();
    }
    BOOST_TEST(by_request == point["requests"].get<uint64_t>());
    BOOST_TEST(by_region == point["requests"].get<uint64_t>());
  }
  BOOST_TEST(stats["series_by_request"].contains("home"));
  BOOST_TEST(stats["series_by_request"].contains("err-503"));
  BOOST_TEST(stats["series_by_region"].size() == 1u);

  BOOST_REQUIRE_EQUAL(metrics.status, 200);
  BOOST_TEST(metrics.headers.find("text/plain; version=0.0.4") != std::string::npos);
  const auto requests = samples(metrics.body, "loadgrid_requests_total");
  const auto failures = samples(metrics.body, "loadgrid_failures_total");
  const auto counts = samples(metrics.body, "loadgrid_request_duration_seconds_count");
  double requests_sum = 0, failures_sum = 0;
  for (const auto& [labels, v] : requests) requests_sum += v;
  for (const auto& [labels, v] : failures) failures_sum += v;
  BOOST_TEST(requests_sum == summary["total"]["requests"].get<double>());
  BOOST_TEST(failures_sum == summary["total"]["failures"].get<double>());
  BOOST_TEST(summary["total"]["failures"].get<uint64_t>() > 0u);  // the 503s, as http_5xx
  for (const auto& r : summary["requests"]) {
    const std::string escaped = r["name"].get<std::string>();  // campaign names need no escaping
    const std::string& label = escaped;
    BOOST_TEST(counts.at("{request=\"" + escaped + "\"}") == r["latency_ms"]["samples"].get<double>(), label);
    BOOST_TEST(requests.at("{request=\"" + escaped + "\",region=\"default\"}") == r["requests"].get<double>(), label);
  }
  for (const auto& r : summary["requests"]) {
    if (r["name"] != "err-503") continue;
    BOOST_TEST(failures.at("{request=\"err-503\",region=\"default\",kind=\"http_5xx\"}") ==
               r["failures_by_kind"]["http_5xx"].get<double>());
  }

  if (const auto check = promtool_check(dir.path(), metrics.body)) {
    BOOST_TEST(check->first == 0, "promtool check metrics: " << check->second);
  } else {
    BOOST_TEST_MESSAGE("SKIPPED promtool check: promtool is not installed (Debian package prometheus)");
  }

  // The linger ends with the next stop.
  BOOST_TEST(http("POST", base + "/api/v1/stop").status == 202);
  BOOST_TEST(run_to_end(run) == 0);
}

BOOST_AUTO_TEST_CASE(bad_requests_get_clear_status_codes_and_the_broker_keeps_serving) {
  TempDir dir;
  auto broker = waiting_broker(dir.path(), {});
  const std::string address = http_address(*broker);
  const std::string base = "http://" + address;

  const auto missing = http("GET", base + "/api/v2/nothing");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(nlohmann::json::parse(missing.body).contains("error"));
  BOOST_TEST(http("GET", base + "/assets/nothing.js").status == 404);
  BOOST_TEST(http("POST", base + "/").status == 405);

  const auto wrong = http("PUT", base + "/api/v1/status");
  BOOST_TEST(wrong.status == 405);
  BOOST_TEST(wrong.headers.find("Allow: GET") != std::string::npos);
  const auto get_stop = http("GET", base + "/api/v1/stop");
  BOOST_TEST(get_stop.status == 405);
  BOOST_TEST(get_stop.headers.find("Allow: POST") != std::string::npos);

  BOOST_TEST(http("GET", base + "/api/v1/status", {"X-Big: " + std::string(16 * 1024, 'a')}).status == 431);
  BOOST_TEST(http("POST", base + "/api/v1/stop", {}, std::string(100 * 1024, 'b')).status == 413);
  BOOST_TEST(raw_exchange(address, "NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0u);
  BOOST_TEST(raw_exchange(address, "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
                 .rfind("HTTP/1.1 400", 0) == 0u);
  // Half a request, left open: the server still serves others meanwhile.
  const int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  BOOST_REQUIRE(::connect(idle, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  (void)::send(idle, "GET /api/v1/sta", 15, MSG_NOSIGNAL);

  const auto status = get_json(base + "/api/v1/status");
  BOOST_TEST(status["state"] == "waiting");
  BOOST_TEST(status["campaign"] == "it");
  ::close(idle);

  broker->signal(SIGINT);
  const auto code = broker->wait_for_exit(30s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 3);  // stopped before the campaign started
}

BOOST_AUTO_TEST_CASE(with_a_token_every_endpoint_needs_it) {
  TempDir dir;
  std::ofstream(dir.path() + "/token") << "t0ken-42\n";
  auto broker = waiting_broker(dir.path(), {"--http-token-file", dir.path() + "/token"});
  const std::string base = "http://" + http_address(*broker);
  for (const std::string path : {"/api/v1/status", "/api/v1/stats", "/api/v1/nodes", "/api/v1/warnings", "/metrics"}) {
    const auto none = http("GET", base + path);
    BOOST_TEST(none.status == 401, path);
    BOOST_TEST(none.headers.find("WWW-Authenticate: Bearer") != std::string::npos, path);
    BOOST_TEST(http("GET", base + path, {"Authorization: Bearer t0ken-4"}).status == 401, path);
    BOOST_TEST(http("GET", base + path, {"Authorization: Bearer t0ken-42"}).status == 200, path);
  }
  BOOST_TEST(http("POST", base + "/api/v1/stop").status == 401);
  BOOST_TEST(http("POST", base + "/api/v1/stop", {"Authorization: Bearer wrong"}).status == 401);
  BOOST_TEST(get_json(base + "/api/v1/status", {"Authorization: Bearer t0ken-42"})["state"] == "waiting");
  BOOST_TEST(http("POST", base + "/api/v1/stop", {"Authorization: Bearer t0ken-42"}).status == 202);
  const auto code = broker->wait_for_exit(30s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 3);  // a stop before the start, as with SIGINT
}

BOOST_AUTO_TEST_CASE(http_option_errors_are_usage_errors_naming_the_flag) {
  TempDir dir;
  const auto campaign = idle_campaign(dir.path());
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--http", "0.0.0.0:0"}, "--http 0.0.0.0:0 is not a loopback address"},
      {{"--http", "192.0.2.1:8089"}, "--http-token-file"},
      {{"--http", "nonsense"}, "--http: expected HOST:PORT"},
      {{"--http", "127.0.0.1:99999"}, "--http: bad port"},
      {{"--http", "example.test:80"}, "--http: 'example.test' is not an IP address"},
      {{"--http", "127.0.0.1:0", "--http-token-file", dir.path() + "/absent"}, "--http-token-file: cannot read"},
      {{"--http-token-file", dir.path() + "/absent"}, "--http-token-file needs --http"},
      {{"--http", "127.0.0.1:0", "--http-linger", "soon"}, "--http-linger"},
  };
  for (const std::string command : {"broker", "run"}) {
    for (const auto& c : cases) {
      std::vector<std::string> argv{kBinary, command, campaign};
      argv.insert(argv.end(), c.args.begin(), c.args.end());
      ChildProcess p(argv);
      const auto code = p.wait_for_exit(30s);
      BOOST_REQUIRE(code.has_value());
      BOOST_TEST(*code == 2, command << " " << c.says);
      BOOST_TEST(p.err().find(c.says) != std::string::npos, command << ": " << p.err());
    }
  }
}

BOOST_AUTO_TEST_CASE(an_http_port_in_use_is_exit_3_naming_http) {
  TempDir dir;
  // Hold a listening socket on an ephemeral loopback port, then ask the broker for it.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  BOOST_REQUIRE(::bind(holder, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  BOOST_REQUIRE(::listen(holder, 1) == 0);
  socklen_t len = sizeof sa;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&sa), &len);
  ChildProcess broker({kBinary, "broker", idle_campaign(dir.path()), "--listen", "tcp://127.0.0.1:0", "--results",
                       dir.path() + "/out", "--http", "127.0.0.1:" + std::to_string(ntohs(sa.sin_port))});
  const auto code = broker.wait_for_exit(30s);
  ::close(holder);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 3);
  BOOST_TEST(broker.err().find("--http: cannot listen on 127.0.0.1:") != std::string::npos, broker.err());
}

BOOST_AUTO_TEST_SUITE_END()
