#pragma once

#include <string>
#include <string_view>

namespace grid::common {

/// The alphabet of names that may become part of a path or a file name: campaign names
/// (the default results directory is results/NAME-TIME), node ids and region names.
/// 1 to 128 characters from [A-Za-z0-9._-], starting with a letter or a digit: so never
/// "", ".", "..", a path separator or an option-like "-x". Pure.
bool is_safe_name(std::string_view name);

/// Why `name` is not safe, for an error message naming `what` ("--id", "[campaign] name"),
/// e.g. "'../x' is not a safe name (expected 1 to 128 of letters, digits, '.', '_', '-',
/// starting with a letter or digit)". Empty when it is safe. Pure.
std::string safe_name_problem(std::string_view name);

}  // namespace grid::common
