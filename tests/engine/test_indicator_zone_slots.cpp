// SPDX-License-Identifier: Apache-2.0
// A zone of two groups on a single-year grid takes the sums of persons of its slots in one pass (slot_sums_zone_of_two:
// group 0 in one lane of each vector, group 1 in the next, "all" in a third). Each group slot's values are the
// bits of the same group computed as the only group of its zones (its own pass, slot_sums_single_year): counts, person
// years, the TFR (with the step's schedules: their sums in the same pass; without: from the births), the standard and
// extra bands, the median (by binary search, by the scan after a negative count, NaN for nobody) and the rates from
// them; the "all" slot's are those of the two states' cells added; in a projection, the start totals are carried
// from the last step.
#include <gtest/gtest.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_kernels.hpp"
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
        // The last ages too (the kernel's ages past its last four-age block: 101 and 71 ages).
        for (int i = A - 3; i < A; ++i) asfr[st * uz(A) + uz(i)] = 0.0011 * (1 + i % 3) + 0.0003 * z + 0.0007 * g;
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

// The "all" slot of a zone of two groups takes its sums of persons from the same pass as its group slots (a third lane
// of slot_sums_zone_of_two, its values a + b of the two states' cells) and its TFR from the two states' births and
// exposure (tfr_of_two; with the step's schedules, tfr_zone_of_two, which sums the group slots' schedules in the same
// pass): each of its indicators of persons and its TFR are the bits of the same zone with one group
// whose cells are the two states' cells added as sum_of_two adds them, (+0 + a) + b (its own pass; the TFR's terms
// from its births and exposure, as without schedules): counts, person years, the standard and extra bands and shares,
// the median (binary search; the scan after a negative count; none for nobody; one age), also where both states hold
// −0 (a + b = −0 there, +0 in the reference: no sum from +0 sees the sign), the TFR with an age of births and nobody
// exposed and births at the last ages (past the kernel's last four-age block: 101 and 71 ages).
TEST(IndicatorZoneSlots, AllSlotOfTwoGroupsIsTheBitsOfItsSummedCells) {
  for (int open : {100, 70}) {
    const AgeGrid grid = AgeGrid::single_year(open);
    const int Z = 5, G = 2, A = grid.n_ages;
    const CohortLayout L{Z, G, grid}, L1{Z, 1, grid};
    CohortArray start(L), end(L);
    StepComponents comp = cohortgis::test::state_components(Z * G, A, 0.0, 0.0);
    for (int z = 0; z < Z; ++z)
      for (int g = 0; g < G; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < A; ++i) {
            start.at(z, g, s, i) = 700.0 / (1.0 + 0.21 * i + 0.17 * z + 0.3 * g + 0.1 * s);
            end.at(z, g, s, i) = 650.0 / (1.0 + 0.23 * i + 0.19 * z + 0.4 * g + 0.1 * s) + 0.13 * g;
          }
    // Zone 1: a negative count that takes the median to the scan; zone 2: nobody at the end; zone 3: everyone at one
    // age; zone 4: −0 in both states at some ages.
    end.at(1, 0, 0, 0) = 1.0e5;
    end.at(1, 1, 1, 1) = -1.2e5;
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          end.at(2, g, s, i) = 0.0;
          end.at(3, g, s, i) = i == 37 ? 5.0 + g : 0.0;
          if (i % 7 == 3) end.at(4, g, s, i) = -0.0, start.at(4, g, s, i) = -0.0;
        }
    // Births by age of mother and exposure (the TFR of a slot of two states): ages 15–49, an age with births and
    // nobody exposed (its term +0), −0 births in both states at some ages.
    for (std::size_t st = 0; st < uz(Z * G); ++st)
      for (int i = 12; i < 50; ++i) {
        comp.births_by_mother_age[st * uz(A) + uz(i)] = i == 13      ? 1.0
                                                        : i % 9 == 2 ? -0.0
                                                                     : 5.0 + 0.2 * i + 0.3 * static_cast<double>(st);
        comp.women_exposure[st * uz(A) + uz(i)] = i == 13 ? 0.0 : 300.0 - 3.0 * i + 2.0 * static_cast<double>(st);
      }
    for (std::size_t st = 0; st < uz(Z * G); ++st)
      for (int i = A - 3; i < A; ++i) {
        comp.births_by_mother_age[st * uz(A) + uz(i)] = 0.5 + 0.1 * (i % 3) + 0.01 * static_cast<double>(st);
        comp.women_exposure[st * uz(A) + uz(i)] = 40.0 + i % 3 + static_cast<double>(st);
      }
    // The step's schedules (the group slots' TFR; the "all" slot's TFR is made from the births either way).
    std::vector<double> asfr(uz(Z * G * A), 0.0);
    for (std::size_t k = 0; k < asfr.size(); ++k) asfr[k] = 0.001 + 1e-5 * static_cast<double>(k % 97);
    CohortArray start1(L1), end1(L1);
    StepComponents c1 = cohortgis::test::state_components(Z, A, 0.0, 0.0);
    for (int z = 0; z < Z; ++z) {
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          start1.at(z, 0, s, i) = (0.0 + start.at(z, 0, s, i)) + start.at(z, 1, s, i);
          end1.at(z, 0, s, i) = (0.0 + end.at(z, 0, s, i)) + end.at(z, 1, s, i);
        }
      for (std::size_t i = 0; i < uz(A); ++i) {
        const std::size_t a = uz(2 * z) * uz(A) + i, b = a + uz(A), one = uz(z) * uz(A) + i;
        c1.births_by_mother_age[one] = (0.0 + comp.births_by_mother_age[a]) + comp.births_by_mother_age[b];
        c1.women_exposure[one] = (0.0 + comp.women_exposure[a]) + comp.women_exposure[b];
      }
    }
    std::vector<std::string> ids;
    for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
    const std::vector<AgeBand> extra = {{"b", 20, 44, -1}, {"f", 3, 66, 0}, {"m", 60, -1, 1}};
    for (int run = 0; run < 4; ++run) {
      const int threads = run % 2 == 0 ? 1 : 3;
      const std::vector<double> no_asfr;
      const std::vector<double>& asfr_in = run >= 2 ? asfr : no_asfr;
      tbb::task_arena arena(threads);
      IndicatorTable two, one;
      arena.execute([&] {
        compute_indicators(start, end, comp, asfr_in, {}, ids, {"g0", "g1"}, {}, extra, LifeTableMethod{}, two);
        compute_indicators(start1, end1, c1, {}, {}, ids, {"g"}, {}, extra, LifeTableMethod{}, one);
      });
      ASSERT_EQ(one.n_indicators(), two.n_indicators());
      for (int z = 0; z < Z; ++z)
        for (std::size_t k = 0; k < two.n_indicators(); ++k) {
          if (!is_stock_indicator(two.indicator_names[k]) && k != static_cast<std::size_t>(Indicator::person_years) &&
              k != static_cast<std::size_t>(Indicator::tfr))
            continue;
          EXPECT_EQ(std::bit_cast<std::uint64_t>(two.get(uz(z), 2, k)),
                    std::bit_cast<std::uint64_t>(one.get(uz(z), 0, k)))
              << "open " << open << " run " << run << " zone " << z << " " << two.indicator_names[k] << ": "
              << two.get(uz(z), 2, k) << " vs " << one.get(uz(z), 0, k);
        }
      EXPECT_TRUE(std::isnan(two.get(2, 2, Indicator::median_age)));
      EXPECT_EQ(two.get(3, 2, Indicator::median_age), 37.5);
      EXPECT_TRUE(std::isfinite(two.get(1, 2, Indicator::median_age)));
      EXPECT_TRUE(std::isfinite(two.get(0, 2, Indicator::tfr)));
      if (run >= 2) {  // the group slots' TFR: their schedules' sums in age order
        double tfr = 0.0;
        for (int i = 0; i < A; ++i) tfr += asfr[uz(3 * A + i)];
        EXPECT_EQ(std::bit_cast<std::uint64_t>(two.get(1, 1, Indicator::tfr)), std::bit_cast<std::uint64_t>(tfr));
      }
    }
  }
}

// A zone's slots' start totals are carried from the last step (the chains of its end population, which the next step
// starts from): every step's table of a projection is the bits of compute_indicators on that step's start and end
// populations and components (start totals summed from the start population), a zone of two groups on a single-year
// grid, four steps, 1 and 3 threads, with extra bands or without, and with a step adjuster that changes the end
// population after the zone pass (the next start is the adjusted end: carried from before the adjustment, the start
// totals would be stale).
TEST(IndicatorZoneSlots, CarriedStartTotalsAreTheBitsOfTheStartPopulations) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 70, G = 2, steps = 4;
  const test::RateInputs in = test::rate_inputs(
      grid, Z, G, 1.06,
      [](int z, int g, int s, int i) {
        return 250.0 / (1.0 + 0.03 * i + 0.007 * z + 0.2 * g + 0.1 * s) + (i % 4 == 1 ? 1.5 : 0.0);
      },
      [](int z, int g, int s, int i) { return (0.0003 + 0.0001 * g + 1e-6 * z) * std::exp(0.085 * i) + 0.0002 * s; },
      [](int z, int g) { return 0.028 + 0.0003 * z + 0.001 * g; });
  const CohortArray& base = in.base;
  const std::vector<double>&mx = in.mx, &asfr = in.asfr, &srb = in.srb;
  const std::vector<std::string>& ids = in.ids;
  const std::vector<std::string> groups = {"g0", "g1"};
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate({}, Z);
  for (int variant = 0; variant < 4; ++variant) {
    const bool adjust = variant % 2 == 1;
    const std::vector<AgeBand> extra =
        variant >= 2 ? std::vector<AgeBand>{{"b", 20, 44, -1}, {"m", 60, -1, 1}} : std::vector<AgeBand>{};
    for (int threads : {1, 3}) {
      SCOPED_TRACE("variant " + std::to_string(variant) + ", threads " + std::to_string(threads));
      ProjectionConfig cfg;
      cfg.grid = grid;
      cfg.steps = steps;
      cfg.zone_ids = ids;
      cfg.group_names = groups;
      cfg.threads = threads;
      cfg.indicators = true;
      cfg.cell_components = true;
      cfg.extra_age_bands = extra;
      if (adjust)  // more persons in some zones' cells after the step, a different number each step
        cfg.step_adjuster = [](const StepContext& ctx, const CohortArray&, CohortArray& end, StepComponents&) {
          for (int z = 0; z < end.layout().zones; z += 3)
            for (int i = 0; i < end.layout().grid.n_ages; i += 2) end.at(z, z % 2, 1, i) += 3.25 + ctx.step;
        };
      const test::RecordingSink sink = test::run_fixed_rates(cfg, base, mx, asfr, srb);
      ASSERT_EQ(sink.indicators.size(), uz(steps));
      for (int y = 0; y < steps; ++y) {
        IndicatorTable fresh;
        compute_indicators(sink.populations[uz(y)], sink.populations[uz(y + 1)], sink.components[uz(y)], asfr, mx, ids,
                           groups, aggregates, extra, LifeTableMethod{}, fresh);
        EXPECT_EQ(test::differing_bits(sink.indicators[uz(y)].values, fresh.values), 0u) << "year " << y;
        EXPECT_TRUE(std::isfinite(fresh.get(5, 2, Indicator::person_years)));
      }
    }
  }
}

// A table handed to compute_indicators again (as the engine hands its table to every step) holds the bits of a new
// table: each slot's values are NaN where undefined (nobody in the state: no rates, no median; no births: no sex
// ratio; no life table, or pooled rates that make none), not what the last call left there. One and two groups (one
// group's "all" slot is a copy), at 1 and 3 threads.
TEST(IndicatorZoneSlots, ATableComputedAgainHasTheBitsOfANewOne) {
  const AgeGrid grid = AgeGrid::single_year(100);
  for (int G : {1, 2}) {
    const int Z = 3, A = grid.n_ages;
    const CohortLayout L{Z, G, grid};
    auto data = [&](bool empty_state, CohortArray& start, CohortArray& end, StepComponents& comp,
                    std::vector<double>& mx) {
      start = CohortArray(L), end = CohortArray(L);
      mx.assign(L.cells(), 0.0);
      comp = test::state_components(Z * G, A, 71.0, 16.0);
      comp.deaths_by_state.assign(uz(Z * G * 2), 2.0);
      comp.net_migrants_by_state.assign(uz(Z * G * 2), 1.0);
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
          // Zone 2's women: a death rate that is not a number (their pooled rates make no life table).
          if (empty_state && z == 2) mx[st * 2 * uz(A) + 10] = NAN;
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
      EXPECT_EQ(test::differing_bits(reused.values, fresh.values), 0u);
      EXPECT_TRUE(std::isnan(fresh.get(fresh.unit_index("b"), uz(G - 1), Indicator::cbr_per_1000)));
      EXPECT_TRUE(std::isnan(fresh.get(1, uz(G - 1), Indicator::srb_per_100_females)));
      if (G == 2)
        for (Indicator id : {Indicator::e0_female, Indicator::e65_female, Indicator::e0}) {
          EXPECT_TRUE(std::isnan(fresh.get(2, uz(G), id)));
          EXPECT_TRUE(std::isfinite(fresh.get(0, uz(G), id)));
        }
    }
  }
}

}  // namespace

// The zone's three TFR sums (tfr_zone_of_two) are three chains in age order from +0: Σ asfr_a, Σ asfr_b and the "all"
// slot's terms (b_a + b_b) / (e_a + e_b), +0 where not exposed. The kernel skips pairs of four-age blocks where the
// schedules and births are all ±0, from either end: the same bits on runs of zeros (of both signs) of every length at
// the start, the end and the middle, one value left in a run (a NaN too), exposures of every kind there, 0 to 41 ages.
// The ages it summed, {lo, hi}: every age outside them has both schedules and both births ±0 (what the folds skip):
// the first and last ages with one not ±0 are inside.
TEST(IndicatorZoneSlots, ZoneTfrSumsSkipZeroAgesWithTheBitsOfTheirChains) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  int cases = 0;
  for (std::size_t n = 0; n <= 41; ++n)
    for (std::size_t lead = 0; lead <= n; lead += 3)
      for (std::size_t trail = 0; lead + trail <= n; trail += 5)
        for (int odd = 0; odd < 4; ++odd) {
          std::vector<double> fa(n), fb(n), ba(n), bb(n), ea(n), eb(n);
          for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(i);
            const bool zero = i < lead || i >= n - trail || (i > lead + 9 && i < lead + 19);
            fa[i] = zero ? (i % 2 ? -0.0 : 0.0) : 0.01 + 0.003 * x;
            fb[i] = zero ? (i % 3 ? 0.0 : -0.0) : 0.02 - 0.0001 * x;
            ba[i] = zero ? -0.0 : 3.0 + 0.7 * x;
            bb[i] = zero ? 0.0 : 1.0 / (1.0 + x);
            ea[i] = zero && i % 4 == 1 ? nan : zero && i % 4 == 2 ? -1.0 : 100.0 - x;
            eb[i] = zero && i % 4 == 3 ? std::numeric_limits<double>::infinity() : 40.0 + 0.3 * x;
          }
          // One value left in a zero run: in asfr_b, in the births of b, a NaN birth; or none.
          const std::size_t at = n > 0 ? (lead > 0 ? lead - 1 : n - 1) : 0;
          if (n > 0 && odd == 1) fb[at] = 0.5;
          if (n > 0 && odd == 2) bb[at] = 2.0;
          if (n > 0 && odd == 3) ba[at] = nan;
          double want[3] = {0.0, 0.0, 0.0};
          for (std::size_t i = 0; i < n; ++i) {
            const double b = ba[i] + bb[i], e = ea[i] + eb[i];
            want[0] += fa[i];
            want[1] += fb[i];
            want[2] += e > 0.0 ? b / e : 0.0;
          }
          double got[3];
          std::uint32_t ages[2] = {99, 99};
          detail::tfr_zone_of_two(fa.data(), fb.data(), ba.data(), bb.data(), ea.data(), eb.data(), n, got, ages);
          for (int k = 0; k < 3; ++k)
            ASSERT_EQ(std::bit_cast<std::uint64_t>(got[k]), std::bit_cast<std::uint64_t>(want[k]))
                << "n " << n << ", zeros " << lead << " + " << trail << ", case " << odd << ", sum " << k;
          double again[3];
          detail::tfr_zone_of_two(fa.data(), fb.data(), ba.data(), bb.data(), ea.data(), eb.data(), n, again);
          EXPECT_EQ(std::bit_cast<std::uint64_t>(again[2]), std::bit_cast<std::uint64_t>(got[2]));  // ages optional
          std::size_t first = n, last = 0;  // the ages with a value not ±0
          for (std::size_t i = 0; i < n; ++i)
            if (std::bit_cast<std::uint64_t>(fa[i]) << 1 || std::bit_cast<std::uint64_t>(fb[i]) << 1 ||
                std::bit_cast<std::uint64_t>(ba[i]) << 1 || std::bit_cast<std::uint64_t>(bb[i]) << 1)
              first = std::min(first, i), last = i + 1;
          ASSERT_LE(ages[0], ages[1]);
          ASSERT_LE(ages[1], n);
          if (first < n) {
            EXPECT_TRUE(ages[0] <= first && last <= ages[1])
                << "n " << n << ", zeros " << lead << " + " << trail << ", case " << odd << ": " << ages[0] << " … "
                << ages[1] << " for " << first << " … " << last;
          }
          ++cases;
        }
  EXPECT_GT(cases, 500);
}

// The kernel itself on every age count from 66 (an open age of 65) to 110: its blocks of four ages with their bands
// spelled out, the path for fewer than 68 ages and the ages past the last block. Each lane's sums, bands, running
// totals and flag are slot_sums_single_year's of its own arrays (group a, group b, "all": the cells added), the end
// chain the women's then the men's ages from +0; with values of both signs, −0, a NaN and the start totals summed or
// given.
TEST(IndicatorZoneSlots, ZoneSlotSumsKernelIsEachLanesOwnPassAtEveryAgeCount) {
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  for (std::size_t n = 66; n <= 110; ++n)
    for (int variant = 0; variant < 3; ++variant) {
      // [sex][state][age]: women then men of states a and b, start and end population.
      std::vector<double> P[2][2], S[2][2];
      for (int s = 0; s < 2; ++s)
        for (int k = 0; k < 2; ++k) {
          P[s][k].resize(n), S[s][k].resize(n);
          for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(i), c = 1.0 + s + 2.0 * k;
            P[s][k][i] = 1000.0 / (1.0 + 0.1 * x * c) + 0.37 * c + (i % 7 == 3 ? 1e-3 * x : 0.0);
            S[s][k][i] = 900.0 / (2.0 + 0.05 * x * c) + 0.11 * c;
          }
        }
      if (variant >= 1) {  // a negative count (a lane's flag), −0 in both states, one state's empty age
        P[1][0][n - 3] = -2.5;
        P[0][0][20] = P[0][1][20] = -0.0;
        P[1][1][n - 1] = 0.0;
      }
      if (variant == 2) P[0][1][n - 2] = std::numeric_limits<double>::quiet_NaN();
      const double given[3] = {11.0, 22.0, 33.0};
      const bool start_given = variant == 1;
      std::vector<double> cum(4 * (n + 1)), scratch(8 * n);
      detail::ZoneOfTwoOut out;
      out.cum = cum.data(), out.scratch = scratch.data();
      const detail::ZoneOfTwoIn in{S[0][0].data(), S[1][0].data(), S[0][1].data(),
                                   S[1][1].data(), P[0][0].data(), P[1][0].data(),
                                   P[0][1].data(), P[1][1].data(), start_given ? given : nullptr};
      detail::slot_sums_zone_of_two(in, n, out);
      for (int lane = 0; lane < 3; ++lane) {
        // The lane's own arrays: a state's, or the two states' cells added.
        std::vector<double> sf(n), sm(n), pf(n), pm(n), both(n), own_cum(n + 1);
        for (std::size_t i = 0; i < n; ++i) {
          const auto of = [&](const std::vector<double>(&v)[2][2], int s) {
            return lane < 2 ? v[s][lane][i] : v[s][0][i] + v[s][1][i];
          };
          sf[i] = of(S, 0), sm[i] = of(S, 1), pf[i] = of(P, 0), pm[i] = of(P, 1);
        }
        detail::SlotSums want;
        detail::slot_sums_single_year(sf.data(), sm.data(), pf.data(), pm.data(), both.data(), own_cum.data(), n, want);
        const detail::SlotSums& got = out.sums[lane];
        const std::string at =
            "ages " + std::to_string(n) + " variant " + std::to_string(variant) + " lane " + std::to_string(lane);
        EXPECT_EQ(bits(got.start_total), bits(start_given ? given[lane] : want.start_total)) << at;
        EXPECT_EQ(bits(got.pop_f), bits(want.pop_f)) << at;
        EXPECT_EQ(bits(got.pop_m), bits(want.pop_m)) << at;
        EXPECT_EQ(bits(got.both_total), bits(want.both_total)) << at;
        for (int j = 0; j < 10; ++j) EXPECT_EQ(bits(got.band[j]), bits(want.band[j])) << at << " band " << j;
        for (std::size_t i = 0; i <= n; ++i)
          ASSERT_EQ(bits(cum[4 * i + uz(lane)]), bits(own_cum[i])) << at << " cum " << i;
        double end = 0.0, low = 0.0;
        for (std::size_t i = 0; i < n; ++i) end += pf[i];
        for (std::size_t i = 0; i < n; ++i) end += pm[i], low = std::min(low, both[i]);
        EXPECT_EQ(bits(out.end_chain[lane]), bits(end)) << at;
        EXPECT_EQ(out.no_negative[lane], !(low < 0.0)) << at;
      }
    }
}

// The three lanes' medians are searched at once (lane_medians_at, a lower bound per lane sharing its steps): each
// slot's median is median_age of its own persons by age (a group's women + men, "all" (fa + fb) + (ma + mb)) when the
// three fall at ages far apart, when a running total reaches half exactly before an empty age (where a search for
// the first total above half would take the next age), with nobody in a slot (NaN) and after a negative count (the
// scan).
TEST(IndicatorZoneSlots, LaneMediansAreEachSlotsOwnMedian) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 4, G = 2, A = grid.n_ages;
  CohortArray pop(CohortLayout{Z, G, grid});
  // Persons f, m at ages [from, to), growing by `slope` an age (0: exact small integers, for the exact halves).
  const auto fill = [&](int z, int g, int from, int to, double f, double m, double slope) {
    for (int i = from; i < to; ++i)
      pop.at(z, g, 0, i) = f * (1.0 + slope * i), pop.at(z, g, 1, i) = m * (1.0 + 0.7 * slope * i);
  };
  fill(0, 0, 0, 20, 10.0, 9.0, 0.031);   // young
  fill(0, 1, 60, 90, 7.0, 8.5, -0.004);  // old: "all" in between
  fill(1, 0, 0, 5, 1.0, 1.0, 0.0);       // 2 an age: the total reaches 10 = half at age 4,
  fill(1, 0, 6, 11, 1.0, 1.0, 0.0);      // nobody at age 5
  fill(1, 1, 30, 40, 0.5, 0.5, 0.0);     // half reached exactly at age 34, someone at 35
  fill(2, 1, 20, 70, 3.0, 2.0, 0.017);   // zone 2: nobody in group 0; a negative count in group 1
  pop.at(2, 1, 1, 50) = -4.0;
  fill(3, 0, 0, 1, 1.0, 1.0, 0.0);  // zone 3: half at the first age, then nobody at age 1
  fill(3, 0, 2, 3, 1.0, 1.0, 0.0);
  fill(3, 1, 40, 101, 0.9, 1.3, 0.023);
  IndicatorTable t;
  compute_population_indicators(pop, {"z0", "z1", "z2", "z3"}, {"a", "b"}, {}, {}, t);
  for (int z = 0; z < Z; ++z)
    for (int slot = 0; slot <= G; ++slot) {
      std::vector<double> both(uz(A));
      for (int i = 0; i < A; ++i)
        both[uz(i)] = slot < G ? pop.at(z, slot, 0, i) + pop.at(z, slot, 1, i)
                               : (pop.at(z, 0, 0, i) + pop.at(z, 1, 0, i)) + (pop.at(z, 0, 1, i) + pop.at(z, 1, 1, i));
      const double want = median_age(grid, both), got = t.get(uz(z), uz(slot), Indicator::median_age);
      EXPECT_EQ(std::bit_cast<std::uint64_t>(got), std::bit_cast<std::uint64_t>(want))
          << "zone " << z << ", slot " << slot << ": " << got << " against " << want;
    }
  EXPECT_EQ(t.get(1, 0, Indicator::median_age), 5.0);
  EXPECT_EQ(t.get(3, 0, Indicator::median_age), 1.0);
  EXPECT_TRUE(std::isnan(t.get(2, 0, Indicator::median_age)));
}

// The medians' search from guesses (lane_medians_at's `guess`: the ages of the last step's medians, carried from step
// to step): whatever the guesses (each lane's answer, an age or two either side of it, far off, past the ages, the
// largest a guess holds), each lane's age is the search's without them where its running totals never decrease, as
// they do wherever median_age_of_lane reads the age: several shapes of persons by age (half reached exactly before
// empty ages, everybody at the first age or at the last, at every age count from 1), lanes that all hit their guesses
// and lanes of which one misses (then all three are searched).
TEST(IndicatorZoneSlots, LaneMediansFromGuessesAreTheSearchsAges) {
  const auto persons = [](int shape, std::size_t i, std::size_t n) {
    switch (shape % 5) {
      case 0:
        return 1.0 + static_cast<double>(i % 3);
      case 1:
        return i % 2 == 0 ? 2.0 : 0.0;  // half reached exactly at an age, nobody at the next
      case 2:
        return i == 0 ? 5.0 : 0.0;
      case 3:
        return i + 1 == n ? 3.0 : 0.0;
      default:
        return static_cast<double>(n - i) * 0.37;
    }
  };
  for (std::size_t n : {1u, 2u, 3u, 4u, 7u, 66u, 101u})
    for (int shape = 0; shape < 5; ++shape) {
      std::vector<double> cum(4 * (n + 1), 0.0);
      for (std::size_t k = 0; k < 4; ++k) {
        double t = 0.0;
        for (std::size_t i = 0; i < n; ++i) cum[4 * (i + 1) + k] = t += persons(shape + static_cast<int>(k), i, n);
      }
      std::size_t want[3];
      detail::lane_medians_at(cum.data(), n, want);
      std::vector<std::size_t> guesses = {0xFFFF, n + 5};
      for (std::size_t g = 0; g < n + 3; ++g) guesses.push_back(g);
      for (std::size_t g : guesses)
        for (int mix = 0; mix < 4; ++mix) {
          // mix 0: every lane guesses g; 1–3: lane mix − 1 guesses g, the others their answers.
          std::uint16_t guess[3];
          for (std::size_t k = 0; k < 3; ++k)
            guess[k] = static_cast<std::uint16_t>(mix == 0 || k + 1 == uz(mix) ? g : want[k]);
          std::size_t got[3] = {9999, 9999, 9999};
          detail::lane_medians_at(cum.data(), n, got, guess);
          for (std::size_t k = 0; k < 3; ++k)
            EXPECT_EQ(got[k], want[k]) << "n " << n << ", shape " << shape << ", guess " << g << ", mix " << mix
                                       << ", lane " << k;
        }
    }
}

// A zone of two groups' events (births, deaths, net migrants) of its three slots: from the step's per-state sums in one
// go (IndicatorPass::zone_of_two_views), or, without those sums or with a planning adjustment, state by state through
// add_events_general (the per-cell deaths and migrants, the adjustment's migrants). Both give the chains made by hand:
// a group slot's (+0 + women) + men (the adjustment's cells of each sex after its migrants), "all" group 0's chain
// then group 1's women and men; births +0 + x and "all" (+0 + a) + b. Values of mixed magnitudes, so that another order
// of the additions gives other bits. With death rates (the "all" slot's tables wait for a batch), without (its sums
// made with its rates) and with an extra band (its end population summed).
TEST(IndicatorZoneSlots, EventsOfAZoneOfTwoGroupsAreTheStatesChainsOnEitherPath) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 3, G = 2, A = grid.n_ages;
  const CohortLayout L{Z, G, grid};
  CohortArray start(L), end(L);
  std::vector<double> mx(L.cells());
  StepComponents sums = test::state_components(Z * G, A, 70.0, 15.0);
  // Deaths and net migrants [zone][state][sex]: a large value beside small ones (1e16 + 1 + 1 ≠ 1e16 + 2).
  const double deaths[3][4] = {{1.0e16, 1.0, 1.0, 1.0}, {1.0, 1.0e16, 3.0, 1.0}, {7.0, 1.0, 1.0e16, 1.0}};
  const double net[3][4] = {{-1.0e16, 1.0, -1.0, 3.0}, {1.0, 1.0, -1.0e16, 1.0}, {0.5, -1.0e16, 1.0, 1.0}};
  const double births[3][4] = {{3.0e16, 1.0, 1.0, 2.0}, {40.0, 41.0, 42.0, 43.0}, {1.0, 1.0, 1.0e16, 1.0e16}};
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g) {
      const std::size_t st = uz(z * G + g);
      for (int s = 0; s < 2; ++s) {
        for (int i = 0; i < A; ++i) {
          start.at(z, g, s, i) = 500.0 / (1.0 + 0.2 * i + 0.1 * z + 0.3 * g + 0.1 * s);
          end.at(z, g, s, i) = 480.0 / (1.0 + 0.2 * i + 0.1 * z + 0.4 * g + 0.1 * s);
          mx[(st * 2 + uz(s)) * uz(A) + uz(i)] = 0.0004 * std::exp(0.08 * i) + 0.0001 * (g + s + z);
        }
        const std::size_t k = uz(g * 2 + s);
        sums.deaths_by_state[st * 2 + uz(s)] = deaths[z][k];
        sums.net_migrants_by_state[st * 2 + uz(s)] = net[z][k];
        sums.births[st * 2 + uz(s)] = births[z][k];
      }
      for (int i = 15; i < 50; ++i) {
        sums.births_by_mother_age[st * uz(A) + uz(i)] = 2.0 + 0.1 * i + g;
        sums.women_exposure[st * uz(A) + uz(i)] = 300.0 - i + 4.0 * g + z;
      }
    }
  // The same events as per-cell arrays only (each state's in one cell a sex; its other cells +0): add_events_general.
  StepComponents cells = sums;
  cells.deaths = CohortArray(L);
  cells.net_migrants = CohortArray(L);
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        cells.deaths.at(z, g, s, 7 + z) = deaths[z][uz(g * 2 + s)];
        cells.net_migrants.at(z, g, s, 30 - z) = net[z][uz(g * 2 + s)];
      }
  cells.deaths_by_state.clear();
  cells.net_migrants_by_state.clear();
  // The per-state sums with a planning adjustment: its migrants after each sex's.
  StepComponents planned = sums;
  planned.planning_adjustment = CohortArray(L);
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        planned.planning_adjustment.at(z, g, s, 20) = 1.0 + z + g;
        planned.planning_adjustment.at(z, g, s, 60) = -0.5 * (1 + s);
      }
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::vector<AgeBand> band = {{"b", 20, 44, -1}};
  for (int run = 0; run < 3; ++run) {
    SCOPED_TRACE(run == 0 ? "death rates" : run == 1 ? "no death rates" : "death rates and an extra band");
    const std::vector<double> no_mx;
    const std::vector<double>& rates = run == 1 ? no_mx : mx;
    const std::vector<AgeBand> no_band;
    const std::vector<AgeBand>& extra = run == 2 ? band : no_band;
    IndicatorTable t_sums, t_cells, t_planned;
    compute_indicators(start, end, sums, {}, rates, ids, {"g0", "g1"}, {}, extra, LifeTableMethod{}, t_sums);
    compute_indicators(start, end, cells, {}, rates, ids, {"g0", "g1"}, {}, extra, LifeTableMethod{}, t_cells);
    compute_indicators(start, end, planned, {}, rates, ids, {"g0", "g1"}, {}, extra, LifeTableMethod{}, t_planned);
    // The per-cell path's table is the per-state sums' bit for bit (every value of every slot).
    EXPECT_EQ(test::differing_bits(t_sums.values, t_cells.values), 0u);
    for (int z = 0; z < Z; ++z) {
      SCOPED_TRACE("zone " + std::to_string(z));
      double d_all = 0.0, n_all = 0.0, n_all_planned = 0.0, bf_all = 0.0, bm_all = 0.0;
      for (int g = 0; g < G; ++g) {
        const double* d = deaths[z] + 2 * g;
        const double* n = net[z] + 2 * g;
        const double* b = births[z] + 2 * g;
        double n_planned = 0.0;
        for (int s = 0; s < 2; ++s) {
          n_planned += n[s];
          n_all_planned += n[s];
          for (int i = 0; i < A; ++i) {
            n_planned += planned.planning_adjustment.at(z, g, s, i);
            n_all_planned += planned.planning_adjustment.at(z, g, s, i);
          }
        }
        d_all = (d_all + d[0]) + d[1];
        n_all = (n_all + n[0]) + n[1];
        bf_all += b[0];
        bm_all += b[1];
        for (const IndicatorTable* t : {&t_sums, &t_cells, &t_planned}) {
          EXPECT_EQ(t->get(uz(z), uz(g), Indicator::deaths), (0.0 + d[0]) + d[1]) << "group " << g;
          EXPECT_EQ(t->get(uz(z), uz(g), Indicator::births_female), 0.0 + b[0]) << "group " << g;
          EXPECT_EQ(t->get(uz(z), uz(g), Indicator::births), (0.0 + b[0]) + (0.0 + b[1])) << "group " << g;
        }
        EXPECT_EQ(t_sums.get(uz(z), uz(g), Indicator::net_migration), (0.0 + n[0]) + n[1]) << "group " << g;
        EXPECT_EQ(t_planned.get(uz(z), uz(g), Indicator::net_migration), n_planned) << "group " << g;
      }
      for (const IndicatorTable* t : {&t_sums, &t_cells, &t_planned}) {
        EXPECT_EQ(t->get(uz(z), 2, Indicator::deaths), d_all);
        EXPECT_EQ(t->get(uz(z), 2, Indicator::births_female), bf_all);
        EXPECT_EQ(t->get(uz(z), 2, Indicator::births_male), bm_all);
        EXPECT_EQ(t->get(uz(z), 2, Indicator::births), bf_all + bm_all);
      }
      EXPECT_EQ(t_sums.get(uz(z), 2, Indicator::net_migration), n_all);
      EXPECT_EQ(t_planned.get(uz(z), 2, Indicator::net_migration), n_all_planned);
    }
    // The adjustment's migrants are in the planned chains (zone 0's group 1: 4.5 against 2).
    EXPECT_NE(t_planned.get(0, 1, Indicator::net_migration), t_sums.get(0, 1, Indicator::net_migration));
  }
}
