#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>
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

/// What fstat(2) says identifies an open file: its device and inode numbers.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
};

/// True when `journal_stream`, the value of $JOURNAL_STREAM, names `stderr_file`. systemd
/// sets JOURNAL_STREAM="DEV:INODE" (decimal st_dev and st_ino of the stream it connects
/// to the journal, sd_journal_stream_fd(3), systemd.exec(5) "Environment"); a child
/// that inherited the variable but whose stderr was redirected elsewhere sees another
/// file, so the variable alone is not enough. No variable, no stderr (fstat failed) or
/// a malformed value: false.
bool is_journal_stream(std::optional<std::string_view> journal_stream, std::optional<FileIdentity> stderr_file);

/// is_journal_stream for this process: $JOURNAL_STREAM and fstat of fd 2.
bool stderr_is_journal();

/// "<3>" (error), "<4>" (warning), "<6>" (info), "<7>" (debug) when stderr is the
/// journal (decided once), else "": for lines written to stderr outside any logger (a
/// subcommand's setup error, a warning about a key file), so the journal files them at
/// their level too.
std::string_view stderr_priority_prefix(LogLevel level);

/// The formatter of stderr lines. Usually "2026-12-01 14:30:25.123 warning relay-a:
/// child a1 lost". When stderr is the journal (`journal`), the line starts with the
/// syslog priority instead of the time, "<4>warning relay-a: child a1 lost": journald
/// reads <3> error, <4> warning, <6> info, <7> debug (sd-daemon(3)) as the record's
/// priority, strips it, and stamps the time itself, so no time is written twice.
std::unique_ptr<spdlog::formatter> make_stderr_formatter(bool journal);

/// The one logging facility of every node. Each node (several may share a process:
/// `loadgrid run`) logs through its own logger, named after its node id, so every line
/// says who wrote it: "2026-12-01 14:30:25.123 warning relay-a: child a1 lost". All
/// loggers share one stderr sink, so lines never interleave. Under systemd the sink
/// writes journal lines (make_stderr_formatter, decided once from stderr_is_journal()). Rate limiting of repeated
/// events is LogRateLimit's job, at the call site that knows what repeats.
using Logger = std::shared_ptr<spdlog::logger>;
Logger make_logger(const std::string& node_id);

/// A logger that writes to stderr only (at the level stderr shows), for lines a node
/// prints on behalf of others (the broker printing its children's records) that must not
/// be captured as its own. Not registered: it does not replace the node's logger.
Logger make_stderr_logger(const std::string& node_id);

}  // namespace grid::common
