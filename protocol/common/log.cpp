#include "protocol/common/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>

#include <spdlog/pattern_formatter.h>
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

// "<N>": the syslog priority of the line's level (sd-daemon(3): SD_ERR <3>, SD_WARNING
// <4>, SD_INFO <6>, SD_DEBUG <7>; critical is SD_CRIT <2>).
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const char* prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        prefix = "<7>";
        break;
      case spdlog::level::info:
        prefix = "<6>";
        break;
      case spdlog::level::warn:
        prefix = "<4>";
        break;
      case spdlog::level::err:
        prefix = "<3>";
        break;
      case spdlog::level::critical:
        prefix = "<2>";
        break;
      default:
        break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriorityFlag>(); }
};

// Parses a whole decimal number; nothing else (no sign, no spaces) is accepted.
std::optional<uint64_t> parse_decimal(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// One sink for every logger of the process (stderr_sink_mt locks per line).
std::shared_ptr<spdlog::sinks::stderr_sink_mt> shared_sink() {
  static const auto sink = [] {
    auto s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_formatter(make_stderr_formatter(stderr_is_journal()));
    return s;
  }();
  return sink;
}

}  // namespace

bool is_journal_stream(std::optional<std::string_view> journal_stream, std::optional<FileIdentity> stderr_file) {
  if (!journal_stream || !stderr_file) return false;
  const auto colon = journal_stream->find(':');
  if (colon == std::string_view::npos) return false;
  const auto device = parse_decimal(journal_stream->substr(0, colon));
  const auto inode = parse_decimal(journal_stream->substr(colon + 1));
  return device && inode && *device == stderr_file->device && *inode == stderr_file->inode;
}

bool stderr_is_journal() {
  const char* value = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  std::optional<FileIdentity> file;
  if (fstat(STDERR_FILENO, &st) == 0)
    file = FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  return is_journal_stream(value ? std::optional<std::string_view>(value) : std::nullopt, file);
}

std::string_view stderr_priority_prefix(LogLevel level) {
  static const bool journal = stderr_is_journal();
  if (!journal) return "";
  switch (level) {
    case LogLevel::debug:
      return "<7>";
    case LogLevel::warning:
      return "<4>";
    case LogLevel::error:
      return "<3>";
    case LogLevel::info:
    case LogLevel::off:
      break;
  }
  return "<6>";
}

std::unique_ptr<spdlog::formatter> make_stderr_formatter(bool journal) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (journal) {
    formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%l %n: %v");
  } else {
    formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %n: %v");
  }
  return formatter;
}

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
