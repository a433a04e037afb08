// SPDX-License-Identifier: Apache-2.0
// [capacity] and the [households] fallback on real data (tests/fixtures/planning/beijing_planning.toml): Beijing's 16
// districts from the 2020 census with 200,000 net migrants a year; 东城 and 西城 capped at their 2020 population from
// 2025. The caps bind and are never exceeded, the displaced stay in Beijing, and households = population / the
// census's average family household size of the district.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "cohortgis/app/run.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;
using cohortgis::test::fixture;
using cohortgis::test::read_csv;

TEST(PlanningBeijing, CoreCapsHoldAndHouseholdsFollowTheCensusSize) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_planning_bj_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = fixture("planning/beijing_planning.toml");
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const std::map<std::string, double> cap{{"110101", 708829.0}, {"110102", 1106214.0}};  // beijing_core_caps.csv
  std::map<std::pair<std::string, int>, double> pop;
  const auto p = read_csv((out / "population.csv").string());
  for (std::size_t r = 0; r < p.rows.size(); ++r)
    if (p.at(r, "variant") == "baseline") pop[{p.at(r, "zone"), std::stoi(p.at(r, "year"))}] += p.num(r, "population");
  for (int year : {2025, 2030})
    for (const auto& [zone, max] : cap) EXPECT_LE(pop.at({zone, year}), max * (1 + 1e-12)) << zone << " " << year;
  const auto c = read_csv((out / "capacity.csv").string());
  ASSERT_EQ(c.rows.size(), 4u);  // both core districts bind in 2025 and 2030
  double displaced_2025 = 0;
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    EXPECT_EQ(c.at(r, "binds"), "1");
    EXPECT_NEAR(c.num(r, "tentative_population") - c.num(r, "population"), c.num(r, "displaced"), 1e-6);
    if (c.at(r, "year") == "2025") displaced_2025 += c.num(r, "displaced");
  }
  EXPECT_GT(displaced_2025, 10000.0);
  // The displaced stay in Beijing: the city total is what births, deaths and the 200,000 a year give (the books of
  // components.csv), the planning adjustments summing to 0 over the districts.
  const auto comp = read_csv((out / "components.csv").string());
  double adjustment = 0, moved = 0;
  for (std::size_t r = 0; r < comp.rows.size(); ++r)
    if (comp.at(r, "variant") == "baseline" && comp.at(r, "component") == "planning_adjustment") {
      adjustment += comp.num(r, "persons");
      moved += std::abs(comp.num(r, "persons"));
    }
  EXPECT_GT(moved, 2 * displaced_2025 * (1 - 1e-9));
  EXPECT_NEAR(adjustment, 0.0, 1e-6);
  // Households: population / persons per household, 东城 2.33 and 西城 2.37 from the 2020 census file.
  const auto h = read_csv((out / "households.csv").string());
  std::size_t checked = 0;
  for (std::size_t r = 0; r < h.rows.size(); ++r) {
    if (h.at(r, "variant") != "baseline") continue;
    const double want = pop.at({h.at(r, "zone"), std::stoi(h.at(r, "year"))}) / h.num(r, "persons_per_household");
    EXPECT_NEAR(h.num(r, "households"), want, 1e-9 * want);
    EXPECT_NEAR(h.num(r, "dwellings_needed"), want / 0.95, 1e-9 * want);
    if (h.at(r, "zone") == "110101") {
      EXPECT_NEAR(h.num(r, "persons_per_household"), 2.33, 1e-12);
    }
    if (h.at(r, "zone") == "110102") {
      EXPECT_NEAR(h.num(r, "persons_per_household"), 2.37, 1e-12);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 16u * 3u);  // 16 districts × 2020, 2025, 2030
  fs::remove_all(out);
}
