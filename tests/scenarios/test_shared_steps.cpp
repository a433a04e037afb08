// SPDX-License-Identifier: Apache-2.0
// The loader keeps one schedule set when every step's is the same bit for bit (scenarios/src/shared_steps.hpp), and
// never when any field of any step differs, down to the sign of a zero.
#include <gtest/gtest.h>

#include <cmath>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "shared_steps.hpp"

using namespace cohortgis;
using scenarios::detail::AppendedLikeFirst;
using scenarios::detail::FoldedSteps;
using scenarios::detail::share_equal_steps;
using scenarios::detail::ZoneBlocksOnce;

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

// A later step's values compared with the first step's as they are appended (AppendedLikeFirst): nothing is written
// while they are the first step's (the loader's death rates of every zone, 15.2 MB a step at 50,000 zones, were its
// peak); from the first that differs, bit for bit, the same values as appending every one.
TEST(SharedSteps, AppendedLikeFirstWritesNothingWhileEqual) {
  std::vector<StepSchedules> steps(2, some_step());
  steps[0].mortality = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06};
  steps[1].mortality.clear();
  steps[1].mortality.reserve(6);
  AppendedLikeFirst rows(steps[0].mortality, steps[1].mortality, true);
  const double a[] = {0.01, 0.02, 0.03}, b[] = {0.04, 0.05, 0.06};
  rows.append(a, 3);
  rows.append(b, 3);
  EXPECT_TRUE(rows.finish());
  EXPECT_TRUE(steps[1].mortality.empty());  // nothing written
  FoldedSteps folded;
  folded.fold_equal(steps, 1, &StepSchedules::mortality);
  EXPECT_EQ(folded.folded(), 1u);
  EXPECT_EQ(steps[1].mortality.capacity(), 0u);  // what it reserved is given back
  folded.finish(steps);
  ASSERT_EQ(steps.size(), 1u);  // the other fields are equal too: one set
  EXPECT_EQ(steps[0].mortality, (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.05, 0.06}));
}

TEST(SharedSteps, AppendedLikeFirstWritesEveryValueFromTheFirstThatDiffers) {
  const std::vector<double> first = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06};
  const auto appended = [&](std::vector<std::vector<double>> parts, bool compare, bool& equal) {
    std::vector<double> out;
    AppendedLikeFirst rows(first, out, compare);
    for (const auto& p : parts) rows.append(p.data(), p.size());
    equal = rows.finish();
    return out;
  };
  bool equal = true;
  // The second part differs: the first step's first part copied, then every value as given.
  EXPECT_EQ(appended({{0.01, 0.02}, {0.03, 0.5}, {0.05, 0.06}}, true, equal),
            (std::vector<double>{0.01, 0.02, 0.03, 0.5, 0.05, 0.06}));
  EXPECT_FALSE(equal);
  // A signed zero differs from +0 (as FoldedSteps::fold compares, bit for bit): written out, the −0 kept.
  {
    const std::vector<double> zero_first = {0.01, 0.0, 0.03};
    std::vector<double> out;
    AppendedLikeFirst rows(zero_first, out, true);
    const double v[] = {0.01, -0.0, 0.03};
    rows.append(v, 3);
    EXPECT_FALSE(rows.finish());
    ASSERT_EQ(out.size(), 3u);
    EXPECT_TRUE(std::signbit(out[1]));
  }
  // Fewer values than the first step's: not equal, and written out.
  EXPECT_EQ(appended({{0.01, 0.02}}, true, equal), (std::vector<double>{0.01, 0.02}));
  EXPECT_FALSE(equal);
  // The first step itself (compare false): every value appended.
  EXPECT_EQ(appended({{0.01, 0.02, 0.03}, {0.04, 0.05, 0.06}}, false, equal), first);
  EXPECT_FALSE(equal);
}

// Every zone's values held once while each zone's are zone 0's bit for bit (ZoneBlocksOnce: a national table at 50,000
// zones was written out for every zone, 22.8 MB, the loader's peak); from the first value that differs, every value,
// the same as appending them all.
TEST(SharedSteps, ZoneBlocksOnceHoldsOneZoneWhileEveryZoneIsZoneZeros) {
  const std::vector<double> none;
  const auto appended = [&](const std::vector<std::vector<double>>& parts, std::size_t per_zone, int zones, bool once) {
    std::vector<double> out;
    AppendedLikeFirst to(none, out, false);
    ZoneBlocksOnce rows(to, per_zone, zones, once);
    for (const auto& p : parts) rows.append(p.data(), p.size());
    rows.finish();
    return out;
  };
  const std::vector<double> zone0 = {0.01, 0.02, 0.03, 0.04};  // two rows of two values a zone
  // Three zones of zone 0's values: one zone's, in one part a row or in parts across zones.
  EXPECT_EQ(appended({{0.01, 0.02}, {0.03, 0.04}, {0.01, 0.02}, {0.03, 0.04}, {0.01, 0.02}, {0.03, 0.04}}, 4, 3, true),
            zone0);
  EXPECT_EQ(appended({{0.01, 0.02, 0.03}, {0.04, 0.01, 0.02, 0.03, 0.04}, {0.01, 0.02, 0.03, 0.04}}, 4, 3, true),
            zone0);
  // Zone 2's second row differs: zones 0 and 1 written out, then every value as given.
  EXPECT_EQ(appended({{0.01, 0.02}, {0.03, 0.04}, {0.01, 0.02}, {0.03, 0.04}, {0.01, 0.02}, {0.03, 0.5}}, 4, 3, true),
            (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.01, 0.02, 0.03, 0.04, 0.01, 0.02, 0.03, 0.5}));
  // A difference in the middle of a part: the part's values before it handed on too.
  EXPECT_EQ(appended({{0.01, 0.02, 0.03, 0.04, 0.01, 0.7}, {0.03, 0.04}}, 4, 2, true),
            (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.01, 0.7, 0.03, 0.04}));
  // A signed zero differs from +0 (bits, as share_zone_schedules compares): every value, the −0 kept.
  {
    const std::vector<double> v = appended({{0.0, 0.02}, {-0.0, 0.02}}, 2, 2, true);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_TRUE(std::signbit(v[2]));
    EXPECT_FALSE(std::signbit(v[0]));
  }
  // Fewer zones' values than zones: every value as given (not a form the engine would read as one zone's).
  EXPECT_EQ(appended({{0.01, 0.02, 0.03, 0.04}, {0.01, 0.02, 0.03, 0.04}}, 4, 3, true),
            (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.01, 0.02, 0.03, 0.04}));
  EXPECT_EQ(appended({{0.01, 0.02}}, 4, 3, true), (std::vector<double>{0.01, 0.02}));
  // Not asked, or one zone: every value.
  EXPECT_EQ(appended({zone0, zone0}, 4, 2, false),
            (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.01, 0.02, 0.03, 0.04}));
  EXPECT_EQ(appended({zone0}, 4, 1, true), zone0);
  // Into a later step's AppendedLikeFirst: held once and equal to the first step's (itself held once), so nothing is
  // written; a zone that differs writes out every zone's, not the first step's.
  {
    std::vector<double> out;
    AppendedLikeFirst like_first(zone0, out, true);
    ZoneBlocksOnce rows(like_first, 4, 2, true);
    rows.append(zone0.data(), 4);
    rows.append(zone0.data(), 4);
    rows.finish();
    EXPECT_TRUE(like_first.finish());
    EXPECT_TRUE(out.empty());
  }
  {
    std::vector<double> out;
    AppendedLikeFirst like_first(zone0, out, true);
    ZoneBlocksOnce rows(like_first, 4, 2, true);
    const double other[] = {0.01, 0.02, 0.03, 0.4};
    rows.append(zone0.data(), 4);
    rows.append(other, 4);
    rows.finish();
    EXPECT_FALSE(like_first.finish());
    EXPECT_EQ(out, (std::vector<double>{0.01, 0.02, 0.03, 0.04, 0.01, 0.02, 0.03, 0.4}));
  }
}

// Scenario::schedule_provider keeps the mortality rows already in the engine's buffer when a step's rows equal the
// last step's, and says so (mortality_unchanged), so the engine reuses its life tables; every other field is copied.
// Rows the engine overwrote with survival ratios (mortality_in_place: mortality_kind changed) are copied again.
TEST(SharedSteps, ProviderKeepsUnchangedMortalityRowsAndSaysSo) {
  scenarios::Scenario sc;
  sc.steps = 5;
  sc.schedules.assign(5, some_step());
  for (std::size_t k = 0; k < 5; ++k) sc.schedules[k].asfr[1] = 0.1 + 0.01 * static_cast<double>(k);
  for (std::size_t k = 2; k < 5; ++k) sc.schedules[k].mortality[0] = 0.011;  // a new period from step 2
  const CohortArray* start = &sc.base_population;
  const ScheduleProvider provider = sc.schedule_provider(&start);
  StepSchedules out;
  std::vector<bool> hints;
  for (int k = 0; k < 5; ++k) {
    const double* rows = out.mortality.data();
    if (k == 3) {  // as the engine does in place: survival ratios over the mx rows
      out.mortality_kind = MortalityInput::survival_ratios;
      out.mortality[0] = 0.99;
      rows = out.mortality.data();
    }
    provider(StepContext{k, 2020 + k, 2021 + k}, out);
    hints.push_back(out.mortality_unchanged);
    EXPECT_EQ(out.mortality_kind, MortalityInput::death_rates) << k;
    EXPECT_EQ(out.mortality, sc.schedules[uz(k)].mortality) << k;
    EXPECT_EQ(out.asfr, sc.schedules[uz(k)].asfr) << k;
    EXPECT_EQ(out.srb, sc.schedules[uz(k)].srb) << k;
    if (out.mortality_unchanged) {
      EXPECT_EQ(out.mortality.data(), rows) << k;  // kept, not copied
    }
    out.mortality_unchanged = false;                                          // as the engine clears it
  }
  EXPECT_EQ(hints, (std::vector<bool>{false, true, false, false, true}));

  // The same provider for another run (as the fertility fit runs it several times): a fresh buffer gets every row.
  StepSchedules fresh;
  provider(StepContext{0, 2020, 2021}, fresh);
  EXPECT_FALSE(fresh.mortality_unchanged);
  EXPECT_EQ(fresh.mortality, sc.schedules[0].mortality);
  fresh.mortality_unchanged = false;
  provider(StepContext{1, 2021, 2022}, fresh);
  EXPECT_TRUE(fresh.mortality_unchanged);
  EXPECT_EQ(fresh.mortality, sc.schedules[1].mortality);

  // One entry for every step: unchanged from step 1 on.
  sc.schedules.resize(1);
  const ScheduleProvider shared = sc.schedule_provider(&start);
  StepSchedules one;
  hints.clear();
  for (int k = 0; k < 3; ++k) {
    shared(StepContext{k, 2020 + k, 2021 + k}, one);
    hints.push_back(one.mortality_unchanged);
    EXPECT_EQ(one.mortality, sc.schedules[0].mortality);
  }
  EXPECT_EQ(hints, (std::vector<bool>{false, true, true}));
}
