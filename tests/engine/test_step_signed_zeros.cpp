// SPDX-License-Identifier: Apache-2.0
// The lean fused pass sums its OD in-flows from the first term, without the leading 0 + (detail::fused_state_in_flows,
// from_first), only in steps whose start population holds no −0 (Projection: the base population had none, and a
// flow step keeps it so). Checked against the general path (every sum from +0) bit for bit on the corner cases of
// signed zeros: −0 persons, OD rates and profile values of −0, survival ratios above 1 (person-years that rise with
// age), zones and cells without people.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "kernel_random.hpp"
#include "projection_cases.hpp"
#include "projection_fixture.hpp"
#include "step_kernels.hpp"  // engine/src

using namespace cohortgis;
using cohortgis::test::random_case;
using cohortgis::test::RandomCase;
using cohortgis::test::RecordingSink;
using cohortgis::test::same_bits;

namespace {

constexpr int kZones = 12, kAge = 40;

bool negative_zero(double v) { return v == 0.0 && std::signbit(v); }

// random_case on the fused path (OD, and group 1 → 0 when `transition`), two steps, mortality given as person-years
// that rise from age kAge to kAge + 1: the survival ratio of age kAge + 1 is above 1 (0.99 · 1.03) in every state.
RandomCase fused_case(bool transition) {
  RandomCase rc = random_case(31, kZones, 2);
  const CohortLayout& L = rc.base.layout();
  const int A = L.grid.n_ages;
  for (StepSchedules& s : rc.steps) {
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
    s.newborn_rules.clear();
    if (!transition) s.transitions.clear();
    s.mortality_kind = MortalityInput::person_years;
    s.mortality.clear();
    s.radix_l0.assign(L.states() * kSexes, 1.25);
    for (std::size_t st = 0; st < L.states() * kSexes; ++st)
      for (int i = 0; i < A; ++i)  // the last row is T of the open age
        s.mortality.push_back(std::pow(0.99, i) * (i > kAge ? 1.03 : 1.0) * (i == A - 1 ? 20.0 : 1.0));
  }
  return rc;
}

// The case with a new OD: the rates of `flow_rate(f)` and the profile of `profile_at(g, s, i)`.
template <class Rate, class Profile>
void set_od(RandomCase& rc, const Rate& flow_rate, const Profile& profile_at) {
  const OdMigration& od0 = *rc.steps[0].od;
  std::vector<OdFlow> flows = od0.flows();
  for (OdFlow& f : flows) f.rate_per_year = flow_rate(f);
  const CohortLayout& L = rc.base.layout();
  std::vector<double> profile;
  for (int g = 0; g < L.groups; ++g)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < L.grid.n_ages; ++i) profile.push_back(profile_at(g, s, i, od0.profile(g, s, i)));
  const auto od = std::make_shared<const OdMigration>(flows, profile, L.zones, L.groups, L.grid.n_ages);
  for (StepSchedules& s : rc.steps) s.od = od;
}

// Runs the case lean (no per-cell components: the pass with its in-flows), with components (the kept passes) or on
// the general path (an external in-migration of +0 everywhere: the same results, every sum from +0).
RecordingSink run(RandomCase rc, bool cells, bool general) {
  if (general)
    for (StepSchedules& s : rc.steps) s.external_in.assign(rc.base.layout().cells(), 0.0);
  rc.cfg.cell_components = cells;
  rc.cfg.indicators = false;
  return cohortgis::test::run_case(rc, 1);
}

// Every result of `got` the same bits as the general path's (`want`): populations, births, the per-state sums and,
// when both kept them, every per-cell component of the flows.
void expect_same_results(const RecordingSink& got, const RecordingSink& want, const std::string& what) {
  ASSERT_EQ(got.populations.size(), want.populations.size()) << what;
  for (std::size_t t = 0; t < want.populations.size(); ++t)
    EXPECT_TRUE(same_bits(got.populations[t].data(), want.populations[t].data())) << what << ", year " << t;
  for (std::size_t t = 0; t < want.components.size(); ++t) {
    const StepComponents &a = got.components[t], &b = want.components[t];
    EXPECT_TRUE(same_bits(a.births, b.births)) << what << ", step " << t;
    EXPECT_TRUE(same_bits(a.deaths_by_state, b.deaths_by_state)) << what << ", step " << t;
    EXPECT_TRUE(same_bits(a.net_migrants_by_state, b.net_migrants_by_state)) << what << ", step " << t;
    if (a.net_migrants.empty()) continue;
    for (const auto member : {&StepComponents::od_in, &StepComponents::od_out, &StepComponents::transfer_in,
                              &StepComponents::transfer_out, &StepComponents::net_migrants, &StepComponents::deaths})
      EXPECT_TRUE(same_bits((a.*member).data(), (b.*member).data())) << what << ", step " << t;
  }
}

}  // namespace

// A base population with −0 persons: the in-flows keep their leading 0 +. Zone 5 has −0 persons at ages kAge and
// kAge + 1, where the profile is −0 and the survival ratio of kAge + 1 above 1: every in-flow term there is −0, so
// summed from the first term the in-flows would be −0, M −0 and A = P + M/2 −0, and the end population of age
// kAge + 1 −0 instead of the general path's +0 (A − D = −0 − (1 − S) · −0 = −0 with S > 1). Fails with the flag
// forced on (Projection's no_minus_zero_ true whatever the base population holds).
TEST(StepSignedZeros, MinusZeroPersonsKeepTheInFlowsFromPlusZero) {
  RandomCase rc = fused_case(false);
  set_od(
      rc, [](const OdFlow& f) { return f.rate_per_year; },
      [](int, int, int i, double p) { return i == kAge || i == kAge + 1 ? -0.0 : p; });
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 2; ++s) {
      rc.base.at(5, g, s, kAge) = -0.0;
      rc.base.at(5, g, s, kAge + 1) = -0.0;
    }
  const RecordingSink general = run(rc, true, true);
  // The general path's end population there is +0 (the case reaches the cell the flag guards).
  ASSERT_EQ(general.populations[1].at(5, 0, 0, kAge + 1), 0.0);
  EXPECT_FALSE(std::signbit(general.populations[1].at(5, 0, 0, kAge + 1)));
  expect_same_results(run(rc, false, false), general, "lean");
  expect_same_results(run(rc, true, false), general, "components");
}

// The same cells made −0 by a step adjuster after the first step (the base population has none): the second step sums
// from +0 again, its results the general path's bits. Fails with the adjuster's changes left out of the flag (the
// second step's end population −0 at age kAge + 1 of zone 5).
TEST(StepSignedZeros, StepAdjusterEndsTheSumsFromTheFirstTerm) {
  RandomCase rc = fused_case(false);
  set_od(
      rc, [](const OdFlow& f) { return f.rate_per_year; },
      [](int, int, int i, double p) { return i >= kAge - 1 && i <= kAge + 1 ? -0.0 : p; });
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 2; ++s) {
      rc.base.at(5, g, s, kAge - 1) = 0.0;  // the first step's end at kAge and kAge + 1 is +0 (nobody arrives: the
      rc.base.at(5, g, s, kAge) = 0.0;      // profile is −0 there)
    }
  rc.cfg.step_adjuster = [](const StepContext& ctx, const CohortArray&, CohortArray& end, StepComponents&) {
    for (int g = 0; g < 2; ++g)
      for (int s = 0; s < 2; ++s)
        for (const int i : {kAge, kAge + 1})
          if (ctx.step == 0 && end.at(5, g, s, i) == 0.0) end.at(5, g, s, i) = -0.0;  // the same number of persons
  };
  const RecordingSink general = run(rc, true, true);
  ASSERT_TRUE(negative_zero(general.populations[1].at(5, 0, 0, kAge)));
  ASSERT_TRUE(negative_zero(general.populations[1].at(5, 0, 0, kAge + 1)));
  EXPECT_FALSE(std::signbit(general.populations[2].at(5, 0, 0, kAge + 1)));
  expect_same_results(run(rc, false, false), general, "lean");
  expect_same_results(run(rc, true, false), general, "components");
}

// No −0 persons (the flag holds), with every other signed zero: the OD rates into and out of zone 7 −0 (its in-flows
// −0 from the first term, its out-rate sum +0, so the lean pass's M −0 where the general path's is +0), profile values
// −0 and +0, a zone without people, survival ratios above 1, a transition out of and into the groups: the lean pass
// sums from the first term, and every result is the general path's bits (a population never −0 absorbs M's zero
// sign). The kept passes sum from +0 where the OD holds a −0 (their in-flows are kept: fails with that check left
// out), from the first term where its zeros are all +0 (the second OD).
TEST(StepSignedZeros, FromTheFirstTermWhereNoResultChanges) {
  for (const double zero : {-0.0, 0.0})
    for (const bool transition : {false, true}) {
      RandomCase rc = fused_case(transition);
      set_od(
          rc, [zero](const OdFlow& f) { return f.origin == 7 || f.destination == 7 ? zero : f.rate_per_year; },
          [zero](int g, int, int i, double p) { return i == kAge                 ? zero
                                                       : i == kAge + 1 && g == 1 ? 0.0
                                                                                 : p; });
      ASSERT_EQ(rc.steps[0].od->no_minus_zero(), !std::signbit(zero));
      for (int g = 0; g < 2; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < rc.base.layout().grid.n_ages; ++i) rc.base.at(3, g, s, i) = 0.0;  // nobody in zone 3
      for (const double v : rc.base.data()) ASSERT_FALSE(negative_zero(v));
      const RecordingSink general = run(rc, true, true);
      const std::string what = std::string(std::signbit(zero) ? "OD with −0" : "OD with +0") +
                               (transition ? ", with a transition" : ", OD only");
      expect_same_results(run(rc, false, false), general, "lean, " + what);
      expect_same_results(run(rc, true, false), general, "components, " + what);
    }
}

// The kernel itself: fused_state_in_flows with from_first gives M as fused_state from in-flows (t_1 + t_2) + … (no
// leading 0 +), bit for bit, for 1–12 edges, no transition, one out of or into the group, n ≥ 4 (the vector pass;
// below four cells it may sum from +0). Origins, profile and rates hold −0, so some cells' in-flows are −0 and their
// M differs from the sum from +0: fails with from_first ignored.
TEST(StepSignedZeros, KernelSumsFromTheFirstTerm) {
  std::uint64_t seed = 0x3c6ef372fe94f82bULL;
  const auto value = [&seed]() {
    const double pool[] = {0.0, -0.0, 1.0, 2.5, 1e-310, 3e-5};
    const auto k = static_cast<std::size_t>(cohortgis::test::next_unit(seed) * 12.0);
    return k >= 6 ? 100.0 * cohortgis::test::next_unit(seed) : pool[k];
  };
  const std::size_t stride = 202, zones = 11;
  std::vector<double> P(zones * stride), prof(stride), tr_rate(stride), in_rate(stride);
  for (double& v : P) v = value();
  for (std::size_t i = 0; i < stride; ++i) {
    prof[i] = value();
    tr_rate[i] = value();
    in_rate[i] = value();
  }
  std::size_t minus_zero_sums = 0;
  for (std::size_t count = 1; count <= detail::kFusedInEdges; ++count) {
    std::vector<OdFlow> flows;
    std::vector<int> idx;
    for (std::size_t k = 0; k < count; ++k) {
      flows.push_back({static_cast<int>((k * 5 + count) % zones), 0, -1, k % 3 == 1 ? -0.0 : 0.2});
      idx.push_back(static_cast<int>(k));
    }
    const detail::IndexedInEdges edges{flows.data(), idx.data(), idx.size(), P.data(), stride, 1.0};
    for (int tr = 0; tr < 3; ++tr)
      for (const std::size_t n : {4u, 5u, 8u, 13u, 101u, 202u}) {
        std::vector<double> M(n + 1, 7.0), in_want(n), M_want(n + 1, 7.0);
        detail::FusedState f{};
        f.P = P.data() + 3 * stride;
        f.prof = prof.data();
        f.R = tr == 0 ? 0.0 : 0.3;
        f.has_od = true;
        f.has_tr = tr != 0;
        f.tr_rate = tr == 1 ? tr_rate.data() : nullptr;
        f.tr_mult = 0.5;
        f.in_rate = tr == 2 ? in_rate.data() : nullptr;
        f.in_mult = 0.25;
        f.in_P = tr == 2 ? P.data() + 5 * stride : nullptr;
        f.n = n;
        f.M = M.data();
        detail::fused_state_in_flows(f, edges, true);
        for (std::size_t i = 0; i < n; ++i) {
          double sum = 0.0;
          for (std::size_t k = 0; k < count; ++k) {
            const double t = flows[k].rate_per_year * prof[i] * P[uz(flows[k].origin) * stride + i];
            sum = k == 0 ? t : sum + t;
          }
          in_want[i] = sum;
          minus_zero_sums += negative_zero(sum) ? 1 : 0;
        }
        f.in_od = in_want.data();
        f.M = M_want.data();
        detail::fused_state(f);
        ASSERT_TRUE(same_bits(M, M_want)) << count << " edges, transition " << tr << ", n " << n;
      }
  }
  EXPECT_GT(minus_zero_sums, 100u) << "the case should have in-flows that are −0 from the first term";
}

// add_in_flows_indexed with from_first: its first pass (up to twelve edges, or eight of more) sums from the first
// term, the later passes add to it, so every cell holds the in-flows' sum from the first term in edge order, 1–20
// edges, n ≥ 4. Fails with from_first ignored (cells whose terms are all −0 hold +0).
TEST(StepSignedZeros, IndexedInFlowsFromTheFirstTerm) {
  std::uint64_t seed = 0xa54ff53a5f1d36f1ULL;
  const auto value = [&seed]() {
    const double u = cohortgis::test::next_unit(seed);
    return u < 0.3 ? -0.0 : u < 0.4 ? 0.0 : 50.0 * u;
  };
  const std::size_t stride = 202, zones = 23;
  std::vector<double> P(zones * stride), prof(stride);
  for (double& v : P) v = value();
  for (double& v : prof) v = value();
  std::size_t minus_zero_sums = 0;
  for (std::size_t count = 1; count <= 20; ++count) {
    std::vector<OdFlow> flows;
    std::vector<int> idx;
    for (std::size_t k = 0; k < count; ++k) {
      flows.push_back({static_cast<int>(k + 1), 0, -1, k % 4 == 2 ? -0.0 : 0.1});
      idx.insert(idx.begin(), static_cast<int>(k));  // not in flow order
    }
    const detail::IndexedInEdges edges{flows.data(), idx.data(), idx.size(), P.data(), stride, 1.0};
    for (const std::size_t n : {4u, 5u, 8u, 13u, 202u}) {
      std::vector<double> in(n + 1, 7.0);
      detail::add_in_flows_indexed(in.data(), prof.data(), edges, n, true);
      for (std::size_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (std::size_t k = 0; k < count; ++k) {
          const OdFlow& f = flows[uz(idx[k])];
          const double t = f.rate_per_year * prof[i] * P[uz(f.origin) * stride + i];
          sum = k == 0 ? t : sum + t;
        }
        minus_zero_sums += negative_zero(sum) ? 1 : 0;
        ASSERT_TRUE(same_bits(std::span<const double>(&in[i], 1), std::span<const double>(&sum, 1)))
            << count << " edges, n " << n << ", cell " << i;
      }
      ASSERT_EQ(in[n], 7.0);  // nothing past the vector
    }
  }
  EXPECT_GT(minus_zero_sums, 100u) << "the case should have in-flows that are −0 from the first term";
}
