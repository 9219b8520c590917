#pragma once

namespace grid::cli {

/// Makes SIGINT and SIGTERM call `fn(arg)`, and a second such signal `abort_fn(arg)` when
/// given (else `fn` again). Both run in a signal handler: they may only do
/// async-signal-safe things (the nodes' stop() stores an atomic flag). Last call wins.
using StopFn = void (*)(void*);
void install_stop_handler(StopFn fn, void* arg, StopFn abort_fn = nullptr);

}  // namespace grid::cli
