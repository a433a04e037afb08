// SPDX-License-Identifier: Apache-2.0
// Microbenchmarks of the projection step and its parts on the benchmark workload (bench/workload.hpp): the whole
// step, life tables + survival ratios, cohort survival (A3 steps 1–3), births (A3 step 4), the OD exchange (a step
// with the OD graph minus one without it) and the indicators. Reports cohort-cells per second. Compare rows of the
// same run only; bench/run_bench.py gives the scaling table against NumPy and the bandwidth floor.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "workload.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;

namespace {


const Workload& workload(int zones) {
  static std::map<int, std::unique_ptr<Workload>> cache;  // generating a workload takes longer than a step
  auto& w = cache[zones];
  if (!w) w = std::make_unique<Workload>(bench::WorkloadOptions{zones, 1, 8, 20240607, ""});
  return *w;
}

struct NullSink : ResultSink {
  void step(const StepResult& r) override { benchmark::DoNotOptimize(r.end.data().data()); }
};

void cells_rate(benchmark::State& state, const Workload& w) {
  state.counters["cells/s"] = benchmark::Counter(
      static_cast<double>(w.layout().cells()) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Five annual steps of the whole engine (one schedule period: life tables built in the first step, reused in the
// next four; flows, the step, no indicators, per-state sums only). Time / 5 is the time per projected year.
void BM_Step(benchmark::State& state) {
  const Workload& w = workload(static_cast<int>(state.range(0)));
  const bool od = state.range(2) != 0;
  constexpr int kYears = 5;
  StepSchedules sch;
  w.fill_period(0, sch);
  if (!od) {
    sch.od.reset();
    sch.transitions.clear();
  }
  ProjectionConfig cfg = w.config(static_cast<int>(state.range(1)), false);
  cfg.steps = kYears;
  cfg.cell_components = false;
  NullSink sink;
  for (auto _ : state) {
    state.PauseTiming();
    Projection p(cfg, w.base_population());
    state.ResumeTiming();
    p.run([&](const StepContext& ctx, StepSchedules& s) {
      if (ctx.step == 0) s = sch;
      else s.mortality_unchanged = true;
    }, sink);
  }
  state.counters["cells/s"] = benchmark::Counter(static_cast<double>(w.layout().cells()) * kYears *
                                                     static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

// Life tables from mx and survival ratios (A1) for every state and sex.
void BM_LifeTables(benchmark::State& state) {
  const Workload& w = workload(static_cast<int>(state.range(0)));
  StepSchedules sch;
  w.fill_period(0, sch);
  const AgeGrid grid = w.grid();
  const std::size_t A = uz(grid.n_ages), n = w.layout().states() * 2;
  std::vector<double> S(A);
  LifeTable lt;
  const LifeTableMethod method;
  for (auto _ : state) {
    for (std::size_t k = 0; k < n; ++k) {
      build_single_year_life_table(std::span<const double>(sch.mortality.data() + k * A, A),
                                   k % 2 == 0 ? Sex::female : Sex::male, method, lt);
      survival_ratios(lt, grid, S);
      benchmark::DoNotOptimize(S.data());
    }
  }
  cells_rate(state, w);
}

// A3 steps 1–3 (cohort survival) and step 4 (births) over every state, survival ratios given.
void BM_SurvivalAndBirths(benchmark::State& state) {
  const Workload& w = workload(static_cast<int>(state.range(0)));
  const bool births = state.range(1) != 0;
  StepSchedules sch;
  w.fill_period(0, sch);
  const AgeGrid grid = w.grid();
  const std::size_t A = uz(grid.n_ages);
  const CohortArray& P = w.base_population();
  std::vector<double> S(A, 0.99), Ab(A), E(A), D(A), Q(A), B(A);
  const SexStepBuffers buf{Ab, E, D, Q};
  for (auto _ : state) {
    for (int z = 0; z < w.options().zones; ++z)
      for (int g = 0; g < Workload::kGroups; ++g)
        for (int s = 0; s < 2; ++s) {
          survive_cohorts(grid, P.ages(z, g, s), S, {}, MigrationTiming::even, buf);
          if (births && s == 0) {
            const std::size_t st = uz(z) * Workload::kGroups + uz(g);
            benchmark::DoNotOptimize(births_by_age_of_mother(grid, std::span<const double>(sch.asfr.data() + st * A, A), buf, B));
          }
          benchmark::DoNotOptimize(Q.data());
        }
  }
  cells_rate(state, w);
}

// Indicators of one step's results (zones, groups, "all" and the total aggregate).
void BM_Indicators(benchmark::State& state) {
  const Workload& w = workload(static_cast<int>(state.range(0)));
  struct Keep : ResultSink {
    void step(const StepResult& r) override {
      start = r.start;
      end = r.end;
      comp = r.components;
    }
    CohortArray start, end;
    StepComponents comp;
  } keep;
  ProjectionConfig cfg = w.config(1, false);
  cfg.steps = 1;
  StepSchedules sch;
  w.fill_period(0, sch);
  Projection(cfg, w.base_population()).run([&](const StepContext&, StepSchedules& s) { s = sch; }, keep);
  const auto aggregates = with_total_aggregate({}, w.options().zones);
  IndicatorTable out;
  for (auto _ : state)
    compute_indicators(keep.start, keep.end, keep.comp, sch.asfr, sch.mortality, cfg.zone_ids, cfg.group_names,
                       aggregates, {}, cfg.life_table_method, out);
  cells_rate(state, w);
}

}  // namespace

BENCHMARK(BM_Step)->ArgNames({"zones", "threads", "od"})
    ->Args({3000, 1, 0})->Args({3000, 1, 1})->Args({3000, 2, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LifeTables)->ArgNames({"zones"})->Args({3000})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SurvivalAndBirths)->ArgNames({"zones", "births"})->Args({3000, 0})->Args({3000, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Indicators)->ArgNames({"zones"})->Args({3000})->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
