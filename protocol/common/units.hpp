#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/common/result.hpp"

namespace grid::common {

/// Parses a duration such as "250ms", "30s", "5m", "2h", "1h30m" or "1.5s". A bare number
/// is seconds. Errors name the text and what was expected.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// Parses a non-negative count such as "50", "10k", "2M" (k = 1000). Errors name the text.
Result<uint64_t> parse_count(std::string_view text);

/// Formats a duration the way parse_duration reads it, e.g. "1m30s", "250ms".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace grid::common
