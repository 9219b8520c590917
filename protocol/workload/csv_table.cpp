#include "protocol/workload/csv_table.hpp"

namespace grid::workload {
namespace {

wire::Error at_line(size_t line, const std::string& what) {
  return wire::Error{"line " + std::to_string(line) + ": " + what};
}

}  // namespace

wire::Result<CsvTable> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (text.empty()) return wire::Error{"empty file (expected a header row, e.g. user,password)"};

  const size_t n = text.size();
  // True at a record's end: LF, or CR followed by LF.
  const auto line_end = [&](size_t i) {
    return text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n');
  };

  CsvTable table;
  std::vector<std::string> record;
  size_t line = 1;         // the physical line at position i
  size_t record_line = 1;  // the line the current record started on
  size_t i = 0;
  bool have_header = false;
  while (true) {
    std::string field;
    if (i < n && text[i] == '"') {
      const size_t quote_line = line;
      ++i;
      while (true) {
        if (i >= n) return at_line(quote_line, "a quoted field is never closed (expected a closing '\"')");
        const char c = text[i];
        if (c == '"') {
          if (i + 1 < n && text[i + 1] == '"') {  // "" stands for one quote
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c == '\n') ++line;
        field += c;
        ++i;
      }
      if (i < n && text[i] != ',' && !line_end(i)) {
        return at_line(line,
                       "text after a closing quote (expected ',' or the line end; inside quotes write \"\" for a "
                       "quote)");
      }
    } else {
      while (i < n && text[i] != ',' && !line_end(i)) {
        if (text[i] == '"') {
          return at_line(line,
                         "a '\"' inside an unquoted field (expected the whole field in quotes, with \"\" for each "
                         "quote)");
        }
        field += text[i];
        ++i;
      }
    }
    record.push_back(std::move(field));
    if (i < n && text[i] == ',') {
      ++i;
      continue;
    }
    // The record ends here: at a line end or at the end of the text.
    if (!have_header) {
      table.header = std::move(record);
      have_header = true;
    } else if (record.size() != table.header.size()) {
      return at_line(record_line, std::to_string(record.size()) + (record.size() == 1 ? " field" : " fields") +
                                      " but the header has " + std::to_string(table.header.size()) +
                                      " (expected every row as wide as the header)");
    } else {
      table.rows.push_back(std::move(record));
    }
    record.clear();
    if (i >= n) break;
    i += text[i] == '\r' ? 2 : 1;
    ++line;
    record_line = line;
    if (i >= n) break;  // a final line end ends the last record; it does not start another
  }
  return table;
}

}  // namespace grid::workload
