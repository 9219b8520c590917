#include "target/target_command.hpp"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <boost/program_options.hpp>

#include "protocol/common/exit_codes.hpp"
#include "protocol/common/log.hpp"
#include "target/listen_address.hpp"
#include "target/target_server.hpp"

namespace grid::target {
namespace {

namespace po = boost::program_options;

constexpr std::int64_t kMaxThreads = 1024;
constexpr std::int64_t kMaxDelayMs = 3'600'000;

// The running server for the signal handler; set only while target_main serves.
std::atomic<TargetServer*> g_signalled_server{nullptr};
// Handlers currently inside stop_on_signal. Teardown unpublishes the server, then waits for
// this to reach zero, so no handler can still be using the server when it is destroyed.
std::atomic<int> g_handlers_running{0};

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<TargetServer*>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

extern "C" void stop_on_signal(int) {
  g_handlers_running.fetch_add(1);
  if (TargetServer* server = g_signalled_server.load()) server->stop();
  g_handlers_running.fetch_sub(1);
}

// Unpublishes the server from the signal handler and waits out handlers already running.
void unpublish_server() {
  g_signalled_server.store(nullptr);
  while (g_handlers_running.load() != 0) {
    std::this_thread::yield();
  }
}

}  // namespace

po::options_description target_options() {
  po::options_description options(
      "Usage: loadgrid target [options]\n"
      "Serves the built-in HTTP/1.1 test target: / (hello), /delay/<ms>, /status/<code>,\n"
      "/bytes/<n>, /echo (the request back), /json/token/<value>, /__stats (JSON counters;\n"
      "DELETE or /__reset zeroes them), /__stall/<ms> (hold every request for ms).\n"
      "Runs until SIGINT or SIGTERM.\n\nOptions");
  // One option per line, as --help lists them.
  // clang-format off
  options.add_options()
      ("help,h", "print this help and exit")
      ("listen,l", po::value<std::string>()->default_value("127.0.0.1:8080"),
       "HOST:PORT or [IPV6]:PORT to listen on; port 0 picks a free port")
      ("threads,t", po::value<std::int64_t>()->default_value(0),
       "worker threads, 0 = one per core")
      ("delay", po::value<std::int64_t>()->default_value(0),
       "milliseconds added to every response")
      ("jitter", po::value<std::int64_t>()->default_value(0),
       "extra random delay per response, uniform in [0, MS] milliseconds")
      ("log-level", po::value<std::string>()->default_value("info")->value_name("debug|info|warning|error|off"),
       "lowest level of log lines: debug, info, warning, error or off");
  // clang-format on
  return options;
}

namespace {

// Reads an integer option and checks its range; prints the error and returns nullopt.
std::optional<std::int64_t> bounded(const po::variables_map& values, const char* name, std::int64_t max) {
  const auto value = values[name].as<std::int64_t>();
  if (value < 0 || value > max) {
    std::cerr << "loadgrid target: --" << name << " expects an integer in 0.." << max << ", got " << value << "\n";
    return std::nullopt;
  }
  return value;
}

// Serves until a signal stops the server. Returns the exit code.
int serve(TargetServer& server, const std::string& host) {
  struct sigaction action {};
  action.sa_handler = stop_on_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {};
  struct sigaction old_term {};
  g_signalled_server.store(&server);
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);

  int code = 0;
  try {
    server.start();
    std::cout << "listening " << format_host_port(host, server.port()) << std::endl;
    server.join();
    std::cout << "served " << server.requests_served() << " requests" << std::endl;
  } catch (const std::exception& error) {
    std::cerr << "loadgrid target: " << error.what() << "\n";
    code = common::kExitCannotStart;
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  unpublish_server();
  return code;
}

}  // namespace

int target_main(int argc, char** argv) {
  const po::options_description options = target_options();
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "loadgrid target: " << error.what() << "\n"
              << "Try 'loadgrid target --help'.\n";
    return common::kExitUsage;
  }
  if (values.count("help") > 0) {
    std::cout << options << "\n";
    return common::kExitOk;
  }

  const std::string listen = values["listen"].as<std::string>();
  const std::optional<ListenAddress> address = parse_listen_address(listen);
  if (!address) {
    std::cerr << "loadgrid target: --listen expects HOST:PORT or [IPV6]:PORT "
                 "(e.g. 127.0.0.1:8080 or [::1]:8080), got '"
              << listen << "'\n";
    return common::kExitUsage;
  }
  const auto threads = bounded(values, "threads", kMaxThreads);
  const auto delay = bounded(values, "delay", kMaxDelayMs);
  const auto jitter = bounded(values, "jitter", kMaxDelayMs);
  if (!threads || !delay || !jitter) return common::kExitUsage;
  const auto level = common::parse_log_level(values["log-level"].as<std::string>());
  if (!level) {
    std::cerr << "loadgrid target: --log-level: " << level.error() << "\n";
    return common::kExitUsage;
  }
  common::set_log_level(level.value());

  TargetOptions server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.threads = static_cast<unsigned>(*threads);
  server_options.default_delay = std::chrono::milliseconds(*delay);
  server_options.jitter = std::chrono::milliseconds(*jitter);
  try {
    TargetServer server(server_options);
    return serve(server, address->host);
  } catch (const std::exception& error) {
    std::cerr << "loadgrid target: " << error.what() << "\n";
    return common::kExitCannotStart;
  }
}

}  // namespace grid::target
