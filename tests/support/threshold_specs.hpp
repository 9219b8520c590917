#pragma once

// Builds ThresholdSpec values the way the campaign parser fills them from `[thresholds]`
// (`p99 = < 500ms` is key "p99", op "<", value 500, condition "< 500ms"), so that the
// evaluation, the outputs and the broker can be tested without an INI file.

#include <string>

#include "broker/threshold_spec.hpp"

namespace grid::test {

/// `key` as written ("p99", "request.checkout.p95", "request.a.p99.9"): a "request.NAME."
/// prefix names the request (NAME without dots here); the rest is the metric.
inline broker::ThresholdSpec threshold(const std::string& key, const std::string& op, double value,
                                       const std::string& written_value) {
  broker::ThresholdSpec s;
  s.key = key;
  s.metric = key;
  if (key.rfind("request.", 0) == 0) {
    const auto dot = key.find('.', 8);
    s.request = key.substr(8, dot - 8);
    s.metric = key.substr(dot + 1);
  }
  s.op = op;
  s.value = value;
  s.condition = op + " " + written_value;
  return s;
}

}  // namespace grid::test
