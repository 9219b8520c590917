#include "protocol/workload/stage_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace grid::workload {
namespace {

constexpr double kNsPerSecond = 1e9;

double sanitize(double target) { return std::isfinite(target) && target > 0 ? target : 0.0; }

double seconds(int64_t ns) { return static_cast<double>(ns) / kNsPerSecond; }

}  // namespace

double StageSchedule::Piece::total() const { return (rate0 + rate1) / 2 * seconds(end_ns - start_ns); }

double StageSchedule::Piece::slope() const { return (rate1 - rate0) / seconds(end_ns - start_ns); }

StageSchedule::StageSchedule(std::vector<wire::Stage> stages, double constant, std::chrono::milliseconds duration)
    : stages_(std::move(stages)),
      constant_(sanitize(constant)),
      duration_(std::max(duration.count(), int64_t{0}) * 1'000'000) {
  for (auto& s : stages_) s.target = sanitize(s.target);
  peak_ = stages_.empty() ? constant_ : 0.0;
  for (const auto& s : stages_) peak_ = std::max(peak_, s.target);

  const int64_t end = duration_.count();
  double before = 0;
  auto add = [&](int64_t start, int64_t stop, double rate0, double rate1) {
    if (stop <= start) return;
    Piece p{start, stop, rate0, rate1, before};
    before += p.total();
    pieces_.push_back(p);
  };
  if (stages_.empty()) {
    add(0, end, constant_, constant_);
    return;
  }
  int64_t start = 0;
  double previous = 0;
  for (const auto& s : stages_) {
    if (start >= end) break;
    const int64_t length = static_cast<int64_t>(std::min<uint64_t>(s.duration_ms, uint64_t{1} << 40)) * 1'000'000;
    const int64_t stop = start + length;
    if (stop <= end) {
      add(start, stop, previous, s.target);
    } else {  // the campaign ends inside this stage: the piece ends at the rate it has then
      const double at_end = previous + (s.target - previous) * seconds(end - start) / seconds(length);
      add(start, end, previous, at_end);
    }
    start = stop;
    previous = s.target;
  }
  if (start < end) add(start, end, previous, previous);
}

double StageSchedule::target_at(std::chrono::nanoseconds since_start) const {
  if (stages_.empty()) return constant_;
  const int64_t t = std::max(since_start.count(), int64_t{0});
  int64_t start = 0;
  double previous = 0;
  for (const auto& s : stages_) {
    const int64_t length = static_cast<int64_t>(std::min<uint64_t>(s.duration_ms, uint64_t{1} << 40)) * 1'000'000;
    if (t < start + length) return previous + (s.target - previous) * seconds(t - start) / seconds(length);
    start += length;
    previous = s.target;
  }
  return previous;
}

double StageSchedule::peak() const { return peak_; }

double StageSchedule::arrivals_by(std::chrono::nanoseconds t) const {
  if (pieces_.empty()) return 0;
  const int64_t at = std::clamp(t.count(), int64_t{0}, duration_.count());
  // The last piece starting at or before `at`.
  auto it =
      std::upper_bound(pieces_.begin(), pieces_.end(), at, [](int64_t v, const Piece& p) { return v < p.start_ns; });
  const Piece& p = *std::prev(it);
  if (at >= p.end_ns) return p.before + p.total();
  const double tau = seconds(at - p.start_ns);
  return p.before + p.rate0 * tau + p.slope() / 2 * tau * tau;
}

std::optional<std::chrono::nanoseconds> StageSchedule::time_of_arrival(double k) const {
  if (std::isnan(k)) return std::nullopt;
  k = std::max(k, 0.0);
  // The first piece whose arrivals reach k, then past any pieces of zero rate.
  auto it = std::lower_bound(pieces_.begin(), pieces_.end(), k,
                             [](const Piece& p, double v) { return p.before + p.total() < v; });
  while (it != pieces_.end() && !(it->total() > 0)) ++it;
  if (it == pieces_.end()) return std::nullopt;
  const Piece& p = *it;
  const double delta = std::min(std::max(k - p.before, 0.0), p.total());
  double tau = 0;  // seconds into the piece
  if (delta > 0) {
    const double slope = p.slope();
    if (slope == 0) {
      tau = delta / p.rate0;
    } else {
      // rate0 * tau + slope / 2 * tau^2 = delta, in the form that does not cancel:
      // tau = 2 delta / (rate0 + sqrt(rate0^2 + 2 slope delta)).
      const double disc = std::max(p.rate0 * p.rate0 + 2 * slope * delta, 0.0);
      tau = 2 * delta / (p.rate0 + std::sqrt(disc));
    }
  }
  const double length = seconds(p.end_ns - p.start_ns);
  const int64_t at = p.start_ns + std::llround(std::min(tau, length) * kNsPerSecond);
  if (at >= duration_.count()) return std::nullopt;
  return std::chrono::nanoseconds(at);
}

uint64_t StageSchedule::next_arrival_index(double share, double phase, std::chrono::nanoseconds now) const {
  if (!(share > 0)) return std::numeric_limits<uint64_t>::max();
  const double n = std::ceil(arrivals_by(now) * share - phase);
  if (!(n > 0)) return 0;
  if (n >= 1.8e19) return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(n);
}

double StageSchedule::total_arrivals() const { return arrivals_by(duration_); }

}  // namespace grid::workload
