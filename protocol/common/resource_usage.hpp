#pragma once

#include <cstdint>

namespace grid::common {

/// This process's CPU use and memory, sampled between calls (for heartbeats).
class ResourceUsage {
public:
  /// CPU used since the previous call (or construction) as a percentage of one core
  /// (200 = two cores busy); RSS in bytes now.
  struct Sample {
    double cpu_percent = 0;
    uint64_t rss_bytes = 0;
  };
  ResourceUsage();
  Sample sample();

private:
  int64_t last_cpu_ns_ = 0;
  int64_t last_wall_ns_ = 0;
};

/// Number of cores and bytes of memory of this machine.
unsigned machine_cores();
uint64_t machine_memory_bytes();

}  // namespace grid::common
