#include "cli/stop_signal.hpp"

#include <csignal>

namespace grid::cli {
namespace {

volatile StopFn g_fn = nullptr;
void* volatile g_arg = nullptr;

extern "C" void handle_stop(int) {
  if (g_fn) g_fn(g_arg);
}

}  // namespace

void install_stop_handler(StopFn fn, void* arg) {
  g_fn = nullptr;
  g_arg = arg;
  g_fn = fn;
  std::signal(SIGINT, handle_stop);
  std::signal(SIGTERM, handle_stop);
}

}  // namespace grid::cli
