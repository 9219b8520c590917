#include <algorithm>
#include <map>
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/row_ledger.hpp"

using grid::common::RowLedger;
using grid::wire::ChildBudget;
using grid::wire::RowRange;

namespace {

std::vector<ChildBudget> budgets(std::initializer_list<std::pair<const char*, uint32_t>> children) {
  std::vector<ChildBudget> out;
  for (const auto& [id, users] : children) out.push_back(ChildBudget{id, users, 0, {}});
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(row_ledger)

BOOST_AUTO_TEST_CASE(first_assignment_splits_the_pool_by_users) {
  RowLedger ledger;
  ledger.set_pool({RowRange{0, 100}, RowRange{}});
  auto b = budgets({{"a", 3}, {"b", 1}});
  ledger.assign(b);
  BOOST_TEST((b[0].rows[0] == RowRange{0, 75}));
  BOOST_TEST((b[1].rows[0] == RowRange{75, 100}));
  BOOST_TEST(b[0].rows[1].size() == 0u);  // not a unique feed
}

BOOST_AUTO_TEST_CASE(ranges_stay_with_their_child_when_users_move) {
  RowLedger ledger;
  ledger.set_pool({RowRange{0, 10}});
  auto b = budgets({{"a", 5}, {"b", 5}});
  ledger.assign(b);
  auto later = budgets({{"b", 9}, {"a", 1}});
  ledger.assign(later);
  BOOST_TEST((later[0].rows[0] == RowRange{5, 10}));
  BOOST_TEST((later[1].rows[0] == RowRange{0, 5}));
}

BOOST_AUTO_TEST_CASE(rows_of_a_lost_child_are_never_given_again) {
  RowLedger ledger;
  ledger.set_pool({RowRange{0, 10}});
  auto b = budgets({{"a", 5}, {"b", 5}});
  ledger.assign(b);
  auto after_loss = budgets({{"b", 10}, {"c", 1}});  // a lost, c joined
  ledger.assign(after_loss);
  BOOST_TEST((after_loss[0].rows[0] == RowRange{5, 10}));
  BOOST_TEST(after_loss[1].rows[0].size() == 0u);  // nothing left: a's rows stay unused
}

BOOST_AUTO_TEST_CASE(no_row_is_given_twice_over_any_sequence) {
  // Property: over random membership changes, the ranges ever handed out are disjoint.
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    RowLedger ledger;
    ledger.set_pool({RowRange{0, 1000}});
    std::map<std::string, RowRange> seen;
    for (int step = 0; step < 10; ++step) {
      std::vector<ChildBudget> b;
      for (int c = 0; c < 6; ++c) {
        if (rng() % 2) b.push_back(ChildBudget{"c" + std::to_string(c), static_cast<uint32_t>(rng() % 4), 0, {}});
      }
      ledger.assign(b);
      for (const auto& x : b) {
        if (x.rows.empty() || x.rows[0].size() == 0) continue;
        const auto [it, inserted] = seen.try_emplace(x.child_id, x.rows[0]);
        BOOST_TEST((it->second == x.rows[0]));  // a child's range never changes
      }
    }
    std::vector<RowRange> all;
    for (const auto& [id, r] : seen) all.push_back(r);
    std::sort(all.begin(), all.end(), [](auto& x, auto& y) { return x.begin < y.begin; });
    for (size_t i = 1; i < all.size(); ++i) BOOST_TEST(all[i - 1].end <= all[i].begin);
  }
}

BOOST_AUTO_TEST_CASE(a_pool_without_unique_rows_leaves_budgets_alone) {
  RowLedger ledger;
  ledger.set_pool({RowRange{}});
  auto b = budgets({{"a", 5}});
  ledger.assign(b);
  BOOST_TEST(b[0].rows.empty());
}

BOOST_AUTO_TEST_SUITE_END()
