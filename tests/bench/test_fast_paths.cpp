// SPDX-License-Identifier: Apache-2.0
// The engine's fast paths change no result: reusing last step's life tables (StepSchedules::mortality_unchanged),
// not keeping per-cell components (ProjectionConfig::cell_components = false) and the thread count, on the
// benchmark workload (OD graph, group transition, schedules that change by five-year period).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "cohortgis/engine/projection.hpp"
#include "workload.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;

namespace {

struct Keep : ResultSink {
  void step(const StepResult& r) override {
    pops.push_back(r.end);
    births.push_back(r.components.births);
    deaths.push_back(r.components.deaths_by_state);
    net.push_back(r.components.net_migrants_by_state);
    e0.push_back(r.components.e0);
    births_by_age_kept = !r.components.births_by_mother_age.empty();
    if (r.indicators) tables.push_back(*r.indicators);
  }
  std::vector<CohortArray> pops;
  std::vector<std::vector<double>> births, deaths, net, e0;
  bool births_by_age_kept = false;
  std::vector<MortalityInput> kinds;  // the schedules' mortality kind after each step
  std::vector<IndicatorTable> tables;
};

Keep run(const Workload& w, int threads, bool cells, bool hint, bool indicators = false, bool in_place = false) {
  ProjectionConfig cfg = w.config(threads, indicators);
  cfg.cell_components = cells;
  cfg.mortality_in_place = in_place;
  Keep k;
  Projection p(cfg, w.base_population());
  auto provider = w.provider();
  p.run([&](const StepContext& ctx, StepSchedules& s) {
    if (ctx.step > 0) k.kinds.push_back(s.mortality_kind);
    provider(ctx, s);
    if (!hint) s.mortality_unchanged = false;
  }, k);
  return k;
}

bool same(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

const Workload& workload() {
  static const Workload w(bench::WorkloadOptions{80, 7, 8, 7, ""});
  return w;
}

}  // namespace

TEST(FastPaths, ReusedLifeTablesLeanComponentsAndThreadsAreBitIdentical) {
  const Keep ref = run(workload(), 1, true, false);
  for (auto [threads, cells, hint] : {std::tuple{1, true, true}, {2, false, true}, {4, false, false}, {2, true, true}}) {
    const Keep k = run(workload(), threads, cells, hint);
    ASSERT_EQ(k.pops.size(), ref.pops.size());
    for (std::size_t t = 0; t < ref.pops.size(); ++t) {
      EXPECT_TRUE(same(k.pops[t].data(), ref.pops[t].data())) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same(k.births[t], ref.births[t])) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same(k.deaths[t], ref.deaths[t])) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same(k.net[t], ref.net[t])) << threads << cells << hint << " step " << t;
    }
  }
}

TEST(FastPaths, IndicatorsWithoutCellComponentsMatch) {
  const Keep full = run(workload(), 2, true, true, true), lean = run(workload(), 2, false, true, true);
  ASSERT_EQ(full.tables.size(), lean.tables.size());
  for (std::size_t t = 0; t < full.tables.size(); ++t) {
    const auto& a = full.tables[t].values;
    const auto& b = lean.tables[t].values;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (std::isnan(a[k])) {
        EXPECT_TRUE(std::isnan(b[k])) << k;
        continue;
      }
      EXPECT_NEAR(a[k], b[k], 1e-9 * std::max(1.0, std::abs(a[k]))) << "step " << t << " value " << k;
    }
  }
}

// ProjectionConfig::mortality_in_place: survival ratios written over the mx rows of the schedules, then read from
// there (with the hint) or taken as given survival ratios (without it): the same bits as the cache.
TEST(FastPaths, MortalityInPlaceIsBitIdentical) {
  const Keep ref = run(workload(), 1, false, true);
  EXPECT_FALSE(ref.births_by_age_kept);  // lean, no indicators: no state-sized births by age of mother
  for (auto [threads, hint] : {std::tuple{1, true}, {2, true}, {3, false}}) {
    const Keep k = run(workload(), threads, false, hint, false, true);
    ASSERT_EQ(k.pops.size(), ref.pops.size());
    for (std::size_t t = 0; t < ref.pops.size(); ++t) {
      EXPECT_TRUE(same(k.pops[t].data(), ref.pops[t].data())) << threads << hint << " step " << t;
      EXPECT_TRUE(same(k.births[t], ref.births[t])) << threads << hint << " step " << t;
      EXPECT_TRUE(same(k.deaths[t], ref.deaths[t])) << threads << hint << " step " << t;
      EXPECT_TRUE(same(k.net[t], ref.net[t])) << threads << hint << " step " << t;
      if (hint) {  // life tables reused
        EXPECT_TRUE(same(k.e0[t], ref.e0[t])) << threads << " step " << t;
      }
    }
    // After every step the schedules hold the survival ratios (the provider rewrites mx at a period's start).
    for (MortalityInput kind : k.kinds) EXPECT_EQ(kind, MortalityInput::survival_ratios);
  }
  // With indicators (they read mx) the option is ignored: the schedules keep the death rates.
  const Keep ind = run(workload(), 2, false, true, true, true);
  for (MortalityInput kind : ind.kinds) EXPECT_EQ(kind, MortalityInput::death_rates);
  EXPECT_TRUE(ind.births_by_age_kept);
  for (std::size_t t = 0; t < ref.pops.size(); ++t) EXPECT_TRUE(same(ind.pops[t].data(), ref.pops[t].data()));
}
