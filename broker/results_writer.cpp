#include "broker/results_writer.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "broker/junit_xml.hpp"
#include "broker/latency_percentiles.hpp"
#include "broker/summary_json.hpp"
#include "broker/timeseries_csv.hpp"
#include "protocol/common/atomic_file.hpp"

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
  const std::string by_name = dir_ + "/timeseries_by_name.csv";
  by_name_.open(by_name, std::ios::trunc);
  if (!by_name_) throw std::runtime_error(by_name + ": cannot write");
  by_name_ << timeseries_by_name_header() << '\n' << std::flush;
  const std::string logs = dir_ + "/logs.jsonl";
  logs_.open(logs, std::ios::trunc);
  if (!logs_) throw std::runtime_error(logs + ": cannot write");
  // Files written at the end, left by an earlier run in this directory, would be read as
  // this run's (junit.xml as its verdict).
  for (const char* stale : {"junit.xml", "latency_percentiles.csv", "report.html", "campaign.ini"}) {
    std::filesystem::remove(dir_ + "/" + stale, ec);
    if (ec) throw std::runtime_error(dir_ + "/" + stale + ": cannot remove an earlier run's (" + ec.message() + ")");
  }
}

void ResultsWriter::write_campaign(const std::string& text) {
  common::write_file_atomically(dir_ + "/campaign.ini", text);
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
                              const GridReport* grid, const std::vector<NamedPoint>* named) {
  timeseries_ << timeseries_row(window, info.started_unix_ms, info.ended_unix_ms) << '\n' << std::flush;
  if (!timeseries_) throw std::runtime_error(dir_ + "/timeseries.csv: write failed");
  if (named) {
    for (const auto& point : *named) by_name_ << timeseries_by_name_row(point) << '\n';
    by_name_.flush();
    if (!by_name_) throw std::runtime_error(dir_ + "/timeseries_by_name.csv: write failed");
  }
  write_json_atomically(dir_ + "/summary.json", summary_json(info, run, grid));
}

void ResultsWriter::on_finish(const RunInfo& info, const RunAggregator& run, const GridReport* grid) {
  timeseries_.flush();
  if (!timeseries_) throw std::runtime_error(dir_ + "/timeseries.csv: write failed");
  by_name_.flush();
  if (!by_name_) throw std::runtime_error(dir_ + "/timeseries_by_name.csv: write failed");
  write_json_atomically(dir_ + "/summary.json", summary_json(info, run, grid));
  common::write_file_atomically(dir_ + "/latency_percentiles.csv", latency_percentiles_csv(run));
  if (!info.thresholds.empty()) common::write_file_atomically(dir_ + "/junit.xml", junit_xml(info));
}

}  // namespace grid::broker
