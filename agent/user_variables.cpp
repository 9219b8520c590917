#include "agent/user_variables.hpp"

#include <charconv>
#include <chrono>

namespace grid::agent {
namespace {

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

void UserVariables::set(std::string_view name, std::string_view value) {
  for (size_t i = 0; i < count_; ++i) {
    if (variables_[i].name == name) {
      variables_[i].value.assign(value);
      return;
    }
  }
  if (count_ == variables_.size()) variables_.emplace_back();
  Variable& v = variables_[count_++];
  v.name.assign(name);
  v.value.assign(value);
}

void UserVariables::set_row(size_t slot, const std::vector<std::string>& columns,
                            const std::vector<std::string>& cells) {
  if (slot >= rows_.size()) rows_.resize(slot + 1);
  rows_[slot] = Row{&columns, &cells};
}

void UserVariables::clear_row(size_t slot) {
  if (slot < rows_.size()) rows_[slot] = Row{};
}

void UserVariables::clear_rows() {
  for (auto& r : rows_) r = Row{};
}

std::optional<std::string_view> UserVariables::lookup(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i) {
    if (variables_[i].name == name) return std::string_view(variables_[i].value);
  }
  for (const auto& row : rows_) {
    if (row.columns == nullptr) continue;
    const auto& columns = *row.columns;
    for (size_t c = 0; c < columns.size() && c < row.cells->size(); ++c) {
      if (columns[c] == name) return std::string_view((*row.cells)[c]);
    }
  }
  return std::nullopt;
}

void UserVariables::append_uuid(std::string& out, FastRng& rng) {
  unsigned char bytes[16];
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = rng.next();
    for (int i = 0; i < 8; ++i, bits >>= 8) bytes[half * 8 + i] = static_cast<unsigned char>(bits);
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // variant 10xx (RFC 4122)
  static constexpr char kHex[] = "0123456789abcdef";
  char text[36];
  size_t at = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[at++] = '-';
    text[at++] = kHex[bytes[i] >> 4];
    text[at++] = kHex[bytes[i] & 0x0f];
  }
  out.append(text, sizeof text);
}

bool UserVariables::append_builtin(std::string_view name, std::string& out, FastRng& rng) const {
  using std::chrono::system_clock;
  switch (name.size()) {
    case 4:
      if (name == "user") {
        append_int(out, user_);
        return true;
      }
      if (name == "uuid") {
        append_uuid(out, rng);
        return true;
      }
      return false;
    case 5:
      if (name == "agent") {
        out.append(agent_);
        return true;
      }
      return false;
    case 7:
      if (name == "unix_ms") {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(system_clock::now().time_since_epoch());
        append_int(out, ms.count());
        return true;
      }
      return false;
    case 9:
      if (name == "iteration") {
        append_int(out, iteration_);
        return true;
      }
      if (name == "unix_time") {
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch());
        append_int(out, s.count());
        return true;
      }
      return false;
    default:
      return false;
  }
}

bool UserVariables::render(const workload::Template& tpl, std::string& out, FastRng& rng, std::string* missing) const {
  const size_t mark = out.size();
  for (const auto& part : tpl.parts) {
    switch (part.kind) {
      case workload::TemplatePart::Kind::literal:
        out.append(part.text);
        break;
      case workload::TemplatePart::Kind::random:
        append_int(out, rng.between(part.low, part.high));
        break;
      case workload::TemplatePart::Kind::variable:
        if (const auto value = lookup(part.text)) {
          out.append(*value);
        } else if (!append_builtin(part.text, out, rng)) {
          out.resize(mark);
          if (missing != nullptr) missing->assign(part.text);
          return false;
        }
        break;
    }
  }
  return true;
}

}  // namespace grid::agent
