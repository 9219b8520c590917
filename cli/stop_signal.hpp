#pragma once

namespace grid::cli {

/// Makes SIGINT and SIGTERM call `fn(arg)`. `fn` runs in a signal handler: it may only
/// do async-signal-safe things (the nodes' stop() stores an atomic flag). Last call wins.
using StopFn = void (*)(void*);
void install_stop_handler(StopFn fn, void* arg);

}  // namespace grid::cli
