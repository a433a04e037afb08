// SPDX-License-Identifier: Apache-2.0
// Part C of docs/ccmpp.md: indicators per zone, group, "all groups" and aggregate of zones. Expected values are
// worked out by hand in the comments (counts summed first, rates from the sums).
#include <gtest/gtest.h>
#include <oneapi/tbb/task_arena.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_ages.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_cases.hpp"
#include "proc_status.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::RecordingSink;

using test::append;
using test::cells;
using test::kInf;
using test::MultiCase;

// ---------------------------------------------------------------------------------------------------------------
// persons_in_band and median_age on their own.

TEST(IndicatorBands, SingleYearGridExactAndOpenEndedBands) {
  const AgeGrid g = AgeGrid::single_year(4);  // ages 0, 1, 2, 3, 4+
  const std::vector<double> p{10, 20, 30, 40, 50};
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 0, 3), 60.0);      // 10 + 20 + 30
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 1, 2), 20.0);      // age 1 only
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 3, 4), 40.0);      // age 3 only
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 2, kInf), 120.0);  // 30 + 40 + 50 (open 4+ included)
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 4, kInf), 50.0);   // the open group alone
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 0, kInf), 150.0);  // everyone
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 2, 2), 0.0);       // empty band
}

TEST(IndicatorBands, FiveYearGridTakesTheOverlappingFractionOfAGroup) {
  const AgeGrid g = AgeGrid::five_year(20);  // 0-4, 5-9, 10-14, 15-19, 20+
  const std::vector<double> p{100, 200, 300, 400, 500};
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 5, 15), 500.0);        // 200 + 300, exact groups
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 0, 3), 60.0);          // 3/5 · 100
  EXPECT_NEAR(persons_in_band(g, p, 3, 6), 80.0, 1e-12);        // 2/5 · 100 + 1/5 · 200 = 40 + 40
  EXPECT_NEAR(persons_in_band(g, p, 12, 15), 180.0, 1e-12);     // 3/5 · 300
  EXPECT_NEAR(persons_in_band(g, p, 7, 18), 660.0, 1e-12);      // 3/5 · 200 + 300 + 3/5 · 400 = 120 + 300 + 240
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 15, kInf), 900.0);     // 400 + 500
  EXPECT_DOUBLE_EQ(persons_in_band(g, p, 20, kInf), 500.0);     // 20+ alone
  EXPECT_NEAR(persons_in_band(g, p, 12, kInf), 1080.0, 1e-12);  // 3/5 · 300 + 400 + 500
}

// The standard bands of the indicator table, which on a single-year grid with the open age at 65 or above are summed
// in one pass over the ages, are the bits of persons_in_band (each band on its own, weights applied), for a zone of
// one state and for the "all groups" slot of two; and on a grid with a lower open age, where the general path runs.
TEST(IndicatorBands, StandardBandsAreTheBitsOfPersonsInBand) {
  for (int open : {100, 65, 40}) {
    const AgeGrid grid = AgeGrid::single_year(open);
    const int A = grid.n_ages;
    CohortArray pop(CohortLayout{1, 2, grid});
    for (int g = 0; g < 2; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i)
          pop.at(0, g, s, i) = 1000.0 / (1.0 + 0.37 * i + 0.11 * g + 0.05 * s) + 0.1 * (i % 7);
    IndicatorTable t;
    compute_population_indicators(pop, {"Z"}, {"a", "b"}, {}, {}, t);
    for (int slot : {0, 2}) {  // group a (one state); "all" (the sum of both groups, age by age)
      std::vector<double> both(uz(A)), women(uz(A));
      for (int i = 0; i < A; ++i)  // as the table: each sex summed over the slot's groups from +0, then Pf + Pm
        if (slot == 2) {
          double f = 0.0 + pop.at(0, 0, 0, i), m = 0.0 + pop.at(0, 0, 1, i);
          f += pop.at(0, 1, 0, i), m += pop.at(0, 1, 1, i);
          women[uz(i)] = f, both[uz(i)] = f + m;
        } else {
          women[uz(i)] = pop.at(0, slot, 0, i);
          both[uz(i)] = pop.at(0, slot, 0, i) + pop.at(0, slot, 1, i);
        }
      const double inf = std::numeric_limits<double>::infinity();
      const struct {
        Indicator id;
        double from, to;
        bool women;
      } bands[] = {{Indicator::age_0_2, 0, 3, false},        {Indicator::age_3_5, 3, 6, false},
                   {Indicator::age_6_11, 6, 12, false},      {Indicator::age_12_14, 12, 15, false},
                   {Indicator::age_15_59, 15, 60, false},    {Indicator::age_15_64, 15, 65, false},
                   {Indicator::age_60_plus, 60, inf, false}, {Indicator::age_65_plus, 65, inf, false},
                   {Indicator::women_15_49, 15, 50, true}};
      for (const auto& b : bands)
        if (indicator_min_open_age(b.id) > open)  // the band reaches into the open group (grid open at 40)
          EXPECT_TRUE(std::isnan(t.get(0, uz(slot), b.id))) << "open age " << open << ", " << indicator_name(b.id);
        else
          EXPECT_EQ(t.get(0, uz(slot), b.id), persons_in_band(grid, b.women ? women : both, b.from, b.to))
              << "open age " << open << ", slot " << slot << ", " << indicator_name(b.id);
      const double pop_total = t.get(0, uz(slot), Indicator::population);
      EXPECT_EQ(t.get(0, uz(slot), Indicator::share_0_14), persons_in_band(grid, both, 0, 15) / pop_total * 100.0);
    }
  }
}

// An indicator whose age band reaches into the open age group is NaN (not defined), not a share of the open group
// or 0 (share_65_plus_percent on a grid open at 20 was 0, women_15_49 the whole 20+ group of women): on single-year
// and five-year grids, for zones, "all" and aggregates, standard and extra bands; the bands below the open age keep
// their values, and a grid open at 65 defines every standard band.
TEST(IndicatorBands, BandsReachingIntoTheOpenGroupAreNotDefined) {
  for (const AgeGrid& grid : {AgeGrid::single_year(20), AgeGrid::five_year(20), AgeGrid::single_year(65)}) {
    CohortArray pop(CohortLayout{2, 2, grid});
    for (int z = 0; z < 2; ++z)
      for (int g = 0; g < 2; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < grid.n_ages; ++i) pop.at(z, g, s, i) = 100.0 + 3.0 * i + z + g + s;
    const std::vector<AgeBand> extra{{"kids", 0, 9, -1}, {"old", 70, -1, -1}, {"adults", 20, -1, 0}};
    IndicatorTable t;
    compute_population_indicators(pop, {"A", "B"}, {"a", "b"}, {{"both", {0, 1}}}, extra, t);
    const int w = grid.open_age();
    for (std::size_t u = 0; u < 3; ++u)
      for (std::size_t slot = 0; slot < 3; ++slot) {
        for (int k = 0; k < kStandardIndicators; ++k) {
          const auto id = static_cast<Indicator>(k);
          if (id == Indicator::e65_female || id == Indicator::e65_male || !is_stock_indicator(indicator_name(id)))
            continue;
          const double v = t.get(u, slot, id);
          if (indicator_min_open_age(id) > w)
            EXPECT_TRUE(std::isnan(v)) << "open " << w << ": " << indicator_name(id) << " = " << v;
          else
            EXPECT_TRUE(std::isfinite(v)) << "open " << w << ": " << indicator_name(id);
        }
        EXPECT_TRUE(std::isfinite(t.get(u, slot, uz(kStandardIndicators))));         // 0-9
        EXPECT_EQ(std::isnan(t.get(u, slot, uz(kStandardIndicators) + 1)), w < 70);  // 70+
        EXPECT_TRUE(std::isfinite(t.get(u, slot, uz(kStandardIndicators) + 2)));     // women 20+
      }
    if (w == 20) {
      EXPECT_TRUE(std::isnan(t.get(0, 2, Indicator::share_65_plus)));
      EXPECT_TRUE(std::isnan(t.get(0, 2, Indicator::women_15_49)));
      EXPECT_EQ(indicators_off_grid(grid, extra).size(), 13u);  // 12 standard (e65 included) and 70+
    } else {
      EXPECT_EQ(indicators_off_grid(grid, extra), std::vector<std::size_t>{uz(kStandardIndicators) + 1});
    }
  }
}

// The indicators asked for by name ([outputs] indicators; planner's audit, round 20): 15-17 and 80+ counts, the 80+
// share per 100 residents and the child dependency ratio per 100 aged 15-64 (UN WPP, 国家统计局 少儿抚养比), for
// zones, groups, "all" and aggregates; the ratio is total_dependency_ratio − old_age_dependency_ratio; NaN without
// residents (share) and on a grid open below 65 (the ratio's 15-64).
TEST(IndicatorBands, OptionalIndicatorsAreTheirDefinitions) {
  std::vector<AgeBand> asked;
  for (const std::string& n : optional_indicator_names()) asked.push_back(*optional_indicator(n));
  ASSERT_EQ(asked.size(), 7u);  // these four, then the fertility summaries (test_indicator_fertility.cpp)
  asked.resize(4);
  EXPECT_FALSE(optional_indicator("age_65_plus"));  // standard: always there
  for (const AgeGrid& grid : {AgeGrid::single_year(100), AgeGrid::single_year(20)}) {
    CohortArray pop(CohortLayout{3, 2, grid});
    for (int z = 0; z < 2; ++z)  // zone 2 stays empty
      for (int g = 0; g < 2; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < grid.n_ages; ++i) pop.at(z, g, s, i) = 100.0 + 3.0 * i + z + 7.0 * g + s;
    IndicatorTable t;
    compute_population_indicators(pop, {"A", "B", "C"}, {"a", "b"}, {{"AB", {0, 1}}}, asked, t);
    const std::size_t k = uz(kStandardIndicators);
    ASSERT_EQ(t.indicator_names.size(), k + 4);
    EXPECT_EQ(t.indicator_names[k + 3], "child_dependency_ratio");
    for (const std::size_t u : {std::size_t{0}, std::size_t{1}, t.unit_index("AB")})
      for (std::size_t slot = 0; slot < 3; ++slot) {
        // By hand from the cells of the unit and slot.
        double p15_17 = 0, p80 = 0, p0_14 = 0, p15_64 = 0, all = 0;
        for (int z = 0; z < 2; ++z) {
          if (u < 2 && uz(z) != u) continue;
          for (int g = 0; g < 2; ++g) {
            if (slot < 2 && uz(g) != slot) continue;
            for (int s = 0; s < 2; ++s)
              for (int i = 0; i < grid.n_ages; ++i) {
                const double p = pop.at(z, g, s, i);
                all += p;
                p15_17 += i >= 15 && i <= 17 ? p : 0.0;
                p80 += i >= 80 ? p : 0.0;
                p0_14 += i <= 14 ? p : 0.0;
                p15_64 += i >= 15 && i <= 64 ? p : 0.0;
              }
          }
        }
        EXPECT_NEAR(t.get(u, slot, k + 0), p15_17, 1e-9);
        if (grid.open_age() >= 80) {
          EXPECT_NEAR(t.get(u, slot, k + 1), p80, 1e-9);
          EXPECT_NEAR(t.get(u, slot, k + 2), 100.0 * p80 / all, 1e-12);
          EXPECT_NEAR(t.get(u, slot, k + 3), 100.0 * p0_14 / p15_64, 1e-12);
          EXPECT_NEAR(
              t.get(u, slot, k + 3),
              t.get(u, slot, Indicator::total_dependency_ratio) - t.get(u, slot, Indicator::old_age_dependency_ratio),
              1e-9);
        } else {  // open at 20: 80+ and 15-64 have no ages of their own
          for (int j = 1; j < 4; ++j) EXPECT_TRUE(std::isnan(t.get(u, slot, k + uz(j))));
        }
      }
    if (grid.open_age() < 80) continue;
    EXPECT_EQ(t.get(2, 2, k + 1), 0.0);           // an empty zone has no one aged 80+ …
    EXPECT_TRUE(std::isnan(t.get(2, 2, k + 2)));  // … and no share of nobody
    EXPECT_TRUE(std::isnan(t.get(2, 2, k + 3)));  // nor a ratio to nobody aged 15-64
  }
}

// The base year's births by age of mother and exposure, zeros that are only read, hold no pages while its table is
// built (at 50,000 zones they were 14.4 MB of the command line's peak at one thread): the peak RSS of
// compute_population_indicators rises by the table and about one of them (written before its pages are given
// back), not by the table and both. Linux only
// (VmHWM reset through /proc/self/clear_refs).
TEST(IndicatorTable, BaseYearZerosHoldNoPages) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' allocators and shadow memory";
#else
  const auto status_kib = cohortgis::test::proc_status_kib;
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 5000;  // 4.0 MB of zeros each, a table of 1.4 MB
  CohortArray pop(CohortLayout{Z, 1, grid});
  for (std::size_t i = 0; i < pop.data().size(); ++i) pop.data()[i] = 100.0 + static_cast<double>(i % 97);
  std::vector<std::string> ids;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z));
  const std::size_t zeros_bytes = uz(Z) * uz(grid.n_ages) * sizeof(double);
  {
    std::ofstream reset("/proc/self/clear_refs");
    if (!(reset << "5" << std::flush)) GTEST_SKIP() << "cannot reset the peak RSS here";
  }
  const long long rss = status_kib("VmRSS:"), peak_before = status_kib("VmHWM:");
  if (rss < 0 || peak_before < 0 || peak_before > rss + 1024) GTEST_SKIP() << "no VmHWM reset here";
  IndicatorTable t;
  compute_population_indicators(pop, ids, {"all"}, {}, {}, t);
  const long long rise_kib = status_kib("VmHWM:") - rss;
  const std::size_t table_bytes = t.values.size() * sizeof(double);
  // One of them is resident while it is written, before its pages are given back: with both kept, table + 2 × zeros.
  EXPECT_LT(static_cast<std::size_t>(rise_kib) * 1024, table_bytes + zeros_bytes * 3 / 2)
      << "KiB over the RSS before; table " << table_bytes / 1024 << " KiB, zeros " << zeros_bytes / 1024 << " KiB each";
#endif
}

// A large aggregate (64 zones or more) has its sums split over age ranges across threads: its values are the bits of
// the sums made one state after the other (zone, then group) from +0 at every age, at 1 and 4 threads.
TEST(IndicatorAggregates, LargeAggregateIsTheBitsOfTheSerialSums) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 150, G = 2, A = grid.n_ages;
  CohortArray pop(CohortLayout{Z, G, grid});
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) pop.at(z, g, s, i) = 1000.0 / (1.0 + 0.31 * i + 0.013 * z + 0.7 * g + 0.1 * s);
  std::vector<std::string> ids;
  std::vector<int> members;
  for (int z = 0; z < Z; ++z) ids.push_back("Z" + std::to_string(z)), members.push_back(z);
  for (int threads : {1, 4}) {
    tbb::task_arena arena(threads);
    IndicatorTable t;
    arena.execute([&] { compute_population_indicators(pop, ids, {"a", "b"}, {{"big", members}}, {}, t); });
    const std::size_t u = t.unit_index("big");
    for (int slot = 0; slot <= G; ++slot) {
      std::vector<double> f(uz(A), 0.0), m(uz(A), 0.0);
      for (int z = 0; z < Z; ++z)
        for (int g = 0; g < G; ++g)
          if (slot == G || g == slot)
            for (int i = 0; i < A; ++i) f[uz(i)] += pop.at(z, g, 0, i), m[uz(i)] += pop.at(z, g, 1, i);
      double pf = 0.0, pm = 0.0, b65 = 0.0;
      for (int i = 0; i < A; ++i) pf += f[uz(i)], pm += m[uz(i)];
      for (int i = 65; i < A; ++i) b65 += f[uz(i)] + m[uz(i)];
      EXPECT_EQ(t.get(u, uz(slot), Indicator::population_female), pf) << "threads " << threads << " slot " << slot;
      EXPECT_EQ(t.get(u, uz(slot), Indicator::population_male), pm) << "threads " << threads << " slot " << slot;
      EXPECT_EQ(t.get(u, uz(slot), Indicator::age_65_plus), b65) << "threads " << threads << " slot " << slot;
    }
  }
}

TEST(IndicatorMedian, InterpolatesLinearlyWithinTheMediansGroup) {
  {
    const AgeGrid g = AgeGrid::single_year(4);
    // Total 150, half 75; cumulative 10, 30, 60 before age 3 (40 persons): 3 + 1 · (75 − 60)/40 = 3.375.
    const std::vector<double> p{10, 20, 30, 40, 50};
    EXPECT_NEAR(median_age(g, p), 3.375, 1e-12);
    // Half 50 reached exactly at the end of age 0: 0 + 1 · 50/50 = 1.
    const std::vector<double> q{50, 50, 0, 0, 0};
    EXPECT_NEAR(median_age(g, q), 1.0, 1e-12);
    // Leading empty ages: half 10 falls at the end of age 2: 2 + 10/10 = 3.
    const std::vector<double> r{0, 0, 10, 10, 0};
    EXPECT_NEAR(median_age(g, r), 3.0, 1e-12);
  }
  {
    const AgeGrid g = AgeGrid::five_year(20);
    // Total 1500, half 750; cumulative 600 before 15-19 (400 persons): 15 + 5 · 150/400 = 16.875.
    const std::vector<double> p{100, 200, 300, 400, 500};
    EXPECT_NEAR(median_age(g, p), 16.875, 1e-12);
    // Total 1000, half 500; cumulative 100 before 5-9 (800): 5 + 5 · 400/800 = 7.5.
    const std::vector<double> q{100, 800, 100, 0, 0};
    EXPECT_NEAR(median_age(g, q), 7.5, 1e-12);
  }
}

TEST(IndicatorMedian, NaNWhenNobody) {
  const std::vector<double> zero5(5, 0.0);
  EXPECT_TRUE(std::isnan(median_age(AgeGrid::single_year(4), zero5)));
  EXPECT_TRUE(std::isnan(median_age(AgeGrid::five_year(20), zero5)));
}

TEST(IndicatorNames, MachineNames) {
  EXPECT_STREQ(indicator_name(Indicator::cbr_per_1000), "cbr_per_1000");
  EXPECT_STREQ(indicator_name(Indicator::population), "population");
  EXPECT_STREQ(indicator_name(Indicator::tfr), "tfr");
  EXPECT_STREQ(indicator_name(Indicator::share_0_14), "share_0_14_percent");
  EXPECT_STREQ(indicator_name(Indicator::age_65_plus), "age_65_plus");
}

// ---------------------------------------------------------------------------------------------------------------
// compute_indicators through a real projection.
//
// Grid 0-4 … 80-84, 85+ (18 indexes, z = 5). Every state: S_f = 0.9, S_m = 0.8 at every index; F = 0.1 at
// 20-24, 25-29, 30-34 (indexes 4, 5, 6), 0 elsewhere; srb 1.05; no migration.
//   zone 0 group 0: 100 persons in every cell (both sexes);      zone 0 group 1: 50 in every cell (= ½ of g0)
//   zone 1 group 0: 300 in indexes 0-9 (ages 0-49), 0 above;     zone 1 group 1: 100 in indexes 0-9 (= ⅓ of g0)
// Every component is linear in the population, so group 1 of each zone is group 0 scaled.
//
// Zone 0 group 0 by hand (A = P, nothing migrates):
//   females Q[i] = 0.9·100 = 90 (i = 1…16), Q[17] = 0.9·(100+100) = 180; deaths 10·16 + 20 = 180, + 0.1·B_f.
//   males   Q[i] = 80, Q[17] = 160; deaths 20·16 + 40 = 360, + 0.2·B_m.
//   births B[i] = 5·0.1·(100 + 90)/2 = 47.5 at i = 4, 5, 6 → B = 142.5; B_f = 142.5/2.05, B_m = 142.5 − B_f.
//   end: females 1440 + 180 + 0.9·B_f, males 1280 + 160 + 0.8·B_m → 3060 + 0.9·B_f + 0.8·B_m; start 3600.
// Zone 1 group 0 by hand:
//   females Q[i] = 270 (i = 1…10), 0 above; deaths 30·10 = 300 + 0.1·B_f'. males Q = 240, deaths 600 + 0.2·B_m'.
//   births B[i] = 5·0.1·(300 + 270)/2 = 142.5 at i = 4, 5, 6 → B' = 427.5 = 3·B (B_f' = 3·B_f, B_m' = 3·B_m).
//   end: 2700 + 2400 + 0.9·B_f' + 0.8·B_m' = 5100 + 0.9·B_f' + 0.8·B_m'; start 6000.
namespace {

MultiCase two_zone_case() {
  MultiCase c;
  c.grid = AgeGrid::five_year(85);
  c.zones = 2;
  c.groups = 2;
  c.zone_ids = {"z0", "z1"};
  c.group_names = {"local", "floating"};
  const std::size_t A = 18;
  const double young_only[] = {300.0, 100.0};
  for (int g = 0; g < 2; ++g)  // zone 0
    for (int s = 0; s < 2; ++s) append(c.base, A, g == 0 ? 100.0 : 50.0);
  for (int g = 0; g < 2; ++g)  // zone 1
    for (int s = 0; s < 2; ++s) {
      append(c.base, 10, young_only[g]);
      append(c.base, A - 10, 0.0);
    }
  for (int st = 0; st < 4; ++st) {
    append(c.mortality, A, 0.9);
    append(c.mortality, A, 0.8);
    std::vector<double> F(A, 0.0);
    F[4] = F[5] = F[6] = 0.1;
    c.asfr.insert(c.asfr.end(), F.begin(), F.end());
  }
  c.srb = {1.05, 1.05};
  c.aggregates = {{"both", {0, 1}}};
  c.bands = {{"women_20_39", 20, 39, 0}, {"women_80_plus", 80, -1, 0}, {"persons_18_22", 18, 22, -1}};
  return c;
}

constexpr std::size_t kZ0 = 0, kZ1 = 1, kBoth = 2, kTotal = 3;  // units
constexpr std::size_t kG0 = 0, kG1 = 1, kAll = 2;               // group slots

// Hand numbers shared by the tests below.
const double kBf = 142.5 / 2.05, kBm = 142.5 - kBf;            // births by sex, zone 0 group 0
const double kEnd00 = 3060.0 + 0.9 * kBf + 0.8 * kBm;          // end population, zone 0 group 0 (≈ 3180.95)
const double kEnd10 = 5100.0 + 0.9 * 3 * kBf + 0.8 * 3 * kBm;  // end population, zone 1 group 0 (≈ 5462.85)
const double kD00 = 540.0 + 0.1 * kBf + 0.2 * kBm;             // deaths, zone 0 group 0
const double kD10 = 900.0 + 0.1 * 3 * kBf + 0.2 * 3 * kBm;     // deaths, zone 1 group 0

}  // namespace

TEST(IndicatorsProjection, TableLayoutNamesAndUnits) {
  auto sink = two_zone_case().run();
  ASSERT_EQ(sink.indicators.size(), 1u);
  const IndicatorTable& t = sink.indicators[0];
  // Zones, then the given aggregate, then "total" added by the engine.
  ASSERT_EQ(t.unit_names, (std::vector<std::string>{"z0", "z1", "both", "total"}));
  ASSERT_EQ(t.group_names, (std::vector<std::string>{"local", "floating", "all"}));
  ASSERT_EQ(t.n_indicators(), uz(kStandardIndicators) + 3);
  EXPECT_EQ(t.values.size(), 4u * 3u * t.n_indicators());
  EXPECT_EQ(t.indicator_names[static_cast<std::size_t>(Indicator::cbr_per_1000)], "cbr_per_1000");
  EXPECT_EQ(t.indicator_names[static_cast<std::size_t>(Indicator::share_0_14)], "share_0_14_percent");
  EXPECT_EQ(t.indicator_names[uz(kStandardIndicators) + 0], "women_20_39");
  EXPECT_EQ(t.indicator_names[uz(kStandardIndicators) + 2], "persons_18_22");
  EXPECT_EQ(t.unit_index("z1"), kZ1);
  EXPECT_EQ(t.unit_index("both"), kBoth);
  EXPECT_EQ(t.unit_index("total"), kTotal);
  EXPECT_THROW(t.unit_index("nowhere"), InputError);
}

TEST(IndicatorsProjection, SingleStateCountsAndRatesByHand) {
  auto sink = two_zone_case().run();
  const IndicatorTable& t = sink.indicators.at(0);
  const auto& end = sink.populations.at(1);
  auto v = [&](Indicator id) { return t.get(kZ0, kG0, id); };

  // The projection itself agrees with the hand numbers above.
  EXPECT_NEAR(cells(end, 0, 0, 1), kEnd00, 1e-9);
  EXPECT_NEAR(cells(sink.components[0].deaths, 0, 0, 1), kD00, 1e-9);

  EXPECT_NEAR(v(Indicator::population), kEnd00, 1e-9);
  EXPECT_NEAR(v(Indicator::population_female), 1620.0 + 0.9 * kBf, 1e-9);
  EXPECT_NEAR(v(Indicator::population_male), 1440.0 + 0.8 * kBm, 1e-9);
  EXPECT_NEAR(v(Indicator::births), 142.5, 1e-9);
  EXPECT_NEAR(v(Indicator::births_female), 69.51219512195122, 1e-9);  // 142.5 / 2.05
  EXPECT_NEAR(v(Indicator::births_male), 72.98780487804878, 1e-9);    // 142.5 · 1.05 / 2.05
  EXPECT_NEAR(v(Indicator::deaths), kD00, 1e-9);                      // ≈ 561.549
  EXPECT_DOUBLE_EQ(v(Indicator::net_migration), 0.0);
  // Person-years z·(ΣP + ΣP')/2 = 5·(3600 + 3180.95)/2 ≈ 16952.38.
  const double py = 5.0 * (3600.0 + kEnd00) / 2.0;
  EXPECT_NEAR(v(Indicator::person_years), py, 1e-9);
  EXPECT_NEAR(v(Indicator::cbr_per_1000), 142.5 / py * 1000.0, 1e-9);  // ≈ 8.406
  EXPECT_NEAR(v(Indicator::cdr_per_1000), kD00 / py * 1000.0, 1e-9);   // ≈ 33.125
  EXPECT_NEAR(v(Indicator::natural_growth_per_1000), (142.5 - kD00) / py * 1000.0, 1e-9);
  // TFR = z·ΣF = 5 · (0.1 + 0.1 + 0.1) = 1.5.
  EXPECT_NEAR(v(Indicator::tfr), 1.5, 1e-12);
  EXPECT_NEAR(v(Indicator::srb_per_100_females), 105.0, 1e-9);
  // Survival ratios given: no life table, so no e0.
  EXPECT_TRUE(std::isnan(v(Indicator::e0_female)));
  EXPECT_TRUE(std::isnan(v(Indicator::e0)));
  EXPECT_TRUE(std::isnan(v(Indicator::e65_male)));

  // End population, both sexes: index 0: c0 = 0.9·B_f + 0.8·B_m ≈ 120.95; indexes 1-16: 90 + 80 = 170; 85+: 340.
  const double c0 = 0.9 * kBf + 0.8 * kBm;
  const double a0_14 = c0 + 2 * 170.0;   // indexes 0-2 ≈ 460.95
  const double a15_64 = 10 * 170.0;      // indexes 3-12 = 1700
  const double a65 = 4 * 170.0 + 340.0;  // indexes 13-16 and 85+ = 1020
  const double a60 = 170.0 + a65;        // 1190
  EXPECT_NEAR(a0_14 + a15_64 + a65, kEnd00, 1e-9);
  EXPECT_NEAR(v(Indicator::share_0_14), a0_14 / kEnd00 * 100.0, 1e-9);  // ≈ 14.49 %
  EXPECT_NEAR(v(Indicator::share_15_64), 1700.0 / kEnd00 * 100.0, 1e-9);
  EXPECT_NEAR(v(Indicator::share_65_plus), 1020.0 / kEnd00 * 100.0, 1e-9);
  EXPECT_NEAR(v(Indicator::share_60_plus), 1190.0 / kEnd00 * 100.0, 1e-9);
  EXPECT_NEAR(v(Indicator::old_age_dependency_ratio), 60.0, 1e-9);  // 1020/1700 · 100
  EXPECT_NEAR(v(Indicator::total_dependency_ratio), (a0_14 + 1020.0) / 1700.0 * 100.0, 1e-9);
  // Median: half ≈ 1590.48; cumulative c0 + 8·170 ≈ 1480.95 before 45-49 (170): 45 + 5·(half − that)/170 ≈ 48.22.
  EXPECT_NEAR(v(Indicator::median_age), 45.0 + 5.0 * (kEnd00 / 2.0 - (c0 + 8 * 170.0)) / 170.0, 1e-9);
  EXPECT_NEAR(v(Indicator::women_15_49), 7 * 90.0, 1e-9);                // females at indexes 3-9
  EXPECT_NEAR(v(Indicator::age_0_2), 0.6 * c0, 1e-9);                    // 3/5 of 0-4
  EXPECT_NEAR(v(Indicator::age_3_5), 0.4 * c0 + 0.2 * 170.0, 1e-9);      // 2/5 of 0-4 + 1/5 of 5-9
  EXPECT_NEAR(v(Indicator::age_6_11), 0.8 * 170.0 + 0.4 * 170.0, 1e-9);  // 4/5 of 5-9 + 2/5 of 10-14 = 204
  EXPECT_NEAR(v(Indicator::age_12_14), 0.6 * 170.0, 1e-9);               // 3/5 of 10-14 = 102
  EXPECT_NEAR(v(Indicator::age_15_59), 9 * 170.0, 1e-9);                 // indexes 3-11
  EXPECT_NEAR(v(Indicator::age_15_64), a15_64, 1e-9);
  EXPECT_NEAR(v(Indicator::age_60_plus), a60, 1e-9);
  EXPECT_NEAR(v(Indicator::age_65_plus), a65, 1e-9);
}

// One group: the "all" slot is the group's own slot (stored once, not recomputed): the hand numbers of zone 0 group 0
// above, and every indicator the same bits as the group's (NaN where the group's is NaN), for both zones.
TEST(IndicatorsProjection, OneGroupAllSlotIsTheGroupsSlot) {
  MultiCase c = two_zone_case();
  const std::size_t A = 18;
  c.groups = 1;
  c.group_names = {"local"};
  c.base.clear();
  append(c.base, 2 * A, 100.0);  // zone 0, both sexes
  for (int s = 0; s < 2; ++s) {  // zone 1
    append(c.base, 10, 300.0);
    append(c.base, A - 10, 0.0);
  }
  c.mortality.resize(2 * 2 * A);
  c.asfr.resize(2 * A);
  auto sink = c.run();
  const IndicatorTable& t = sink.indicators.at(0);
  ASSERT_EQ(t.group_names, (std::vector<std::string>{"local", "all"}));
  EXPECT_NEAR(t.get(kZ0, 1, Indicator::population), kEnd00, 1e-9);
  EXPECT_NEAR(t.get(kZ0, 1, Indicator::deaths), kD00, 1e-9);
  EXPECT_NEAR(t.get(kZ1, 1, Indicator::population), kEnd10, 1e-9);
  EXPECT_NEAR(t.get(kZ1, 1, Indicator::tfr), 1.5, 1e-12);
  for (std::size_t unit : {kZ0, kZ1})
    for (std::size_t k = 0; k < t.n_indicators(); ++k) {
      const double group = t.get(unit, 0, k);
      const double all = t.get(unit, 1, k);
      if (std::isnan(group))
        EXPECT_TRUE(std::isnan(all)) << unit << " " << t.indicator_names[k];
      else
        EXPECT_EQ(all, group) << unit << " " << t.indicator_names[k];
    }
}

// One group: each unit's values are held once (the "all" slot reads the group's; half the table, 14 MB at 50,000
// zones), and copy_units writes the full layout [unit][group slot][indicator] with "all" repeated.
TEST(IndicatorsProjection, OneGroupTableHoldsEachUnitOnce) {
  MultiCase c = two_zone_case();
  const std::size_t A = 18;
  c.groups = 1;
  c.group_names = {"local"};
  c.base.clear();
  append(c.base, 4 * A, 100.0);  // two zones, both sexes
  c.mortality.resize(2 * 2 * A);
  c.asfr.resize(2 * A);
  auto sink = c.run();
  const IndicatorTable& t = sink.indicators.at(0);
  const std::size_t units = t.unit_names.size(), ni = t.n_indicators();
  ASSERT_EQ(t.group_names.size(), 2u);
  EXPECT_TRUE(t.all_is_group);
  EXPECT_EQ(t.values.size(), units * ni);
  ASSERT_EQ(t.full_size(), units * 2 * ni);
  std::vector<double> full(t.full_size());
  t.copy_units(0, units, full.data());
  for (std::size_t u = 0; u < units; ++u)
    for (std::size_t g = 0; g < 2; ++g)
      for (std::size_t k = 0; k < ni; ++k) {
        const double v = full[(u * 2 + g) * ni + k], w = t.values[u * ni + k];
        EXPECT_TRUE(v == w || (std::isnan(v) && std::isnan(w))) << u << " " << g << " " << k;
      }
  // Two groups: every slot stored.
  const auto sink2 = two_zone_case().run();
  const IndicatorTable& two = sink2.indicators.at(0);
  EXPECT_FALSE(two.all_is_group);
  EXPECT_EQ(two.values.size(), two.full_size());
}

TEST(IndicatorsProjection, ExtraAgeBandsAreExtraColumns) {
  auto sink = two_zone_case().run();
  const IndicatorTable& t = sink.indicators.at(0);
  const std::size_t k = uz(kStandardIndicators);
  // Zone 0 group 0, end: females 90 at indexes 1-16, 180 at 85+; both sexes 170 at indexes 1-16.
  EXPECT_NEAR(t.get(kZ0, kG0, k + 0), 4 * 90.0, 1e-9);               // women 20-39: indexes 4-7
  EXPECT_NEAR(t.get(kZ0, kG0, k + 1), 90.0 + 180.0, 1e-9);           // women 80+: 80-84 and 85+
  EXPECT_NEAR(t.get(kZ0, kG0, k + 2), 0.4 * 170 + 0.6 * 170, 1e-9);  // persons 18-22: 2/5 of 15-19 + 3/5 of 20-24
  // Zone 1 group 0: females 270 at indexes 1-10, none above.
  EXPECT_NEAR(t.get(kZ1, kG0, k + 0), 4 * 270.0, 1e-9);
  EXPECT_NEAR(t.get(kZ1, kG0, k + 1), 0.0, 1e-9);
  // Aggregate "both", all groups: women 20-39 = 4 · (1.5·90 + (4/3)·270) = 4 · 495.
  EXPECT_NEAR(t.get(kBoth, kAll, k + 0), 4 * 495.0, 1e-9);
}

TEST(IndicatorsProjection, AllGroupsSlotIsTheSumOverGroups) {
  auto sink = two_zone_case().run();
  const IndicatorTable& t = sink.indicators.at(0);
  const Indicator counts[] = {
      Indicator::population, Indicator::population_female, Indicator::births,      Indicator::births_male,
      Indicator::deaths,     Indicator::person_years,      Indicator::women_15_49, Indicator::age_65_plus,
      Indicator::age_0_2};
  for (std::size_t u : {kZ0, kZ1, kBoth, kTotal})
    for (Indicator id : counts)
      EXPECT_NEAR(t.get(u, kAll, id), t.get(u, kG0, id) + t.get(u, kG1, id), 1e-9)
          << t.unit_names[u] << " " << indicator_name(id);
  // By hand: zone 0 all groups = 1.5 × group 0; zone 1 = 4/3 × group 0.
  EXPECT_NEAR(t.get(kZ0, kAll, Indicator::population), 1.5 * kEnd00, 1e-9);
  EXPECT_NEAR(t.get(kZ0, kAll, Indicator::births), 1.5 * 142.5, 1e-9);  // 213.75
  EXPECT_NEAR(t.get(kZ1, kAll, Indicator::population), 4.0 / 3.0 * kEnd10, 1e-9);
  EXPECT_NEAR(t.get(kZ1, kAll, Indicator::births), 4.0 / 3.0 * 427.5, 1e-9);  // 570
  EXPECT_NEAR(t.get(kZ1, kAll, Indicator::deaths), 4.0 / 3.0 * kD10, 1e-9);
  // Rates of the sum: the groups of a zone have the same structure, so the same CBR and TFR as one group.
  EXPECT_NEAR(t.get(kZ0, kAll, Indicator::cbr_per_1000), t.get(kZ0, kG0, Indicator::cbr_per_1000), 1e-9);
  EXPECT_NEAR(t.get(kZ0, kAll, Indicator::tfr), 1.5, 1e-12);  // two states, same schedule: Σ B[i]/exposure[i]
  EXPECT_NEAR(t.get(kZ0, kAll, Indicator::srb_per_100_females), 105.0, 1e-9);
}

// The zone pass computes a zone's indicators right after the zone's step; with a step adjuster (here one that changes
// nothing) they are computed after the whole step instead. Both must give the same bits, on a single-year grid with
// death rates (pooled life tables for "all groups" and the aggregates), two groups, aggregates and extra bands, over
// three steps.
TEST(IndicatorsProjection, ZonePassGivesTheBitsOfThePassAfterTheStep) {
  MultiCase c;
  c.grid = AgeGrid::single_year(100);
  const std::size_t A = 101;
  c.zones = 3;
  c.groups = 2;
  c.zone_ids = {"a", "b", "c"};
  c.group_names = {"local", "floating"};
  c.kind = MortalityInput::death_rates;
  for (int st = 0; st < c.zones * c.groups; ++st) {
    for (int s = 0; s < 2; ++s) {
      for (std::size_t x = 0; x < A; ++x) {
        c.base.push_back(100.0 + 7.0 * st + 3.0 * s - 0.5 * static_cast<double>(x) + (x % 7 == 0 ? 11.0 : 0.0));
        c.mortality.push_back((0.0003 + 0.0001 * st) * std::exp(0.085 * static_cast<double>(x)) + (s ? 0.001 : 0.0));
      }
      c.mortality[c.mortality.size() - A] = 0.01 + 0.002 * st;  // infants
    }
    for (std::size_t x = 0; x < A; ++x) c.asfr.push_back(x >= 15 && x < 50 ? 0.04 + 0.001 * st : 0.0);
  }
  c.srb = {1.05, 1.06, 1.07};
  c.aggregates = {{"ab", {0, 1}}, {"ca", {2, 0}}};
  c.bands = {{"women_20_39", 20, 39, 0}, {"men_70_plus", 70, -1, 1}};
  c.steps = 3;
  const RecordingSink zone_pass = c.run();
  c.adjuster = [](const StepContext&, const CohortArray&, CohortArray&, StepComponents&) {};
  const RecordingSink after_step = c.run();
  ASSERT_EQ(zone_pass.indicators.size(), 3u);
  ASSERT_EQ(after_step.indicators.size(), 3u);
  for (std::size_t y = 0; y < 3; ++y) {
    const auto& a = zone_pass.indicators[y].values;
    const auto& b = after_step.indicators[y].values;
    ASSERT_EQ(a.size(), b.size());
    std::size_t finite = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_TRUE(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k]))) << "year " << y << ", value " << k;
      finite += std::isfinite(a[k]) ? 1 : 0;
    }
    EXPECT_GT(finite, a.size() * 9 / 10);  // e0 of "all" and the aggregates too (pooled tables were built)
    const IndicatorTable& t = zone_pass.indicators[y];
    EXPECT_TRUE(std::isfinite(t.get(t.unit_index("ab"), 2, Indicator::e65_male)));
    EXPECT_TRUE(std::isfinite(t.get(0, 2, Indicator::e0_female)));
  }
}

TEST(IndicatorsProjection, AggregatesSumCountsThenComputeRates) {
  auto sink = two_zone_case().run();
  const IndicatorTable& t = sink.indicators.at(0);
  const auto& start = sink.populations.at(0);
  const auto& end = sink.populations.at(1);
  const auto& comp = sink.components.at(0);

  // Hand totals (all groups): zone 0 = 1.5 × (0,0), zone 1 = 4/3 × (1,0).
  const double P0 = 1.5 * 3600.0, P1 = 4.0 / 3.0 * 6000.0;  // 5400, 8000
  const double E0 = 1.5 * kEnd00, E1 = 4.0 / 3.0 * kEnd10;  // ≈ 4771.43, 7283.81
  const double B0 = 213.75, B1 = 570.0;
  const double D0 = 1.5 * kD00, D1 = 4.0 / 3.0 * kD10;
  const double PY0 = 5.0 * (P0 + E0) / 2.0, PY1 = 5.0 * (P1 + E1) / 2.0;  // ≈ 25428.6, 38209.5
  EXPECT_NEAR(cells(start, 0, 0, 2) + cells(start, 1, 0, 2), P0 + P1, 1e-9);
  EXPECT_NEAR(cells(end, 0, 0, 2), E0, 1e-9);
  EXPECT_NEAR(cells(end, 1, 0, 2), E1, 1e-9);
  EXPECT_NEAR(cells(comp.deaths, 0, 0, 2) + cells(comp.deaths, 1, 0, 2), D0 + D1, 1e-9);

  for (std::size_t u : {kBoth, kTotal}) {
    SCOPED_TRACE(t.unit_names[u]);
    auto v = [&](Indicator id) { return t.get(u, kAll, id); };
    // Counts are the sums of the zones' counts.
    for (Indicator id : {Indicator::population, Indicator::population_male, Indicator::births, Indicator::deaths,
                         Indicator::person_years, Indicator::women_15_49, Indicator::age_15_64})
      EXPECT_NEAR(v(id), t.get(kZ0, kAll, id) + t.get(kZ1, kAll, id), 1e-9) << indicator_name(id);
    EXPECT_NEAR(v(Indicator::population), E0 + E1, 1e-9);  // ≈ 12055.23
    EXPECT_NEAR(v(Indicator::births), 783.75, 1e-9);       // 213.75 + 570
    EXPECT_NEAR(v(Indicator::deaths), D0 + D1, 1e-9);
    EXPECT_NEAR(v(Indicator::person_years), PY0 + PY1, 1e-9);
    // Rates of the summed counts: (B0 + B1)/(PY0 + PY1) · 1000 ≈ 12.316.
    const double cbr = (B0 + B1) / (PY0 + PY1) * 1000.0;
    EXPECT_NEAR(v(Indicator::cbr_per_1000), cbr, 1e-9);
    EXPECT_NEAR(v(Indicator::cdr_per_1000), (D0 + D1) / (PY0 + PY1) * 1000.0, 1e-9);
    EXPECT_NEAR(v(Indicator::natural_growth_per_1000), (B0 + B1 - D0 - D1) / (PY0 + PY1) * 1000.0, 1e-9);
    // … which is not the mean of the zone CBRs (≈ 8.406 and ≈ 14.918 → mean ≈ 11.662).
    const double cbr0 = B0 / PY0 * 1000.0, cbr1 = B1 / PY1 * 1000.0;
    EXPECT_NEAR(t.get(kZ0, kAll, Indicator::cbr_per_1000), cbr0, 1e-9);
    EXPECT_NEAR(t.get(kZ1, kAll, Indicator::cbr_per_1000), cbr1, 1e-9);
    EXPECT_GT(std::abs(v(Indicator::cbr_per_1000) - (cbr0 + cbr1) / 2.0), 0.5);
    // Same schedule in every state: the pooled TFR is the schedule's TFR; srb 105 everywhere.
    EXPECT_NEAR(v(Indicator::tfr), 1.5, 1e-12);
    EXPECT_NEAR(t.get(u, kG0, Indicator::tfr), 1.5, 1e-12);
    EXPECT_NEAR(v(Indicator::srb_per_100_females), 105.0, 1e-9);
    EXPECT_NEAR(t.get(u, kG1, Indicator::srb_per_100_females), 105.0, 1e-9);

    // End population, both sexes, all groups and zones, by index:
    //   0: c = 1.5·c00 + (4/3)·c10 with c00 = 0.9·B_f + 0.8·B_m, c10 = 3·c00 → c = 5.5·c00 ≈ 665.23
    //   1-10: 1.5·170 + (4/3)·510 = 255 + 680 = 935;  11-16: 255;  85+: 1.5·340 = 510.
    const double c = 5.5 * (0.9 * kBf + 0.8 * kBm);
    const double a0_14 = c + 2 * 935.0;           // ≈ 2535.23
    const double a15_64 = 8 * 935.0 + 2 * 255.0;  // indexes 3-12 = 7990
    const double a65 = 4 * 255.0 + 510.0;         // indexes 13-17 = 1530
    const double pop = E0 + E1;
    EXPECT_NEAR(a0_14 + a15_64 + a65, pop, 1e-9);
    EXPECT_NEAR(v(Indicator::share_0_14), a0_14 / pop * 100.0, 1e-9);
    EXPECT_NEAR(v(Indicator::share_15_64), a15_64 / pop * 100.0, 1e-9);
    EXPECT_NEAR(v(Indicator::share_65_plus), a65 / pop * 100.0, 1e-9);  // ≈ 12.69 %
    EXPECT_NEAR(v(Indicator::share_60_plus), (255.0 + a65) / pop * 100.0, 1e-9);
    EXPECT_NEAR(v(Indicator::old_age_dependency_ratio), 1530.0 / 7990.0 * 100.0, 1e-9);  // ≈ 19.15
    EXPECT_NEAR(v(Indicator::total_dependency_ratio), (a0_14 + 1530.0) / 7990.0 * 100.0, 1e-9);
    // Median: half ≈ 6027.62; cumulative c + 5·935 ≈ 5340.23 before 30-34 (935): 30 + 5·(half − that)/935 ≈ 33.68.
    EXPECT_NEAR(v(Indicator::median_age), 30.0 + 5.0 * (pop / 2.0 - (c + 5 * 935.0)) / 935.0, 1e-9);
    // Women 15-49 (indexes 3-9): 7 · (1.5·90 + (4/3)·270) = 7 · 495 = 3465.
    EXPECT_NEAR(v(Indicator::women_15_49), 3465.0, 1e-9);
  }
}
