#include "protocol/common/log.hpp"

#include <algorithm>
#include <atomic>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace grid::common {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warning:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
    case LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::atomic<spdlog::level::level_enum> g_level{spdlog::level::info};

// Loggers pass warnings and errors whatever stderr shows: they travel upstream
// (LogCapture, docs/adr/0018). The stderr sink applies --log-level.
spdlog::level::level_enum logger_level(spdlog::level::level_enum shown) { return std::min(shown, spdlog::level::warn); }

// One sink for every logger of the process (stderr_sink_mt locks per line).
std::shared_ptr<spdlog::sinks::stderr_sink_mt> shared_sink() {
  static const auto sink = [] {
    auto s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %n: %v");
    return s;
  }();
  return sink;
}

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warning" || text == "warn") return LogLevel::warning;
  if (text == "error") return LogLevel::error;
  if (text == "off") return LogLevel::off;
  return Error{"'" + std::string(text) + "' is not a log level (expected debug, info, warning, error or off)"};
}

void set_log_level(LogLevel level) {
  g_level.store(to_spdlog(level));
  shared_sink()->set_level(to_spdlog(level));
  spdlog::apply_all([&](const Logger& l) { l->set_level(logger_level(to_spdlog(level))); });
}

Logger make_logger(const std::string& node_id) {
  auto logger = std::make_shared<spdlog::logger>(node_id, shared_sink());
  shared_sink()->set_level(g_level.load());
  logger->set_level(logger_level(g_level.load()));
  logger->flush_on(spdlog::level::debug);
  // Registered so that set_log_level reaches it; several nodes of one process may not
  // share an id, but a test may make one twice: the newest wins the name.
  spdlog::drop(node_id);
  spdlog::register_logger(logger);
  return logger;
}

Logger make_stderr_logger(const std::string& node_id) {
  auto logger = std::make_shared<spdlog::logger>(node_id, shared_sink());
  shared_sink()->set_level(g_level.load());
  logger->set_level(spdlog::level::trace);  // the sink decides
  logger->flush_on(spdlog::level::debug);
  return logger;
}

}  // namespace grid::common
