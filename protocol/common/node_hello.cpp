#include "protocol/common/node_hello.hpp"

#include "protocol/common/node_identity.hpp"
#include "protocol/common/resource_usage.hpp"
#include "protocol/common/version.hpp"

namespace grid::common {

wire::Hello make_hello(wire::NodeKind kind, const std::string& region, uint32_t cores, uint32_t max_users) {
  wire::Hello hello;
  hello.kind = kind;
  hello.region = region;
  hello.hostname = host_name();
  hello.cores = cores;
  hello.memory_bytes = machine_memory_bytes();
  hello.max_users = max_users;
  hello.software_version = software_version();
  return hello;
}

}  // namespace grid::common
