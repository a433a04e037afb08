// SPDX-License-Identifier: Apache-2.0
// The comparison measures (hand-checked), the naive benchmarks and `cohortgis backtest` on the tiny scenario
// (tests/fixtures/scenarios/good.toml: zones A and B with 10,000 persons each at the end of 2020).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/comparison.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"
#include "error_of.hpp"

namespace fs = std::filesystem;
namespace app = cohortgis::app;
using cohortgis::test::error_of;

namespace {

const std::string kFix = COHORTGIS_FIXTURES;

TEST(Comparison, ErrorPercentAndDifference) {
  EXPECT_DOUBLE_EQ(app::error_percent(110, 100), 10.0);
  EXPECT_DOUBLE_EQ(app::error_percent(90, 120), -25.0);
  EXPECT_TRUE(std::isnan(app::error_percent(5, 0)));
  const auto d = app::compare_values(200, 190);
  EXPECT_DOUBLE_EQ(d.difference, -10.0);
  EXPECT_DOUBLE_EQ(d.relative_difference, -0.05);
  EXPECT_TRUE(std::isnan(app::compare_values(0, 3).relative_difference));
}

// By hand: errors +10, -5, +6 → MAPE 21/3 = 7, MALPE 11/3, worst A (+10), within 5 %: B only, within 10 %: all
// three, area total 353 against 350 → +0.857142… %.
TEST(Comparison, SummaryMeasuresByHand) {
  const auto s = app::summarize_errors({{"A", 100, 110}, {"B", 200, 190}, {"C", 50, 53}});
  EXPECT_EQ(s.zones, 3u);
  EXPECT_NEAR(s.mape_percent, 7.0, 1e-12);
  EXPECT_NEAR(s.malpe_percent, 11.0 / 3.0, 1e-12);
  EXPECT_EQ(s.worst_zone, "A");
  EXPECT_NEAR(s.worst_error_percent, 10.0, 1e-12);
  EXPECT_NEAR(s.share_within_5_percent, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.share_within_10_percent, 1.0, 1e-12);
  EXPECT_NEAR(s.total_error_percent, 300.0 / 350.0, 1e-12);
  // Smith, Tayman & Swanson (2013) ch. 13: weighted MAPE 100 · (10 + 10 + 3) / 350, MedAPE of 10, 5, 6 = 6, RMSE
  // √((10² + 10² + 3²) / 3) persons.
  EXPECT_NEAR(s.weighted_mape_percent, 2300.0 / 350.0, 1e-12);
  EXPECT_NEAR(s.median_ape_percent, 6.0, 1e-12);
  EXPECT_NEAR(s.rmse_persons, std::sqrt(209.0 / 3.0), 1e-12);
}

TEST(Comparison, WorstZoneKeepsItsSignAndBadZonesAreRefused) {
  const auto s = app::summarize_errors({{"A", 100, 101}, {"B", 100, 70}});
  EXPECT_EQ(s.worst_zone, "B");
  EXPECT_NEAR(s.worst_error_percent, -30.0, 1e-12);
  EXPECT_NEAR(s.median_ape_percent, (1.0 + 30.0) / 2, 1e-12);  // an even count: the mean of the middle two
  EXPECT_CONTAINS(error_of([] { app::summarize_errors({{"Z", 0, 5}}); }), "zone Z: observed population 0");
  EXPECT_CONTAINS(error_of([] { app::summarize_errors({}); }), "no zones");
}

TEST(Comparison, Benchmarks) {
  const auto c = app::constant_share({100, 300}, 800);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_DOUBLE_EQ(c[0], 200);
  EXPECT_DOUBLE_EQ(c[1], 600);
  // 2000 → 2010 extended to 2020 (one more decade), and to 2015 (half); a line below 0 stops at 0.
  const auto l = app::linear_trend({80, 100, 100}, 2000, {100, 90, 10}, 2010, 2020);
  EXPECT_DOUBLE_EQ(l[0], 120);
  EXPECT_DOUBLE_EQ(l[1], 80);
  EXPECT_DOUBLE_EQ(l[2], 0);
  EXPECT_DOUBLE_EQ(app::linear_trend({80}, 2000, {100}, 2010, 2015)[0], 110);
  EXPECT_CONTAINS(error_of([] { app::linear_trend({1}, 2010, {1}, 2010, 2020); }), "not before the launch year");
  EXPECT_CONTAINS(error_of([] { app::constant_share({0, 0}, 5); }), "launch-year area total is 0");
  EXPECT_DOUBLE_EQ(app::interpolate_linear({2020, 2025}, {100, 200}, 2022), 140);
  EXPECT_DOUBLE_EQ(app::interpolate_linear({2020, 2025}, {100, 200}, 2025), 200);
  EXPECT_TRUE(std::isnan(app::interpolate_linear({2020, 2025}, {100, 200}, 2026)));
}

struct Backtest : ::testing::Test {
  fs::path out = fs::temp_directory_path() / ("cohortgis_backtest_" + std::to_string(::getpid()));
  fs::path tmp = out.string() + "_in";  // tables a test writes, gone even when it fails
  void SetUp() override {
    fs::remove_all(out);
    fs::remove_all(tmp);
  }
  void TearDown() override {
    fs::remove_all(out);
    fs::remove_all(tmp);
  }
  app::BacktestConfig config(const std::string& observed, const std::string& earlier = {}) const {
    app::BacktestConfig c;
    c.run.scenario = kFix + "/scenarios/good.toml";
    c.run.out_dir = out.string();
    c.run.quiet = true;
    c.run.data_dir = COHORTGIS_DATA;
    c.observed = kFix + "/backtest/" + observed;
    if (!earlier.empty()) c.earlier = kFix + "/backtest/" + earlier;
    return c;
  }
};

// A host's set (Python's backtest(ScenarioSet)) is back-tested as it is: not the file named, not the file it came
// from (a set built in Python has none; "" was read as the default scenario): its runs, here the baseline alone.
TEST_F(Backtest, AHostSetIsBackTestedAsItIs) {
  cohortgis::scenarios::ScenarioSet set =
      cohortgis::scenarios::load_scenario_file(kFix + "/scenarios/good.toml", COHORTGIS_DATA);
  set.runs.resize(1);
  set.file.clear();
  app::BacktestConfig c = config("observed_tiny.csv", "earlier_tiny.csv");
  c.run.scenario = (tmp / "no-such.toml").string();
  c.run.scenario_set = &set;
  const auto s = app::backtest(c);
  std::vector<std::string> forecasts;
  for (const auto& f : s.scores) forecasts.push_back(f.forecast);
  EXPECT_EQ(forecasts, (std::vector<std::string>{"cohortgis", "no-change", "constant-share", "linear"}));
  // The same projection as the file's baseline.
  fs::remove_all(out);
  c.run.scenario = kFix + "/scenarios/good.toml";
  c.run.scenario_set = nullptr;
  const auto from_file = app::backtest(c);
  EXPECT_DOUBLE_EQ(s.scores.front().summary.mape_percent, from_file.scores.front().summary.mape_percent);
}

// Observed 2030: A 12,000 (a total row), B 5,000 women + 4,000 men (no total row), and A's girls aged 0-4: 900.
TEST_F(Backtest, ScoresTheProjectionAndTheBenchmarksByHand) {
  const auto s = app::backtest(config("observed_tiny.csv", "earlier_tiny.csv"));
  EXPECT_EQ(s.launch_year, 2020);
  EXPECT_EQ(s.observed_year, 2030);
  std::map<std::string, app::ErrorSummary> by;
  for (const auto& f : s.scores) by[f.forecast] = f.summary;
  ASSERT_EQ(by.size(), 5u);  // cohortgis, cohortgis:more, no-change, constant-share, linear
  ASSERT_TRUE(by.count("cohortgis:more"));

  // no-change: 10,000 each → A −16.67 %, B +11.11 %.
  const auto& nc = by.at("no-change");
  EXPECT_NEAR(nc.mape_percent, (100.0 * 2000 / 12000 + 100.0 * 1000 / 9000) / 2, 1e-9);
  EXPECT_NEAR(nc.malpe_percent, (-100.0 * 2000 / 12000 + 100.0 * 1000 / 9000) / 2, 1e-9);
  EXPECT_EQ(nc.worst_zone, "A");
  EXPECT_NEAR(nc.worst_error_percent, -100.0 * 2000 / 12000, 1e-9);
  EXPECT_DOUBLE_EQ(nc.share_within_5_percent, 0.0);
  EXPECT_DOUBLE_EQ(nc.share_within_10_percent, 0.0);
  EXPECT_NEAR(nc.total_error_percent, 100.0 * (20000.0 - 21000) / 21000, 1e-9);
  // linear: A 8,000 (2010) → 10,000 (2020) → 12,000 (2030); B 11,000 → 10,000 → 9,000: exactly the observed.
  EXPECT_NEAR(by.at("linear").mape_percent, 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(by.at("linear").share_within_5_percent, 1.0);

  // The rows: every forecast's zone totals, then the rows given below a total; the projection's own area total is
  // what constant-share distributes.
  const auto rows = cohortgis::test::read_csv((out / "backtest.csv").string());
  ASSERT_EQ(rows.header, (std::vector<std::string>{"forecast", "zone", "group", "sex", "age", "observed", "projected",
                                                   "error_percent"}));
  std::map<std::string, double> projected;
  for (std::size_t r = 0; r < rows.rows.size(); ++r) {
    const std::string key = rows.at(r, "forecast") + "/" + rows.at(r, "zone") + "/" + rows.at(r, "sex") + "/" +
                            rows.at(r, "age");
    projected[key] = rows.num(r, "projected");
    EXPECT_NEAR(rows.num(r, "error_percent"),
                100 * (rows.num(r, "projected") - rows.num(r, "observed")) / rows.num(r, "observed"), 1e-9);
  }
  ASSERT_EQ(rows.rows.size(), 5u * 5u);  // per forecast: 2 zone totals + 3 rows given (A's total is one of them)
  EXPECT_DOUBLE_EQ(projected.at("no-change/A/all/all"), 10000);
  EXPECT_DOUBLE_EQ(projected.at("no-change/A/female/0"), 1000);  // base.csv
  EXPECT_DOUBLE_EQ(projected.at("no-change/B/male/all"), 5000);
  EXPECT_NEAR(projected.at("linear/A/female/0"), 1000.0 * 12000 / 10000, 1e-9);
  const double total = projected.at("cohortgis/A/all/all") + projected.at("cohortgis/B/all/all");
  EXPECT_NEAR(projected.at("constant-share/A/all/all"), total / 2, 1e-9);
  EXPECT_NEAR(projected.at("constant-share/B/female/all"), 5000 * total / 20000, 1e-9);
  EXPECT_NEAR(by.at("cohortgis").total_error_percent, 100 * (total - 21000) / 21000, 1e-9);

  const auto sum = cohortgis::test::read_csv((out / "backtest_summary.csv").string());
  EXPECT_EQ(sum.header,
            (std::vector<std::string>{"forecast", "mape_percent", "malpe_percent", "worst_zone", "worst_error_percent",
                                      "share_within_5_percent", "share_within_10_percent", "total_error_percent",
                                      "weighted_mape_percent", "median_ape_percent", "rmse_persons", "launch_year",
                                      "observed_year"}));
  // Which year is which: launched 2020, scored on the figures of 2030, in every row.
  for (std::size_t r = 0; r < sum.rows.size(); ++r) {
    EXPECT_EQ(sum.at(r, "launch_year"), "2020");
    EXPECT_EQ(sum.at(r, "observed_year"), "2030");
  }
  // no-change: |−2,000| + |+1,000| over 21,000 observed; MedAPE the mean of 16.67 and 11.11; RMSE √((2000² + 1000²)/2).
  EXPECT_NEAR(sum.num(2, "weighted_mape_percent"), 100.0 * 3000 / 21000, 1e-9);
  EXPECT_NEAR(sum.num(2, "median_ape_percent"), nc.mape_percent, 1e-9);
  EXPECT_NEAR(sum.num(2, "rmse_persons"), std::sqrt((2000.0 * 2000 + 1000.0 * 1000) / 2), 1e-6);
  // By age over the area: A's girls aged 0-4 (900 observed; the launch year's 1,000 for no-change), one zone.
  const auto age = cohortgis::test::read_csv((out / "backtest_by_age.csv").string());
  EXPECT_EQ(age.header, (std::vector<std::string>{"forecast", "sex", "age", "zones", "observed", "projected",
                                                  "error_percent", "mape_percent"}));
  ASSERT_EQ(age.rows.size(), 5u);  // one row (female 0) per forecast
  EXPECT_EQ(age.at(2, "forecast"), "no-change");
  EXPECT_EQ(age.at(2, "sex"), "female");
  EXPECT_EQ(age.at(2, "age"), "0");
  EXPECT_EQ(age.at(2, "zones"), "1");
  EXPECT_DOUBLE_EQ(age.num(2, "observed"), 900);
  EXPECT_DOUBLE_EQ(age.num(2, "projected"), 1000);
  EXPECT_NEAR(age.num(2, "error_percent"), 100.0 * 100 / 900, 1e-9);
  EXPECT_NEAR(age.num(2, "mape_percent"), 100.0 * 100 / 900, 1e-9);
  EXPECT_NEAR(age.num(0, "projected"), projected.at("cohortgis/A/female/0"), 1e-9);
  ASSERT_EQ(sum.rows.size(), 5u);
  EXPECT_EQ(sum.at(0, "forecast"), "cohortgis");
  EXPECT_EQ(sum.at(1, "forecast"), "cohortgis:more");
  EXPECT_EQ(sum.at(4, "forecast"), "linear");
  EXPECT_TRUE(fs::exists(out / "population.csv"));  // the run's own files are there too
  EXPECT_TRUE(fs::exists(out / "report.html"));
  // manifest.json records the exam (path and SHA-256) and the back-test's files, and still reads as a manifest.
  const auto meta = app::read_manifest((out / "manifest.json").string());
  EXPECT_EQ(meta.scenario, "tiny");
  std::ifstream in(out / "manifest.json");
  const std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_CONTAINS(manifest, "\"backtest_summary.csv\"");
  EXPECT_CONTAINS(manifest, "\"backtest_inputs.csv\"");
  EXPECT_CONTAINS(manifest, "\"backtest_by_age.csv\"");
  const std::string exam = cohortgis::test::slurp((out / "backtest_inputs.csv").string());
  EXPECT_CONTAINS(exam, "observed," + kFix + "/backtest/observed_tiny.csv,");
  EXPECT_CONTAINS(exam, "earlier_tiny.csv");
  // `cohortgis report` on the folder keeps the back-test section (the scenario has no boundaries: no error maps).
  app::make_report(out.string(), app::Language::en);
  std::ifstream rin(out / "report.html");
  const std::string html((std::istreambuf_iterator<char>(rin)), std::istreambuf_iterator<char>());
  EXPECT_CONTAINS(html,
                  "<section id=\"backtest\"><h2>Back-test: projected against observed population, 2030 (launched "
                  "2020)</h2>");
  EXPECT_EQ(html.find("<th>launch_year</th>"), std::string::npos);  // the years are in the title, not the table
  EXPECT_CONTAINS(html, "<td>no-change</td><td>13.9</td>");
}

// By age over two zones, by hand for no-change (the launch year's 1,000 in every cell of base.csv): girls aged 0-4
// observed A 900, B 1,100 — the area's error 100 · (2,000 − 2,000) / 2,000 = 0, the zones' MAPE (100/9 + 100/11) / 2;
// girls aged 5-9 observed A 0, B 800 — two zones, the area's error 100 · (2,000 − 800) / 800 = 150, and the MAPE is
// B's alone, 25 (a cell of 0 persons has no percentage error).
TEST_F(Backtest, ErrorsByAgeOverTheAreaAndTheirMapeOverZonesByHand) {
  fs::create_directories(tmp);
  std::ofstream(tmp / "observed_by_age.csv") << "year,zone,group,sex,age,population\n2030,A,all,all,all,12000\n"
                                                "2030,A,all,female,0,900\n2030,A,all,female,5,0\n"
                                                "2030,B,all,female,all,5000\n2030,B,all,male,all,4000\n"
                                                "2030,B,all,female,0,1100\n2030,B,all,female,5,800\n";
  auto c = config("observed_tiny.csv");
  c.observed = (tmp / "observed_by_age.csv").string();
  c.run.report = false;
  c.run.variants = {"baseline"};
  app::backtest(c);
  const auto age = cohortgis::test::read_csv((out / "backtest_by_age.csv").string());
  ASSERT_EQ(age.rows.size(), 3u * 2u);  // cohortgis, no-change, constant-share × girls 0-4, 5-9
  ASSERT_EQ(age.at(2, "forecast"), "no-change");
  EXPECT_EQ(age.at(2, "age"), "0");
  EXPECT_EQ(age.at(2, "zones"), "2");
  EXPECT_DOUBLE_EQ(age.num(2, "observed"), 2000);
  EXPECT_DOUBLE_EQ(age.num(2, "projected"), 2000);
  EXPECT_NEAR(age.num(2, "error_percent"), 0.0, 1e-12);
  EXPECT_NEAR(age.num(2, "mape_percent"), (100.0 / 9 + 100.0 / 11) / 2, 1e-9);
  EXPECT_EQ(age.at(3, "age"), "5");
  EXPECT_EQ(age.at(3, "zones"), "2");
  EXPECT_NEAR(age.num(3, "error_percent"), 150.0, 1e-9);
  EXPECT_NEAR(age.num(3, "mape_percent"), 25.0, 1e-9);
}

TEST_F(Backtest, WithoutAnEarlierYearThereIsNoLinearBenchmark) {
  auto c = config("observed_tiny.csv");
  c.run.report = false;
  c.run.variants = {"baseline"};
  const auto s = app::backtest(c);
  ASSERT_EQ(s.scores.size(), 3u);
  EXPECT_EQ(s.scores[0].forecast, "cohortgis");
  EXPECT_EQ(s.scores[1].forecast, "no-change");
  EXPECT_EQ(s.scores[2].forecast, "constant-share");
}

// The exam is read only to be scored: an observed table of absurd figures (every count × 1000 + 7) leaves every file
// of the projection byte for byte the same and changes only the back-test's own files.
TEST_F(Backtest, TheProjectionNeverReadsTheObservedFigures) {
  fs::create_directories(tmp);
  {
    std::ofstream m(tmp / "observed_mutant.csv");
    m << "year,zone,group,sex,age,population\n2030,A,all,all,all,12000007\n2030,A,all,female,0,900007\n"
         "2030,B,all,female,all,5000007\n2030,B,all,male,all,4000007\n";
  }
  auto c = config("observed_tiny.csv", "earlier_tiny.csv");
  c.run.report = false;
  const auto real = app::backtest(c);
  const fs::path first = tmp / "real";
  fs::rename(out, first);
  c.observed = (tmp / "observed_mutant.csv").string();
  const auto mutant = app::backtest(c);
  std::size_t compared = 0;
  for (const auto& e : fs::directory_iterator(first)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("backtest", 0) == 0 || name == "manifest.json") continue;
    EXPECT_EQ(cohortgis::test::slurp(e.path().string()), cohortgis::test::slurp((out / name).string())) << name;
    ++compared;
  }
  EXPECT_GE(compared, 3u);  // population.csv, components.csv, indicators.csv …
  ASSERT_EQ(real.scores.size(), mutant.scores.size());
  for (std::size_t f = 0; f < real.scores.size(); ++f)  // every forecast is scored on the mutant: far too low
    EXPECT_LT(mutant.scores[f].summary.malpe_percent, -99.0) << mutant.scores[f].forecast;
  EXPECT_NE(cohortgis::test::slurp((first / "backtest.csv").string()),
            cohortgis::test::slurp((out / "backtest.csv").string()));
}

// A level fitted to a figure of 2025 in a projection launched in 2020 and scored on 2030: the back-test warns that
// the projection may have seen the period it predicts; a scenario without fits gives no warning.
TEST_F(Backtest, ALevelFittedAfterTheLaunchYearIsAWarning) {
  auto c = config("observed_tiny.csv");
  c.run.report = false;
  c.run.scenario = kFix + "/scenarios/backtest_fitted.toml";
  const auto fitted = app::backtest(c);
  ASSERT_EQ(fitted.warnings.size(), 1u);
  EXPECT_CONTAINS(fitted.warnings[0], "cohortgis: Fertility level fitted ([fertility] fit)");
  EXPECT_CONTAINS(fitted.warnings[0],
                  "(target 12 for 2025). The fitted figure is of a year after the launch year 2020");
  fs::remove_all(out);
  c.run.scenario = kFix + "/scenarios/good.toml";
  EXPECT_TRUE(app::backtest(c).warnings.empty());
}

// A census table has no `group` column: its rows are of group `all` (it was "missing column 'group'"). The same
// figures as observed_tiny.csv score the same.
TEST_F(Backtest, AnObservedTableWithoutAGroupColumnIsOfGroupAll) {
  fs::create_directories(tmp);
  const fs::path file = tmp / "nogroup.csv";
  std::ofstream(file) << "year,zone,sex,age,population\n2030,A,all,all,12000\n2030,A,female,0,900\n"
                         "2030,B,female,all,5000\n2030,B,male,all,4000\n";
  auto c = config("observed_tiny.csv");
  c.run.report = false;
  c.run.variants = {"baseline"};
  const auto with_group = app::backtest(c);
  fs::remove_all(out);
  c.observed = file.string();
  const auto without = app::backtest(c);
  ASSERT_EQ(without.scores.size(), with_group.scores.size());
  for (std::size_t f = 0; f < without.scores.size(); ++f) {
    EXPECT_DOUBLE_EQ(without.scores[f].summary.mape_percent, with_group.scores[f].summary.mape_percent);
    EXPECT_DOUBLE_EQ(without.scores[f].summary.total_error_percent, with_group.scores[f].summary.total_error_percent);
  }
}

// An observed table in the layout of population.csv of a run with parity: A's girls aged 0-4 given as parity 0 (600)
// and 1 (300) score as the one cell of 900 persons of observed_tiny.csv; an empty parity cell is `all`.
TEST_F(Backtest, ObservedRowsByParityAreSummedIntoTheirCell) {
  auto c = config("observed_parity.csv");
  c.run.report = false;
  c.run.variants = {"baseline"};
  const auto s = app::backtest(c);
  const auto rows = cohortgis::test::read_csv((out / "backtest.csv").string());
  std::map<std::string, double> observed;
  for (std::size_t r = 0; r < rows.rows.size(); ++r)
    observed[rows.at(r, "forecast") + "/" + rows.at(r, "zone") + "/" + rows.at(r, "sex") + "/" + rows.at(r, "age")] =
        rows.num(r, "observed");
  EXPECT_DOUBLE_EQ(observed.at("cohortgis/A/female/0"), 900);
  EXPECT_DOUBLE_EQ(observed.at("cohortgis/B/all/all"), 9000);  // B's total from its two rows
  EXPECT_EQ(rows.rows.size(), 3u * 5u);                        // 3 forecasts × (2 zone totals + 3 rows given)
  ASSERT_EQ(s.scores.size(), 3u);
  fs::remove_all(out);
  const std::string men = error_of([&] { app::backtest(config("observed_parity_men.csv")); });
  EXPECT_CONTAINS(men, "observed_parity_men.csv");
  EXPECT_CONTAINS(men, "column 'parity': parity 1 for sex male; expected all (parity is given for women only)");
  EXPECT_CONTAINS(error_of([&] { app::backtest(config("observed_parity_twice.csv")); }),
                  "the same zone, group, sex, age and parity as data row 2");
  EXPECT_FALSE(fs::exists(out));
}

// A zone's rows at two levels hold the same persons: A's women 6,000 beside A's women by age (1,000 × 4 + 1,500 =
// 5,500) were each scored without a word (round 27), two stories of the same women. Every row a whole set of finer
// rows covers must agree with their sum, as a full breakdown must with the zone total; the rows of a level that does
// not cover it (A's men, given only as a whole) are scored on their own. With A's women aged 20+ 2,000 they agree.
TEST_F(Backtest, RowsOfTwoLevelsMustHoldTheSamePersons) {
  fs::create_directories(tmp);
  const auto table = [&](int women_20) {
    std::ofstream(tmp / "nested.csv") << "year,zone,group,sex,age,population\n2030,A,all,all,all,12000\n"
                                         "2030,A,all,female,all,6000\n2030,A,all,male,all,6000\n"
                                         "2030,A,all,female,0,1000\n2030,A,all,female,5,1000\n"
                                         "2030,A,all,female,10,1000\n2030,A,all,female,15,1000\n"
                                         "2030,A,all,female,20,"
                                      << women_20 << "\n2030,B,all,all,all,9000\n";
  };
  auto c = config("observed_tiny.csv");
  c.observed = (tmp / "nested.csv").string();
  c.run.report = false;
  c.run.variants = {"baseline"};
  table(1500);
  EXPECT_CONTAINS(error_of([&] { app::backtest(c); }),
                  "/nested.csv, column 'population': zone A (Zone A): its rows by age with sex female add up to 5500 "
                  "persons, but its row with sex female (data row 2) gives 6000; expected the same number: both hold "
                  "the same persons (--observed)");
  EXPECT_FALSE(fs::exists(out));
  table(2000);
  app::backtest(c);
  const auto rows = cohortgis::test::read_csv((out / "backtest.csv").string());
  EXPECT_EQ(rows.rows.size(), 3u * 9u);  // cohortgis, no-change, constant-share × the 2 zone totals and 7 rows
}

TEST_F(Backtest, BadObservedTablesWriteNothing) {
  const std::string missing = error_of([&] { app::backtest(config("observed_missing_zone.csv")); });
  EXPECT_CONTAINS(missing, "observed_missing_zone.csv, column 'zone': no rows for zone B (Zone B)");
  const std::string unknown = error_of([&] { app::backtest(config("observed_unknown_zone.csv")); });
  EXPECT_CONTAINS(unknown, "data row 2");
  EXPECT_CONTAINS(unknown, "column 'zone': zone 'C' is not a zone of the projection");
  EXPECT_CONTAINS(error_of([&] { app::backtest(config("observed_year_not_projected.csv")); }),
                  "column 'year': 2027; expected a year the projection reaches");
  EXPECT_CONTAINS(error_of([&] { app::backtest(config("observed_no_total.csv")); }), "zone B (Zone B) has no zone total");
  // A full breakdown that does not add up to the zone total (scored on both without a word before).
  fs::create_directories(tmp);
  const fs::path sums = tmp / "sums.csv";
  std::ofstream(sums) << "year,zone,group,sex,age,population\n2030,A,all,all,all,12000\n2030,A,all,female,all,5000\n"
                         "2030,A,all,male,all,6000\n2030,B,all,female,all,5000\n2030,B,all,male,all,4000\n";
  auto bad_sums = config("observed_tiny.csv");
  bad_sums.observed = sums.string();
  EXPECT_CONTAINS(error_of([&] { app::backtest(bad_sums); }),
                  "/sums.csv, column 'population': zone A (Zone A): its rows by sex add up to 11000 persons, but its "
                  "row with group, sex and age all gives 12000; expected the same number (--observed)");
  // Without a total row, two full breakdowns of B (by age: 9,500; by sex: 9,000) that disagree.
  std::ofstream(sums) << "year,zone,group,sex,age,population\n2030,A,all,all,all,12000\n2030,B,all,female,all,5000\n"
                         "2030,B,all,male,all,4000\n2030,B,all,all,0,1900\n2030,B,all,all,5,1900\n"
                         "2030,B,all,all,10,1900\n2030,B,all,all,15,1900\n2030,B,all,all,20,1900\n";
  EXPECT_CONTAINS(error_of([&] { app::backtest(bad_sums); }),
                  "zone B (Zone B): its rows by sex add up to 9000 persons, but its rows by age give 9500; expected "
                  "the same number (--observed)");
  fs::remove_all(tmp);  // before the count of what is left below
  EXPECT_CONTAINS(error_of([&] { app::backtest(config("observed_tiny.csv", "observed_tiny.csv")); }),
                  "expected a year before the launch year 2020");
  EXPECT_CONTAINS(error_of([&] { app::backtest(config("observed_persons_huge.csv")); }),
                  "data row 1 (row 2 counting the header row), column 'population': 9223372036854775808 persons; "
                  "expected at most 1e12");
  EXPECT_FALSE(fs::exists(out));
  std::size_t left = 0;
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    left += e.path().filename().string().rfind(out.filename().string(), 0) == 0;
  EXPECT_EQ(left, 0u);  // no temporary folder either
}

}  // namespace

// ---- the shipped example scenarios/examples/beijing-backtest-2010 ----

#include <fstream>
#include <sstream>

#include "cohortgis/app/estimate.hpp"
#include "cohortgis/app/estimate_levels.hpp"

namespace {


const fs::path kExample = fs::path(COHORTGIS_EXAMPLES) / "beijing-backtest-2010";

// The shipped estimated/ tables are what `cohortgis estimate` writes from the 2000 and 2010 censuses, and its
// manifest shows that the 2020 census (the exam) was not read.
TEST(BacktestExample, EstimateReproducesTheShippedTablesWithoutThe2020Census) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_bt_estimate_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::EstimateConfig c;
  c.first = (kExample / "census2000_units.csv").string();
  c.first_crosswalk = (kExample / "crosswalk_2000_2020.csv").string();
  c.second = (kExample / "census2010_units.csv").string();
  c.second_crosswalk = (kExample / "crosswalk_2010_2020.csv").string();
  c.first_year = 2000;
  c.second_year = 2010;
  c.out_dir = out.string();
  const auto s = app::estimate(c);
  EXPECT_EQ(s.zones.size(), 16u);
  for (const char* f : {"net_migration.csv", "population_2010.csv"})
    EXPECT_EQ(cohortgis::test::slurp((out / f).string()), cohortgis::test::slurp((kExample / "estimated" / f).string())) << f;
  // The crosswalks applied exactly (an accounting identity): each 2020 district's 2010 population is the sum of its
  // 2010 units' counts (weights 1: merges and renamings), and its net migrants a year are (P2010 − P2000) / 10 with
  // both censuses summed through their crosswalks (totals method, r = 0).
  std::map<std::string, double> p2000, p2010, written, net;
  const auto through = [](const fs::path& census, const fs::path& crosswalk, std::map<std::string, double>& to) {
    const auto cw = cohortgis::test::read_csv(crosswalk.string());
    const auto table = cohortgis::test::read_csv(census.string());
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      for (std::size_t k = 0; k < cw.rows.size(); ++k)
        if (cw.at(k, "from") == table.at(r, "zone"))
          to[cw.at(k, "to")] += cw.num(k, "weight") * table.num(r, "population");
  };
  through(kExample / "census2000_units.csv", kExample / "crosswalk_2000_2020.csv", p2000);
  through(kExample / "census2010_units.csv", kExample / "crosswalk_2010_2020.csv", p2010);
  const auto pop = cohortgis::test::read_csv((out / "population_2010.csv").string());
  for (std::size_t r = 0; r < pop.rows.size(); ++r) written[pop.at(r, "zone")] += pop.num(r, "population");
  const auto nm = cohortgis::test::read_csv((out / "net_migration.csv").string());
  for (std::size_t r = 0; r < nm.rows.size(); ++r) net[nm.at(r, "zone")] += nm.num(r, "value");
  ASSERT_EQ(written.size(), 16u);
  ASSERT_EQ(p2010.size(), 16u);
  for (const auto& [zone, persons] : p2010) {
    EXPECT_EQ(written.at(zone), persons) << zone;
    EXPECT_NEAR(net.at(zone), (persons - p2000.at(zone)) / 10, 1e-6) << zone;
  }
  const std::string manifest = cohortgis::test::slurp((kExample / "estimated" / "manifest.json").string());
  EXPECT_CONTAINS(manifest, "census2000_units.csv");
  EXPECT_EQ(manifest.find("observed_2020"), std::string::npos) << manifest;
  EXPECT_EQ(manifest.find("census2020"), std::string::npos) << manifest;
  // The options that change the outputs are in the manifest written, beside the inputs (repeatable from it).
  EXPECT_CONTAINS(cohortgis::test::slurp((out / "manifest.json").string()),
                  "\n  \"options\": {\"step\": 5, \"open_age\": 85, \"mx_filter\": [], \"natural_growth_per_1000\": 0, "
                  "\"female_share\": 0.5},\n");
  fs::remove_all(out);
}

// The shipped estimated_levels/ tables are what `cohortgis estimate --levels` writes from the 2010 census's infants
// (births_2010.csv) and women (estimated/population_2010.csv) on China's WPP 2010-2015 ASFR; the 2020 census is not
// read, and each district's written schedule gives its births again.
TEST(BacktestExample, DistrictFertilityLevelsFromThe2010Census) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_bt_levels_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::LevelsConfig c;
  c.figures = (kExample / "births_2010.csv").string();
  c.population = (kExample / "estimated" / "population_2010.csv").string();
  c.asfr = std::string(COHORTGIS_DATA) + "/wpp/fertility_asfr_5y_2010_2020.csv";
  c.asfr_filter = {{"iso3", "CHN"}, {"period_start", "2010"}};
  c.out_dir = out.string();
  const auto s = app::estimate_levels(c);
  ASSERT_EQ(s.levels.size(), 16u);
  for (const char* f : {"levels.csv", "asfr_by_zone.csv"})
    EXPECT_EQ(cohortgis::test::slurp((out / f).string()),
              cohortgis::test::slurp((kExample / "estimated_levels" / f).string()))
        << f;
  const std::string manifest = cohortgis::test::slurp((kExample / "estimated_levels" / "manifest.json").string());
  EXPECT_CONTAINS(manifest, "births_2010.csv");
  EXPECT_EQ(manifest.find("observed_2020"), std::string::npos) << manifest;
  EXPECT_EQ(manifest.find("census2020"), std::string::npos) << manifest;
  // Which rows of the standard were read (the filters) and the grid: in the manifest written, beside the inputs.
  EXPECT_CONTAINS(cohortgis::test::slurp((out / "manifest.json").string()),
                  "\n  \"options\": {\"open_age\": 85, \"srb\": 0, \"mx_filter\": [], \"asfr_filter\": [\"iso3=CHN\", "
                  "\"period_start=2010\"]},\n");
  // Births again from the written schedules: Σ_age asfr(zone, age) · women(zone, age) = the figure.
  const auto asfr = cohortgis::test::read_csv((out / "asfr_by_zone.csv").string());
  const auto pop = cohortgis::test::read_csv((kExample / "estimated" / "population_2010.csv").string());
  const auto births = cohortgis::test::read_csv((kExample / "births_2010.csv").string());
  std::map<std::pair<std::string, std::string>, double> women;
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    if (pop.at(r, "sex") == "female") women[{pop.at(r, "zone"), pop.at(r, "age")}] = pop.num(r, "population");
  std::map<std::string, double> got;
  for (std::size_t r = 0; r < asfr.rows.size(); ++r)
    got[asfr.at(r, "zone")] += asfr.num(r, "value") * women.at({asfr.at(r, "zone"), asfr.at(r, "age")});
  for (std::size_t r = 0; r < births.rows.size(); ++r)
    EXPECT_NEAR(got.at(births.at(r, "zone")), births.num(r, "value"), 1e-6) << births.at(r, "zone");
  fs::remove_all(out);
}

// The back-test runs and its README shows the summary it writes (MAPE of every forecast, one decimal).
TEST(BacktestExample, ScoresAndTheReadmeShowsTheSummary) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_bt_example_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::BacktestConfig c;
  c.run.scenario = (kExample / "scenario.toml").string();
  c.run.out_dir = out.string();
  c.run.quiet = true;
  c.run.report = false;
  c.run.data_dir = COHORTGIS_DATA;
  c.observed = (kExample / "observed_2020.csv").string();
  c.earlier = (kExample / "earlier_2000.csv").string();
  const auto s = app::backtest(c);
  ASSERT_EQ(s.scores.size(), 7u);  // cohortgis, its variants e0-gain, district-fertility, plan-2004; three benchmarks
  // The plan's control total of 2020 is a figure of the year scored: the back-test says so (it was known in 2005, as
  // the README states; a total taken from the 2020 census would be the exam itself). No fit, no other warning.
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_CONTAINS(s.warnings[0],
                  "cohortgis:plan-2004: control totals ([controls]) of 2020, after the launch year 2010");
  for (const auto& f : s.scores) {
    if (f.forecast == "cohortgis:plan-2004") {  // the control total: the city holds the plan's 18 million in 2020
      EXPECT_NEAR(f.summary.total_error_percent, 100.0 * (18e6 - 21893095.0) / 21893095.0, 1e-6);
    }
  }
  const std::string readme = cohortgis::test::slurp((kExample / "README.md").string());
  for (const auto& f : s.scores) {
    char row[128];
    std::snprintf(row, sizeof row, "| %s | %.1f |", f.forecast.c_str(), f.summary.mape_percent);
    EXPECT_CONTAINS(readme, row);
    EXPECT_EQ(f.summary.zones, 16u);
  }
  fs::remove_all(out);
}

}  // namespace

// ---- the exam is never seen: Beijing 2010 → 2020 with everything dated after the launch year perturbed ----

namespace {

// Rewrites a plain comma-separated table (quoted fields, if any, after the columns used): column `value` becomes
// value × factor + add in the rows where `pick` (column → text) holds. Returns the rows changed.
std::size_t perturb(const fs::path& file, const std::string& value,
                    const std::function<bool(const std::map<std::string, std::string>&)>& pick, double factor,
                    double add) {
  std::ifstream in(file);
  std::string header, line, text;
  std::getline(in, header);
  std::vector<std::string> names;
  {
    std::stringstream h(header);
    for (std::string n; std::getline(h, n, ',');) names.push_back(n);
  }
  const std::size_t cv = std::find(names.begin(), names.end(), value) - names.begin();
  std::size_t changed = 0;
  text = header + "\n";
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t c = 0; c < names.size(); ++c) {  // the fields up to the first quote
      if (start < line.size() && line[start] == '"') break;
      const std::size_t end = line.find(',', start);
      cells.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells.size(); ++c) row[names[c]] = cells[c];
    if (cv < cells.size() && pick(row)) {
      std::ostringstream v;
      v.precision(17);
      v << std::stod(cells[cv]) * factor + add;
      std::size_t at = 0;
      for (std::size_t c = 0; c < cv; ++c) at = line.find(',', at) + 1;
      line.replace(at, cells[cv].size(), v.str());
      ++changed;
    }
    text += line + "\n";
  }
  in.close();
  std::ofstream(file, std::ios::trunc) << text;
  return changed;
}

// Everything a planner's back-test reads, in a folder of its own: the example and the data folder.
struct ExamCopy {
  fs::path root = fs::temp_directory_path() / ("cohortgis_bt_exam_" + std::to_string(::getpid()));
  fs::path ex = root / "example", data = root / "data";
  ExamCopy() {
    fs::remove_all(root);
    fs::create_directories(data);
    fs::copy(kExample, ex, fs::copy_options::recursive);
    fs::remove_all(ex / "results");
    for (const char* d : {"geo", "wpp", "census"})
      fs::copy(fs::path(COHORTGIS_DATA) / d, data / d, fs::copy_options::recursive);
    // The residual method needs an earlier census by age, which the example does not ship (its 2000 census has
    // district totals only): a 2005 census made of the 2010 one's cells × 0.9, so that `estimate --mx` runs.
    fs::copy_file(ex / "census2010_units.csv", ex / "census2005_by_age.csv");
    perturb(
        ex / "census2005_by_age.csv", "population", [](const std::map<std::string, std::string>&) { return true; }, 0.9,
        0.0);
  }
  ~ExamCopy() { fs::remove_all(root); }
  // What a planner runs: the estimate of migration (2000 and 2010 censuses), the district fertility levels (2010
  // births, WPP 2010-2015 ASFR) and the back-test of the shipped scenario; every projection file by name.
  std::map<std::string, std::string> run(const std::string& tag) const {
    std::map<std::string, std::string> files;
    app::EstimateConfig e;
    e.first = (ex / "census2000_units.csv").string();
    e.first_crosswalk = (ex / "crosswalk_2000_2020.csv").string();
    e.second = (ex / "census2010_units.csv").string();
    e.second_crosswalk = (ex / "crosswalk_2010_2020.csv").string();
    e.first_year = 2000;
    e.second_year = 2010;
    e.out_dir = (root / ("estimate_" + tag)).string();
    app::estimate(e);
    for (const char* f : {"net_migration.csv", "population_2010.csv"})
      files[std::string("estimate/") + f] = cohortgis::test::slurp((fs::path(e.out_dir) / f).string());
    // The residual (census-survival) method: the death rates of `--mx` through `--mx-filter iso3=CHN --mx-filter
    // period_start=2010`, as a planner launching in 2010 selects them from WPP's file of 2010-2020.
    app::EstimateConfig m = e;
    m.first = (ex / "census2005_by_age.csv").string();
    m.first_crosswalk = e.second_crosswalk;
    m.first_year = 2005;
    m.mx = (data / "wpp" / "mortality_mx_abridged_2010_2020.csv").string();
    m.mx_filter = {{"iso3", "CHN"}, {"period_start", "2010"}};
    m.out_dir = (root / ("residual_" + tag)).string();
    app::estimate(m);
    for (const char* f : {"net_migration.csv", "population_2010.csv"})
      files[std::string("residual/") + f] = cohortgis::test::slurp((fs::path(m.out_dir) / f).string());
    // (Its estimate_report.md lists the inputs' SHA-256, which a perturbation changes: not compared.)
    EXPECT_NE(cohortgis::test::slurp((fs::path(m.out_dir) / "estimate_report.md").string()).find("survival ratios"),
              std::string::npos);
    app::LevelsConfig l;
    l.figures = (ex / "births_2010.csv").string();
    l.population = (ex / "estimated" / "population_2010.csv").string();
    l.asfr = (data / "wpp" / "fertility_asfr_5y_2010_2020.csv").string();
    l.asfr_filter = {{"iso3", "CHN"}, {"period_start", "2010"}};
    l.out_dir = (root / ("levels_" + tag)).string();
    app::estimate_levels(l);
    for (const char* f : {"levels.csv", "asfr_by_zone.csv"})
      files[std::string("levels/") + f] = cohortgis::test::slurp((fs::path(l.out_dir) / f).string());
    app::BacktestConfig c;
    c.run.scenario = (ex / "scenario.toml").string();
    c.run.out_dir = (root / ("backtest_" + tag)).string();
    c.run.quiet = true;
    c.run.report = false;
    c.run.threads = 1;
    c.run.data_dir = data.string();
    c.observed = (ex / "observed_2020.csv").string();
    c.earlier = (ex / "earlier_2000.csv").string();
    app::backtest(c);
    for (const auto& f : fs::directory_iterator(c.run.out_dir)) {
      const std::string name = f.path().filename().string();
      // The back-test's own files score the exam; manifest.json holds the inputs' SHA-256.
      if (f.is_regular_file() && name.rfind("backtest", 0) != 0 && name != "manifest.json")
        files["projection/" + name] = cohortgis::test::slurp(f.path().string());
    }
    return files;
  }
};

bool after_2010(const std::map<std::string, std::string>& row) { return row.at("period_start") != "2010"; }
bool in_2010(const std::map<std::string, std::string>& row) { return row.at("period_start") == "2010"; }
bool any_row(const std::map<std::string, std::string>&) { return true; }

// Perturbing only what is dated after the launch year 2010 — the exam (observed_2020.csv), the 2020 census of
// data/census, WPP's rates of 2015-2020 (the scenario and the estimates select 2010-2015: the residual method's
// `--mx-filter` too) — leaves every estimate (migration from totals and by the residual method, district fertility
// levels) and every projection file byte for byte the same; perturbing data of the launch year (WPP's 2010-2015
// death rates, one unit of the 2010 census) changes them, so the comparison can fail. (A mutant of
// read_abridged_mx that applies only the first filter, iso3, reads the 2015-2020 rows and fails here.)
TEST(BacktestExam, NothingDatedAfterTheLaunchYearReachesTheProjection) {
  const ExamCopy copy;
  const auto before = copy.run("a");
  ASSERT_GE(before.size(), 9u);  // 2 estimate, 2 residual, 2 levels files, population.csv, components.csv …
  ASSERT_TRUE(before.count("projection/population.csv"));
  EXPECT_EQ(perturb(copy.ex / "observed_2020.csv", "population", any_row, 3.0, 0.0), 16u * 37u);
  EXPECT_GT(perturb(copy.data / "wpp" / "mortality_mx_abridged_2010_2020.csv", "mx", after_2010, 2.0, 0.0), 0u);
  EXPECT_GT(perturb(copy.data / "wpp" / "fertility_asfr_5y_2010_2020.csv", "asfr", after_2010, 2.0, 0.0), 0u);
  EXPECT_GT(perturb(copy.data / "census" / "census2020_districts.csv", "value", any_row, 2.0, 1.0), 100u);
  const auto after = copy.run("b");
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [name, bytes] : before) EXPECT_TRUE(after.at(name) == bytes) << name << " changed";

  // The launch year's own data: the projection and the estimate see it.
  EXPECT_GT(perturb(copy.data / "wpp" / "mortality_mx_abridged_2010_2020.csv", "mx", in_2010, 1.1, 0.0), 0u);
  const auto unit = [](const std::map<std::string, std::string>& r) { return r.at("zone") == "110105"; };
  EXPECT_GT(perturb(copy.ex / "census2010_units.csv", "population", unit, 1.0, 1000.0), 0u);
  const auto launch = copy.run("c");
  EXPECT_FALSE(launch.at("projection/population.csv") == before.at("projection/population.csv"));
  EXPECT_FALSE(launch.at("estimate/population_2010.csv") == before.at("estimate/population_2010.csv"));
  EXPECT_FALSE(launch.at("estimate/net_migration.csv") == before.at("estimate/net_migration.csv"));
  EXPECT_FALSE(launch.at("residual/net_migration.csv") == before.at("residual/net_migration.csv"));
}

}  // namespace
