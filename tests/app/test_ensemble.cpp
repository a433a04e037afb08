// SPDX-License-Identifier: Apache-2.0
// Ensembles (app/ensemble.hpp, scenarios/stochastic.hpp): zero variance gives the deterministic run bit for bit; the
// ensemble's moments match the stochastic models' analytic moments within Monte Carlo error (fixed seed; tolerances
// stated at each check); the same bits at 1 and 2 threads and at 1 and 3 ranks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>

#include "cohortgis/app/ensemble.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/scenarios/stochastic.hpp"
#include "csv_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;
using cohortgis::test::fixture;
using cohortgis::test::read_csv;

namespace {


scenarios::ScenarioSet load(const std::string& name) {
  return scenarios::load_scenario_file(fixture("scenarios/" + name), COHORTGIS_DATA);
}
std::vector<ZoneAggregate> aggregates(const scenarios::Scenario& sc) {
  return with_total_aggregate(sc.aggregates, static_cast<int>(sc.zones.size()));
}
app::EnsembleResult ensemble(const scenarios::ScenarioSet& set, long long n, int threads,
                             std::vector<Indicator> indicators = {}) {
  app::EnsembleOptions o;
  o.trajectories = n;
  o.seed = 20201101;
  o.threads = threads;
  if (!indicators.empty()) o.indicators = indicators;
  return app::run_ensemble(set, set.runs.front(), aggregates(set.runs.front()), o);
}
struct Moments {
  double mean = 0, var = 0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= static_cast<double>(x.size() - 1);
  return m;
}

class EnsembleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("cohortgis_ensemble_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // The deterministic run's indicators.csv (all groups): (year, zone, indicator) → value.
  std::map<std::string, double> deterministic(const std::string& scenario) {
    app::RunConfig cfg;
    cfg.scenario = fixture("scenarios/" + scenario);
    cfg.out_dir = (root_ / "det").string();
    cfg.quiet = true;
    cfg.report = false;
    cfg.data_dir = COHORTGIS_DATA;
    cfg.trajectories = 1;  // the ensemble's files must not change the deterministic ones
    app::run(cfg);
    const auto t = read_csv((root_ / "det" / "indicators.csv").string());
    std::map<std::string, double> v;
    for (std::size_t r = 0; r < t.rows.size(); ++r)
      if (t.at(r, "group") == "all" && t.at(r, "variant") == "baseline" && !t.at(r, "value").empty())
        v[t.at(r, "year") + "/" + t.at(r, "zone") + "/" + t.at(r, "indicator")] = std::strtod(t.at(r, "value").c_str(), nullptr);
    return v;
  }
  fs::path root_;
};

// With every standard deviation 0 each trajectory is the deterministic projection, bit for bit (indicators.csv
// holds the shortest text that reads back to the same double).
TEST_F(EnsembleTest, ZeroVarianceGivesTheDeterministicRun) {
  scenarios::ScenarioSet set = load("stochastic.toml");
  set.stochastic.tfr_sd = set.stochastic.k_sd = set.stochastic.migration_sd = 0.0;
  const auto det = deterministic("stochastic.toml");
  const app::EnsembleResult e = ensemble(set, 3, 2);
  ASSERT_EQ(e.values.size(), 3 * e.cells);
  int compared = 0;
  for (long long t = 0; t < 3; ++t)
    for (std::size_t y = 0; y < e.years.size(); ++y)
      for (std::size_t u = 0; u < e.units.size(); ++u)
        for (std::size_t k = 0; k < e.indicators.size(); ++k) {
          const std::string key = std::to_string(e.years[y]) + "/" + e.units[u] + "/" + indicator_name(e.indicators[k]);
          ++compared;
          // An indicator the grid cannot count (the share 65+ on this grid open at 20) is empty in indicators.csv
          // and NaN in every trajectory.
          if (!det.count(key)) {
            EXPECT_TRUE(std::isnan(e.value(t, e.cell(y, u, k)))) << key << " trajectory " << t;
            EXPECT_STREQ(indicator_name(e.indicators[k]), "share_65_plus_percent") << key;
            continue;
          }
          EXPECT_EQ(e.value(t, e.cell(y, u, k)), det.at(key)) << key << " trajectory " << t;
        }
  EXPECT_EQ(compared, 3 * 2 * 3 * 5);  // trajectories × years × (A, B, total) × indicators
}

// TFR deviation: AR(1) e(t) = φ e(t−1) + σ η(t); each zone's TFR in the step ending in year t is the path + e(t), so
// TFR − deterministic TFR has mean 0 and variance σ² (1 − φ^(2t)) / (1 − φ²).
TEST_F(EnsembleTest, TfrDeviationHasTheAr1Moments) {
  scenarios::ScenarioSet set = load("stochastic.toml");
  set.stochastic.k_sd = set.stochastic.migration_sd = 0.0;
  const auto det = deterministic("stochastic.toml");
  const long long n = 2000;
  const app::EnsembleResult e = ensemble(set, n, 0, {Indicator::tfr});
  const double sd = set.stochastic.tfr_sd, phi = set.stochastic.tfr_ar1;
  for (std::size_t y = 0; y < e.years.size(); ++y) {
    const int t = e.years[y] - 2020;
    const double var = sd * sd * (1 - std::pow(phi, 2 * t)) / (1 - phi * phi);
    std::vector<double> dev;
    for (long long k = 0; k < n; ++k) dev.push_back(e.value(k, e.cell(y, 0, 0)) - det.at(std::to_string(e.years[y]) + "/A/tfr"));
    const Moments m = moments(dev);
    // Mean within 4 standard errors; variance within 4 standard errors of a normal sample variance (√(2/(n−1))).
    EXPECT_NEAR(m.mean, 0.0, 4 * std::sqrt(var / n)) << e.years[y];
    EXPECT_NEAR(m.var / var, 1.0, 4 * std::sqrt(2.0 / (n - 1))) << e.years[y];
    EXPECT_GT(var, 0.0);
  }
}

// Migration multipliers m = exp(σX − σ²/2), X = √ρ C + √(1−ρ) E_zone: the fixed in-flows scale by m, so
// net migration / deterministic = m: mean 1, variance exp(σ²) − 1, corr(ln m_A, ln m_B) = ρ.
TEST_F(EnsembleTest, MigrationMultipliersHaveTheLognormalMoments) {
  scenarios::ScenarioSet set = load("stochastic.toml");
  set.stochastic.tfr_sd = set.stochastic.k_sd = 0.0;
  const auto det = deterministic("stochastic.toml");
  const long long n = 2000;
  const app::EnsembleResult e = ensemble(set, n, 0, {Indicator::net_migration});
  const double sd = set.stochastic.migration_sd, rho = set.stochastic.migration_correlation;
  const double var = std::exp(sd * sd) - 1;
  for (std::size_t y = 0; y < e.years.size(); ++y) {
    std::vector<double> a, b, la, lb;
    for (long long k = 0; k < n; ++k) {
      a.push_back(e.value(k, e.cell(y, 0, 0)) / det.at(std::to_string(e.years[y]) + "/A/net_migration"));
      b.push_back(e.value(k, e.cell(y, 1, 0)) / det.at(std::to_string(e.years[y]) + "/B/net_migration"));
      la.push_back(std::log(a.back()));
      lb.push_back(std::log(b.back()));
    }
    const Moments ma = moments(a), mla = moments(la), mlb = moments(lb);
    EXPECT_NEAR(ma.mean, 1.0, 4 * std::sqrt(var / n));
    // Log-normal sample variance: a looser 20% (its kurtosis is above a normal's).
    EXPECT_NEAR(ma.var / var, 1.0, 0.2);
    // ln m is normal with variance σ²: within 4 standard errors √(2/(n−1)).
    EXPECT_NEAR(mla.var / (sd * sd), 1.0, 4 * std::sqrt(2.0 / (n - 1)));
    double cov = 0;
    for (long long k = 0; k < n; ++k) cov += (la[uz(k)] - mla.mean) * (lb[uz(k)] - mlb.mean);
    cov /= static_cast<double>(n - 1);
    // Sample correlation: standard error (1 − ρ²)/√n ≈ 0.017; 4 of them.
    EXPECT_NEAR(cov / std::sqrt(mla.var * mlb.var), rho, 4 * (1 - rho * rho) / std::sqrt(double(n)));
  }
}

// The draws themselves: standard normals (mean 0, variance 1), the Lee–Carter random walk (variance k_sd² t) and the
// AR(1) (variance σ²(1 − φ^(2t))/(1 − φ²)), over 20,000 trajectories.
TEST(EnsembleDraws, NormalRandomWalkAndAr1Moments) {
  scenarios::StochasticSpec spec;
  spec.tfr_sd = 0.1;
  spec.tfr_ar1 = 0.8;
  spec.k_sd = 1.5;
  const int n = 20000;
  std::vector<double> z, u, e;
  for (int t = 0; t < n; ++t) {
    const scenarios::TrajectoryDraws d{&spec, 99, static_cast<std::uint64_t>(t)};
    z.push_back(scenarios::standard_normal(99, static_cast<std::uint64_t>(t), scenarios::RandomStream::fertility, 1));
    u.push_back(d.k_deviation(10));
    e.push_back(d.tfr_deviation(10));
    const double u1 = scenarios::philox_uniform(99, static_cast<std::uint64_t>(t), scenarios::RandomStream::fertility, 1);
    ASSERT_GT(u1, 0.0);
    ASSERT_LE(u1, 1.0);
  }
  const double tol = 4 * std::sqrt(2.0 / (n - 1));
  EXPECT_NEAR(moments(z).mean, 0.0, 4 / std::sqrt(double(n)));
  EXPECT_NEAR(moments(z).var, 1.0, tol);
  EXPECT_NEAR(moments(u).var / (1.5 * 1.5 * 10), 1.0, tol);
  EXPECT_NEAR(moments(e).var / (0.01 * (1 - std::pow(0.8, 20)) / (1 - 0.64)), 1.0, tol);
  // The first step's draw is the same number as the fertility stream's year-1 normal times σ (e(1) = σ η(1)).
  const scenarios::TrajectoryDraws d{&spec, 99, 5};
  EXPECT_EQ(d.tfr_deviation(1), 0.1 * scenarios::standard_normal(99, 5, scenarios::RandomStream::fertility, 1));
}

// The stream layout of scenarios/README.md ("Random numbers"), pinned by values that an independent Philox4x64-10
// (checked against Random123's known-answer vector for counter 0, key 0) and the documented u1, u2 and Box–Muller
// give: key (seed, trajectory), counter (stream, i, j, 0). Any other layout (key or counter words swapped, another
// bit mapping) breaks the documented reproducibility from the seed and trajectory alone.
TEST(EnsembleDraws, DocumentedStreamLayout) {
  using S = scenarios::RandomStream;
  EXPECT_EQ(scenarios::philox_uniform(7, 3, S::fertility, 1), 0.5399688018663961);  // exact: ((w0 >> 11) + 1) 2^-53
  EXPECT_NEAR(scenarios::standard_normal(7, 3, S::fertility, 1), 0.3656366278873606, 1e-14);
  EXPECT_NEAR(scenarios::standard_normal(7, 3, S::mortality, 10), -0.6265985868041873, 1e-14);
  EXPECT_NEAR(scenarios::standard_normal(7, 3, S::migration_common, 0), -0.11734490135952773, 1e-14);
  EXPECT_NEAR(scenarios::standard_normal(7, 3, S::migration_zone, 2, 1), -0.07120669028355624, 1e-14);
  EXPECT_NEAR(scenarios::standard_normal(20201101, 999, S::migration_zone, 5, 15), -0.08825781723672181, 1e-14);
}

// An in-process stand-in for MPI: ranks 1 … K−1 run first and leave their blocks; rank 0 then gathers them.
struct FakeComm : app::EnsembleComm {
  int r = 0, k = 1;
  std::map<int, std::vector<double>>* blocks = nullptr;
  int rank() const override { return r; }
  int size() const override { return k; }
  std::vector<double> gather(const std::vector<double>& mine, const std::vector<long long>& counts) const override {
    EXPECT_EQ(static_cast<long long>(mine.size()), counts[uz(r)]);
    if (r != 0) {
      (*blocks)[r] = mine;
      return {};
    }
    std::vector<double> all = mine;
    for (int q = 1; q < k; ++q) all.insert(all.end(), (*blocks)[q].begin(), (*blocks)[q].end());
    return all;
  }
};

TEST_F(EnsembleTest, SameBitsAtAnyThreadAndRankCount) {
  const scenarios::ScenarioSet set = load("stochastic.toml");
  const long long n = 25;
  const app::EnsembleResult one = ensemble(set, n, 1), two = ensemble(set, n, 2);
  ASSERT_EQ(one.values.size(), two.values.size());
  EXPECT_EQ(std::memcmp(one.values.data(), two.values.data(), one.values.size() * sizeof(double)), 0);
  std::map<int, std::vector<double>> blocks;
  app::EnsembleResult ranked;
  for (int r = 2; r >= 0; --r) {
    FakeComm c;
    c.r = r;
    c.k = 3;
    c.blocks = &blocks;
    app::EnsembleOptions o;
    o.trajectories = n;
    o.seed = 20201101;
    o.threads = 2;
    o.comm = &c;
    app::EnsembleResult e = app::run_ensemble(set, set.runs.front(), aggregates(set.runs.front()), o);
    if (r == 0) ranked = std::move(e);
    else EXPECT_TRUE(e.values.empty());
  }
  ASSERT_EQ(ranked.values.size(), one.values.size());
  EXPECT_EQ(std::memcmp(ranked.values.data(), one.values.data(), one.values.size() * sizeof(double)), 0);
  // The trajectories differ from one another (the deviations are not all zero).
  EXPECT_NE(one.value(0, one.cell(1, 0, 0)), one.value(1, one.cell(1, 0, 0)));
  // Blocks: 25 over 3 ranks → 9, 8, 8.
  EXPECT_EQ(app::trajectory_block(25, 3, 0), (std::pair<long long, long long>{0, 9}));
  EXPECT_EQ(app::trajectory_block(25, 3, 2), (std::pair<long long, long long>{17, 25}));
}

// Type 7 (R's default): for 1, 2, 3, 4 the 10% quantile is 1 + 0.3·1 = 1.3 and the median 2.5.
TEST(EnsembleQuantiles, Type7ByHand) {
  const std::vector<double> x{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(app::type7_quantile(x, 0.10), 1.3);
  EXPECT_DOUBLE_EQ(app::type7_quantile(x, 0.50), 2.5);
  EXPECT_DOUBLE_EQ(app::type7_quantile(x, 0.975), 3.925);
  EXPECT_EQ(app::type7_quantile(x, 1.0), 4.0);
  EXPECT_EQ(app::type7_quantile({7.0}, 0.025), 7.0);
  EXPECT_TRUE(std::isnan(app::type7_quantile({1.0, std::nan("")}, 0.5)));
}

// The run facade: quantiles.csv with the columns, and targets.csv's probability_met equal to the share of
// trajectories whose population of A in 2030 is at most 12,300 (counted here from the ensemble itself).
TEST_F(EnsembleTest, RunWritesQuantilesAndTargetProbabilities) {
  app::RunConfig cfg;
  cfg.scenario = fixture("scenarios/stochastic.toml");
  cfg.out_dir = (root_ / "out").string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.trajectories = 40;
  cfg.seed = 20201101;
  const app::RunSummary s = app::run(cfg);
  EXPECT_EQ(s.trajectories, 40);
  const auto q = read_csv((root_ / "out" / "quantiles.csv").string());
  EXPECT_EQ(q.header, (std::vector<std::string>{"variant", "year", "zone", "group", "indicator", "q025", "q10", "q50",
                                                "q90", "q975", "mean"}));
  EXPECT_EQ(q.rows.size(), 2u * 3u * 5u);
  const scenarios::ScenarioSet set = load("stochastic.toml");
  const app::EnsembleResult e = ensemble(set, 40, 1);
  std::vector<double> pop;
  for (long long t = 0; t < 40; ++t) pop.push_back(e.value(t, e.cell(1, 0, 0)));
  const long long met = std::count_if(pop.begin(), pop.end(), [](double v) { return v <= 12300; });
  std::sort(pop.begin(), pop.end());
  bool found = false;
  for (std::size_t r = 0; r < q.rows.size(); ++r)
    if (q.at(r, "year") == "2030" && q.at(r, "zone") == "A" && q.at(r, "indicator") == "population") {
      found = true;
      EXPECT_EQ(q.num(r, "q50"), app::type7_quantile(pop, 0.5));
      EXPECT_EQ(q.num(r, "q025"), pop.front() + 0.975 * (pop[1] - pop[0]));  // h = 39 · 0.025 = 0.975
    }
  EXPECT_TRUE(found);
  const auto t = read_csv((root_ / "out" / "targets.csv").string());
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.num(0, "probability_met"), static_cast<double>(met) / 40.0);
  EXPECT_GT(met, 0);
  EXPECT_LT(met, 40);  // the target is uncertain: some trajectories meet it, some do not
  // manifest.json says which ensemble the files are of: the seed given on the command line (not the scenario's 7)
  // and the number of trajectories, so that the run can be repeated from the manifest and the scenario file.
  const std::string manifest = cohortgis::test::slurp((root_ / "out" / "manifest.json").string());
  EXPECT_NE(manifest.find("\n  \"ensemble\": {\"trajectories\": 40, \"seed\": 20201101},\n"), std::string::npos)
      << manifest;
  // A deterministic run has no ensemble member.
  cfg.scenario = fixture("scenarios/stochastic_no_trajectories.toml");
  cfg.out_dir = (root_ / "det").string();
  cfg.trajectories.reset();
  cfg.seed.reset();  // a seed without trajectories is refused (it would draw nothing)
  EXPECT_EQ(app::run(cfg).trajectories, 0);
  EXPECT_EQ(cohortgis::test::slurp((root_ / "det" / "manifest.json").string()).find("\"ensemble\""), std::string::npos);
}

// OD rates are multiplied by their origin's multiplier (scenarios/README.md "Probabilistic projections"): with 5 % of A
// moving to B a year, A's net migration in the first step is −z·r·m_A·P_A(2020), the deterministic figure times m_A,
// and B gains what A loses. (The adjuster built the OD flows after the deviations were applied: they stayed as given.)
TEST_F(EnsembleTest, OdRatesTakeTheOriginMultiplier) {
  const scenarios::ScenarioSet set = load("stochastic_od.toml");
  const auto det = deterministic("stochastic_od.toml");
  const long long n = 8;
  const app::EnsembleResult e = ensemble(set, n, 2, {Indicator::net_migration});
  const double a = det.at("2025/A/net_migration");
  EXPECT_NEAR(a, -5 * 0.05 * 10000.0, 1e-9);  // base.csv: 10,000 persons in A
  int differ = 0;
  for (long long k = 0; k < n; ++k) {
    const scenarios::TrajectoryDraws draws{&set.stochastic, 20201101, static_cast<std::uint64_t>(k)};
    const double m = draws.migration_multiplier(0, 0);
    EXPECT_NEAR(e.value(k, e.cell(0, 0, 0)), a * m, 1e-9 * std::abs(a * m)) << "trajectory " << k;
    EXPECT_NEAR(e.value(k, e.cell(0, 1, 0)), -e.value(k, e.cell(0, 0, 0)), 1e-9 * std::abs(a * m));
    differ += std::abs(m - 1.0) > 1e-3;
  }
  EXPECT_GT(differ, 0);
}

// A probabilistic run of a scenario without [[targets]] writes quantiles.csv and its report (the report's
// probabilistic section read the header-only targets.csv with a table reader, which refused it as empty).
TEST_F(EnsembleTest, RunWithoutTargetsWritesQuantilesAndReport) {
  app::RunConfig cfg;
  cfg.scenario = fixture("scenarios/stochastic_od.toml");
  cfg.out_dir = (root_ / "out").string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.trajectories = 4;
  EXPECT_NO_THROW(app::run(cfg));
  EXPECT_TRUE(fs::is_regular_file(root_ / "out" / "quantiles.csv"));
  EXPECT_TRUE(fs::is_regular_file(root_ / "out" / "report.html"));
  EXPECT_TRUE(read_csv((root_ / "out" / "targets.csv").string()).rows.empty());
  // The population's fan chart, none of the share 65+, which a grid open at 20 cannot count (NaN, not 0).
  EXPECT_TRUE(fs::is_regular_file(root_ / "out" / "charts" / "fan_population_baseline.png"));
  EXPECT_FALSE(fs::exists(root_ / "out" / "charts" / "fan_share_65_plus_percent_baseline.png"));
}

TEST(EnsembleInput, TrajectoriesZeroIsBadInput) {
  app::RunConfig cfg;
  cfg.scenario = fixture("scenarios/stochastic.toml");
  cfg.out_dir = (fs::temp_directory_path() / "cohortgis_ensemble_zero_never_written").string();
  cfg.quiet = true;
  cfg.trajectories = 0;
  EXPECT_THROW(app::run(cfg), InputError);
  EXPECT_FALSE(fs::exists(cfg.out_dir));
}

}  // namespace

namespace {
// An ensemble whose summary cells would not fit in kMaxEnsembleBytes stops before projecting, naming the size.
TEST(EnsembleInput, TooManyTrajectoriesForMemoryIsBadInput) {
  const scenarios::ScenarioSet set = load("stochastic.toml");
  app::EnsembleOptions o;
  o.trajectories = 10'000'000'000LL;
  try {
    app::run_ensemble(set, set.runs.front(), aggregates(set.runs.front()), o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("summary cells per trajectory would need"), std::string::npos) << e.what();
  }
}

// A step's OD matrix built for other counts than the scenario's (Python's set_od): a drawn migration rebuilt it with
// the trajectory's multipliers by the scenario's counts, reading a multiplier past the zones for a flow from a zone
// the scenario lacks (and then refusing the rebuilt matrix in OdMigration's words). It is left as it is, for the
// engine's step checks to refuse naming both sets of counts; a matrix of the scenario's counts is still scaled.
TEST(EnsembleDraws, OdMatrixOfOtherCountsIsLeftForTheEnginesCheck) {
  scenarios::StochasticSpec spec;
  spec.migration_sd = 0.2;
  const scenarios::TrajectoryDraws draws{&spec, 7, 1};
  const AgeGrid grid = AgeGrid::single_year(100);
  const auto od = [&](std::vector<OdFlow> flows, int zones) {
    return std::make_shared<const OdMigration>(std::move(flows), std::vector<double>{}, zones, 1, grid.n_ages);
  };
  StepSchedules s;
  s.od = od({{2, 0, -1, 0.5}}, 3);
  const std::shared_ptr<const OdMigration> other = s.od;
  scenarios::perturb_schedules(draws, StepContext{0, 2020, 2021}, grid, 2, 1, s);
  EXPECT_EQ(s.od, other);
  s.od = od({{1, 0, -1, 0.5}}, 2);
  const std::shared_ptr<const OdMigration> own = s.od;
  scenarios::perturb_schedules(draws, StepContext{0, 2020, 2021}, grid, 2, 1, s);
  ASSERT_NE(s.od, own);
  EXPECT_NE(s.od->flows()[0].rate_per_year, 0.5);  // times zone 1's multiplier
}
}  // namespace

namespace {
// A trajectory whose population overflows stops as the deterministic run does, naming the year, the cell and the
// `[migration] net_rate` row to check first (key, file, data row): round 28's deterministic message; a trajectory's
// summary cells were inf and NaN without a word (Python's run(trajectories=…) runs no deterministic projection).
TEST(EnsembleInput, OverflowingTrajectoryNamesTheNetRateRow) {
  const scenarios::ScenarioSet set =
      scenarios::load_scenario_file(fixture("bad/migration_net_rate_overflow.toml"), COHORTGIS_DATA);
  app::EnsembleOptions o;
  o.trajectories = 1;
  o.threads = 1;
  try {
    app::run_ensemble(set, set.runs.front(), aggregates(set.runs.front()), o);
    FAIL() << "no error";
  } catch (const ProjectionError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("[stochastic] trajectory 0 of baseline (seed 1): year 2030: the population of zone 'B', group "
                     "'total', sex female, age 10 is not a finite number (it overflowed); check the inputs' "
                     "magnitudes, first the net migration rates reach 1e+300 persons per person over a step in zone "
                     "'B' ("),
              std::string::npos)
        << m;
    EXPECT_NE(m.find(": key 'migration.net_rate': "), std::string::npos) << m;
    EXPECT_NE(m.find("net_rate_overflow.csv, layer 'net_rate_overflow', data row 3 (row 4 counting the header row), "
                     "column 'value')"),
              std::string::npos)
        << m;
  }
}
}  // namespace
