#include "broker/results_writer.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "broker/atomic_file.hpp"
#include "broker/junit_xml.hpp"
#include "broker/summary_json.hpp"
#include "broker/timeseries_csv.hpp"

namespace grid::broker {

ResultsWriter::ResultsWriter(std::string dir, uint64_t max_log_lines)
    : dir_(std::move(dir)), max_log_lines_(max_log_lines) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(dir_ + ": cannot create the results directory (" + ec.message() + ")");
  const std::string csv = dir_ + "/timeseries.csv";
  timeseries_.open(csv, std::ios::trunc);
  if (!timeseries_) throw std::runtime_error(csv + ": cannot write");
  timeseries_ << timeseries_header() << '\n' << std::flush;
  const std::string logs = dir_ + "/logs.jsonl";
  logs_.open(logs, std::ios::trunc);
  if (!logs_) throw std::runtime_error(logs + ": cannot write");
  // A junit.xml left by an earlier run in this directory would be read as this run's verdict.
  std::filesystem::remove(dir_ + "/junit.xml", ec);
  if (ec) throw std::runtime_error(dir_ + "/junit.xml: cannot remove an earlier run's (" + ec.message() + ")");
}

void ResultsWriter::append_log(const LogEntry& entry, bool past_limit) {
  if (log_lines_ >= max_log_lines_ && !past_limit) {
    ++unwritten_logs_;
    return;
  }
  logs_ << log_jsonl_line(entry) << '\n' << std::flush;
  ++log_lines_;
  if (!logs_) throw std::runtime_error(dir_ + "/logs.jsonl: write failed");
}

void ResultsWriter::on_window(const RunInfo& info, const wire::StatsWindow& window, const RunAggregator& run,
                              const GridReport* grid) {
  timeseries_ << timeseries_row(window, info.started_unix_ms, info.ended_unix_ms) << '\n' << std::flush;
  if (!timeseries_) throw std::runtime_error(dir_ + "/timeseries.csv: write failed");
  write_json_atomically(dir_ + "/summary.json", summary_json(info, run, grid));
}

void ResultsWriter::on_finish(const RunInfo& info, const RunAggregator& run, const GridReport* grid) {
  timeseries_.flush();
  if (!timeseries_) throw std::runtime_error(dir_ + "/timeseries.csv: write failed");
  write_json_atomically(dir_ + "/summary.json", summary_json(info, run, grid));
  if (!info.thresholds.empty()) write_file_atomically(dir_ + "/junit.xml", junit_xml(info));
}

}  // namespace grid::broker
