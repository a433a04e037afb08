// SPDX-License-Identifier: Apache-2.0
// The multistate step with OD rates between zones (step_multistate_od.cpp) through Projection: a 3-zone case against
// the dense multistate life table computed here by its definitions; OD rates of 0 against the zone-local multistate
// step; the accounting identities; a negative probability named by zone, sex and age.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/multistate.hpp"
#include "error_of.hpp"
#include "projection_cases.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;
using cohortgis::test::error_of;
using cohortgis::test::name_states;
using cohortgis::test::RecordingSink;
using cohortgis::test::run_filled;
using cohortgis::test::sloped_base;

namespace {

using Dense = Eigen::MatrixXd;

double mx_of(double age, double level) { return level * (0.0005 + 0.00003 * std::exp(0.095 * age)); }

// Life-table row ages of a five-year grid from mx: 0, 1–4, 5–9, … (the open row last).
std::vector<double> row_ages(const AgeGrid& grid) {
  std::vector<double> a = {0.5, 3.0};
  for (int i = 1; i < grid.n_ages; ++i) a.push_back(5.0 * i + 2.5);
  return a;
}

struct OdCase {
  AgeGrid grid = AgeGrid::five_year(20);
  int zones = 3, groups = 1, steps = 1;
  OpenAgeSurvivors open = OpenAgeSurvivors::keep;
  MortalityInput kind = MortalityInput::death_rates;
  double od_level = 0.02;  // per year; 0: every pair present with rate 0
  bool with_od = true;
  bool with_transition = false;
  double next_factor = 0.0;  // > 0: mortality_next = next_factor × each table's open rate (rates past the open age)

  double level(int z, int g, int s) const { return 1.0 + 0.1 * z + 0.5 * g + 0.3 * s; }
  double od_rate(int from, int to) const { return od_level * (1 + from + 2 * to) / 3.0; }
  CohortArray base() const { return sloped_base(zones, groups, grid, 250.0); }
  std::shared_ptr<const OdMigration> od() const {
    std::vector<OdFlow> flows;
    for (int j = 0; j < zones; ++j)
      for (int k = 0; k < zones; ++k)
        if (j != k) flows.push_back({j, k, -1, od_rate(j, k)});
    return std::make_shared<OdMigration>(flows, std::vector<double>{}, zones, groups, grid.n_ages);
  }
  void fill(StepSchedules& sch) const {
    sch.mortality_kind = kind;
    sch.mortality.clear();
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < groups; ++g)
        for (int s = 0; s < 2; ++s) {
          if (kind == MortalityInput::death_rates) {
            sch.mortality.push_back(0.02 * level(z, g, s));
            for (std::size_t r = 1; r < row_ages(grid).size(); ++r)
              sch.mortality.push_back(mx_of(row_ages(grid)[r], level(z, g, s)));
          } else {  // survival ratios of the linear one-state table
            for (int i = 0; i < grid.n_ages; ++i) sch.mortality.push_back(0.99 - 0.01 * i * level(z, g, s) - 0.002 * z);
          }
        }
    sch.mortality_next.clear();
    if (next_factor > 0.0 && kind == MortalityInput::death_rates)
      for (std::size_t t = 0, rows = row_ages(grid).size(); t < sch.mortality.size() / rows; ++t)
        sch.mortality_next.push_back(next_factor * sch.mortality[t * rows + rows - 1]);
    sch.asfr.clear();
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < groups; ++g)
        for (int i = 0; i < grid.n_ages; ++i) sch.asfr.push_back(i == 4 || i == 5 || i == 6 ? 0.05 + 0.01 * z : 0.0);
    sch.srb.assign(uz(zones), 1.06);
    sch.transitions.clear();
    if (with_transition) {
      GroupTransition t;
      t.from_group = 0;
      t.to_group = 1;
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < grid.n_ages; ++i) t.rate_per_year.push_back(0.03 + 0.002 * i + 0.01 * s);
      sch.transitions.push_back(t);
    }
    sch.od = with_od ? od() : nullptr;
  }
  RecordingSink run() const {
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = steps;
    cfg.method = ProjectionMethod::multistate;
    cfg.multistate_open_age = open;
    cfg.cell_components = true;
    return run_filled(cfg, *this);
  }
};

Dense probabilities(const Dense& M, double width) {
  const Dense I = Dense::Identity(M.rows(), M.cols());
  return (I + width / 2.0 * M).inverse() * (I - width / 2.0 * M);
}

// S(i) by the life table's definitions (as test_multistate_od.cpp): l(0) = I, l(1) = P1, l(5) = P4·P1,
// L(0) = ½(l(0) + l(1)) + 2(l(1) + l(5)), l(x+5) = P(x) l(x), L(x) = 5/2 (l(x) + l(x+5)), S(0) = L(0)/5,
// S(x) = L(x) L(x−5)^-1, open group keep: T(w) = M(w)^-1 l(w), S(w) = T(w)(L(w−5) + T(w))^-1.
std::vector<Dense> by_definition(const AgeGrid& grid, const std::vector<Dense>& M) {
  const std::size_t w = uz(grid.open_index());
  const Dense I = Dense::Identity(M[0].rows(), M[0].cols());
  std::vector<Dense> l(w + 2), L(w + 1), S(w + 1);
  l[0] = I;
  const Dense l1 = probabilities(M[0], 1.0);
  l[1] = probabilities(M[1], 4.0) * l1;
  L[0] = 0.5 * (l[0] + l1) + 2.0 * (l1 + l[1]);
  for (std::size_t i = 1; i <= w; ++i) {
    l[i + 1] = probabilities(M[i + 1], 5.0) * l[i];
    L[i] = 2.5 * (l[i] + l[i + 1]);
  }
  S[0] = L[0] / 5.0;
  for (std::size_t i = 1; i < w; ++i) S[i] = L[i] * L[i - 1].inverse();
  const Dense T = M[w + 1].inverse() * l[w];
  S[w] = T * (L[w - 1] + T).inverse();
  return S;
}

// The three-zone case's S(i) of sex s from the dense life table by its definitions: each row's rate matrix M holds
// the zone's death rate plus its OD rates out on the diagonal and minus the rates in off it.
std::vector<Dense> dense_survival(const OdCase& c, int s) {
  const auto ages = row_ages(c.grid);
  std::vector<Dense> M;
  for (std::size_t r = 0; r < ages.size(); ++r) {
    Dense m = Dense::Zero(3, 3);
    for (int j = 0; j < 3; ++j) {
      m(j, j) = r == 0 ? 0.02 * c.level(j, 0, s) : mx_of(ages[r], c.level(j, 0, s));
      for (int k = 0; k < 3; ++k)
        if (k != j) {
          m(j, j) += c.od_rate(j, k);
          m(k, j) -= c.od_rate(j, k);
        }
    }
    M.push_back(m);
  }
  return by_definition(c.grid, M);
}

// Who enters index i of sex s in each of the three zones: the births at i = 0, K(i−1), at the open index K(w−1) + K(w).
Eigen::VectorXd entering(const OdCase& c, const CohortArray& start, const StepComponents& k, int s, std::size_t i) {
  const std::size_t w = uz(c.grid.open_index());
  Eigen::VectorXd a(3);
  for (int z = 0; z < 3; ++z)
    a(z) = i == 0  ? k.births[(uz(z) * 1 + 0) * kSexes + uz(s)]
           : i < w ? start.at(z, 0, s, static_cast<int>(i) - 1)
                   : start.at(z, 0, s, static_cast<int>(w) - 1) + start.at(z, 0, s, static_cast<int>(w));
  return a;
}

double relative_gap(const CohortArray& a, const CohortArray& b) {
  double worst = 0.0;
  for (std::size_t k = 0; k < a.data().size(); ++k)
    worst = std::max(worst, std::abs(a.data()[k] - b.data()[k]) / std::max(1.0, std::abs(b.data()[k])));
  return worst;
}

}  // namespace

// Three zones exchanging people at every age, one step from mx on a five-year grid: the end population equals
// S(i)·K(i−1) (and S(w)·(K(w−1) + K(w)), S(0)·births) with S from the dense life table by its definitions.
TEST(MultistateOdStep, ThreeZonesMatchTheDenseLifeTable) {
  const OdCase c;
  const RecordingSink sink = c.run();
  const CohortArray start = c.base(), &end = sink.populations.at(1);
  const std::size_t w = uz(c.grid.open_index());
  for (int s = 0; s < 2; ++s) {
    const std::vector<Dense> S = dense_survival(c, s);
    for (std::size_t i = 0; i <= w; ++i) {
      const Eigen::VectorXd want = S[i] * entering(c, start, sink.components[0], s, i);
      for (int z = 0; z < 3; ++z)
        EXPECT_NEAR(end.at(z, 0, s, static_cast<int>(i)), want(z), 1e-10 * want(z))
            << "zone " << z << " sex " << s << " index " << i;
    }
  }
}

// Every OD pair present at rate 0: the same projection as the zone-local multistate step (no OD) to rounding, with
// group transitions, from mx and from survival ratios, keep and drop.
TEST(MultistateOdStep, ZeroOdRatesEqualTheZoneLocalStep) {
  for (const MortalityInput kind : {MortalityInput::death_rates, MortalityInput::survival_ratios})
    for (const OpenAgeSurvivors open : {OpenAgeSurvivors::keep, OpenAgeSurvivors::drop}) {
      OdCase c;
      c.groups = 2;
      c.steps = 3;
      c.kind = kind;
      c.open = open;
      c.with_transition = true;
      c.od_level = 0.0;
      const RecordingSink od = c.run();
      c.with_od = false;
      const RecordingSink local = c.run();
      for (int t = 1; t <= c.steps; ++t) {
        EXPECT_LT(relative_gap(od.populations[uz(t)], local.populations[uz(t)]), 1e-12) << "step " << t;
        EXPECT_LT(relative_gap(od.components[uz(t) - 1].deaths, local.components[uz(t) - 1].deaths), 1e-11);
        EXPECT_LT(relative_gap(od.components[uz(t) - 1].net_migrants, local.components[uz(t) - 1].net_migrants), 1e-9);
      }
    }
}

// Rates past the open age under `drop`: the OD step closes [w, w+z) with the next rate as the zone-local step does
// (OD rates of 0: the same projection to rounding), which is not the projection without it.
TEST(MultistateOdStep, DropTakesTheNextRateAsTheZoneLocalStep) {
  OdCase c;
  c.groups = 2;
  c.steps = 2;
  c.open = OpenAgeSurvivors::drop;
  c.with_transition = true;
  c.od_level = 0.0;
  c.next_factor = 0.6;
  const RecordingSink od = c.run();
  c.with_od = false;
  const RecordingSink local = c.run();
  c.next_factor = 0.0;
  const RecordingSink without = c.run();
  for (int t = 1; t <= c.steps; ++t) {
    EXPECT_LT(relative_gap(od.populations[uz(t)], local.populations[uz(t)]), 1e-12) << "step " << t;
    EXPECT_GT(relative_gap(local.populations[uz(t)], without.populations[uz(t)]), 1e-6) << "step " << t;
  }
}

// Start + births = end + deaths over all states (moves between zones and groups cancel), and the net moves of every
// age and sex sum to zero over the states; people do move between zones.
TEST(MultistateOdStep, AccountingDeathsMovesStayers) {
  for (const OpenAgeSurvivors open : {OpenAgeSurvivors::keep, OpenAgeSurvivors::drop}) {
    OdCase c;
    c.groups = 2;
    c.with_transition = true;
    c.open = open;
    const RecordingSink sink = c.run();
    const CohortArray start = c.base(), &end = sink.populations.at(1);
    const StepComponents& k = sink.components.at(0);
    for (int s = 0; s < 2; ++s) {
      double before = 0.0, after = 0.0, deaths = 0.0, births = 0.0, moved = 0.0;
      for (int z = 0; z < c.zones; ++z)
        for (int g = 0; g < c.groups; ++g) {
          births += k.births[(uz(z) * uz(c.groups) + uz(g)) * kSexes + uz(s)];
          for (int i = 0; i < c.grid.n_ages; ++i) {
            before += start.at(z, g, s, i);
            after += end.at(z, g, s, i);
            deaths += k.deaths.at(z, g, s, i);
            moved += std::abs(k.net_migrants.at(z, g, s, i));
          }
        }
      EXPECT_NEAR(before + births, after + deaths, 1e-9 * before) << "sex " << s;
      EXPECT_GT(moved, 100.0);
      for (int i = 0; i < c.grid.n_ages; ++i) {
        double net = 0.0;
        for (int z = 0; z < c.zones; ++z)
          for (int g = 0; g < c.groups; ++g) net += k.net_migrants.at(z, g, s, i);
        EXPECT_NEAR(net, 0.0, 1e-9 * before) << "sex " << s << " index " << i;
      }
    }
  }
}

// z/2 · (death + OD rates out) ≥ 1 in zone z0 (the first state) from age 5: an InputError naming the zone, sex and age
// group.
TEST(MultistateOdStep, NegativeProbabilityNamesZoneSexAge) {
  OdCase c;
  c.od_level = 0.15;  // every zone sends 0.15·8/3 = 0.4 per year: 2·(0.4 + mu) < 1 at 1–4, 2.5·(0.4 + mu) > 1 at 5–9
  const std::string e = error_of([&] { c.run(); });
  EXPECT_NE(e.find("zone 'z0'"), std::string::npos) << e;
  EXPECT_NE(e.find("sex female"), std::string::npos) << e;
  EXPECT_NE(e.find("age 5"), std::string::npos) << e;
  EXPECT_NE(e.find("negative"), std::string::npos) << e;
}

// Factors kept across steps while the provider says mortality is unchanged (same OD and transitions): the same bits
// as rebuilding them every step.
TEST(MultistateOdStep, KeptFactorsGiveTheSameBits) {
  OdCase c;
  c.groups = 2;
  c.steps = 3;
  c.with_transition = true;
  auto run = [&](bool unchanged) {
    ProjectionConfig cfg;
    cfg.grid = c.grid;
    cfg.steps = c.steps;
    cfg.method = ProjectionMethod::multistate;
    cfg.cell_components = true;
    name_states(cfg, c.zones, c.groups);
    Projection p(cfg, c.base());
    RecordingSink sink;
    const auto od = c.od();  // one OD object for the whole run, as a scenario's provider keeps it
    p.run(
        [&](const StepContext& ctx, StepSchedules& s) {
          c.fill(s);
          s.od = od;
          s.mortality_unchanged = unchanged && ctx.step > 0;
        },
        sink);
    return sink;
  };
  const RecordingSink kept = run(true), rebuilt = run(false);
  for (int t = 1; t <= c.steps; ++t) {
    const auto& a = kept.populations[uz(t)].data();
    const auto& b = rebuilt.populations[uz(t)].data();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << "step " << t;
  }
}

// Gross moves (step_multistate_od.cpp header): in the three-zone case, a survivor of zone k found in zone j ≠ k at the
// end is S_jk(i)·a_k with S from the dense life table by its definitions (by_definition above, the l(x), L(x) route,
// not the step's closed forms); od_out of k = Σ_j≠k S_jk·a_k and od_in of j = Σ_k≠j S_jk·a_k, at every index.
TEST(MultistateOdStep, GrossOdMovesMatchTheDenseLifeTable) {
  const OdCase c;
  const RecordingSink sink = c.run();
  const CohortArray start = c.base();
  const StepComponents& k = sink.components.at(0);
  ASSERT_FALSE(k.od_in.data().empty());
  const std::size_t w = uz(c.grid.open_index());
  double moved = 0.0;
  for (int s = 0; s < 2; ++s) {
    const std::vector<Dense> S = dense_survival(c, s);
    for (std::size_t i = 0; i <= w; ++i) {
      const Eigen::VectorXd a = entering(c, start, k, s, i);
      for (int z = 0; z < 3; ++z) {
        double out = 0.0, in = 0.0;
        for (int j = 0; j < 3; ++j)
          if (j != z) {
            out += S[i](j, z) * a(z);
            in += S[i](z, j) * a(j);
          }
        const int ii = static_cast<int>(i);
        EXPECT_NEAR(k.od_out.at(z, 0, s, ii), out, 1e-9 * out) << "zone " << z << " sex " << s << " index " << i;
        EXPECT_NEAR(k.od_in.at(z, 0, s, ii), in, 1e-9 * in) << "zone " << z << " sex " << s << " index " << i;
        moved += out;
      }
    }
  }
  EXPECT_GT(moved, 1000.0);
}

// Two zones, the closed interval of index 2 (ages 5–9 → 10–14) by hand: S(2) = B(10)^-1 C(5), B = I + 5/2·M,
// C = I − 5/2·M, the 2×2 inverse written out; moves 0 → 1 = S_10·a_0 and 1 → 0 = S_01·a_1.
TEST(MultistateOdStep, GrossMovesTwoZonesByHand) {
  OdCase c;
  c.zones = 2;
  const RecordingSink sink = c.run();
  const CohortArray start = c.base();
  const StepComponents& k = sink.components.at(0);
  const int s = 1;  // male
  const double r01 = c.od_rate(0, 1), r10 = c.od_rate(1, 0);
  auto mu = [&](double age, int z) { return mx_of(age, c.level(z, 0, s)); };
  // Life-table rows 2 (ages 5–9, mid 7.5) and 3 (10–14, mid 12.5).
  const double h = 2.5;
  const double c00 = 1.0 - h * (mu(7.5, 0) + r01), c01 = h * r10, c10 = h * r01, c11 = 1.0 - h * (mu(7.5, 1) + r10);
  const double b00 = 1.0 + h * (mu(12.5, 0) + r01), b01 = -h * r10, b10 = -h * r01, b11 = 1.0 + h * (mu(12.5, 1) + r10);
  const double det = b00 * b11 - b01 * b10;
  const double i00 = b11 / det, i01 = -b01 / det, i10 = -b10 / det, i11 = b00 / det;
  const double S10 = i10 * c00 + i11 * c10, S01 = i00 * c01 + i01 * c11;
  const double a0 = start.at(0, 0, s, 1), a1 = start.at(1, 0, s, 1);
  EXPECT_NEAR(k.od_out.at(0, 0, s, 2), S10 * a0, 1e-10 * S10 * a0);
  EXPECT_NEAR(k.od_in.at(1, 0, s, 2), S10 * a0, 1e-10 * S10 * a0);
  EXPECT_NEAR(k.od_out.at(1, 0, s, 2), S01 * a1, 1e-10 * S01 * a1);
  EXPECT_NEAR(k.od_in.at(0, 0, s, 2), S01 * a1, 1e-10 * S01 * a1);
  EXPECT_NEAR(k.net_migrants.at(0, 0, s, 2), S01 * a1 - S10 * a0, 1e-9 * S10 * a0);
}

// The accounting of the gross moves of a run: per cell in − out (OD + transfers) = the reported net_migrants (to
// 1e-12 of the cell's gross moves); per age and sex Σ od_in = Σ od_out over all cells; per zone, age and sex
// Σ transfer_in = Σ transfer_out; no negative move; both kinds of moves happen.
void expect_gross_accounting(const OdCase& c) {
  const RecordingSink sink = c.run();
  for (const StepComponents& k : sink.components) {
    ASSERT_FALSE(k.od_in.data().empty());
    ASSERT_FALSE(k.transfer_in.data().empty());
    double od_total = 0.0, tr_total = 0.0;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < c.grid.n_ages; ++i) {
        double od_in = 0.0, od_out = 0.0;
        for (int z = 0; z < c.zones; ++z) {
          double tr_in = 0.0, tr_out = 0.0;
          for (int g = 0; g < c.groups; ++g) {
            const double in = k.od_in.at(z, g, s, i) + k.transfer_in.at(z, g, s, i);
            const double out = k.od_out.at(z, g, s, i) + k.transfer_out.at(z, g, s, i);
            EXPECT_NEAR(in - out, k.net_migrants.at(z, g, s, i), 1e-12 * std::max(1.0, in + out))
                << "zone " << z << " group " << g << " sex " << s << " index " << i;
            EXPECT_GE(std::min({k.od_in.at(z, g, s, i), k.od_out.at(z, g, s, i), k.transfer_in.at(z, g, s, i),
                                k.transfer_out.at(z, g, s, i)}),
                      0.0);
            od_in += k.od_in.at(z, g, s, i);
            od_out += k.od_out.at(z, g, s, i);
            tr_in += k.transfer_in.at(z, g, s, i);
            tr_out += k.transfer_out.at(z, g, s, i);
          }
          EXPECT_NEAR(tr_in, tr_out, 1e-12 * std::max(1.0, tr_in)) << "zone " << z << " index " << i;
          tr_total += tr_out;
        }
        EXPECT_NEAR(od_in, od_out, 1e-12 * std::max(1.0, od_in)) << "sex " << s << " index " << i;
        od_total += od_out;
      }
    EXPECT_GT(od_total, 1000.0);
    EXPECT_GT(tr_total, 100.0);
  }
}

// 3 zones × 2 groups with a group transition, from mx and from survival ratios, keep and drop.
TEST(MultistateOdStep, GrossMovesAccountForTheNet) {
  for (const MortalityInput kind : {MortalityInput::death_rates, MortalityInput::survival_ratios})
    for (const OpenAgeSurvivors open : {OpenAgeSurvivors::keep, OpenAgeSurvivors::drop}) {
      OdCase c;
      c.groups = 2;
      c.steps = 2;
      c.kind = kind;
      c.open = open;
      c.with_transition = true;
      expect_gross_accounting(c);
    }
}

// 40 zones × 2 groups = 80 states: the columns of S(i) are formed in blocks of 64, so this crosses a block boundary.
TEST(MultistateOdStep, GrossMovesAccountForTheNetOverColumnBlocks) {
  OdCase c;
  c.zones = 40;
  c.groups = 2;
  c.od_level = 0.0002;  // rates out of a zone sum to at most 0.1 per year
  c.with_transition = true;
  expect_gross_accounting(c);
}
