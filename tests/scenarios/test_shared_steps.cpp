// SPDX-License-Identifier: Apache-2.0
// The loader keeps one schedule set when every step's is the same bit for bit (scenarios/src/shared_steps.hpp), and
// never when any field of any step differs, down to the sign of a zero.
#include <gtest/gtest.h>

#include "shared_steps.hpp"

using namespace cohortgis;
using scenarios::detail::share_equal_steps;

namespace {

StepSchedules some_step() {
  StepSchedules s;
  s.mortality = {0.01, 0.02, 0.03};
  s.asfr = {0.0, 0.1, 0.0};
  s.srb = {1.05};
  s.transitions = {GroupTransition{1, 0, {0.1, 0.2}, {}}};
  s.newborn_rules = {NewbornRule{1, 0, 0.5, {}}};
  return s;
}

}  // namespace

TEST(SharedSteps, EqualStepsBecomeOneSet) {
  std::vector<StepSchedules> steps(4, some_step());
  share_equal_steps(steps);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].mortality, some_step().mortality);
}

TEST(SharedSteps, AnyDifferenceKeepsEveryStep) {
  const auto differs = [](auto&& change) {
    std::vector<StepSchedules> steps(3, some_step());
    change(steps[2]);
    share_equal_steps(steps);
    return steps.size() == 3;
  };
  EXPECT_TRUE(differs([](StepSchedules& s) { s.asfr[0] = -0.0; }));  // equal as numbers, not as bits
  EXPECT_TRUE(differs([](StepSchedules& s) { s.mortality[2] = 0.030000000000000002; }));
  EXPECT_TRUE(differs([](StepSchedules& s) { s.transitions[0].zone_multiplier = {1.0}; }));
  EXPECT_TRUE(differs([](StepSchedules& s) { s.newborn_rules[0].share = 0.25; }));
  EXPECT_TRUE(differs([](StepSchedules& s) { s.external_in = {5.0}; }));
  EXPECT_TRUE(differs([](StepSchedules& s) { s.migration_timing = MigrationTiming::end; }));
  EXPECT_TRUE(differs([](StepSchedules& s) { s.od = std::make_shared<const OdMigration>(); }));
}
