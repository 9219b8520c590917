#include "cli/stop_signal.hpp"

#include <csignal>

namespace grid::cli {
namespace {

volatile StopFn g_fn = nullptr;
volatile StopFn g_abort_fn = nullptr;
void* volatile g_arg = nullptr;
volatile std::sig_atomic_t g_signals = 0;

extern "C" void handle_stop(int) {
  g_signals = g_signals + 1;
  if (g_signals >= 2 && g_abort_fn) {
    g_abort_fn(g_arg);
  } else if (g_fn) {
    g_fn(g_arg);
  }
}

}  // namespace

void install_stop_handler(StopFn fn, void* arg, StopFn abort_fn) {
  g_fn = nullptr;
  g_abort_fn = nullptr;
  g_arg = arg;
  g_signals = 0;
  g_fn = fn;
  g_abort_fn = abort_fn;
  std::signal(SIGINT, handle_stop);
  std::signal(SIGTERM, handle_stop);
}

}  // namespace grid::cli
