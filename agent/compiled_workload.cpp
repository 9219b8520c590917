#include "agent/compiled_workload.hpp"

#include <stdexcept>

#include "protocol/workload/transport_choice.hpp"

namespace grid::agent {
namespace {

workload::Template must_parse(const std::string& text, const std::string& what) {
  auto t = workload::parse_template(text);
  if (!t) throw std::invalid_argument(what + ": " + t.error());
  return std::move(t).value();
}

}  // namespace

std::vector<wire::Scenario> scenarios_of(const wire::Plan& plan) {
  if (!plan.scenarios.empty()) return plan.scenarios;
  // No scenario in the campaign: one that loops over the requests in file order, with
  // the think time after each (today's behaviour).
  wire::Scenario loop;
  loop.name = "default";
  for (uint32_t i = 0; i < plan.requests.size(); ++i) {
    loop.steps.push_back(wire::Step{wire::StepKind::request, i, wire::ThinkKind::fixed, 0, 0});
    if (plan.think_time_ms > 0) {
      loop.steps.push_back(wire::Step{wire::StepKind::think, 0, wire::ThinkKind::fixed, plan.think_time_ms, 0});
    }
  }
  return {loop};
}

std::shared_ptr<CompiledWorkload> CompiledWorkload::compile(const wire::Plan& plan,
                                                            const std::vector<wire::RowRange>& rows,
                                                            std::string agent_id) {
  auto w = std::make_shared<CompiledWorkload>();
  for (const auto& spec : plan.requests) {
    CompiledRequest r;
    r.spec = spec;
    const std::string at = "request '" + spec.name + "'";
    r.url = must_parse(spec.url, at + " url");
    for (const auto& h : spec.headers) r.headers.push_back(must_parse(h, at + " header"));
    r.body = must_parse(spec.body, at + " body");
    r.literal = r.url.is_literal() && r.body.is_literal();
    for (const auto& h : r.headers) r.literal = r.literal && h.is_literal();
    r.checks = CompiledChecks(spec.checks, spec.extracts);
    r.needs_body = spec.needs_body();
    r.needs_headers = spec.needs_headers();
    r.native = workload::served_natively(spec);
    w->requests.push_back(std::move(r));
  }
  w->scenarios = scenarios_of(plan);
  std::vector<double> weights;
  for (const auto& sc : w->scenarios) {
    weights.push_back(sc.weight);
    uint32_t first = UINT32_MAX;
    for (const auto& step : sc.steps) {
      if (step.kind == wire::StepKind::request) {
        first = step.request;
        break;
      }
    }
    if (first == UINT32_MAX) throw std::invalid_argument("scenario '" + sc.name + "' has no request step");
    w->first_request.push_back(first);
  }
  w->picker.emplace(weights);
  w->data = plan.data;
  w->rows = rows;
  w->rows.resize(plan.data.size());
  for (const auto& r : w->rows) w->unique_next.emplace_back(r.begin);
  w->model = plan.model;
  w->staged = !plan.stages.empty();
  w->grid_rate = plan.rate;
  w->grid_users = plan.users;
  const double constant = plan.model == wire::LoadModel::open ? plan.rate : static_cast<double>(plan.users);
  w->schedule = workload::StageSchedule(plan.stages, constant, std::chrono::milliseconds(plan.duration_ms));
  w->connections = plan.connections;
  w->agent_id = std::move(agent_id);
  // FNV-1a of the id: stable across runs and machines (std::hash is neither promised).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : w->agent_id) h = (h ^ c) * 1099511628211ull;
  w->node_phase = static_cast<double>(h >> 11) * 0x1.0p-53;
  return w;
}

}  // namespace grid::agent
