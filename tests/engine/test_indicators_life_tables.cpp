// SPDX-License-Identifier: Apache-2.0
// Part C of docs/ccmpp.md, the indicators from death rates: e0 and e65 of a state's and an aggregate's life tables,
// the "all" slot of two groups against its states' sums, the median age. Split from test_indicators.cpp (same test
// program).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_cases.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using test::cells;
using test::kInf;
using test::MultiCase;

// ---------------------------------------------------------------------------------------------------------------
// e0 and e65 from death rates: a single state takes its life table's values; an aggregate of states with the same
// mx pools the rates (weighted by mid-step persons) and so gets the same table.
namespace {

// One zone of two groups on a single-year grid to 100+, each state with persons falling with age and death rates of
// its own, births and deaths recorded: the "all" slot tests' case. Without women aged 30 where `no_women_30`.
struct TwoGroupZone {
  AgeGrid grid = AgeGrid::single_year(100);
  CohortArray start, end;
  std::vector<double> mx;
  StepComponents comp;
  explicit TwoGroupZone(bool no_women_30)
      : start(CohortLayout{1, 2, grid}),
        end(CohortLayout{1, 2, grid}),
        mx(CohortLayout{1, 2, grid}.cells()),
        comp(test::state_components(2, grid.n_ages, 70.0, 15.0)) {
    const int G = 2, A = grid.n_ages;
    comp.births = {300.0, 310.0, 200.0, 205.0};
    comp.deaths_by_state.assign(uz(G * 2), 10.0);
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          const bool empty = no_women_30 && s == 0 && i == 30;
          start.at(0, g, s, i) = empty ? 0.0 : 700.0 / (1.0 + 0.2 * i + 0.3 * g);
          end.at(0, g, s, i) = empty ? 0.0 : 690.0 / (1.0 + 0.21 * i + 0.2 * g);
          mx[(uz(g) * 2 + uz(s)) * uz(A) + uz(i)] = (0.0003 + 0.0002 * g) * std::exp(0.085 * i) + 0.0001 * s;
        }
  }
};

// Abridged mx rows 0, 1-4, 5-9, …, 85+ (19 rows): a plain Gompertz-like shape.
std::vector<double> abridged_mx() {
  std::vector<double> mx{0.02, 0.002};
  for (int age = 5; age < 85; age += 5) mx.push_back(0.0004 * std::exp(0.08 * (age - 5)));
  mx.push_back(0.25);
  return mx;
}

MultiCase death_rates_case(const AgeGrid& grid, const std::vector<double>& mx_f, const std::vector<double>& mx_m) {
  MultiCase c;
  c.grid = grid;
  c.zones = 2;
  c.groups = 1;
  c.kind = MortalityInput::death_rates;
  const std::size_t A = uz(grid.n_ages);
  for (int z = 0; z < 2; ++z) {
    for (int s = 0; s < 2; ++s)
      for (std::size_t i = 0; i < A; ++i) c.base.push_back((z == 0 ? 1000.0 : 400.0) + 10.0 * static_cast<double>(i));
    c.mortality.insert(c.mortality.end(), mx_f.begin(), mx_f.end());
    c.mortality.insert(c.mortality.end(), mx_m.begin(), mx_m.end());
    std::vector<double> F(A, 0.0);
    for (std::size_t i = 1; i + 1 < A; ++i) F[i] = 0.05;
    c.asfr.insert(c.asfr.end(), F.begin(), F.end());
  }
  c.srb = {1.05, 1.05};
  c.aggregates = {{"pair", {0, 1}}};
  return c;
}

}  // namespace

TEST(IndicatorsLifeTable, AbridgedE0AndE65SingleStateAndPooledAggregate) {
  const std::vector<double> mx_f = abridged_mx();
  std::vector<double> mx_m = mx_f;
  for (double& m : mx_m) m *= 1.3;
  auto sink = death_rates_case(AgeGrid::five_year(85), mx_f, mx_m).run();
  const IndicatorTable& t = sink.indicators.at(0);
  // The life table is tested against published tables elsewhere; here it is the reference.
  const LifeTable lf = abridged_life_table(mx_f, Sex::female), lm = abridged_life_table(mx_m, Sex::male);
  const double e65_f = lf.ex[lf.row_of_age(65)], e65_m = lm.ex[lm.row_of_age(65)];
  ASSERT_TRUE(std::isfinite(lf.ex[0]));
  for (std::size_t u : {std::size_t{0}, std::size_t{1}, t.unit_index("pair"), t.unit_index("total")})
    for (std::size_t slot : {std::size_t{0}, std::size_t{1}}) {  // the only group, and "all"
      SCOPED_TRACE(t.unit_names[u] + "/" + t.group_names[slot]);
      EXPECT_NEAR(t.get(u, slot, Indicator::e0_female), lf.ex[0], 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e0_male), lm.ex[0], 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e65_female), e65_f, 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e65_male), e65_m, 1e-9);
      // Both sexes: the radices in the ratio of the births, 105 boys per 100 girls (c.srb).
      EXPECT_NEAR(t.get(u, slot, Indicator::e0), (lf.ex[0] + 1.05 * lm.ex[0]) / 2.05, 1e-9);
    }
  // TFR of the schedule: z·ΣF = 5 · 16 · 0.05 = 4 (indexes 1-16), single state and pooled.
  EXPECT_NEAR(t.get(0, 0, Indicator::tfr), 4.0, 1e-12);
  EXPECT_NEAR(t.get(t.unit_index("pair"), 1, Indicator::tfr), 4.0, 1e-12);
}

// Rates given past the 85+ grid's open age (StepSchedules::mortality_next, the table's own 85-89 rate): every state's
// table is closed in DemoTools' OAnew order, and so are the pooled tables of the zones' "all" slots, of "pair" and of
// "total": the states' rates are the same, so are the pooled ones, next rate included (before round 23 the pooled
// tables took the pooled open rate as 80-84's next rate: e0 4e-3 years off here).
TEST(IndicatorsLifeTable, AbridgedE0WithRatesPastTheOpenAgeSingleStateAndPooledAggregate) {
  const std::vector<double> mx_f = abridged_mx();
  std::vector<double> mx_m = mx_f;
  for (double& m : mx_m) m *= 1.3;
  const double next_f = 0.12, next_m = 0.16;  // between 80-84's rate and the open rate
  MultiCase c = death_rates_case(AgeGrid::five_year(85), mx_f, mx_m);
  c.groups = 2;  // each zone's two groups the same: its "all" slot pools them
  c.group_names = {"a", "b"};
  for (auto* v : {&c.base, &c.mortality, &c.asfr}) {
    const std::size_t per_group = v->size() / 2;  // [zone][group = 0][…] → the group twice
    std::vector<double> twice;
    for (std::size_t z = 0; z < 2; ++z)
      for (int g = 0; g < 2; ++g)
        twice.insert(twice.end(), v->begin() + static_cast<long>(z * per_group),
                     v->begin() + static_cast<long>((z + 1) * per_group));
    *v = twice;
  }
  for (std::size_t i = 0; i < c.base.size(); ++i) c.base[i] *= 1.0 + 0.001 * static_cast<double>(i % 7);
  for (int t = 0; t < 4; ++t) c.mortality_next.insert(c.mortality_next.end(), {next_f, next_m});
  auto sink = c.run();
  const IndicatorTable& t = sink.indicators.at(0);
  LifeTable lf, lm;
  build_abridged_life_table_closed_above(mx_f, next_f, Sex::female, {}, lf);
  build_abridged_life_table_closed_above(mx_m, next_m, Sex::male, {}, lm);
  ASSERT_GT(std::abs(lf.ex[0] - abridged_life_table(mx_f, Sex::female).ex[0]), 1e-3);
  for (std::size_t u : {std::size_t{0}, std::size_t{1}, t.unit_index("pair"), t.unit_index("total")})
    for (std::size_t slot : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {  // a, b and "all"
      SCOPED_TRACE(t.unit_names[u] + "/" + t.group_names[slot]);
      EXPECT_NEAR(t.get(u, slot, Indicator::e0_female), lf.ex[0], 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e0_male), lm.ex[0], 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e65_female), lf.ex[lf.row_of_age(65)], 1e-9);
      EXPECT_NEAR(t.get(u, slot, Indicator::e65_male), lm.ex[lm.row_of_age(65)], 1e-9);
    }
}

TEST(IndicatorsLifeTable, SingleYearE0SingleStateAndPooledAggregate) {
  // Ages 0, 1, 2, 3, 4+.
  const std::vector<double> mx_f{0.05, 0.01, 0.02, 0.05, 0.3}, mx_m{0.06, 0.012, 0.025, 0.06, 0.35};
  auto sink = death_rates_case(AgeGrid::single_year(4), mx_f, mx_m).run();
  const IndicatorTable& t = sink.indicators.at(0);
  const double e0_f = single_year_life_table(mx_f, Sex::female).ex[0];
  const double e0_m = single_year_life_table(mx_m, Sex::male).ex[0];
  ASSERT_TRUE(std::isfinite(e0_f));
  EXPECT_NEAR(sink.components.at(0).e0[0], e0_f, 1e-12);
  for (std::size_t u : {std::size_t{0}, std::size_t{1}, t.unit_index("pair"), t.unit_index("total")}) {
    SCOPED_TRACE(t.unit_names[u]);
    EXPECT_NEAR(t.get(u, 0, Indicator::e0_female), e0_f, 1e-9);
    EXPECT_NEAR(t.get(u, 0, Indicator::e0_male), e0_m, 1e-9);
    EXPECT_NEAR(t.get(u, 1, Indicator::e0_female), e0_f, 1e-9);
    // No age 65 on this grid.
    EXPECT_TRUE(std::isnan(t.get(u, 0, Indicator::e65_female)));
  }
  // TFR on single years: ΣF = 3 · 0.05 = 0.15 (ages 1-3).
  EXPECT_NEAR(t.get(0, 0, Indicator::tfr), 0.15, 1e-12);
  EXPECT_NEAR(t.get(t.unit_index("total"), 0, Indicator::tfr), 0.15, 1e-12);
}

// A zone's "all" slot of two groups (its sums written in one pass from the two states): the bits of the sums made by
// hand one state after the other from +0, and of the pooled life table built from them, on a single-year grid with
// death rates; the rates per 1,000, the sex ratio at birth and e0 of both sexes from them (the slot's tables wait for
// a batch of zones'); each group slot's from its state's numbers, schedule, e0 and e65.
TEST(IndicatorsProjection, TwoGroupAllSlotIsTheBitsOfTheStateSums) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int Z = 2, G = 2, A = grid.n_ages;
  const CohortLayout L{Z, G, grid};
  CohortArray start(L), end(L);
  std::vector<double> mx(L.cells()), asfr(uz(Z * G * A), 0.0);
  StepComponents comp = cohortgis::test::state_components(Z * G, A, 70.0, 15.0);
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g) {
      const std::size_t st = uz(z * G + g);
      for (int s = 0; s < 2; ++s) {
        for (int i = 0; i < A; ++i) {
          start.at(z, g, s, i) = 900.0 / (1.0 + 0.29 * i + 0.11 * z + 0.6 * g + 0.1 * s);
          end.at(z, g, s, i) = 880.0 / (1.0 + 0.3 * i + 0.1 * z + 0.5 * g + 0.1 * s);
          mx[(st * 2 + uz(s)) * uz(A) + uz(i)] = (0.0002 + 0.0001 * g) * std::exp(0.09 * i) + 0.0003 * s;
        }
        comp.births[st * 2 + uz(s)] = 300.0 + 10.0 * z + 5.0 * g + s;
        comp.deaths_by_state[st * 2 + uz(s)] = 200.0 + 3.0 * z + g + 0.5 * s;
        comp.net_migrants_by_state[st * 2 + uz(s)] = -20.0 + 7.0 * z + 2.0 * g + s;
        comp.e0[st * 2 + uz(s)] = 70.0 + z + 2.0 * g + 0.5 * s;  // each state its own (the group slots read them)
        comp.e65[st * 2 + uz(s)] = 15.0 + 0.5 * z + g + 0.25 * s;
      }
      for (int i = 15; i < 50; ++i) {
        comp.births_by_mother_age[st * uz(A) + uz(i)] = 10.0 + 0.3 * i + g;
        comp.women_exposure[st * uz(A) + uz(i)] = 400.0 - 2.0 * i + 5.0 * g + z;
        asfr[st * uz(A) + uz(i)] = 0.03 + 0.001 * g + 0.0001 * (i % 7);
      }
    }
  IndicatorTable t;
  compute_indicators(start, end, comp, asfr, mx, {"a", "b"}, {"g0", "g1"}, {}, {}, LifeTableMethod{}, t);
  for (int z = 0; z < Z; ++z) {
    SCOPED_TRACE(z);
    const std::size_t sa = uz(z * G), sb = sa + 1;
    double pop[2] = {0.0, 0.0}, start_total = 0.0, tfr = 0.0;
    std::vector<double> pooled[2];
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) {
        double p = 0.0, p0 = 0.0, num = 0.0, den = 0.0;
        p += end.at(z, 0, s, i), p += end.at(z, 1, s, i);
        p0 += start.at(z, 0, s, i), p0 += start.at(z, 1, s, i);
        pop[s] += p;
        for (int g = 0; g < G; ++g) {
          const double w = (start.at(z, g, s, i) + end.at(z, g, s, i)) / 2.0;
          num += mx[((sa + uz(g)) * 2 + uz(s)) * uz(A) + uz(i)] * w;
          den += w;
        }
        pooled[s].push_back(num / den);
        if (s == 0) start_total += p0;
      }
    for (int i = 0; i < A; ++i) start_total += (0.0 + start.at(z, 0, 1, i)) + start.at(z, 1, 1, i);
    for (int i = 0; i < A; ++i) {
      const auto& bma = comp.births_by_mother_age;
      const auto& expo = comp.women_exposure;
      const double b = (0.0 + bma[sa * uz(A) + uz(i)]) + bma[sb * uz(A) + uz(i)];
      const double e = (0.0 + expo[sa * uz(A) + uz(i)]) + expo[sb * uz(A) + uz(i)];
      if (e > 0.0) tfr += b / e;
    }
    const double births_f = (0.0 + comp.births[sa * 2]) + comp.births[sb * 2];
    const double births_m = (0.0 + comp.births[sa * 2 + 1]) + comp.births[sb * 2 + 1];
    double deaths = 0.0, net = 0.0;
    for (std::size_t st : {sa, sb})
      for (int s = 0; s < 2; ++s) {
        deaths += comp.deaths_by_state[st * 2 + uz(s)];
        net += comp.net_migrants_by_state[st * 2 + uz(s)];
      }
    const std::size_t all = 2;
    EXPECT_EQ(t.get(uz(z), all, Indicator::population_female), pop[0]);
    EXPECT_EQ(t.get(uz(z), all, Indicator::population_male), pop[1]);
    EXPECT_EQ(t.get(uz(z), all, Indicator::person_years), 1.0 * (start_total + (pop[0] + pop[1])) / 2.0);
    EXPECT_EQ(t.get(uz(z), all, Indicator::births), births_f + births_m);
    EXPECT_EQ(t.get(uz(z), all, Indicator::deaths), deaths);
    EXPECT_EQ(t.get(uz(z), all, Indicator::net_migration), net);
    EXPECT_EQ(t.get(uz(z), all, Indicator::tfr), 1.0 * tfr);
    const LifeTable f = single_year_life_table(pooled[0], Sex::female);
    const LifeTable m = single_year_life_table(pooled[1], Sex::male);
    EXPECT_EQ(t.get(uz(z), all, Indicator::e0_female), f.ex[0]);
    EXPECT_EQ(t.get(uz(z), all, Indicator::e0_male), m.ex[0]);
    EXPECT_EQ(t.get(uz(z), all, Indicator::e65_female), f.ex[65]);
    EXPECT_EQ(t.get(uz(z), all, Indicator::e65_male), m.ex[65]);
    EXPECT_NE(t.get(uz(z), all, Indicator::e0_female), t.get(uz(z), 0, Indicator::e0_female));  // pooled, not g0's
    // The values from those numbers (the slot's tables wait for a batch of zones', its e0 of both sexes with them):
    // the rates per 1,000, the sex ratio at birth, e0 of both sexes weighted by the births' sex ratio.
    const double births = births_f + births_m, py = t.get(uz(z), all, Indicator::person_years);
    EXPECT_EQ(t.get(uz(z), all, Indicator::cbr_per_1000), births / py * 1000.0);
    EXPECT_EQ(t.get(uz(z), all, Indicator::cdr_per_1000), deaths / py * 1000.0);
    EXPECT_EQ(t.get(uz(z), all, Indicator::natural_growth_per_1000), (births - deaths) / py * 1000.0);
    EXPECT_EQ(t.get(uz(z), all, Indicator::srb_per_100_females), births_m / births_f * 100.0);
    const double rho = births_m / births_f;
    EXPECT_EQ(t.get(uz(z), all, Indicator::e0), (f.ex[0] + rho * m.ex[0]) / (1.0 + rho));
    // Each group slot (its state's numbers and the step's e0, e65 and schedule, in the same pass): the same values.
    for (std::size_t g = 0; g < 2; ++g) {
      const std::size_t st = sa + g;
      const double bf = comp.births[st * 2], bm = comp.births[st * 2 + 1];
      const double d = (((0.0 + comp.deaths_by_state[st * 2]) + comp.deaths_by_state[st * 2 + 1]));
      double tfr_g = 0.0;
      for (int i = 0; i < A; ++i) tfr_g += asfr[st * uz(A) + uz(i)];
      const double py_g = t.get(uz(z), g, Indicator::person_years);
      EXPECT_EQ(t.get(uz(z), g, Indicator::births), bf + bm);
      EXPECT_EQ(t.get(uz(z), g, Indicator::deaths), d);
      EXPECT_EQ(t.get(uz(z), g, Indicator::cdr_per_1000), d / py_g * 1000.0);
      EXPECT_EQ(t.get(uz(z), g, Indicator::tfr), 1.0 * tfr_g);
      EXPECT_EQ(t.get(uz(z), g, Indicator::srb_per_100_females), bm / bf * 100.0);
      EXPECT_EQ(t.get(uz(z), g, Indicator::e0_female), comp.e0[st * 2]);
      EXPECT_EQ(t.get(uz(z), g, Indicator::e65_male), comp.e65[st * 2 + 1]);
      EXPECT_EQ(t.get(uz(z), g, Indicator::e0), (comp.e0[st * 2] + bm / bf * comp.e0[st * 2 + 1]) / (1.0 + bm / bf));
    }
  }
}

// The pooled rates of a zone's "all" slot of two groups where the sums cannot simply be divided: at an age nobody is
// exposed in either group (the members' plain mean rate, ((+0 + mx_a) + mx_b) / 2), and a sex whose pooled rates are
// not all finite (no table: e0 and e65 of that sex and e0 of both sexes stay NaN).
TEST(IndicatorsProjection, TwoGroupAllSlotPooledRatesWithoutExposure) {
  TwoGroupZone c(true);  // no woman aged 30 in either group, at the start or the end
  const int G = 2, A = c.grid.n_ages;
  const CohortArray &start = c.start, &end = c.end;
  std::vector<double>& mx = c.mx;
  const StepComponents& comp = c.comp;
  mx[(1 * 2 + 1) * uz(A) + 40] = kInf;  // group 1, men aged 40
  IndicatorTable t;
  compute_indicators(start, end, comp, {}, mx, {"a"}, {"g0", "g1"}, {}, {}, LifeTableMethod{}, t);
  std::vector<double> pooled;
  for (int i = 0; i < A; ++i) {
    double num = 0.0, den = 0.0, plain = 0.0;
    for (int g = 0; g < G; ++g) {
      const double w = (start.at(0, g, 0, i) + end.at(0, g, 0, i)) / 2.0, m = mx[uz(g) * 2 * uz(A) + uz(i)];
      num += m * w, den += w, plain += m;
    }
    pooled.push_back(den > 0.0 ? num / den : plain / 2.0);
  }
  EXPECT_EQ(pooled[30], (mx[30] + mx[2 * uz(A) + 30]) / 2.0);
  const LifeTable f = single_year_life_table(pooled, Sex::female);
  const std::size_t all = 2;
  EXPECT_EQ(t.get(0, all, Indicator::e0_female), f.ex[0]);
  EXPECT_EQ(t.get(0, all, Indicator::e65_female), f.ex[65]);
  EXPECT_TRUE(std::isnan(t.get(0, all, Indicator::e0_male)));
  EXPECT_TRUE(std::isnan(t.get(0, all, Indicator::e65_male)));
  EXPECT_TRUE(std::isnan(t.get(0, all, Indicator::e0)));
  EXPECT_EQ(t.get(0, 0, Indicator::e0_male), 70.0);  // the groups' own slots: the step's tables
}

// A zone's "all" slot of two groups makes its pooled rates straight from the two states and checks them as it goes: a
// negative pooled rate (women aged 50, both groups) must still send that table through the checks of the full table
// (an InputError naming the rate), not through the unchecked pass; and the TFR of the slot skips ages nobody is
// exposed at, even with births recorded there.
TEST(IndicatorsProjection, TwoGroupAllSlotNegativePooledRateAndUnexposedBirths) {
  TwoGroupZone c(false);
  const int G = 2, A = c.grid.n_ages;
  const CohortArray &start = c.start, &end = c.end;
  std::vector<double>& mx = c.mx;
  StepComponents& comp = c.comp;
  for (int g = 0; g < G; ++g)
    for (int i = 15; i < 50; ++i) {
      comp.births_by_mother_age[uz(g * A + i)] = 10.0 + i + g;
      comp.women_exposure[uz(g * A + i)] = i == 33 ? 0.0 : 400.0 + 3.0 * i;  // nobody exposed at 33, births there
    }
  IndicatorTable t;
  compute_indicators(start, end, comp, {}, mx, {"a"}, {"g0", "g1"}, {}, {}, LifeTableMethod{}, t);
  double tfr = 0.0;
  for (int i = 0; i < A; ++i) {
    const double e = comp.women_exposure[uz(i)] + comp.women_exposure[uz(A + i)];
    if (e > 0.0) tfr += (comp.births_by_mother_age[uz(i)] + comp.births_by_mother_age[uz(A + i)]) / e;
  }
  EXPECT_EQ(t.get(0, 2, Indicator::tfr), tfr);
  EXPECT_TRUE(std::isfinite(t.get(0, 2, Indicator::e0_female)));

  for (int g = 0; g < G; ++g) mx[(uz(g) * 2 + 0) * uz(A) + 50] = -0.01;
  EXPECT_THROW(compute_indicators(start, end, comp, {}, mx, {"a"}, {"g0", "g1"}, {}, {}, LifeTableMethod{}, t),
               InputError);
}

// The median age on a single-year grid comes from the running totals of the slot's sums (a binary search, whose
// answer is taken when the totals up to it are below half): a population whose running total falls back below half
// after crossing it (a negative count, as compute_indicators may be handed) must still give the scan's answer, the
// first age that crosses (0.4 here; a search on the non-monotone totals would find age 60); a negative count above
// the median (the totals decrease there, the search's answer is the scan's) the scan's bits; and ordinary populations
// the scan's bits.
TEST(IndicatorsProjection, MedianAgeFromRunningTotalsIsTheScans) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages;
  const CohortLayout L{4, 1, grid};
  CohortArray pop(L);
  pop.at(0, 0, 0, 0) = 10.0;
  pop.at(0, 0, 0, 1) = -10.0;
  pop.at(0, 0, 0, 60) = 8.0;
  for (int i = 0; i < A; ++i) {
    pop.at(1, 0, 0, i) = 700.0 / (1.0 + 0.2 * i);
    pop.at(1, 0, 1, i) = i % 7 == 3 ? 0.0 : 650.0 / (1.0 + 0.19 * i);  // ages with nobody at the median's side
    pop.at(2, 0, 1, i) = i == 37 ? 5.0 : 0.0;                          // everyone at one age
    pop.at(3, 0, 0, i) = 300.0 / (1.0 + 0.05 * i);
  }
  pop.at(3, 0, 1, 80) = -40.0;
  IndicatorTable t;
  compute_population_indicators(pop, {"neg", "ordinary", "one_age", "neg_late"}, {"all"}, {}, {}, t);
  for (int z = 0; z < 4; ++z) {
    std::vector<double> both(uz(A));
    for (int i = 0; i < A; ++i) both[uz(i)] = pop.at(z, 0, 0, i) + pop.at(z, 0, 1, i);
    EXPECT_EQ(t.get(uz(z), 0, Indicator::median_age), median_age(grid, both)) << z;
  }
  EXPECT_EQ(t.get(0, 0, Indicator::median_age), 0.4);
  EXPECT_EQ(t.get(2, 0, Indicator::median_age), 37.5);
}

// finish stores the rates per 1,000, the shares, the dependency ratios, a state's e0 and e65 and the bands in vector
// lanes: each value must be the bits of its own scalar formula from the table's counts (NaN where its denominator is
// not > 0), for a zone of two groups on a single-year grid (the lanes of slot_sums_zone_of_two) and the aggregates.
// Zone 1 has nobody (py = 0, pop = 0); zone 2 nobody aged 15–64 (the ratios NaN, the shares defined); zone 3 everyone
// in the open age.
TEST(IndicatorsProjection, LaneValuesAreTheBitsOfTheirScalarFormulas) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const std::size_t A = uz(grid.n_ages);
  MultiCase c;
  c.grid = grid;
  c.zones = 4;
  c.groups = 2;
  c.kind = MortalityInput::death_rates;
  c.zone_ids = {"z0", "empty", "no_workers", "open_only"};
  c.group_names = {"g0", "g1"};
  for (int z = 0; z < 4; ++z)
    for (int g = 0; g < 2; ++g) {
      for (int s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < A; ++i) {
          const double x = 100.0 + 3.0 * static_cast<double>(i) + 17.0 * g + 5.0 * s;
          const bool keep = z == 0 || (z == 2 && (i < 15 || i >= 65)) || (z == 3 && i + 1 == A);
          c.base.push_back(keep ? x : 0.0);
        }
      for (int s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < A; ++i)
          c.mortality.push_back(0.001 * (1.0 + 0.3 * s + 0.2 * g) * std::exp(0.07 * static_cast<double>(i)));
      std::vector<double> F(A, 0.0);
      for (std::size_t i = 15; i < 50; ++i) F[i] = 0.06 + 0.01 * g;
      c.asfr.insert(c.asfr.end(), F.begin(), F.end());
    }
  c.srb = {1.05, 1.05, 1.05, 1.05};
  c.aggregates = {{"pair", {0, 2}}};
  auto sink = c.run();
  const IndicatorTable& t = sink.indicators.at(0);
  const StepComponents& comp = sink.components.at(0);
  auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  for (std::size_t u = 0; u < t.unit_names.size(); ++u)
    for (std::size_t slot = 0; slot < 3; ++slot) {
      SCOPED_TRACE(t.unit_names[u] + "/" + t.group_names[slot]);
      auto v = [&](Indicator id) { return t.get(u, slot, id); };
      const double pop = v(Indicator::population), py = v(Indicator::person_years);
      const double births = v(Indicator::births), deaths = v(Indicator::deaths);
      const double w = v(Indicator::age_15_64), c65 = v(Indicator::age_65_plus), c60 = v(Indicator::age_60_plus);
      const double nan = std::numeric_limits<double>::quiet_NaN();
      EXPECT_TRUE(same(v(Indicator::cbr_per_1000), py > 0.0 ? births / py * 1000.0 : nan));
      EXPECT_TRUE(same(v(Indicator::cdr_per_1000), py > 0.0 ? deaths / py * 1000.0 : nan));
      EXPECT_TRUE(same(v(Indicator::natural_growth_per_1000), py > 0.0 ? (births - deaths) / py * 1000.0 : nan));
      EXPECT_TRUE(same(v(Indicator::share_15_64), pop > 0.0 ? w / pop * 100.0 : nan));
      EXPECT_TRUE(same(v(Indicator::share_65_plus), pop > 0.0 ? c65 / pop * 100.0 : nan));
      EXPECT_TRUE(same(v(Indicator::share_60_plus), pop > 0.0 ? c60 / pop * 100.0 : nan));
      EXPECT_TRUE(same(v(Indicator::old_age_dependency_ratio), w > 0.0 ? c65 / w * 100.0 : nan));
      // Ages 0–14 are not a column: their count from the share (within rounding), then the total ratio from it.
      const double c0_14 = pop - w - c65;
      if (pop > 0.0) {
        EXPECT_NEAR(v(Indicator::share_0_14), c0_14 / pop * 100.0, 1e-9);
      } else {
        EXPECT_TRUE(std::isnan(v(Indicator::share_0_14)));
      }
      if (w > 0.0) {
        EXPECT_NEAR(v(Indicator::total_dependency_ratio), (c0_14 + c65) / w * 100.0, 1e-9);
      } else {
        EXPECT_TRUE(std::isnan(v(Indicator::total_dependency_ratio)));
      }
      if (u == 0) {                 // the age bands in their order (women 15–49 first), each its own count
        double f = 0.0, b[5] = {};  // women 15–49; persons 0–2, 3–5, 6–11, 12–14
        for (std::size_t i = 0; i < 15; ++i)
          for (int g = 0; g < 2; ++g)
            if (slot == uz(g) || slot == 2) {
              const auto& e = sink.populations.at(1);
              const double p = e.ages(0, g, 0)[i] + e.ages(0, g, 1)[i];
              b[i < 3 ? 0 : i < 6 ? 1 : i < 12 ? 2 : 3] += p;
            }
        for (std::size_t i = 15; i < 50; ++i)
          for (int g = 0; g < 2; ++g)
            if (slot == uz(g) || slot == 2) f += sink.populations.at(1).ages(0, g, 0)[i];
        EXPECT_NEAR(v(Indicator::women_15_49), f, 1e-6);
        EXPECT_NEAR(v(Indicator::age_0_2), b[0], 1e-6);
        EXPECT_NEAR(v(Indicator::age_3_5), b[1], 1e-6);
        EXPECT_NEAR(v(Indicator::age_6_11), b[2], 1e-6);
        EXPECT_NEAR(v(Indicator::age_12_14), b[3], 1e-6);
        EXPECT_NEAR(v(Indicator::age_15_59), w - v(Indicator::age_60_plus) + c65, 1e-6);
      }
      // A group slot of a zone: its state's own e0 and e65, each sex in its place.
      if (u < 4 && slot < 2) {
        const std::size_t st = (u * 2 + slot) * 2;
        EXPECT_TRUE(same(v(Indicator::e0_female), comp.e0[st]));
        EXPECT_TRUE(same(v(Indicator::e0_male), comp.e0[st + 1]));
        EXPECT_TRUE(same(v(Indicator::e65_female), comp.e65[st]));
        EXPECT_TRUE(same(v(Indicator::e65_male), comp.e65[st + 1]));
        if (u == 0) {
          EXPECT_NE(comp.e0[st], comp.e0[st + 1]);
        }
      }
    }
}
