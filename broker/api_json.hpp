#pragma once

#include <nlohmann/json.hpp>

#include "broker/api_snapshot.hpp"

namespace grid::broker {

// The documents of the broker's JSON API (docs/http-api.md), built from one snapshot. Pure.

/// A time series as JSON points (oldest first); `with_users` adds active_users.
nlohmann::ordered_json series_json(const SeriesLog& log, bool with_users);
/// GET /api/v1/status: campaign, state, elapsed, users, agents live/lost, version.
nlohmann::ordered_json api_status_json(const ApiSnapshot& snapshot);
/// GET /api/v1/stats: `total` and `requests` exactly as summary.json has them (same
/// builder, same elapsed), plus `series` (one point per window, oldest first) and
/// `series_by_request` / `series_by_region` (name -> points).
nlohmann::ordered_json api_stats_json(const ApiSnapshot& snapshot);
/// GET /api/v1/nodes: the broker's children as a tree (relays with their agents).
nlohmann::ordered_json api_nodes_json(const ApiSnapshot& snapshot);
/// GET /api/v1/warnings: the warnings so far (first 1000) and how many were suppressed.
nlohmann::ordered_json api_warnings_json(const ApiSnapshot& snapshot);
/// GET /api/v1/logs: the central log's records with a seq above `since` (the newest
/// RecentLogs::kKeep at most, oldest first), `dropped` (rate limits, grid-wide) and
/// `total` (records the broker took: the newest seq).
nlohmann::ordered_json api_logs_json(const ApiSnapshot& snapshot, uint64_t since);

}  // namespace grid::broker
