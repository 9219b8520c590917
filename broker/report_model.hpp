#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace grid::broker {

/// A results directory that cannot make a report: the message names the file and what
/// was wrong with it.
class ReportError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Most log records a report carries (the first ones; the rest are counted in
/// `logs_omitted`), so that report.html stays a file a browser opens at once.
inline constexpr size_t kReportMaxLogs = 5000;

/// The view model (docs/view-model.md) of a results directory, built from its files
/// alone: summary.json (required), timeseries.csv, timeseries_by_name.csv,
/// latency_percentiles.csv, logs.jsonl and campaign.ini (each optional: a missing one
/// gives an empty part, listed in `missing`). With `baseline_dir`, `baseline` holds that
/// directory's summary and series. Throws ReportError naming the file for a missing or
/// unreadable summary.json and for a file that is there but malformed.
nlohmann::ordered_json report_model(const std::string& dir, const std::string& baseline_dir = "");

}  // namespace grid::broker
