#pragma once

#include <string_view>

namespace grid::target {

// "<code> <reason>" for a status code, e.g. "503 Service Unavailable", in static storage.
// Codes without a registered reason get "Unknown"; codes outside 100..599 are clamped to
// "500 Internal Server Error" (callers validate first).
std::string_view status_text(int status);

// status_text(status) followed by '\n': the short body of /status/<code> and of errors.
std::string_view status_body(int status);

}  // namespace grid::target
