// SPDX-License-Identifier: Apache-2.0
// Fitted levels reproduce their targets in the projection itself (issue #19): a small annual scenario with
// `[fertility] fit` (crude birth rate, or births per year) and `[mortality] fit` (both-sexes e0), run through the
// facade; monitoring.csv's `fitted` rows must show the published figure as the projected one to 1e-6, and
// indicators.csv (the engine's own births / person-years) must agree. Migration and a hukou-style transition make the
// first step's exposure differ from the base population, so a fit on the base population alone would miss.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cohortgis/app/run.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

// A two-zone, two-group scenario on single years 0..60+ (open), annual steps 2020-2025, its tables written to `dir`.
// `fitted`: the monitoring rows fitted to (each must have an observed row: an unmatched one is an error).
void write_scenario(const fs::path& dir, const std::string& fertility_fit, const std::string& observed_rows,
                    const std::string& fitted) {
  fs::create_directories(dir);
  std::ofstream base(dir / "base.csv");
  base << "zone,group,sex,age,population\n";
  for (const char* z : {"A", "B"})
    for (const char* g : {"local", "mover"})
      for (const char* s : {"female", "male"})
        for (int a = 0; a <= 60; ++a) {
          // Older in A, movers young: a base population unlike its first year's person-years.
          const double v = (std::string(g) == "local" ? 1000.0 - 9.0 * a : (a >= 18 && a <= 40 ? 900.0 : 60.0)) *
                           (std::string(z) == "A" ? 1.0 : 0.7) * (std::string(s) == "male" ? 1.02 : 1.0);
          base << z << "," << g << "," << s << "," << a << "," << v << "\n";
        }
  std::ofstream asfr(dir / "asfr.csv");
  asfr << "age,value\n";
  for (int a = 0; a <= 60; ++a)
    asfr << a << "," << (a >= 15 && a <= 49 ? 0.1 * std::exp(-0.5 * std::pow((a - 29.0) / 5.0, 2)) : 0.0) << "\n";
  std::ofstream mx(dir / "mx.csv");
  mx << "age,sex,mx\n";
  for (const char* s : {"female", "male"})
    for (int a = 0; a <= 60; ++a)
      mx << a << "," << s << "," << (a == 0 ? 0.004 : 0.0002 * std::exp(0.085 * a)) * (s[0] == 'm' ? 1.3 : 1.0) << "\n";
  std::ofstream(dir / "observed.csv") << "year,zone,group,indicator,value,unit\n" << observed_rows;
  std::ofstream(dir / "scenario.toml") << R"([scenario]
name = "fit-run"
language = "en"

[geography]
zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]

[projection]
base_year = 2020
horizon = 2025
step = 1
open_age = 60
groups = ["local", "mover"]

[base_population]
table = "base.csv"

[fertility]
schedule = { path = "asfr.csv" }
srb = 106
)" + fertility_fit + R"(

[mortality]
mx = { path = "mx.csv", columns = { value = "mx" } }
fit = { e0 = 66.5, srb = 106, year = 2021 }

[migration]
flows = [ { kind = "in", group = "mover", total_per_year = 3000, allocation = "equal", profile = "uniform", years = [2021, 2025] } ]

[[transitions]]
from = "mover"
to = "local"
rate = 0.05
ages = [15, 60]

[monitoring]
observed = "observed.csv"
whole_area = "900000"
names = { e0_local = { indicator = "e0", group = "local" } }
fitted = )" + fitted + "\n";
}

test::CsvTable run(const fs::path& dir, const std::string& what) {
  const fs::path out = dir / "out";
  app::RunConfig cfg;
  cfg.scenario = (dir / "scenario.toml").string();
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.threads = 1;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  return test::read_csv((out / what).string());
}

fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("cohortgis_fit_run_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST(FittedLevelsRun, BirthRateAndE0OfTheFittedYearAreTheTargets) {
  const fs::path dir = fresh("cbr");
  write_scenario(dir, "fit = { cbr_per_1000 = 9.5, year = 2021 }",
                 "2021,900000,,cbr_per_1000,9.5,per 1000\n2021,900000,,e0_local,66.5,years\n"
                 "2022,900000,,cbr_per_1000,9.5,per 1000\n",
                 "{ cbr_per_1000 = [2021], e0_local = [2021] }");
  const auto m = run(dir, "monitoring.csv");
  ASSERT_EQ(m.rows.size(), 3u);
  int fitted = 0;
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    SCOPED_TRACE(m.at(r, "year") + " " + m.at(r, "indicator"));
    if (m.at(r, "year") != "2021") {
      EXPECT_EQ(m.at(r, "role"), "checked");
      continue;
    }
    ++fitted;
    EXPECT_EQ(m.at(r, "role"), "fitted");
    EXPECT_NEAR(m.num(r, "projected"), m.num(r, "observed"), 1e-6 * m.num(r, "observed"));
    EXPECT_NEAR(m.num(r, "relative_difference"), 0.0, 1e-6);
  }
  EXPECT_EQ(fitted, 2);
  // The same from the engine's own components (indicators.csv): births / person-years of 2021, whole area.
  const auto ind = run(dir, "indicators.csv");
  bool seen = false;
  for (std::size_t r = 0; r < ind.rows.size(); ++r)
    if (ind.at(r, "zone") == "total" && ind.at(r, "year") == "2021" && ind.at(r, "group") == "all" &&
        ind.at(r, "indicator") == "births") {
      double py = 0;
      for (std::size_t q = 0; q < ind.rows.size(); ++q)
        if (ind.at(q, "zone") == "total" && ind.at(q, "year") == "2021" && ind.at(q, "group") == "all" &&
            ind.at(q, "indicator") == "person_years")
          py = ind.num(q, "value");
      ASSERT_GT(py, 0.0);
      EXPECT_NEAR(1000.0 * ind.num(r, "value") / py, 9.5, 1e-6 * 9.5);
      seen = true;
    }
  EXPECT_TRUE(seen);
  fs::remove_all(dir);
}

TEST(FittedLevelsRun, BirthsPerYearOfTheFittedYearAreTheTarget) {
  const fs::path dir = fresh("births");
  write_scenario(dir, "fit = { births = 1234, year = 2021 }", "2021,900000,,births,1234,persons\n",
                 "{ births = [2021] }");
  const auto m = run(dir, "monitoring.csv");
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(m.at(0, "role"), "fitted");
  EXPECT_NEAR(m.num(0, "projected"), 1234.0, 1e-6 * 1234.0);
  fs::remove_all(dir);
}
