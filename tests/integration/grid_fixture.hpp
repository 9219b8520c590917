#pragma once

// Shared pieces of the integration tests: the real `loadgrid` binary, a real target
// process on an ephemeral loopback port, campaign files and result parsing.

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

namespace grid::test {

inline const std::string kBinary = LOADGRID_BINARY;

/// GETs `url` over loopback; returns the body ("" on failure).
inline std::string http_get(const std::string& url) {
  std::string body;
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      easy, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
        static_cast<std::string*>(out)->append(p, s * n);
        return s * n;
      });
  curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  return body;
}

/// `loadgrid target` as a separate process on an ephemeral loopback port.
class TargetProcess {
public:
  explicit TargetProcess(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kBinary, "target", "--listen", "127.0.0.1:0", "--threads", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv);
    const auto line = process_->wait_for_line("listening ", std::chrono::seconds(10));
    if (!line) throw std::runtime_error("target did not start: " + process_->err());
    port_ = line->substr(line->rfind(':') + 1);
  }
  ~TargetProcess() {
    process_->signal(SIGTERM);
    process_->wait_for_exit(std::chrono::seconds(5));
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + port_ + path; }
  nlohmann::json stats() const { return nlohmann::json::parse(http_get(url("/__stats"))); }

private:
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
};

/// A campaign file in `dir` with the given requests section(s).
inline std::string write_campaign(const std::string& dir, const std::string& duration, int users,
                                  const std::string& requests, const std::string& extra_load = "") {
  const std::string path = dir + "/campaign.ini";
  std::ofstream(path) << "[campaign]\nname = it\nduration = " << duration << "\ninterval = 500ms\n"
                      << "[load]\nusers = " << users << "\n"
                      << extra_load << "\n"
                      << requests;
  return path;
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

/// Runs `loadgrid run` to completion and returns its exit code; output is in `process`.
inline int run_to_end(ChildProcess& process) {
  const auto code = process.wait_for_exit(std::chrono::seconds(120));
  if (!code) throw std::runtime_error("loadgrid run did not finish in 120 s");
  return *code;
}

}  // namespace grid::test

namespace grid::test {

/// A broker or relay process and the address its children connect to. Parents listen on
/// `tcp://127.0.0.1:0` (two ephemeral ports, never probed and released) and print the
/// ports they bound on stderr: "... listening on tcp://127.0.0.1:PLANS,REPORTS".
struct ParentProcess {
  std::unique_ptr<ChildProcess> process;
  std::string address;  // tcp://127.0.0.1:PLANS,REPORTS, for children's --parent

  ChildProcess& operator*() const { return *process; }
  ChildProcess* operator->() const { return process.get(); }
  /// The reports (PULL) endpoint, `tcp://127.0.0.1:REPORTS`, for raw upstream frames.
  std::string reports_endpoint() const {
    const auto colon = address.rfind(':'), comma = address.rfind(',');
    return address.substr(0, colon + 1) + address.substr(comma + 1);
  }
};

/// Waits (bounded) for the "listening on ADDRESS" line of a parent just started (any IPv4
/// address: the multi-host test's parents listen in network namespaces).
inline ParentProcess listening_parent(std::unique_ptr<ChildProcess> process) {
  static const std::regex listening("listening on (tcp://[0-9.]+:[0-9]+,[0-9]+)");
  const auto line = process->wait_for_err_line("listening on ", std::chrono::seconds(20));
  std::smatch match;
  if (!line || !std::regex_search(*line, match, listening)) {
    throw std::runtime_error("parent did not say where it listens; stderr:\n" + process->err());
  }
  return ParentProcess{std::move(process), match[1].str()};
}

inline ParentProcess start_broker(const std::string& campaign, const std::string& results, int expect_agents) {
  return listening_parent(std::make_unique<ChildProcess>(
      std::vector<std::string>{kBinary, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results", results,
                               "--expect-agents", std::to_string(expect_agents), "--expect-timeout", "30s"}));
}

inline ParentProcess start_relay(const std::string& parent, const std::string& id, const std::string& region,
                                 const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{kBinary, "relay", "--parent", parent, "--listen", "tcp://127.0.0.1:0",
                                "--id",  id,      "--region", region};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return listening_parent(std::make_unique<ChildProcess>(argv));
}

inline std::unique_ptr<ChildProcess> start_agent(const std::string& parent, const std::string& id, int threads,
                                                 const std::string& region = "default",
                                                 const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{
      kBinary, "agent", "--parent", parent, "--id", id, "--threads", std::to_string(threads), "--region", region};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv);
}

/// The summary's entry of agent `id` (throws when absent).
inline nlohmann::json agent_named(const nlohmann::json& summary, const std::string& id) {
  for (const auto& a : summary.at("agents")) {
    if (a.at("id") == id) return a;
  }
  throw std::runtime_error("no agent " + id + " in summary");
}

// Helpers of the grid tests (grid_test.cpp, fault_test.cpp).

using namespace std::chrono_literals;

inline std::string campaign_file(const std::string& dir, const TargetProcess& target, const std::string& duration,
                                 int users, const std::string& regions = "") {
  const std::string path = dir + "/grid.ini";
  std::ofstream(path) << "[campaign]\nname = grid\nduration = " << duration << "\ninterval = 1s\n"
                      << "[load]\nusers = " << users << "\nthink_time = 20ms\n"
                      << regions << "[request.home]\nurl = " << target.url("/") << "\ntimeout = 2s\n";
  return path;
}

inline int broker_exit(ChildProcess& broker) {
  const auto code = broker.wait_for_exit(120s);
  if (!code) throw std::runtime_error("broker did not finish: " + broker.err());
  if (*code != 0) BOOST_TEST_MESSAGE("broker stderr:\n" << broker.err());
  return *code;
}

// Asks the broker to end the campaign now (SIGINT: stop, drain, final summary) and waits.
inline int stop_broker(ChildProcess& broker) {
  broker.signal(SIGINT);
  return broker_exit(broker);
}

// Rows of timeseries.csv in `dir` as (window_start_unix_ms, requests); complete lines only.
inline std::vector<std::pair<uint64_t, uint64_t>> timeseries_rows(const std::string& dir) {
  std::ifstream in(dir + "/timeseries.csv");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  std::vector<std::pair<uint64_t, uint64_t>> rows;
  // After the header: window_start_unix_ms, elapsed_s, users, requests, ...
  for (size_t begin = all.find('\n') + 1, end; begin > 0 && (end = all.find('\n', begin)) != std::string::npos;
       begin = end + 1) {
    std::istringstream fields(all.substr(begin, end - begin));
    std::string start, elapsed, users, requests;
    if (std::getline(fields, start, ',') && std::getline(fields, elapsed, ',') && std::getline(fields, users, ',') &&
        std::getline(fields, requests, ',')) {
      rows.emplace_back(std::stoull(start), std::stoull(requests));
    }
  }
  return rows;
}

// Waits (bounded) until the broker's summary.json in `dir` satisfies `condition`; returns
// that summary. The condition gets a mutable document, so that looking up what is not
// there yet gives null (and a type error, taken as "not yet") rather than undefined
// behaviour.
inline nlohmann::json wait_for_summary(const std::string& dir, const ChildProcess& broker, const std::string& what,
                                       const std::function<bool(nlohmann::json&)>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string last = "(no summary.json yet)";
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto summary = read_json(dir + "/summary.json");
      if (condition(summary)) return summary;
      last = summary.dump();
    } catch (const std::exception&) {
      // not written yet, or not there yet
    }
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL("within 30 s the summary never showed " << what << "; last summary:\n"
                                                     << last << "\nbroker stderr:\n"
                                                     << broker.err());
  return {};
}

inline uint64_t requests_of(const nlohmann::json& summary, const std::string& agent) {
  return agent_named(summary, agent)["requests"].get<uint64_t>();
}

inline uint64_t sum_agent_requests(const nlohmann::json& summary) {
  uint64_t n = 0;
  for (const auto& a : summary["agents"]) n += a["requests"].get<uint64_t>();
  return n;
}

inline uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace grid::test
