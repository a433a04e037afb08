// SPDX-License-Identifier: Apache-2.0
// The loader keeps one schedule set when every step's is the same bit for bit (scenarios/src/shared_steps.hpp), and
// never when any field of any step differs, down to the sign of a zero.
#include <gtest/gtest.h>

#include <cmath>

#include "shared_steps.hpp"

using namespace cohortgis;
using scenarios::detail::FoldedSteps;
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

// Fields folded as they are built (FoldedSteps): freed at once when equal to the first step's, and every step is
// whole again (the first step's values, bit for bit) when another field keeps the steps apart.
TEST(SharedSteps, FoldedFieldsAreFreedAtOnceAndSharedWhenAllEqual) {
  std::vector<StepSchedules> steps(3, some_step());
  FoldedSteps folded;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    folded.fold(steps, k, &StepSchedules::mortality);
    folded.fold(steps, k, &StepSchedules::asfr);
  }
  EXPECT_EQ(folded.folded(), 4u);  // steps 1 and 2, two fields each; never step 0
  EXPECT_TRUE(steps[1].mortality.empty());
  EXPECT_EQ(steps[1].mortality.capacity(), 0u);  // the memory is given back, not only the size
  EXPECT_EQ(steps[0].mortality, some_step().mortality);
  folded.finish(steps);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].mortality, some_step().mortality);
  EXPECT_EQ(steps[0].asfr, some_step().asfr);
}

TEST(SharedSteps, FoldedFieldsComeBackWhenAnotherFieldDiffers) {
  std::vector<StepSchedules> steps(3, some_step());
  steps[2].srb = {1.06};  // not folded, and different: every step stays
  steps[1].asfr[1] = 0.2;  // different: not folded
  FoldedSteps folded;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    folded.fold(steps, k, &StepSchedules::mortality);
    folded.fold(steps, k, &StepSchedules::asfr);
  }
  EXPECT_EQ(folded.folded(), 3u);  // mortality of steps 1 and 2, asfr of step 2
  folded.finish(steps);
  ASSERT_EQ(steps.size(), 3u);
  for (const StepSchedules& s : steps) EXPECT_EQ(s.mortality, some_step().mortality);
  EXPECT_EQ(steps[1].asfr, (std::vector<double>{0.0, 0.2, 0.0}));
  EXPECT_EQ(steps[2].asfr, some_step().asfr);
  EXPECT_EQ(steps[2].srb, std::vector<double>{1.06});
}

TEST(SharedSteps, ASignedZeroIsNotFolded) {
  std::vector<StepSchedules> steps(2, some_step());
  steps[1].asfr[0] = -0.0;
  FoldedSteps folded;
  folded.fold(steps, 1, &StepSchedules::asfr);
  EXPECT_EQ(folded.folded(), 0u);
  EXPECT_TRUE(std::signbit(steps[1].asfr[0]));
}
