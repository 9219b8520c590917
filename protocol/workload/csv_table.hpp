#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire/result.hpp"

namespace grid::workload {

/// A CSV file as read: the header row and the data rows, each as wide as the header.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  bool operator==(const CsvTable&) const = default;
};

/// Parses RFC 4180 CSV text. Pure, never throws.
///   - The first record is the header and is required; there may be no data rows.
///   - Fields are separated by ','; records end with CRLF or LF; the last record's line
///     end is optional. A CR not followed by LF is field text.
///   - A field that starts with '"' is quoted: it may hold ',', CR and LF, and '""' stands
///     for one '"'; after its closing quote only ',' or the line end may follow. A '"'
///     inside an unquoted field is an error.
///   - Every record has as many fields as the header. An empty line is a record with one
///     empty field (so it is an error unless the header has one column).
///   - A UTF-8 byte order mark at the very start is skipped.
/// Errors name the line (1-based, as an editor counts them) and what was expected.
wire::Result<CsvTable> parse_csv(std::string_view text);

}  // namespace grid::workload
