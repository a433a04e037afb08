// SPDX-License-Identifier: Apache-2.0
// `cohortgis run` keeps national schedules once for every zone (issue #16, memory at 50,000 zones): which runs, which
// arrays, and the same projection from them.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

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

scenarios::ScenarioSet loaded_once(const std::string& example) {
  return scenarios::load_scenario_file(std::string(COHORTGIS_EXAMPLES) + "/" + example + "/scenario.toml",
                                       COHORTGIS_DATA, {}, 1, scenarios::NationalSchedules::once);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Each run's schedules of `once` (NationalSchedules::once), written out for every zone, are those of `every` bit for
// bit; counts the steps held once (death rates and ASFR of one zone) and written out by the loader.
void expect_the_same_schedules(const scenarios::ScenarioSet& every, const scenarios::ScenarioSet& once, int& held_once,
                               int& written_out) {
  ASSERT_EQ(once.runs.size(), every.runs.size());
  for (std::size_t v = 0; v < every.runs.size(); ++v) {
    const scenarios::Scenario &a = every.runs[v], &b = once.runs[v];
    const CohortLayout& L = a.base_population.layout();
    ASSERT_EQ(b.schedules.size(), a.schedules.size()) << v;
    for (std::size_t t = 0; t < a.schedules.size(); ++t) {
      StepSchedules s = b.schedules[t];
      if (scenarios::engine_reads_schedules_as_given(b)) {
        EXPECT_EQ(s.mortality.size(), uz(L.groups) * kSexes * uz(L.grid.life_table_rows())) << v << " " << t;
        EXPECT_EQ(s.asfr.size(), uz(L.groups) * L.ages()) << v << " " << t;
        ++held_once;
      } else {
        EXPECT_FALSE(has_zone_shared_schedules(s, L)) << v << " " << t;
        ++written_out;
      }
      expand_zone_shared_schedules(s, L);
      EXPECT_TRUE(same_bits(s.mortality, a.schedules[t].mortality)) << v << " " << t;
      EXPECT_TRUE(same_bits(s.asfr, a.schedules[t].asfr)) << v << " " << t;
      EXPECT_TRUE(same_bits(s.srb, a.schedules[t].srb)) << v << " " << t;
    }
  }
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

// `cohortgis run` loads them so (NationalSchedules::once): the loader holds national death rates and ASFR once for
// every zone as it reads them (at 50,000 zones it wrote out 22.8 MB first, its peak), in the runs whose engine reads
// them so, and writes them out for the others (beijing-2020's core-relocation variant moves people by the origin's
// population: population-dependent schedules). The same values, and the same projection.
TEST(NationalSchedules, LoadedOnceWhereTheEngineReadsThemSo) {
  scenarios::ScenarioSet once = loaded_once("beijing-2020");
  int held_once = 0, written_out = 0;
  expect_the_same_schedules(beijing(), once, held_once, written_out);
  EXPECT_GT(held_once, 0);
  EXPECT_GT(written_out, 0);
  // What is left for share_national_schedules: the SRB of every zone (8 bytes a zone but one, each run's steps).
  std::size_t srb = 0;
  for (const scenarios::Scenario& r : once.runs)
    if (scenarios::engine_reads_schedules_as_given(r))
      for (const StepSchedules& s : r.schedules) srb += (s.srb.size() - 1) * sizeof(double);
  EXPECT_EQ(app::share_national_schedules(once), srb);
  const CohortArray a = final_population(beijing().runs.front()), b = final_population(once.runs.front());
  ASSERT_EQ(a.data().size(), b.data().size());
  EXPECT_EQ(std::memcmp(a.data().data(), b.data().data(), a.data().size() * sizeof(double)), 0);
}

// Parity fertility (the run sets each step's ASFR): the national death rates written out again by the loader.
TEST(NationalSchedules, WrittenOutWhereTheEngineWouldNotReadThemSo) {
  const scenarios::ScenarioSet every = scenarios::load_scenario_file(
      std::string(COHORTGIS_EXAMPLES) + "/core-districts-parity/scenario.toml", COHORTGIS_DATA);
  int held_once = 0, written_out = 0;
  expect_the_same_schedules(every, loaded_once("core-districts-parity"), held_once, written_out);
  EXPECT_EQ(held_once, 0);
  EXPECT_GT(written_out, 0);
}

// A set that draws trajectories ([stochastic] trajectories = 5): each trajectory perturbs every zone's schedules (a
// TFR or e0 trajectory per zone), so the loader writes them out for every zone though asked for them once.
TEST(NationalSchedules, WrittenOutForASetThatDrawsTrajectories) {
  const std::string file = std::string(COHORTGIS_FIXTURES) + "/scenarios/stochastic.toml";
  const scenarios::ScenarioSet every = scenarios::load_scenario_file(file, COHORTGIS_DATA);
  const scenarios::ScenarioSet once =
      scenarios::load_scenario_file(file, COHORTGIS_DATA, {}, 1, scenarios::NationalSchedules::once);
  ASSERT_GT(once.stochastic.trajectories, 0);
  ASSERT_EQ(once.runs.size(), every.runs.size());
  for (std::size_t v = 0; v < once.runs.size(); ++v) {
    ASSERT_TRUE(scenarios::engine_reads_schedules_as_given(once.runs[v]));  // held once but for the trajectories
    ASSERT_EQ(once.runs[v].schedules.size(), every.runs[v].schedules.size());
    for (std::size_t t = 0; t < once.runs[v].schedules.size(); ++t) {
      EXPECT_TRUE(same_bits(once.runs[v].schedules[t].mortality, every.runs[v].schedules[t].mortality)) << t;
      EXPECT_TRUE(same_bits(once.runs[v].schedules[t].asfr, every.runs[v].schedules[t].asfr)) << t;
    }
  }
  // … where the same file without trajectories gets them once (the tables are national).
  scenarios::ScenarioSet without =
      scenarios::load_scenario_file(std::string(COHORTGIS_FIXTURES) + "/scenarios/stochastic_no_trajectories.toml",
                                    COHORTGIS_DATA, {}, 1, scenarios::NationalSchedules::once);
  ASSERT_EQ(without.stochastic.trajectories, 0);
  EXPECT_TRUE(
      has_zone_shared_schedules(without.runs.front().schedules.front(), without.runs.front().base_population.layout()));
}
