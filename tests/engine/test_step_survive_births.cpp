// SPDX-License-Identifier: Apache-2.0
// The lean fused path's survive-and-close pass with the women's births in it (engine/src/simd.hpp,
// detail::survive_births_and_close_states), against the pass and the births' own kernel one after the other, and on
// five-year steps through the step runner against the general path; and five-year steps' phase 1 (the conserve factors)
// skipped by the rate bound only where no zone may scale.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "kernel_random.hpp"
#include "projection_cases.hpp"
#include "simd.hpp"

using namespace cohortgis;
using cohortgis::test::next_unit;

// The fused path's births made in the survive pass (detail::survive_births_and_close_states: each group's women,
// state 2g) against that pass without them followed by detail::births_by_age_bits_states from P, M and the pass's Q,
// bit for bit: D, Q, P_end and the flags of every state, and each group's B, exposure, bits and range — open ages below
// nine (births_body after the pass) and above (in the pass's blocks: w − 1 a multiple of eight or not, with and without
// the four ages after the blocks), one- and five-year steps, with and without the exposure; M with ±0 and odd
// subnormals, a negative rate in group 1, a NaN rate at a childless age of group 0 (w ≥ 9), a floored women's cell (in
// either half of a block of eight, which an AVX-512 CPU makes as one vector: the upper at w = 16, 17, 33). With the
// next zone's arrays given (ZoneBirths::next_*, which the pass prefetches): the same results, and those arrays
// unwritten.
TEST(StepKernelSurvive, BirthsInThePassAsPassThenBirths) {
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  std::uint64_t seed = 0xbb67ae8584caa73bULL;
  const auto unit = [&seed]() { return next_unit(seed); };
  std::size_t cases = 0;
  for (const std::size_t w : {3u, 5u, 8u, 9u, 12u, 14u, 16u, 17u, 20u, 24u, 25u, 33u, 100u})
    for (const double z : {1.0, 5.0})
      for (const bool exposure : {false, true}) {
        const std::size_t n = w + 1, groups = 2, states = 2 * groups;
        std::vector<double> S(states * n), P0(states * n), M(states * n), F(groups * n, 0.0);
        for (std::size_t c = 0; c < states * n; ++c) {
          S[c] = 0.5 + 0.5 * unit();
          P0[c] = 12.0 + 1000.0 * unit();
          const double m[] = {40.0 * (unit() - 0.5), 3 * kTiny, -0.0, 0.0, -kTiny};
          M[c] = m[c % 5];
        }
        for (std::size_t i = 1; i < w; ++i) {
          if (i >= w / 4 && i < w / 2 + 1) F[i] = 0.1 * unit();  // group 0: the lower ages
          if (i >= w / 2 && i + 1 < w) F[n + i] = 0.2 * unit();  // group 1: the upper ages
        }
        F[n + w / 2] = -0.01;                 // group 1's bits only
        if (w >= 9) F[w - 1] = std::nan("");  // group 0: NaN counts as births
        M[2 * n + w / 2] = -1e7;              // group 1's women: a floored cell (Q < 0)
        std::vector<double> D(states * n, -7.0), Q(states * n, -7.0), P(states * n, -7.0);
        std::vector<double> D1(D), Q1(Q), P1(P), B(groups * n, -1.0), X(groups * n, -1.0), B1(B), X1(X);
        std::vector<unsigned char> fl(states, 9), fl1(states, 9);
        const auto women = [&](std::size_t g, std::vector<double>& q, std::vector<double>& b, std::vector<double>& x) {
          detail::BirthsOfState s{w,
                                  z,
                                  F.data() + g * n,
                                  P0.data() + 2 * g * n,
                                  q.data() + 2 * g * n,
                                  b.data() + g * n,
                                  exposure ? x.data() + g * n : nullptr};
          s.M = M.data() + 2 * g * n;
          return s;
        };
        detail::BirthsRange r[2], r1[2];
        std::uint64_t bits[2] = {1, 1}, bits1[2] = {0, 0};
        const detail::ZoneBirths in_pass{z, F.data(), B.data(), exposure ? X.data() : nullptr, r, bits};
        detail::survive_births_and_close_states(w, states, S.data(), P0.data(), M.data(), D.data(), Q.data(), P.data(),
                                                fl.data(), in_pass);
        detail::survive_and_close_states(w, states, S.data(), P0.data(), M.data(), D1.data(), Q1.data(), P1.data(),
                                         fl1.data());
        const detail::BirthsOfState after[2] = {women(0, Q1, B1, X1), women(1, Q1, B1, X1)};
        detail::births_by_age_bits_states(after, 2, r1, bits1);
        const std::string where =
            "w " + std::to_string(w) + ", z " + std::to_string(z) + ", exposure " + std::to_string(exposure);
        const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
          return test::same_bits(a, b);
        };
        EXPECT_TRUE(same(D, D1)) << where;
        EXPECT_TRUE(same(Q, Q1)) << where;
        EXPECT_TRUE(same(P, P1)) << where;
        EXPECT_EQ(fl, fl1) << where;
        EXPECT_EQ(fl[2], 1) << where;
        EXPECT_TRUE(same(B, B1)) << where;
        EXPECT_TRUE(same(X, X1)) << where;
        for (std::size_t g = 0; g < groups; ++g) {
          EXPECT_EQ(r[g].lo, r1[g].lo) << where << ", group " << g;
          EXPECT_EQ(r[g].hi, r1[g].hi) << where << ", group " << g;
          EXPECT_EQ(bits[g], bits1[g]) << where << ", group " << g;
        }
        EXPECT_NE(bits[0], bits[1]) << where;
        // Q stored only for the states with a floored cell (ZoneBirths::q_every_state false, the projection's common
        // case): the others' Q left as it was, everything else the same.
        std::vector<double> D2(states * n, -7.0), Q2(states * n, -7.0), P2(states * n, -7.0);
        std::vector<double> B2(groups * n, -1.0), X2(groups * n, -1.0);
        std::vector<unsigned char> fl2(states, 9);
        detail::BirthsRange r2[2];
        std::uint64_t bits2[2] = {1, 1};
        detail::ZoneBirths floored_only{z, F.data(), B2.data(), exposure ? X2.data() : nullptr, r2, bits2};
        floored_only.q_every_state = false;
        detail::survive_births_and_close_states(w, states, S.data(), P0.data(), M.data(), D2.data(), Q2.data(),
                                                P2.data(), fl2.data(), floored_only);
        EXPECT_TRUE(same(D2, D1)) << where;
        EXPECT_TRUE(same(P2, P1)) << where;
        EXPECT_EQ(fl2, fl1) << where;
        EXPECT_TRUE(same(B2, B1)) << where;
        EXPECT_TRUE(same(X2, X1)) << where;
        for (std::size_t k = 0; k < states; ++k) {
          const std::vector<double> got(Q2.begin() + static_cast<std::ptrdiff_t>(k * n),
                                        Q2.begin() + static_cast<std::ptrdiff_t>((k + 1) * n));
          const std::vector<double> want =
              fl1[k] != 0 || w < 9 ? std::vector<double>(Q1.begin() + static_cast<std::ptrdiff_t>(k * n),
                                                         Q1.begin() + static_cast<std::ptrdiff_t>((k + 1) * n))
                                   : std::vector<double>(n, -7.0);
          EXPECT_TRUE(same(got, want)) << where << ", Q of state " << k;
        }
        // The next zone's arrays given (ZoneBirths::next_*, prefetched by the pass): other values (NaN rates, other
        // ratios and persons), which must neither change this zone's results nor be written.
        std::vector<double> nS(S.size(), 0.25), nP(P0.size(), 3.0), nF(F.size(), std::nan("")), nE(P.size(), -5.0);
        const std::vector<double> nE0(nE);
        std::vector<double> D3(states * n, -7.0), Q3(states * n, -7.0), P3(states * n, -7.0);
        std::vector<double> B3(groups * n, -1.0), X3(groups * n, -1.0);
        std::vector<unsigned char> fl3(states, 9);
        detail::BirthsRange r3[2];
        std::uint64_t bits3[2] = {1, 1};
        detail::ZoneBirths ahead{z, F.data(), B3.data(), exposure ? X3.data() : nullptr, r3, bits3};
        ahead.next_S = nS.data();
        ahead.next_P = nP.data();
        ahead.next_F = nF.data();
        ahead.next_P_end = nE.data();
        detail::survive_births_and_close_states(w, states, S.data(), P0.data(), M.data(), D3.data(), Q3.data(),
                                                P3.data(), fl3.data(), ahead);
        EXPECT_TRUE(same(D3, D1)) << where << ", next zone given";
        EXPECT_TRUE(same(Q3, Q)) << where << ", next zone given";
        EXPECT_TRUE(same(P3, P1)) << where << ", next zone given";
        EXPECT_EQ(fl3, fl1) << where << ", next zone given";
        EXPECT_TRUE(same(B3, B1)) << where << ", next zone given";
        EXPECT_TRUE(same(X3, X1)) << where << ", next zone given";
        EXPECT_TRUE(same(nE, nE0)) << where << ", next zone's end population written";
        for (std::size_t g = 0; g < groups; ++g) {
          EXPECT_EQ(r3[g].lo, r1[g].lo) << where << ", group " << g << ", next zone given";
          EXPECT_EQ(r3[g].hi, r1[g].hi) << where << ", group " << g << ", next zone given";
          EXPECT_EQ(bits3[g], bits1[g]) << where << ", group " << g << ", next zone given";
        }
        ++cases;
      }
  EXPECT_EQ(cases, 52u);
}

namespace {
// A five-year case of six zones and two groups (OD with three out-edges a zone, one of group 1; a transition from
// group 1 into group 0; `even` timing) for `steps` steps; `rate` is each edge's rate per year times a draw in [0, 1).
test::RandomCase five_year_case(int steps, double rate = 0.004) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const int zones = 6, G = 2, A = grid.n_ages;
  test::RandomCase c;
  c.cfg.grid = grid;
  c.cfg.steps = steps;
  c.cfg.base_year = 2020;
  c.cfg.group_names = {"registered", "floating"};
  for (int z = 0; z < zones; ++z) c.cfg.zone_ids.push_back("Z" + std::to_string(z));
  c.base = CohortArray(CohortLayout{zones, G, grid});
  std::uint64_t seed = 0x3c6ef372fe94f82bULL;
  const auto unit = [&seed]() { return next_unit(seed); };
  for (double& p : c.base.data()) p = 50.0 + 2000.0 * unit();
  std::vector<OdFlow> flows;
  for (int o = 0; o < zones; ++o)
    for (int k = 1; k <= 3; ++k) flows.push_back({o, (o + k) % zones, k == 2 ? 1 : -1, rate * unit()});
  std::vector<double> profile(uz(G) * 2 * uz(A));
  for (double& p : profile) p = 0.5 + unit();
  const auto od = std::make_shared<const OdMigration>(flows, profile, zones, G, A);
  for (int t = 0; t < steps; ++t) {
    StepSchedules s;
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < G; ++g) {
        for (int sx = 0; sx < 2; ++sx) {
          const auto mx = test::makeham_mx(grid, 0.6 + 0.8 * unit());
          s.mortality.insert(s.mortality.end(), mx.begin(), mx.end());
        }
        const auto f = test::fertility(grid, 1.0 + unit());
        s.asfr.insert(s.asfr.end(), f.begin(), f.end());
      }
    for (int z = 0; z < zones; ++z) s.srb.push_back(1.03 + 0.1 * unit());
    s.od = od;
    GroupTransition tr{1, 0, std::vector<double>(2 * uz(A)), {}};
    for (double& r : tr.rate_per_year) r = 0.02 * unit();
    s.transitions.push_back(tr);
    c.steps.push_back(std::move(s));
  }
  return c;
}
}  // namespace

// The same on a five-year grid through the step runner (StepPlan::births_in_pass, the ZoneBirths' width): a run on
// the fused path (OD and one transition, `even` timing) against the general path (an all-zero external in-migration
// takes it), lean, with indicators and with per-cell components, on one and two threads: the end populations, the
// births, the births by age of mother and their exposure (where kept) and the indicators, bit for bit.
TEST(StepKernelSurvive, FiveYearBirthsInThePassAsTheGeneralPath) {
  test::RandomCase fused = five_year_case(3);
  test::RandomCase general = fused;
  for (StepSchedules& s : general.steps) s.external_in.assign(fused.base.layout().cells(), 0.0);
  const auto same = [](std::span<const double> a, std::span<const double> b) { return test::same_bits(a, b); };
  for (const auto& [cells, indicators] : {std::pair{false, false}, {false, true}, {true, true}})
    for (const int threads : {1, 2}) {
      fused.cfg.cell_components = general.cfg.cell_components = cells;
      fused.cfg.indicators = general.cfg.indicators = indicators;
      const test::RecordingSink a = test::run_case(fused, threads), b = test::run_case(general, 1);
      ASSERT_EQ(a.components.size(), 3u);
      ASSERT_EQ(b.components.size(), 3u);
      const std::string where = "cells " + std::to_string(cells) + ", indicators " + std::to_string(indicators) +
                                ", threads " + std::to_string(threads);
      for (std::size_t t = 0; t < 3; ++t) {
        const StepComponents &x = a.components[t], &y = b.components[t];
        if (cells) {
          EXPECT_TRUE(x.external_in.empty() && !y.external_in.empty()) << where << ": the second should be general";
        }
        EXPECT_TRUE(same(a.populations[t + 1].data(), b.populations[t + 1].data())) << where << ", step " << t;
        EXPECT_TRUE(same(x.births, y.births)) << where << ", step " << t;
        EXPECT_GT(x.births.at(0), 0.0) << where;
        EXPECT_TRUE(same(x.births_by_mother_age, y.births_by_mother_age)) << where << ", step " << t;
        EXPECT_TRUE(same(x.women_exposure, y.women_exposure)) << where << ", step " << t;
        EXPECT_EQ(x.births_by_mother_age.empty(), !(cells || indicators)) << where;
        if (indicators) {
          EXPECT_TRUE(same(a.indicators[t].values, b.indicators[t].values)) << where << ", step " << t;
        }
      }
    }
}

// Phase 1 (the conserve factors) on five-year steps: skipped when no zone's rate sums (StepPlan::out_rate_z) can add up
// to 1 (StepRunner::no_zone_may_scale), so no flow is scaled; a zone whose OD rates can still has its cells scaled,
// wherever it lies, and only that zone.
TEST(StepKernelSurvive, FiveYearPhaseOneScalesOnlyAZoneWithLargeRates) {
  const auto scaled_zones = [](const test::RandomCase& c) {
    std::set<int> zones;
    for (const StepComponents& comp : test::run_case(c, 2).components)
      for (const AdjustedCell& a : comp.scaled_flows) zones.insert(a.zone);
    return zones;
  };
  const test::RandomCase base = five_year_case(2);
  EXPECT_EQ(scaled_zones(base), std::set<int>{}) << "no zone's rates come near 1";
  for (const int zone : {0, 4}) {  // its three out-edges at 0.12 a year: 5 × 0.36 × profile 0.5–1.5
    const test::RandomCase c = test::with_zone_od_rate(base, zone, 0.12);
    EXPECT_EQ(scaled_zones(c), std::set<int>{zone}) << "OD rates of zone " << zone;
  }
}
