#include "protocol/common/health_verdict.hpp"

#include <fmt/format.h>

#include "protocol/common/health_record.hpp"
#include "protocol/common/units.hpp"

namespace grid::common {

HealthVerdict judge_health(const std::string& path, const std::optional<std::string>& content, WallTime now,
                           std::chrono::milliseconds max_age) {
  if (!content) return {false, fmt::format("unhealthy: {}: not found (is the node running with --health-file?)", path)};
  auto decoded = decode_health_record(*content);
  if (!decoded) return {false, fmt::format("unhealthy: {}: unparsable content ({})", path, decoded.error())};
  const HealthRecord& r = decoded.value();
  const int64_t now_ms = to_unix_us(now) / 1000;
  // Saturating: a hostile time_unix_ms (INT64_MIN) must not overflow.
  const int64_t age_ms = r.time_unix_ms < now_ms - INT64_MAX / 2 ? INT64_MAX / 2 : now_ms - r.time_unix_ms;
  std::string what = fmt::format("{} {} {}", r.role, r.node, r.state);
  if (r.parent_connected) what += *r.parent_connected ? ", parent connected" : ", parent not connected";
  const int64_t limit = max_age.count();
  if (age_ms < -limit) {
    return {false, fmt::format("unhealthy: {}: {}, written {:.1f} s in the future (the clock stepped back?)", path,
                               what, static_cast<double>(-age_ms) / 1000.0)};
  }
  const double age_s = static_cast<double>(std::max<int64_t>(age_ms, 0)) / 1000.0;
  if (age_ms > limit) {
    return {false, fmt::format("unhealthy: {}: {}, updated {:.1f} s ago, more than --max-age {}", path, what, age_s,
                               format_duration(max_age))};
  }
  return {true, fmt::format("healthy: {}, updated {:.1f} s ago", what, age_s)};
}

}  // namespace grid::common
