#pragma once

// Shared pieces of the integration tests: the real `loadgrid` binary, a real target
// process on an ephemeral loopback port, campaign files and result parsing.

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

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

/// Waits (bounded) for the "listening on ADDRESS" line of a parent just started.
inline ParentProcess listening_parent(std::unique_ptr<ChildProcess> process) {
  static const std::regex listening("listening on (tcp://127\\.0\\.0\\.1:[0-9]+,[0-9]+)");
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

inline ParentProcess start_relay(const std::string& parent, const std::string& id, const std::string& region) {
  return listening_parent(std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "relay", "--parent", parent, "--listen", "tcp://127.0.0.1:0", "--id", id, "--region", region}));
}

inline std::unique_ptr<ChildProcess> start_agent(const std::string& parent, const std::string& id, int threads,
                                                 const std::string& region = "default") {
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "agent", "--parent", parent, "--id", id, "--threads", std::to_string(threads), "--region", region});
}

/// The summary's entry of agent `id` (throws when absent).
inline nlohmann::json agent_named(const nlohmann::json& summary, const std::string& id) {
  for (const auto& a : summary.at("agents")) {
    if (a.at("id") == id) return a;
  }
  throw std::runtime_error("no agent " + id + " in summary");
}

}  // namespace grid::test
