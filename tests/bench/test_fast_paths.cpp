// SPDX-License-Identifier: Apache-2.0
// The engine's fast paths change no result: reusing last step's life tables (StepSchedules::mortality_unchanged),
// not keeping per-cell components (ProjectionConfig::cell_components = false) and the thread count, on the
// benchmark workload (OD graph, group transition, schedules that change by five-year period).
#include <gtest/gtest.h>

#include <cmath>

#include "cohortgis/engine/projection.hpp"
#include "projection_fixture.hpp"
#include "workload.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;
using cohortgis::test::same_bits;

namespace {

struct Keep : cohortgis::test::StateSumsSink {
  void step(const StepResult& r) override {
    StateSumsSink::step(r);
    e0.push_back(r.components.e0);
    births_by_age_kept = !r.components.births_by_mother_age.empty();
    if (r.indicators) tables.push_back(*r.indicators);
  }
  std::vector<std::vector<double>> e0;
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

const Workload& workload() {
  static const Workload w(bench::WorkloadOptions{80, 7, 8, 7, ""});
  return w;
}

// The workload's projection under `cfg`, each step's schedules changed by `edit` after the workload's provider.
template <class Edit>
cohortgis::test::RecordingSink run_steps(const Workload& w, const ProjectionConfig& cfg, Edit edit) {
  cohortgis::test::RecordingSink sink;
  Projection p(cfg, w.base_population());
  auto provider = w.provider();
  p.run(
      [&](const StepContext& ctx, StepSchedules& s) {
        provider(ctx, s);
        edit(ctx, s);
      },
      sink);
  return sink;
}

}  // namespace

TEST(FastPaths, ReusedLifeTablesLeanComponentsAndThreadsAreBitIdentical) {
  const Keep ref = run(workload(), 1, true, false);
  for (auto [threads, cells, hint] : {std::tuple{1, true, true}, {2, false, true}, {4, false, false}, {2, true, true}}) {
    const Keep k = run(workload(), threads, cells, hint);
    ASSERT_EQ(k.pops.size(), ref.pops.size());
    for (std::size_t t = 0; t < ref.pops.size(); ++t) {
      EXPECT_TRUE(same_bits(k.pops[t].data(), ref.pops[t].data())) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.births[t], ref.births[t])) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.deaths[t], ref.deaths[t])) << threads << cells << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.net[t], ref.net[t])) << threads << cells << hint << " step " << t;
    }
  }
}

// Indicators sum deaths and net migrants from the step's per-state sums in every mode: with and without per-cell
// components they are the same bits.
TEST(FastPaths, IndicatorsWithoutCellComponentsAreBitIdentical) {
  const Keep full = run(workload(), 2, true, true, true), lean = run(workload(), 2, false, true, true);
  ASSERT_EQ(full.tables.size(), lean.tables.size());
  ASSERT_FALSE(full.tables.empty());
  for (std::size_t t = 0; t < full.tables.size(); ++t) {
    EXPECT_TRUE(same_bits(full.tables[t].values, lean.tables[t].values)) << "step " << t;
    // And they are the indicators of the populations and components: the deaths of the "total" unit are the sum of
    // the per-state sums of deaths (to rounding), an accounting identity checked against the cells.
    const IndicatorTable& tab = full.tables[t];
    const std::size_t total = tab.unit_index("total"), all = tab.group_names.size() - 1;
    double deaths = 0.0;
    for (double d : full.deaths[t]) deaths += d;
    EXPECT_NEAR(tab.get(total, all, Indicator::deaths), deaths, 1e-9 * deaths) << "step " << t;
  }
}

// The user path (per-cell components and indicators, as `cohortgis run` configures it) takes the fused per-state
// pass; a run whose schedules carry an all-zero external in-migration takes the general path in every zone (the
// same net migrants: M + 0 = M). Every per-cell component, population and indicator is the same bits.
TEST(FastPaths, FusedPathWithComponentsEqualsGeneralPath) {
  const Workload& w = workload();
  auto run_user = [&](bool general, int threads) {
    ProjectionConfig cfg = w.config(threads, true);
    cfg.cell_components = true;
    return run_steps(w, cfg, [&](const StepContext&, StepSchedules& s) {
      if (general) s.external_in.assign(w.layout().cells(), 0.0);
    });
  };
  const auto fused = run_user(false, 2), general = run_user(true, 1);
  ASSERT_EQ(fused.components.size(), general.components.size());
  ASSERT_EQ(fused.indicators.size(), fused.components.size());
  for (std::size_t t = 0; t < fused.components.size(); ++t) {
    const StepComponents &a = fused.components[t], &b = general.components[t];
    EXPECT_TRUE(same_bits(fused.populations[t + 1].data(), general.populations[t + 1].data())) << "step " << t;
    EXPECT_TRUE(same_bits(a.births, b.births)) << "step " << t;
    ASSERT_FALSE(a.od_in.empty());
    ASSERT_FALSE(a.transfer_in.empty());
    EXPECT_TRUE(!b.external_in.empty() && a.external_in.empty()) << "the second run should take the general path";
    for (auto member : {&StepComponents::deaths, &StepComponents::deaths_age_period, &StepComponents::od_in,
                        &StepComponents::od_out, &StepComponents::transfer_in, &StepComponents::transfer_out,
                        &StepComponents::net_migrants, &StepComponents::floor_adjustment})
      EXPECT_TRUE(same_bits((a.*member).data(), (b.*member).data())) << "step " << t;
    EXPECT_TRUE(same_bits(a.births_by_mother_age, b.births_by_mother_age)) << "step " << t;
    EXPECT_TRUE(same_bits(a.deaths_by_state, b.deaths_by_state)) << "step " << t;
    EXPECT_TRUE(same_bits(a.net_migrants_by_state, b.net_migrants_by_state)) << "step " << t;
    EXPECT_TRUE(same_bits(fused.indicators[t].values, general.indicators[t].values)) << "step " << t;
    // B1 per cell: M = (od_in − od_out) + (transfer_in − transfer_out), the components' own identity.
    const auto M = a.net_migrants.data(), oi = a.od_in.data(), oo = a.od_out.data();
    const auto ti = a.transfer_in.data(), to = a.transfer_out.data();
    for (std::size_t c = 0; c < M.size(); c += 97)
      EXPECT_EQ(M[c], (0.0 + (oi[c] - oo[c])) + (ti[c] - to[c])) << "step " << t << " cell " << c;
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
      EXPECT_TRUE(same_bits(k.pops[t].data(), ref.pops[t].data())) << threads << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.births[t], ref.births[t])) << threads << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.deaths[t], ref.deaths[t])) << threads << hint << " step " << t;
      EXPECT_TRUE(same_bits(k.net[t], ref.net[t])) << threads << hint << " step " << t;
      if (hint) {  // life tables reused
        EXPECT_TRUE(same_bits(k.e0[t], ref.e0[t])) << threads << " step " << t;
      }
    }
    // After every step the schedules hold the survival ratios (the provider rewrites mx at a period's start).
    for (MortalityInput kind : k.kinds) EXPECT_EQ(kind, MortalityInput::survival_ratios);
  }
  // With indicators (they read mx) the option is ignored: the schedules keep the death rates.
  const Keep ind = run(workload(), 2, false, true, true, true);
  for (MortalityInput kind : ind.kinds) EXPECT_EQ(kind, MortalityInput::death_rates);
  EXPECT_TRUE(ind.births_by_age_kept);
  for (std::size_t t = 0; t < ref.pops.size(); ++t) EXPECT_TRUE(same_bits(ind.pops[t].data(), ref.pops[t].data()));
}

// The fused path takes both sexes of a group in one OD in-flow pass and one fused pass over 2 · ages (the profile
// rows, the origins' populations, the transitions' rates and every vector of sex 0 and 1 are adjacent); without a
// profile its row of ones must span both sexes too. The workload's flows without their profile, lean and with per-cell
// components: the same bits as the general path (a zero external in-migration), sex 1 included.
TEST(FastPaths, BothSexesInFlowsInOnePassWithAndWithoutProfile) {
  const Workload& w = workload();
  const CohortLayout& L = w.layout();
  const auto flat =
      std::make_shared<const OdMigration>(w.od()->flows(), std::vector<double>{}, L.zones, L.groups, L.grid.n_ages);
  for (const bool profile : {true, false})
    for (const bool cells : {false, true}) {
      auto run_od = [&](bool general, int threads) {
        ProjectionConfig cfg = w.config(threads, false);
        cfg.cell_components = cells;
        struct Sink : ResultSink {
          void step(const StepResult& r) override {
            pops.push_back(r.end);
            od_in.push_back(r.components.od_in);
            net.push_back(r.components.net_migrants_by_state);
          }
          std::vector<CohortArray> pops, od_in;
          std::vector<std::vector<double>> net;
        } sink;
        Projection p(cfg, w.base_population());
        auto provider = w.provider();
        p.run(
            [&](const StepContext& ctx, StepSchedules& s) {
              provider(ctx, s);
              if (!profile) s.od = flat;
              if (general) s.external_in.assign(L.cells(), 0.0);
            },
            sink);
        return sink;
      };
      const auto fused = run_od(false, 3), general = run_od(true, 1);
      ASSERT_EQ(fused.pops.size(), general.pops.size());
      for (std::size_t t = 0; t < fused.pops.size(); ++t) {
        EXPECT_TRUE(same_bits(fused.pops[t].data(), general.pops[t].data())) << profile << cells << " step " << t;
        EXPECT_TRUE(same_bits(fused.net[t], general.net[t])) << profile << cells << " step " << t;
        if (cells) {
          ASSERT_FALSE(fused.od_in[t].data().empty());
          EXPECT_TRUE(same_bits(fused.od_in[t].data(), general.od_in[t].data())) << profile << cells << " step " << t;
        }
      }
    }
}

// The kept transfers of a group without a transition out of (into) it are +0, and a fused step leaves them as they
// are where the run knows them to be +0 already (TransferTracking in engine/src/step_runner.hpp). Here the transition
// turns round between steps (floating → registered in steps 0–1 and 4–6, registered → floating in steps 2–3), so a
// group's transfers out of it are non-zero in one step and +0 in the next; in a second pair of runs a step adjuster
// writes the transfers of the group that has none. Every per-cell component and population: the same bits as the
// general path, which stores every transfer in every step.
TEST(FastPaths, KeptZeroTransfersAfterTheTransitionTurnsRound) {
  const Workload& w = workload();
  for (const bool adjuster : {false, true}) {
    auto run_user = [&](bool general) {
      ProjectionConfig cfg = w.config(2, false);
      cfg.cell_components = true;
      if (adjuster)  // (as a control-total adjustment may write any component)
        cfg.step_adjuster = [](const StepContext& ctx, const CohortArray&, CohortArray&, StepComponents& c) {
          const int next = ctx.step + 1, g = next == 2 || next == 3 ? 0 : 1;  // next step's group with no transfer in
          c.transfer_in.at(5, g, 1, 30) = 2.5;
          c.transfer_out.at(9, 1 - g, 0, 40) = -1.0;
        };
      return run_steps(w, cfg, [&](const StepContext& ctx, StepSchedules& s) {
        const bool back = ctx.step == 2 || ctx.step == 3;
        s.transitions.at(0).from_group = back ? 0 : 1;
        s.transitions.at(0).to_group = back ? 1 : 0;
        if (general) s.external_in.assign(w.layout().cells(), 0.0);
      });
    };
    const auto fused = run_user(false), general = run_user(true);
    ASSERT_EQ(fused.components.size(), 7u);
    ASSERT_EQ(general.components.size(), 7u);
    for (std::size_t t = 0; t < fused.components.size(); ++t) {
      const StepComponents &a = fused.components[t], &b = general.components[t];
      ASSERT_FALSE(a.transfer_in.empty());
      EXPECT_TRUE(same_bits(fused.populations[t + 1].data(), general.populations[t + 1].data()))
          << adjuster << " step " << t;
      for (auto member : {&StepComponents::od_in, &StepComponents::od_out, &StepComponents::transfer_in,
                          &StepComponents::transfer_out, &StepComponents::net_migrants})
        EXPECT_TRUE(same_bits((a.*member).data(), (b.*member).data())) << adjuster << " step " << t;
      if (adjuster) continue;
      // The group without a transition into it (out of it) has +0 transfers in (out) in every cell.
      const int into = t == 2 || t == 3 ? 1 : 0;
      for (int z = 0; z < w.layout().zones; ++z)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < w.layout().grid.n_ages; ++i) {
            const double in = a.transfer_in.at(z, 1 - into, s, i), out = a.transfer_out.at(z, into, s, i);
            ASSERT_TRUE(in == 0.0 && !std::signbit(in)) << adjuster << " step " << t << " zone " << z;
            ASSERT_TRUE(out == 0.0 && !std::signbit(out)) << adjuster << " step " << t << " zone " << z;
          }
    }
  }
}
