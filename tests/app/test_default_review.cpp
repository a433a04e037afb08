// SPDX-License-Identifier: Apache-2.0
// The default scenario re-derived (issue #19, scenarios/examples/beijing-2020): annual steps from the graduated 2020
// census, group age structures fitted to the census, district migration from the 2010->2020 census change shifted to
// the city's 2021 total, and its mid-term review (monitoring.csv) against the Beijing bulletins of 2021-2024. The
// review's figures are pinned: a change to the default or the engine that moves them must refresh them on purpose.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;
using cohortgis::test::data_file;

namespace {


const scenarios::Scenario& scenario() {
  static const scenarios::ScenarioSet set =
      scenarios::load_scenario_file(scenarios::default_scenario_file(), COHORTGIS_DATA);
  return set.runs.front();
}

}  // namespace

TEST(DefaultReview, AnnualStepsFromTheCensusWithFittedGroups) {
  const scenarios::Scenario& sc = scenario();
  EXPECT_EQ(sc.name, "beijing-2020");
  ASSERT_EQ(sc.zones.size(), 16u);
  EXPECT_EQ(sc.grid, AgeGrid::single_year(85));
  EXPECT_EQ(sc.base_year, 2020);
  EXPECT_EQ(sc.end_year(), 2035);
  // One set per step, or one for all steps when every step's is the same (Scenario::schedules).
  ASSERT_TRUE(sc.schedules.size() == 15u || sc.schedules.size() == 1u) << sc.schedules.size();
  const auto c = test::census2020_values();
  const int A = sc.grid.n_ages;
  for (int z = 0; z < 16; ++z) {
    const std::string& code = sc.zones[uz(z)].id;
    // The zone's census total, and its floating total (fitted margin), to IPF's 1e-11 relative.
    EXPECT_NEAR(sc.base_population.sum_zone(z), c.at({code, "pop_resident"}), 1e-6);
    double floating = 0, floating_20_34 = 0, floating_65 = 0, all_20_34 = 0, all_65 = 0;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) {
        const double f = sc.base_population.at(z, 1, s, i), r = sc.base_population.at(z, 0, s, i);
        EXPECT_GE(f, 0.0);
        EXPECT_GE(r, 0.0);
        floating += f;
        if (i >= 20 && i < 35) floating_20_34 += f, all_20_34 += f + r;
        if (i >= 65) floating_65 += f, all_65 += f + r;
      }
    EXPECT_NEAR(floating, c.at({code, "pop_hukou_elsewhere_other_province"}), 1e-6 * floating) << code;
    // Graduation and the group fit keep each census group: women 20-24, both groups, five single years.
    double f20 = 0;
    for (int i = 20; i < 25; ++i) f20 += sc.base_population.at(z, 0, 0, i) + sc.base_population.at(z, 1, 0, i);
    EXPECT_NEAR(f20, c.at({code, "pop_f_20_24"}), 1e-6 * f20) << code;
    // Fitted rather than uniform: the floating share is higher at 20-34 than at 65+ in every district.
    EXPECT_GT(floating_20_34 / all_20_34, floating_65 / all_65) << code;
  }
}

TEST(DefaultReview, DistrictMigrationAddsUpToTheCity2021Total) {
  const scenarios::Scenario& sc = scenario();
  const auto t = test::read_csv(data_file("census/beijing2020_net_migration.csv"));
  const CohortLayout L = sc.base_population.layout();
  std::map<std::string, int> zone;
  for (int z = 0; z < 16; ++z) zone[sc.zones[uz(z)].id] = z;
  ASSERT_EQ(t.rows.size(), 16u * 2 * 2 * 86);
  double first_city = 0;
  for (const StepSchedules& s : {sc.schedules.front(), sc.schedules.back()}) {
    double city = 0;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const int g = t.at(r, "group") == "floating" ? 1 : 0, sx = t.at(r, "sex") == "female" ? 0 : 1;
      const double v = s.net_migrants[L.index(zone.at(t.at(r, "zone")), g, sx, std::stoi(t.at(r, "age")))];
      EXPECT_NEAR(v, t.num(r, "value"), 1e-9);  // one year a step, persons per year
      city += v;
    }
    // The same city total every year. Its value is the one at which the projection reaches the 2021 bulletin's
    // population (MonitoringTableOfTheBaseline: the fitted 2021 row; derive_beijing_2020: the accounting identity),
    // near the start value from the bulletin's natural growth: 21,886,000 − 21,893,095 − 0.96‰ × their mean.
    if (first_city == 0) first_city = city;
    EXPECT_NEAR(city, first_city, 1e-6);
    EXPECT_NEAR(city, 21886000.0 - 21893095.0 - 0.96e-3 * (21886000.0 + 21893095.0) / 2.0, 20000.0);
  }
}

// The README's review table, pinned: published figure (万人 converted to persons), projection, role and flag.
TEST(DefaultReview, MonitoringTableOfTheBaseline) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_default_review_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = "default";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.variants = {"baseline"};
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const auto m = test::read_csv((out / "monitoring.csv").string());
  struct Row {
    const char* year;
    const char* group;
    const char* indicator;
    double observed, projected;
    const char* role;
    const char* flag;
  };
  // clang-format off
  const Row expect[] = {
      {"2021", "all", "population", 21886000, 21886000.000001296, "fitted", ""},
      {"2021", "floating", "population", 8348000, 8399533.121505816, "checked", ""},
      {"2021", "all", "cbr_per_1000", 6.35, 6.350000000000004, "fitted", ""},
      {"2021", "all", "cdr_per_1000", 5.39, 5.874806769472827, "checked", ""},
      {"2021", "all", "natural_growth_per_1000", 0.96, 0.47519323052717705, "checked", ""},
      {"2021", "registered", "e0", 82.47, 82.46999999991183, "fitted", ""},
      {"2022", "all", "population", 21843000, 21867199.682258934, "checked", ""},
      {"2022", "floating", "population", 8251000, 8376562.621278021, "checked", ""},
      {"2022", "registered", "population", 14277000, 13490637.06098092, "checked", "beyond_tolerance"},
      {"2022", "all", "cbr_per_1000", 5.67, 6.012145339865085, "checked", ""},
      {"2022", "all", "cdr_per_1000", 5.72, 6.071731974069148, "checked", ""},
      {"2022", "all", "natural_growth_per_1000", -0.05, -0.059586634204062794, "checked", ""},
      {"2022", "all", "age_15_59", 14552000, 14531188.230245298, "checked", ""},
      {"2022", "all", "age_60_plus", 4651000, 4694138.698704868, "checked", ""},
      {"2022", "all", "age_65_plus", 3301000, 3226850.8741173926, "checked", ""},
      {"2023", "all", "population", 21858000, 21836462.201446116, "checked", ""},
      {"2023", "floating", "population", 8240000, 8348920.873292191, "checked", ""},
      {"2024", "all", "population", 21832000, 21793601.023173057, "checked", ""},
      {"2024", "all", "cbr_per_1000", 6.09, 5.306272102046403, "checked", ""},
      {"2024", "all", "cdr_per_1000", 6.08, 6.468975596308102, "checked", ""},
      {"2024", "all", "natural_growth_per_1000", 0.01, -1.1627034942616983, "checked", "beyond_tolerance"},
  };
  // clang-format on
  ASSERT_EQ(m.rows.size(), std::size(expect));
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    const Row& e = expect[r];
    SCOPED_TRACE(std::string(e.year) + " " + e.group + " " + e.indicator);
    EXPECT_EQ(m.at(r, "year"), e.year);
    EXPECT_EQ(m.at(r, "zone"), "total");
    EXPECT_EQ(m.at(r, "group"), e.group);
    EXPECT_EQ(m.at(r, "indicator"), e.indicator);
    EXPECT_NEAR(m.num(r, "observed"), e.observed, 1e-9 * std::abs(e.observed));
    EXPECT_NEAR(m.num(r, "projected"), e.projected, 1e-7 * std::abs(e.projected));
    EXPECT_EQ(m.at(r, "role"), e.role);
    EXPECT_EQ(m.at(r, "flag"), e.flag);
    // The done-when for the checked figures of 2022-2024, stated independently of the flag column:
    // resident population within 1 %, floating within 5 %, crude birth and death rates within 15 % (the birth rate of
    // 2024 is the largest miss, −12.9 %: README, fertility held at its 2021 level, 2024 the Year of the Dragon).
    const double rel = std::abs(m.num(r, "projected") / m.num(r, "observed") - 1.0);
    const std::string ind = e.indicator, grp = e.group;
    if (std::string(e.year) >= "2022" && std::string(e.role) == "checked") {
      if (ind == "population" && grp == "all") {
        EXPECT_LT(rel, 0.01);
      } else if (ind == "population" && grp == "floating") {
        EXPECT_LT(rel, 0.05);
      } else if (ind == "cdr_per_1000") {
        EXPECT_LT(rel, 0.15);
      } else if (ind == "cbr_per_1000") {
        EXPECT_LT(rel, 0.15);
      }
    }
    // Every fitted figure is the projection's own, to 1e-6 (issue #19): the 2021 population (city net migration),
    // crude birth rate (fertility level, on the projection's person-years) and registered e0 (Brass alpha).
    if (std::string(e.role) == "fitted") {
      EXPECT_LT(rel, 1e-6);
    }
  }
  // The example's [households] and group service norm (round 22): households of 2020 are the census's 8,230,792
  // family households (residents per family household of each district, data/census/beijing2020_households.csv), and
  // the floating children's school places count the floating persons aged 6-11 of population.csv only.
  const auto hh = test::read_csv((out / "households.csv").string());
  double households_2020 = 0;
  for (std::size_t r = 0; r < hh.rows.size(); ++r)
    if (hh.at(r, "year") == "2020") households_2020 += hh.num(r, "households");
  EXPECT_NEAR(households_2020, 8230792.0, 1e-3);
  const auto pop = test::read_csv((out / "population.csv").string());
  std::map<std::string, double> floating_6_11;  // year
  for (std::size_t r = 0; r < pop.rows.size(); ++r) {
    const int age = std::stoi(pop.at(r, "age"));
    if (pop.at(r, "group") == "floating" && age >= 6 && age <= 11)
      floating_6_11[pop.at(r, "year")] += pop.num(r, "population");
  }
  const auto sd = test::read_csv((out / "service_demand.csv").string());
  int services = 0;
  for (std::size_t r = 0; r < sd.rows.size(); ++r)
    if (sd.at(r, "zone") == "total" &&
        sd.at(r, "service") == "primary school places for floating children (随迁子女)") {
      const double want = floating_6_11.at(sd.at(r, "year"));
      EXPECT_NEAR(sd.num(r, "basis"), want, 1e-9 * want) << sd.at(r, "year");
      EXPECT_NEAR(sd.num(r, "demand"), want, 1e-9 * want) << sd.at(r, "year");
      ++services;
    }
  EXPECT_EQ(services, 16);  // 2020-2035
  fs::remove_all(out);
}
