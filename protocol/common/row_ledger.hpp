#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/wire/plan.hpp"

namespace grid::common {

/// Which rows of each `unique` data feed a parent has handed to which child. A range,
/// once given, stays that child's for the whole campaign, and is never given to another
/// child, not even when its holder is lost (it may have used some rows): so no row is
/// ever used twice across the grid. The rows a lost child held are not used at all.
///
/// The first assignment splits the whole pool among the children that have users, in
/// proportion to their users; a child that joins later gets what is left, which is
/// nothing once the pool was split. That is the price of never-twice without a round
/// trip per row (docs/adr/0011).
class RowLedger {
public:
  /// Sets the rows this parent may hand out, per data feed (empty ranges for feeds that
  /// are not unique). A pool different from the current one starts afresh.
  void set_pool(const std::vector<wire::RowRange>& pool);

  /// Fills `rows` of every budget: children seen before keep their ranges; new children
  /// with users share what is left, in proportion to their users. Does nothing when the
  /// pool holds no rows.
  void assign(std::vector<wire::ChildBudget>& budgets);

  const std::vector<wire::RowRange>& pool() const { return pool_; }

private:
  std::vector<wire::RowRange> pool_;
  std::vector<uint64_t> next_;  // per feed: first row not yet handed out
  std::map<std::string, std::vector<wire::RowRange>> given_;
};

}  // namespace grid::common
