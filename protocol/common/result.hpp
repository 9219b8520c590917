#pragma once

// Result and Error live with the wire contract (the lowest layer, which its decoders
// need); the runtime uses the same two under its own namespace.
#include "protocol/wire/result.hpp"

namespace grid::common {

using wire::Error;
using wire::Result;

}  // namespace grid::common
