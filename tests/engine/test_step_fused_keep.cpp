// SPDX-License-Identifier: Apache-2.0
// The user path's fused pass with its in-flows (detail::fused_state_keep_in_flows: per-cell components kept), against
// the two passes it replaces, add_in_flows_indexed then fused_state.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernel_random.hpp"
#include "step_kernels.hpp"

using namespace cohortgis;
using cohortgis::test::next_unit;

// Bit for bit: M, the kept in-flows, out-flows and the transition's transfer, for 1–8 edges (edge order matters:
// origins with ±0, subnormal and negative persons), a transition out of or into the group, vectors of 1–202 ages;
// the in-flows summed from +0 and, with from_first, from their first term where n ≥ 4 (the sum without 0 +: the
// reference below; fails with from_first ignored where a cell's terms are all −0);
// the group's other transfer (+0 already: FusedState::zero_known) left as it is and nothing written past the vector;
// every cell as the general path's formulas make it (lengths of every remainder mod 8 and mod 16: the blocks of eight
// cells, four, and the last four made again; on an AVX-512 CPU eight cells a vector from 8 cells on, blocks of sixteen,
// eight, and the last eight made again, four a vector below).
TEST(StepKernelFused, KeptInFlowsInThePassAsInFlowsThenFusedState) {
  std::uint64_t seed = 0x510e527fade682d1ULL;
  const auto value = [&seed]() {
    const double pool[] = {0.0, -0.0, 1.0, -2.5, 1e-310, 3e-5};
    const auto k = static_cast<std::size_t>(next_unit(seed) * 12.0);
    return k >= 6 ? 200.0 * (next_unit(seed) - 0.5) : pool[k];
  };
  const std::size_t stride = 202, zones = 11;
  std::vector<double> P(zones * stride), prof(stride), rate(stride);
  for (double& v : P) v = value();
  for (std::size_t i = 0; i < stride; ++i) {
    prof[i] = value();
    rate[i] = value();
  }
  const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
  };
  std::size_t cases = 0;
  for (std::size_t count = 1; count <= detail::kFusedKeepInEdges; ++count) {
    std::vector<OdFlow> flows;
    std::vector<int> idx;
    for (std::size_t k = 0; k < count; ++k) {  // idx not in flow order, origins repeated
      flows.push_back({static_cast<int>((k * 5 + count) % zones), 0, -1, 0.3 * next_unit(seed)});
      idx.insert(idx.begin(), static_cast<int>(k));
    }
    const detail::IndexedInEdges edges{flows.data(), idx.data(), idx.size(), P.data(), stride, 2.0};
    for (const bool out : {true, false})
      for (const bool from_first : {false, true})
        for (const std::size_t n : {1u,  2u,  3u,  4u,  5u,  6u,  7u,  8u,  9u,  10u,  11u, 12u,
                                    13u, 14u, 15u, 16u, 17u, 19u, 23u, 24u, 25u, 101u, 202u}) {
          // One element past the vector in every output: never written.
          std::vector<double> M(n + 1, 7.0), in(n + 1, 7.0), od_out(n + 1, 7.0), tr_out(n + 1, 7.0), tr_in(n + 1, 7.0);
          std::vector<double> M2 = M, in2 = in, od_out2 = od_out, tr_out2 = tr_out, tr_in2 = tr_in;
          detail::FusedState f{};
          f.P = P.data() + 3 * stride;
          f.prof = prof.data();
          f.R = value();
          f.has_od = true;
          f.has_tr = true;
          f.tr_rate = out ? rate.data() : nullptr;
          f.tr_mult = value();
          f.in_rate = out ? nullptr : rate.data();
          f.in_mult = value();
          f.in_P = out ? nullptr : P.data() + 5 * stride;
          f.zero_known = true;
          f.n = n;
          f.M = M.data();
          f.od_in = in.data();
          f.od_out = od_out.data();
          f.transfer_out = tr_out.data();
          f.transfer_in = tr_in.data();
          detail::fused_state_keep_in_flows(f, edges, from_first);
          detail::add_in_flows_indexed(in2.data(), prof.data(), edges, n, from_first);
          f.in_od = in2.data();
          f.od_in = nullptr;
          f.M = M2.data();
          f.od_out = od_out2.data();
          f.transfer_out = tr_out2.data();
          f.transfer_in = tr_in2.data();
          detail::fused_state(f);
          const std::string where = std::to_string(count) + " edges, " + (out ? "out" : "in") + ", n " +
                                    std::to_string(n) + (from_first ? ", from the first term" : "");
          EXPECT_TRUE(same(M, M2)) << where;
          EXPECT_TRUE(same(in, in2)) << where;
          EXPECT_TRUE(same(od_out, od_out2)) << where;
          EXPECT_TRUE(same(tr_out, tr_out2)) << where;
          EXPECT_TRUE(same(tr_in, tr_in2)) << where;
          EXPECT_EQ(out ? tr_in : tr_out, std::vector<double>(n + 1, 7.0)) << where;  // the +0 transfer left as it is
          // Each cell from the general path's formulas (both passes are GCC vectors of the same width: a fault in
          // the blocks they share would not show between them).
          for (std::size_t i = 0; i < n; ++i) {
            double sum = 0.0;
            for (std::size_t k = 0; k < count; ++k) {
              const OdFlow& fl = flows[static_cast<std::size_t>(idx[k])];
              const double term =
                  2.0 * fl.rate_per_year * prof[i] * P[static_cast<std::size_t>(fl.origin) * stride + i];
              sum = k == 0 && from_first && n >= 4 ? term : sum + term;  // below four cells from +0 either way
            }
            const double o = f.R * prof[i] * f.P[i];
            const double t = out ? rate[i] * f.tr_mult * f.P[i] : rate[i] * f.in_mult * f.in_P[i];
            const double m = out ? (sum - o) - t : (sum - o) + t;
            const double tr = 0.0 + t;
            ASSERT_TRUE(same({in[i], od_out[i], out ? tr_out[i] : tr_in[i], M[i]}, {sum, o, tr, m}))
                << where << ", cell " << i;
          }
          ++cases;
        }
  }
  EXPECT_EQ(cases, detail::kFusedKeepInEdges * 92);
}
