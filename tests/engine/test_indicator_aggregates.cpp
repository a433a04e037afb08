// SPDX-License-Identifier: Apache-2.0
// The sums of an aggregate of two-group (and one-group) zones on a single-year grid with death rates
// (IndicatorPass::accumulate2, and accumulate2_part split over age ranges across threads for 64 zones or more). Every
// slot's values are the bits of sums made in the test one state after the other: a group's slot over the aggregate's
// zones in their order, "all" over (zone, group), each from +0; the pooled rates Σ mx·w / Σ w, w = (P0 + P1) / 2.
#include <gtest/gtest.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_kernels.hpp"
#include "indicators_pass.hpp"
#include "pooled_life_tables.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;

namespace {

// One step's start and end populations, death rates and components of 150 two-group zones on `grid` (single years),
// each state's values its own: the inputs of the fold and aggregate tests' passes.
struct StepOf150 {
  static constexpr int Z = 150, G = 2;
  CohortArray start, end;
  std::vector<double> mx;
  StepComponents comp;
  explicit StepOf150(const AgeGrid& grid)
      : start(CohortLayout{Z, G, grid}), end(CohortLayout{Z, G, grid}), mx(CohortLayout{Z, G, grid}.cells()) {
    const int A = grid.n_ages;
    comp = test::state_components(Z * G, A, 70.0, 15.0);
    for (int z = 0; z < Z; ++z)
      for (int g = 0; g < G; ++g) {
        const std::size_t st = uz(z * G + g);
        for (int s = 0; s < 2; ++s) {
          for (int i = 0; i < A; ++i) {
            start.at(z, g, s, i) = 900.0 / (1.0 + 0.29 * i + 0.011 * z + 0.6 * g + 0.1 * s);
            end.at(z, g, s, i) = 880.0 / (1.0 + 0.3 * i + 0.013 * z + 0.5 * g + 0.1 * s);
            mx[(st * 2 + uz(s)) * uz(A) + uz(i)] = (0.0002 + 0.0001 * g + 1e-6 * z) * std::exp(0.09 * i) + 0.0003 * s;
          }
          comp.births[st * 2 + uz(s)] = 30.0 + 0.1 * z + 5.0 * g + s;
          comp.deaths_by_state[st * 2 + uz(s)] = 7.0 + 0.03 * z + g + 0.1 * s;
          comp.net_migrants_by_state[st * 2 + uz(s)] = 0.7 * z - 40.0 + g - s;
        }
        for (int i = 15; i < 50; ++i) {
          comp.births_by_mother_age[st * uz(A) + uz(i)] = 10.0 + 0.3 * i + g + 0.01 * z;
          comp.women_exposure[st * uz(A) + uz(i)] = 400.0 - 2.0 * i + 5.0 * g + 0.7 * z;
        }
      }
  }
};

// A slot's pooled death rates made here, one state after the other: over the zones `zones` and group `slot` (every
// group where slot == G), Σ m·w and Σ w by sex and age (w the mean of the start and end persons), Σ m and the states'
// count n; rate(s, i) is Σ m·w / Σ w, or the plain mean Σ m / n where nobody is exposed.
struct PooledSums {
  std::vector<double> num, den, plain;
  double n = 0.0;
  int A = 0;
  double rate(int s, int i) const {
    const std::size_t k = uz(s * A + i);
    return den[k] > 0.0 ? num[k] / den[k] : plain[k] / n;
  }
};
PooledSums pooled_sums(const std::vector<int>& zones, int slot, int G, const CohortArray& P0, const CohortArray& P1,
                       const std::vector<double>& mx) {
  const int A = P0.layout().grid.n_ages;
  PooledSums p{std::vector<double>(uz(2 * A), 0.0), std::vector<double>(uz(2 * A), 0.0),
               std::vector<double>(uz(2 * A), 0.0), 0.0, A};
  for (int z : zones)
    for (int g = 0; g < G; ++g) {
      if (slot != G && g != slot) continue;
      const std::size_t st = uz(z * G + g);
      p.n += 1.0;
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          const std::size_t k = uz(s * A + i);
          const double m = mx[(st * 2 + uz(s)) * uz(A) + uz(i)];
          const double w = (P0.at(z, g, s, i) + P1.at(z, g, s, i)) / 2.0;
          p.num[k] += m * w, p.den[k] += w, p.plain[k] += m;
        }
    }
  return p;
}

// Every step's results of a run with indicators on fixed death rates, fertility and sex ratios at birth. With a step
// adjuster (one that changes nothing) every aggregate is summed after the step: no fold in the zone pass and no
// carried start sums, the reference the fold tests compare with.
test::RecordingSink run_on_rates(ProjectionConfig cfg, const CohortArray& base, const std::vector<double>& mx,
                                 const std::vector<double>& asfr, const std::vector<double>& srb, bool adjuster) {
  cfg.indicators = true;
  cfg.cell_components = true;
  if (adjuster) cfg.step_adjuster = [](const StepContext&, const CohortArray&, CohortArray&, StepComponents&) {};
  return test::run_fixed_rates(cfg, base, mx, asfr, srb);
}

// Also of one group (StepOf150's group 0 alone, nobody at its last three ages): its "all" slot is the group's, whose
// sums are made once (IndicatorPass::accumulate, accumulate2_part and accumulate2_events into the group's sums alone).
TEST(IndicatorAggregates, TwoGroupAggregatesAreTheBitsOfTheSerialSums) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = StepOf150::Z, A = grid.n_ages;
  const StepOf150 two(grid);
  // Group 0 of each zone as the only group of a layout of its own.
  CohortArray start1(CohortLayout{Z, 1, grid}), end1(CohortLayout{Z, 1, grid});
  std::vector<double> mx1;
  StepComponents comp1;
  for (int z = 0; z < Z; ++z) {
    const std::size_t st = uz(z * 2);
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i)
        start1.at(z, 0, s, i) = two.start.at(z, 0, s, i), end1.at(z, 0, s, i) = two.end.at(z, 0, s, i);
    const auto copy = [&](std::vector<double>& to, const std::vector<double>& from, std::size_t n) {
      to.insert(to.end(), from.begin() + static_cast<std::ptrdiff_t>(st * n),
                from.begin() + static_cast<std::ptrdiff_t>((st + 1) * n));
    };
    copy(mx1, two.mx, 2 * uz(A));
    copy(comp1.births, two.comp.births, 2);
    copy(comp1.births_by_mother_age, two.comp.births_by_mother_age, uz(A));
    copy(comp1.women_exposure, two.comp.women_exposure, uz(A));
    copy(comp1.deaths_by_state, two.comp.deaths_by_state, 2);
    copy(comp1.net_migrants_by_state, two.comp.net_migrants_by_state, 2);
    copy(comp1.e0, two.comp.e0, 2);
    copy(comp1.e65, two.comp.e65, 2);
  }
  // Nobody at the last three ages in the one-group layout: its aggregates' pooled rates there are the plain means.
  for (int z = 0; z < Z; ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = A - 3; i < A; ++i) start1.at(z, 0, s, i) = end1.at(z, 0, s, i) = 0.0;
  for (const int G : {2, 1}) {
    const CohortArray &start = G == 2 ? two.start : start1, &end = G == 2 ? two.end : end1;
    const std::vector<double>& mx = G == 2 ? two.mx : mx1;
    const StepComponents& comp = G == 2 ? two.comp : comp1;
    const std::vector<std::string> group_names =
        G == 2 ? std::vector<std::string>{"g0", "g1"} : std::vector<std::string>{"g0"};
    std::vector<std::string> ids;
    std::vector<int> all_zones, scrambled;
    for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z)), all_zones.push_back(z);
    for (int k = 0; k < Z; ++k) scrambled.push_back((k * 37 + 11) % Z);  // every zone once, out of order
    // Large (split over age ranges with threads) and small (one pass) aggregates, zones in and out of order.
    const std::vector<ZoneAggregate> aggregates = {
        {"every", all_zones}, {"scrambled", scrambled}, {"few", {7, 3, 120}}, {"one", {5}}};
    for (int threads : {1, 4}) {
      tbb::task_arena arena(threads);
      IndicatorTable t;
      arena.execute([&] {
        compute_indicators(start, end, comp, {}, mx, ids, group_names, aggregates, {}, LifeTableMethod{}, t);
      });
      for (const ZoneAggregate& agg : aggregates)
        for (int slot = 0; slot <= G; ++slot) {
          SCOPED_TRACE(agg.name + " slot " + std::to_string(slot) + " threads " + std::to_string(threads) + " groups " +
                       std::to_string(G));
          std::vector<double> P0(uz(2 * A), 0.0), P1(uz(2 * A), 0.0), bma(uz(A), 0.0), expo(uz(A), 0.0);
          const PooledSums pooled = pooled_sums(agg.zones, slot, G, start, end, mx);
          for (int z : agg.zones)
            for (int g = 0; g < G; ++g) {
              if (slot != G && g != slot) continue;
              const std::size_t st = uz(z * G + g);
              for (int s = 0; s < 2; ++s)
                for (int i = 0; i < A; ++i) {
                  const std::size_t k = uz(s * A + i);
                  P0[k] += start.at(z, g, s, i), P1[k] += end.at(z, g, s, i);
                }
              for (int i = 0; i < A; ++i) {
                bma[uz(i)] += comp.births_by_mother_age[st * uz(A) + uz(i)];
                expo[uz(i)] += comp.women_exposure[st * uz(A) + uz(i)];
              }
            }
          double start_total = 0.0, pf = 0.0, pm = 0.0, tfr = 0.0;
          for (int i = 0; i < A; ++i) start_total += P0[uz(i)], pf += P1[uz(i)], pm += P1[uz(A + i)];
          for (int i = 0; i < A; ++i) start_total += P0[uz(A + i)];
          for (int i = 0; i < A; ++i)
            if (expo[uz(i)] > 0.0) tfr += bma[uz(i)] / expo[uz(i)];
          const std::size_t u = t.unit_index(agg.name);
          EXPECT_EQ(t.get(u, uz(slot), Indicator::population_female), pf);
          EXPECT_EQ(t.get(u, uz(slot), Indicator::population_male), pm);
          EXPECT_EQ(t.get(u, uz(slot), Indicator::person_years), 1.0 * (start_total + (pf + pm)) / 2.0);
          if (agg.zones.size() == 1 && (slot != G || G == 1)) continue;  // one state: its own schedule, life tables
          EXPECT_EQ(t.get(u, uz(slot), Indicator::tfr), 1.0 * tfr);
          for (int s = 0; s < 2; ++s) {
            std::vector<double> rates;
            for (int i = 0; i < A; ++i) rates.push_back(pooled.rate(s, i));
            const LifeTable lt = single_year_life_table(rates, static_cast<Sex>(s));
            EXPECT_EQ(t.get(u, uz(slot), s == 0 ? Indicator::e0_female : Indicator::e0_male), lt.ex[0]);
            EXPECT_EQ(t.get(u, uz(slot), s == 0 ? Indicator::e65_female : Indicator::e65_male), lt.ex[65]);
          }
          EXPECT_TRUE(std::isfinite(t.get(u, uz(slot), Indicator::e0_female)));
        }
    }
  }
}

// The fold adds four consecutive zones in one pass where they are next and below the range's end
// (IndicatorPass::accumulate_four_zones_of_two), one zone at a time otherwise. A run folds ranges whose lengths follow
// its threads' timing; here the pass is called directly with ranges of many lengths over aggregates of runs of 1 to 9
// consecutive zones (four entries next in the fold can straddle a gap) and of every zone: the table is the bits of
// the sums made after the step (compute_indicators), also where the start sums are a previous fold's end sums.
TEST(IndicatorAggregates, FoldedInRangesOfAnyLengthIsTheBitsOfTheSumsAfterTheStep) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = StepOf150::Z;
  StepOf150 c(grid);
  const CohortArray &start = c.start, &end = c.end;
  const std::vector<double>& mx = c.mx;
  const StepComponents& comp = c.comp;
  std::vector<std::string> ids;
  std::vector<int> runs;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
  for (int z = 0, run = 1; z < Z; z += run + 1, run = run % 9 + 1)
    for (int k = z; k < std::min(Z, z + run); ++k) runs.push_back(k);
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate({{"runs", runs}}, Z);
  const std::vector<std::string> groups = {"g0", "g1"};
  const std::vector<AgeBand> no_bands;  // the pass holds references to its arguments
  const LifeTableMethod method;
  IndicatorTable after_step;
  tbb::task_arena one(1);
  one.execute([&] {
    compute_indicators(start, end, comp, {}, mx, ids, groups, aggregates, {}, LifeTableMethod{}, after_step);
  });
  const std::vector<std::vector<int>> range_ends = {
      {1, 2, 9, 10, 11, 23, 24, 57, 58, 100, 149, 150}, {3, 6, 13, 21, 22, 40, 41, 47, 77, 78, 150}, {150}};
  // The end sums of a fold whose end population is this one's start: the start sums given to the later folds.
  std::vector<std::vector<double>> ends;
  IndicatorTable before;
  detail::IndicatorPass previous(end, start, comp, {}, mx, ids, groups, aggregates, no_bands, method, before);
  for (int e : {5, 18, 150}) previous.fold(e);
  previous.keep_end_sums(ends);
  ASSERT_EQ(ends.size(), 2u * 3u);
  for (const std::vector<int>& ranges : range_ends) {
    IndicatorTable t;
    detail::IndicatorPass pass(start, end, comp, {}, mx, ids, groups, aggregates, no_bands, method, t);
    ASSERT_TRUE(pass.fold_zones());
    if (&ranges != &range_ends[0]) pass.start_sums_from(ends);
    for (int e : ranges) pass.fold(e);
    one.execute([&] { pass.units_from(0); });
    ASSERT_EQ(t.values.size(), after_step.values.size());
    EXPECT_EQ(test::differing_bits(t.values, after_step.values), 0u) << "ranges ending at " << ranges[0] << ", …";
  }
}

// The fold adds the pooled-mx sums of sixteen consecutive zones from a multiple of 16 at once, the first four to
// twelve waiting for the rest (IndicatorPass::add_mx_of_zones). Here an aggregate's zones come in fours from each
// multiple of 16 with gaps between them (16–19, 21–24, 26–29, then 32–35, …): four waiting are not followed by the
// zones after them, so they are added as they are; the table is the bits of the sums made after the step, for folds
// over ranges of several lengths.
TEST(IndicatorAggregates, FoldedFoursWithGapsAfterAMultipleOf16AreTheBitsOfTheSumsAfterTheStep) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = StepOf150::Z;
  StepOf150 c(grid);
  std::vector<std::string> ids;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
  std::vector<int> fours;
  for (int base = 0; base + 14 <= Z; base += 16)
    for (int first : {base, base + 5, base + 10})
      for (int k = first; k < first + 4; ++k) fours.push_back(k);
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate({{"fours", fours}}, Z);
  const std::vector<std::string> groups = {"g0", "g1"};
  const std::vector<AgeBand> no_bands;
  const LifeTableMethod method;
  IndicatorTable after_step;
  tbb::task_arena one(1);
  one.execute(
      [&] { compute_indicators(c.start, c.end, c.comp, {}, c.mx, ids, groups, aggregates, {}, method, after_step); });
  for (const std::vector<int>& ranges : std::vector<std::vector<int>>{{150}, {7, 20, 23, 40, 90, 150}}) {
    IndicatorTable t;
    detail::IndicatorPass pass(c.start, c.end, c.comp, {}, c.mx, ids, groups, aggregates, no_bands, method, t);
    ASSERT_TRUE(pass.fold_zones());
    for (int e : ranges) pass.fold(e);
    one.execute([&] { pass.units_from(0); });
    EXPECT_EQ(test::differing_bits(t.values, after_step.values), 0u) << "ranges ending at " << ranges[0] << ", …";
  }
}

// The fold reads the pooled-mx terms a zone's unit kept (rates_to_batch into a ring of IndicatorPass::kWeightZones
// zones, written only where the zone that many before is folded) and makes them again where the zone's slot holds
// another zone's. Here the units run before the fold on one thread, in stretches: zones 64 and more past the last fold
// keep no terms (the zone 64 before them not yet folded, their slots another zone's), so the fold makes theirs, and a
// slot reused after its zone was folded holds the later zone's terms. The table is the bits of the sums made after
// the step (compute_indicators) for every schedule.
TEST(IndicatorAggregates, FoldedAfterItsZonesUnitsIsTheBitsOfTheSumsAfterTheStep) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = StepOf150::Z;
  StepOf150 c(grid);
  std::vector<std::string> ids;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
  std::vector<int> runs;  // four consecutive zones next in the fold, or fewer
  for (int z = 0, run = 1; z < Z; z += run + 1, run = run % 9 + 1)
    for (int k = z; k < std::min(Z, z + run); ++k) runs.push_back(k);
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate({{"runs", runs}}, Z);
  const std::vector<std::string> groups = {"g0", "g1"};
  const std::vector<AgeBand> no_bands;
  const LifeTableMethod method;
  IndicatorTable after_step;
  tbb::task_arena one(1);
  one.execute([&] {
    compute_indicators(c.start, c.end, c.comp, {}, c.mx, ids, groups, aggregates, {}, LifeTableMethod{}, after_step);
  });
  // The zones below each end have run their units when the fold reaches it.
  const std::vector<std::vector<int>> schedules = {{150}, {70, 150}, {4, 64, 65, 68, 133, 150}, {1, 2, 3, 80, 150}};
  for (const std::vector<int>& ends : schedules) {
    IndicatorTable t;
    detail::IndicatorPass pass(c.start, c.end, c.comp, {}, c.mx, ids, groups, aggregates, no_bands, method, t);
    ASSERT_TRUE(pass.fold_zones());
    one.execute([&] {
      detail::IndicatorScratch sc;
      int z = 0;
      for (int e : ends) {
        for (; z < e; ++z) pass.unit(z, sc);
        pass.fold(e);
      }
      pass.units_from(Z);
    });
    ASSERT_EQ(t.values.size(), after_step.values.size());
    EXPECT_EQ(test::differing_bits(t.values, after_step.values), 0u) << "folds at " << ends[0] << ", …";
  }
}

// Aggregates of 64 zones or more whose zones are ascending (the engine's "total", every other zone) are summed in the
// zone pass as the zones are stepped (IndicatorPass::fold, StepRunner::zone_pass_folding; four consecutive zones at a
// time where they can: "total", "runs"); with a step adjuster (one that changes nothing) every aggregate is summed
// after the step instead. The same table, bit for bit, at 1, 2, 3 and
// 5 threads, over three steps; an aggregate out of order ("scrambled") is summed after the step either way.
TEST(IndicatorAggregates, FoldedInTheZonePassIsTheBitsOfTheSumsAfterTheStep) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 150, G = 2, A = grid.n_ages;
  test::RateInputs in = test::rate_inputs(
      grid, Z, G, 1.05,
      [](int z, int g, int s, int i) {
        return 500.0 / (1.0 + 0.03 * i + 0.007 * z + 0.4 * g + 0.1 * s) + (i % 5 == 0 ? 3.0 : 0.0);
      },
      [](int z, int g, int s, int i) { return (0.0003 + 0.0001 * g + 2e-6 * z) * std::exp(0.085 * i) + 0.0004 * s; },
      [](int, int) { return 0.0; });
  // Fertile ages that differ by zone, none in some states: four zones folded at once add the births by age of
  // mother only at the ages of any of them (IndicatorPass::births_ages_), the others ±0; and the exposure only at
  // the ages of the zones added so far, which grow upwards along the zones, downwards at zone 97 and up to 65 in
  // the last zone, which "total" adds on its own (the exposure of the zones added before made again there:
  // IndicatorPass::cover_exposure).
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g) {
      const std::size_t st = uz(z * G + g);
      const int lo = z == 97 ? 3 : 12 + z % 7 + 3 * g;
      const int hi = z % 13 == 5 && g == 1 ? lo : z == Z - 1 ? 66 : 38 + z / 9 + (z * 5) % 3;
      for (int i = lo; i < hi; ++i) in.asfr[st * uz(A) + uz(i)] = 0.04 + 0.0001 * z + 0.003 * g;
    }
  const CohortArray& base = in.base;
  const std::vector<double>&mx = in.mx, &asfr = in.asfr, &srb = in.srb;
  const std::vector<std::string>& ids = in.ids;
  std::vector<int> evens, runs, scrambled;
  for (int z = 0; z < Z; z += 2) evens.push_back(z);
  // Runs of 1 to 9 consecutive zones (the fold adds four consecutive zones in one pass: runs that start at any zone,
  // shorter than four, cut by the zone ranges the pass folds).
  for (int z = 0, run = 1; z < Z; z += run + 1, run = run % 9 + 1)
    for (int k = z; k < std::min(Z, z + run); ++k) runs.push_back(k);
  for (int k = 0; k < Z; ++k) scrambled.push_back((k * 37 + 11) % Z);
  auto run = [&](int threads, bool adjuster) {
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = 3;
    cfg.zone_ids = ids;
    cfg.group_names = {"g0", "g1"};
    cfg.aggregates = {{"evens", evens}, {"runs", runs}, {"scrambled", scrambled}};
    cfg.threads = threads;
    return run_on_rates(cfg, base, mx, asfr, srb, adjuster).indicators;
  };
  const std::vector<IndicatorTable> after_step = run(1, true);
  ASSERT_EQ(after_step.size(), 3u);
  for (int threads : {1, 2, 3, 5}) {  // 10 chunks of 16 zones: threads that interleave, more threads than cores
    const std::vector<IndicatorTable> folded = run(threads, false);
    ASSERT_EQ(folded.size(), 3u);
    for (std::size_t y = 0; y < 3; ++y) {
      const auto& a = folded[y].values;
      const auto& b = after_step[y].values;
      ASSERT_EQ(a.size(), b.size());
      EXPECT_EQ(test::differing_bits(a, b), 0u) << "threads " << threads << ", year " << y;
      const IndicatorTable& t = folded[y];
      for (const char* name : {"evens", "runs", "scrambled", "total"})
        EXPECT_TRUE(std::isfinite(t.get(t.unit_index(name), 2, Indicator::e0_male))) << name;
    }
  }
}

}  // namespace

// The aggregates' plain mx sums (the members' mean rate where nobody is exposed at a row) are made in finish, and only
// then, for sums that accumulate_zone_of_two added (folded aggregates and those under 64 zones): a base population
// with nobody aged 90 or more leaves rows 91–100 with nobody exposed in the first step (92–100 in the second). Every
// value is the bits of the sums after the step (a step adjuster: the aggregates of 64 zones or more split over age
// ranges, which sum the plain rates as they go) and the aggregates' e0 are the bits of life tables of rates pooled
// in the test.
TEST(IndicatorAggregates, PlainRatesWhereNobodyIsExposedAreTheBitsOfTheSerialSums) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 100, G = 2, A = grid.n_ages;
  const test::RateInputs in = test::rate_inputs(
      grid, Z, G, 1.05,
      [](int z, int g, int s, int i) {
        return i >= 90 ? 0.0 : 400.0 / (1.0 + 0.02 * i + 0.009 * z + 0.3 * g + 0.1 * s);
      },
      [](int z, int g, int s, int i) { return (0.0002 + 0.0001 * g + 3e-6 * z) * std::exp(0.087 * i) + 0.0005 * s; },
      [](int z, int g) { return 0.05 + 0.0001 * z + 0.002 * g; });
  const CohortArray& base = in.base;
  const std::vector<double>&mx = in.mx, &asfr = in.asfr, &srb = in.srb;
  const std::vector<std::string>& ids = in.ids;
  std::vector<int> evens;
  for (int z = 0; z < Z; z += 3) evens.push_back(z);
  const std::vector<ZoneAggregate> aggregates = {{"thirds", evens}, {"few", {7, 3, 7, 91}}};
  auto run = [&](int threads, bool adjuster) {
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = 2;
    cfg.zone_ids = ids;
    cfg.group_names = {"g0", "g1"};
    cfg.aggregates = aggregates;
    cfg.threads = threads;
    return run_on_rates(cfg, base, mx, asfr, srb, adjuster);
  };
  const test::RecordingSink after_step = run(4, true);
  ASSERT_EQ(after_step.indicators.size(), 2u);
  for (int threads : {1, 3}) {
    const test::RecordingSink folded = run(threads, false);
    ASSERT_EQ(folded.indicators.size(), 2u);
    for (std::size_t y = 0; y < 2; ++y) {
      const auto& a = folded.indicators[y].values;
      const auto& b = after_step.indicators[y].values;
      ASSERT_EQ(a.size(), b.size());
      EXPECT_EQ(test::differing_bits(a, b), 0u) << "threads " << threads << ", year " << y;
      // The pooled rates of each slot made here, one state after the other, from the step's start and end.
      const IndicatorTable& t = folded.indicators[y];
      const CohortArray& P0 = folded.populations[y];  // the base, then each step's end
      const CohortArray& P1 = folded.populations[y + 1];
      std::vector<ZoneAggregate> units = aggregates;
      std::vector<int> every;
      for (int z = 0; z < Z; ++z) every.push_back(z);
      units.push_back({"total", every});
      for (const ZoneAggregate& agg : units)
        for (int slot = 0; slot <= G; ++slot) {
          SCOPED_TRACE(agg.name + " slot " + std::to_string(slot) + " year " + std::to_string(y));
          const PooledSums pooled = pooled_sums(agg.zones, slot, G, P0, P1, mx);
          ASSERT_FALSE(pooled.den[uz(A - 1)] > 0.0);  // the open row: nobody exposed
          for (int s = 0; s < 2; ++s) {
            std::vector<double> rates;
            for (int i = 0; i < A; ++i) rates.push_back(pooled.rate(s, i));
            const LifeTable lt = single_year_life_table(rates, static_cast<Sex>(s));
            EXPECT_EQ(t.get(t.unit_index(agg.name), uz(slot), s == 0 ? Indicator::e0_female : Indicator::e0_male),
                      lt.ex[0]);
          }
        }
    }
  }
}

// A folded aggregate's start sums are the last step's end sums (IndicatorPass::start_sums_from), on every path of the
// fold: one and three groups (accumulate2) and a five-year grid, over four steps, at 1 and 3 threads; the same table,
// bit for bit, as the sums made after each step (a step adjuster that changes nothing: no fold, no carried sums).
TEST(IndicatorAggregates, CarriedStartSumsAreTheBitsOfTheSumsAfterTheStep) {
  for (const auto& [G, grid] : {std::pair{1, AgeGrid::single_year(100)}, std::pair{3, AgeGrid::single_year(90)},
                                std::pair{2, AgeGrid::five_year(85)}}) {
    const int Z = 80, A = grid.n_ages;
    const CohortLayout L{Z, G, grid};
    CohortArray base(L);
    const int R = grid.width_years == 1 ? A : A + 1;  // life-table rows: the abridged grid splits 0 and 1–4
    std::vector<double> mx(uz(Z * G * 2 * R)), asfr(uz(Z * G * A), 0.0), srb(uz(Z), 1.05);
    for (int z = 0; z < Z; ++z)
      for (int g = 0; g < G; ++g) {
        const std::size_t st = uz(z * G + g);
        for (int s = 0; s < 2; ++s) {
          for (int i = 0; i < A; ++i)
            base.at(z, g, s, i) = 300.0 / (1.0 + 0.04 * i + 0.005 * z + 0.3 * g + 0.1 * s) + (i % 3 == 0 ? 2.0 : 0.0);
          for (int r = 0; r < R; ++r)
            mx[(st * 2 + uz(s)) * uz(R) + uz(r)] =
                (0.0004 + 0.0001 * g + 1e-6 * z) * std::exp(9.0 * r / R) + 0.0003 * s;
        }
        for (int i = 0; i < A; ++i)
          if (grid.age_start(i) >= 15 && grid.age_start(i) < 50) asfr[st * uz(A) + uz(i)] = 0.03 + 0.0002 * z;
      }
    std::vector<std::string> ids, groups;
    for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
    for (int g = 0; g < G; ++g) groups.push_back("g" + std::to_string(g));
    // The grid by value: clang 14 cannot capture a structured binding.
    auto run = [&, step_grid = grid](int threads, bool adjuster) {
      ProjectionConfig cfg;
      cfg.grid = step_grid;
      cfg.steps = 4;
      cfg.zone_ids = ids;
      cfg.group_names = groups;
      cfg.threads = threads;
      return run_on_rates(cfg, base, mx, asfr, srb, adjuster).indicators;
    };
    const std::vector<IndicatorTable> after_step = run(1, true);
    ASSERT_EQ(after_step.size(), 4u);
    for (int threads : {1, 3}) {
      const std::vector<IndicatorTable> folded = run(threads, false);
      ASSERT_EQ(folded.size(), 4u);
      for (std::size_t y = 0; y < 4; ++y) {
        const auto& a = folded[y].values;
        const auto& b = after_step[y].values;
        ASSERT_EQ(a.size(), b.size());
        EXPECT_EQ(test::differing_bits(a, b), 0u)
            << G << " groups, " << A << " ages, threads " << threads << ", year " << y;
        const IndicatorTable& t = folded[y];
        EXPECT_TRUE(std::isfinite(t.get(t.unit_index("total"), uz(G), Indicator::person_years)));
      }
    }
  }
}

// The "total" fold's death-rate sums of four zones in one pass (add_mx3_four: two vectors of rows at a time in
// registers — sixteen rows on AVX-512, eight elsewhere — then eight, then four, the zones in a loop of their own, the
// last rows one at a time) are the bits of four add_mx3 calls, zone after zone, at every row count up to 40 (every
// remainder of sixteen, and none), with zeros of both signs, subnormal and huge persons and a NaN rate (its row's sums
// NaN from its zone on, the others as they were: a row's lanes mixed up would show).
TEST(IndicatorAggregates, FourZonesDeathRateSumsAreTheBitsOfFourAddMx3) {
  for (std::size_t rows = 0; rows <= 40; ++rows) {
    // Zone k's state a at k · zone, its state b at b (rates: k · mx_zone and mx_b); gaps between them.
    const std::size_t b = rows + 3, zone = 2 * b + 5, mx_b = rows + 1, mx_zone = 2 * mx_b + 2;
    std::vector<double> P0(4 * zone), P1(4 * zone), mx(4 * mx_zone);
    for (std::size_t i = 0; i < P0.size(); ++i) {
      P0[i] = 1000.0 / (1.0 + 0.37 * static_cast<double>(i));
      P1[i] = 997.0 / (1.0 + 0.41 * static_cast<double>(i));
    }
    for (std::size_t i = 0; i < mx.size(); ++i) mx[i] = 0.0003 * std::exp(0.07 * static_cast<double>(i % 50));
    if (rows > 2) P0[zone + 1] = -0.0, P1[zone + 1] = -0.0, P0[b + 2] = 4e-320, P1[3 * zone + b] = 1e300;
    if (rows > 0) mx[2 * mx_zone + mx_b + (rows * 5 / 7)] = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::vector<double>> want(6), got(6);
    for (int j = 0; j < 6; ++j) {
      want[uz(j)].resize(rows);
      for (std::size_t r = 0; r < rows; ++r) want[uz(j)][r] = 0.5 * j - 0.001 * static_cast<double>(r);
      got[uz(j)] = want[uz(j)];
    }
    for (std::size_t k = 0; k < 4; ++k)
      detail::add_mx3(want[0].data(), want[1].data(), want[2].data(), want[3].data(), want[4].data(), want[5].data(),
                      mx.data() + k * mx_zone, P0.data() + k * zone, P1.data() + k * zone,
                      mx.data() + k * mx_zone + mx_b, P0.data() + k * zone + b, P1.data() + k * zone + b, rows);
    detail::add_mx3_four(got[0].data(), got[1].data(), got[2].data(), got[3].data(), got[4].data(), got[5].data(),
                         mx.data(), mx_b, mx_zone, P0.data(), P1.data(), b, zone, rows);
    for (int j = 0; j < 6; ++j)
      for (std::size_t r = 0; r < rows; ++r)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[uz(j)][r]), std::bit_cast<std::uint64_t>(want[uz(j)][r]))
            << "rows " << rows << ", sum " << j << ", row " << r;
  }
}

// The death-rate sums of `zones` zones (a multiple of 4) from the terms rates_of_two_lanes keeps, interleaved as in
// the pass's ring from slot `slot` on (zone k's 16k further; the rest NaN), added by `add` (add_w3_four or
// add_w3_sixteen): the bits of add_mx3_four of each four zones in turn, at every row count from 4 (the first with terms
// kept) to 40 (every remainder of four, eight and sixteen: on AVX-512 the terms of two blocks of four rows a vector,
// written and added), with zeros of both signs, subnormal and huge persons and a row where nobody is exposed (the
// rates' slow path after the fast one: the terms stay those made).
namespace {
void kept_terms_sums_are_add_mx3_fours(std::size_t zones, std::size_t slot,
                                       void (*add)(double*, double*, double*, double*, double*, double*, const double*,
                                                   std::size_t)) {
  for (std::size_t rows = 4; rows <= 40; ++rows) {
    // Zone k's state a at k · zone, both sexes' rows (ages = rows), its state b at b; rates at k · mx_zone and mx_b.
    const std::size_t n = 2 * rows, b = n + 3, zone = 2 * b + 5, mx_b = n + 1, mx_zone = 2 * mx_b + 2;
    std::vector<double> P0(zones * zone), P1(zones * zone), mx(zones * mx_zone);
    for (std::size_t i = 0; i < P0.size(); ++i) {
      P0[i] = 1000.0 / (1.0 + 0.37 * static_cast<double>(i % 397));
      P1[i] = 997.0 / (1.0 + 0.41 * static_cast<double>(i % 389));
    }
    for (std::size_t i = 0; i < mx.size(); ++i) mx[i] = 0.0003 * std::exp(0.07 * static_cast<double>(i % 50));
    const std::size_t last = zones - 1;
    P0[zone + 1] = -0.0, P1[zone + 1] = -0.0, P0[b + 2] = 4e-320, P1[last * zone + b] = 1e300;
    if (rows % 3 == 0) {  // nobody exposed at a men's row of zone 2 (both states)
      const std::size_t i = 2 * zone + rows + rows / 2;
      P0[i] = P1[i] = P0[i + b] = P1[i + b] = 0.0;
    }
    std::vector<std::vector<double>> want(6), got(6);
    for (int j = 0; j < 6; ++j) {
      want[uz(j)].resize(n);
      for (std::size_t r = 0; r < n; ++r) want[uz(j)][r] = 0.5 * j - 0.001 * static_cast<double>(r);
      got[uz(j)] = want[uz(j)];
    }
    for (std::size_t k = 0; k < zones; k += 4)
      detail::add_mx3_four(want[0].data(), want[1].data(), want[2].data(), want[3].data(), want[4].data(),
                           want[5].data(), mx.data() + k * mx_zone, mx_b, mx_zone, P0.data() + k * zone,
                           P1.data() + k * zone, b, zone, n);
    std::vector<double> terms(detail::kept_terms_span(rows), std::numeric_limits<double>::quiet_NaN());
    std::vector<double> lanes(detail::kTableLanes * rows);
    double* const w = terms.data() + 16 * slot;
    for (std::size_t k = 0; k < zones; ++k) {
      const double *m = mx.data() + k * mx_zone, *s = P0.data() + k * zone, *e = P1.data() + k * zone;
      int flags[2];
      detail::rates_of_two_lanes(m, s, e, m + mx_b, s + b, e + b, rows, rows, lanes.data(), flags, w + 16 * k);
    }
    add(got[0].data(), got[1].data(), got[2].data(), got[3].data(), got[4].data(), got[5].data(), w, rows);
    for (int j = 0; j < 6; ++j)
      for (std::size_t r = 0; r < n; ++r)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[uz(j)][r]), std::bit_cast<std::uint64_t>(want[uz(j)][r]))
            << zones << " zones, rows " << rows << ", sum " << j << ", row " << r;
  }
}
}  // namespace

// The fold's death-rate sums from the terms a zone's rates kept (rates_of_two_lanes' weights, add_w3_four: the zone
// pass's fold reads them instead of the rates and persons) are the bits of add_mx3_four's.
TEST(IndicatorAggregates, FourZonesDeathRateSumsFromTheKeptTermsAreTheBitsOfAddMx3Four) {
  kept_terms_sums_are_add_mx3_fours(4, 5, detail::add_w3_four);
}

// The fold adds the kept terms of sixteen consecutive zones at once where it has them (add_w3_sixteen: the sums read
// and written once): the bits of add_mx3_four of zones 0–3, 4–7, 8–11 and 12–15 in turn, on the same cells.
TEST(IndicatorAggregates, SixteenZonesDeathRateSumsFromTheKeptTermsAreTheBitsOfFourAddMx3Four) {
  kept_terms_sums_are_add_mx3_fours(16, 32, detail::add_w3_sixteen);
}

// A table filled again (the next step's pass into the last step's table) keeps its units' names only where they are
// the same: a zone's or an aggregate's name that changed, the same number of units, or more units, are the new names.
TEST(IndicatorAggregates, ATableFilledAgainHasTheNewUnitsNames) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = StepOf150::Z;
  const StepOf150 c(grid);
  std::vector<std::string> ids;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
  const std::vector<std::string> groups = {"g0", "g1"};
  IndicatorTable t;
  tbb::task_arena one(1);
  const auto fill = [&](const std::vector<std::string>& zone_ids, const std::vector<ZoneAggregate>& aggregates) {
    one.execute([&] {
      compute_indicators(c.start, c.end, c.comp, {}, c.mx, zone_ids, groups, aggregates, {}, LifeTableMethod{}, t);
    });
    std::vector<std::string> want = zone_ids;
    for (const ZoneAggregate& a : aggregates) want.push_back(a.name);
    EXPECT_EQ(t.unit_names, want);
    for (std::size_t u = 0; u < want.size(); ++u) EXPECT_EQ(t.unit_index(want[u]), u);
  };
  const std::vector<ZoneAggregate> aggregates = {{"few", {7, 3, 120}}, {"one", {5}}};
  fill(ids, aggregates);
  fill(ids, aggregates);  // the same names: kept
  std::vector<std::string> renamed = ids;
  renamed[Z - 1] = "last";  // the last zone renamed
  fill(renamed, aggregates);
  renamed[0] = "first";  // and the first
  fill(renamed, aggregates);
  fill(renamed, {{"few", {7, 3, 120}}, {"single", {5}}});                   // an aggregate renamed
  fill(renamed, {{"few", {7, 3, 120}}, {"single", {5}}, {"two", {1, 2}}});  // one more unit
  fill(ids, {});
}
