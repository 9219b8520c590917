#pragma once

#include <optional>
#include <string>

#include "broker/api_router.hpp"

namespace grid::broker {

// The dashboard's pages (docs/http-api.md "Pages", docs/adr/0019): `GET /` is
// dashboard.html, `GET /assets/NAME` an embedded asset (broker/web/) or
// `/assets/chart.min.js`, Debian's Chart.js read at request time. They are public even
// when a token is set: they hold no data (every figure comes from /api/v1/, which needs
// the token), and a browser cannot send a bearer token when it opens a page.

/// Whether `path` (without query) is one of the pages' paths: "/" or "/assets/...".
bool is_web_path(const std::string& path);

/// The answer to a request on a web path: 200 with the asset and its Content-Type, 404
/// for an unknown asset or a missing chart.js, 405 with `Allow: GET` for another method.
/// The HTML page carries a Content-Security-Policy that allows only this origin
/// (`default-src 'self'`), so the page can load nothing and send nothing elsewhere.
/// Thread-safe; never throws.
ApiResponse web_response(const std::string& method, const std::string& path);

}  // namespace grid::broker
