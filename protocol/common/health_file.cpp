#include "protocol/common/health_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "protocol/common/atomic_file.hpp"

namespace grid::common {

HealthFile::HealthFile(std::string path, Logger log, SteadyTime now)
    : path_(std::move(path)), log_(std::move(log)), tick_(kEvery, now) {}

HealthFile::~HealthFile() { remove(); }

void HealthFile::write(const HealthRecord& record) {
  if (path_.empty()) return;
  try {
    write_file_atomically(path_, encode_health_record(record));
  } catch (const std::exception& e) {
    ++failed_;
    if (!failing_) {
      log_->warn("health file: {}; the node goes on without it (failed writes are counted)", e.what());
      failing_ = true;
    }
    return;
  }
  ++writes_;
  written_ = true;
  if (failing_) {
    log_->info("health file {} is written again", path_);
    failing_ = false;
  }
}

void HealthFile::remove() {
  if (path_.empty() || !written_) return;
  written_ = false;
  if (std::remove(path_.c_str()) != 0 && errno != ENOENT) {
    log_->warn("health file {}: cannot remove ({})", path_, std::strerror(errno));
  }
}

HealthRecord make_health_record(std::string node, std::string role, std::string_view state,
                                std::optional<bool> parent_connected, WallTime now) {
  HealthRecord r;
  r.node = std::move(node);
  r.role = std::move(role);
  r.state = std::string(state);
  r.parent_connected = parent_connected;
  r.time_unix_ms = to_unix_us(now) / 1000;
  r.pid = ::getpid();
  return r;
}

std::string default_health_file() {
  const char* env = std::getenv("LOADGRID_HEALTH_FILE");
  return env ? env : "";
}

}  // namespace grid::common
