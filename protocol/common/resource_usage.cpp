#include "protocol/common/resource_usage.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "protocol/common/clock.hpp"

namespace grid::common {
namespace {

int64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

uint64_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

ResourceUsage::ResourceUsage() : last_cpu_ns_(process_cpu_ns()), last_wall_ns_(steady_now_ns()) {}

ResourceUsage::Sample ResourceUsage::sample() {
  const int64_t cpu = process_cpu_ns(), wall = steady_now_ns();
  Sample s;
  if (wall > last_wall_ns_)
    s.cpu_percent = 100.0 * static_cast<double>(cpu - last_cpu_ns_) / static_cast<double>(wall - last_wall_ns_);
  last_cpu_ns_ = cpu;
  last_wall_ns_ = wall;
  s.rss_bytes = current_rss_bytes();
  return s;
}

unsigned machine_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

uint64_t machine_memory_bytes() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace grid::common
