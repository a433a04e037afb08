// SPDX-License-Identifier: Apache-2.0
// Memory of large runs (issue #16): schedules handed to the engine by reference (Projection::run_shared) give the
// same bits as schedules copied into its buffer (Projection::run) and are never written, and the floor adjustments
// are kept only in steps that can floor a cell.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "cohortgis/engine/index_cast.hpp"
#include "projection_cases.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::RecordingSink;
using cohortgis::test::run_case;
using cohortgis::test::same_bits;

namespace {

struct Case {
  ProjectionConfig cfg;
  CohortArray base;
  std::vector<StepSchedules> steps;
};

// A small case: `zones` zones, two groups, death rates (or survival ratios) and fertility per state, and when
// `migration` given net migrants large enough to floor some cells.
Case make_case(const AgeGrid& grid, bool migration, MortalityInput kind, unsigned seed, int zones = 12) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const int G = 2, A = grid.n_ages;
  Case c;
  c.cfg.grid = grid;
  c.cfg.steps = 3;
  c.cfg.group_names = {"registered", "floating"};
  for (int z = 0; z < zones; ++z) c.cfg.zone_ids.push_back("Z" + std::to_string(z));
  const CohortLayout layout{zones, G, grid};
  c.base = CohortArray(layout);
  for (double& p : c.base.storage()) p = 500.0 * U(rng);
  const int rows = kind == MortalityInput::survival_ratios ? A : grid.life_table_rows();
  for (int t = 0; t < c.cfg.steps; ++t) {
    StepSchedules s;
    s.mortality_kind = kind;
    for (std::size_t st = 0; st < layout.states() * kSexes; ++st) {
      const double level = 0.6 + 0.8 * U(rng);
      for (int r = 0; r < rows; ++r) {
        if (kind == MortalityInput::survival_ratios) {
          s.mortality.push_back(std::min(1.0, 0.999 - 0.002 * r * level));
        } else {
          const double age = grid.width_years == 1 ? r + 0.5 : (r == 0 ? 0.5 : r == 1 ? 3.0 : 5.0 * (r - 1) + 2.5);
          s.mortality.push_back(level * (0.0005 + 0.00003 * std::exp(0.095 * age)));
        }
      }
    }
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < G; ++g)
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

RecordingSink run_by_reference(const Case& c, int threads) {
  ProjectionConfig cfg = c.cfg;
  cfg.threads = threads;
  Projection p(cfg, c.base);
  RecordingSink sink;
  p.run_shared([&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; },
               sink);
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
    for (auto m : {&StepComponents::deaths, &StepComponents::net_migrants, &StepComponents::net_given,
                   &StepComponents::floor_adjustment, &StepComponents::deaths_age_period})
      expect_same_bits((a.*m).data(), (b.*m).data(), "component of step " + std::to_string(t));
    for (auto m : {&StepComponents::births, &StepComponents::e0, &StepComponents::e65, &StepComponents::deaths_by_state,
                   &StepComponents::net_migrants_by_state})
      expect_same_bits(a.*m, b.*m, "per-state component of step " + std::to_string(t));
  }
  ASSERT_EQ(x.indicators.size(), y.indicators.size());
  for (std::size_t t = 0; t < x.indicators.size(); ++t)
    expect_same_bits(x.indicators[t].values, y.indicators[t].values, "indicators " + std::to_string(t));
}

// The schedules' every value, to see that a run by reference left them as they were.
std::vector<double> flatten(const std::vector<StepSchedules>& steps) {
  std::vector<double> v;
  for (const StepSchedules& s : steps) {
    v.push_back(static_cast<double>(s.mortality_kind));
    for (const auto* part : {&s.mortality, &s.asfr, &s.srb, &s.net_migrants})
      v.insert(v.end(), part->begin(), part->end());
  }
  return v;
}

}  // namespace

TEST(SharedSchedules, SameBitsAsCopiedSchedulesAtAnyThreadCount) {
  for (const bool migration : {false, true}) {
    const Case c = make_case(AgeGrid::five_year(85), migration, MortalityInput::death_rates, 5);
    const std::vector<double> before = flatten(c.steps);
    const RecordingSink copied = run_case(c, 1);
    ASSERT_EQ(copied.indicators.size(), 3u);
    for (int threads : {1, 3}) {
      SCOPED_TRACE("migration " + std::to_string(migration) + ", threads " + std::to_string(threads));
      expect_same_results(copied, run_by_reference(c, threads));
    }
    expect_same_bits(before, flatten(c.steps), "schedules after the runs");
  }
}

TEST(SharedSchedules, GivenSurvivalRatiosAreReadNotWritten) {
  const Case c = make_case(AgeGrid::five_year(85), true, MortalityInput::survival_ratios, 9);
  const std::vector<double> before = flatten(c.steps);
  expect_same_results(run_case(c, 2), run_by_reference(c, 2));
  expect_same_bits(before, flatten(c.steps), "schedules after the runs");
}

// A lean run with mortality_in_place writes survival ratios over the mx rows of its schedules: given by reference,
// they are copied into the engine's buffer first, so the provider's object keeps its death rates.
TEST(SharedSchedules, MortalityInPlaceWritesOnlyTheEnginesCopy) {
  Case c = make_case(AgeGrid::single_year(100), true, MortalityInput::death_rates, 13);
  c.cfg.cell_components = false;
  c.cfg.indicators = false;
  c.cfg.mortality_in_place = true;
  const std::vector<double> before = flatten(c.steps);
  expect_same_results(run_case(c, 1), run_by_reference(c, 2));
  expect_same_bits(before, flatten(c.steps), "schedules after the runs");
  EXPECT_EQ(c.steps[0].mortality_kind, MortalityInput::death_rates);
}

// Without migration no cell can fall below zero: the floor adjustments are not kept (empty, read as zero), and the
// books still balance: Σ end = Σ start + Σ births − Σ deaths over the whole area (no migration, no floor).
TEST(SharedSchedules, FloorAdjustmentsOnlyInStepsThatCanFloor) {
  const Case still = make_case(AgeGrid::five_year(85), false, MortalityInput::death_rates, 21);
  const RecordingSink a = run_by_reference(still, 2);
  for (std::size_t t = 0; t < a.components.size(); ++t) {
    const StepComponents& c = a.components[t];
    EXPECT_TRUE(c.floor_adjustment.empty());
    EXPECT_TRUE(c.floored.empty());
    ASSERT_FALSE(c.deaths.empty());
    double start = 0, end = 0, births = 0, deaths = 0;
    for (double p : a.populations[t].data()) start += p;
    for (double p : a.populations[t + 1].data()) end += p;
    for (double b : c.births) births += b;
    for (double d : c.deaths.data()) deaths += d;
    EXPECT_NEAR(end, start + births - deaths, 1e-9 * start);
  }
  const Case moving = make_case(AgeGrid::five_year(85), true, MortalityInput::death_rates, 21);
  const RecordingSink b = run_by_reference(moving, 2);
  std::size_t floored = 0;
  for (const StepComponents& c : b.components) {
    EXPECT_EQ(c.floor_adjustment.data().size(), moving.base.data().size());
    floored += c.floored.size();
  }
  EXPECT_GT(floored, 0u);  // the case does floor cells, so the array is needed there
}

// Schedules handed by reference whose mortality equals the last step's (distinct objects, same bits, as a scenario's
// steps within one five-year period) reuse that step's life tables and survival ratios, as the hint
// StepSchedules::mortality_unchanged does for a provider that fills the buffer; the results are the same bits as
// rebuilding them every step, and a step whose rows differ by one value builds again.
TEST(SharedSchedules, EqualMortalityByReferenceReusesTheLifeTables) {
  Case c = make_case(AgeGrid::single_year(100), true, MortalityInput::death_rates, 17);
  c.cfg.steps = 4;
  c.steps.push_back(c.steps[2]);
  c.steps[1].mortality = c.steps[0].mortality;  // steps 0 and 1 alike, 2 and 3 alike
  c.steps[3].asfr[0] += 0.0;                    // a copy, not the same object
  for (int threads : {1, 2}) {
    ProjectionConfig cfg = c.cfg;
    cfg.threads = threads;
    Projection copied(cfg, c.base), shared(cfg, c.base);
    RecordingSink a, b;
    copied.run([&](const StepContext& ctx, StepSchedules& s) { s = c.steps[uz(ctx.step)]; }, a);
    shared.run_shared(
        [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; }, b);
    EXPECT_EQ(copied.mortality_builds(), 4);  // no hint: every step builds
    EXPECT_EQ(shared.mortality_builds(), 2);  // steps 0 and 2
    expect_same_results(a, b);
  }
  c.steps[3].mortality[5] = std::nextafter(c.steps[3].mortality[5], 1.0);
  Projection again(c.cfg, c.base);
  RecordingSink d;
  again.run_shared(
      [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return c.steps[uz(ctx.step)]; }, d);
  EXPECT_EQ(again.mortality_builds(), 3);
}

// Death rates that are the same bits in every zone (a national schedule) build one zone's life tables and survival
// ratios for all (MortalityCache::shared): every zone's results are the bits of building them zone by zone, which a
// case whose last zone differs by one value still does (its other zones compared), by copy and by reference, with
// and without age-period deaths (φ, single years) and over steps that reuse them.
TEST(SharedSchedules, NationalDeathRatesBuildOneZonesSurvivalRatios) {
  for (const AgeGrid& grid : {AgeGrid::five_year(85), AgeGrid::single_year(100)}) {
    Case national = make_case(grid, false, MortalityInput::death_rates, 23);
    national.cfg.steps = 4;
    national.steps.push_back(national.steps[2]);
    national.steps[3].mortality_unchanged = true;  // step 3 reuses step 2's
    const int Z = static_cast<int>(national.cfg.zone_ids.size());
    for (StepSchedules& s : national.steps) {
      const std::size_t block = s.mortality.size() / uz(Z);
      for (int z = 1; z < Z; ++z)
        std::copy_n(s.mortality.begin(), block, s.mortality.begin() + static_cast<std::ptrdiff_t>(uz(z) * block));
    }
    Case local = national;  // the last zone's first rate one step up: every zone built on its own
    for (StepSchedules& s : local.steps) {
      double& m = s.mortality[s.mortality.size() / uz(Z) * uz(Z - 1)];
      m = std::nextafter(m, 1.0);
    }
    for (int threads : {1, 3}) {
      SCOPED_TRACE("ages " + std::to_string(grid.n_ages) + ", threads " + std::to_string(threads));
      ProjectionConfig cfg = national.cfg;
      cfg.threads = threads;
      Projection pn(cfg, national.base), pl(cfg, local.base), pc(cfg, national.base);
      RecordingSink n, l, copied;
      pn.run_shared(
          [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return national.steps[uz(ctx.step)]; },
          n);
      pl.run_shared(
          [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return local.steps[uz(ctx.step)]; }, l);
      pc.run([&](const StepContext& ctx, StepSchedules& s) { s = national.steps[uz(ctx.step)]; }, copied);
      EXPECT_TRUE(pn.mortality_shared());
      EXPECT_TRUE(pc.mortality_shared());
      EXPECT_FALSE(pl.mortality_shared());
      EXPECT_EQ(pn.mortality_builds(), 3);
      expect_same_results(n, copied);
      // Zones 0 … Z−2 of the two cases: the same bits (no migration: each zone's step reads only its own cells).
      const CohortLayout& L = pn.layout();
      const std::size_t zone_cells = L.cells() / uz(Z), zone_states = L.states() / uz(Z) * kSexes;
      auto head = [](std::span<const double> v, std::size_t count) { return v.first(std::min(count, v.size())); };
      ASSERT_EQ(n.populations.size(), l.populations.size());
      for (std::size_t t = 0; t < n.populations.size(); ++t)
        expect_same_bits(head(n.populations[t].data(), (uz(Z) - 1) * zone_cells),
                         head(l.populations[t].data(), (uz(Z) - 1) * zone_cells), "population " + std::to_string(t));
      ASSERT_EQ(n.components.size(), l.components.size());
      for (std::size_t t = 0; t < n.components.size(); ++t) {
        const StepComponents &a = n.components[t], &b = l.components[t];
        for (auto m : {&StepComponents::deaths, &StepComponents::deaths_age_period})
          expect_same_bits(head((a.*m).data(), (uz(Z) - 1) * zone_cells), head((b.*m).data(), (uz(Z) - 1) * zone_cells),
                           "deaths of step " + std::to_string(t));
        for (auto m :
             {&StepComponents::births, &StepComponents::e0, &StepComponents::e65, &StepComponents::deaths_by_state})
          expect_same_bits(head(a.*m, (uz(Z) - 1) * zone_states), head(b.*m, (uz(Z) - 1) * zone_states),
                           "per-state component of step " + std::to_string(t));
        EXPECT_FALSE(std::isnan(a.e0.front()));
      }
      if (grid.width_years == 1) {
        EXPECT_FALSE(n.components.back().deaths_age_period.empty());
      }
    }
  }
}

// A shared step keeps one zone's e0 and e65 (MortalityCache::shared) and a step built zone by zone every zone's: over
// steps that go from one to the other and reuse each (national, local, local reused, national, national reused),
// every zone's e0 and e65 are those of a run whose steps are all built zone by zone (they depend on the rates only).
TEST(SharedSchedules, LifeExpectancyOfSharedAndZoneByZoneStepsInTurn) {
  Case c = make_case(AgeGrid::single_year(100), false, MortalityInput::death_rates, 29);
  const int Z = static_cast<int>(c.cfg.zone_ids.size());
  const std::size_t block = c.steps[0].mortality.size() / uz(Z);
  auto national = [&](StepSchedules s) {
    for (int z = 1; z < Z; ++z)
      std::copy_n(s.mortality.begin(), block, s.mortality.begin() + static_cast<std::ptrdiff_t>(uz(z) * block));
    return s;
  };
  auto local = [&](StepSchedules s) {  // national, but the last zone's first rate one step up
    s = national(std::move(s));
    double& m = s.mortality[block * uz(Z - 1)];
    m = std::nextafter(m, 1.0);
    return s;
  };
  Case mixed = c, reference = c;
  mixed.cfg.steps = reference.cfg.steps = 5;
  mixed.steps = {national(c.steps[0]), local(c.steps[1]), local(c.steps[1]), national(c.steps[2]),
                 national(c.steps[2])};
  reference.steps = {local(c.steps[0]), local(c.steps[1]), local(c.steps[1]), local(c.steps[2]), local(c.steps[2])};
  for (Case* k : {&mixed, &reference}) k->steps[2].mortality_unchanged = k->steps[4].mortality_unchanged = true;
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    const RecordingSink m = run_by_reference(mixed, threads), r = run_by_reference(reference, threads);
    ASSERT_EQ(m.components.size(), 5u);
    ASSERT_EQ(r.components.size(), 5u);
    const std::size_t per_zone = m.components[0].e0.size() / uz(Z);
    for (std::size_t t = 0; t < 5; ++t) {
      // Steps 1 and 2 have the same rates in both runs: every zone; the others all zones but the last.
      const std::size_t n = t == 1 || t == 2 ? uz(Z) * per_zone : (uz(Z) - 1) * per_zone;
      for (auto e : {&StepComponents::e0, &StepComponents::e65}) {
        const std::vector<double>&a = m.components[t].*e, &b = r.components[t].*e;
        ASSERT_EQ(a.size(), uz(Z) * per_zone);
        expect_same_bits(std::span<const double>(a).first(n), std::span<const double>(b).first(n),
                         "e0/e65 of step " + std::to_string(t));
        for (double x : a) EXPECT_FALSE(std::isnan(x)) << "step " << t;
      }
    }
  }
}
