// SPDX-License-Identifier: Apache-2.0
// The benchmark's five-year workload (`bench_tool run --step-years 5`): the same zones and people as the annual
// workload on five-year ages, one result at 1, 2 and 4 threads, and each state's population change equal to its
// births − deaths + net migrants (the lean kernel's per-state sums, as a run without cell components keeps them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "projection_fixture.hpp"
#include "workload.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;
using cohortgis::test::same_bits;

namespace {

bench::WorkloadOptions five_year_options() {
  bench::WorkloadOptions o{60, 4, 8, 11, ""};  // 4 five-year steps: 2020–2040, four schedule periods
  o.step_years = 5;
  return o;
}

struct Sums : cohortgis::test::StateSumsSink {
  void step(const StepResult& r) override {
    StateSumsSink::step(r);
    // Persons the floor added, by state: the annual workload's floating cohorts are small below 18 and beside large
    // out-flows (even timing: half of an age's migrants end in the index below) some end under zero, in both grids.
    added.emplace_back(r.end.data().size() / uz(r.end.layout().grid.n_ages), 0.0);
    for (const AdjustedCell& c : r.components.floored)
      added.back()[(uz(c.zone) * Workload::kGroups + uz(c.group)) * 2 + uz(c.sex)] += c.persons;
    scaled += r.components.scaled_flows.size();
  }
  std::vector<std::vector<double>> added;
  std::size_t scaled = 0;
};

Sums run(const Workload& w, int threads) {
  ProjectionConfig cfg = w.config(threads, false);
  cfg.cell_components = false;  // the lean kernel, as `bench_tool run` without options
  cfg.mortality_in_place = true;
  Sums r;
  Projection p(cfg, w.base_population());
  p.run(w.provider(threads), r);  // the new periods' schedules filled by as many threads (as bench_tool run)
  return r;
}

double sum(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

TEST(WorkloadFiveYear, SamePeopleOnFiveYearAges) {
  const Workload five(five_year_options());
  bench::WorkloadOptions o = five_year_options();
  o.step_years = 1;
  const Workload one(o);
  EXPECT_EQ(five.grid(), AgeGrid::five_year(100));
  EXPECT_EQ(five.periods(), 5);  // steps 0…3 start in 2020, 2025, 2030, 2035
  EXPECT_EQ(five.period_of_step(3), 3);
  // Every state's persons, summed by five-year group, as the annual workload's (the same draws).
  const CohortLayout L5 = five.layout(), L1 = one.layout();
  for (int z = 0; z < L5.zones; ++z)
    for (int g = 0; g < Workload::kGroups; ++g)
      for (int s = 0; s < 2; ++s) {
        double a = 0.0, b = 0.0;
        for (int i = 0; i < L5.grid.n_ages; ++i) a += five.base_population().at(z, g, s, i);
        for (int i = 0; i < L1.grid.n_ages; ++i) b += one.base_population().at(z, g, s, i);
        ASSERT_NEAR(a, b, 1e-9 * b) << "zone " << z << " group " << g << " sex " << s;
        // Ages 0–4 are the annual workload's first five ages.
        double young = 0.0;
        for (int i = 0; i < 5; ++i) young += one.base_population().at(z, g, s, i);
        ASSERT_NEAR(five.base_population().at(z, g, s, 0), young, 1e-9 * young);
      }
  EXPECT_EQ(five.od()->flows().size(), one.od()->flows().size());
}

TEST(WorkloadFiveYear, SameResultAtOneTwoFourThreadsAndStatesAddUp) {
  const Workload w(five_year_options());
  const Sums r1 = run(w, 1);
  ASSERT_EQ(r1.pops.size(), 4u);
  for (int threads : {2, 4}) {
    const Sums r = run(w, threads);
    for (std::size_t t = 0; t < r1.pops.size(); ++t) {
      EXPECT_TRUE(same_bits(r.pops[t].data(), r1.pops[t].data())) << threads << " threads, step " << t;
      EXPECT_TRUE(same_bits(r.births[t], r1.births[t])) << threads << " threads, step " << t;
      EXPECT_TRUE(same_bits(r.deaths[t], r1.deaths[t])) << threads << " threads, step " << t;
      EXPECT_TRUE(same_bits(r.net[t], r1.net[t])) << threads << " threads, step " << t;
    }
  }
  EXPECT_EQ(r1.scaled, 0u);  // the five-year rates scaled so that no zone's flows are (phase 1 skipped)
  // Each state (zone, group, sex): end − start = births − deaths + net migrants + persons floored, step by step.
  const CohortLayout L = w.layout();
  const std::size_t A = uz(L.grid.n_ages);
  double moved = 0.0;
  for (std::size_t t = 0; t < r1.pops.size(); ++t) {
    const std::span<const double> start = t == 0 ? w.base_population().data() : r1.pops[t - 1].data();
    const std::span<const double> end = r1.pops[t].data();
    ASSERT_EQ(r1.births[t].size(), end.size() / A);
    for (std::size_t st = 0; st < end.size() / A; ++st) {
      const double change = sum(end.subspan(st * A, A)) - sum(start.subspan(st * A, A));
      const double events = r1.births[t][st] - r1.deaths[t][st] + r1.net[t][st] + r1.added[t][st];
      ASSERT_NEAR(change, events, 1e-9 * sum(start.subspan(st * A, A))) << "step " << t << " state " << st;
      ASSERT_GT(r1.deaths[t][st], 0.0);
      moved += std::fabs(r1.net[t][st]);
    }
  }
  EXPECT_GT(moved, 0.0);  // OD migration and the transition move people
}

// A period's schedules filled by the threads of an arena, a range of zones each (bench_tool run's provider), are the
// serial fill's bits, every period, into fresh schedules and into the last period's: 1,100 zones are five ranges.
TEST(WorkloadFiveYear, SchedulesFilledByThreadsAreTheSerialFillsBits) {
  bench::WorkloadOptions o = five_year_options();
  o.zones = 1100;
  const Workload w(o);
  const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
  };
  for (int threads : {2, 4}) {
    ThreadArena arena(threads);
    StepSchedules reused;
    for (int p = 0; p < w.periods(); ++p) {
      StepSchedules serial, fresh;
      w.fill_period(p, serial);
      w.fill_period(p, fresh, &arena);
      w.fill_period(p, reused, &arena);
      ASSERT_EQ(serial.mortality.size(), uz(o.zones) * Workload::kGroups * 2 * uz(w.grid().life_table_rows()));
      EXPECT_TRUE(same(fresh.mortality, serial.mortality)) << threads << " threads, period " << p;
      EXPECT_TRUE(same(fresh.asfr, serial.asfr)) << threads << " threads, period " << p;
      EXPECT_TRUE(same(reused.mortality, serial.mortality)) << threads << " threads, period " << p;
      EXPECT_TRUE(same(reused.asfr, serial.asfr)) << threads << " threads, period " << p;
    }
  }
}

// The run's OD out-rate sums (five-year grids) are made again when a step's OD is another object, and only then:
// an OD with other rates from step 2 on, handed as one object (sums kept from step 2 to 3) and as a fresh copy every
// step (summed every step), gives the same bits.
TEST(WorkloadFiveYear, OutRateSumsFollowTheStepsOd) {
  const Workload w(five_year_options());
  std::vector<OdFlow> flows = w.od()->flows();
  for (OdFlow& f : flows) f.rate_per_year *= 1.5;
  const auto faster = std::make_shared<const OdMigration>(std::move(flows), w.od_profile(), w.options().zones,
                                                          Workload::kGroups, w.grid().n_ages);
  auto run_with = [&](bool fresh) {
    Sums r;
    Projection p(w.config(1, false), w.base_population());
    auto provider = w.provider();
    p.run(
        [&](const StepContext& ctx, StepSchedules& s) {
          provider(ctx, s);
          const auto& od = ctx.step >= 2 ? faster : w.od();
          s.od = fresh ? std::make_shared<const OdMigration>(*od) : od;
        },
        r);
    return r;
  };
  const Sums kept = run_with(false), fresh = run_with(true);
  ASSERT_EQ(kept.pops.size(), 4u);
  for (std::size_t t = 0; t < kept.pops.size(); ++t) {
    EXPECT_TRUE(same_bits(kept.pops[t].data(), fresh.pops[t].data())) << "step " << t;
    EXPECT_TRUE(same_bits(kept.net[t], fresh.net[t])) << "step " << t;
  }
  // Every migrant leaves one state and enters another: the net migrants add up to 0 over the states (with the last
  // OD's sums kept for the faster OD, the out-flows would be two thirds of the in-flows).
  for (std::size_t t = 0; t < kept.net.size(); ++t) {
    double total = 0.0, moved = 0.0;
    for (double m : kept.net[t]) total += m, moved += std::fabs(m);
    EXPECT_LE(std::fabs(total), 1e-9 * moved) << "step " << t;
  }
  const Sums plain = run(w, 1);  // and the faster OD moves other numbers of people
  EXPECT_FALSE(same_bits(plain.net[2], kept.net[2]));
}

}  // namespace
