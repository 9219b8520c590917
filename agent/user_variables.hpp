#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/fast_rng.hpp"
#include "protocol/wire/workload.hpp"
#include "protocol/workload/template.hpp"

namespace grid::agent {

/// One virtual user's variables, and the renderer that substitutes them into templates
/// (URL, headers, body). A name resolves in this order:
///   1. variables extracted from earlier responses (set());
///   2. the columns of the data rows the current iteration took (set_row(), in slot order);
///   3. built-ins: user (its number), iteration, agent (the agent's id), uuid (a random
///      version-4 UUID, lowercase), unix_time (seconds) and unix_ms (milliseconds) of the
///      wall clock at render time.
/// `${random(LO,HI)}` is a uniform integer in [LO, HI] (any int64 range).
///
/// Cheap by design: values are appended to a caller's buffer with no allocation of their
/// own (numbers and UUIDs are formatted on the stack), extracted variables reuse their
/// strings across set() and clear_extracted(), and data rows are referenced, not copied:
/// the feed a row points into must outlive its use (the plan that holds it). Not
/// thread-safe; each user belongs to one engine thread.
class UserVariables {
public:
  UserVariables() = default;
  UserVariables(uint64_t user, std::string agent) : user_(user), agent_(std::move(agent)) {}

  void set_user(uint64_t user) { user_ = user; }
  void set_iteration(uint64_t iteration) { iteration_ = iteration; }
  void set_agent(std::string_view agent) { agent_.assign(agent); }
  uint64_t user() const { return user_; }
  uint64_t iteration() const { return iteration_; }
  const std::string& agent() const { return agent_; }

  /// Sets (or replaces) an extracted variable.
  void set(std::string_view name, std::string_view value);
  /// Forgets every extracted variable (their buffers are kept for reuse).
  void clear_extracted() { count_ = 0; }

  /// The current row of data feed `slot` (e.g. its index in Plan::data): cell i is the
  /// value of column i. Both vectors are referenced and must outlive the row's use.
  void set_row(size_t slot, const std::vector<std::string>& columns, const std::vector<std::string>& cells);
  /// Row `row` of `feed` (throws std::out_of_range when there is no such row).
  void set_row(size_t slot, const wire::DataFeed& feed, size_t row) { set_row(slot, feed.columns, feed.rows.at(row)); }
  void clear_row(size_t slot);
  void clear_rows();

  /// The value of an extracted variable or data column (not a built-in), if set.
  std::optional<std::string_view> lookup(std::string_view name) const;

  /// Appends `tpl` rendered to `out`. Returns false when a variable is set nowhere (nor
  /// a built-in): `out` is then left as it was and `*missing` (when not null) names the
  /// first such variable. Allocates only when `out` must grow (reuse it) or on failure.
  bool render(const workload::Template& tpl, std::string& out, FastRng& rng, std::string* missing) const;

  /// Appends a random version-4 UUID (36 characters, lowercase hex).
  static void append_uuid(std::string& out, FastRng& rng);

private:
  struct Variable {
    std::string name;
    std::string value;
  };
  struct Row {
    const std::vector<std::string>* columns = nullptr;  // nullptr: no row in this slot
    const std::vector<std::string>* cells = nullptr;
  };

  // Appends a built-in; false when `name` is none.
  bool append_builtin(std::string_view name, std::string& out, FastRng& rng) const;

  uint64_t user_ = 0;
  uint64_t iteration_ = 0;
  std::string agent_;
  std::vector<Variable> variables_;  // the first count_ are set; the rest are spare buffers
  size_t count_ = 0;
  std::vector<Row> rows_;
};

}  // namespace grid::agent
