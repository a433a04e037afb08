// SPDX-License-Identifier: Apache-2.0
// Tables of [stochastic] (scenarios/src/external_trajectories.cpp, lee_carter_fit.cpp, correlation_matrix.cpp):
// trajectories used as given (each trajectory's TFR and e0 in the engine's indicators equal the table's), the
// Lee–Carter fit recovers the a, b, k a history was built from, the correlation matrix gives its correlations
// (Monte Carlo, fixed seed, tolerances stated), and every bad table stops with the file named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "cohortgis/app/ensemble.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/lee_carter_fit.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/scenarios/stochastic.hpp"
#include "csv_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;
using cohortgis::test::fixture;

namespace {


// A scenario of zones A, B, C (base_year 2020, steps ending 2025 and 2030, ages 0–4 … 20+) with the given
// [stochastic] section; fertility and mortality from tests/fixtures/scenarios (asfr.csv, mx.csv as death rates).
class StochasticInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("cohortgis_stoch_in_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy_file(fixture("scenarios/asfr.csv"), dir_ / "asfr.csv");
    fs::copy_file(fixture("scenarios/mx.csv"), dir_ / "mx.csv");
    std::ostringstream base;
    base << "zone,sex,age,population\n";
    for (const char* z : {"A", "B", "C"})
      for (const char* s : {"female", "male"})
        for (int a = 0; a <= 20; a += 5) base << z << "," << s << "," << a << ",1000\n";
    write("base.csv", base.str());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  scenarios::ScenarioSet load(const std::string& stochastic) {
    write("s.toml", R"([scenario]
name = "stochastic-inputs"
language = "en"
[geography]
zones = [ { id = "A", name = "A" }, { id = "B", name = "B" }, { id = "C", name = "C" } ]
[projection]
base_year = 2020
horizon = 2030
step = 5
open_age = 20
[base_population]
table = "base.csv"
[fertility]
schedule = { path = "asfr.csv" }
tfr = 1.5
srb = 105
[mortality]
mx = { path = "mx.csv", columns = { value = "mx" } }
[migration]
flows = [ { kind = "in", total_per_year = 100, allocation = "equal", profile = "uniform" } ]
[stochastic]
)" + stochastic);
    return scenarios::load_scenario_file((dir_ / "s.toml").string(), COHORTGIS_DATA);
  }
  // The load's error message ("" when it loads).
  std::string error(const std::string& stochastic) {
    try {
      (void)load(stochastic);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

app::EnsembleResult ensemble(const scenarios::ScenarioSet& set, long long n, std::vector<Indicator> indicators) {
  app::EnsembleOptions o;
  o.trajectories = n;
  o.seed = 3;
  o.threads = 2;
  o.indicators = std::move(indicators);
  return app::run_ensemble(set, set.runs.front(),
                           with_total_aggregate(set.runs.front().aggregates, static_cast<int>(set.runs.front().zones.size())),
                           o);
}

// TFR of trajectory id, zone, year in the tables below: distinct per cell, so a mixed-up index shows.
double given_tfr(int id, int zone, int year) { return 1.0 + 0.1 * id + 0.01 * zone + 0.001 * (year - 2020); }

std::string tfr_table(bool zoned, const std::vector<int>& ids, int skip_id = -1, int skip_year = 0,
                      const std::string& skip_zone = "") {
  std::ostringstream s;
  s << (zoned ? "draw,year,location,tfr\n" : "draw,year,tfr\n");
  for (int id : ids)
    for (int year : {2021, 2025, 2030}) {  // 2021 is no step's last year: ignored
      for (int z = 0; z < (zoned ? 3 : 1); ++z) {
        const std::string zone = zoned ? std::string(1, static_cast<char>('A' + z)) : "";
        if (id == skip_id && (year == skip_year || skip_year == 0) && (skip_zone.empty() || zone == skip_zone)) continue;
        s << id << "," << year << "," << (zoned ? zone + "," : "") << given_tfr(id, z, year) << "\n";
      }
    }
  return s.str();
}
std::string tfr_key(bool zoned) {
  return std::string("tfr_trajectories = { path = \"tfr.csv\", columns = { trajectory = \"draw\", ") +
         (zoned ? "zone = \"location\", " : "") + "value = \"tfr\" } }\n";
}

}  // namespace

// Ensemble trajectory i takes the table's i-th trajectory number (ascending); every zone's TFR in the step ending in
// year t is the table's value for t (the engine's TFR indicator, z·Σf of the scaled schedule, to rounding).
TEST_F(StochasticInputs, TfrTrajectoriesAreUsedAsGiven) {
  for (bool zoned : {false, true}) {
    write("tfr.csv", tfr_table(zoned, {12, 10, 11}));
    const scenarios::ScenarioSet set = load(tfr_key(zoned));
    ASSERT_TRUE(set.stochastic.tfr_trajectories);
    EXPECT_EQ(set.stochastic.tfr_trajectories->ids, (std::vector<long long>{10, 11, 12}));
    const app::EnsembleResult e = ensemble(set, 3, {Indicator::tfr});
    for (long long t = 0; t < 3; ++t)
      for (std::size_t y = 0; y < e.years.size(); ++y)
        for (int z = 0; z < 3; ++z) {
          const double want = given_tfr(10 + static_cast<int>(t), zoned ? z : 0, e.years[y]);
          EXPECT_NEAR(e.value(t, e.cell(y, uz(z), 0)), want, 1e-12 * want) << zoned << " " << t << " " << e.years[y];
        }
  }
}

TEST_F(StochasticInputs, TfrTrajectoryTableErrorsNameTheFile) {
  write("tfr.csv", tfr_table(true, {1, 2, 3}, 2, 2030));
  std::string m = error(tfr_key(true));
  EXPECT_NE(m.find("tfr.csv: missing years: trajectory 2 zone A has no row for year 2030"), std::string::npos) << m;
  write("tfr.csv", tfr_table(true, {1, 2, 3}, 3, 0, "B"));
  m = error(tfr_key(true));
  EXPECT_NE(m.find("tfr.csv: unequal trajectory counts: zone B has 2 trajectories, the table 3"), std::string::npos) << m;
  write("tfr.csv", "draw,year,location,tfr\n1,2025,A,1.5\n1,2025,D,1.5\n");
  m = error(tfr_key(true));
  EXPECT_NE(m.find("tfr.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("location"), std::string::npos) << m;
  EXPECT_NE(m.find("\"D\""), std::string::npos) << m;
  write("tfr.csv", "draw,year,tfr\n1,2025,1.5\n1,2030,-1\n");
  m = error(tfr_key(false));
  EXPECT_NE(m.find("expected a total fertility rate (children per woman) from 0 to 20, got -1"), std::string::npos) << m;
  // Both a drawn deviation and given trajectories of the TFR: a contradiction.
  write("tfr.csv", tfr_table(false, {1}));
  m = error("tfr = { sd = 0.1 }\n" + tfr_key(false));
  EXPECT_NE(m.find("either tfr"), std::string::npos) << m;
  // A zone column named in `columns` but absent: refused (not read as one value for the whole area).
  m = error(tfr_key(true));
  EXPECT_NE(m.find("tfr.csv: no column 'location' (named for zone)"), std::string::npos) << m;
}

// Fewer trajectories in the table than requested: refused before any trajectory runs (they are data, not drawn).
TEST_F(StochasticInputs, FewerTrajectoriesThanRequestedIsAnError) {
  write("tfr.csv", tfr_table(false, {1, 2, 3}));
  const scenarios::ScenarioSet set = load(tfr_key(false));
  EXPECT_NO_THROW(scenarios::check_ensemble_size(set.stochastic, 3));
  try {
    (void)ensemble(set, 4, {Indicator::tfr});
    FAIL() << "4 trajectories from a table of 3";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tfr.csv: 4 trajectories requested but the table holds 3"), std::string::npos)
        << e.what();
  }
}

// e0 by sex used as given: the engine's e0 of each sex in the step equals the table's value (the rates move along
// b_x = 1/rows until the life table's e0 is the given one, to 1e-12 in u, far below 1e-8 years).
TEST_F(StochasticInputs, E0TrajectoriesAreUsedAsGiven) {
  std::ostringstream s;
  s << "trajectory,year,sex,e0\n";
  for (int id : {1, 2})
    for (int year : {2025, 2030})
      for (const char* sex : {"female", "male"})
        s << id << "," << year << "," << sex << "," << 60 + 5 * id + (sex[0] == 'f' ? 4 : 0) + 0.1 * (year - 2020) << "\n";
  write("e0.csv", s.str());
  const scenarios::ScenarioSet set = load("e0_trajectories = { path = \"e0.csv\", columns = { value = \"e0\" } }\n");
  const app::EnsembleResult e = ensemble(set, 2, {Indicator::e0_female, Indicator::e0_male});
  for (long long t = 0; t < 2; ++t)
    for (std::size_t y = 0; y < e.years.size(); ++y)
      for (int z = 0; z < 3; ++z) {
        const double base = 60.0 + 5.0 * static_cast<double>(t + 1) + 0.1 * (e.years[y] - 2020);
        EXPECT_NEAR(e.value(t, e.cell(y, uz(z), 0)), base + 4, 1e-8) << t << " " << e.years[y];
        EXPECT_NEAR(e.value(t, e.cell(y, uz(z), 1)), base, 1e-8) << t << " " << e.years[y];
      }
}

// Death rates given to 60+ on the 20+ grid (rising, so the group above the open age differs from the open rate): the
// step's life table is closed in DemoTools' OAnew order (Greville's 15–19 takes the table's own 20–24 rate,
// StepSchedules::mortality_next), and the e0 solve moves that rate with the others, so the engine's e0 of the step is
// the given one. Solved on the grid's rows alone (before round 23) it missed by ~1e-3 years. The "total" of the three
// zones (unit 3) pools their rates, all the same here, and closes its table with their pooled 20–24 rate: the same
// e0 (before round 23 its table took the pooled open rate as 15–19's next rate, as the grid's rows alone).
TEST_F(StochasticInputs, E0TrajectoriesAreReachedWithRatesPastTheOpenAge) {
  std::ostringstream mx;
  mx << "age,sex,mx\n";
  for (const char* sex : {"female", "male"})
    for (int age : {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60}) {
      const double m = age == 0 ? 0.02 : age == 1 ? 0.002 : 0.0008 * std::exp(0.09 * (age + 2.5));
      mx << age << "," << sex << "," << std::setprecision(17) << (sex[0] == 'm' ? 1.2 * m : m) << "\n";
    }
  write("mx.csv", mx.str());
  write("e0.csv", "trajectory,year,sex,e0\n1,2025,female,61\n1,2025,male,57\n1,2030,female,62\n1,2030,male,58\n");
  const scenarios::ScenarioSet set = load("e0_trajectories = { path = \"e0.csv\", columns = { value = \"e0\" } }\n");
  ASSERT_FALSE(set.runs.front().schedules.front().mortality_next.empty());
  const app::EnsembleResult e = ensemble(set, 1, {Indicator::e0_female, Indicator::e0_male});
  ASSERT_EQ(e.units.size(), 4u);
  for (std::size_t y = 0; y < e.years.size(); ++y)
    for (int z = 0; z < 4; ++z) {
      const double base = 61.0 + (e.years[y] - 2025) / 5;
      EXPECT_NEAR(e.value(0, e.cell(y, uz(z), 0)), base, 1e-8) << e.units[uz(z)] << " " << e.years[y];
      EXPECT_NEAR(e.value(0, e.cell(y, uz(z), 1)), base - 4, 1e-8) << e.units[uz(z)] << " " << e.years[y];
    }
}

// Rank-1 log rates from known a, b (Σb = 1), k (Σk = 0): the SVD gives them back to 1e-10; drift and σ by hand.
TEST(LeeCarterFit, RecoversKnownParameters) {
  const int ages = 6;
  const std::vector<double> a{-4.0, -6.5, -7.2, -6.8, -5.9, -3.1}, b{0.3, 0.25, 0.2, 0.12, 0.08, 0.05},
      k{6.0, 2.0, -1.0, -7.0};
  const std::vector<int> years{2000, 2005, 2010, 2015};
  std::vector<double> mx;
  for (std::size_t t = 0; t < k.size(); ++t)
    for (int x = 0; x < ages; ++x) mx.push_back(std::exp(a[uz(x)] + b[uz(x)] * k[t]));
  const scenarios::LeeCarterFit f = scenarios::fit_lee_carter(mx, years, ages);
  for (int x = 0; x < ages; ++x) {
    EXPECT_NEAR(f.ax[uz(x)], a[uz(x)], 1e-10);
    EXPECT_NEAR(f.bx[uz(x)], b[uz(x)], 1e-10);
  }
  for (std::size_t t = 0; t < k.size(); ++t) EXPECT_NEAR(f.kt[t], k[t], 1e-10);
  // drift = (−7 − 6) / 15 per year; Δk = −4, −3, −6 over 5 years, residuals Δk − 5·drift = 1/3, 4/3, −5/3:
  // σ² = (1/9 + 16/9 + 25/9) / 5 / (4 − 2) = 7/15.
  EXPECT_NEAR(f.drift_per_year, -13.0 / 15.0, 1e-10);
  EXPECT_NEAR(f.k_sd_per_year, std::sqrt(7.0 / 15.0), 1e-10);
  EXPECT_NEAR(f.explained, 1.0, 1e-12);
  EXPECT_THROW((void)scenarios::fit_lee_carter(std::span(mx).first(12), {2000, 2005}, ages), std::invalid_argument);
}

// lee_carter.fit in a scenario: b_x and k_sd from the history; fewer than three periods names the file.
TEST_F(StochasticInputs, LeeCarterFitFromAMortalityHistory) {
  const std::vector<int> ages{0, 1, 5, 10, 15, 20};
  const std::vector<double> b{0.3, 0.25, 0.2, 0.12, 0.08, 0.05}, k{3.0, 1.0, -4.0};
  std::ostringstream s;
  s << "year,age,mx\n";
  for (std::size_t t = 0; t < k.size(); ++t)
    for (std::size_t x = 0; x < ages.size(); ++x)
      s << 2000 + 10 * static_cast<int>(t) << "," << ages[x] << "," << std::setprecision(17)
        << std::exp(-5.0 + 0.1 * static_cast<double>(x) + b[x] * k[t]) << "\n";
  write("history.csv", s.str());
  const std::string key = "lee_carter = { fit = { path = \"history.csv\", columns = { value = \"mx\" } } }\n";
  const scenarios::ScenarioSet set = load(key);
  ASSERT_EQ(set.stochastic.bx.size(), b.size());
  for (std::size_t x = 0; x < b.size(); ++x) EXPECT_NEAR(set.stochastic.bx[x], b[x], 1e-10);
  // drift = −7/20; residuals −2 + 3.5 = 1.5 and −5 + 3.5 = −1.5 over 10 years: σ² = (2.25 + 2.25)/10/1 = 0.45.
  EXPECT_NEAR(set.stochastic.k_sd, std::sqrt(0.45), 1e-10);
  // Beside e0_trajectories the fit's σ would draw deviations as well: refused, saying that k_sd = 0 keeps only its
  // b_x (scenarios/README.md's example of these tables does so).
  write("e0.csv", "trajectory,year,e0\n1,2025,70\n1,2030,71\n");
  const std::string e0 = "e0_trajectories = { path = \"e0.csv\", columns = { value = \"e0\" } }\n";
  const std::string both = error(key + e0);
  EXPECT_NE(both.find("not both; lee_carter.fit sets k_sd to the fitted σ of k: write lee_carter.k_sd = 0"),
            std::string::npos)
      << both;
  const scenarios::ScenarioSet kept =
      load("lee_carter = { fit = { path = \"history.csv\", columns = { value = \"mx\" } }, k_sd = 0 }\n" + e0);
  EXPECT_EQ(kept.stochastic.k_sd, 0.0);
  ASSERT_EQ(kept.stochastic.bx.size(), b.size());
  EXPECT_NEAR(kept.stochastic.bx[0], b[0], 1e-10);
  // Two periods only.
  std::string two = s.str();
  two.resize(two.find("\n2020"));
  write("history.csv", two + "\n");
  const std::string m = error(key);
  EXPECT_NE(m.find("history.csv: expected at least three periods"), std::string::npos) << m;
}

namespace {
const std::string kCorrKey = "migration = { sd = 0.2, correlation = \"corr.csv\" }\n";
std::string matrix(const double r[3][3]) {
  std::ostringstream s;
  s << "zone,A,B,C\n";
  for (int i = 0; i < 3; ++i) s << static_cast<char>('A' + i) << "," << r[i][0] << "," << r[i][1] << "," << r[i][2] << "\n";
  return s.str();
}
}  // namespace

// Multipliers m = exp(σX − σ²/2) with X = F E, F Fᵀ = R: the sample correlation of ln m over 20,000 trajectories is
// R within 4 standard errors (1 − ρ²)/√n, and ln m has variance σ² (4 standard errors √(2/(n−1)) relative).
TEST_F(StochasticInputs, CorrelationMatrixGivesItsCorrelations) {
  const double r[3][3] = {{1, 0.6, 0.3}, {0.6, 1, 0.5}, {0.3, 0.5, 1}};
  write("corr.csv", matrix(r));
  const scenarios::ScenarioSet set = load(kCorrKey);
  ASSERT_TRUE(set.stochastic.migration_correlation_matrix);
  const int n = 20000;
  const double sd = 0.2;
  std::vector<std::vector<double>> x(3);
  for (int t = 0; t < n; ++t) {
    const scenarios::TrajectoryDraws d{&set.stochastic, 11, static_cast<std::uint64_t>(t)};
    const std::vector<double> m = d.migration_multipliers(1, 3);
    for (int z = 0; z < 3; ++z) {
      ASSERT_EQ(m[uz(z)], d.migration_multiplier(1, z));  // one zone at a time: the same bits
      x[uz(z)].push_back(std::log(m[uz(z)]));
    }
  }
  std::vector<double> mean(3, 0.0), var(3, 0.0);
  for (int z = 0; z < 3; ++z) {
    for (double v : x[uz(z)]) mean[uz(z)] += v / n;
    for (double v : x[uz(z)]) var[uz(z)] += (v - mean[uz(z)]) * (v - mean[uz(z)]) / (n - 1);
    EXPECT_NEAR(var[uz(z)] / (sd * sd), 1.0, 4 * std::sqrt(2.0 / (n - 1)));
    EXPECT_NEAR(mean[uz(z)], -sd * sd / 2, 4 * sd / std::sqrt(double(n)));
  }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < i; ++j) {
      double c = 0.0;
      for (int t = 0; t < n; ++t) c += (x[uz(i)][uz(t)] - mean[uz(i)]) * (x[uz(j)][uz(t)] - mean[uz(j)]) / (n - 1);
      const double rho = r[i][j];
      EXPECT_NEAR(c / std::sqrt(var[uz(i)] * var[uz(j)]), rho, 4 * (1 - rho * rho) / std::sqrt(double(n))) << i << j;
    }
}

TEST_F(StochasticInputs, CorrelationMatrixErrorsNameFileRowAndColumn) {
  const double range[3][3] = {{1, 0.6, 0.3}, {0.6, 1, 1.5}, {0.3, 1.5, 1}};
  write("corr.csv", matrix(range));
  std::string m = error(kCorrKey);
  EXPECT_NE(m.find("corr.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("column 'C'"), std::string::npos) << m;
  EXPECT_NE(m.find("expected a correlation from -1 to 1, got 1.5"), std::string::npos) << m;
  const double diagonal[3][3] = {{1, 0.6, 0.3}, {0.6, 0.9, 0.5}, {0.3, 0.5, 1}};
  write("corr.csv", matrix(diagonal));
  m = error(kCorrKey);
  EXPECT_NE(m.find("expected 1 on the diagonal"), std::string::npos) << m;
  const double asym[3][3] = {{1, 0.6, 0.3}, {0.6, 1, 0.5}, {0.3, 0.4, 1}};
  write("corr.csv", matrix(asym));
  m = error(kCorrKey);
  EXPECT_NE(m.find("column 'B'"), std::string::npos) << m;
  EXPECT_NE(m.find("expected a symmetric matrix: 0.4 here but 0.5"), std::string::npos) << m;
  // R (1, −1, 1) = (−0.8, 0.8, −0.8): eigenvalue −0.8; (1, 1, 0) and (1, 0, −1) have 1.9 (trace 3 = 1.9 + 1.9 − 0.8).
  const double not_psd[3][3] = {{1, 0.9, -0.9}, {0.9, 1, 0.9}, {-0.9, 0.9, 1}};
  write("corr.csv", matrix(not_psd));
  m = error(kCorrKey);
  EXPECT_NE(m.find("corr.csv: the correlation matrix is not positive semidefinite (smallest eigenvalue -0.8)"),
            std::string::npos)
      << m;
}

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

// Scratch-file mode: with a memory limit below N × cells × 8 the trajectories go to a scratch file in blocks and the
// quantiles are computed block by block; quantiles.csv and targets.csv are byte-identical to the in-memory run, and
// the scratch file is gone (and not in the manifest) afterwards.
TEST_F(StochasticInputs, ScratchFileGivesTheSameQuantiles) {
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(fixture("scenarios/stochastic.toml"), COHORTGIS_DATA);
  app::EnsembleOptions o;
  o.trajectories = 37;
  o.seed = 5;
  o.threads = 2;
  const auto aggregates = with_total_aggregate(set.runs.front().aggregates, 2);
  const app::EnsembleResult mem = app::run_ensemble(set, set.runs.front(), aggregates, o);
  o.scratch_file = (dir_ / "e.scratch").string();
  o.memory_bytes = 1000;  // 31 cells: 4 trajectories per block (1000 / 248); 3 cells per column block (1000 / 296)
  const app::EnsembleResult file = app::run_ensemble(set, set.runs.front(), aggregates, o);
  ASSERT_FALSE(file.scratch.empty());
  EXPECT_TRUE(file.values.empty());
  EXPECT_EQ(fs::file_size(o.scratch_file), 37 * mem.cells * sizeof(double));
  EXPECT_EQ(file.block_cells(), 3u);  // 1000 / (37 × 8)
  std::vector<double> a, b;
  mem.columns(0, mem.cells, a);
  file.columns(0, file.cells, b);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0);

  std::map<std::string, std::string> quantiles, targets, probabilities;
  for (const char* mode : {"memory", "scratch"}) {
    app::RunConfig cfg;
    cfg.scenario = fixture("scenarios/stochastic.toml");
    cfg.out_dir = (dir_ / mode).string();
    cfg.quiet = true;
    cfg.report = false;
    cfg.data_dir = COHORTGIS_DATA;
    cfg.trajectories = 37;
    if (std::string(mode) == "scratch") cfg.ensemble_memory_bytes = 1000;
    app::run(cfg);
    quantiles[mode] = slurp(dir_ / mode / "quantiles.csv");
    targets[mode] = slurp(dir_ / mode / "targets.csv");
    probabilities[mode] = slurp(dir_ / mode / "probabilities.csv");
    for (const auto& f : fs::recursive_directory_iterator(dir_ / mode))
      EXPECT_NE(f.path().extension(), ".scratch") << f.path();
    EXPECT_EQ(slurp(dir_ / mode / "manifest.json").find("scratch"), std::string::npos);
  }
  EXPECT_GT(quantiles["memory"].size(), 1000u);
  EXPECT_EQ(quantiles["memory"], quantiles["scratch"]);
  EXPECT_NE(targets["memory"].find("probability_met"), std::string::npos);
  EXPECT_EQ(targets["memory"], targets["scratch"]);
  EXPECT_EQ(probabilities["memory"], probabilities["scratch"]);

  // probabilities.csv against a recount: the share of the 37 trajectories (the scenario's seed 7) whose population of
  // zone A in 2030 is above zone A's base population summed from base.csv.
  const auto base = cohortgis::test::read_csv(fixture("scenarios/base.csv"));
  double base_a = 0.0;
  for (std::size_t r = 0; r < base.rows.size(); ++r)
    if (base.at(r, "zone") == "A") base_a += std::stod(base.at(r, "population"));
  o = app::EnsembleOptions{};
  o.trajectories = 37;
  o.seed = 7;
  o.indicators = {Indicator::population};
  const app::EnsembleResult pop = app::run_ensemble(set, set.runs.front(), aggregates, o);
  int above = 0;
  for (long long t = 0; t < 37; ++t) above += pop.value(t, pop.cell(1, 0, 0)) > base_a ? 1 : 0;
  EXPECT_GT(above, 0);
  const auto prob = cohortgis::test::read_csv((dir_ / "memory" / "probabilities.csv").string());
  bool found = false;
  for (std::size_t r = 0; r < prob.rows.size(); ++r)
    if (prob.at(r, "variant") == "baseline" && prob.at(r, "year") == "2030" && prob.at(r, "zone") == "A") {
      found = true;
      EXPECT_EQ(std::stod(prob.at(r, "threshold")), base_a);
      EXPECT_DOUBLE_EQ(std::stod(prob.at(r, "probability")), above / 37.0);
    }
  EXPECT_TRUE(found);
}

// probabilities.csv with a known answer: five given TFR trajectories, two of 0.1 (about 20 births a year per zone
// against about 100 deaths and 33 in-migrants: each zone shrinks from its 10,000) and three of 2.0 (about 400 births
// a year: each zone grows). So P(population in 2030 above the base year's) = 3/5 in every zone and the whole area.
TEST_F(StochasticInputs, ProbabilitiesCsvCountsTrajectoriesAboveTheBaseYear) {
  std::ostringstream t;
  t << "draw,year,tfr\n";
  for (int id = 1; id <= 5; ++id)
    for (int year : {2025, 2030}) t << id << "," << year << "," << (id <= 2 ? "0.1" : "2.0") << "\n";
  write("tfr.csv", t.str());
  (void)load(tfr_key(false));  // writes s.toml
  app::RunConfig cfg;
  cfg.scenario = (dir_ / "s.toml").string();
  cfg.out_dir = (dir_ / "out").string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.trajectories = 5;
  app::run(cfg);
  const auto p = cohortgis::test::read_csv((dir_ / "out" / "probabilities.csv").string());
  int checked = 0;
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    if (p.at(r, "year") != "2030") continue;
    const bool total = p.at(r, "zone") == "total";
    EXPECT_EQ(std::stod(p.at(r, "threshold")), total ? 30000.0 : 10000.0) << p.at(r, "zone");
    EXPECT_EQ(p.at(r, "probability"), "0.6") << p.at(r, "zone");
    EXPECT_EQ(p.at(r, "event"), "above_base_year");
    ++checked;
  }
  EXPECT_EQ(checked, 4);  // A, B, C, total
}
