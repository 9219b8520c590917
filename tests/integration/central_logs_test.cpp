// Central logs end to end (docs/adr/0018): a real broker, relay and agents over loopback
// ZeroMQ. One agent refuses the campaign (its --allow-target list), one is pointed at a
// fake sysfs tree whose 120 interfaces all run far above their speed, so it logs a
// flood of throughput warnings at once; its rate limit cuts the flood and the drops are
// counted. The records travel agent -> relay -> broker and land in logs.jsonl, GET
// /api/v1/logs and summary.json, each naming the agent that logged it.

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

constexpr int kInterfaces = 120;

// ROOT/ethN with a speed of 1 Mb/s, whose receive counter a thread keeps raising at
// about 8 Mb/s until the object goes: every sample the agent takes is ~800 % of the speed.
class SaturatedInterfaces {
public:
  explicit SaturatedInterfaces(std::string root) : root_(std::move(root)) {
    for (int i = 0; i < kInterfaces; ++i) {
      const auto dir = std::filesystem::path(root_) / ("eth" + std::to_string(i));
      std::filesystem::create_directories(dir / "statistics");
      std::ofstream(dir / "speed") << "1\n";
      std::ofstream(dir / "flags") << "0x1003\n";
      std::ofstream(dir / "statistics" / "tx_bytes") << "0\n";
    }
    write(0);
    writer_ = std::thread([this] {
      const auto start = std::chrono::steady_clock::now();
      while (!stop_.load()) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        write(static_cast<uint64_t>(ms.count()) * 1000);  // 1 MB/s = 8 Mb/s
        std::this_thread::sleep_for(100ms);               // a counter's cadence, not a synchronisation
      }
    });
  }
  ~SaturatedInterfaces() {
    stop_.store(true);
    writer_.join();
  }

private:
  void write(uint64_t rx) {
    for (int i = 0; i < kInterfaces; ++i) {
      // Written whole then renamed, as sysfs never shows half a number.
      const auto path = std::filesystem::path(root_) / ("eth" + std::to_string(i)) / "statistics" / "rx_bytes";
      std::ofstream(path.string() + ".tmp") << rx << "\n";
      std::filesystem::rename(path.string() + ".tmp", path);
    }
  }
  std::string root_;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

std::vector<nlohmann::json> jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string http_address(const ChildProcess& process) {
  const auto line = process.wait_for_err_line("http listening ", 20s);
  if (!line) throw std::runtime_error("no 'http listening' line; stderr:\n" + process.err());
  return "http://" + line->substr(line->find("http listening ") + 15);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(central_logs)

BOOST_AUTO_TEST_CASE(agents_warnings_reach_logs_jsonl_and_the_api_through_a_relay_and_a_flood_is_cut_and_counted) {
  TargetProcess target;
  TempDir dir;
  SaturatedInterfaces nics(dir.path() + "/net");
  const std::string results = dir.path() + "/out";
  auto broker = listening_parent(std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "broker", campaign_file(dir.path(), target, "12s", 4), "--listen", "tcp://127.0.0.1:0", "--results",
      results, "--expect-agents", "3", "--expect-timeout", "30s", "--http", "127.0.0.1:0", "--http-linger", "60s"}));
  const std::string api = http_address(*broker);
  auto relay = start_relay(broker.address, "relay-a", "default");
  auto worker = start_agent(relay.address, "worker", 1);
  auto refuser = start_agent(relay.address, "refuser", 1, "default", {"--allow-target", "127.0.0.2"});
  auto nic = start_agent(relay.address, "nic", 1, "default", {"--net-sysfs", dir.path() + "/net"});

  // While the campaign runs: agents below the relay show their CPU and memory.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool shown = false;
  while (!shown && std::chrono::steady_clock::now() < deadline) {
    try {
      const auto nodes = nlohmann::json::parse(http_get(api + "/api/v1/nodes"));
      for (const auto& child : nodes["children"]) {
        for (const auto& a : child["agents"]) {
          if (a["id"] == "worker" && a["rss_bytes"].get<uint64_t>() > 0 && a["cpu_percent"].get<double>() > 0) {
            shown = true;
          }
        }
      }
    } catch (const std::exception&) {
      // not answering yet
    }
    if (!shown) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(shown, "agent 'worker' below relay-a never showed CPU and RSS in /api/v1/nodes");

  // The end: the final summary, then the API (lingering) with the final figures.
  wait_for_summary(results, *broker, "the final summary", [](nlohmann::json& s) { return s["state"] == "finished"; });
  nlohmann::json logs;
  const auto final_deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < final_deadline) {
    try {
      if (nlohmann::json::parse(http_get(api + "/api/v1/status"))["final"] == true) {
        logs = nlohmann::json::parse(http_get(api + "/api/v1/logs"));
        break;
      }
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  broker->signal(SIGINT);  // ends the linger
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(results + "/summary.json");
  const auto lines = jsonl(results + "/logs.jsonl");

  // The refusal: an error of the agent that logged it, in every view.
  auto refusal = [](const nlohmann::json& r) {
    return r["node"] == "refuser" && r["level"] == "error" &&
           r["message"].get<std::string>().rfind(
               "campaign refused: targets outside this agent's --allow-target list "
               "(127.0.0.2)",
               0) == 0;
  };
  BOOST_TEST(std::count_if(lines.begin(), lines.end(), refusal) == 1);
  BOOST_TEST_REQUIRE(logs.is_object(), "GET /api/v1/logs never answered with the final figures");
  BOOST_TEST(std::count_if(logs["logs"].begin(), logs["logs"].end(), refusal) == 1);
  std::string warnings;
  for (const auto& w : summary["warnings"]) warnings += w.get<std::string>() + "\n";
  BOOST_TEST(warnings.find("refuser: campaign refused") != std::string::npos, warnings);

  // The flood: 120 warnings at once, cut to the agent's burst (50), the rest counted.
  size_t nic_lines = 0;
  for (const auto& r : lines) {
    if (r["node"] == "nic" && r["message"].get<std::string>().rfind("network interface eth", 0) == 0) {
      ++nic_lines;
      BOOST_TEST(r["level"] == "warning");
      BOOST_TEST(r["time_unix_ms"].get<int64_t>() > 0);
    }
  }
  BOOST_TEST(nic_lines >= 1u);
  BOOST_TEST(nic_lines <= 60u);
  const auto dropped = summary["health"]["dropped_log_records"].get<uint64_t>();
  BOOST_TEST(dropped >= static_cast<uint64_t>(kInterfaces) - 60u);
  BOOST_TEST(logs["dropped"].get<uint64_t>() == dropped);
  // The API and the file hold the same records.
  BOOST_TEST(logs["total"].get<size_t>() == lines.size());
  BOOST_TEST(logs["logs"].size() == lines.size());
  for (size_t i = 0; i < std::min<size_t>(lines.size(), logs["logs"].size()); ++i) {
    auto api_record = logs["logs"][i];
    BOOST_TEST(api_record["seq"] == i + 1);
    api_record.erase("seq");
    BOOST_TEST(api_record == lines[i]);
  }
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);  // the others ran the campaign
}

BOOST_AUTO_TEST_SUITE_END()
