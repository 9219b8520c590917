#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/response_checks.hpp"
#include "agent/scenario_picker.hpp"
#include "protocol/wire/plan.hpp"
#include "protocol/workload/stage_schedule.hpp"
#include "protocol/workload/template.hpp"

namespace grid::agent {

/// One request of the plan, prepared once for every engine: its templates parsed, its
/// checks compiled.
struct CompiledRequest {
  wire::RequestSpec spec;
  workload::Template url;
  std::vector<workload::Template> headers;
  workload::Template body;
  bool literal = true;  // nothing to render: the easy handle is set up once and reused
  CompiledChecks checks;
  bool needs_body = false;
  bool needs_headers = false;
  bool native = false;  // served by NativeTransport (plain http:// HTTP/1.1), else by CurlTransport
};

/// The workload one node runs, compiled from its plan: shared read-only by the node's
/// engine threads, except the cursors over unique data rows (atomics, one per feed).
struct CompiledWorkload {
  std::vector<CompiledRequest> requests;
  std::vector<wire::Scenario> scenarios;  // never empty (scenarios_of)
  std::optional<ScenarioPicker> picker;   // set by compile()
  std::vector<uint32_t> first_request;    // per scenario: the request its first request step runs
  std::vector<wire::DataFeed> data;
  std::vector<wire::RowRange> rows;               // per feed: the unique rows this node may use
  std::deque<std::atomic<uint64_t>> unique_next;  // per feed: next unique row to take
  wire::LoadModel model = wire::LoadModel::closed;
  bool staged = false;  // the target follows `schedule` (else it is the budget)
  workload::StageSchedule schedule{{}, 0, std::chrono::milliseconds(0)};
  double grid_rate = 0;     // open model: the plan's (peak) rate for the whole grid
  uint32_t grid_users = 0;  // the plan's users for the whole grid (closed peak, open cap)
  wire::ConnectionReuse connections = wire::ConnectionReuse::per_user;
  std::string agent_id;
  double node_phase = 0;  // in [0, 1): this node's shift of its arrivals, from its id

  /// Compiles `plan` for a node holding `rows` of its unique feeds. Throws
  /// std::invalid_argument naming what cannot be compiled (the broker validated it, so
  /// this only happens with a plan from a newer or broken peer).
  static std::shared_ptr<CompiledWorkload> compile(const wire::Plan& plan, const std::vector<wire::RowRange>& rows,
                                                   std::string agent_id);
};

/// The scenarios `plan` runs: its own, or with none one that loops over the requests in
/// file order with the think time after each. Pure.
std::vector<wire::Scenario> scenarios_of(const wire::Plan& plan);

}  // namespace grid::agent
