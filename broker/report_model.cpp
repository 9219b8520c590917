#include "broker/report_model.hpp"

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "protocol/workload/csv_table.hpp"

namespace grid::broker {
namespace {

using json = nlohmann::ordered_json;

std::optional<std::string> read_optional(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReportError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ReportError(path + ": cannot read");
  return std::move(text).str();
}

json read_summary(const std::string& dir) {
  const std::string path = dir + "/summary.json";
  const auto text = read_optional(path);
  if (!text) throw ReportError(path + ": not found (is " + dir + " a loadgrid results directory?)");
  json summary = json::parse(*text, nullptr, false);
  if (summary.is_discarded() || !summary.is_object()) throw ReportError(path + ": not valid JSON");
  const auto schema = summary.find("schema");
  if (schema == summary.end() || !schema->is_string() ||
      schema->get<std::string>().rfind("loadgrid.summary/", 0) != 0) {
    throw ReportError(path + ": not a loadgrid summary (no \"schema\": \"loadgrid.summary/...\")");
  }
  if (!summary.contains("total") || !summary["total"].is_object()) throw ReportError(path + ": has no \"total\"");
  return summary;
}

// A CSV's rows as maps from column name to field, checked for the columns the model uses.
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path, const std::string& text,
                                                         const std::vector<std::string>& needed) {
  auto table = workload::parse_csv(text);
  if (!table.ok()) throw ReportError(path + ": " + table.error());
  const auto& header = table.value().header;
  for (const auto& column : needed) {
    if (std::find(header.begin(), header.end(), column) == header.end()) {
      throw ReportError(path + ": no column '" + column + "'");
    }
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& fields : table.value().rows) {
    auto& row = rows.emplace_back();
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = fields[i];
  }
  return rows;
}

double number(const std::string& path, size_t row, const std::map<std::string, std::string>& fields,
              const std::string& column) {
  const std::string& text = fields.at(column);
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw ReportError(path + ": row " + std::to_string(row + 1) + ": column '" + column + "' is not a number: '" + text +
                    "'");
}

// One point of a series (docs/view-model.md) from a CSV row. timeseries.csv has no
// failures_per_s: failures cover the same span as requests, so it is rps * failures /
// requests, exactly.
json series_point(const std::string& path, size_t i, const std::map<std::string, std::string>& row,
                  bool with_users) {
  const double requests = number(path, i, row, "requests");
  const double failures = number(path, i, row, "failures");
  const double rps = number(path, i, row, "rps");
  json p = {{"start_unix_ms", static_cast<uint64_t>(number(path, i, row, "window_start_unix_ms"))},
            {"elapsed_s", number(path, i, row, "elapsed_s")},
            {"requests", static_cast<uint64_t>(requests)},
            {"failures", static_cast<uint64_t>(failures)},
            {"rps", rps},
            {"failures_per_s", row.count("failures_per_s") ? number(path, i, row, "failures_per_s")
                               : requests > 0                ? rps * failures / requests
                                                             : 0.0},
            {"p50_ms", number(path, i, row, "p50_ms")},
            {"p95_ms", number(path, i, row, "p95_ms")},
            {"p99_ms", number(path, i, row, "p99_ms")}};
  if (with_users) p["active_users"] = static_cast<uint64_t>(number(path, i, row, "users"));
  return p;
}

json read_series(const std::string& dir, json& missing) {
  json series = {{"total", json::array()}, {"requests", json::object()}, {"regions", json::object()}};
  const std::vector<std::string> common_columns = {"window_start_unix_ms", "elapsed_s", "users", "requests", "rps",
                                                   "failures", "p50_ms", "p95_ms", "p99_ms"};
  const std::string total_path = dir + "/timeseries.csv";
  if (const auto text = read_optional(total_path)) {
    const auto rows = read_csv(total_path, *text, common_columns);
    for (size_t i = 0; i < rows.size(); ++i) series["total"].push_back(series_point(total_path, i, rows[i], true));
  } else {
    missing.push_back("timeseries.csv");
  }
  const std::string named_path = dir + "/timeseries_by_name.csv";
  if (const auto text = read_optional(named_path)) {
    auto columns = common_columns;
    columns.insert(columns.end(), {"scope", "name", "failures_per_s"});
    const auto rows = read_csv(named_path, *text, columns);
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string& scope = rows[i].at("scope");
      if (scope != "request" && scope != "region") {
        throw ReportError(named_path + ": row " + std::to_string(i + 1) + ": scope '" + scope +
                          "' is neither request nor region");
      }
      const bool region = scope == "region";
      series[region ? "regions" : "requests"][rows[i].at("name")].push_back(
          series_point(named_path, i, rows[i], region));
    }
  } else {
    missing.push_back("timeseries_by_name.csv");
  }
  return series;
}

json read_percentiles(const std::string& dir, json& missing) {
  const std::string path = dir + "/latency_percentiles.csv";
  const auto text = read_optional(path);
  if (!text) {
    missing.push_back("latency_percentiles.csv");
    return nullptr;
  }
  json out = json::object();
  const auto rows = read_csv(path, *text, {"scope", "name", "percentile", "latency_ms"});
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string key = rows[i].at("scope") == "total" ? "" : rows[i].at("name");
    out[key].push_back(json::array({number(path, i, rows[i], "percentile"), number(path, i, rows[i], "latency_ms")}));
  }
  return out;
}

// logs.jsonl: a line cut short by a crash, or one that is not a record, is skipped and
// counted, never fatal: the rest of the run's logs still make the report.
void read_logs(const std::string& dir, json& model, json& missing) {
  model["logs"] = json::array();
  const auto text = read_optional(dir + "/logs.jsonl");
  if (!text) {
    missing.push_back("logs.jsonl");
    return;
  }
  uint64_t skipped = 0, omitted = 0;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object() || !record.contains("message")) {
      ++skipped;
      continue;
    }
    if (model["logs"].size() >= kReportMaxLogs) {
      ++omitted;
      continue;
    }
    model["logs"].push_back(std::move(record));
  }
  model["logs_skipped"] = skipped;
  model["logs_omitted"] = omitted;
}

}  // namespace

nlohmann::ordered_json report_model(const std::string& dir, const std::string& baseline_dir) {
  json missing = json::array();
  json model = {{"mode", "report"}, {"dir", dir}};
  model["summary"] = read_summary(dir);
  model["status"] = nullptr;
  model["series"] = read_series(dir, missing);
  model["percentiles"] = read_percentiles(dir, missing);
  model["nodes"] = nullptr;
  read_logs(dir, model, missing);
  const json& health = model["summary"].contains("health") ? model["summary"]["health"] : json::object();
  model["logs_dropped"] = health.contains("dropped_log_records") ? health["dropped_log_records"] : json(0);
  if (const auto campaign = read_optional(dir + "/campaign.ini")) {
    model["campaign_ini"] = *campaign;
  } else {
    model["campaign_ini"] = nullptr;
    missing.push_back("campaign.ini");
  }
  model["missing"] = missing;
  model["baseline"] = nullptr;
  if (!baseline_dir.empty()) {
    json baseline_missing = json::array();
    model["baseline"] = {{"dir", baseline_dir},
                         {"summary", read_summary(baseline_dir)},
                         {"series", read_series(baseline_dir, baseline_missing)},
                         {"missing", baseline_missing}};
  }
  return model;
}

}  // namespace grid::broker
