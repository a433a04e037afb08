// SPDX-License-Identifier: Apache-2.0
// The per-zone lists of a run (conserve's scale factors and scaled flows, wpp's overrides: RunWorkspace) are emptied
// and gathered only after a step that added to them (RunWorkspace::zone_lists_used). A step of a run must report what
// the same step reports as the first step of a fresh run from its start population: nothing left from earlier steps.
// So too the per-state arrays a step writes in full, which are sized but not filled before it.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::RecordingSink;

namespace {

std::vector<double> bits(const CohortArray& a) { return {a.data().begin(), a.data().end()}; }

void expect_same_cells(const std::vector<AdjustedCell>& a, const std::vector<AdjustedCell>& b, int step) {
  ASSERT_EQ(a.size(), b.size()) << "step " << step;
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].zone, b[k].zone) << "step " << step;
    EXPECT_EQ(a[k].group, b[k].group) << "step " << step;
    EXPECT_EQ(a[k].sex, b[k].sex) << "step " << step;
    EXPECT_EQ(a[k].age, b[k].age) << "step " << step;
    EXPECT_EQ(a[k].persons, b[k].persons) << "step " << step;
  }
}

}  // namespace

// Steps that scale out-flows (conserve: external out-flows above a cell's persons) in different zones, with a step
// that scales none between them: each step's scaled flows and end population are those of a one-step run from its
// start. Fails where the lists are not emptied after a step that scaled (the next scaling step reports the old flows
// too), or not gathered after one (no scaled flows at all).
TEST(ProjectionZoneLists, EachStepReportsOnlyItsOwnScaledFlows) {
  const AgeGrid grid = AgeGrid::single_year(2);
  const CohortLayout layout{3, 1, grid};
  CohortArray base(layout);
  for (int z = 0; z < 3; ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < 3; ++i) base.at(z, 0, s, i) = 50.0 + 10.0 * i + z;
  // Per step, the zones whose every cell loses 1,000 persons abroad (more than any cell holds: scaled).
  const std::vector<std::vector<int>> losing = {{0, 2}, {}, {1}, {0}};
  const auto schedules = [&](int step, StepSchedules& s) {
    s.mortality_kind = MortalityInput::survival_ratios;
    s.mortality.assign(layout.cells(), 0.9);
    s.asfr.assign(layout.states() * 3, 0.2);
    s.srb.assign(3, 1.05);
    s.external_out.assign(layout.cells(), 0.0);
    for (int z : losing[uz(step)])
      for (int sx = 0; sx < 2; ++sx)
        for (int i = 0; i < 3; ++i) s.external_out[layout.index(z, 0, sx, i)] = 1000.0;
  };
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.migration_timing = MigrationTiming::end;
  cfg.flow_policy = FlowPolicy::conserve;
  cfg.cell_components = true;
  cfg.threads = 2;
  cfg.steps = static_cast<int>(losing.size());
  RecordingSink run;
  Projection(cfg, base).run([&](const StepContext& ctx, StepSchedules& s) { schedules(ctx.step, s); }, run);
  ASSERT_EQ(run.components.size(), losing.size());
  cfg.steps = 1;
  for (int step = 0; step < static_cast<int>(losing.size()); ++step) {
    RecordingSink one;
    Projection(cfg, run.populations.at(uz(step)))
        .run([&](const StepContext&, StepSchedules& s) { schedules(step, s); }, one);
    const StepComponents& c = run.components[uz(step)];
    EXPECT_EQ(c.scaled_flows.empty(), losing[uz(step)].empty()) << "step " << step;
    expect_same_cells(c.scaled_flows, one.components.at(0).scaled_flows, step);
    expect_same_cells(c.floored, one.components.at(0).floored, step);
    EXPECT_EQ(cohortgis::test::differing_bits(bits(run.populations.at(uz(step) + 1)), bits(one.populations.at(1))), 0u)
        << "step " << step;
  }
}

// The per-state arrays a flow step writes in full for every zone (births, deaths and net migrants by state; e0 and
// e65 where mortality is reused) are sized, not filled, before each step (StepRunner::prepare_components): each step
// of a run must report what the same step reports as the first step of a fresh run from its start population, bit
// for bit. Steps: external out-flows with death rates; no migration with the same rates (reused: e0 and e65 copied
// from the cache); survival ratios without migration (no life table: e0 and e65 NaN); out-flows with death rates
// again. Fails where the net migrants by state are not filled in a step without migration (step 1 keeps step 0's) or
// e0 and e65 in a step that builds its tables (step 2 keeps step 1's values).
TEST(ProjectionZoneLists, EachStepReportsOnlyItsOwnPerStateSums) {
  const AgeGrid grid = AgeGrid::single_year(70);  // e65 too
  const CohortLayout layout{3, 2, grid};
  const std::size_t A = uz(grid.n_ages);
  CohortArray base(layout);
  for (int z = 0; z < 3; ++z)
    for (int g = 0; g < 2; ++g)
      for (int s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < A; ++i)
          base.at(z, g, s, static_cast<int>(i)) = 40.0 + 3.0 * static_cast<double>(i) + z + 7.0 * g;
  const auto schedules = [&](int step, StepSchedules& s) {
    const bool rates = step != 2, migration = step == 0 || step == 3;
    s.mortality_kind = rates ? MortalityInput::death_rates : MortalityInput::survival_ratios;
    s.mortality_unchanged = step == 1;  // the same rates as step 0
    s.mortality.resize(layout.cells());
    for (std::size_t k = 0; k < layout.cells(); ++k)
      s.mortality[k] =
          rates ? 0.01 + 0.002 * static_cast<double>(k % (2 * A)) + 0.001 * static_cast<double>(k % 7) : 0.97;
    s.asfr.assign(layout.states() * A, 0.0);
    for (std::size_t st = 0; st < layout.states(); ++st)
      for (std::size_t i = 3; i < 7; ++i) s.asfr[st * A + i] = 0.1 + 0.01 * static_cast<double>(st);
    s.srb.assign(3, 1.05);
    s.external_out.clear();
    if (migration) {
      s.external_out.assign(layout.cells(), 0.0);
      for (std::size_t k = 0; k < layout.cells(); ++k) s.external_out[k] = 1.0 + static_cast<double>(k % 5);
    }
  };
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.migration_timing = MigrationTiming::end;
  cfg.flow_policy = FlowPolicy::conserve;
  cfg.threads = 2;
  cfg.steps = 4;
  RecordingSink run;
  Projection(cfg, base).run([&](const StepContext& ctx, StepSchedules& s) { schedules(ctx.step, s); }, run);
  ASSERT_EQ(run.components.size(), 4u);
  cfg.steps = 1;
  for (int step = 0; step < 4; ++step) {
    RecordingSink one;
    Projection(cfg, run.populations.at(uz(step)))
        .run([&](const StepContext&, StepSchedules& s) { schedules(step, s); }, one);
    const StepComponents &c = run.components[uz(step)], &f = one.components.at(0);
    using cohortgis::test::differing_bits;
    EXPECT_EQ(differing_bits(c.births, f.births), 0u) << "births, step " << step;
    EXPECT_EQ(differing_bits(c.deaths_by_state, f.deaths_by_state), 0u) << "deaths, step " << step;
    EXPECT_EQ(differing_bits(c.net_migrants_by_state, f.net_migrants_by_state), 0u) << "net migrants, step " << step;
    EXPECT_EQ(differing_bits(c.e0, f.e0), 0u) << "e0, step " << step;
    EXPECT_EQ(differing_bits(c.e65, f.e65), 0u) << "e65, step " << step;
    EXPECT_EQ(cohortgis::test::differing_bits(bits(run.populations.at(uz(step) + 1)), bits(one.populations.at(1))), 0u)
        << "step " << step;
  }
  // What the steps are meant to show: migrants in steps 0 and 3 only, life tables in all but step 2.
  for (int step = 0; step < 4; ++step) {
    const StepComponents& c = run.components[uz(step)];
    bool any_net = false;
    for (double x : c.net_migrants_by_state) any_net = any_net || x != 0.0;
    EXPECT_EQ(any_net, step == 0 || step == 3) << "step " << step;
    EXPECT_EQ(std::isnan(c.e0.at(0)), step == 2) << "step " << step;
    EXPECT_EQ(std::isnan(c.e65.at(0)), step == 2) << "step " << step;
  }
}
