// SPDX-License-Identifier: Apache-2.0
// Microbenchmarks of one projection step: N zones × 2 groups × 2 sexes × ages 0..100+, single-year step, each zone
// exchanging OD migrants with 8 others. Reports cohort-cells per second; compare thread counts within one run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>

#include "cohortgis/engine/projection.hpp"

using namespace cohortgis;

namespace {

struct NullSink : ResultSink {
  void step(const StepResult& r) override { benchmark::DoNotOptimize(r.end.data().data()); }
};

struct Workload {
  ProjectionConfig cfg;
  CohortArray base;
  StepSchedules schedules;
};

Workload make_workload(int zones, bool od, int threads) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages, G = 2;
  Workload w;
  w.cfg.grid = grid;
  w.cfg.steps = 1;
  w.cfg.threads = threads;
  w.cfg.indicators = false;
  w.base = CohortArray(CohortLayout{zones, G, grid});
  for (std::size_t c = 0; c < w.base.data().size(); ++c) w.base.data()[c] = 100.0 + static_cast<double>(c % 97);
  auto& s = w.schedules;
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g)
      for (int sx = 0; sx < 2; ++sx)
        for (int i = 0; i < A; ++i)
          s.mortality.push_back(i == 0 ? 0.005 : (0.0004 + 0.00002 * std::exp(0.1 * i)) * (1.0 + 0.001 * z));
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g)
      for (int i = 0; i < A; ++i) s.asfr.push_back(i >= 15 && i < 50 ? 0.04 : 0.0);
  s.srb.assign(static_cast<std::size_t>(zones), 1.06);
  if (od) {
    std::vector<OdFlow> flows;
    for (int o = 0; o < zones; ++o)
      for (int k = 1; k <= 8; ++k) flows.push_back({o, (o + k) % zones, -1, 0.002});
    s.od = std::make_shared<const OdMigration>(flows, std::vector<double>{}, zones, G, A);
  }
  return w;
}

void BM_ProjectionStep(benchmark::State& state) {
  const int zones = static_cast<int>(state.range(0));
  Workload w = make_workload(zones, state.range(1) != 0, static_cast<int>(state.range(2)));
  NullSink sink;
  for (auto _ : state) {
    Projection p(w.cfg, w.base);
    p.run([&](const StepContext&, StepSchedules& s) { s = w.schedules; }, sink);
  }
  state.counters["cells/s"] = benchmark::Counter(static_cast<double>(w.base.data().size()) * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_ProjectionStep)
    ->ArgNames({"zones", "od", "threads"})
    ->Args({1000, 0, 1})
    ->Args({1000, 1, 1})
    ->Args({1000, 1, 2})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
