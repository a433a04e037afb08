// SPDX-License-Identifier: Apache-2.0
// The step's vector kernels against their scalar definitions: the fused per-state pass, the OD in-flow sums and the
// first floored age (split from test_ccmpp_step.cpp, which holds Part A of docs/ccmpp.md's hand cases).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernel_random.hpp"
#include "simd.hpp"
#include "step_kernels.hpp"

using namespace cohortgis;
using cohortgis::test::next_unit;

// The fused per-state pass (detail::fused_state) against the general path's operations cell by cell, bit for bit
// (signed zeros included): o = R·prof·P, out = 0 + z·r·m·P, in = 0 + z·r·m·P_from, M = (0 + (in_od − o)) + (in − out)
// with each absent term a literal 0 (A3 step 1 is made from M where it is read), and the kept components o, out, in —
// for every combination
// of OD, transitions out of and into the group and kept components, with ±0, negative and subnormal values everywhere
// but in the OD in-flows, which add_in_flows sums from +0 (never −0); vectors of 1–202 cells (the kept pass with one
// transition takes eight cells a vector on an AVX-512 CPU from eight cells on, four from four: every remainder mod 8
// and 16 of its blocks of sixteen, eight and the last eight again).
TEST(StepKernelFused, EveryTermCombinationAsTheGeneralPathBitForBit) {
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
  const auto value = [&seed](bool minus_zero) {
    const double pool[] = {0.0, -0.0, 1.0, -2.5, 1e-310, 3e-5};
    const double u = next_unit(seed);
    const auto k = static_cast<std::size_t>(u * 12.0);
    if (k >= 6) return 200.0 * (next_unit(seed) - 0.5);
    return !minus_zero && k == 1 ? 0.0 : pool[k];
  };
  const auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  std::size_t cases = 0;
  for (int combo = 0; combo < 32; ++combo) {
    const bool od = combo & 1, tr = combo & 2, to = combo & 4, ti = combo & 8, keep = combo & 16;
    if (!tr && (to || ti)) continue;
    for (const std::size_t n :
         {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 15u, 16u, 17u, 19u, 23u, 24u, 25u, 202u}) {
      std::vector<double> P(n), prof(n), in_od(n), tr_rate(n), in_rate(n), in_P(n);
      for (std::size_t i = 0; i < n; ++i) {
        P[i] = value(true);
        prof[i] = value(true);
        in_od[i] = value(false);
        tr_rate[i] = value(true);
        in_rate[i] = value(true);
        in_P[i] = value(true);
      }
      std::vector<double> M(n, 7.0), od_out(n, 7.0), tr_out(n, 7.0), tr_in(n, 7.0);
      detail::FusedState f{};
      f.P = P.data();
      f.prof = prof.data();
      f.R = value(true);
      f.in_od = in_od.data();
      f.has_od = od;
      f.has_tr = tr;
      f.tr_rate = to ? tr_rate.data() : nullptr;
      f.tr_mult = value(true);
      f.in_rate = ti ? in_rate.data() : nullptr;
      f.in_mult = value(true);
      f.in_P = ti ? in_P.data() : nullptr;
      f.M = M.data();
      f.od_out = keep && od ? od_out.data() : nullptr;
      f.transfer_out = keep && tr ? tr_out.data() : nullptr;
      f.transfer_in = keep && tr ? tr_in.data() : nullptr;
      f.n = n;
      detail::fused_state(f);
      for (std::size_t i = 0; i < n; ++i) {
        const double o = f.R * prof[i] * P[i];
        const double out = to ? 0.0 + tr_rate[i] * f.tr_mult * P[i] : 0.0;
        const double in = ti ? 0.0 + in_rate[i] * f.in_mult * in_P[i] : 0.0;
        double m = 0.0;
        if (od) m += in_od[i] - o;
        if (tr) m += in - out;
        const std::string where =
            "combo " + std::to_string(combo) + ", n " + std::to_string(n) + ", cell " + std::to_string(i);
        ASSERT_TRUE(same(M[i], m)) << where << ": M " << M[i] << " against " << m;
        if (keep && od) {
          ASSERT_TRUE(same(od_out[i], o)) << where;
        }
        if (keep && tr) {
          ASSERT_TRUE(same(tr_out[i], out)) << where;
          ASSERT_TRUE(same(tr_in[i], in)) << where;
        }
        ++cases;
      }
      if (keep && tr) {  // the +0 transfers known (FusedState::zero_known): left as they are, the rest the same bits
        std::vector<double> M2(n, 7.0), od_out2(n, 7.0), tr_out2(n, 7.0), tr_in2(n, 7.0);
        detail::FusedState g = f;
        g.M = M2.data();
        g.od_out = od ? od_out2.data() : nullptr;
        g.transfer_out = tr_out2.data();
        g.transfer_in = tr_in2.data();
        g.zero_known = true;
        detail::fused_state(g);
        const std::vector<double> untouched(n, 7.0);
        const auto eq = [n](const std::vector<double>& a, const std::vector<double>& b) {
          return std::memcmp(a.data(), b.data(), n * sizeof(double)) == 0;
        };
        const std::string where = "zero known, combo " + std::to_string(combo) + ", n " + std::to_string(n);
        EXPECT_TRUE(eq(M2, M) && (!od || eq(od_out2, od_out))) << where;
        EXPECT_TRUE(eq(tr_out2, to ? tr_out : untouched)) << where;
        EXPECT_TRUE(eq(tr_in2, ti ? tr_in : untouched)) << where;
      }
    }
  }
  EXPECT_GT(cases, 3000u);
}

// The OD in-flows as fused_state expects them: in = ((0 + t_1) + t_2) + … with t_k = c_k · prof · P_k, never −0 (the
// fused pass leaves out additions of +0 on that ground), from the edge list and from the OD index, for 0–20 edges
// (passes of up to twelve and of eight), vectors of 1–202 ages (the loop's two vectors a step and its tails: on an
// AVX-512 CPU eight cells a vector from 8 cells on, the last eight made again) and origins of −0 persons at many ages.
TEST(StepKernelInFlows, EdgeSumsFromPlusZeroNeverMinusZero) {
  std::uint64_t seed = 0x3c6ef372fe94f82bULL;
  const std::size_t stride = 202, zones = 21;
  std::vector<double> P(zones * stride), prof(stride);
  for (std::size_t c = 0; c < P.size(); ++c) P[c] = c % 3 == 0 ? -0.0 : 100.0 * next_unit(seed);
  for (std::size_t i = 0; i < stride; ++i) prof[i] = i % 5 == 4 ? 0.0 : next_unit(seed);
  std::vector<OdFlow> flows;
  std::vector<int> idx;
  std::vector<detail::InEdge> edges;
  for (std::size_t count = 0; count <= 20; ++count) {
    if (count > 0) {
      const int origin = static_cast<int>((count * 7) % zones);
      flows.push_back({origin, 0, -1, 0.01 * next_unit(seed)});
      idx.push_back(static_cast<int>(flows.size() - 1));
      edges.push_back(
          {2.0 * flows.back().rate_per_year, P.data() + static_cast<std::size_t>(origin) * stride, nullptr});
    }
    for (const std::size_t n :
         {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 10u, 11u, 12u, 15u, 16u, 17u, 23u, 24u, 25u, 31u, 33u, 101u, 202u}) {
      std::vector<double> in(n + 1, -7.0), in_indexed(n + 1, -7.0);
      detail::add_in_flows(in.data(), prof.data(), edges, n);
      detail::add_in_flows_indexed(in_indexed.data(), prof.data(),
                                   {flows.data(), idx.data(), idx.size(), P.data(), stride, 2.0}, n, false);
      for (std::size_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (const detail::InEdge& e : edges) sum = sum + e.c * prof[i] * e.Po[i];
        const std::string where =
            std::to_string(count) + " edges, n " + std::to_string(n) + ", age " + std::to_string(i);
        ASSERT_EQ(std::memcmp(&in[i], &sum, sizeof sum), 0) << where;
        ASSERT_EQ(std::memcmp(&in_indexed[i], &sum, sizeof sum), 0) << where;
        ASSERT_FALSE(std::signbit(in[i]) && in[i] == 0.0) << where;
      }
      ASSERT_EQ(in[n], -7.0);  // nothing past the vector
      ASSERT_EQ(in_indexed[n], -7.0);
    }
  }
}

// The lean run's fused pass with its in-flows (detail::fused_state_in_flows) against add_in_flows_indexed then
// fused_state, bit for bit: 1–12 edges (edge order matters: origins with −0, subnormal and negative persons), no
// transition, one out of or one into the group, or a run with transitions none of which is the group's; vectors of
// 1–202 ages (every length mod 8, with and without four after the blocks of eight: the pass's last four cells made
// again where they overlap; on an AVX-512 CPU eight cells a vector from 8 cells on, blocks of sixteen and the last
// eight again, four a vector below); nothing written past the vector, and the in-flow buffer neither read nor written.
TEST(StepKernelFused, InFlowsInThePassAsInFlowsThenFusedState) {
  std::uint64_t seed = 0xbb67ae8584caa73bULL;
  const auto value = [&seed]() {
    const double pool[] = {0.0, -0.0, 1.0, -2.5, 1e-310, 3e-5};
    const auto k = static_cast<std::size_t>(next_unit(seed) * 12.0);
    return k >= 6 ? 200.0 * (next_unit(seed) - 0.5) : pool[k];
  };
  const std::size_t stride = 202, zones = 11;
  std::vector<double> P(zones * stride), prof(stride), tr_rate(stride), in_rate(stride);
  for (double& v : P) v = value();
  for (std::size_t i = 0; i < stride; ++i) {
    prof[i] = value();
    tr_rate[i] = value();
    in_rate[i] = value();
  }
  std::size_t cases = 0;
  for (std::size_t count = 1; count <= detail::kFusedInEdges; ++count) {
    std::vector<OdFlow> flows;
    std::vector<int> idx;
    for (std::size_t k = 0; k < count; ++k) {  // idx not in flow order, origins repeated
      flows.push_back({static_cast<int>((k * 7 + count) % zones), 0, -1, 0.3 * next_unit(seed)});
      idx.insert(idx.begin(), static_cast<int>(k));
    }
    const detail::IndexedInEdges edges{flows.data(), idx.data(), idx.size(), P.data(), stride, 2.0};
    for (int tr = 0; tr < 4; ++tr)  // none, out of the group, into it, the run's transitions none of the group's
      for (const std::size_t n :
           {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 15u, 16u, 17u, 19u, 23u, 24u, 25u, 101u, 202u}) {
        std::vector<double> in(n, -7.0), M(n + 1, 7.0);
        detail::FusedState f{};
        f.P = P.data() + 3 * stride;
        f.prof = prof.data();
        f.R = value();
        f.has_od = true;
        f.has_tr = tr != 0;
        f.tr_rate = tr == 1 ? tr_rate.data() : nullptr;
        f.tr_mult = value();
        f.in_rate = tr == 2 ? in_rate.data() : nullptr;
        f.in_mult = value();
        f.in_P = tr == 2 ? P.data() + 5 * stride : nullptr;
        f.n = n;
        f.in_od = in.data();
        f.M = M.data();
        detail::fused_state_in_flows(f, edges, false);
        std::vector<double> in_want(n), M_want(n + 1, 7.0);
        detail::add_in_flows_indexed(in_want.data(), prof.data(), edges, n, false);
        f.in_od = in_want.data();
        f.M = M_want.data();
        detail::fused_state(f);
        const std::string where =
            std::to_string(count) + " edges, transition " + std::to_string(tr) + ", n " + std::to_string(n);
        ASSERT_EQ(std::memcmp(M.data(), M_want.data(), (n + 1) * sizeof(double)), 0) << where;
        ASSERT_EQ(in, std::vector<double>(n, -7.0)) << where;
        ++cases;
      }
  }
  EXPECT_EQ(cases, detail::kFusedInEdges * 88);
}

// The floored-cell scan of step_zone's slow close (detail::first_floored): for vectors of 1–40 ages and 101, with the
// floored cells (negative or NaN Q) at every pair of ages in turn and ±0 elsewhere among positive values, the first
// floored age from every start, as a test of Q ≥ 0 age by age finds it.
TEST(StepKernelFloors, FirstFlooredAgeFromEveryStart) {
  std::vector<std::size_t> sizes;
  for (std::size_t n = 1; n <= 40; ++n) sizes.push_back(n);
  sizes.push_back(101);
  std::size_t cases = 0;
  for (const std::size_t n : sizes)
    for (std::size_t a = 0; a <= n; ++a)
      for (std::size_t b = a; b <= n; b += 3) {  // floored ages a and b (n: none)
        std::vector<double> Q(n + 8);
        for (std::size_t i = 0; i < Q.size(); ++i) Q[i] = i % 5 == 1 ? -0.0 : i % 5 == 3 ? 0.0 : 1.0 + double(i);
        if (a < n) Q[a] = a % 2 == 0 ? -1e-300 : std::nan("");
        if (b < n) Q[b] = -5.0;
        Q[n] = -1.0;  // past the vector: never read as floored
        for (std::size_t from = 0; from <= n; ++from) {
          std::size_t want = from;
          while (want < n && Q[want] >= 0.0) ++want;
          ASSERT_EQ(detail::first_floored(Q.data(), from, n), want) << "n " << n << ", a " << a << ", b " << b;
          ++cases;
        }
      }
  EXPECT_GT(cases, 10000u);
}
