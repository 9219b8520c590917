// libFuzzer harness for the RFC 4180 CSV reader (not part of the default build; see
// README.md). Promises checked, else abort with a reason:
//   - parse_csv never throws; every error has a message naming a line (or the empty file);
//   - a parsed table has a header and rows exactly as wide;
//   - the table written back (every field quoted) parses to the same table.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "protocol/workload/csv_table.hpp"

namespace {

using grid::workload::CsvTable;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "csv_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::string write_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : fields[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto parsed = grid::workload::parse_csv(text);
    if (!parsed.ok()) {
      const std::string& e = parsed.error();
      if (e.rfind("line ", 0) != 0 && e.rfind("empty file", 0) != 0) fail("error naming no line", e);
      return 0;
    }
    const CsvTable& t = parsed.value();
    if (t.header.empty()) fail("no header", text);
    for (const auto& row : t.rows) {
      if (row.size() != t.header.size()) fail("row of another width", text);
    }
    std::string again = write_record(t.header);
    for (const auto& row : t.rows) again += write_record(row);
    const auto reparsed = grid::workload::parse_csv(again);
    if (!reparsed.ok()) fail("written-back table does not parse", reparsed.error());
    if (!(reparsed.value() == t)) fail("written-back table parses differently", again);
  } catch (const std::exception& e) {
    fail("threw", e.what());
  }
  return 0;
}
