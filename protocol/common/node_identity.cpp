#include "protocol/common/node_identity.hpp"

#include <unistd.h>

namespace grid::common {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string default_node_id(const std::string& kind, unsigned n) {
  std::string id = kind + "-" + host_name() + "-" + std::to_string(getpid());
  if (n > 0) id += "-" + std::to_string(n);
  return id;
}

}  // namespace grid::common
