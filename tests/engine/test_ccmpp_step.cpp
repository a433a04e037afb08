// SPDX-License-Identifier: Apache-2.0
// Part A of docs/ccmpp.md: hand-computed cases for every component, and the published Preston et al. Box 6.2 case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <span>
#include <vector>

#include "cohortgis/engine/ccmpp_step.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "csv_fixture.hpp"
#include "kernel_random.hpp"
#include "projection_fixture.hpp"
#include "simd.hpp"
#include "step_kernels.hpp"

using namespace cohortgis;
using cohortgis::test::next_unit;
using cohortgis::test::OneStateCase;

namespace {

// Ages 0, 1, 2+ (w = 2), one-year step. Numbers chosen so that every component can be done by hand.
OneStateCase hand_case() {
  OneStateCase c;
  c.grid = AgeGrid::single_year(2);
  c.P_f = {100, 80, 50};
  c.P_m = {110, 90, 40};
  c.S_f = {0.9, 0.8, 0.5};
  c.S_m = {0.85, 0.75, 0.4};
  c.F = {0, 0.5, 0};
  c.M_f = {10, -20, 4};
  c.M_m = {0, 0, 0};
  c.srb = 1.05;
  return c;
}

}  // namespace

TEST(CcmppStepHand, EvenMigrationEveryComponent) {
  auto sink = hand_case().run();
  const auto& comp = sink.components.at(0);
  const auto& end = sink.populations.at(1);
  // Females: E = M/2 = {5, -10, 2}; A = P + E = {105, 70, 52}.
  // D[1] = (1-0.8)·105 = 21; Q[1] = 105 - 21 - 10 = 74.  D[2] = (1-0.5)·(70+52) = 61; Q[2] = 122 - 61 + 2 = 63.
  EXPECT_NEAR(comp.deaths.at(0, 0, 0, 1), 21.0, 1e-12);
  EXPECT_NEAR(comp.deaths.at(0, 0, 0, 2), 61.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 1), 74.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 2), 63.0, 1e-12);
  // Births: B[1] = 1·0.5·(A_f[1] + Q_f[1])/2 = 0.5·(70 + 74)/2 = 36. B_f = 36/2.05, B_m = 36 - B_f.
  EXPECT_NEAR(comp.births_by_mother_age[1], 36.0, 1e-12);
  EXPECT_DOUBLE_EQ(comp.births_by_mother_age[0], 0.0);
  EXPECT_DOUBLE_EQ(comp.births_by_mother_age[2], 0.0);
  const double bf = 36.0 / 2.05, bm = 36.0 - bf;
  EXPECT_NEAR(comp.births[0], bf, 1e-12);
  EXPECT_NEAR(comp.births[1], bm, 1e-12);
  // Newborn females: D[0] = 0.1·B_f; Q[0] = B_f - D[0] + E[0] = 0.9·B_f + 5 = 20.804878048780488.
  EXPECT_NEAR(comp.deaths.at(0, 0, 0, 0), 0.1 * bf, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 0), 20.804878048780488, 1e-12);
  // Males, no migrants: D[1] = 0.25·110 = 27.5, Q[1] = 82.5; D[2] = 0.6·130 = 78, Q[2] = 52; Q[0] = 0.85·B_m.
  EXPECT_NEAR(end.at(0, 0, 1, 1), 82.5, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 1, 2), 52.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 1, 0), 0.85 * bm, 1e-12);
  EXPECT_NEAR(comp.deaths.at(0, 0, 1, 0), 0.15 * bm, 1e-12);
  // Accounting per sex: ΣP' = ΣP + B_s − ΣD + ΣM: females 230 + 17.5610 − 83.7561 − 6 = 157.8049.
  EXPECT_NEAR(end.at(0, 0, 0, 0) + end.at(0, 0, 0, 1) + end.at(0, 0, 0, 2), 157.80487804878048, 1e-11);
  EXPECT_TRUE(comp.floored.empty());
}

TEST(CcmppStepHand, EndMigrationBirthsUseQBeforeMigrants) {
  auto c = hand_case();
  c.timing = MigrationTiming::end;
  auto sink = c.run();
  const auto& comp = sink.components.at(0);
  const auto& end = sink.populations.at(1);
  // A = P = {100, 80, 50}; D[1] = 0.2·100 = 20, Q[1] = 80; D[2] = 0.5·130 = 65, Q[2] = 65.
  // B[1] = 0.5·(80 + 80)/2 = 40 (Q before the end migrants); then Q += M.
  EXPECT_NEAR(comp.births_by_mother_age[1], 40.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 1), 80.0 - 20.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 2), 65.0 + 4.0, 1e-12);
  EXPECT_NEAR(end.at(0, 0, 0, 0), 0.9 * (40.0 / 2.05) + 10.0, 1e-12);
}

TEST(CcmppStepHand, NullProjectionMovesCohortsUpAndOpenGroupAccumulates) {
  OneStateCase c;
  c.grid = AgeGrid::single_year(4);
  c.P_f = {1, 2, 3, 4, 5};
  c.P_m = {10, 20, 30, 40, 50};
  c.S_f = c.S_m = {1, 1, 1, 1, 1};
  c.F = {0, 0, 0, 0, 0};
  auto sink = c.run(3);
  // Each step: index i takes index i−1; index 0 is empty (no births); the open group takes w−1 and w.
  const std::vector<std::vector<double>> expect_f = {
      {1, 2, 3, 4, 5}, {0, 1, 2, 3, 9}, {0, 0, 1, 2, 12}, {0, 0, 0, 1, 14}};
  for (std::size_t t = 0; t < expect_f.size(); ++t)
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(sink.populations[t].at(0, 0, 0, i), expect_f[t][static_cast<std::size_t>(i)])
          << "t=" << t << " i=" << i;
      EXPECT_EQ(sink.populations[t].at(0, 0, 1, i), 10 * expect_f[t][static_cast<std::size_t>(i)]);
    }
}

TEST(CcmppStepHand, FloorUnderWppPolicyAndOverride) {
  // Functions directly: end timing, M[1] = −100 against Q[1] = 80 → −20 → floored at 0.0005, adjustment 20.0005.
  AgeGrid g = AgeGrid::single_year(2);
  std::vector<double> P{100, 80, 50}, S{0.9, 0.8, 0.5}, M{0, -100, 0}, A(3), E(3), D(3), Q(3), out(3), adj(3);
  SexStepBuffers b{A, E, D, Q};
  survive_cohorts(g, P, S, M, MigrationTiming::end, b);
  EXPECT_EQ(close_step(g, 10.0, S, M, MigrationTiming::end, b, out, adj), 1);
  EXPECT_DOUBLE_EQ(out[1], kFloorPersons);
  EXPECT_NEAR(adj[1], 20.0005, 1e-12);
  EXPECT_NEAR(out[0], 9.0, 1e-12);
  // WPP override: P + M ≤ 0 → M = 0.00001 − P.
  std::vector<double> Mw{5, -80, -49.9};
  EXPECT_EQ(apply_wpp_migration_override(P, Mw), 1);
  EXPECT_DOUBLE_EQ(Mw[1], 0.00001 - 80.0);
  EXPECT_DOUBLE_EQ(Mw[2], -49.9);
}

TEST(CcmppStepHand, PolicyConserveScalesOutflowsWppOverridesErrorStops) {
  auto c = hand_case();
  c.M_f = {0, -100, 0};
  c.timing = MigrationTiming::end;
  {
    auto sink = c.run();  // conserve: the −100 at index 1 (80 persons) is scaled to −(80 − 0.00001)
    const auto& comp = sink.components[0];
    ASSERT_EQ(comp.scaled_flows.size(), 1u);
    EXPECT_EQ(comp.scaled_flows[0].age, 1);
    EXPECT_NEAR(comp.scaled_flows[0].persons, 100.0 - 79.99999, 1e-9);
    EXPECT_NEAR(comp.net_migrants.at(0, 0, 0, 1), -79.99999, 1e-9);
    // Index 1 migrants leave at the end: cohort 0 → 1 arrives (Q[1] = 80) and loses nothing of them; index 2
    // ends with (A[1] + A[2])·S[2] = 65 unchanged. The migrants at index 1 leave the cohort now at index 2.
    EXPECT_NEAR(sink.populations[1].at(0, 0, 0, 1), 80.0 - 79.99999, 1e-9);
  }
  {
    c.policy = FlowPolicy::wpp;
    auto sink = c.run();
    const auto& comp = sink.components[0];
    ASSERT_EQ(comp.overridden.size(), 1u);
    EXPECT_NEAR(comp.net_migrants.at(0, 0, 0, 1), 0.00001 - 80.0, 1e-12);
    EXPECT_NEAR(comp.migration_override.at(0, 0, 0, 1), 0.00001 - 80.0 + 100.0, 1e-12);
  }
  {
    c.policy = FlowPolicy::error;
    try {
      c.run();
      FAIL() << "expected a ProjectionError";
    } catch (const ProjectionError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("zone '0'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("sex female"), std::string::npos) << msg;
      EXPECT_NE(msg.find("age 1"), std::string::npos) << msg;
    }
  }
}

TEST(CcmppStepHand, AgePeriodDeathsSplitPreservesTotal) {
  // φ from a 3-row table: l = {1000, 900, 850}, L = {940, 870, 4000} (open row holds T).
  LifeTable lt;
  lt.age = {0, 1, 2};
  lt.width = {1, 1, 0};
  lt.lx = {1000, 900, 850};
  lt.Lx = {940, 870, 4000};
  std::vector<double> phi(2);
  age_period_death_split(lt, 2, phi);
  // φ[0] = (L0 − l1)/(L0 − L1) = 40/70; φ[1] = (L1 − l2)/L1 = 20/870.
  EXPECT_NEAR(phi[0], 40.0 / 70.0, 1e-15);
  EXPECT_NEAR(phi[1], 20.0 / 870.0, 1e-15);
  std::vector<double> D{7, 14, 21}, Dage(3);
  age_period_deaths(D, phi, Dage);
  EXPECT_NEAR(Dage[0], 7 + 14 * 40.0 / 70.0, 1e-12);
  EXPECT_NEAR(Dage[1], (1 - 40.0 / 70.0) * 14 + (20.0 / 870.0) * 21, 1e-12);
  EXPECT_NEAR(Dage[2], (1 - 20.0 / 870.0) * 21, 1e-12);
  EXPECT_NEAR(Dage[0] + Dage[1] + Dage[2], 42.0, 1e-12);
}

// A zone's states in one pass (detail::age_period_deaths_states, the projection's step): the bits of
// age_period_deaths of each state in turn, whatever φ's unused last element of each state holds (NaN here), for
// 1 to 4 states of 2 to 40 and 101 ages (every count of cells left after the eight-vector trips, 0 to 31: the blocks
// of four and the last four again where fewer are left), with −0 and negative deaths.
TEST(CcmppStepHand, AgePeriodDeathsOfAZoneInOnePassAreEachStatesBits) {
  std::vector<std::size_t> ages_list{101};
  for (std::size_t a = 2; a <= 40; ++a) ages_list.push_back(a);
  for (std::size_t n_ages : ages_list)
    for (std::size_t states = 1; states <= 4; ++states) {
      const std::size_t n = n_ages * states;
      std::vector<double> D(n), phi(n), got(n, 7.0), want(n, 7.0);
      for (std::size_t j = 0; j < n; ++j) {
        D[j] = j % 11 == 4 ? -0.0 : j % 13 == 5 ? -2.5 : 3.0 + 0.37 * static_cast<double>(j % 17);
        phi[j] = (j + 1) % n_ages == 0 ? std::nan("") : 0.05 + 0.9 / (1.0 + static_cast<double>(j % 7));
      }
      cohortgis::detail::age_period_deaths_states(D.data(), phi.data(), got.data(), n_ages, states);
      for (std::size_t k = 0; k < states; ++k) {
        const std::size_t o = k * n_ages;
        age_period_deaths(std::span<const double>(D.data() + o, n_ages),
                          std::span<const double>(phi.data() + o, n_ages - 1),
                          std::span<double>(want.data() + o, n_ages));
      }
      EXPECT_EQ(std::memcmp(got.data(), want.data(), n * sizeof(double)), 0) << n_ages << " ages, " << states;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Preston, Heuveline & Guillot (2001), Demography, Box 6.2: Sweden 1993 females, 5×5, "even" migration.
namespace {
using cohortgis::test::fixture;
using cohortgis::test::read_csv;

std::map<std::pair<std::string, int>, double> by_sex_age(const std::string& file) {
  auto t = read_csv(fixture("../conformance/preston-box-6.2/" + file));
  std::map<std::pair<std::string, int>, double> m;
  for (std::size_t r = 0; r < t.rows.size(); ++r) m[{t.at(r, "sex"), std::stoi(t.at(r, "age"))}] = t.num(r, "value");
  return m;
}
}  // namespace

TEST(PrestonBox62, SurvivalRatiosFromPersonYearsMatchA1) {
  auto Lx = by_sex_age("life_table_lt_nLx.csv");
  auto Sx = by_sex_age("life_table_lt_Sx.csv");
  const AgeGrid grid = AgeGrid::five_year(85);
  std::vector<double> L, S(18);
  for (int i = 0; i < 18; ++i) L.push_back(Lx.at({"female", 5 * i}));
  survival_ratios(L, LxLayout::five_year, 100000.0, grid, S);
  for (int i = 0; i < 18; ++i)
    EXPECT_DOUBLE_EQ(S[static_cast<std::size_t>(i)], Sx.at({"female", 5 * i})) << "age " << 5 * i;
}

TEST(PrestonBox62, OneFiveYearStepEqualsPublishedTable) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const int A = grid.n_ages;
  auto pop = by_sex_age("pop_count_age_sex_base.csv");
  auto Lx = by_sex_age("life_table_lt_nLx.csv");
  auto mig = by_sex_age("mig_net_count_age_sex.csv");
  auto fert = by_sex_age("fert_rate_age_f.csv");
  auto pub = by_sex_age("published_preston_pop_count_age_sex_rounded.csv");
  auto pub_births = by_sex_age("published_preston_birth_count_age_b_rounded.csv");
  const double srb = read_csv(fixture("../conformance/preston-box-6.2/srb.csv")).num(0, "value");
  const char* sexes[] = {"female", "male"};

  CohortArray base(CohortLayout{1, 1, grid});
  StepSchedules sch;
  sch.mortality_kind = MortalityInput::person_years;
  sch.person_years_layout = LxLayout::five_year;
  sch.radix_l0 = {100000.0, 100000.0};
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) {
      base.at(0, 0, s, i) = pop.at({sexes[s], 5 * i});
      sch.mortality.push_back(Lx.at({sexes[s], 5 * i}));
    }
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) sch.net_migrants.push_back(mig.at({sexes[s], 5 * i}));
  for (int i = 0; i < A; ++i) sch.asfr.push_back(fert.at({"female", 5 * i}));
  sch.srb = {srb};

  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.base_year = 1993;
  cfg.steps = 1;
  cfg.migration_timing = MigrationTiming::even;
  cfg.flow_policy = FlowPolicy::wpp;
  Projection projection(cfg, base);
  cohortgis::test::RecordingSink sink;
  projection.run([&](const StepContext&, StepSchedules& s) { s = sch; }, sink);
  const auto& end = sink.populations.at(1);
  EXPECT_EQ(sink.years.at(1), 1998);
  double total[2] = {0, 0};
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) {
      EXPECT_EQ(std::round(end.at(0, 0, s, i)), pub.at({sexes[s], 5 * i})) << sexes[s] << " age " << 5 * i;
      total[s] += end.at(0, 0, s, i);
    }
  // The book's totals are sums of its rounded cells.
  double rounded_total[2] = {0, 0};
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) rounded_total[s] += std::round(end.at(0, 0, s, i));
  EXPECT_EQ(rounded_total[0], 4507581.0);
  EXPECT_EQ(rounded_total[1], 4522529.0);
  EXPECT_NEAR(total[0], 4507581.0, 1.0);
  EXPECT_NEAR(total[1], 4522529.0, 1.0);
  const auto& comp = sink.components.at(0);
  for (int i = 0; i < A; ++i)
    EXPECT_EQ(std::round(comp.births_by_mother_age[static_cast<std::size_t>(i)]), pub_births.at({"both", 5 * i}))
        << "mother age " << 5 * i;
  EXPECT_TRUE(comp.overridden.empty());
  EXPECT_TRUE(comp.floored.empty());
}

// e65 from person-years: T(65) / l(65), T(65) the sum of the L rows from 65 (the open row holds T of its age), the
// UN's ex = Tx / lx (DemoTools' lt_single_mx and lt_abridged, which make ccmppWPP's life tables), by hand on each
// layout's row of age 65 (single years: row 65; abridged 0, 1–4, 5–9, …: row 14; five-year 0–4, …: row 13). Without
// l65 e65 is NaN (unknown), l65 = 0 gives 0 (nobody reaches 65: as the built tables), and e0 keeps T(0) / l0.
namespace {
// One step of one zone whose Lx rows are 1000 − 10·k (row k) with the open row `open_T`, l0 = 1000, the same for
// both sexes; returns {e0, e65} of the female table.
std::pair<double, double> person_years_e0_e65(const AgeGrid& grid, LxLayout layout, std::size_t rows, double open_T,
                                              std::vector<double> l65) {
  StepSchedules sch;
  sch.mortality_kind = MortalityInput::person_years;
  sch.person_years_layout = layout;
  sch.radix_l0 = {1000.0, 1000.0};
  sch.l65 = std::move(l65);
  for (int s = 0; s < 2; ++s)
    for (std::size_t k = 0; k < rows; ++k)
      sch.mortality.push_back(k + 1 < rows ? 1000.0 - 10.0 * static_cast<double>(k) : open_T);
  if (layout == LxLayout::five_year)  // 5L0 of a five-year row: at most 5 l0 (S of births ≤ 1)
    for (int s = 0; s < 2; ++s) sch.mortality[static_cast<std::size_t>(s) * rows] = 4000.0;
  sch.asfr.assign(static_cast<std::size_t>(grid.n_ages), 0.0);
  sch.srb = {1.05};
  CohortArray base(CohortLayout{1, 1, grid});
  for (double& v : base.storage()) v = 100.0;
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.base_year = 2020;
  cfg.steps = 1;
  Projection projection(cfg, base);
  cohortgis::test::RecordingSink sink;
  projection.run([&](const StepContext&, StepSchedules& s) { s = sch; }, sink);
  const StepComponents& c = sink.components.at(0);
  return {c.e0.at(0), c.e65.at(0)};
}
}  // namespace

TEST(PersonYearsLifeExpectancy, E65IsT65OverL65ByHandOnEveryLayout) {
  // Single years, open at 70: T(65) = 350 + 340 + 330 + 320 + 310 + 2000 (rows 65–69 and 70+).
  const double T65_single = 350.0 + 340.0 + 330.0 + 320.0 + 310.0 + 2000.0;
  auto [e0, e65] = person_years_e0_e65(AgeGrid::single_year(70), LxLayout::single_year, 71, 2000.0, {360.0, 360.0});
  EXPECT_DOUBLE_EQ(e65, T65_single / 360.0);
  double T0 = 2000.0;
  for (int k = 0; k < 70; ++k) T0 += 1000.0 - 10.0 * k;
  EXPECT_DOUBLE_EQ(e0, T0 / 1000.0);
  // Abridged rows 0, 1–4, 5–9, …, 85+ (19 rows on a five-year grid open at 85): 65–69 is row 14.
  const double T65_abridged = 860.0 + 850.0 + 840.0 + 830.0 + 9000.0;  // rows 14 … 17 and 85+
  EXPECT_DOUBLE_EQ(person_years_e0_e65(AgeGrid::five_year(85), LxLayout::abridged, 19, 9000.0, {400.0, 400.0}).second,
                   T65_abridged / 400.0);
  // Five-year rows 0–4, 5–9, …, 85+ (18 rows): 65–69 is row 13.
  const double T65_five = 870.0 + 860.0 + 850.0 + 840.0 + 9000.0;  // rows 13 … 16 and 85+
  EXPECT_DOUBLE_EQ(person_years_e0_e65(AgeGrid::five_year(85), LxLayout::five_year, 18, 9000.0, {400.0, 400.0}).second,
                   T65_five / 400.0);
  // The open row starting at 65: T(65) is that row alone.
  EXPECT_DOUBLE_EQ(
      person_years_e0_e65(AgeGrid::single_year(65), LxLayout::single_year, 66, 2000.0, {360.0, 360.0}).second,
      2000.0 / 360.0);
  // No l65: unknown; l65 = 0: 0; a grid open below 65: unknown.
  EXPECT_TRUE(std::isnan(person_years_e0_e65(AgeGrid::single_year(70), LxLayout::single_year, 71, 2000.0, {}).second));
  EXPECT_EQ(person_years_e0_e65(AgeGrid::single_year(70), LxLayout::single_year, 71, 2000.0, {0.0, 0.0}).second, 0.0);
  EXPECT_TRUE(std::isnan(
      person_years_e0_e65(AgeGrid::single_year(60), LxLayout::single_year, 61, 2000.0, {360.0, 360.0}).second));
}

// Steps handed by reference (run_shared) reuse the last step's life tables when their mortality is the same
// (same_mortality): l65 is part of it, so a step whose l65 alone changed gets its own e65, not the last step's.
TEST(PersonYearsLifeExpectancy, ANewL65AloneIsNewMortality) {
  const AgeGrid grid = AgeGrid::single_year(70);
  StepSchedules first;
  first.mortality_kind = MortalityInput::person_years;
  first.radix_l0 = {1000.0, 1000.0};
  first.l65 = {360.0, 360.0};
  for (int s = 0; s < 2; ++s)
    for (int k = 0; k <= 70; ++k) first.mortality.push_back(k < 70 ? 1000.0 - 10.0 * k : 2000.0);
  first.asfr.assign(71, 0.0);
  first.srb = {1.05};
  StepSchedules second = first;
  second.l65 = {300.0, 300.0};
  CohortArray base(CohortLayout{1, 1, grid});
  for (double& v : base.storage()) v = 100.0;
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.base_year = 2020;
  cfg.steps = 2;
  Projection projection(cfg, base);
  cohortgis::test::RecordingSink sink;
  projection.run_shared(
      [&](const StepContext& ctx, StepSchedules&) -> const StepSchedules& { return ctx.step == 0 ? first : second; },
      sink);
  const double T65 = 350.0 + 340.0 + 330.0 + 320.0 + 310.0 + 2000.0;
  EXPECT_DOUBLE_EQ(sink.components.at(0).e65.at(0), T65 / 360.0);
  EXPECT_DOUBLE_EQ(sink.components.at(1).e65.at(0), T65 / 300.0);
}

// A3 step 4 alone: B(x) = z · F(x) · (A(x) + Q(x)) / 2 for 1 ≤ x < w, and their total summed in long double (R's
// sum()) from the first to the last age with births. The fertile ages include both ends of that range (1 and w − 1),
// where a scan for the range could stop one age short.
TEST(StepKernelBirths, TotalIsTheSumOfTheFertileAgesByHand) {
  const AgeGrid grid = AgeGrid::single_year(10);  // ages 0 … 9, 10+ (w = 10)
  std::vector<double> F(11, 0.0), A(11), E(11, 0.0), D(11, 0.0), Q(11), B(11, -1.0);
  for (std::size_t i = 0; i < 11; ++i) {
    A[i] = 100.0 + static_cast<double>(i);
    Q[i] = 90.0 + static_cast<double>(i);
  }
  F[1] = 0.1;  // B = 0.1 · (101 + 91) / 2 = 9.6
  F[5] = 0.2;  // B = 0.2 · (105 + 95) / 2 = 20
  F[9] = 0.3;  // B = 0.3 · (109 + 99) / 2 = 31.2
  const SexStepBuffers women{A, E, D, Q};
  const double total = births_by_age_of_mother(grid, F, women, B, {});
  EXPECT_NEAR(B[1], 9.6, 1e-12);
  EXPECT_NEAR(B[5], 20.0, 1e-12);
  EXPECT_NEAR(B[9], 31.2, 1e-12);
  for (std::size_t i : {0, 2, 3, 4, 6, 7, 8, 10}) EXPECT_EQ(B[i], 0.0) << "age " << i;
  EXPECT_NEAR(total, 60.8, 1e-12);
  const long double sum = static_cast<long double>(B[1]) + B[5] + B[9];  // the same additions, in age order
  EXPECT_EQ(total, static_cast<double>(sum));
}

TEST(StepKernelBirths, NoFertileAgeGivesNoBirths) {
  const AgeGrid grid = AgeGrid::single_year(10);
  std::vector<double> F(11, 0.0), A(11, 50.0), E(11, 0.0), D(11, 0.0), Q(11, 40.0), B(11, -1.0);
  const SexStepBuffers women{A, E, D, Q};
  EXPECT_EQ(births_by_age_of_mother(grid, F, women, B, {}), 0.0);
  for (double b : B) EXPECT_EQ(b, 0.0);
}

// A non-finite exposure makes B NaN even where F = 0 (0 · NaN); such an age counts as one with births, so the total
// is NaN, never a finite number that hides it. Below and above the fertile age.
TEST(StepKernelBirths, NaNAtAChildlessAgeIsNotLeftOut) {
  const AgeGrid grid = AgeGrid::single_year(10);
  for (std::size_t bad : {std::size_t{1}, std::size_t{9}}) {
    std::vector<double> F(11, 0.0), A(11, 50.0), E(11, 0.0), D(11, 0.0), Q(11, 40.0), B(11, -1.0);
    F[4] = 0.2;
    A[bad] = std::nan("");
    const SexStepBuffers women{A, E, D, Q};
    EXPECT_TRUE(std::isnan(births_by_age_of_mother(grid, F, women, B, {}))) << "NaN at age " << bad;
  }
}

// The step's births kernel (detail::births_by_age_bits): B and the exposure by age, the OR of F's bits and the range
// of ages with births, against the formula age by age, for open ages 2 … 20 and 101 (the vector loop's blocks of
// eight and the last block again where w − 1 is not a multiple of eight, and its one-age-at-a-time loop below nine
// ages) and every last age with births: ±0 rates above it (−0 is no birth), a NaN exposure at a childless age that
// counts as one, the range's scan across blocks (sixteen ages, narrowed to eight and four; blocks of four below 17);
// childless ages (±0 rates) below the first with births, which the range leaves out (blocks of four, then age by
// age): the births' long double sum over the range is the sum over every age 1 … w − 1 from +0, bit for bit.
TEST(StepKernelBirths, EveryAgeRangeAndBitsAsTheFormulaAgeByAge) {
  const auto bits_of = [](double x) {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
  };
  int cases = 0;
  for (int open : {2, 3, 4, 5, 8, 9, 10, 11, 12, 16, 17, 18, 20, 24, 33, 101})
    for (const AgeGrid grid : {AgeGrid::single_year(open), AgeGrid{5, open + 1}}) {
      const std::size_t w = static_cast<std::size_t>(open), n = w + 1;
      const double z = grid.width_years;
      // last: the last age with births (0: none); nan_at: a childless age whose exposure is NaN (0: none).
      for (std::size_t last = 0; last < w; ++last)
        for (const std::size_t first : {1u, 2u, 4u, 5u, 6u, 9u, 14u})
          for (const bool nan_above : {false, true})
            for (const bool exposure : {false, true}) {
              if (first > std::max<std::size_t>(last, 1)) continue;
              std::vector<double> F(n, 0.0), A(n), Q(n), B(n, -7.0), X(exposure ? n : 0, -7.0);
              for (std::size_t i = 0; i < n; ++i) {
                A[i] = 1000.0 + 3.25 * static_cast<double>(i);
                Q[i] = 900.0 + 1.5 / (1.0 + static_cast<double>(i));
                // Rates at ages first … last, some of them 0 (childless ages inside the range); ±0 below and above.
                if (i >= first && i <= last)
                  F[i] = (i % 3 == 2 && i != last && i != first) ? 0.0 : 0.01 * static_cast<double>(i % 7 + 1);
                if ((i > last || i < first) && i % 2 == 1) F[i] = -0.0;
              }
              F[0] = 0.125;  // outside 1 … w − 1: no births, but in the bits
              F[w] = 3.0;
              std::size_t want_hi = last == 0 ? 0 : last + 1;
              if (nan_above && last + 1 < w) {
                A[w - 1] = std::nan("");  // 0 · NaN: a birth (NaN) at a childless age
                want_hi = w;
              }
              std::uint64_t bits = 0, want_bits = 0;
              for (std::size_t i = 0; i < n; ++i) want_bits |= bits_of(F[i]);
              const detail::BirthsRange r = detail::births_by_age_bits(
                  {w, z, F.data(), A.data(), Q.data(), B.data(), exposure ? X.data() : nullptr}, bits);
              const std::string where = "open " + std::to_string(open) + ", z " + std::to_string(z) + ", first " +
                                        std::to_string(first) + ", last " + std::to_string(last) +
                                        (nan_above ? ", NaN above" : "") + (exposure ? ", exposure" : "");
              ASSERT_EQ(bits, want_bits) << where;
              ASSERT_EQ(r.hi, want_hi) << where;
              std::size_t want_lo = 0;       // the first age with births (B not ±0), 0 without
              long double every_age = 0.0L;  // the births' sum over every age, as R's sum() in long double
              for (std::size_t i = 0; i < n; ++i) {
                const double aq = A[i] + Q[i];
                const double b = (i == 0 || i == w) ? 0.0 : z * F[i] * aq / 2.0;
                if (want_lo == 0 && (bits_of(b) << 1) != 0) want_lo = i;
                every_age += b;
                ASSERT_EQ(bits_of(B[i]), bits_of(b)) << where << ", age " << i;
                if (exposure) {
                  const double x = (i == 0 || i == w) ? 0.0 : z * aq / 2.0;
                  ASSERT_EQ(bits_of(X[i]), bits_of(x)) << where << ", age " << i;
                }
              }
              // The public kernel (the same loop, without the bits): the same B and exposure, their sum over the range.
              std::vector<double> E(n, 0.0), D(n, 0.0), B2(n, -7.0), X2(exposure ? n : 0, -7.0);
              const double total = births_by_age_of_mother(grid, F, SexStepBuffers{A, E, D, Q}, B2, X2);
              ASSERT_EQ(std::memcmp(B2.data(), B.data(), n * sizeof(double)), 0) << where;
              if (exposure) {
                ASSERT_EQ(std::memcmp(X2.data(), X.data(), n * sizeof(double)), 0) << where;
              }
              ASSERT_EQ(r.lo, want_lo) << where;
              const double want = static_cast<double>(every_age);
              ASSERT_EQ(bits_of(detail::sum_births(B.data(), r)), bits_of(want)) << where;
              ASSERT_EQ(bits_of(total), bits_of(want)) << where;
              ++cases;
            }
    }
  EXPECT_GT(cases, 1000);
}

// The step's sums over age per state (detail::sum_ages_states: eight chains in one loop, four states of D and M or
// eight of D, then one state at a time; on an AVX-512 CPU from eight ages on the eight chains in the lanes of one
// vector, blocks of eight ages transposed and the ages after them as the last eight again, of which only the rows not
// yet added are added): each sum the left-to-right sum of its own vector from +0, bit for bit, for any number of
// states and ages (every remainder of ages mod 8). The values span twenty orders of magnitude, so another order or
// pairing gives other bits; each state's values differ, so a sum in another state's lane differs; some are ±0, and one
// state's vector is all −0 (its sum +0, as 0.0 + −0).
TEST(StepKernelSums, EachStatesSumIsItsOwnLeftToRightSum) {
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
  const auto next = [&seed]() {
    const double u = next_unit(seed);
    if (seed % 13 == 0) return seed % 2 == 0 ? 0.0 : -0.0;
    return (u - 0.3) * std::pow(10.0, static_cast<double>(seed % 21) - 10.0);
  };
  const auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  std::size_t cases = 0;
  for (std::size_t states : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 12u, 16u, 17u})
    for (std::size_t n : {1u,  2u,  3u,  4u,  5u,  7u,  8u,  9u,  10u, 11u, 12u, 13u,  14u, 15u,
                          16u, 17u, 18u, 19u, 20u, 21u, 22u, 23u, 24u, 25u, 31u, 101u, 202u})
      for (const bool with_m : {false, true}) {
        std::vector<double> D(states * n), M(states * n), D_sum(states, -1.0), M_sum(states, -1.0);
        for (double& x : D) x = next();
        for (double& x : M) x = next();
        if (states > 2) std::fill_n(D.begin() + static_cast<std::ptrdiff_t>(2 * n), n, -0.0);  // state 2's D
        detail::sum_ages_states(D.data(), D_sum.data(), with_m ? M.data() : nullptr, M_sum.data(), states, n);
        for (std::size_t k = 0; k < states; ++k) {
          double d = 0.0, m = 0.0;
          for (std::size_t i = 0; i < n; ++i) {
            d += D[k * n + i];
            m += M[k * n + i];
          }
          const std::string where =
              std::to_string(states) + " states, " + std::to_string(n) + " ages, state " + std::to_string(k);
          ASSERT_TRUE(same(D_sum[k], d)) << where << ": " << D_sum[k] << " against " << d;
          if (with_m)
            ASSERT_TRUE(same(M_sum[k], m)) << where << ": " << M_sum[k] << " against " << m;
          else
            ASSERT_EQ(M_sum[k], -1.0) << where;  // M's sums untouched without M
          ++cases;
        }
      }
  EXPECT_EQ(cases, 2u * 27u * (1 + 2 + 3 + 4 + 5 + 7 + 8 + 9 + 12 + 16 + 17));
}

// The fused path's A3 steps 1–3 and step 7 of ages 1 … w for a zone's states in one call
// (detail::survive_and_close_states: eight ages a loop step, the ages left as the last four; A = P + E and E = M/2
// made from P and M): D, Q and P_end of every state and age the bits of the formula age by age, D[0] = Q[0] = 0,
// P_end[0] left alone, and each state's flag set exactly when one of its cells of ages 1 … w was floored — for every
// open age 1–40 and 100, with net migrants whose halves round (subnormal, odd) and ±0, and with the only
// floored cell (Q < 0 or NaN) at each age in turn, in one state while its neighbours have none.
TEST(StepKernelSurvive, EveryStateAndAgeAsTheFormulaAgeByAge) {
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  std::uint64_t seed = 0x2545f4914f6cdd1dULL;
  const auto unit = [&seed]() { return next_unit(seed); };
  std::size_t cases = 0;
  std::vector<std::size_t> opens;
  for (std::size_t w = 1; w <= 40; ++w) opens.push_back(w);
  opens.push_back(100);
  for (const std::size_t w : opens) {
    const std::size_t n = w + 1, states = 3;
    // bad = 0: nothing floored; bad = j (1 … w): state 1's age j floored, by a negative Q, or NaN where j is odd.
    for (std::size_t bad = 0; bad <= w; ++bad) {
      std::vector<double> S(states * n), P0(states * n), M(states * n);
      for (std::size_t c = 0; c < states * n; ++c) {
        S[c] = 0.5 + 0.5 * unit();  // with P ≥ 12 and M ≥ −4: A ≥ 10, E ≥ −2, Q ≥ 5 − 2 > 0 unless planted
        P0[c] = 12.0 + 1000.0 * unit();
        const double m[] = {4.0 * (unit() - 0.5), 3 * kTiny, -0.0, 0.0, -kTiny};
        M[c] = m[c % 5];
      }
      if (bad > 0) {
        const std::size_t c = n + bad;
        M[c] = bad % 2 == 1 ? std::nan("") : -2e6;
      }
      std::vector<double> A(states * n), E(states * n);  // A3 step 1 as survive_cohorts makes it
      for (std::size_t c = 0; c < states * n; ++c) {
        E[c] = M[c] / 2.0;
        A[c] = P0[c] + E[c];
      }
      std::vector<double> D(states * n, -7.0), Q(states * n, -7.0), P(states * n, -7.0);
      std::vector<unsigned char> floored(states, 9);
      detail::survive_and_close_states(w, states, S.data(), P0.data(), M.data(), D.data(), Q.data(), P.data(),
                                       floored.data());
      for (std::size_t k = 0; k < states; ++k) {
        const std::size_t o = k * n;
        bool any = false;
        const std::string where =
            "w " + std::to_string(w) + ", bad " + std::to_string(bad) + ", state " + std::to_string(k);
        for (std::size_t i = 1; i <= w; ++i) {
          const double a = i < w ? A[o + i - 1] : A[o + w - 1] + A[o + w];
          const double d = (1.0 - S[o + i]) * a;
          const double q = a - d + E[o + i];
          const double p = q >= 0.0 ? q : kFloorPersons;
          any = any || !(q >= 0.0);
          ASSERT_EQ(std::memcmp(&D[o + i], &d, sizeof d), 0) << where << ", age " << i;
          ASSERT_EQ(std::memcmp(&Q[o + i], &q, sizeof q), 0) << where << ", age " << i;
          ASSERT_EQ(std::memcmp(&P[o + i], &p, sizeof p), 0) << where << ", age " << i;
        }
        ASSERT_EQ(D[o], 0.0) << where;
        ASSERT_EQ(Q[o], 0.0) << where;
        ASSERT_EQ(P[o], -7.0) << where;  // age 0: close_age0's, once births are known
        ASSERT_EQ(floored[k], any ? 1 : 0) << where;
        ASSERT_EQ(any, k == 1 && bad > 0) << where;  // the planted cell, and only it, floors
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 2000u);
}

// A zone's two groups in one call (detail::births_by_age_bits_states): each state's B, exposure, bits and range those
// of a call of its own — the states' fertile ages, exposures and bits differ, and one rate is negative.
TEST(StepKernelBirths, TwoStatesInOneCallAreEachStatesOwnCall) {
  std::uint64_t seed = 0x853c49e6748fea9bULL;
  for (const std::size_t w : {5u, 20u, 100u}) {
    const std::size_t n = w + 1;
    std::vector<double> F(2 * n, 0.0), A(2 * n), Q(2 * n);
    for (std::size_t i = 0; i < 2 * n; ++i) {
      A[i] = 100.0 * next_unit(seed);
      Q[i] = 100.0 * next_unit(seed);
    }
    for (std::size_t i = 1; i < w; ++i) {
      if (i >= w / 4 && i < w / 2) F[i] = 0.1 * next_unit(seed);      // state 0: the lower ages
      if (i >= w / 2 && i + 1 < w) F[n + i] = 0.2 * next_unit(seed);  // state 1: the upper ages
    }
    F[n + w / 2] = -0.01;  // state 1's bits only
    std::vector<double> B(2 * n, -1.0), E(2 * n, -1.0), B1(2 * n, -1.0), E1(2 * n, -1.0);
    const auto state = [&](std::size_t k, std::vector<double>& b, std::vector<double>& e) {
      return detail::BirthsOfState{
          w, 1.0, F.data() + k * n, A.data() + k * n, Q.data() + k * n, b.data() + k * n, e.data() + k * n};
    };
    const detail::BirthsOfState both[2] = {state(0, B, E), state(1, B, E)};
    detail::BirthsRange r[2];
    std::uint64_t bits[2] = {0, 0};
    detail::births_by_age_bits_states(both, 2, r, bits);
    for (std::size_t k = 0; k < 2; ++k) {
      std::uint64_t one_bits = 0;
      const detail::BirthsRange one = detail::births_by_age_bits(state(k, B1, E1), one_bits);
      EXPECT_EQ(r[k].lo, one.lo) << "w " << w << ", state " << k;
      EXPECT_EQ(r[k].hi, one.hi) << "w " << w << ", state " << k;
      EXPECT_EQ(bits[k], one_bits) << "w " << w << ", state " << k;
    }
    EXPECT_NE(bits[0], bits[1]);
    EXPECT_NE(r[0].hi, r[1].hi);
    EXPECT_EQ(std::memcmp(B.data(), B1.data(), B.size() * sizeof(double)), 0) << "w " << w;
    EXPECT_EQ(std::memcmp(E.data(), E1.data(), E.size() * sizeof(double)), 0) << "w " << w;
  }
}

// The fused path's births (BirthsOfState::M set: A = P + M/2 made in the pass from the start population and the net
// migrants) against the births from A made first as survive_cohorts makes it, bit for bit: B, the exposure, the bits
// and the range, for open ages below nine (one age at a time) and above (blocks of eight), one- and five-year steps,
// with and without the exposure, and M with ±0 and odd subnormals (halves that round).
TEST(StepKernelBirths, FromPAndMAsFromAMadeFirst) {
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  std::uint64_t seed = 0x6a09e667f3bcc909ULL;
  std::size_t cases = 0;
  for (const std::size_t w : {3u, 5u, 8u, 9u, 12u, 20u, 100u})
    for (const double z : {1.0, 5.0})
      for (const bool exposure : {false, true}) {
        const std::size_t n = w + 1;
        std::vector<double> F(n, 0.0), P(n), M(n), A(n), Q(n);
        for (std::size_t i = 0; i < n; ++i) {
          P[i] = 100.0 * next_unit(seed);
          const double m[] = {40.0 * (next_unit(seed) - 0.5), 3 * kTiny, -0.0, 0.0, -kTiny};
          M[i] = m[i % 5];
          A[i] = P[i] + M[i] / 2.0;
          Q[i] = 100.0 * next_unit(seed);
          if (i > 0 && i < w) F[i] = 0.1 * next_unit(seed);
        }
        std::vector<double> B(n, -1.0), X(n, -1.0), B1(n, -1.0), X1(n, -1.0);
        detail::BirthsOfState pm{w, z, F.data(), P.data(), Q.data(), B.data(), exposure ? X.data() : nullptr};
        pm.M = M.data();
        const detail::BirthsOfState a{w, z, F.data(), A.data(), Q.data(), B1.data(), exposure ? X1.data() : nullptr};
        std::uint64_t bits = 0, bits1 = 0;
        const detail::BirthsRange r = detail::births_by_age_bits(pm, bits), r1 = detail::births_by_age_bits(a, bits1);
        const std::string where = "w " + std::to_string(w) + ", z " + std::to_string(z);
        EXPECT_EQ(r.lo, r1.lo) << where;
        EXPECT_EQ(r.hi, r1.hi) << where;
        EXPECT_EQ(bits, bits1) << where;
        EXPECT_EQ(std::memcmp(B.data(), B1.data(), n * sizeof(double)), 0) << where;
        EXPECT_EQ(std::memcmp(X.data(), X1.data(), n * sizeof(double)), 0) << where;
        ++cases;
      }
  EXPECT_EQ(cases, 28u);
}
