// SPDX-License-Identifier: Apache-2.0
// Rogers' multistate method (multistate.hpp, step_multistate.cpp) against independent figures: a 2×2 hand
// computation (exact rational arithmetic, see the comment of TwoByTwoHandComputation), the one-state linear-
// integration life table computed by hand, two independent one-state projections, the flow method bit for bit when
// nothing moves and mortality is given as Lx or survival ratios, and the accounting identities.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <span>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/multistate.hpp"
#include "error_of.hpp"
#include "projection_cases.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::error_of;
using cohortgis::test::fertility;
using cohortgis::test::makeham_mx;
using cohortgis::test::RecordingSink;
using cohortgis::test::run_filled;
using cohortgis::test::same_bits;
using cohortgis::test::sloped_base;

namespace {

// M(x) of two states, column = origin: death rates mu1, mu2; moves 1→2 at m12 and 2→1 at m21 (per year).
StateMatrix two_states(double mu1, double mu2, double m12, double m21) {
  StateMatrix M(2, 2);
  M << mu1 + m12, -m21, -m12, mu2 + m21;
  return M;
}

void expect_matrix(const StateMatrix& got, std::initializer_list<double> row_major, double tol, const char* what) {
  auto it = row_major.begin();
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c, ++it) EXPECT_NEAR(got(r, c), *it, tol) << what << "(" << r << "," << c << ")";
}

// A small multi-zone, multi-group case; the provider fills mortality as asked.
struct Case {
  AgeGrid grid = AgeGrid::five_year(85);
  int zones = 3, groups = 2, steps = 4;
  ProjectionMethod method = ProjectionMethod::multistate;
  OpenAgeSurvivors open = OpenAgeSurvivors::keep;
  MortalityInput kind = MortalityInput::death_rates;
  std::vector<GroupTransition> transitions;
  std::vector<NewbornRule> newborn;
  bool net_counts = false;
  int threads = 1;
  bool cell_components = true;

  CohortArray base() const { return sloped_base(zones, groups, grid, 50.0); }
  // Survival ratios / Lx of state (z, g, s) from the engine's own life table (so Lx and S inputs are consistent).
  LifeTable table(int z, int g, int s) const {
    const AgeGrid lt_grid = grid;
    const auto mx = makeham_mx(lt_grid, 1.0 + 0.02 * (z % 10) + 0.5 * g + 0.3 * s);
    return grid.width_years == 1 ? single_year_life_table(mx, static_cast<Sex>(s))
                                 : abridged_life_table(mx, static_cast<Sex>(s));
  }
  void fill(StepSchedules& sch) const {
    const std::size_t nA = uz(grid.n_ages);
    sch.mortality_kind = kind;
    sch.mortality.clear();
    sch.radix_l0.clear();
    sch.person_years_layout = grid.width_years == 1 ? LxLayout::single_year : LxLayout::abridged;
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < groups; ++g)
        for (int s = 0; s < 2; ++s) {
          if (kind == MortalityInput::death_rates) {
            const auto mx = makeham_mx(grid, 1.0 + 0.02 * (z % 10) + 0.5 * g + 0.3 * s);
            sch.mortality.insert(sch.mortality.end(), mx.begin(), mx.end());
            continue;
          }
          const LifeTable lt = table(z, g, s);
          if (kind == MortalityInput::person_years) {
            std::vector<double> L = lt.Lx;
            L.back() = lt.Tx.back();
            sch.mortality.insert(sch.mortality.end(), L.begin(), L.end());
            sch.radix_l0.push_back(lt.lx[0]);
          } else {
            std::vector<double> S(nA);
            survival_ratios(lt, grid, S);
            sch.mortality.insert(sch.mortality.end(), S.begin(), S.end());
          }
        }
    sch.asfr.clear();
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < groups; ++g) {
        const auto f = fertility(grid, 1.4 + 0.1 * z + 0.2 * g);
        sch.asfr.insert(sch.asfr.end(), f.begin(), f.end());
      }
    sch.srb.assign(uz(zones), 1.06);
    sch.transitions = transitions;
    sch.newborn_rules = newborn;
    sch.net_migrants.clear();
    if (net_counts) sch.net_migrants.assign(uz(zones * groups) * kSexes * nA, 1.0);
  }
  RecordingSink run() const {
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = steps;
    cfg.threads = threads;
    cfg.method = method;
    cfg.multistate_open_age = open;
    cfg.cell_components = cell_components;
    return run_filled(cfg, *this);
  }
};

// Transition g0 → g1 with an age profile peaking at 20–29 (per person per year).
GroupTransition transition(const AgeGrid& grid, int from, int to, double level) {
  GroupTransition t;
  t.from_group = from;
  t.to_group = to;
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < grid.n_ages; ++i) {
      const double a = grid.age_start(i);
      t.rate_per_year.push_back(level * (0.3 + std::exp(-0.5 * std::pow((a - 25.0) / 8.0, 2))) * (s ? 0.9 : 1.0));
    }
  return t;
}

}  // namespace

// Two states, z = 5. Expected values: exact rational arithmetic (Python fractions) of P = (I + 5/2·M)^-1(I − 5/2·M)
// with the 2×2 inverse written out, then l(0) = I, l(5) = P(0), l(10) = P(5)·P(0), l(15) = P(10)·l(10),
// L(x) = 5/2·(l(x) + l(x+5)), S(0) = L(0)/5, S(5) = L(5)·L(0)^-1, and for the open group 10+ (keep)
// T(10) = M(10)^-1·l(10), S = T(10)·(L(5) + T(10))^-1; (drop) L(10)·L(5)^-1 with 10–14 closed. This route (l and L
// matrices) differs from the engine's closed form S(i) = K(i)·P(i−1)·K(i−1)^-1.
TEST(MultistateMath, TwoByTwoHandComputation) {
  const StateMatrix M0 = two_states(0.01, 0.02, 0.05, 0.03);
  const StateMatrix M1 = two_states(0.004, 0.006, 0.08, 0.02);
  const StateMatrix M2 = two_states(0.03, 0.05, 0.01, 0.04);
  const double tol = 1e-15;
  expect_matrix(linear_transition_probabilities(M0, 5.0),
                {0.75182481751824815, 0.11678832116788321, 0.19464720194647203, 0.79075425790754261}, tol, "P0");
  expect_matrix(linear_transition_probabilities(M1, 5.0),
                {0.66581941891839047, 0.078207484456262466, 0.31282993782504986, 0.89262112384155168}, tol, "P1");
  const AgeGrid grid = AgeGrid::five_year(10);  // 0–4, 5–9, 10+
  const std::vector<StateMatrix> rows = {M0, M1, M2};
  std::vector<StateMatrix> S(3), P(3);
  multistate_survivorship(grid, rows, false, OpenAgeSurvivors::keep, S, P);
  expect_matrix(S[0], {0.87591240875912413, 0.058394160583941604, 0.097323600973236016, 0.89537712895377131}, 1e-14,
                "S0");
  expect_matrix(S[1], {0.71286122081883241, 0.096684002659054469, 0.25124154381574315, 0.83975286434911822}, 1e-14,
                "S1");
  expect_matrix(S[2], {0.80662289671007781, 0.15032468697305637, 0.057044451619847163, 0.65880960068883865}, 1e-14,
                "S open keep");
  multistate_survivorship(grid, rows, false, OpenAgeSurvivors::drop, S, P);  // P(10) exists only under drop
  expect_matrix(P[2], {0.82156133828996281, 0.14869888475836432, 0.03717472118959108, 0.63568773234200748}, tol, "P2");
  expect_matrix(S[2], {0.73438661710037179, 0.11505576208178439, 0.17825278810408923, 0.76561338289962821}, 1e-14,
                "S open drop");
}

// Linear integration's identity I − P = h·M·(I + P): for each origin j, the probability of dying in the interval
// (1 − Σ_k P_kj) equals h·Σ_k mu_k·(δ_kj + P_kj), since the moves cancel in M's column sums.
TEST(MultistateMath, DeathsPlusMovesPlusStayersIsOne) {
  const StateMatrix M = two_states(0.013, 0.021, 0.07, 0.035);
  const StateMatrix P = linear_transition_probabilities(M, 5.0);
  const double mu[2] = {0.013, 0.021};
  for (int j = 0; j < 2; ++j) {
    const double dead = 1.0 - P.col(j).sum();
    const double by_rates = 2.5 * (mu[0] * ((j == 0) + P(0, j)) + mu[1] * ((j == 1) + P(1, j)));
    EXPECT_NEAR(dead, by_rates, 1e-15);
    EXPECT_GT(dead, 0.0);
  }
}

// One state: the single-region life table by linear integration, by hand: l(x+1) = l(x)·(1 − m/2)/(1 + m/2),
// L(x) = (l(x) + l(x+1))/2, T(w) = l(w)/m(w); S[0] = L(0)/l(0), S[i] = L(i)/L(i−1), S[w] = T(w)/(L(w−1) + T(w)).
TEST(MultistateMath, OneStateIsTheLinearLifeTable) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const auto mx = makeham_mx(grid, 1.0);
  std::vector<StateMatrix> rows(mx.size(), StateMatrix(1, 1)), S(uz(grid.n_ages));
  for (std::size_t r = 0; r < mx.size(); ++r) rows[r](0, 0) = mx[r];
  multistate_survivorship(grid, rows, false, OpenAgeSurvivors::keep, S);
  std::vector<double> l(mx.size() + 1), L(mx.size());
  l[0] = 1.0;
  for (std::size_t x = 0; x < mx.size(); ++x) {
    l[x + 1] = l[x] * (1.0 - mx[x] / 2.0) / (1.0 + mx[x] / 2.0);
    L[x] = (l[x] + l[x + 1]) / 2.0;
  }
  const std::size_t w = 100;
  const double Tw = l[w] / mx[w];
  EXPECT_NEAR(S[0](0, 0), L[0] / l[0], 1e-15);
  for (std::size_t i = 1; i < w; ++i) EXPECT_NEAR(S[i](0, 0), L[i] / L[i - 1], 1e-14) << i;
  EXPECT_NEAR(S[w](0, 0), Tw / (L[w - 1] + Tw), 1e-14);
  // Drop: the open group as the closed year 100–101.
  multistate_survivorship(grid, rows, false, OpenAgeSurvivors::drop, S);
  EXPECT_NEAR(S[w](0, 0), L[w] / L[w - 1], 1e-14);
}

// One state, five-year grid with abridged rows: 5L0 = (l0 + l1)/2 + 4·(l1 + l5)/2, S[0] = 5L0/(5·l0),
// S[1] = 5L5 / 5L0.
TEST(MultistateMath, OneStateAbridgedFirstGroup) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const auto mx = makeham_mx(grid, 1.0);
  std::vector<StateMatrix> rows(mx.size(), StateMatrix(1, 1)), S(uz(grid.n_ages));
  for (std::size_t r = 0; r < mx.size(); ++r) rows[r](0, 0) = mx[r];
  multistate_survivorship(grid, rows, true, OpenAgeSurvivors::keep, S);
  auto p = [](double m, double n) { return (1.0 - n / 2.0 * m) / (1.0 + n / 2.0 * m); };
  const double l1 = p(mx[0], 1.0), l5 = l1 * p(mx[1], 4.0), l10 = l5 * p(mx[2], 5.0);
  const double L0 = (1.0 + l1) / 2.0 + 2.0 * (l1 + l5), L5 = 2.5 * (l5 + l10);
  EXPECT_NEAR(S[0](0, 0), L0 / 5.0, 1e-15);
  EXPECT_NEAR(S[1](0, 0), L5 / L0, 1e-14);
}

// The projection with one state from mx equals the flow method given the hand-built linear-integration survival
// ratios (the same life table; the engine's own mx life table differs: ax and the open group, see
// scenarios/README.md "Multistate projection").
TEST(MultistateProjection, OneStateFromMxIsTheFlowStepWithLinearSurvival) {
  Case ms;
  ms.grid = AgeGrid::single_year(100);
  ms.zones = 1;
  ms.groups = 1;
  ms.steps = 3;
  const auto a = ms.run();
  // The same population by the flow step with S from the one-state linear table (by hand, as above).
  std::vector<double> S_f(101), S_m(101);
  for (int s = 0; s < 2; ++s) {
    const auto mx = makeham_mx(ms.grid, 1.0 + 0.3 * s);
    std::vector<double> l(102), L(101);
    l[0] = 1.0;
    for (std::size_t x = 0; x < 101; ++x) {
      l[x + 1] = l[x] * (1.0 - mx[x] / 2.0) / (1.0 + mx[x] / 2.0);
      L[x] = (l[x] + l[x + 1]) / 2.0;
    }
    auto& S = s ? S_m : S_f;
    S[0] = L[0];
    for (std::size_t i = 1; i < 100; ++i) S[i] = L[i] / L[i - 1];
    const double Tw = l[100] / mx[100];
    S[100] = Tw / (L[99] + Tw);
  }
  Case fl = ms;
  fl.method = ProjectionMethod::flows;
  fl.kind = MortalityInput::survival_ratios;
  ProjectionConfig cfg;
  cfg.grid = fl.grid;
  cfg.steps = fl.steps;
  cfg.threads = 1;
  cfg.zone_ids = {"z0"};
  cfg.group_names = {"g0"};
  Projection p(cfg, fl.base());
  RecordingSink b;
  p.run(
      [&](const StepContext&, StepSchedules& sch) {
        fl.fill(sch);
        sch.mortality = S_f;
        sch.mortality.insert(sch.mortality.end(), S_m.begin(), S_m.end());
      },
      b);
  for (std::size_t k = 0; k < a.populations.size(); ++k)
    for (std::size_t c = 0; c < a.populations[k].data().size(); ++c)
      EXPECT_NEAR(a.populations[k].data()[c], b.populations[k].data()[c], 1e-9 * (1.0 + b.populations[k].data()[c]))
          << "step " << k << " cell " << c;
}

// Rates given past a five-year grid's open age (StepSchedules::mortality_next): the multistate survivorship integrates
// the rates linearly (Rogers 1975) with no nax, so it does not read the next rate (the same populations with and
// without it), while each state's e0 and e65 come from its closed table (build_abridged_life_table_closed_above), as
// in the flow step: the same bits as the plain run's.
TEST(MultistateProjection, RatesPastTheOpenAgeCloseTheStatesLifeTablesOnly) {
  struct WithNext : Case {
    void fill(StepSchedules& sch) const {
      Case::fill(sch);
      const std::size_t rows = uz(grid.life_table_rows());
      sch.mortality_next.clear();
      for (std::size_t t = 0; t < sch.mortality.size() / rows; ++t)  // below the open rate, above 80-84's
        sch.mortality_next.push_back(0.7 * sch.mortality[t * rows + rows - 1]);
    }
  };
  WithNext ms;
  ms.zones = 1;
  ms.groups = 1;
  ms.steps = 2;
  ProjectionConfig cfg;
  cfg.grid = ms.grid;
  cfg.steps = ms.steps;
  cfg.threads = 1;
  cfg.method = ProjectionMethod::multistate;
  const RecordingSink next = run_filled(cfg, ms), without = ms.run();
  cfg.method = ProjectionMethod::flows;
  const RecordingSink plain = run_filled(cfg, ms);
  ASSERT_EQ(next.components.size(), 2u);
  for (std::size_t k = 0; k < next.components.size(); ++k) {
    EXPECT_TRUE(same_bits(next.populations[k + 1].data(), without.populations[k + 1].data())) << k;
    for (std::size_t s = 0; s < 2; ++s) {
      EXPECT_EQ(next.components[k].e0[s], plain.components[k].e0[s]) << k << " " << s;
      EXPECT_EQ(next.components[k].e65[s], plain.components[k].e65[s]) << k << " " << s;
      EXPECT_NE(next.components[k].e0[s], without.components[k].e0[s]) << k << " " << s;
    }
  }
}

// Under `drop` the open row is the closed interval [w, w+z): where rates went on past the open age its rate is the
// given table's own rate of that group (mortality_next, as the flow step's tables take it: DemoTools'
// lt_abridged(OAnew = w)), not the open group's l(w)/T(w). One state: S(w) = L(w)·L(w−1)^-1 = (1 + P_w)·P_{w−1} /
// (1 + P_{w−1}) with P = (1 − z/2·m)/(1 + z/2·m), applied to the group below the open age at the start. Before, the
// open rate made P_w, with or without a next rate.
TEST(MultistateProjection, DropClosesTheIntervalAboveTheOpenAgeWithTheNextRate) {
  struct WithNext : Case {
    void fill(StepSchedules& sch) const {
      Case::fill(sch);
      const std::size_t rows = uz(grid.life_table_rows());
      sch.mortality_next.clear();
      for (std::size_t t = 0; t < sch.mortality.size() / rows; ++t)
        sch.mortality_next.push_back(0.7 * sch.mortality[t * rows + rows - 1]);
    }
  };
  WithNext c;
  c.zones = 1;
  c.groups = 1;
  c.steps = 1;
  c.open = OpenAgeSurvivors::drop;
  ProjectionConfig cfg;
  cfg.grid = c.grid;
  cfg.steps = c.steps;
  cfg.threads = 1;
  cfg.method = ProjectionMethod::multistate;
  cfg.multistate_open_age = OpenAgeSurvivors::drop;
  const RecordingSink next = run_filled(cfg, c), without = c.run();
  StepSchedules sch;
  c.fill(sch);
  const std::size_t rows = uz(c.grid.life_table_rows());
  const int w = c.grid.open_index();
  auto p = [](double m) { return (1.0 - 2.5 * m) / (1.0 + 2.5 * m); };
  for (int s = 0; s < 2; ++s) {
    const double m_below = sch.mortality[uz(s) * rows + rows - 2];  // 80-84 (grid index w − 1 is row w)
    const double m_open = sch.mortality[uz(s) * rows + rows - 1], m_next = sch.mortality_next[uz(s)];
    const double below = next.populations[0].at(0, 0, s, w - 1);
    auto open_end = [&](double m) { return (1.0 + p(m)) * p(m_below) / (1.0 + p(m_below)) * below; };
    EXPECT_NEAR(next.populations[1].at(0, 0, s, w), open_end(m_next), 1e-12 * below) << "sex " << s;
    EXPECT_NEAR(without.populations[1].at(0, 0, s, w), open_end(m_open), 1e-12 * below) << "sex " << s;
    EXPECT_GT(next.populations[1].at(0, 0, s, w), without.populations[1].at(0, 0, s, w) * (1.0 + 1e-6));
  }
}

// Two states with no moves are two independent one-state projections (each state alone in its own run).
TEST(MultistateProjection, TwoStatesWithoutMovesAreIndependent) {
  Case both;
  both.zones = 1;
  const auto r = both.run();
  for (int g = 0; g < 2; ++g) {
    // The same state alone: the one-group run whose zone 0 group 0 has state g's inputs.
    Case one;
    one.zones = 1;
    one.groups = 1;
    ProjectionConfig cfg;
    cfg.grid = one.grid;
    cfg.steps = both.steps;
    cfg.threads = 1;
    cfg.method = ProjectionMethod::multistate;
    cfg.zone_ids = {"z0"};
    cfg.group_names = {"only"};
    CohortArray base(CohortLayout{1, 1, one.grid});
    const CohortArray full = both.base();
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < one.grid.n_ages; ++i) base.at(0, 0, s, i) = full.at(0, g, s, i);
    Projection p(cfg, base);
    RecordingSink sink;
    p.run(
        [&](const StepContext&, StepSchedules& sch) {
          StepSchedules two;
          both.fill(two);
          const std::size_t rows = two.mortality.size() / 4, nA = uz(one.grid.n_ages);
          sch.mortality_kind = MortalityInput::death_rates;
          sch.mortality.assign(two.mortality.begin() + static_cast<long>(uz(g) * 2 * rows),
                               two.mortality.begin() + static_cast<long>(uz(g + 1) * 2 * rows));
          sch.asfr.assign(two.asfr.begin() + static_cast<long>(uz(g) * nA),
                          two.asfr.begin() + static_cast<long>(uz(g + 1) * nA));
          sch.srb = two.srb;
        },
        sink);
    for (std::size_t k = 0; k < r.populations.size(); ++k)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < one.grid.n_ages; ++i)
          EXPECT_NEAR(r.populations[k].at(0, g, s, i), sink.populations[k].at(0, 0, s, i),
                      1e-12 * sink.populations[k].at(0, 0, s, i))
              << "group " << g << " step " << k << " sex " << s << " age " << i;
  }
}

// No moves, mortality given as Lx or as survival ratios: the multistate step is the flow step, bit for bit
// (populations, births, cohort deaths), also with transitions whose rates are all zero.
TEST(MultistateProjection, NoMovesEqualsFlowsBitForBitFromLxAndSx) {
  for (MortalityInput kind : {MortalityInput::person_years, MortalityInput::survival_ratios})
    for (bool zero_transition : {false, true})
      for (const AgeGrid grid : {AgeGrid::five_year(85), AgeGrid::single_year(100)}) {
        Case ms;
        ms.grid = grid;
        ms.kind = kind;
        if (zero_transition) ms.transitions = {transition(grid, 1, 0, 0.0)};
        Case fl = ms;
        fl.method = ProjectionMethod::flows;
        const auto a = ms.run(), b = fl.run();
        ASSERT_EQ(a.populations.size(), b.populations.size());
        for (std::size_t k = 0; k < a.populations.size(); ++k)
          EXPECT_TRUE(same_bits(a.populations[k].data(), b.populations[k].data()))
              << "step " << k << " kind " << static_cast<int>(kind) << " z " << grid.width_years;
        for (std::size_t k = 0; k < a.components.size(); ++k) {
          EXPECT_TRUE(same_bits(a.components[k].births, b.components[k].births));
          EXPECT_TRUE(same_bits(a.components[k].deaths.data(), b.components[k].deaths.data()));
          EXPECT_TRUE(same_bits(a.components[k].deaths_by_state, b.components[k].deaths_by_state));
        }
      }
}

// From mx the two methods differ: the multistate life table integrates linearly (ax = z/2 everywhere, open group
// T = l/m), the engine's mx table uses a0 by Andreev–Kingkade and Greville's ax. The difference is small but not 0.
TEST(MultistateProjection, FromMxDiffersFromFlowsByTheLifeTableConvention) {
  Case ms;
  Case fl = ms;
  fl.method = ProjectionMethod::flows;
  const auto a = ms.run(), b = fl.run();
  double max_rel = 0.0;
  for (std::size_t c = 0; c < a.populations.back().data().size(); ++c) {
    const double x = a.populations.back().data()[c], y = b.populations.back().data()[c];
    max_rel = std::max(max_rel, std::abs(x - y) / y);
  }
  EXPECT_GT(max_rel, 1e-6);
  EXPECT_LT(max_rel, 0.05);
}

// With moves: per state and sex, end = start + births − deaths + transfers in − transfers out (no floor here), and
// the transfers cancel over the groups of a zone, cohort by cohort.
TEST(MultistateProjection, AccountingWithMoves) {
  for (OpenAgeSurvivors open : {OpenAgeSurvivors::keep, OpenAgeSurvivors::drop})
    for (MortalityInput kind : {MortalityInput::death_rates, MortalityInput::survival_ratios}) {
      Case c;
      c.open = open;
      c.kind = kind;
      c.transitions = {transition(c.grid, 1, 0, 0.04), transition(c.grid, 0, 1, 0.01)};
      c.newborn = {NewbornRule{1, 0, 0.25, {}}};
      const auto r = c.run();
      for (std::size_t k = 0; k < r.components.size(); ++k) {
        const auto& start = r.populations[k];
        const auto& end = r.populations[k + 1];
        const auto& comp = r.components[k];
        EXPECT_TRUE(comp.floored.empty());
        for (int z = 0; z < c.zones; ++z)
          for (int s = 0; s < 2; ++s) {
            for (int i = 0; i < c.grid.n_ages; ++i) {
              double in = 0.0, out = 0.0;
              for (int g = 0; g < c.groups; ++g) {
                in += comp.transfer_in.at(z, g, s, i);
                out += comp.transfer_out.at(z, g, s, i);
              }
              EXPECT_NEAR(in, out, 1e-9 * (1.0 + in));
            }
            for (int g = 0; g < c.groups; ++g) {
              double s0 = 0.0, s1 = 0.0, d = 0.0, tin = 0.0, tout = 0.0;
              for (int i = 0; i < c.grid.n_ages; ++i) {
                s0 += start.at(z, g, s, i);
                s1 += end.at(z, g, s, i);
                d += comp.deaths.at(z, g, s, i);
                tin += comp.transfer_in.at(z, g, s, i);
                tout += comp.transfer_out.at(z, g, s, i);
              }
              const double b = comp.births[(uz(z) * uz(c.groups) + uz(g)) * kSexes + uz(s)];
              EXPECT_NEAR(s1, s0 + b - d + tin - tout, 1e-9 * s0);
              EXPECT_GT(tin + tout, 0.0);
            }
          }
      }
    }
}

// Drop: the open group at the end holds only the survivors of the group below it; the persons of the open group at
// the start are counted with its deaths.
TEST(MultistateProjection, DropOpenAgeSurvivors) {
  Case c;
  c.zones = 1;
  c.groups = 1;
  c.steps = 1;
  c.open = OpenAgeSurvivors::drop;
  const auto r = c.run();
  const int w = c.grid.open_index();
  for (int s = 0; s < 2; ++s) {
    const double top_before = r.populations[0].at(0, 0, s, w), below = r.populations[0].at(0, 0, s, w - 1);
    const double end = r.populations[1].at(0, 0, s, w), dead = r.components[0].deaths.at(0, 0, s, w);
    EXPECT_NEAR(end + dead, below + top_before, 1e-9 * below);
    EXPECT_LT(end, below);
  }
}

TEST(MultistateProjection, SameBitsAtAnyThreadCount) {
  Case c;
  c.zones = 40;
  c.cell_components = false;
  c.transitions = {transition(c.grid, 1, 0, 0.04)};
  const auto a = c.run();
  c.threads = 2;
  const auto b = c.run();
  for (std::size_t k = 0; k < a.populations.size(); ++k)
    EXPECT_TRUE(same_bits(a.populations[k].data(), b.populations[k].data()));
}

// Bad input: rates that make a probability negative name zone, age and sex; migration forms without a multistate
// meaning are refused by name.
TEST(MultistateProjection, NegativeProbabilityIsAnInputError) {
  Case c;
  c.transitions = {transition(c.grid, 1, 0, 0.5)};  // 2.5 · (0.5 · 1.12 + mu) > 1 first at 20–24
  const std::string e = error_of([&] { c.run(); });
  EXPECT_CONTAINS(e, "zone 'z0'");
  EXPECT_CONTAINS(e, "group 'g1'");
  EXPECT_CONTAINS(e, "sex female");
  EXPECT_CONTAINS(e, "age 20");
  EXPECT_CONTAINS(e, "negative");
}

TEST(MultistateProjection, MigrationWithoutMultistateMeaningIsRefused) {
  Case c;
  c.net_counts = true;
  const std::string e = error_of([&] { c.run(); });
  EXPECT_CONTAINS(e, "net migration given as counts has no multistate meaning");
}

// A3 step 7 in the multistate step, as close_step: a cell below zero (here newborns of g0, whose births two rules
// move 1.6 times over to g1: the engine takes each rule's share as given) ends at kFloorPersons, its floor adjustment
// kFloorPersons − Q is kept and listed among the floored cells (none elsewhere); under flow policy 'error' the run
// stops, naming the cell.
TEST(MultistateProjection, CellsBelowZeroAreFlooredOrStopTheRun) {
  Case c;
  c.steps = 1;
  c.newborn = {{0, 1, 0.8, {}}, {0, 1, 0.8, {}}};
  const auto run = [&](FlowPolicy policy) {
    ProjectionConfig cfg;
    cfg.grid = c.grid;
    cfg.steps = 1;
    cfg.threads = 1;
    cfg.method = ProjectionMethod::multistate;
    cfg.cell_components = true;
    cfg.flow_policy = policy;
    return run_filled(cfg, c);
  };
  const RecordingSink sink = run(FlowPolicy::conserve);
  const StepComponents& comp = sink.components[0];
  ASSERT_EQ(comp.floored.size(), uz(c.zones) * kSexes);  // age 0 of g0, each zone and sex
  double listed = 0.0;
  for (const AdjustedCell& a : comp.floored) {
    EXPECT_EQ(a.group, 0);
    EXPECT_EQ(a.age, 0);
    EXPECT_GT(a.persons, kFloorPersons);
    EXPECT_EQ(sink.populations[1].at(a.zone, 0, a.sex, 0), kFloorPersons) << "zone " << a.zone << " sex " << a.sex;
    EXPECT_EQ(comp.floor_adjustment.at(a.zone, 0, a.sex, 0), a.persons) << "zone " << a.zone << " sex " << a.sex;
    listed += a.persons;
  }
  double adjusted = 0.0;
  for (const double v : comp.floor_adjustment.data()) adjusted += v;
  EXPECT_EQ(adjusted, listed);
  std::string e = "no error";
  try {
    run(FlowPolicy::error);
  } catch (const ProjectionError& x) {
    e = x.what();
  }
  EXPECT_CONTAINS(e, "zone 'z0', group 'g0', sex female, age 0");
  EXPECT_CONTAINS(e, "the population would fall to");
  EXPECT_CONTAINS(e, "(flow policy 'error')");
}
