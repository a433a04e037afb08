// SPDX-License-Identifier: Apache-2.0
// Multi-zone projection (docs/ccmpp.md Part B): analytic results, the accounting identity, determinism.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "error_of.hpp"
#include "projection_cases.hpp"
#include "projection_fixture.hpp"
#include "step_runner.hpp"  // engine/src: detail::FlooredCells

using namespace cohortgis;
using cohortgis::test::fertility;
using cohortgis::test::makeham_mx;
using cohortgis::test::OneStateCase;
using cohortgis::test::random_case;
using cohortgis::test::RandomCase;
using cohortgis::test::RecordingSink;
using cohortgis::test::run_case;

// The long-run growth factor of the projection equals the dominant eigenvalue of the Leslie matrix built from the
// same rates (Preston, Heuveline & Guillot 2001, §6.3), and the age structure converges to its eigenvector.
TEST(ProjectionAnalytic, LeslieMatrixGrowthFactor) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const int A = grid.n_ages, w = A - 1;
  const double srb = 1.05, z = 5.0;
  std::vector<double> S(uz(A)), F = fertility(grid, 2.6);
  survival_ratios(abridged_life_table(makeham_mx(grid, 1.0), Sex::female), grid, S);

  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(A, A);
  for (int j = 0; j < A; ++j) {
    double f = 0.0;
    if (j >= 1 && j <= w - 1) f += F[uz(j)];
    if (j + 1 >= 1 && j + 1 <= w - 1) f += F[uz(j + 1)] * S[uz(j + 1)];
    L(0, j) = S[0] / (1.0 + srb) * z / 2.0 * f;
  }
  for (int i = 1; i <= w; ++i) L(i, i - 1) = S[uz(i)];
  L(w, w) = S[uz(w)];
  // The dominant eigenvalue and its eigenvector from the Leslie matrix's characteristic (discrete Euler–Lotka)
  // equation, not by Eigen::EigenSolver (half of this file's compile under ASan): with v(0) = 1, v(i) =
  // L(i,i−1)·v(i−1)/λ below the open group and v(w) = L(w,w−1)·v(w−1)/(λ − L(w,w)); λ solves L(0,·)·v = λ.
  // L(0,·)·v/λ falls as λ grows above L(w,w), so bisection finds its one root there, the growth factor.
  auto eigenvector = [&](double lambda) {
    Eigen::VectorXd v(A);
    v(0) = 1.0;
    for (int i = 1; i < w; ++i) v(i) = L(i, i - 1) * v(i - 1) / lambda;
    v(w) = L(w, w - 1) * v(w - 1) / (lambda - L(w, w));
    return v;
  };
  auto births_per_newborn = [&](double lambda) { return L.row(0).dot(eigenvector(lambda)) / lambda; };
  double lo = 1.0, hi = 4.0;
  ASSERT_GT(births_per_newborn(lo), 1.0);  // a growing population: λ > 1
  ASSERT_LT(births_per_newborn(hi), 1.0);
  for (double mid = (lo + hi) / 2; mid > lo && mid < hi; mid = (lo + hi) / 2)
    (births_per_newborn(mid) > 1.0 ? lo : hi) = mid;
  const double lambda = lo;

  OneStateCase c;
  c.grid = grid;
  for (int i = 0; i < A; ++i) c.P_f.push_back(1000.0 * (A - i));
  c.P_m = c.P_f;
  c.S_f = c.S_m = S;
  c.F = F;
  c.srb = srb;
  const RecordingSink sink = c.run(200);
  const auto& last = sink.populations.back();
  const auto& prev = sink.populations[sink.populations.size() - 2];
  const double growth = last.vec(0, 0, 0).sum() / prev.vec(0, 0, 0).sum();
  EXPECT_NEAR(growth, lambda, 1e-10 * lambda);
  Eigen::VectorXd v = eigenvector(lambda);
  v /= v.sum();
  Eigen::VectorXd shape = last.vec(0, 0, 0) / last.vec(0, 0, 0).sum();
  EXPECT_LT((shape - v).cwiseAbs().maxCoeff(), 1e-10);
}

// `wpp` overrides an empty cell even when the run has no migration at all (A2: P + M = 0 + 0 ≤ 0, M := 0.00001), as
// ccmppWPP's zero-migration variant does and as a table of zeros does (tests/conformance/
// un-groups-residual-rates-quota, variant no-transitions); before round 19 a run without migration inputs skipped it.
TEST(ProjectionPolicy, WppOverridesAnEmptyCellWithoutAnyMigrationInput) {
  OneStateCase c;
  c.grid = AgeGrid::single_year(2);
  c.P_f = {100, 0, 50};
  c.P_m = {110, 90, 40};
  c.S_f = {0.9, 0.8, 0.5};
  c.S_m = {0.85, 0.75, 0.4};
  c.F = {0, 0.5, 0};
  c.timing = MigrationTiming::end;
  c.policy = FlowPolicy::wpp;
  const RecordingSink none = c.run();
  ASSERT_EQ(none.components.at(0).overridden.size(), 1u);
  EXPECT_EQ(none.components[0].overridden[0].age, 1);
  EXPECT_DOUBLE_EQ(none.populations.at(1).at(0, 0, 0, 1), 80.0 + 0.00001);  // index 1 at the end: 0.8 · 100 + M
  c.M_f = {0, 0, 0};
  c.M_m = {0, 0, 0};
  const RecordingSink zeros = c.run();  // the same with a table of zeros, bit for bit
  const auto bits = [](const CohortArray& a) { return std::vector<double>(a.data().begin(), a.data().end()); };
  EXPECT_EQ(cohortgis::test::differing_bits(bits(none.populations.at(1)), bits(zeros.populations.at(1))), 0u);
  c.policy = FlowPolicy::conserve;  // conserve has no override: the empty cell stays empty
  EXPECT_DOUBLE_EQ(c.run().populations.at(1).at(0, 0, 0, 1), 80.0);
}

// conserve scales a cell's out-flows (B2); a pair of external flows (ExternalPair: an OD rate by cell, OD counts, a
// relocation, as a scenario gives them) then arrives scaled as it left, so the destination receives exactly what the
// origin lost (tests/conformance/un-two-zones-conserve-pairs; before round 19 it arrived whole).
TEST(ProjectionPolicy, ConservePairArrivesScaledAsItsOrigin) {
  const AgeGrid grid = AgeGrid::single_year(2);
  const CohortLayout layout{2, 1, grid};
  CohortArray base(layout);
  for (int z = 0; z < 2; ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < 3; ++i) base.at(z, 0, s, i) = 50.0 + 10.0 * i;
  base.at(0, 0, 0, 1) = 80.0;
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.steps = 1;
  cfg.migration_timing = MigrationTiming::end;
  cfg.threads = 1;
  cfg.cell_components = true;
  const std::size_t from = layout.index(0, 0, 0, 1), to = layout.index(1, 0, 0, 1);
  // The step's schedules with these pairs.
  const auto run = [&](std::vector<ExternalPair> pairs) {
    Projection projection(cfg, base);
    RecordingSink sink;
    projection.run(
        [&](const StepContext&, StepSchedules& s) {
          s.mortality_kind = MortalityInput::survival_ratios;
          s.mortality.assign(layout.cells(), 1.0);
          s.asfr.assign(layout.states() * 3, 0.0);
          s.srb.assign(2, 1.05);
          s.external_out.assign(layout.cells(), 0.0);
          s.external_in.assign(layout.cells(), 0.0);
          s.external_out[from] = 100.0;  // 60 to zone 1 and 40 abroad: more than the 80 of the cell
          s.external_in[to] = 60.0;
          s.external_pairs = pairs;
        },
        sink);
    return sink;
  };
  const double f = (80.0 - 0.00001) / 100.0;
  const RecordingSink paired = run({{from, to, 60.0}});
  ASSERT_EQ(paired.components.at(0).scaled_flows.size(), 1u);
  EXPECT_NEAR(paired.populations.at(1).at(1, 0, 0, 1), 50.0 + 60.0 * f, 1e-12);  // S = 1: P[0] + M[1] at the end
  EXPECT_NEAR(paired.components[0].external_in.at(1, 0, 0, 1), 60.0 * f, 1e-12);
  EXPECT_NEAR(paired.populations[1].vec(1, 0, 0).sum(), 180.0 + 60.0 * f, 1e-12);  // zone 1 gains what 0 lost to it
  const RecordingSink given = run({});  // without the pair, 60 immigrants are a given count: not scaled
  EXPECT_NEAR(given.populations.at(1).at(1, 0, 0, 1), 110.0, 1e-12);
  // A pair is checked against the cells it names (a host such as Python may give any): beyond the layout, or more
  // persons than the cells' external_out or external_in, is an InputError before the step (not a read past them).
  for (const ExternalPair& bad :
       {ExternalPair{layout.cells(), to, 1.0}, ExternalPair{from, to, 61.0}, ExternalPair{from, to, -1.0}})
    EXPECT_THROW(run({bad}), InputError);
}

// A stationary population (Lx × constant births) stays stationary under its own life table and replacement fertility.
TEST(ProjectionAnalytic, StationaryPopulationStaysStationary) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages;
  const double srb = 1.06;
  std::vector<double> mx_f = makeham_mx(grid, 0.8), mx_m = makeham_mx(grid, 1.2);
  LifeTable lf = single_year_life_table(mx_f, Sex::female), lm = single_year_life_table(mx_m, Sex::male);
  // Replacement: female births Σ F[i]·L_i /(1+srb) = l0 for a population k·L (births summed over 1 … w−1).
  std::vector<double> F = fertility(grid, 2.0);
  double nrr = 0.0;
  for (int i = 1; i < A - 1; ++i) nrr += F[uz(i)] * lf.Lx[uz(i)] / (1.0 + srb) / lf.lx[0];
  for (double& f : F) f /= nrr;
  const double k = 50.0;
  CohortArray base(CohortLayout{1, 1, grid});
  for (int i = 0; i < A; ++i) {
    base.at(0, 0, 0, i) = k * lf.Lx[uz(i)];        // the open row of Lx holds T_w
    base.at(0, 0, 1, i) = srb * k * lm.Lx[uz(i)];  // male births = srb · female births = srb·k·l0
  }
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.steps = 60;
  Projection p(cfg, base);
  KeepPopulationsSink sink;
  std::vector<double> mx = mx_f;
  mx.insert(mx.end(), mx_m.begin(), mx_m.end());
  p.run(
      [&](const StepContext&, StepSchedules& s) {
        s.mortality = mx;
        s.asfr = F;
        s.srb = {srb};
      },
      sink);
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i)
      EXPECT_NEAR(sink.populations.back().at(0, 0, s, i), base.at(0, 0, s, i), 1e-9 * base.at(0, 0, s, i))
          << "sex " << s << " age " << i;
}

// Symmetric inputs: with srb = 1 the sexes are identical bit for bit; otherwise newborn cohorts differ by srb.
TEST(ProjectionAnalytic, SymmetricSexesDifferOnlyThroughSrb) {
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages;
  for (double srb : {1.0, 1.05}) {
    OneStateCase c;
    c.grid = grid;
    for (int i = 0; i < A; ++i) {
      c.P_f.push_back(1000.0 + 10.0 * std::sin(i));
      c.M_f.push_back(3.0 * std::cos(i));
    }
    c.P_m = c.P_f;
    c.M_m = c.M_f;
    // The same survival ratios for both sexes (a life table from mx would differ by sex through a0).
    c.S_f.resize(uz(A));
    survival_ratios(single_year_life_table(makeham_mx(grid, 1.0), Sex::female), grid, c.S_f);
    c.S_m = c.S_f;
    c.F = fertility(grid, 1.8);
    c.srb = srb;
    const RecordingSink sink = c.run(30);
    const auto& last = sink.populations.back();
    for (int i = 0; i < A; ++i) {
      if (srb == 1.0) {
        EXPECT_EQ(last.at(0, 0, 0, i), last.at(0, 0, 1, i)) << "age " << i;
      } else if (i < 30) {
        // Cohorts born in the projection: males = srb × females for survivors of births (migrants are equal
        // for both sexes, so compare the births-only part: births are srb times larger).
        EXPECT_GT(last.at(0, 0, 1, i), last.at(0, 0, 0, i));
      } else {
        EXPECT_EQ(last.at(0, 0, 0, i), last.at(0, 0, 1, i)) << "age " << i;
      }
    }
  }
}

namespace {

double cell(const CohortArray& a, int z, int g, int s, int i) { return a.empty() ? 0.0 : a.at(z, g, s, i); }

}  // namespace

// end = start + births − deaths + in − out + transfers in − transfers out + adjustments, per zone, group, sex, cohort.
TEST(ProjectionAccounting, IdentityHoldsPerZoneGroupSexCohort) {
  const RandomCase rc = random_case(42);
  const RecordingSink sink = run_case(rc, 2);
  const CohortLayout& L = rc.base.layout();
  const int A = L.grid.n_ages, w = A - 1;
  std::size_t scaled = 0, floored = 0;
  for (std::size_t t = 0; t < sink.components.size(); ++t) {
    const CohortArray& P = sink.populations[t];
    const CohortArray& Pn = sink.populations[t + 1];
    const StepComponents& c = sink.components[t];
    ASSERT_FALSE(c.deaths_age_period.empty());
    scaled += c.scaled_flows.size();
    floored += c.floored.size();
    double od_in = 0.0, od_out = 0.0;
    for (int z = 0; z < L.zones; ++z) {
      double zone_start = 0, zone_end = 0, zone_change = 0;
      for (int g = 0; g < L.groups; ++g)
        for (int s = 0; s < 2; ++s) {
          auto M = [&](int i) {  // in − out, from the recorded components
            return cell(c.od_in, z, g, s, i) - cell(c.od_out, z, g, s, i) + cell(c.external_in, z, g, s, i) -
                   cell(c.external_out, z, g, s, i) + cell(c.net_given, z, g, s, i) + cell(c.transfer_in, z, g, s, i) -
                   cell(c.transfer_out, z, g, s, i) + cell(c.migration_override, z, g, s, i);
          };
          const double births = c.births[(uz(z) * uz(L.groups) + uz(g)) * 2 + uz(s)];
          for (int i = 0; i <= w; ++i) {
            od_in += cell(c.od_in, z, g, s, i);
            od_out += cell(c.od_out, z, g, s, i);
            ASSERT_NEAR(M(i), c.net_migrants.at(z, g, s, i), 1e-9);
            // Cohort ending at index i ("even": half of the migrants join at the start, half at the end).
            double expected;
            if (i == 0)
              expected = births + M(0) / 2.0;
            else if (i < w)
              expected = P.at(z, g, s, i - 1) + M(i - 1) / 2.0 + M(i) / 2.0;
            else
              expected = P.at(z, g, s, w - 1) + P.at(z, g, s, w) + M(w - 1) / 2.0 + M(w);
            expected += -c.deaths.at(z, g, s, i) + c.floor_adjustment.at(z, g, s, i);
            ASSERT_NEAR(Pn.at(z, g, s, i), expected, 1e-9 * (1.0 + std::abs(expected)))
                << "step " << t << " zone " << z << " group " << g << " sex " << s << " index " << i;
            zone_start += P.at(z, g, s, i);
            zone_end += Pn.at(z, g, s, i);
            zone_change += M(i) - c.deaths.at(z, g, s, i) + c.floor_adjustment.at(z, g, s, i);
          }
          zone_change += births;
          // A4: each cohort's deaths split between two ages of the period (φ and 1 − φ): the same total per state,
          // age 0's deaths (of the step's births) included.
          double d = 0.0, d_age = 0.0;
          for (int i = 0; i <= w; ++i) d += c.deaths.at(z, g, s, i), d_age += c.deaths_age_period.at(z, g, s, i);
          ASSERT_NEAR(d_age, d, 1e-9 * (1.0 + d)) << "step " << t << " zone " << z << " group " << g << " sex " << s;
        }
      EXPECT_NEAR(zone_end, zone_start + zone_change, 1e-9 * zone_end) << "zone " << z;
    }
    EXPECT_NEAR(od_in, od_out, 1e-9 * od_out);  // internal flows cancel over the area
    // Newborn rules move births between groups but keep their sum: Σ births = Σ births by mother's age.
    double b1 = 0, b2 = 0;
    for (double b : c.births) b1 += b;
    for (double b : c.births_by_mother_age) b2 += b;
    EXPECT_NEAR(b1, b2, 1e-9 * b2);
  }
  EXPECT_GT(scaled, 0u) << "the case should exercise the conserve rule";
  EXPECT_GT(floored, 0u) << "the case should exercise the floor";
}

// On a five-year grid the OD out-rate of a (zone, group) is z · Σ rate over its out-edges, summed in out_edges() order
// (StepPlan::out_rate_z, made once a step; a one-year grid takes OdMigration's own sums): every cell's out-flow is that
// R · profile · P bit for bit, and the area's out-flows are its in-flows.
TEST(ProjectionAccounting, FiveYearOutFlowsAreTheEdgesRatesTimesTheWidth) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const int zones = 6, G = 2, A = grid.n_ages;
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.steps = 1;
  cfg.base_year = 2020;
  cfg.group_names = {"registered", "floating"};
  cfg.cell_components = true;
  for (int z = 0; z < zones; ++z) cfg.zone_ids.push_back("Z" + std::to_string(z));
  const CohortLayout layout{zones, G, grid};
  CohortArray base(layout);
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) base.at(z, g, s, i) = 1000.0 + 37.0 * z + 11.0 * g + 3.0 * s + 7.0 * i;
  std::vector<OdFlow> flows;  // two to four out-edges a zone, some of one group only, rates whose sums round
  for (int o = 0; o < zones; ++o)
    for (int k = 1; k <= 2 + o % 3; ++k)
      flows.push_back({o, (o + k) % zones, k == 2 ? o % 2 : -1, 0.0013 * k + 0.0007 * o});
  std::vector<double> profile(uz(G) * 2 * uz(A));
  for (std::size_t k = 0; k < profile.size(); ++k) profile[k] = 0.6 + 0.01 * static_cast<double>(k % 37);
  const auto od = std::make_shared<const OdMigration>(flows, profile, zones, G, A);
  StepSchedules sch;
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        const auto mx = makeham_mx(grid, 0.7 + 0.1 * s);
        sch.mortality.insert(sch.mortality.end(), mx.begin(), mx.end());
      }
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g) {
      const auto f = fertility(grid, 1.5);
      sch.asfr.insert(sch.asfr.end(), f.begin(), f.end());
    }
  sch.srb.assign(uz(zones), 1.05);
  sch.od = od;
  Projection p(cfg, base);
  RecordingSink sink;
  p.run([&](const StepContext&, StepSchedules& s) { s = sch; }, sink);
  ASSERT_EQ(sink.components.size(), 1u);
  const StepComponents& c = sink.components[0];
  ASSERT_FALSE(c.od_out.empty());
  double in = 0.0, out = 0.0;
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g) {
      double R = 0.0;
      for (const int e : od->out_edges(z)) {
        const OdFlow& f = od->flows()[uz(e)];
        if (f.group < 0 || f.group == g) R += 5.0 * f.rate_per_year;
      }
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          const double want = R * od->profile(g, s, i) * base.at(z, g, s, i);
          const double got = c.od_out.at(z, g, s, i);
          ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
              << "zone " << z << " group " << g << " sex " << s << " index " << i << ": " << got << " against " << want;
          out += got;
          in += c.od_in.at(z, g, s, i);
        }
    }
  EXPECT_GT(out, 0.0);
  EXPECT_NEAR(in, out, 1e-9 * out);
}

// The floor adjustments are written only for states with a floored cell (the array is kept zero elsewhere, step to
// step): every step's array holds kFloorPersons − Q exactly at the cells listed in `floored`, with the listed value,
// and +0 everywhere else, also in a state floored in the step before and not in this one.
TEST(ProjectionAccounting, FloorAdjustmentsExactlyAtFlooredCells) {
  const RandomCase rc = random_case(42, 50, 6);
  const RecordingSink sink = run_case(rc, 2);
  const CohortLayout& L = rc.base.layout();
  std::size_t cleared = 0, floored = 0;  // states floored in the step before and not in this one; floored cells
  std::vector<char> last(L.states() * 2, 0);
  for (std::size_t t = 0; t < sink.components.size(); ++t) {
    const StepComponents& c = sink.components[t];
    CohortArray expected(L);
    std::vector<char> now(L.states() * 2, 0);
    for (const AdjustedCell& a : c.floored) {
      expected.at(a.zone, a.group, a.sex, a.age) = a.persons;
      now[(uz(a.zone) * uz(L.groups) + uz(a.group)) * 2 + uz(a.sex)] = 1;
      ++floored;
    }
    for (std::size_t k = 0; k < now.size(); ++k) cleared += last[k] && !now[k] ? 1 : 0;
    last = now;
    ASSERT_EQ(c.floor_adjustment.data().size(), expected.data().size());
    for (std::size_t k = 0; k < expected.data().size(); ++k) {
      const double got = c.floor_adjustment.data()[k], want = expected.data()[k];
      ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
          << "step " << t << " cell " << k << ": " << got << " vs " << want;
    }
  }
  EXPECT_GT(floored, 0u) << "the case should floor cells";
  EXPECT_GT(cleared, 0u) << "the case should have a state floored in one step and not in the next";
}

// The floored cells are listed by the zones' threads in one list (issue #16: not a list per zone) and handed over in
// zone order, each zone's cells as its thread listed them: the same list at any thread count.
TEST(ProjectionAccounting, FlooredCellsInZoneOrderAtAnyThreadCount) {
  const RandomCase rc = random_case(42, 50, 6);
  const RecordingSink one = run_case(rc, 1);
  const auto key = [](const AdjustedCell& a) { return std::tuple(a.zone, a.group, a.sex, a.age); };
  std::size_t floored = 0;
  for (const StepComponents& c : one.components) {
    floored += c.floored.size();
    for (std::size_t k = 1; k < c.floored.size(); ++k) EXPECT_LT(key(c.floored[k - 1]), key(c.floored[k])) << k;
  }
  EXPECT_GT(floored, 50u) << "the case should floor cells in many zones";
  for (int threads : {2, 4}) {
    const RecordingSink sink = run_case(rc, threads);
    ASSERT_EQ(sink.components.size(), one.components.size());
    for (std::size_t t = 0; t < one.components.size(); ++t) {
      const auto &a = one.components[t].floored, &b = sink.components[t].floored;
      ASSERT_EQ(a.size(), b.size()) << threads << " threads, step " << t;
      for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(key(a[k]), key(b[k])) << threads << " threads, step " << t << ", cell " << k;
        EXPECT_EQ(std::memcmp(&a[k].persons, &b[k].persons, sizeof(double)), 0) << threads << ", " << t << ", " << k;
      }
    }
  }
  // The list itself: cells of zones listed out of order (as threads list them) come out by zone, each zone's in the
  // order listed (a stable order: `persons` numbers the cells here).
  detail::FlooredCells cells;
  std::mt19937 rng(5);
  for (int k = 0; k < 300; ++k) cells.add({static_cast<int>(rng() % 7), 0, 0, 0, static_cast<double>(k)});
  std::vector<AdjustedCell> out;
  cells.take_in_zone_order(out);
  ASSERT_EQ(out.size(), 300u);
  for (std::size_t k = 1; k < out.size(); ++k) {
    EXPECT_LE(out[k - 1].zone, out[k].zone) << k;
    if (out[k - 1].zone == out[k].zone) {
      EXPECT_LT(out[k - 1].persons, out[k].persons) << k;
    }
  }
  cells.take_in_zone_order(out);  // taken: the next step starts with none
  EXPECT_TRUE(out.empty());
}

// The fused path (OD and one transition per group, `even` timing) closes ages 1 … w in its survival pass and age 0
// once births are known (survive_and_close_states, close_step_age0 in engine/src/simd.hpp): the end populations, the
// floored cells and their adjustments are those of the general path (a zero external_in takes it), with states
// floored at age 0 alone, at the open age alone and at ages between; under the flow policy 'error' the same error.
// Every per-cell component the fused pass writes is the general path's bits too, the +0 transfers of a group with
// a transition only out of it or only into it included.
TEST(ProjectionAccounting, FusedPathFloorsAsTheGeneralPath) {
  const int Z = 30, A = 101, w = A - 1;
  RandomCase fused = random_case(21, Z, 3);
  // A profile that takes much of a cell at ages 0, 1 and w − 1, w (the rate bound stays below 1: no zone scales, the
  // zones take the fused path): cells there floor where fewer arrive than leave.
  const OdMigration& od0 = *fused.steps[0].od;
  std::vector<double> profile;
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) profile.push_back(i <= 1 ? 9.0 : i >= w - 1 ? 18.0 : od0.profile(g, s, i));
  auto od = std::make_shared<const OdMigration>(od0.flows(), profile, Z, 2, A);
  for (StepSchedules& s : fused.steps) {
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
    s.newborn_rules.clear();
    s.od = od;
    // No births in group 1 of even zones: its age 0 is migrants alone.
    for (int z = 0; z < Z; z += 2) std::fill_n(s.asfr.begin() + (z * 2 + 1) * A, A, 0.0);
  }
  // Few at w − 1 and many at w in every third zone: the open age floors where most of it leaves.
  for (int z = 0; z < Z; z += 3)
    for (int g = 0; g < 2; ++g)
      for (int s = 0; s < 2; ++s) {
        fused.base.at(z, g, s, w - 1) = 0.0;
        fused.base.at(z, g, s, w) = 300.0;
      }
  RandomCase general = fused;
  for (StepSchedules& s : general.steps) s.external_in.assign(fused.base.layout().cells(), 0.0);
  const RecordingSink a = run_case(fused, 2), b = run_case(general, 1);
  ASSERT_EQ(a.components.size(), b.components.size());
  std::size_t only0 = 0, only_w = 0, between = 0;
  for (std::size_t t = 0; t < a.components.size(); ++t) {
    const StepComponents &x = a.components[t], &y = b.components[t];
    EXPECT_TRUE(y.net_given.empty() && !y.external_in.empty()) << "the second run should take the general path";
    const auto pa = a.populations[t + 1].data(), pb = b.populations[t + 1].data();
    EXPECT_EQ(std::memcmp(pa.data(), pb.data(), pa.size_bytes()), 0) << "step " << t;
    const auto fa = x.floor_adjustment.data(), fb = y.floor_adjustment.data();
    ASSERT_EQ(fa.size(), fb.size());
    EXPECT_EQ(std::memcmp(fa.data(), fb.data(), fa.size_bytes()), 0) << "step " << t;
    for (const auto member :
         {&StepComponents::od_in, &StepComponents::od_out, &StepComponents::transfer_in, &StepComponents::transfer_out,
          &StepComponents::net_migrants, &StepComponents::deaths, &StepComponents::deaths_age_period}) {
      const auto ca = (x.*member).data(), cb = (y.*member).data();
      ASSERT_EQ(ca.size(), cb.size());
      EXPECT_EQ(std::memcmp(ca.data(), cb.data(), ca.size_bytes()), 0) << "step " << t;
    }
    EXPECT_FALSE(x.transfer_in.data().empty() || x.deaths_age_period.data().empty());
    ASSERT_EQ(x.floored.size(), y.floored.size()) << "step " << t;
    std::map<std::tuple<int, int, int>, std::set<int>> ages;  // floored ages per state and sex
    for (std::size_t k = 0; k < x.floored.size(); ++k) {
      const AdjustedCell &c = x.floored[k], &d = y.floored[k];
      EXPECT_TRUE(c.zone == d.zone && c.group == d.group && c.sex == d.sex && c.age == d.age && c.persons == d.persons)
          << "step " << t << " cell " << k;
      ages[{c.zone, c.group, c.sex}].insert(c.age);
    }
    for (const auto& [state, set] : ages) {
      only0 += set == std::set<int>{0} ? 1 : 0;
      only_w += set == std::set<int>{w} ? 1 : 0;
      between += std::any_of(set.begin(), set.end(), [&](int i) { return i > 0 && i < w; }) ? 1 : 0;
    }
  }
  EXPECT_GT(only0, 0u) << "the case should floor age 0 alone";
  EXPECT_GT(only_w, 0u) << "the case should floor the open age alone";
  EXPECT_GT(between, 0u) << "the case should floor ages between";
  auto error = [](RandomCase rc, int threads) {
    rc.cfg.flow_policy = FlowPolicy::error;
    try {
      run_case(rc, threads);
    } catch (const ProjectionError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  const std::string expected = error(general, 1);
  EXPECT_NE(expected.find("flow policy 'error'"), std::string::npos) << expected;
  for (int threads : {1, 3}) EXPECT_EQ(error(fused, threads), expected);
}

// Each state and sex's deaths and net migrants (StepComponents::deaths_by_state, net_migrants_by_state) are the sums
// over age of its cells, in age order, bit for bit, on the general and the fused path, and the same bits in a run
// without per-cell components.
TEST(ProjectionAccounting, StateTotalsAreTheSumsOfTheirCells) {
  RandomCase general = random_case(5, 20, 2);
  RandomCase fused = general;
  for (StepSchedules& s : fused.steps) {  // OD and the transition only: the fused path
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
  }
  for (const RandomCase* rc : {&general, &fused}) {
    const RecordingSink kept = run_case(*rc, 2);
    RandomCase lean_case = *rc;
    lean_case.cfg.cell_components = false;
    const RecordingSink lean = run_case(lean_case, 3);
    const CohortLayout& L = rc->base.layout();
    for (std::size_t t = 0; t < kept.components.size(); ++t) {
      const StepComponents &c = kept.components[t], &d = lean.components[t];
      for (int z = 0; z < L.zones; ++z)
        for (int g = 0; g < L.groups; ++g)
          for (int s = 0; s < 2; ++s) {
            double deaths = 0.0, net = 0.0;
            for (const double v : c.deaths.ages(z, g, s)) deaths += v;
            for (const double v : c.net_migrants.ages(z, g, s)) net += v;
            const std::size_t ss = (uz(z) * uz(L.groups) + uz(g)) * 2 + uz(s);
            for (const StepComponents* x : {&c, &d}) {
              EXPECT_EQ(std::memcmp(&x->deaths_by_state[ss], &deaths, sizeof deaths), 0)
                  << (rc == &fused) << " step " << t << " state " << ss;
              EXPECT_EQ(std::memcmp(&x->net_migrants_by_state[ss], &net, sizeof net), 0)
                  << (rc == &fused) << " step " << t << " state " << ss;
            }
          }
    }
  }
}

TEST(ProjectionDeterminism, BitIdenticalAt1_2_4Threads) {
  const RandomCase rc = random_case(7);
  const RecordingSink one = run_case(rc, 1);
  for (int threads : {2, 4}) {
    const RecordingSink many = run_case(rc, threads);
    ASSERT_EQ(one.populations.size(), many.populations.size());
    for (std::size_t t = 0; t < one.populations.size(); ++t) {
      auto a = one.populations[t].data(), b = many.populations[t].data();
      ASSERT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0) << threads << " threads, step " << t;
    }
    for (std::size_t t = 0; t < one.indicators.size(); ++t) {
      const auto& a = one.indicators[t].values;
      const auto& b = many.indicators[t].values;
      ASSERT_EQ(a.size(), b.size());
      ASSERT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << threads << " threads, step " << t;
      ASSERT_EQ(one.components[t].floored.size(), many.components[t].floored.size());
    }
  }
}

// Projection::population() is the population the next step starts from: while the provider fills a step's schedules
// it is that step's start (the base, then each step's end), which app::project hands to population-dependent
// schedules instead of copying every year's end population in its sink.
TEST(ProjectionState, PopulationIsTheStartOfTheStepBeingProvided) {
  const RandomCase rc = random_case(11, 8, 3);
  ProjectionConfig cfg = rc.cfg;
  cfg.threads = 1;
  Projection p(cfg, rc.base);
  const CohortArray& current = p.population();
  std::vector<CohortArray> seen;
  RecordingSink sink;
  p.run(
      [&](const StepContext& ctx, StepSchedules& s) {
        seen.push_back(current);
        s = rc.steps[uz(ctx.step)];
      },
      sink);
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    const auto a = seen[k].data(), b = sink.populations[k].data();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0) << k;
  }
  const std::span<const double> last = p.population().data(), end = sink.populations.back().data();
  EXPECT_EQ(std::memcmp(last.data(), end.data(), end.size_bytes()), 0);
}

// The lean run's fused path (OD and one transition each way, zones without scaled cells) against the general path
// of a full run, bit for bit, in a case where some zones do have scaled cells (they take the general path).
TEST(ProjectionDeterminism, FusedLeanPathEqualsGeneralPath) {
  RandomCase rc = random_case(11, 40, 3);
  std::vector<OdFlow> flows = rc.steps[0].od->flows();
  for (OdFlow& f : flows)
    if (f.origin < 4) f.rate_per_year = 0.12;  // 8 edges × 0.12 × profile up to 1.5: cells of zones 0–3 are scaled
  std::vector<double> profile;
  for (int g = 0; g < 2; ++g)
    for (int s = 0; s < 2; ++s) {
      auto row = rc.steps[0].od->profile_row(g, s);
      profile.insert(profile.end(), row.begin(), row.end());
    }
  auto od = std::make_shared<const OdMigration>(flows, profile, 40, 2, 101);
  for (StepSchedules& s : rc.steps) {
    s.od = od;
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
  }
  auto run = [&](bool cells, int threads) {
    ProjectionConfig cfg = rc.cfg;
    cfg.cell_components = cells;
    cfg.indicators = false;
    cfg.threads = threads;
    Projection p(cfg, rc.base);
    RecordingSink sink;
    p.run([&](const StepContext& ctx, StepSchedules& s) { s = rc.steps[uz(ctx.step)]; }, sink);
    return sink;
  };
  const RecordingSink full = run(true, 1);
  std::size_t scaled = 0;
  for (const auto& c : full.components) scaled += c.scaled_flows.size();
  ASSERT_GT(scaled, 0u) << "the case should mix scaled zones (general path) with unscaled ones (fused path)";
  auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
  };
  for (int threads : {1, 3}) {
    const RecordingSink lean = run(false, threads);
    ASSERT_EQ(lean.populations.size(), full.populations.size());
    for (std::size_t t = 0; t < full.populations.size(); ++t) {
      auto a = full.populations[t].data(), b = lean.populations[t].data();
      EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0) << threads << " threads, step " << t;
    }
    for (std::size_t t = 0; t < full.components.size(); ++t) {
      const StepComponents &a = full.components[t], &b = lean.components[t];
      EXPECT_TRUE(same(a.births, b.births)) << t;
      EXPECT_TRUE(same(a.deaths_by_state, b.deaths_by_state)) << t;
      EXPECT_TRUE(same(a.net_migrants_by_state, b.net_migrants_by_state)) << t;
      EXPECT_EQ(a.scaled_flows.size(), b.scaled_flows.size()) << t;
      EXPECT_EQ(a.floored.size(), b.floored.size()) << t;
    }
  }
}

// Phase 1 (the conserve factors) is skipped when the largest rates of every group and transition over all zones
// cannot add up to 1 (StepRunner::no_zone_may_scale); a single zone whose OD rates or transition multiplier can
// still has its cells scaled, wherever it lies.
TEST(ProjectionAccounting, OneZoneWithLargeRatesIsScaledWhereverItIs) {
  RandomCase rc = random_case(17, 20, 2);
  for (StepSchedules& s : rc.steps) {  // rates per person only: the rate bounds decide phase 1
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
  }
  auto scaled_zones = [](const RandomCase& c) {
    std::set<int> zones;
    for (const StepComponents& comp : run_case(c, 2).components)
      for (const AdjustedCell& a : comp.scaled_flows) zones.insert(a.zone);
    return zones;
  };
  EXPECT_EQ(scaled_zones(rc), std::set<int>{}) << "no zone's rates come near 1";
  for (int zone : {0, 13, 19}) {  // OD out-rates of one zone: up to 8 edges × 0.12 × profile 0.5–1.5
    const RandomCase c = test::with_zone_od_rate(rc, zone, 0.12);
    EXPECT_EQ(scaled_zones(c), std::set<int>{zone}) << "OD rates of zone " << zone;
  }
  for (int zone : {0, 17}) {  // the transition's multiplier of one zone: rates up to 0.02 × 70
    RandomCase c = rc;
    for (StepSchedules& s : c.steps) s.transitions[0].zone_multiplier[uz(zone)] = 70.0;
    EXPECT_EQ(scaled_zones(c), std::set<int>{zone}) << "transition multiplier of zone " << zone;
  }
}

// The births of a state are its births by age of mother summed in age order in long double (R's sum()), then split by
// sex: also when the step sums two groups' births at once (StepRunner::births_of_groups), with births at different
// ages or none at all in one group of the pair.
TEST(ProjectionAccounting, BirthsAreTheLongDoubleSumOfBirthsByAgeOfMother) {
  RandomCase rc = random_case(21, 6, 2);
  auto asfr = [](int z, int g) { return uz(z * 2 + g) * 101; };
  for (StepSchedules& s : rc.steps) {
    s.newborn_rules.clear();  // the births by sex as the mothers' group has them
    std::fill_n(s.asfr.begin() + static_cast<std::ptrdiff_t>(asfr(0, 0)), 101, 0.0);  // no births in group 0
    std::fill_n(s.asfr.begin() + static_cast<std::ptrdiff_t>(asfr(1, 1)), 101, 0.0);  // none in group 1
    std::fill_n(s.asfr.begin() + static_cast<std::ptrdiff_t>(asfr(2, 0)), 202, 0.0);  // none in either
    std::fill_n(s.asfr.begin() + static_cast<std::ptrdiff_t>(asfr(3, 0)), 101, 0.0);
    s.asfr[asfr(3, 0) + 52] = 0.25;  // one age of births, above group 1's last
    std::fill_n(s.asfr.begin() + static_cast<std::ptrdiff_t>(asfr(4, 1)), 101, 0.0);
    s.asfr[asfr(4, 1) + 1] = 1e-3;     // births at age 1 only
    s.asfr[asfr(5, 0) + 60] = 1e-300;  // a tiny value at an age with no other births
  }
  for (bool fused : {false, true}) {
    RandomCase c = rc;
    c.cfg.cell_components = true;
    if (fused)
      for (StepSchedules& s : c.steps) {
        s.net_migrants.clear();
        s.external_in.clear();
        s.external_out.clear();
        s.external_out_rate.clear();
      }
    for (int threads : {1, 3}) {
      const RecordingSink sink = run_case(c, threads);
      for (std::size_t t = 0; t < sink.components.size(); ++t) {
        const StepComponents& comp = sink.components[t];
        for (int z = 0; z < 6; ++z)
          for (int g = 0; g < 2; ++g) {
            const std::size_t st = uz(z * 2 + g);
            long double sum = 0.0L;
            for (std::size_t i = 0; i < 101; ++i) sum += comp.births_by_mother_age[st * 101 + i];
            const auto [bf, bm] = births_by_sex(static_cast<double>(sum), c.steps[t].srb[uz(z)]);
            EXPECT_EQ(std::memcmp(&bf, &comp.births[st * 2 + 0], sizeof bf), 0)
                << "fused " << fused << ", " << threads << " threads, step " << t << ", zone " << z << ", group " << g;
            EXPECT_EQ(std::memcmp(&bm, &comp.births[st * 2 + 1], sizeof bm), 0);
          }
      }
    }
  }
}

// The OD index's in-flows of a (zone, group): the zone's in-flows that carry the group (its own and the every-group
// ones), in the order of in_flows (the order of the sums), as indexes into flows().
TEST(OdIndex, InFlowsOfGroupAreTheFilteredInFlowsInOrder) {
  std::vector<OdFlow> flows;
  for (int o = 0; o < 6; ++o)
    for (int k = 1; k <= 4; ++k) flows.push_back({o, (o + k) % 6, (o + k) % 3 - 1, 0.01 * k});
  flows.push_back({5, 0, 1, 0.02});  // a second flow on one pair: input order kept among equal pairs
  const OdMigration od(flows, {}, 6, 2, 101);
  std::size_t total = 0;
  for (int z = 0; z < 6; ++z)
    for (int g = 0; g < 2; ++g) {
      std::vector<int> want;
      for (const OdFlow& f : od.in_flows(z))
        if (f.group < 0 || f.group == g) want.push_back(static_cast<int>(&f - od.flows().data()));
      const auto got = od.in_flows_of_group(z, g);
      EXPECT_EQ(std::vector<int>(got.begin(), got.end()), want) << "zone " << z << ", group " << g;
      total += want.size();
    }
  EXPECT_GT(total, od.flows().size());  // every-group flows are listed for both groups
}

TEST(ProjectionCancel, StopsBetweenSteps) {
  RandomCase rc = random_case(5, 5, 3);
  std::atomic<bool> cancel{false};
  rc.cfg.cancel = &cancel;
  rc.cfg.progress = [&](int done, int) {
    if (done == 1) cancel = true;
  };
  EXPECT_THROW(run_case(rc, 1), ProjectionError);
}
