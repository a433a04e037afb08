// SPDX-License-Identifier: Apache-2.0
// Every shipped example runs (in-process, cohortgis::app::run) and produces a sane targets table and plan-period
// summary: per period, zone and variant, end = start + births − deaths + net migration + adjustments. The five-year
// scenario file (the default before issue #19) reproduces the scenario formerly built in C++ (beijing-2020-embedded)
// exactly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

class Example : public ::testing::TestWithParam<const char*> {};

TEST_P(Example, RunsWithTargetsAndBalancedPlanPeriods) {
  const std::string name = GetParam();
  const fs::path out = fs::temp_directory_path() / ("cohortgis_example_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/" + name + "/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  const app::RunSummary s = app::run(cfg);
  ASSERT_GE(s.variants.size(), 2u) << "every example has variants";

  const auto targets = test::read_csv((out / "targets.csv").string());
  ASSERT_GT(targets.rows.size(), 0u);
  std::set<std::string> variants;
  for (std::size_t r = 0; r < targets.rows.size(); ++r) {
    variants.insert(targets.at(r, "variant"));
    const std::string status = targets.at(r, "status");
    EXPECT_TRUE(status == "met" || status == "missed") << status;
    EXPECT_TRUE(std::isfinite(targets.num(r, "value")));
    EXPECT_EQ(status == "met", targets.num(r, "margin") >= 0.0);
  }
  EXPECT_EQ(variants.size(), s.variants.size());

  const auto plan = test::read_csv((out / "plan_periods.csv").string());
  ASSERT_GT(plan.rows.size(), 0u);
  for (std::size_t r = 0; r < plan.rows.size(); ++r) {
    const double start = plan.num(r, "population_start"), end = plan.num(r, "population_end");
    EXPECT_GT(start, 0.0);
    EXPECT_GT(end, 0.0);
    EXPECT_GT(plan.num(r, "births"), 0.0);
    EXPECT_GT(plan.num(r, "deaths"), 0.0);
    EXPECT_NEAR(end, start + plan.num(r, "births") - plan.num(r, "deaths") + plan.num(r, "net_migration") +
                         plan.num(r, "adjustments"), 1e-9 * start)
        << plan.at(r, "variant") << " " << plan.at(r, "period") << " " << plan.at(r, "zone");
    // Crude rates of a real population: births and deaths per 1000 between 1 and 40, SRB between 90 and 130.
    EXPECT_GT(plan.num(r, "cbr_per_1000"), 1.0);
    EXPECT_LT(plan.num(r, "cbr_per_1000"), 40.0);
    EXPECT_GT(plan.num(r, "cdr_per_1000"), 1.0);
    EXPECT_LT(plan.num(r, "cdr_per_1000"), 40.0);
    EXPECT_NEAR(plan.num(r, "growth_rate_percent"), 100.0 * std::log(end / start) / plan.num(r, "years"), 1e-9);
  }
  fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Shipped, Example, ::testing::Values("beijing-2020", "foshan-2011", "beijing-relocation",
                                                                  "nc-counties", "beijing-backtest-2010",
                                                                  "beijing-2020-five-year", "core-districts-parity"));

// North Carolina: zones and centroids come from the county shapes; each county's TFR is the state's 1.8 moved by its
// trend in recorded births (BIR79 / BIR74, read here from the county file itself); the gravity model only moves
// people between counties, so the state's net migration is zero.
TEST(ExampleNc, CountyFertilityFromRecordedBirthsAndInternalMigrationCancels) {
  const auto set = scenarios::load_scenario_file(std::string(COHORTGIS_EXAMPLES) + "/nc-counties/scenario.toml",
                                                 COHORTGIS_DATA);
  ASSERT_EQ(set.runs[0].zones.size(), 100u);
  EXPECT_EQ(set.zones_source.id_field, "FIPS");
  const fs::path out = fs::temp_directory_path() / ("cohortgis_example_nc_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/nc-counties/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  // Births in the county file, exported once with: ogr2ogr -f CSV … -sql 'SELECT FIPS, BIR74, BIR79 FROM "nc.gpkg"'
  // — read here through the indicator table instead: TFR of a county = 1.8 × (BIR79/BIR74) / (ΣBIR79/ΣBIR74).
  // Ashe (37009): 1364 / 1091; state: 422,392 / 329,962 (DATA.md).
  const double expect_ashe = 1.8 * (1364.0 / 1091.0) / (422392.0 / 329962.0);
  const auto ind = test::read_csv((out / "indicators.csv").string());
  bool found = false;
  double state_net = 0.0;
  for (std::size_t r = 0; r < ind.rows.size(); ++r) {
    if (ind.at(r, "variant") != "baseline" || ind.at(r, "group") != "all") continue;
    if (ind.at(r, "zone") == "37009" && ind.at(r, "year") == "1989" && ind.at(r, "indicator") == "tfr") {
      EXPECT_NEAR(ind.num(r, "value"), expect_ashe, 1e-6);
      found = true;
    }
    if (ind.at(r, "zone") == "total" && ind.at(r, "indicator") == "net_migration") state_net += ind.num(r, "value");
  }
  EXPECT_TRUE(found);
  EXPECT_NEAR(state_net, 0.0, 1e-6);
  fs::remove_all(out);
}

TEST(FiveYearScenarioFile, EqualsTheEmbeddedScenario) {
  const auto set = scenarios::load_scenario_file(
      std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& file = set.runs.front();
  const scenarios::Scenario c = scenarios::build_scenario("beijing-2020-embedded", COHORTGIS_DATA);
  EXPECT_EQ(file.name, "beijing-2020-five-year");
  EXPECT_EQ(c.name, "beijing-2020");
  ASSERT_EQ(file.zones.size(), c.zones.size());
  for (std::size_t z = 0; z < c.zones.size(); ++z) {
    EXPECT_EQ(file.zones[z].id, c.zones[z].id);
    EXPECT_EQ(file.zones[z].name, c.zones[z].name);
    EXPECT_EQ(file.zones[z].name_en, c.zones[z].name_en);
  }
  EXPECT_EQ(file.group_names, c.group_names);
  EXPECT_EQ(file.end_year(), c.end_year());
  ASSERT_EQ(file.base_population.data().size(), c.base_population.data().size());
  for (std::size_t k = 0; k < c.base_population.data().size(); ++k)
    EXPECT_EQ(file.base_population.data()[k], c.base_population.data()[k]) << k;
  // The file's schedules are the same in every step, so the loader keeps one set for all (Scenario::schedules).
  ASSERT_EQ(file.schedules.size(), 1u);
  const StepSchedules &a = file.schedules[0], &b = c.schedules[0];
  EXPECT_EQ(a.mortality, b.mortality);
  // WPP's rates to 100+ on the 85+ grid: the 85-89 rate (80-84's Greville m_next) in both, so both project alike.
  EXPECT_EQ(a.mortality_next.size(), a.mortality.size() / 19);
  EXPECT_EQ(a.mortality_next, b.mortality_next);
  ASSERT_EQ(a.asfr.size(), b.asfr.size());
  for (std::size_t k = 0; k < b.asfr.size(); ++k) EXPECT_NEAR(a.asfr[k], b.asfr[k], 1e-6 * b.asfr[k] + 1e-18) << k;
  EXPECT_EQ(a.srb, b.srb);
  ASSERT_EQ(a.net_migrants.size(), b.net_migrants.size());
  for (std::size_t k = 0; k < b.net_migrants.size(); ++k) EXPECT_NEAR(a.net_migrants[k], b.net_migrants[k], 1e-9) << k;
  ASSERT_EQ(a.transitions.size(), 1u);
  EXPECT_EQ(a.transitions[0].rate_per_year, b.transitions[0].rate_per_year);
  EXPECT_EQ(file.aggregates[0].zones, c.aggregates[0].zones);
  EXPECT_EQ(file.plan_periods.size(), c.plan_periods.size());
}

// A relocation larger than its origin can give is an error naming the programme, never a silent cut, and a failed
// run leaves no results folder behind.
TEST(Relocation, LargerThanTheOriginIsAnError) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_reloc_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_FIXTURES) + "/scenarios/broken/relocation_too_large.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.allow_read = {std::string(COHORTGIS_FIXTURES) + "/scenarios"};  // broken/ reads ../base.csv
  try {
    app::run(cfg);
    FAIL() << "expected an error";
  } catch (const ProjectionError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("relocation 'too big'"), std::string::npos) << m;
    EXPECT_NE(m.find("2021-2025"), std::string::npos) << m;
    EXPECT_NE(m.find("at most half"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(out));
}

// Outside-tester audit (round 18): a Chinese example's report and maps name the scenario and its variants by their
// `title`; foshan-2011 (language "zh") had an English title and untitled variants, so its Chinese maps carried the
// subtitle "Foshan, 5 districts, …" and panels "two-child", "high-inflow", "srb-normalising".
TEST(ExampleTitles, ChineseExamplesTitleTheScenarioAndEveryVariantInChinese) {
  const auto has_cjk = [](const std::string& s) {
    for (unsigned char c : s)
      if (c >= 0xE3 && c <= 0xE9) return true;  // lead bytes of U+3000…U+9FFF in UTF-8
    return false;
  };
  for (const char* name : {"beijing-2020", "foshan-2011", "beijing-2020-five-year", "core-districts-parity"}) {
    const auto set =
        scenarios::load_scenario_file(std::string(COHORTGIS_EXAMPLES) + "/" + name + "/scenario.toml", COHORTGIS_DATA);
    for (const auto& run : set.runs) {
      if (run.language == "en" || (run.language.empty() && !has_cjk(run.title))) continue;
      EXPECT_TRUE(has_cjk(run.title)) << name << ": title '" << run.title << "'";
      if (run.variant != "baseline") {
        EXPECT_TRUE(has_cjk(run.variant_title)) << name << ": variant " << run.variant;
      }
    }
  }
}
