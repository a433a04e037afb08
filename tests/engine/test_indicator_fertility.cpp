// SPDX-License-Identifier: Apache-2.0
// The optional fertility summaries (indicator_fertility.cpp): mean age at childbearing, gross and net reproduction
// rates (Preston, Heuveline & Guillot 2001, §5.3–5.4), against figures made here by hand, closed forms and
// identities. Calls the indicators' pass (engine/src/indicators_pass.hpp) for person-years, which only a projection
// hands it otherwise.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicators_pass.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;

namespace {
const std::size_t kMac = uz(kStandardIndicators), kGrr = kMac + 1, kNrr = kMac + 2;

std::vector<AgeBand> fertility_bands() {
  return {*optional_indicator("mean_age_childbearing"), *optional_indicator("grr"), *optional_indicator("nrr")};
}

// Z zones × G groups on `grid`, every cell 100 persons at the start and 90 at the end, the step's births 48.5 girls
// and 51.5 boys per state (female share 0.485), no births by age of mother or exposure unless a test sets them.
struct Step {
  AgeGrid grid;
  int Z, G;
  CohortArray start, end;
  StepComponents comp;
  std::vector<double> asfr, mx;
  Step(const AgeGrid& g, int zones, int groups)
      : grid(g),
        Z(zones),
        G(groups),
        start(CohortLayout{zones, groups, g}),
        end(CohortLayout{zones, groups, g}),
        comp(test::state_components(zones * groups, g.n_ages, 70.0, 15.0)) {
    for (std::size_t k = 0; k < start.data().size(); ++k) start.data()[k] = 100.0, end.data()[k] = 90.0;
    for (std::size_t st = 0; st < uz(zones * groups); ++st) comp.births[2 * st] = 48.5, comp.births[2 * st + 1] = 51.5;
  }
  std::vector<std::string> ids() const {
    std::vector<std::string> v;
    for (int z = 0; z < Z; ++z) v.push_back("Z" + std::to_string(z));
    return v;
  }
  std::vector<std::string> groups() const {
    return G == 1 ? std::vector<std::string>{"a"} : std::vector<std::string>{"a", "b"};
  }
  IndicatorTable run(const std::vector<AgeBand>& bands, const std::vector<ZoneAggregate>& aggregates = {}) const {
    IndicatorTable t;
    compute_indicators(start, end, comp, asfr, mx, ids(), groups(), aggregates, bands, LifeTableMethod{}, t);
    return t;
  }
};

// The single-year female table's L_x / l_0 by hand: q_x = m/(1 + (1 − a)m), l_{x+1} = l_x (1 − q_x), L_x = l_{x+1} +
// a·d_x with a = a0 of the Andreev–Kingkade rule at age 0, 1/2 above (the engine's single-year table).
std::vector<double> hand_Lx_per_l0(const std::vector<double>& mx) {
  std::vector<double> L;
  double l = 1.0;
  for (std::size_t x = 0; x + 1 < mx.size(); ++x) {
    const double a = x == 0 ? infant_a0(A0Rule::andreev_kingkade, Sex::female, CoaleDemenyRegion::west, mx[0]) : 0.5;
    const double q = mx[x] / (1.0 + (1.0 - a) * mx[x]);
    const double d = l * q;
    L.push_back(l - d + a * d);
    l -= d;
  }
  return L;
}
}  // namespace

// One state, single years 0 … 5, 6+: f = 0.1, 0.3, 0.2 at ages 2, 3, 4. MAC = (2.5·0.1 + 3.5·0.3 + 4.5·0.2) / 0.6 =
// 2.2 / 0.6; GRR = 1 · 0.6 · 0.485 = 0.291; NRR = 0.485 · Σ f_x L_x / l_0 of the hand table. The group slot, the
// one-group "all" slot and the aggregate of the zone alone have the same values.
TEST(FertilityIndicators, HandComputationOnATinySchedule) {
  Step s(AgeGrid::single_year(6), 1, 1);
  s.asfr = {0, 0, 0.1, 0.3, 0.2, 0, 0};
  std::vector<double> mxf{0.02, 0.01, 0.015, 0.02, 0.03, 0.05, 0.4};
  s.mx = mxf;
  s.mx.insert(s.mx.end(), mxf.begin(), mxf.end());  // men: unused here
  const IndicatorTable t = s.run(fertility_bands(), {{"one", {0}}});
  const std::vector<double> L = hand_Lx_per_l0(mxf);
  const double nrr = 0.485 * (0.1 * L[2] + 0.3 * L[3] + 0.2 * L[4]);
  ASSERT_EQ(t.indicator_names[kMac], "mean_age_childbearing");
  ASSERT_EQ(t.indicator_names[kNrr], "nrr");
  for (std::size_t u : {std::size_t{0}, std::size_t{1}})
    for (std::size_t slot : {std::size_t{0}, std::size_t{1}}) {
      EXPECT_NEAR(t.get(u, slot, kMac), 2.2 / 0.6, 1e-14);
      EXPECT_NEAR(t.get(u, slot, kGrr), 0.291, 1e-15);
      EXPECT_NEAR(t.get(u, slot, kNrr), nrr, 1e-14);
      EXPECT_LT(t.get(u, slot, kNrr), t.get(u, slot, kGrr));
    }
}

// No deaths below the open age (m = 0: L_x = l_0 in every closed row, single-year and abridged): NRR = GRR, on both
// grids; and the standard columns are the bits of a run that did not ask for the fertility measures.
TEST(FertilityIndicators, NetEqualsGrossWithoutMortality) {
  for (const AgeGrid& grid : {AgeGrid::single_year(60), AgeGrid::five_year(60)}) {
    Step s(grid, 2, 1);
    const std::size_t A = uz(grid.n_ages), rows = uz(grid.life_table_rows());
    for (int z = 0; z < 2; ++z)
      for (std::size_t i = 0; i < A; ++i) {
        const int x = grid.age_start(static_cast<int>(i));
        s.asfr.push_back(x >= 15 && x < 50 ? 0.02 + 0.001 * x + 0.01 * z : 0.0);
      }
    s.mx.assign(2 * 2 * rows, 0.0);
    for (std::size_t k = rows - 1; k < s.mx.size(); k += rows) s.mx[k] = 0.5;  // open rows
    // "total" pools the births by age of mother over the exposure: the zones' mean schedule here.
    for (std::size_t k = 0; k < 2 * A; ++k)
      s.comp.women_exposure[k] = 50.0, s.comp.births_by_mother_age[k] = 50.0 * s.asfr[k];
    const std::vector<ZoneAggregate> total{{"total", {0, 1}}};
    const IndicatorTable t = s.run(fertility_bands(), total);
    const IndicatorTable plain = s.run({}, total);
    EXPECT_GT(t.get(2, 0, kNrr), 0.5);
    for (std::size_t u = 0; u < 3; ++u) {  // the zones and "total"
      double tfr = 0.0;
      for (std::size_t i = 0; i < A; ++i) tfr += u < 2 ? s.asfr[u * A + i] : 0.0;
      EXPECT_NEAR(t.get(u, 0, kNrr), t.get(u, 0, kGrr), 1e-12) << grid.width_years << " " << u;
      if (u < 2) {
        EXPECT_NEAR(t.get(u, 0, kGrr), grid.width_years * tfr * 0.485, 1e-12);
      }
      for (std::size_t k = 0; k < uz(kStandardIndicators); ++k) {
        const double a = t.get(u, 0, k), b = plain.get(u, 0, k);
        EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << k;
      }
    }
  }
}

// A constant hazard μ in person-years given on a five-year grid (five-year and abridged rows): nL_x = l_0 e^{−μx}
// (1 − e^{−μn}) / μ, T_w = l_0 e^{−μw} / μ. A constant f on ages 20–39: MAC = 30, GRR = 5 · 4 f · s and NRR =
// s f (e^{−20μ} − e^{−40μ}) / μ (Preston et al. eq. 5.7 integrated).
TEST(FertilityIndicators, ConstantRatesHaveTheirClosedForms) {
  const double mu = 0.02, f = 0.1, l0 = 1000.0, s_f = 0.485;
  const AgeGrid grid = AgeGrid::five_year(60);
  const std::size_t A = uz(grid.n_ages);
  const double expected = s_f * f * (std::exp(-20 * mu) - std::exp(-40 * mu)) / mu;
  for (const LxLayout layout : {LxLayout::five_year, LxLayout::abridged}) {
    Step s(grid, 1, 1);
    for (std::size_t i = 0; i < A; ++i) s.asfr.push_back(i >= 4 && i < 8 ? f : 0.0);
    std::vector<double> Lx;
    auto L = [&](double x, double n) { return l0 * std::exp(-mu * x) * (1 - std::exp(-mu * n)) / mu; };
    if (layout == LxLayout::abridged)
      Lx = {L(0, 1), L(1, 4)};
    else
      Lx = {L(0, 5)};
    for (std::size_t i = 1; i + 1 < A; ++i) Lx.push_back(L(5.0 * static_cast<double>(i), 5));
    Lx.push_back(l0 * std::exp(-mu * 60) / mu);
    const std::vector<double> lx = [&] {
      std::vector<double> v = Lx;
      v.insert(v.end(), Lx.begin(), Lx.end());  // men: the same
      return v;
    }();
    const std::vector<double> radix{l0, l0};
    IndicatorTable t;
    const std::vector<AgeBand> bands = fertility_bands();
    const std::vector<ZoneAggregate> none;
    const std::vector<std::string> ids{"Z0"}, groups{"a"};
    const LifeTableMethod method;  // held by reference
    detail::IndicatorPass pass(s.start, s.end, s.comp, s.asfr, {}, ids, groups, none, bands, method, t);
    pass.set_person_years(lx, radix, layout);
    pass.units_from(0);
    EXPECT_NEAR(t.get(0, 0, kMac), 30.0, 1e-12);
    EXPECT_NEAR(t.get(0, 0, kGrr), 5 * 4 * f * s_f, 1e-14);
    EXPECT_NEAR(t.get(0, 0, kNrr), expected, 1e-12);
  }
}

// Aggregates and "all groups" pool: f_x = Σ births by age of mother / Σ exposure (the pooled TFR's rule), the female
// share of the summed births, and the pooled female table (each rate Σ m·w / Σ w over the slot's states, w the
// mid-step women of the age). Two zones of two groups, single years to 10+, births at ages 3–5, each state's death
// rates and women their own; without a schedule even a group slot takes its births and exposure (as its TFR).
TEST(FertilityIndicators, PooledSlotsUseThePooledScheduleAndTable) {
  const AgeGrid grid = AgeGrid::single_year(10);
  const std::size_t A = uz(grid.n_ages);
  Step s(grid, 2, 2);
  auto mx_of = [&](std::size_t st, std::size_t i) {
    return (0.005 + 0.01 * static_cast<double>(i)) * (1.0 + 0.5 * static_cast<double>(st));
  };
  for (std::size_t st = 0; st < 4; ++st)
    for (int sex = 0; sex < 2; ++sex)
      for (std::size_t i = 0; i < A; ++i) s.mx.push_back(mx_of(st, i));
  for (std::size_t st = 0; st < 4; ++st) {
    const int z = static_cast<int>(st / 2), g = static_cast<int>(st % 2);
    for (std::size_t i = 0; i < A; ++i) {
      s.start.at(z, g, 0, static_cast<int>(i)) = 100.0 + 30.0 * static_cast<double>(st) + static_cast<double>(i);
      s.end.at(z, g, 0, static_cast<int>(i)) = 90.0 + 10.0 * static_cast<double>(st * i);
    }
    s.comp.births[2 * st] = 10.0 + static_cast<double>(st);
    s.comp.births[2 * st + 1] = 11.0;
    for (std::size_t i = 3; i < 6; ++i) {
      s.comp.births_by_mother_age[st * A + i] = 2.0 + static_cast<double>(st * i);
      s.comp.women_exposure[st * A + i] = 20.0 + 5.0 * static_cast<double>(st);
    }
    s.comp.women_exposure[st * A + 7] = 30.0;  // exposed, no births
  }
  // asfr empty: every slot from births and exposure, as the TFR
  const IndicatorTable t = s.run(fertility_bands(), {{"both", {0, 1}}, {"second", {1}}});
  // By hand from the states of each unit and slot.
  for (std::size_t u = 0; u < 4; ++u)
    for (std::size_t slot = 0; slot < 3; ++slot) {
      std::vector<std::size_t> states;
      for (std::size_t z = 0; z < 2; ++z)
        for (std::size_t g = 0; g < 2; ++g)
          if ((u < 2 ? z == u : u == 2 || z == 1) && (slot == 2 || g == slot)) states.push_back(z * 2 + g);
      std::vector<double> pooled(A);
      for (std::size_t i = 0; i < A; ++i) {
        double num = 0, den = 0;
        for (std::size_t st : states) {
          const int z = static_cast<int>(st / 2), g = static_cast<int>(st % 2);
          const double w = (s.start.at(z, g, 0, static_cast<int>(i)) + s.end.at(z, g, 0, static_cast<int>(i))) / 2.0;
          num += mx_of(st, i) * w, den += w;
        }
        pooled[i] = num / den;
      }
      const std::vector<double> L = hand_Lx_per_l0(pooled);
      double bf = 0, bm = 0, sum_f = 0, sum_xf = 0, sum_fl = 0;
      for (std::size_t st : states) bf += s.comp.births[2 * st], bm += s.comp.births[2 * st + 1];
      for (std::size_t i = 0; i < A; ++i) {
        double b = 0, e = 0;
        for (std::size_t st : states)
          b += s.comp.births_by_mother_age[st * A + i], e += s.comp.women_exposure[st * A + i];
        const double f = e > 0 ? b / e : 0.0;
        sum_f += f, sum_xf += (static_cast<double>(i) + 0.5) * f, sum_fl += i < L.size() ? f * L[i] : 0.0;
      }
      const double share = bf / (bf + bm);
      EXPECT_NEAR(t.get(u, slot, kMac), sum_xf / sum_f, 1e-12) << u << " " << slot;
      EXPECT_NEAR(t.get(u, slot, kGrr), sum_f * share, 1e-12) << u << " " << slot;
      EXPECT_NEAR(t.get(u, slot, kNrr), sum_fl * share, 1e-12) << u << " " << slot;
      EXPECT_NEAR(t.get(u, slot, kGrr), t.get(u, slot, Indicator::tfr) * share, 1e-12);  // the TFR's schedule
    }
}

// Undefined: a base year (no step), a slot nobody in was exposed (NaN, as its TFR), survival ratios (no table: NRR
// NaN, MAC and GRR defined), no births (female share unknown); a schedule of zeros: GRR = NRR = 0, MAC NaN.
TEST(FertilityIndicators, NaNWhereUndefined) {
  const AgeGrid grid = AgeGrid::single_year(10);
  Step s(grid, 3, 1);
  s.asfr.assign(3 * uz(grid.n_ages), 0.0);
  s.asfr[4] = 0.2;                    // zone 0
  s.asfr[uz(grid.n_ages) + 4] = 0.2;  // zone 1, no births
  s.comp.births[2] = s.comp.births[3] = 0.0;
  // zone 2: zeros
  IndicatorTable t = s.run(fertility_bands(), {{"total", {0, 1, 2}}});  // no death rates (survival ratios or none)
  EXPECT_NEAR(t.get(0, 0, kMac), 4.5, 1e-15);
  EXPECT_NEAR(t.get(0, 0, kGrr), 0.2 * 0.485, 1e-15);
  EXPECT_TRUE(std::isnan(t.get(0, 0, kNrr)));
  EXPECT_NEAR(t.get(1, 0, kMac), 4.5, 1e-15);
  EXPECT_TRUE(std::isnan(t.get(1, 0, kGrr)));
  EXPECT_TRUE(std::isnan(t.get(1, 0, kNrr)));
  EXPECT_TRUE(std::isnan(t.get(2, 0, kMac)));
  EXPECT_EQ(t.get(2, 0, kGrr), 0.0);
  EXPECT_EQ(t.get(2, 0, kNrr), 0.0);
  EXPECT_TRUE(std::isnan(t.get(3, 0, kNrr)));  // "total": pooled from births and exposure, nobody exposed
  EXPECT_TRUE(std::isnan(t.get(3, 0, kGrr)));
  IndicatorTable base;
  compute_population_indicators(s.start, s.ids(), s.groups(), {}, fertility_bands(), base);
  for (std::size_t k : {kMac, kGrr, kNrr}) EXPECT_TRUE(std::isnan(base.get(0, 0, k)));
}

// The female share at birth of GRR and NRR is the step's sex ratio at birth, s = 1 / (1 + SRB) (as ccmppWPP's
// fert_gross and fert_net: maternity rates f / (1 + srb)), not the share of the births a slot's group received: known
// where the slot had no births. Three zones (SRB 1.05, 1.10, 1.20) of two groups, single years to 10+, schedules at
// ages 4–5 and every state's own death rates. Zone 0's group "a" received no births (a newborn rule moved its
// mothers' babies to "b", whose births are 60 % girls), zone 2 had none. By hand: a group slot z·Σf/(1 + SRB_z) and
// s·Σ f_x L_x / l_0; zone 0's "all" 1/2.05; the aggregate of zones 0 and 1 the zones' shares weighted by the births
// to its mothers in each zone; the aggregate of zone 2 alone and zones 1–2's group "b" (no births: pooled f = 0) 0.
TEST(FertilityIndicators, FemaleShareAtBirthIsTheStepsSexRatio) {
  const AgeGrid grid = AgeGrid::single_year(10);
  const std::size_t A = uz(grid.n_ages);
  Step s(grid, 3, 2);
  const std::vector<double> srb{1.05, 1.10, 1.20};
  auto mx_of = [](std::size_t st, std::size_t i) { return 0.01 + 0.002 * static_cast<double>(st + i); };
  for (std::size_t st = 0; st < 6; ++st)
    for (int sex = 0; sex < 2; ++sex)
      for (std::size_t i = 0; i < A; ++i) s.mx.push_back(mx_of(st, i));
  s.asfr.assign(6 * A, 0.0);
  for (std::size_t st = 0; st < 6; ++st)
    s.asfr[st * A + 4] = 0.1 + 0.01 * static_cast<double>(st), s.asfr[st * A + 5] = 0.2;
  std::fill(s.comp.births.begin(), s.comp.births.end(), 0.0);
  s.comp.births[2] = 6.0, s.comp.births[3] = 4.0;  // zone 0, "b": every baby of the zone's mothers, 60 % girls
  s.comp.births[6] = 3.0, s.comp.births[7] = 3.3;  // zone 1, "b": its "a" mothers' babies
  const double bma[6][2] = {{3, 5}, {1, 1}, {2, 4.3}, {0, 0}, {0, 0}, {0, 0}};  // [state][age 4, 5]
  for (std::size_t st = 0; st < 6; ++st)
    for (std::size_t i = 4; i < 6; ++i) {
      s.comp.births_by_mother_age[st * A + i] = bma[st][i - 4];
      s.comp.women_exposure[st * A + i] = 40.0 + static_cast<double>(st);
    }
  IndicatorTable t;
  const std::vector<AgeBand> bands = fertility_bands();
  const std::vector<ZoneAggregate> aggregates{{"first_two", {0, 1}}, {"third", {2}}, {"last_two", {1, 2}}};
  const std::vector<std::string> ids{"Z0", "Z1", "Z2"}, groups{"a", "b"};
  const LifeTableMethod method;  // held by reference
  detail::IndicatorPass pass(s.start, s.end, s.comp, s.asfr, s.mx, ids, groups, aggregates, bands, method, t);
  pass.set_sex_ratio_at_birth(srb);
  pass.units_from(0);
  // A group slot: its schedule, its table, its zone's share.
  for (std::size_t st = 0; st < 6; ++st) {
    const std::size_t z = st / 2, g = st % 2;
    std::vector<double> mxf;
    for (std::size_t i = 0; i < A; ++i) mxf.push_back(mx_of(st, i));
    const std::vector<double> L = hand_Lx_per_l0(mxf);
    const double share = 1.0 / (1.0 + srb[z]), f4 = s.asfr[st * A + 4], f5 = s.asfr[st * A + 5];
    EXPECT_NEAR(t.get(z, g, kGrr), (f4 + f5) * share, 1e-15) << st;
    EXPECT_NEAR(t.get(z, g, kNrr), share * (f4 * L[4] + f5 * L[5]), 1e-14) << st;
    EXPECT_NEAR(t.get(z, g, kMac), (4.5 * f4 + 5.5 * f5) / (f4 + f5), 1e-14) << st;
  }
  // Zone 0's "all": the pooled schedule (births by age of mother / exposure), the share of its SRB.
  EXPECT_NEAR(t.get(0, 2, kGrr), ((3.0 + 1.0) / 81.0 + (5.0 + 1.0) / 81.0) / 2.05, 1e-15);
  // The aggregate of zones 0 and 1: the births to its mothers are 10 in zone 0 and 6.3 in zone 1 (its group "a"'s 8
  // and 6.3).
  EXPECT_NEAR(t.get(3, 2, kGrr), (6.0 / 166.0 + 10.3 / 166.0) * (10.0 / 2.05 + 6.3 / 2.10) / 16.3, 1e-15);
  EXPECT_NEAR(t.get(3, 0, kGrr), (5.0 / 82.0 + 9.3 / 82.0) * (8.0 / 2.05 + 6.3 / 2.10) / 14.3, 1e-15);
  // Zone 2 had no births: its pooled schedule is 0 (GRR and NRR 0), its groups' own schedules have their GRR.
  EXPECT_EQ(t.get(4, 2, kGrr), 0.0);
  EXPECT_EQ(t.get(4, 2, kNrr), 0.0);
  EXPECT_EQ(t.get(5, 1, kGrr), 0.0);  // zones 1–2's "b": no births to its mothers
  EXPECT_GT(t.get(2, 0, kGrr), 0.0);
  // Without the step's SRB (compute_indicators), the share of the births the slot received: none in zone 0's "a".
  EXPECT_TRUE(std::isnan(s.run(bands, aggregates).get(0, 0, kGrr)));
}

// The three summaries describe the births of a step: flows, which a base year's rows do not list (round 26: an extra
// column was a stock by its index alone, so the base year listed them, empty). The classification by name: the
// standard ones by kind, the optional ones by their measure, other bands (a program's) persons.
TEST(FertilityIndicators, AreFlowsNotStocks) {
  for (const char* flow : {"mean_age_childbearing", "grr", "nrr", "tfr", "births", "e0_female", "cbr_per_1000"})
    EXPECT_FALSE(is_stock_indicator(flow)) << flow;
  for (const char* stock : {"age_15_17", "age_80_plus", "share_80_plus_percent", "child_dependency_ratio", "population",
                            "median_age", "women_15_49", "a_band_of_a_program"})
    EXPECT_TRUE(is_stock_indicator(stock)) << stock;
  for (const std::string& name : optional_indicator_names())
    EXPECT_EQ(is_stock_indicator(name), !is_fertility_measure(optional_indicator(name)->measure)) << name;
}
