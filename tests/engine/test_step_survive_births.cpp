// SPDX-License-Identifier: Apache-2.0
// The lean fused path's survive-and-close pass with the women's births in it (engine/src/simd.hpp,
// detail::survive_births_and_close_states), against the pass and the births' own kernel one after the other.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernel_random.hpp"
#include "simd.hpp"

using namespace cohortgis;
using cohortgis::test::next_unit;

// The fused path's births made in the survive pass (detail::survive_births_and_close_states: each group's women,
// state 2g) against that pass without them followed by detail::births_by_age_bits_states from P, M and the pass's Q,
// bit for bit: D, Q, P_end and the flags of every state, and each group's B, exposure, bits and range — open ages below
// nine (births_body after the pass) and above (in the pass's blocks: w − 1 a multiple of eight or not, with and without
// the four ages after the blocks), one- and five-year steps, with and without the exposure; M with ±0 and odd
// subnormals, a negative rate in group 1, a NaN rate at a childless age of group 0 (w ≥ 9), a floored women's cell.
TEST(StepKernelSurvive, BirthsInThePassAsPassThenBirths) {
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  std::uint64_t seed = 0xbb67ae8584caa73bULL;
  const auto unit = [&seed]() { return next_unit(seed); };
  std::size_t cases = 0;
  for (const std::size_t w : {3u, 5u, 8u, 9u, 12u, 14u, 16u, 17u, 20u, 100u})
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
          return std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
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
        ++cases;
      }
  EXPECT_EQ(cases, 40u);
}
