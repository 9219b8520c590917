#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace grid::target {

// Requests served, in total and per request path, for /__stats. One instance per worker
// thread, touched only by that thread; the /__stats handler merges copies of all of them.
// Memory is bounded: at most kMaxDistinctPaths paths are kept, and paths beyond that (or
// longer than kMaxPathKeyBytes) are counted under kOtherPath.
class RequestCounters {
public:
  static constexpr std::size_t kMaxDistinctPaths = 10'000;
  static constexpr std::size_t kMaxPathKeyBytes = 1024;
  // Key for paths not kept individually. Real paths start with '/', so it never collides.
  static constexpr std::string_view kOtherPath = "(other)";
  // Key for requests rejected before routing (malformed head, oversized head, ...).
  static constexpr std::string_view kMalformedPath = "(malformed)";

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using PathMap = std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>>;

  // Counts one served request for `path`. Allocates only the first time a path is seen.
  void record(std::string_view path) { add(path, 1); }

  // Counts one accepted connection.
  void record_connection() { ++connections_; }

  // Adds every count of `other` into this one, keeping the path bound.
  void merge(const RequestCounters& other);

  void clear();

  // Requests served; equals the sum of paths().
  std::uint64_t total() const noexcept { return total_; }
  const PathMap& paths() const noexcept { return paths_; }
  // Connections accepted.
  std::uint64_t connections() const noexcept { return connections_; }

  // {"requests": N, "connections": C, "paths": {"/": n, ...}} with paths sorted, as
  // served by /__stats.
  std::string to_json() const;

private:
  void add(std::string_view path, std::uint64_t count);

  std::uint64_t total_ = 0;
  std::uint64_t connections_ = 0;
  PathMap paths_;
};

}  // namespace grid::target
