// SPDX-License-Identifier: Apache-2.0
// The five-year Beijing scenario (scenarios/examples/beijing-2020-five-year, the default before issue #19, equal to
// the embedded "beijing-2020-embedded"): inputs land where the scenario says they do. The default itself (annual,
// re-derived, monitored): test_default_review.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/scenarios/sources.hpp"
#include "csv_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
using cohortgis::test::data_file;

namespace {


// The five-year scenario file; its baseline must be the scenario the embedded C++ built.
const scenarios::Scenario& scenario() {
  static const scenarios::ScenarioSet set = scenarios::load_scenario_file(
      std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml", COHORTGIS_DATA);
  return set.runs.front();
}

}  // namespace

TEST(DefaultScenario, ZonesGroupsAndSteps) {
  const auto& sc = scenario();
  EXPECT_EQ(sc.name, "beijing-2020-five-year");
  ASSERT_EQ(sc.zones.size(), 16u);
  EXPECT_EQ(sc.zones.front().id, "110101");
  EXPECT_EQ(sc.zones.front().name, "东城区");
  EXPECT_EQ(sc.zones.front().name_en, "Dongcheng");
  EXPECT_EQ(sc.zones.back().id, "110119");
  EXPECT_EQ(sc.group_names, (std::vector<std::string>{"registered", "floating"}));
  EXPECT_EQ(sc.grid, AgeGrid::five_year(85));
  EXPECT_EQ(sc.base_year, 2020);
  EXPECT_EQ(sc.end_year(), 2035);
  ASSERT_EQ(sc.aggregates.size(), 1u);
  EXPECT_EQ(sc.aggregates[0].name, "core");
  EXPECT_EQ(sc.aggregates[0].zones, (std::vector<int>{0, 1}));
  ASSERT_EQ(sc.plan_periods.size(), 3u);
  EXPECT_EQ(sc.plan_periods[0].label(), "2021-2025");
  EXPECT_EQ(sc.plan_periods[1].plan, "15th Five-Year Plan");
}

TEST(DefaultScenario, BasePopulationIsTheCensusSplitByFloatingShare) {
  const auto& sc = scenario();
  const auto c = test::census2020_values();
  const int A = sc.grid.n_ages;
  for (int z = 0; z < 16; ++z) {
    const std::string& code = sc.zones[uz(z)].id;
    const double share = c.at({code, "pop_hukou_elsewhere_other_province"}) / c.at({code, "pop_resident"});
    // 0–4 = census 0 + 1–4; 85+ as given.
    const double f04 = sc.base_population.at(z, 0, 0, 0) + sc.base_population.at(z, 1, 0, 0);
    EXPECT_NEAR(f04, c.at({code, "pop_f_0"}) + c.at({code, "pop_f_1_4"}), 1e-6);
    const double m85 = sc.base_population.at(z, 0, 1, A - 1) + sc.base_population.at(z, 1, 1, A - 1);
    EXPECT_NEAR(m85, c.at({code, "pop_m_85p"}), 1e-6);
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) {
        const double all = sc.base_population.at(z, 0, s, i) + sc.base_population.at(z, 1, s, i);
        EXPECT_NEAR(sc.base_population.at(z, 1, s, i), share * all, 1e-6 * (1 + all));
      }
    EXPECT_NEAR(sc.base_population.sum_zone(z), c.at({code, "pop_resident"}), 1e-6);
  }
}

TEST(DefaultScenario, Schedules) {
  const auto& sc = scenario();
  // One per step, or one for all steps when every step's is the same (Scenario::schedules).
  ASSERT_TRUE(sc.schedules.size() == 3u || sc.schedules.size() == 1u) << sc.schedules.size();
  const StepSchedules& s = sc.schedules[0];
  const int A = sc.grid.n_ages, rows = sc.grid.life_table_rows();
  ASSERT_EQ(rows, 19);
  ASSERT_EQ(s.mortality.size(), 16u * 2 * 2 * uz(rows));
  // Rows 0 … 80–84 as in the WPP file; m(85+) = l85 / T85 of the full table.
  for (int sx = 0; sx < 2; ++sx) {
    const auto full = scenarios::wpp_abridged_mx(data_file("wpp/mortality_mx_abridged_2010_2020.csv"), "CHN", 2015,
                                                 static_cast<Sex>(sx));
    ASSERT_EQ(full.size(), 22u);
    const LifeTable lt = abridged_life_table(full, static_cast<Sex>(sx));
    const std::size_t r85 = lt.row_of_age(85);
    for (int r = 0; r < rows - 1; ++r) EXPECT_EQ(s.mortality[uz(sx * rows + r)], full[uz(r)]);
    EXPECT_DOUBLE_EQ(s.mortality[uz(sx * rows + rows - 1)], lt.lx[r85] / lt.Tx[r85]);
    // The open group's life expectancy is kept: e85 of the cut table = e85 of the full one.
    const LifeTable cut = abridged_life_table(
        std::vector<double>(s.mortality.begin() + sx * rows, s.mortality.begin() + (sx + 1) * rows), static_cast<Sex>(sx));
    EXPECT_NEAR(cut.ex[cut.open_row()], lt.ex[r85], 1e-9);
  }
  // Fertility: TFR 1.0, index 2 = 10–14 … index 10 = 50–54; nothing outside.
  ASSERT_EQ(s.asfr.size(), 16u * 2 * uz(A));
  double tfr = 0;
  for (int i = 0; i < A; ++i) tfr += 5 * s.asfr[uz(i)];
  EXPECT_NEAR(tfr, 1.0, 1e-12);
  EXPECT_EQ(s.asfr[1], 0.0);
  EXPECT_GT(s.asfr[2], 0.0);
  EXPECT_GT(s.asfr[10], 0.0);
  EXPECT_EQ(s.asfr[11], 0.0);
  EXPECT_GT(s.asfr[5], s.asfr[3]);  // peak at 25–29
  ASSERT_EQ(s.srb.size(), 16u);
  EXPECT_EQ(s.srb[0], 1.123);
  // Migration: 250,000 floating persons per step, none registered, half women.
  const CohortLayout L = sc.base_population.layout();
  double total = 0, women = 0, registered = 0;
  for (int z = 0; z < 16; ++z)
    for (int sx = 0; sx < 2; ++sx)
      for (int i = 0; i < A; ++i) {
        total += s.net_migrants[L.index(z, 1, sx, i)];
        if (sx == 0) women += s.net_migrants[L.index(z, 1, sx, i)];
        registered += std::abs(s.net_migrants[L.index(z, 0, sx, i)]);
      }
  EXPECT_NEAR(total, 250000.0, 1e-6);
  EXPECT_NEAR(women, 125000.0, 1e-6);
  EXPECT_EQ(registered, 0.0);
  // Floating → registered, 1% a year at 15–64 only.
  ASSERT_EQ(s.transitions.size(), 1u);
  EXPECT_EQ(s.transitions[0].from_group, 1);
  EXPECT_EQ(s.transitions[0].to_group, 0);
  for (int i = 0; i < A; ++i)
    EXPECT_EQ(s.transitions[0].rate_per_year[uz(A + i)], i >= 3 && i <= 12 ? 0.01 : 0.0) << "age index " << i;
}

TEST(DefaultScenario, UnknownNameIsAnInputError) {
  try {
    scenarios::build_scenario("shanghai", COHORTGIS_DATA);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a built-in scenario"), std::string::npos);
  }
}
