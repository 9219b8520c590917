#include "protocol/common/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace grid::common {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot write (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) throw std::runtime_error(tmp + ": write failed (" + std::strerror(errno) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error(path + ": cannot replace (" + std::strerror(errno) + ")");
  }
}

}  // namespace grid::common
