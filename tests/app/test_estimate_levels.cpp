// SPDX-License-Identifier: Apache-2.0
// `cohortgis estimate --levels`: zone levels relative to a standard, checked against hand computations (fertility
// factors), against the engine's own life table of the written schedules (e0 and deaths reproduce their targets to
// 1e-6), the identity α = 0 for a zone with the standard's deaths, and bad figures (nothing written).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cohortgis/app/estimate_levels.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "csv_fixture.hpp"
#include "error_of.hpp"

namespace fs = std::filesystem;
namespace app = cohortgis::app;
using cohortgis::Sex;
using cohortgis::test::error_of;

namespace {

const std::string kFix = std::string(COHORTGIS_FIXTURES) + "/estimate/";

struct Levels : ::testing::Test {
  fs::path out = fs::temp_directory_path() / ("cohortgis_levels_" + std::to_string(::getpid()));
  fs::path tmp = fs::temp_directory_path() / ("cohortgis_levels_in_" + std::to_string(::getpid()));
  app::LevelsConfig cfg;
  void SetUp() override {
    fs::remove_all(out);
    fs::create_directories(tmp);
    cfg.figures = kFix + "levels_figures.csv";
    cfg.population = kFix + "levels_population.csv";
    cfg.mx = kFix + "levels_mx.csv";
    cfg.asfr = kFix + "levels_asfr.csv";
    cfg.srb = 105;
    cfg.open_age = 50;
    cfg.out_dir = out.string();
  }
  void TearDown() override {
    fs::remove_all(out);
    fs::remove_all(tmp);
  }
  // Column `col` of a fixture-like table, rows where `key` == `value` (and sex == sex when given).
  static std::vector<double> column(const std::string& path, const std::string& zone, const std::string& sex,
                                    const std::string& col) {
    const auto t = cohortgis::test::read_csv(path);
    std::vector<double> v;
    for (std::size_t r = 0; r < t.rows.size(); ++r)
      if ((zone.empty() || t.at(r, "zone") == zone) && (sex.empty() || t.at(r, "sex") == sex))
        v.push_back(t.num(r, col));
    return v;
  }
};

// Population of zone B on the life-table rows, split 0–4 by the standard's L0 : 4L1 (computed here from the engine's
// life table of the fixture's standard).
std::vector<double> rows_of_b(const std::vector<double>& groups, const std::vector<double>& mx_standard, Sex sex) {
  const auto lt = cohortgis::abridged_life_table(mx_standard, sex);
  const double s0 = lt.Lx[0] / (lt.Lx[0] + lt.Lx[1]);
  std::vector<double> r{groups[0] * s0, groups[0] * (1 - s0)};
  r.insert(r.end(), groups.begin() + 1, groups.end());
  return r;
}

TEST_F(Levels, FertilityFactorsByHand) {
  const auto s = app::estimate_levels(cfg);
  ASSERT_EQ(s.levels.size(), 4u);
  std::map<std::string, app::ZoneLevel> fert;
  for (const auto& z : s.levels)
    if (z.component == "fertility") fert[z.zone] = z;
  // A: TFR 1.5 on a standard of Σ f = 0.242: k = 1.5 / (5 · 0.242).
  EXPECT_NEAR(fert.at("A").level, 1.5 / 1.21, 1e-12);
  EXPECT_NEAR(fert.at("A").tfr, 1.5, 1e-12);
  // B: 300 births to women 2000 (15–24) and 500 (25–49): k = 300 / 211.
  EXPECT_NEAR(fert.at("B").level, 300.0 / 211.0, 1e-12);
  EXPECT_NEAR(fert.at("B").tfr, 5 * 0.242 * 300.0 / 211.0, 1e-12);
  // The written schedule of B gives the births again: Σ k f W = 300.
  const auto f = column((out / "asfr_by_zone.csv").string(), "B", "", "value");
  const auto a = column((out / "asfr_by_zone.csv").string(), "B", "", "age");
  ASSERT_EQ(f.size(), 7u);
  double births = 0;
  for (std::size_t i = 0; i < f.size(); ++i) births += f[i] * (a[i] < 25 ? 2000 : 500);
  EXPECT_NEAR(births, 300.0, 1e-9);
}

TEST_F(Levels, MortalityReproducesTheTargetsThroughTheWrittenSchedules) {
  const auto s = app::estimate_levels(cfg);
  const std::string mx = (out / "mx_by_zone.csv").string();
  // A: both-sexes e0 of the life tables of the written schedules (the engine's life table, not the fitting code).
  const auto af = column(mx, "A", "female", "value"), am = column(mx, "A", "male", "value");
  ASSERT_EQ(af.size(), 12u);
  const double ef = cohortgis::abridged_life_table(af, Sex::female).ex[0];
  const double em = cohortgis::abridged_life_table(am, Sex::male).ex[0];
  EXPECT_NEAR((ef + 1.05 * em) / 2.05, 65.0, 1e-6);
  EXPECT_GT(em, 0);
  EXPECT_LT(em, ef);  // the fixture's men die faster at every age
  // B: Σ m · P over the life-table rows of both sexes = the 150 deaths.
  const auto bf = column(mx, "B", "female", "value"), bm = column(mx, "B", "male", "value");
  const auto sf = column(kFix + "levels_mx.csv", "", "female", "mx"),
             sm = column(kFix + "levels_mx.csv", "", "male", "mx");
  const auto pf = rows_of_b(column(kFix + "levels_population.csv", "B", "female", "population"), sf, Sex::female);
  const auto pm = rows_of_b(column(kFix + "levels_population.csv", "B", "male", "population"), sm, Sex::male);
  double deaths = 0;
  for (std::size_t k = 0; k < bf.size(); ++k) deaths += bf[k] * pf[k] + bm[k] * pm[k];
  EXPECT_NEAR(deaths, 150.0, 150.0 * 1e-9);
  for (const auto& z : s.levels) {
    if (z.component == "mortality") {
      EXPECT_NEAR(z.fitted, z.target, 1e-6 * z.target) << z.zone;
    }
  }
  EXPECT_TRUE(fs::exists(out / "levels_report.md"));
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
}

// A zone whose deaths are those the standard itself gives its population has α = 0 (Brass: logit l = logit l_s).
TEST_F(Levels, TheStandardsOwnDeathsGiveAlphaZero) {
  const auto sf = column(kFix + "levels_mx.csv", "", "female", "mx"),
             sm = column(kFix + "levels_mx.csv", "", "male", "mx");
  const auto pf = rows_of_b(column(kFix + "levels_population.csv", "B", "female", "population"), sf, Sex::female);
  const auto pm = rows_of_b(column(kFix + "levels_population.csv", "B", "male", "population"), sm, Sex::male);
  double deaths = 0;
  for (std::size_t k = 0; k < sf.size(); ++k) deaths += sf[k] * pf[k] + sm[k] * pm[k];
  {
    std::ofstream o(tmp / "f.csv");
    o.precision(17);
    o << "zone,indicator,value\nB,deaths," << deaths << "\n";
  }
  cfg.figures = (tmp / "f.csv").string();
  const auto s = app::estimate_levels(cfg);
  ASSERT_EQ(s.levels.size(), 1u);
  EXPECT_NEAR(s.levels[0].level, 0.0, 1e-9);
  EXPECT_FALSE(fs::exists(out / "asfr_by_zone.csv"));  // no fertility figure
}

// The written schedules are the scenario format: a scenario reads them back ([mortality] mx, [fertility] schedule, both
// with a zone column) and the run's own indicators give each zone's figure again.
TEST_F(Levels, AScenarioReadsTheSchedulesBack) {
  cfg.out_dir = (tmp / "lv").string();
  app::estimate_levels(cfg);
  fs::copy_file(kFix + "levels_population.csv", tmp / "base.csv");
  {
    std::ofstream o(tmp / "s.toml");
    o << "[scenario]\nname = \"levels\"\nlanguage = \"en\"\n[geography]\n"
         "zones = [ { id = \"A\", name = \"Zone A\" }, { id = \"B\", name = \"Zone B\" } ]\n"
         "[projection]\nbase_year = 2020\nhorizon = 2025\nstep = 5\nopen_age = 50\n"
         "[base_population]\ntable = \"base.csv\"\n"
         "[fertility]\nschedule = \"lv/asfr_by_zone.csv\"\nsrb = 105\n[mortality]\nmx = \"lv/mx_by_zone.csv\"\n";
  }
  app::RunConfig run;
  run.scenario = (tmp / "s.toml").string();
  run.out_dir = (tmp / "run").string();
  run.quiet = true;
  run.report = false;
  app::run(run);
  std::map<std::pair<std::string, std::string>, double> v;
  const auto ind = cohortgis::test::read_csv((tmp / "run" / "indicators.csv").string());
  for (std::size_t r = 0; r < ind.rows.size(); ++r) {
    const std::string& k = ind.at(r, "indicator");
    if (ind.at(r, "year") == "2025" && ind.at(r, "group") == "all" &&
        (k == "tfr" || k == "e0_female" || k == "e0_male"))
      v[{ind.at(r, "zone"), k}] = ind.num(r, "value");
  }
  EXPECT_NEAR(v.at({"A", "tfr"}), 1.5, 1e-9);
  EXPECT_NEAR(v.at({"B", "tfr"}), 5 * 0.242 * 300.0 / 211.0, 1e-9);
  EXPECT_NEAR((v.at({"A", "e0_female"}) + 1.05 * v.at({"A", "e0_male"})) / 2.05, 65.0, 1e-6);
}

TEST_F(Levels, BadFiguresWriteNothing) {
  cfg.figures = kFix + "levels_figures_duplicate.csv";
  std::string e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "levels_figures_duplicate.csv");
  EXPECT_CONTAINS(e, "data row 2");
  EXPECT_CONTAINS(e, "column 'indicator': a second mortality figure for zone 'A' (the first is on data row 1)");
  cfg.figures = kFix + "levels_figures_no_population.csv";
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "data row 2");
  EXPECT_CONTAINS(e, "column 'zone': zone 'C' is not in --population");
  {
    std::ofstream o(tmp / "f.csv");
    o << "zone,indicator,value\nB,deaths,1000000\n";
  }
  cfg.figures = (tmp / "f.csv").string();
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "data row 1");
  EXPECT_CONTAINS(e,
                  "column 'value': zone 'B': mortality fit: deaths by the Brass logit model 1000000 cannot be reached");
  cfg.figures = kFix + "levels_figures.csv";  // A's e0 needs the sex ratio at birth
  cfg.srb = 0;
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "--srb: missing");
  {
    std::ofstream o(tmp / "f.csv");
    o << "zone,indicator,value\nA,gdp,99\n";
  }
  cfg.figures = (tmp / "f.csv").string();
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "column 'indicator': indicator 'gdp'; expected e0, deaths or cdr_per_1000");
  EXPECT_FALSE(fs::exists(out));
}

// Round 27: a fertility figure that needs more than 1 birth per woman per year at some age (a crude birth rate of
// 999 per 1000 fitted k = 90.8, a TFR of 110) wrote asfr_by_zone.csv without a word; --srb given out of its range
// (nan, -5, 200) was ignored when no figure is an e0; an --asfr age past int reached a cast (undefined behaviour).
TEST_F(Levels, FitsNoScenarioReadsAndBadOptionsWriteNothing) {
  {
    std::ofstream o(tmp / "f.csv");
    o << "zone,indicator,value\nA,births,300\nB,cbr_per_1000,999\n";
  }
  cfg.figures = (tmp / "f.csv").string();
  std::string e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "data row 2");
  EXPECT_CONTAINS(e, "column 'value': zone 'B': cbr_per_1000 999 needs ");
  EXPECT_CONTAINS(e, "births per woman per year at ages 25-29");
  EXPECT_CONTAINS(e, "expected at most 1 at every age");
  EXPECT_FALSE(fs::exists(out));
  {
    std::ofstream o(tmp / "f.csv");
    o << "zone,indicator,value\nA,tfr,20\n";  // k = 20 / (5 · 0.242) = 16.5; 16.5 × 0.08 at 25-29 is 1.32
  }
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "column 'value': zone 'A': tfr 20 needs 16.52");
  EXPECT_CONTAINS(e, "times the standard ASFR, 1.32");
  EXPECT_CONTAINS(e, "births per woman per year at ages 25-29 (TFR ");
  EXPECT_FALSE(fs::exists(out));
  {
    std::ofstream o(tmp / "f.csv");
    o << "zone,indicator,value\nA,births,300\n";
  }
  for (const double srb : {std::nan(""), -5.0, 200.0}) {
    cfg.srb = srb;
    e = error_of([&] { app::estimate_levels(cfg); });
    EXPECT_CONTAINS(e, "--srb: ");
    EXPECT_CONTAINS(e, "expected a sex ratio at birth of 90 to 130 males per 100 females");
    EXPECT_FALSE(fs::exists(out));
  }
  cfg.srb = 105;
  {
    std::ofstream o(tmp / "asfr.csv");
    o << "age,asfr\n25,0.1\n4294967300,0.1\n";
  }
  cfg.asfr = (tmp / "asfr.csv").string();
  e = error_of([&] { app::estimate_levels(cfg); });
  EXPECT_CONTAINS(e, "data row 2");
  EXPECT_CONTAINS(e, "age 4294967300; expected the first age of a five-year group below the open age 50");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
