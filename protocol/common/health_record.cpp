#include "protocol/common/health_record.hpp"

#include <nlohmann/json.hpp>

namespace grid::common {

namespace {

constexpr size_t kMaxTextField = 256;

// A text field as the healthcheck prints it: present, short, no control characters (the
// line goes to a terminal or a probe's log).
std::optional<std::string> text_field(const nlohmann::json& doc, const char* name, std::string& error) {
  const auto it = doc.find(name);
  if (it == doc.end()) {
    error = std::string("field \"") + name + "\" missing";
    return std::nullopt;
  }
  if (!it->is_string()) {
    error = std::string("field \"") + name + "\" is not a string";
    return std::nullopt;
  }
  auto text = it->get<std::string>();
  if (text.empty() || text.size() > kMaxTextField) {
    error = std::string("field \"") + name + "\" is empty or longer than " + std::to_string(kMaxTextField) + " bytes";
    return std::nullopt;
  }
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      error = std::string("field \"") + name + "\" has a control character";
      return std::nullopt;
    }
  }
  return text;
}

std::optional<int64_t> integer_field(const nlohmann::json& doc, const char* name, std::string& error) {
  const auto it = doc.find(name);
  if (it == doc.end()) {
    error = std::string("field \"") + name + "\" missing";
    return std::nullopt;
  }
  if (it->is_number_unsigned()) {
    const auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) {
      error = std::string("field \"") + name + "\" is out of range";
      return std::nullopt;
    }
    return static_cast<int64_t>(v);
  }
  if (!it->is_number_integer()) {
    error = std::string("field \"") + name + "\" is not an integer";
    return std::nullopt;
  }
  return it->get<int64_t>();
}

}  // namespace

std::string encode_health_record(const HealthRecord& record) {
  nlohmann::ordered_json doc;
  doc["node"] = record.node;
  doc["role"] = record.role;
  doc["state"] = record.state;
  if (record.parent_connected) doc["parent_connected"] = *record.parent_connected;
  doc["time_unix_ms"] = record.time_unix_ms;
  doc["pid"] = record.pid;
  // replace: an id is a safe name already; never throw on odd bytes in a hot-ish path.
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<HealthRecord> decode_health_record(std::string_view content) {
  if (content.size() > kMaxHealthRecordBytes) {
    return Error{"longer than " + std::to_string(kMaxHealthRecordBytes) + " bytes"};
  }
  if (content.find_first_not_of(" \t\r\n") == std::string_view::npos) return Error{"empty"};
  const auto doc = nlohmann::json::parse(content.begin(), content.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"not JSON"};
  if (!doc.is_object()) return Error{"not a JSON object"};
  std::string error;
  HealthRecord r;
  auto node = text_field(doc, "node", error);
  if (!node) return Error{error};
  auto role = text_field(doc, "role", error);
  if (!role) return Error{error};
  auto state = text_field(doc, "state", error);
  if (!state) return Error{error};
  const auto time = integer_field(doc, "time_unix_ms", error);
  if (!time) return Error{error};
  const auto pid = integer_field(doc, "pid", error);
  if (!pid) return Error{error};
  if (*pid <= 0) return Error{"field \"pid\" is not a process id"};
  if (const auto it = doc.find("parent_connected"); it != doc.end()) {
    if (!it->is_boolean()) return Error{"field \"parent_connected\" is not true or false"};
    r.parent_connected = it->get<bool>();
  }
  r.node = std::move(*node);
  r.role = std::move(*role);
  r.state = std::move(*state);
  r.time_unix_ms = *time;
  r.pid = *pid;
  return r;
}

std::string_view health_state_name(wire::CampaignState state) { return wire::to_string(state); }

}  // namespace grid::common
