#pragma once

// Shared pieces of the integration tests: the real `loadgrid` binary, a real target
// process on an ephemeral loopback port, campaign files and result parsing.

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
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
                      << "[load]\nusers = " << users << "\n" << extra_load << "\n" << requests;
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

/// A base port P with P and P+1 both free on 127.0.0.1 (a parent binds both).
inline int free_port_pair() {
  static int next = 20000 + static_cast<int>(getpid() % 2000) * 10;
  for (int attempt = 0; attempt < 500; ++attempt, next += 2) {
    if (next > 64000) next = 20000;
    bool ok = true;
    for (int p = next; p < next + 2 && ok; ++p) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(p));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      close(fd);
    }
    if (ok) {
      const int port = next;
      next += 2;
      return port;
    }
  }
  throw std::runtime_error("no free port pair");
}

inline std::string tcp(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

inline std::unique_ptr<ChildProcess> start_broker(const std::string& campaign, int port, const std::string& results,
                                                  int expect_agents) {
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "broker", campaign, "--listen", tcp(port), "--results", results, "--expect-agents",
      std::to_string(expect_agents), "--expect-timeout", "30s"});
}

inline std::unique_ptr<ChildProcess> start_relay(int parent_port, int listen_port, const std::string& id,
                                                 const std::string& region) {
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "relay", "--parent", tcp(parent_port), "--listen", tcp(listen_port), "--id", id, "--region", region});
}

inline std::unique_ptr<ChildProcess> start_agent(int parent_port, const std::string& id, int threads,
                                                 const std::string& region = "default") {
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "agent", "--parent", tcp(parent_port), "--id", id, "--threads", std::to_string(threads), "--region",
      region});
}

/// The summary's entry of agent `id` (throws when absent).
inline nlohmann::json agent_named(const nlohmann::json& summary, const std::string& id) {
  for (const auto& a : summary["agents"]) {
    if (a["id"] == id) return a;
  }
  throw std::runtime_error("no agent " + id + " in summary");
}

}  // namespace grid::test
