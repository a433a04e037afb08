// SPDX-License-Identifier: Apache-2.0
// `cohortgis run` keeps national schedules once for every zone (issue #16, memory at 50,000 zones): which runs, which
// arrays, and the same projection from them.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "../../app/src/national_schedules.hpp"  // internal to the app library
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {

// Beijing 2020: 16 districts, two groups, China's WPP mx and ASFR and one SRB for every district, net migrants by
// district (fixed counts: the schedules are handed to the engine as they are).
const scenarios::ScenarioSet& beijing() {
  static const scenarios::ScenarioSet set =
      scenarios::load_scenario_file(std::string(COHORTGIS_EXAMPLES) + "/beijing-2020/scenario.toml", COHORTGIS_DATA);
  return set;
}

CohortArray final_population(const scenarios::Scenario& r) {
  ProjectionConfig cfg = r.projection_config();
  cfg.threads = 2;
  Projection p(cfg, r.base_population);
  KeepPopulationsSink sink;
  p.run_shared(
      [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return r.step_schedules(ctx.step); }, sink);
  return p.population();
}

}  // namespace

TEST(NationalSchedules, KeptOnceAndTheSameProjection) {
  scenarios::ScenarioSet set = beijing();
  const scenarios::Scenario& before = beijing().runs.front();
  const CohortLayout& L = before.base_population.layout();
  ASSERT_GT(L.zones, 1);
  std::size_t full = 0;
  for (const StepSchedules& s : before.schedules) full += (s.mortality.size() + s.asfr.size() + s.srb.size()) * 8;
  const std::size_t freed = app::share_national_schedules(set);
  EXPECT_GT(freed, full * 9 / 10);  // 15 of the 16 districts' rates
  for (const StepSchedules& s : set.runs.front().schedules) {
    EXPECT_EQ(s.mortality.size(), uz(L.groups) * kSexes * uz(L.grid.life_table_rows()));
    EXPECT_EQ(s.asfr.size(), uz(L.groups) * L.ages());
    EXPECT_EQ(s.srb.size(), 1u);
    EXPECT_FALSE(s.net_migrants.empty());  // the rest as it was
  }
  const CohortArray a = final_population(before), b = final_population(set.runs.front());
  ASSERT_EQ(a.data().size(), b.data().size());
  EXPECT_EQ(std::memcmp(a.data().data(), b.data().data(), a.data().size() * sizeof(double)), 0);
}

// Runs whose schedules change per step (population-dependent, parity fertility) or that read every zone's rows (the
// multistate method) keep them as they are; a second call finds nothing more to keep once.
TEST(NationalSchedules, OnlyRunsHandedTheirSchedulesAsTheyAre) {
  for (int k = 0; k < 3; ++k) {
    scenarios::ScenarioSet set = beijing();  // the baseline and its variants, each changed so
    for (scenarios::Scenario& r : set.runs) {
      if (k == 0) r.adjust_schedules = [](const StepContext&, const CohortArray&, StepSchedules&) {};
      if (k == 1) r.parity = std::make_shared<scenarios::ParityInputs>();
      if (k == 2) r.method = ProjectionMethod::multistate;
    }
    const scenarios::ScenarioSet unchanged = set;
    EXPECT_EQ(app::share_national_schedules(set), 0u) << k;
    for (std::size_t v = 0; v < set.runs.size(); ++v) {
      ASSERT_EQ(set.runs[v].schedules.size(), unchanged.runs[v].schedules.size());
      for (std::size_t t = 0; t < unchanged.runs[v].schedules.size(); ++t) {
        EXPECT_EQ(set.runs[v].schedules[t].mortality, unchanged.runs[v].schedules[t].mortality) << k;
        EXPECT_EQ(set.runs[v].schedules[t].asfr, unchanged.runs[v].schedules[t].asfr) << k;
      }
    }
  }
  scenarios::ScenarioSet set = beijing();
  EXPECT_GT(app::share_national_schedules(set), 0u);
  EXPECT_EQ(app::share_national_schedules(set), 0u);
}
