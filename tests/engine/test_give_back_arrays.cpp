// SPDX-License-Identifier: Apache-2.0
// Memory of large runs (issue #16, round 29): a sink that reads neither a step's start population nor its births by
// age of mother and exposure (cohortgis/engine/sink_inputs.hpp) lets the step give their
// memory back as its zone pass is done with them: the same populations, components and indicators as when they are
// kept, those arrays empty for the sink, their pages no longer resident while it writes, and nothing given back where
// something after the zone pass reads them (fertility measures, an aggregate not folded, OD, a step adjuster).
#include <gtest/gtest.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/sink_inputs.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::same_bits;

namespace {

struct GiveBackCase {
  ProjectionConfig cfg;
  CohortArray base;
  std::vector<StepSchedules> steps;
};

// `zones` zones of different populations (from 64 the whole area is folded in the zone pass, kFoldAggregateZones; from
// 128 the first half too), each zone its own death rates, fertility and sex ratio at birth, three steps; with
// `migration`, net migrants by cell (a zone reads only its own start cells).
GiveBackCase give_back_case(const AgeGrid& grid, int groups, int zones, bool migration, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int A = grid.n_ages, rows = grid.life_table_rows();
  GiveBackCase c;
  c.cfg.grid = grid;
  c.cfg.steps = 3;
  c.cfg.group_names.clear();
  for (int g = 0; g < groups; ++g) c.cfg.group_names.push_back("g" + std::to_string(g));
  for (int z = 0; z < zones; ++z) c.cfg.zone_ids.push_back("Z" + std::to_string(z));
  c.cfg.aggregates.push_back({"first half", {}});
  for (int z = 0; z < zones / 2; ++z) c.cfg.aggregates.back().zones.push_back(z);
  const CohortLayout layout{zones, groups, grid};
  c.base = CohortArray(layout);
  for (double& p : c.base.storage()) p = 20.0 + 500.0 * U(rng);
  for (int t = 0; t < c.cfg.steps; ++t) {
    StepSchedules s;
    for (int k = 0; k < zones * groups * 2; ++k) {
      const double level = 0.6 + 0.8 * U(rng);
      for (int r = 0; r < rows; ++r) {
        const double age = grid.width_years == 1 ? r + 0.5 : (r == 0 ? 0.5 : r == 1 ? 3.0 : 5.0 * (r - 1) + 2.5);
        s.mortality.push_back(level * (0.0005 + 0.00003 * std::exp(0.095 * age)));
      }
    }
    for (int k = 0; k < zones * groups; ++k)
      for (int i = 0; i < A; ++i)
        s.asfr.push_back(grid.age_start(i) >= 15 && grid.age_start(i) < 50 ? 0.04 + 0.04 * U(rng) : 0.0);
    for (int z = 0; z < zones; ++z) s.srb.push_back(1.03 + 0.1 * U(rng));
    if (migration) {
      s.net_migrants.resize(layout.cells());
      for (double& m : s.net_migrants) m = 20.0 * (U(rng) - 0.55) * (U(rng) < 0.05 ? 100.0 : 1.0);
    }
    c.steps.push_back(std::move(s));
  }
  return c;
}

// Keeps what a sink of every step gets, and whether the start population and births by age reached it.
struct KeepingSink : ResultSink, SinkInputs {
  bool reads = true;  // what reads_start_and_births_by_age says
  bool reads_start_and_births_by_age() const override { return reads; }
  std::function<void(const StepResult&)> on_step;
  std::vector<CohortArray> ends;
  std::vector<StepComponents> components;
  std::vector<IndicatorTable> tables;
  std::vector<bool> got_start, got_births_by_age;
  void step(const StepResult& r) override {
    if (on_step) on_step(r);
    ends.push_back(r.end);
    components.push_back(r.components);
    if (r.indicators) tables.push_back(*r.indicators);
    got_start.push_back(!r.start.empty());
    got_births_by_age.push_back(!r.components.births_by_mother_age.empty() && !r.components.women_exposure.empty());
  }
};

CohortArray run_case(const GiveBackCase& c, bool sink_reads, int threads, KeepingSink& sink) {
  ProjectionConfig cfg = c.cfg;
  cfg.threads = threads;
  sink.reads = sink_reads;
  Projection p(cfg, c.base);
  return p.run_shared(
      [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; }, sink);
}

// Every component array of a step but the births by age of mother and their exposure.
std::vector<std::vector<double>> kept_arrays(const StepComponents& c) {
  std::vector<std::vector<double>> v = {c.births, c.newborn_transfer_in, c.newborn_transfer_out, c.e0,
                                        c.e65,    c.deaths_by_state,     c.net_migrants_by_state};
  for (const CohortArray* a : {&c.deaths, &c.deaths_age_period, &c.net_migrants, &c.floor_adjustment})
    v.emplace_back(a->data().begin(), a->data().end());
  return v;
}

void expect_same_results(const KeepingSink& kept, const KeepingSink& given, const std::string& what) {
  ASSERT_EQ(kept.ends.size(), given.ends.size()) << what;
  ASSERT_EQ(kept.tables.size(), given.tables.size()) << what;
  for (std::size_t t = 0; t < kept.ends.size(); ++t) {
    EXPECT_TRUE(same_bits(kept.ends[t].data(), given.ends[t].data())) << what << ", step " << t;
    if (t < kept.tables.size()) {
      EXPECT_TRUE(same_bits(kept.tables[t].values, given.tables[t].values)) << what << ", step " << t;
    }
    const auto a = kept_arrays(kept.components[t]), b = kept_arrays(given.components[t]);
    for (std::size_t k = 0; k < a.size(); ++k)
      EXPECT_TRUE(same_bits(a[k], b[k])) << what << ", step " << t << ", component array " << k;
  }
}

#if defined(__linux__)
// How many of the pages wholly inside an array are resident (mincore).
std::size_t resident_pages(std::span<const double> a) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(a.data());
  const std::uintptr_t first = (begin + page - 1) & ~(page - 1), last = (begin + a.size_bytes()) & ~(page - 1);
  if (first >= last) return 0;
  std::vector<unsigned char> in((last - first) / page);
  if (mincore(reinterpret_cast<void*>(first), last - first, in.data()) != 0) return in.size();  // as all resident
  std::size_t n = 0;
  for (unsigned char b : in) n += b & 1u;
  return n;
}
#endif

}  // namespace

TEST(GiveBackArrays, SameResultsAsWhenKept) {
  struct Shape {
    AgeGrid grid;
    int groups;
    bool migration;
    int zones;
  };
  // 700 zones of two groups, single years: the start population spans 2 MiB blocks, given back while the pass goes
  // (FrontRelease); the others at the end of the pass.
  const Shape shapes[] = {{AgeGrid::single_year(100), 2, false, 700},
                          {AgeGrid::single_year(100), 1, true, 130},
                          {AgeGrid::five_year(85), 1, false, 130},
                          {AgeGrid::five_year(85), 2, true, 130}};
  unsigned seed = 7;
  for (const Shape& s : shapes)
    for (int threads : {1, 2, 3}) {
      const GiveBackCase c = give_back_case(s.grid, s.groups, s.zones, s.migration, seed++);
      KeepingSink kept, given;
      const CohortArray kept_final = run_case(c, true, threads, kept);
      const CohortArray given_final = run_case(c, false, threads, given);
      const std::string what = std::to_string(s.grid.width_years) + "-year ages, " + std::to_string(s.groups) +
                               " groups" + (s.migration ? ", net migrants" : "") + ", " + std::to_string(threads) +
                               " threads";
      expect_same_results(kept, given, what);
      EXPECT_TRUE(same_bits(kept_final.data(), given_final.data())) << what;
      EXPECT_EQ(kept.got_start, std::vector<bool>(3, true)) << what;
      EXPECT_EQ(kept.got_births_by_age, std::vector<bool>(3, true)) << what;
      EXPECT_EQ(given.got_start, std::vector<bool>(3, false)) << what;  // given back: the sink gets them empty
      EXPECT_EQ(given.got_births_by_age, std::vector<bool>(3, false)) << what;
    }
}

TEST(GiveBackArrays, StartPagesNotResidentWhileTheSinkWrites) {
#if defined(__linux__)
  const GiveBackCase c = give_back_case(AgeGrid::single_year(100), 2, 700, false, 11);  // a state of 2.3 MB
  for (bool sink_reads : {true, false}) {
    ProjectionConfig cfg = c.cfg;
    cfg.threads = 2;
    Projection p(cfg, c.base);
    std::vector<std::size_t> resident;
    std::size_t pages = 0;
    KeepingSink sink;
    sink.reads = sink_reads;
    // While the sink has a step, the engine's population() is that step's start (swapped after the sink).
    sink.on_step = [&](const StepResult&) {
      resident.push_back(resident_pages(p.population().data()));
      pages = p.population().data().size_bytes() / static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    };
    p.run_shared([&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; },
                 sink);
    ASSERT_EQ(resident.size(), 3u);
    for (std::size_t t = 0; t < resident.size(); ++t) {
      if (sink_reads) {
        EXPECT_GE(resident[t], pages - 2) << "step " << t << ": kept for the sink";
      } else {
        EXPECT_EQ(resident[t], 0u) << "step " << t << ": given back in the zone pass";
      }
    }
  }
#else
  GTEST_SKIP() << "pages are given back on Linux only";
#endif
}

TEST(GiveBackArrays, KeptWhereSomethingAfterTheZonePassReadsThem) {
  // 130 zones: both aggregates folded, so that each case below alone keeps them (the plain case gives them back).
  const GiveBackCase plain = give_back_case(AgeGrid::five_year(85), 2, 130, false, 21);
  {
    KeepingSink given;
    run_case(plain, false, 2, given);
    EXPECT_EQ(given.got_start, std::vector<bool>(3, false));
  }
  std::vector<std::pair<std::string, GiveBackCase>> cases;
  cases.emplace_back("fertility measures", plain);  // fertility_measures sums the aggregates' births by age
  for (const char* name : {"mean_age_childbearing", "grr", "nrr"})
    cases.back().second.cfg.extra_age_bands.push_back(*optional_indicator(name));
  cases.emplace_back("an aggregate of a few zones", plain);  // not folded: its unit reads its zones' cells after
  cases.back().second.cfg.aggregates.push_back({"few", {2, 9, 4}});
  cases.emplace_back("OD migration", plain);  // in-flows read the origins' start cells
  {
    std::vector<OdFlow> flows;
    for (int z = 0; z < 130; ++z) flows.push_back({z, (z + 7) % 130, -1, 0.01});
    const auto od = std::make_shared<const OdMigration>(flows, std::vector<double>(), 130, 2, 18);
    for (StepSchedules& s : cases.back().second.steps) s.od = od;
  }
  cases.emplace_back("a step adjuster", plain);  // it reads the start population after the zone pass
  cases.back().second.cfg.step_adjuster = [](const StepContext&, const CohortArray&, CohortArray&, StepComponents&) {};
  cases.emplace_back("no indicators", plain);  // no zone pass of indicators to be done with them in
  cases.back().second.cfg.indicators = false;
  for (const auto& [what, c] : cases) {
    KeepingSink kept, given;
    const CohortArray kept_final = run_case(c, true, 2, kept);
    const CohortArray given_final = run_case(c, false, 2, given);
    expect_same_results(kept, given, what);
    EXPECT_TRUE(same_bits(kept_final.data(), given_final.data())) << what;
    EXPECT_EQ(given.got_start, std::vector<bool>(3, true)) << what;
    EXPECT_EQ(given.got_births_by_age, kept.got_births_by_age) << what;
    for (std::size_t t = 0; t < given.components.size(); ++t)
      EXPECT_TRUE(same_bits(kept.components[t].births_by_mother_age, given.components[t].births_by_mother_age) &&
                  same_bits(kept.components[t].women_exposure, given.components[t].women_exposure))
          << what << ", step " << t;
  }
}
