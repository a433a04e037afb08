// SPDX-License-Identifier: Apache-2.0
// A zone of two groups on a single-year grid takes the sums of persons of its two group slots in one pass
// (slot_sums_single_year2: slot 0 in one lane of each vector, slot 1 in the other). Each group slot's values are the
// bits of the same group computed as the only group of its zones (its own pass, slot_sums_single_year): counts, person
// years, the TFR (with the step's schedules: their sums in the same pass; without: from the births), the standard and
// extra bands, the median (by binary search, by the scan after a negative count, NaN for nobody) and the rates from
// them.
#include <gtest/gtest.h>
#include <oneapi/tbb/task_arena.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;

namespace {

// The states of `layout` (zones × groups) as arrays of [state][n]; `group` picks one group's states (-1: every).
std::vector<double> states_of(const std::vector<double>& v, int zones, int groups, int group, std::size_t n) {
  std::vector<double> out;
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < groups; ++g)
      if (group < 0 || g == group) {
        const std::size_t st = uz(z * groups + g);
        out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(st * n),
                   v.begin() + static_cast<std::ptrdiff_t>((st + 1) * n));
      }
  return out;
}

TEST(IndicatorZoneSlots, TwoGroupSlotsInOnePassAreEachGroupsOwnBits) {
  for (int open : {100, 70}) {
    const AgeGrid grid = AgeGrid::single_year(open);
    const int Z = 4, G = 2, A = grid.n_ages;
    const CohortLayout L{Z, G, grid};
    CohortArray start(L), end(L);
    StepComponents comp = cohortgis::test::state_components(Z * G, A, 0.0, 0.0);
    std::vector<double> asfr(uz(Z * G * A), 0.0);  // each state's schedule (its TFR: their sum)
    for (int z = 0; z < Z; ++z)
      for (int g = 0; g < G; ++g) {
        const std::size_t st = uz(z * G + g);
        for (int s = 0; s < 2; ++s) {
          for (int i = 0; i < A; ++i) {
            start.at(z, g, s, i) = 900.0 / (1.0 + 0.29 * i + 0.11 * z + 0.6 * g + 0.1 * s);
            end.at(z, g, s, i) = 880.0 / (1.0 + 0.3 * i + 0.13 * z + 0.5 * g + 0.1 * s) + 0.37 * g;
          }
          comp.births[st * 2 + uz(s)] = 30.0 + z + 5.0 * g + s;
          comp.deaths_by_state[st * 2 + uz(s)] = 7.0 + z + g + 0.5 * s;
          comp.net_migrants_by_state[st * 2 + uz(s)] = -3.0 + z - 2.0 * g + s;
          comp.e0[st * 2 + uz(s)] = 70.0 + z + g + s;
          comp.e65[st * 2 + uz(s)] = 15.0 + 0.1 * z + g + s;
        }
        for (int i = 15; i < 50; ++i) {
          comp.births_by_mother_age[st * uz(A) + uz(i)] = 10.0 + 0.3 * i + g + 0.1 * z;
          comp.women_exposure[st * uz(A) + uz(i)] = 400.0 - 2.0 * i + 5.0 * g + 7.0 * z;
          asfr[st * uz(A) + uz(i)] = 0.013 + 0.0007 * i / (1.0 + 0.3 * g + 0.1 * z);
        }
      }
    // Zone 1, group 0: a negative count whose running total falls back below half (the median's scan); zone 2,
    // group 1: nobody at the end (no median, no shares); zone 3, group 1: everyone at one age.
    end.at(1, 0, 0, 0) = 1.0e5;
    end.at(1, 0, 1, 1) = -1.0e5;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) end.at(2, 1, s, i) = 0.0, end.at(3, 1, s, i) = i == 41 ? 12.0 : 0.0;
    std::vector<std::string> ids;
    for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
    const std::vector<AgeBand> extra = {{"b", 20, 44, -1}, {"f", 3, 66, 0}, {"m", 60, -1, 1}};
    for (int run = 0; run < 4; ++run) {
      const int threads = run % 2 == 0 ? 1 : 3;
      const bool with_asfr = run >= 2;  // the TFR from the step's schedules (their sums in the same pass) or the births
      tbb::task_arena arena(threads);
      IndicatorTable two;
      const std::vector<double> no_asfr;
      const std::vector<double>& asfr_in = with_asfr ? asfr : no_asfr;
      arena.execute([&] {
        compute_indicators(start, end, comp, asfr_in, {}, ids, {"g0", "g1"}, {}, extra, LifeTableMethod{}, two);
      });
      for (int g = 0; g < G; ++g) {
        const CohortLayout L1{Z, 1, grid};
        CohortArray start1(L1), end1(L1);
        for (int z = 0; z < Z; ++z)
          for (int s = 0; s < 2; ++s)
            for (int i = 0; i < A; ++i)
              start1.at(z, 0, s, i) = start.at(z, g, s, i), end1.at(z, 0, s, i) = end.at(z, g, s, i);
        StepComponents c1;
        c1.births = states_of(comp.births, Z, G, g, 2);
        c1.births_by_mother_age = states_of(comp.births_by_mother_age, Z, G, g, uz(A));
        c1.women_exposure = states_of(comp.women_exposure, Z, G, g, uz(A));
        c1.deaths_by_state = states_of(comp.deaths_by_state, Z, G, g, 2);
        c1.net_migrants_by_state = states_of(comp.net_migrants_by_state, Z, G, g, 2);
        c1.e0 = states_of(comp.e0, Z, G, g, 2);
        c1.e65 = states_of(comp.e65, Z, G, g, 2);
        IndicatorTable one;
        const std::vector<double> asfr1 = with_asfr ? states_of(asfr, Z, G, g, uz(A)) : std::vector<double>{};
        compute_indicators(start1, end1, c1, asfr1, {}, ids, {"g"}, {}, extra, LifeTableMethod{}, one);
        ASSERT_EQ(one.n_indicators(), two.n_indicators());
        for (int z = 0; z < Z; ++z)
          for (std::size_t k = 0; k < two.n_indicators(); ++k)
            EXPECT_EQ(std::bit_cast<std::uint64_t>(two.get(uz(z), uz(g), k)),
                      std::bit_cast<std::uint64_t>(one.get(uz(z), 0, k)))
                << "open " << open << " threads " << threads << " zone " << z << " group " << g << " "
                << two.indicator_names[k] << ": " << two.get(uz(z), uz(g), k) << " vs " << one.get(uz(z), 0, k);
      }
      if (with_asfr) {  // the TFR is the schedule's: z · Σ asfr, in age order
        double tfr = 0.0;
        for (int i = 0; i < A; ++i) tfr += asfr[uz((3 * G + 1) * A + i)];
        EXPECT_EQ(two.get(3, 1, Indicator::tfr), 1.0 * tfr);
      }
      // The cases above are what they say: the scan's median, none, one age.
      EXPECT_TRUE(std::isnan(two.get(2, 1, Indicator::median_age)));
      EXPECT_EQ(two.get(3, 1, Indicator::median_age), 41.5);
    }
  }
}

// A table handed to compute_indicators again (as the engine hands its table to every step) holds the bits of a new
// table: each slot's values are NaN where undefined (nobody in the state: no rates, no median; no births: no sex
// ratio; no life table), not what the last call left there. One and two groups (one group's "all" slot is a copy), at
// 1 and 3 threads.
TEST(IndicatorZoneSlots, ATableComputedAgainHasTheBitsOfANewOne) {
  const AgeGrid grid = AgeGrid::single_year(100);
  for (int G : {1, 2}) {
    const int Z = 3, A = grid.n_ages;
    const CohortLayout L{Z, G, grid};
    auto data = [&](bool empty_state, CohortArray& start, CohortArray& end, StepComponents& comp,
                    std::vector<double>& mx) {
      start = CohortArray(L), end = CohortArray(L);
      mx.assign(L.cells(), 0.0);
      comp = StepComponents{};
      comp.births.assign(uz(Z * G * 2), 0.0);
      comp.births_by_mother_age.assign(uz(Z * G * A), 0.0);
      comp.women_exposure.assign(uz(Z * G * A), 0.0);
      comp.deaths_by_state.assign(uz(Z * G * 2), 2.0);
      comp.net_migrants_by_state.assign(uz(Z * G * 2), 1.0);
      comp.e0.assign(uz(Z * G * 2), 71.0);
      comp.e65.assign(uz(Z * G * 2), 16.0);
      for (int z = 0; z < Z; ++z)
        for (int g = 0; g < G; ++g) {
          const std::size_t st = uz(z * G + g);
          const bool empty = empty_state && z == 1 && g == G - 1;
          for (int s = 0; s < 2; ++s) {
            for (int i = 0; i < A; ++i) {
              start.at(z, g, s, i) = empty ? 0.0 : 300.0 / (1.0 + 0.05 * i + 0.1 * z + 0.2 * g + 0.1 * s);
              end.at(z, g, s, i) = empty ? 0.0 : 290.0 / (1.0 + 0.05 * i + 0.1 * z + 0.2 * g + 0.1 * s);
              mx[(st * 2 + uz(s)) * uz(A) + uz(i)] = 0.0003 * std::exp(0.08 * i) + 0.0002 * s;
            }
            comp.births[st * 2 + uz(s)] = empty ? 0.0 : 20.0 + z + s;
            if (empty) comp.e0[st * 2 + uz(s)] = comp.e65[st * 2 + uz(s)] = NAN;
          }
          for (int i = 15; i < 50; ++i) {
            comp.births_by_mother_age[st * uz(A) + uz(i)] = empty ? 0.0 : 3.0 + 0.1 * i;
            comp.women_exposure[st * uz(A) + uz(i)] = empty ? 0.0 : 200.0 - i;
          }
        }
    };
    const std::vector<std::string> ids = {"a", "b", "c"};
    const std::vector<std::string> groups =
        G == 1 ? std::vector<std::string>{"g0"} : std::vector<std::string>{"g0", "g1"};
    const std::vector<ZoneAggregate> aggregates = {{"b", {1}}, {"ab", {0, 1}}};
    for (int threads : {1, 3}) {
      SCOPED_TRACE("groups " + std::to_string(G) + ", threads " + std::to_string(threads));
      tbb::task_arena arena(threads);
      CohortArray start, end;
      StepComponents comp;
      std::vector<double> mx;
      IndicatorTable reused, fresh;
      arena.execute([&] {
        data(false, start, end, comp, mx);
        compute_indicators(start, end, comp, {}, mx, ids, groups, aggregates, {}, LifeTableMethod{}, reused);
        data(true, start, end, comp, mx);
        compute_indicators(start, end, comp, {}, mx, ids, groups, aggregates, {}, LifeTableMethod{}, reused);
        compute_indicators(start, end, comp, {}, mx, ids, groups, aggregates, {}, LifeTableMethod{}, fresh);
      });
      ASSERT_EQ(reused.values.size(), fresh.values.size());
      std::size_t nan = 0;
      for (const double v : fresh.values) nan += std::isnan(v) ? 1 : 0;
      EXPECT_EQ(test::differing_bits(reused.values, fresh.values), 0u);
      EXPECT_TRUE(std::isnan(fresh.get(fresh.unit_index("b"), uz(G - 1), Indicator::cbr_per_1000)));
      EXPECT_TRUE(std::isnan(fresh.get(1, uz(G - 1), Indicator::srb_per_100_females)));
    }
  }
}

}  // namespace
