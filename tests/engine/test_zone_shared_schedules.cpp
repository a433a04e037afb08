// SPDX-License-Identifier: Apache-2.0
// Memory of large runs (issue #16, round 28): national schedules given once for every zone
// (cohortgis/engine/zone_shared_schedules.hpp) give the same bits as the same schedules written out for every zone,
// on every path that reads them (the flow step with and without migration, both grids, one and two groups, the
// indicators' zones, folded and small aggregates and fertility measures, a lean run, the multistate method); and the
// engine's end population is not yet allocated while the sink writes the base year.
#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::RecordingSink;
using cohortgis::test::same_bits;

namespace {

struct Case {
  ProjectionConfig cfg;
  CohortArray base;
  std::vector<StepSchedules> steps;
};

// `zones` zones (70: the whole area is folded in the zone pass, kFoldAggregateZones = 64) whose populations differ,
// with one national schedule by group and sex: death rates, fertility and the sex ratio at birth the same bits in every
// zone; a step's rates differ from the last one's. With `migration`, net migrants by cell.
Case national_case(const AgeGrid& grid, int groups, bool migration, unsigned seed, int zones = 70) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int A = grid.n_ages, rows = grid.life_table_rows();
  Case c;
  c.cfg.grid = grid;
  c.cfg.steps = 3;
  c.cfg.group_names.clear();
  for (int g = 0; g < groups; ++g) c.cfg.group_names.push_back("g" + std::to_string(g));
  for (int z = 0; z < zones; ++z) c.cfg.zone_ids.push_back("Z" + std::to_string(z));
  if (zones >= 12) c.cfg.aggregates = {{"pair", {3, 5}}, {"north", {0, 1, 2, 7, 9, 11}}};
  for (const char* name : {"mean_age_childbearing", "grr", "nrr"})
    c.cfg.extra_age_bands.push_back(*optional_indicator(name));
  const CohortLayout layout{zones, groups, grid};
  c.base = CohortArray(layout);
  for (double& p : c.base.storage()) p = 20.0 + 500.0 * U(rng);
  for (int t = 0; t < c.cfg.steps; ++t) {
    std::vector<double> mx, asfr;  // one zone's: [group][sex][row], [group][age]
    for (int k = 0; k < groups * 2; ++k) {
      const double level = 0.6 + 0.8 * U(rng);
      for (int r = 0; r < rows; ++r) {
        const double age = grid.width_years == 1 ? r + 0.5 : (r == 0 ? 0.5 : r == 1 ? 3.0 : 5.0 * (r - 1) + 2.5);
        mx.push_back(level * (0.0005 + 0.00003 * std::exp(0.095 * age)));
      }
    }
    for (int g = 0; g < groups; ++g)
      for (int i = 0; i < A; ++i)
        asfr.push_back(grid.age_start(i) >= 15 && grid.age_start(i) < 50 ? 0.04 + 0.04 * U(rng) : 0.0);
    const double srb = 1.03 + 0.1 * U(rng);
    StepSchedules s;
    for (int z = 0; z < zones; ++z) {
      s.mortality.insert(s.mortality.end(), mx.begin(), mx.end());
      s.asfr.insert(s.asfr.end(), asfr.begin(), asfr.end());
      s.srb.push_back(srb);
    }
    if (migration) {
      s.net_migrants.resize(layout.cells());
      for (double& m : s.net_migrants) m = 20.0 * (U(rng) - 0.55) * (U(rng) < 0.05 ? 100.0 : 1.0);
    }
    c.steps.push_back(std::move(s));
  }
  return c;
}

// The same case with each step's schedules given once (share_zone_schedules), which must shrink every one of them.
Case given_once(const Case& c) {
  Case once = c;
  const CohortLayout& L = c.base.layout();
  for (StepSchedules& s : once.steps) {
    const std::size_t full = (s.mortality.size() + s.asfr.size() + s.srb.size()) * sizeof(double);
    const std::size_t freed = share_zone_schedules(s, L);
    EXPECT_EQ(s.mortality.size(), uz(L.groups) * kSexes * uz(L.grid.life_table_rows()));
    EXPECT_EQ(s.asfr.size(), uz(L.groups) * L.ages());
    EXPECT_EQ(s.srb.size(), 1u);
    EXPECT_EQ(freed, full - (s.mortality.size() + s.asfr.size() + s.srb.size()) * sizeof(double));
    EXPECT_TRUE(has_zone_shared_schedules(s, L));
  }
  return once;
}

// By reference (a scenario's fixed schedules, as the command line hands them) or copied into the engine's buffer.
RecordingSink run(const Case& c, int threads, bool by_reference) {
  ProjectionConfig cfg = c.cfg;
  cfg.threads = threads;
  Projection p(cfg, c.base);
  RecordingSink sink;
  if (by_reference)
    p.run_shared([&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; },
                 sink);
  else
    p.run([&](const StepContext& ctx, StepSchedules& s) { s = c.steps[uz(ctx.step)]; }, sink);
  return sink;
}

void expect_same_bits(std::span<const double> a, std::span<const double> b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  EXPECT_TRUE(same_bits(a, b)) << what;
}

void expect_same_results(const RecordingSink& x, const RecordingSink& y) {
  ASSERT_EQ(x.populations.size(), y.populations.size());
  for (std::size_t t = 0; t < x.populations.size(); ++t)
    expect_same_bits(x.populations[t].data(), y.populations[t].data(), "population " + std::to_string(t));
  ASSERT_EQ(x.components.size(), y.components.size());
  for (std::size_t t = 0; t < x.components.size(); ++t) {
    const StepComponents &a = x.components[t], &b = y.components[t];
    for (auto m : {&StepComponents::deaths, &StepComponents::net_migrants, &StepComponents::floor_adjustment,
                   &StepComponents::transfer_in, &StepComponents::transfer_out})
      expect_same_bits((a.*m).data(), (b.*m).data(), "component of step " + std::to_string(t));
    for (auto m : {&StepComponents::births, &StepComponents::births_by_mother_age, &StepComponents::women_exposure,
                   &StepComponents::e0, &StepComponents::e65, &StepComponents::deaths_by_state,
                   &StepComponents::net_migrants_by_state})
      expect_same_bits(a.*m, b.*m, "per-state component of step " + std::to_string(t));
  }
  ASSERT_EQ(x.indicators.size(), y.indicators.size());
  for (std::size_t t = 0; t < x.indicators.size(); ++t)
    expect_same_bits(x.indicators[t].values, y.indicators[t].values, "indicators " + std::to_string(t));
}

}  // namespace

TEST(ZoneSharedSchedules, SameBitsAsEveryZonesSchedules) {
  unsigned seed = 11;
  for (const AgeGrid& grid : {AgeGrid::five_year(85), AgeGrid::single_year(90)})
    for (const int groups : {1, 2})
      for (const bool migration : {false, true}) {
        const Case every = national_case(grid, groups, migration, ++seed);
        const Case once = given_once(every);
        const RecordingSink expected = run(every, 1, true);
        ASSERT_EQ(expected.indicators.size(), 3u);
        for (const int threads : {1, 3})
          for (const bool by_reference : {true, false}) {
            SCOPED_TRACE("width " + std::to_string(grid.width_years) + ", groups " + std::to_string(groups) +
                         ", migration " + std::to_string(migration) + ", threads " + std::to_string(threads) +
                         (by_reference ? ", by reference" : ", copied"));
            expect_same_results(expected, run(once, threads, by_reference));
          }
      }
}

// A lean run that writes survival ratios over its mx rows (mortality_in_place) and the multistate method, which reads
// every zone's rows (the engine writes them out for it): the same bits too.
TEST(ZoneSharedSchedules, LeanAndMultistateRunsTheSameBits) {
  Case lean = national_case(AgeGrid::single_year(90), 2, false, 3);
  lean.cfg.indicators = false;
  lean.cfg.cell_components = false;
  lean.cfg.mortality_in_place = true;
  expect_same_results(run(lean, 2, false), run(given_once(lean), 2, true));

  Case ms = national_case(AgeGrid::five_year(85), 2, false, 4, 9);
  ms.cfg.method = ProjectionMethod::multistate;
  for (StepSchedules& s : ms.steps)
    s.transitions = {GroupTransition{1, 0, std::vector<double>(kSexes * ms.cfg.grid.n_ages, 0.02), {}}};
  const Case ms_once = given_once(ms);
  expect_same_results(run(ms, 1, true), run(ms_once, 1, true));
  expect_same_results(run(ms, 1, true), run(ms_once, 2, false));
}

// Only arrays whose every zone holds zone 0's bits are kept once; mortality only as death rates without the rates
// above the open age; expand_zone_shared_schedules writes them out again, bit for bit.
TEST(ZoneSharedSchedules, OnlyTheSameBitsInEveryZoneAreKeptOnce) {
  const Case c = national_case(AgeGrid::five_year(85), 2, false, 7, 4);
  const CohortLayout& L = c.base.layout();
  StepSchedules s = c.steps[0];
  s.asfr[s.asfr.size() - 3] = std::nextafter(s.asfr[s.asfr.size() - 3], 1.0);  // the last zone's, one ulp apart
  s.srb.back() = -0.0 * s.srb.back();                                          // not the bits of zone 0's
  StepSchedules once = s;
  const std::size_t freed = share_zone_schedules(once, L);
  EXPECT_EQ(freed, (s.mortality.size() - once.mortality.size()) * sizeof(double));
  EXPECT_EQ(once.mortality.size(), 2u * kSexes * uz(L.grid.life_table_rows()));
  EXPECT_EQ(once.asfr, s.asfr);
  EXPECT_EQ(once.srb.size(), s.srb.size());
  StepSchedules every = once;
  expand_zone_shared_schedules(every, L);
  expect_same_bits(every.mortality, s.mortality, "mortality written out");
  EXPECT_FALSE(has_zone_shared_schedules(every, L));
  EXPECT_EQ(share_zone_schedules(once, L), 0u);  // nothing more to keep once

  StepSchedules next = c.steps[0];
  next.mortality_next.assign(L.states() * kSexes, 0.2);
  EXPECT_EQ(share_zone_schedules(next, L),
            (c.steps[0].asfr.size() - 2 * L.ages() + c.steps[0].srb.size() - 1) * sizeof(double));
  EXPECT_EQ(next.mortality.size(), c.steps[0].mortality.size());
  StepSchedules ratios = c.steps[0];
  ratios.mortality_kind = MortalityInput::person_years;
  ratios.radix_l0.assign(L.states() * kSexes, 1.0);
  (void)share_zone_schedules(ratios, L);
  EXPECT_EQ(ratios.mortality.size(), c.steps[0].mortality.size());

  const CohortLayout one_zone{1, 2, L.grid};  // one zone: the two forms are one
  StepSchedules single;
  single.asfr.assign(2 * L.ages(), 0.05);
  single.srb = {1.05};
  EXPECT_EQ(share_zone_schedules(single, one_zone), 0u);
  EXPECT_FALSE(has_zone_shared_schedules(single, one_zone));
}

// A bad value in a schedule given once is reported as in the schedules written out: at zone 0, the first zone.
TEST(ZoneSharedSchedules, ABadValueIsReportedAsForEveryZone) {
  for (const bool bad_mx : {true, false}) {
    Case every = national_case(AgeGrid::five_year(85), 2, true, 8, 5);
    for (StepSchedules& s : every.steps) {
      std::vector<double>& v = bad_mx ? s.mortality : s.asfr;
      const std::size_t per_zone = v.size() / 5;
      for (std::size_t z = 0; z < 5; ++z) v[z * per_zone + per_zone / 2 + 1] = std::nan("");
    }
    const Case once = given_once(every);
    std::optional<std::string> expected, got;
    try {
      (void)run(every, 2, true);
    } catch (const InputError& e) {
      expected = e.what();
    }
    try {
      (void)run(once, 2, true);
    } catch (const InputError& e) {
      got = e.what();
    }
    ASSERT_TRUE(expected.has_value());
    EXPECT_NE(expected->find("Z0"), std::string::npos) << *expected;
    EXPECT_EQ(got, expected);
  }
}

// The end population (a state-sized array) is allocated after the sink has the base year, not before: a sink that
// writes the base year in line (the command line at 50,000 zones, where the run's peak RSS was) does not hold it too.
TEST(ZoneSharedSchedules, EndPopulationAllocatedAfterTheBaseYear) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' allocators keep no glibc heap statistics";
#elif defined(__GLIBC__)
  const auto heap_in_use = [] {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;  // allocated from the arenas and mapped on their own
  };
  Case c = national_case(AgeGrid::single_year(100), 2, false, 5, 2000);  // a state of 6.5 MB
  c.cfg.steps = 1;
  c.cfg.indicators = false;
  c.cfg.cell_components = false;
  c.cfg.threads = 1;
  const std::size_t state_bytes = c.base.layout().cells() * sizeof(double);
  struct BaseSink : ResultSink {
    std::function<std::size_t()> in_use;
    std::size_t at_base = 0, at_step = 0;
    void base(const CohortArray&, int) override { at_base = in_use(); }
    void step(const StepResult&) override { at_step = in_use(); }
  } sink;
  sink.in_use = heap_in_use;
  Projection p(c.cfg, c.base);
  const std::size_t before = heap_in_use();
  p.run_shared([&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; },
               sink);
  EXPECT_LT(sink.at_base, before + state_bytes / 4);  // with the end population: before + 6.5 MB
  EXPECT_GE(sink.at_step, before + state_bytes);      // it is there for the step
#else
  GTEST_SKIP() << "heap statistics of glibc only";
#endif
}
