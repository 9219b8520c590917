#include "target/request_counters.hpp"

#include <map>

#include <nlohmann/json.hpp>

namespace grid::target {

void RequestCounters::add(std::string_view path, std::uint64_t count) {
  total_ += count;
  if (auto it = paths_.find(path); it != paths_.end()) {
    it->second += count;
    return;
  }
  const bool keep = path.size() <= kMaxPathKeyBytes && paths_.size() < kMaxDistinctPaths;
  paths_[std::string(keep ? path : kOtherPath)] += count;
}

void RequestCounters::merge(const RequestCounters& other) {
  connections_ += other.connections_;
  for (const auto& [path, count] : other.paths_) {
    add(path, count);
  }
}

void RequestCounters::clear() {
  total_ = 0;
  connections_ = 0;
  paths_.clear();
}

std::string RequestCounters::to_json() const {
  // ordered_json keeps "requests" first; std::map sorts the paths for stable output.
  const std::map<std::string_view, std::uint64_t> sorted(paths_.begin(), paths_.end());
  nlohmann::ordered_json paths = nlohmann::ordered_json::object();
  for (const auto& [path, count] : sorted) {
    paths[std::string(path)] = count;
  }
  nlohmann::ordered_json json;
  json["requests"] = total_;
  json["connections"] = connections_;
  json["paths"] = std::move(paths);
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace grid::target
