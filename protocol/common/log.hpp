#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "protocol/common/result.hpp"

namespace grid::common {

/// Severity of log lines; `--log-level` on every subcommand picks the lowest shown.
enum class LogLevel { debug, info, warning, error, off };

/// "debug", "info", "warning" (or "warn"), "error", "off"; an error names the text and
/// the choices.
Result<LogLevel> parse_log_level(std::string_view text);

/// Sets the level stderr shows for every logger, made before or after (process-wide).
/// Warnings and errors are still passed to a logger's other sinks (LogCapture: they
/// travel upstream) when stderr shows less.
void set_log_level(LogLevel level);

/// The one logging facility of every node. Each node (several may share a process:
/// `loadgrid run`) logs through its own logger, named after its node id, so every line
/// says who wrote it: "2026-12-01 14:30:25.123 warning relay-a: child a1 lost". All
/// loggers share one stderr sink, so lines never interleave. Rate limiting of repeated
/// events is LogRateLimit's job, at the call site that knows what repeats.
using Logger = std::shared_ptr<spdlog::logger>;
Logger make_logger(const std::string& node_id);

/// A logger that writes to stderr only (at the level stderr shows), for lines a node
/// prints on behalf of others (the broker printing its children's records) that must not
/// be captured as its own. Not registered: it does not replace the node's logger.
Logger make_stderr_logger(const std::string& node_id);

}  // namespace grid::common
