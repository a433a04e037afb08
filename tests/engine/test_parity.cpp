// SPDX-License-Identifier: Apache-2.0
// Women by parity beside the projection (engine/parity.hpp): a hand computation, the identities (parity states sum
// to the women of each cell, births by order sum to births, first births equal the cohorts' 0 → 1 moves when the
// two halves of the exposure are equal) and bad input.
#include "cohortgis/engine/parity.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "error_of.hpp"
#include "projection_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;

namespace {


// Runs a projection with parity: rates [zone][group][parity][age] for every step, S by [zone][group][sex][age].
struct ParityRun {
  CohortLayout layout;
  CohortArray base;
  std::vector<double> women_by_parity, rates, S, net_migrants;
  int steps = 1;
  std::vector<std::vector<double>> births_by_order, women_end, births_by_age, shares_before;
  std::vector<std::vector<ParityIndicators>> indicators;
  std::array<double, kBirthOrders> srb_by_order{};  // 0: the zone's 1.05

  void run() {
    std::vector<std::string> zones, groups;
    for (int z = 0; z < layout.zones; ++z) zones.push_back("z" + std::to_string(z));
    for (int g = 0; g < layout.groups; ++g) groups.push_back("g" + std::to_string(g));
    ParityProjection parity(layout, zones, groups, women_by_parity, base);
    if (srb_by_order[0] > 0) parity.set_srb_by_order(srb_by_order);
    ProjectionConfig cfg;
    cfg.grid = layout.grid;
    cfg.zone_ids = zones;
    cfg.group_names = groups;
    cfg.steps = steps;
    cfg.threads = 1;
    Projection projection(cfg, base);
    struct Sink : ResultSink {
      ParityRun* self;
      ParityProjection* parity;
      void step(const StepResult& r) override {
        self->shares_before.push_back(parity->shares());
        parity->advance(r);
        self->births_by_order.push_back(parity->births_by_order());
        self->women_end.push_back(parity->women_by_parity());
        self->births_by_age.push_back(r.components.births_by_mother_age);
        self->indicators.push_back(parity->indicators());
        // The identity of the states: their sum is the end population's women, cell by cell.
        const auto w = parity->women_by_parity();
        const std::size_t nA = r.end.layout().ages();
        for (int z = 0; z < r.end.layout().zones; ++z)
          for (int g = 0; g < r.end.layout().groups; ++g)
            for (int i = 0; i < r.end.layout().grid.n_ages; ++i) {
              double sum = 0.0;
              for (int p = 0; p < kParityStates; ++p)
                sum += w[((uz(z) * uz(r.end.layout().groups) + uz(g)) * kParityStates + uz(p)) * nA + uz(i)];
              const double women = r.end.at(z, g, 0, i);
              EXPECT_NEAR(sum, women, 1e-10 * std::max(1.0, women)) << "zone " << z << " group " << g << " age " << i;
            }
      }
    } sink;
    sink.self = this;
    sink.parity = &parity;
    projection.run(
        [&](const StepContext& ctx, StepSchedules& s) {
          s.mortality_kind = MortalityInput::survival_ratios;
          s.mortality = S;
          s.srb.assign(uz(layout.zones), 1.05);
          s.net_migrants = net_migrants;
          parity.set_fertility(ctx, rates, s.asfr);
          parity.set_srb(s.srb);
        },
        sink);
  }
};

// Ages 0..5+ on a single-year grid, one state, no deaths, no migration: small enough to compute by hand.
ParityRun hand_case() {
  ParityRun r;
  r.layout = CohortLayout{1, 1, AgeGrid::single_year(5)};
  r.base = CohortArray(r.layout);
  for (int i = 0; i < 6; ++i) r.base.at(0, 0, 0, i) = r.base.at(0, 0, 1, i) = 100.0;
  // Women by [parity][age]: ages 0 1 2 3 4 5+.
  const double W[4][6] = {
      {100, 100, 50, 20, 10, 10}, {0, 0, 50, 40, 30, 20}, {0, 0, 0, 40, 40, 30}, {0, 0, 0, 0, 20, 40}};
  const double f[4][6] = {{0, .2, .4, .3, .1, 0}, {0, 0, .2, .3, .1, 0}, {0, 0, 0, .1, .2, 0}, {0, 0, 0, 0, .1, 0}};
  for (int p = 0; p < 4; ++p)
    for (int i = 0; i < 6; ++i) {
      r.women_by_parity.push_back(W[p][i]);
      r.rates.push_back(f[p][i]);
    }
  r.S.assign(12, 1.0);
  return r;
}

}  // namespace

// The hand computation of docs/parity.md ("A worked example"): F(i) = Σ_p f_p(i)·(π_p(i) + π_p(i−1))/2, births by
// order B·f_p·w_p/F, shares moved by h_p = (f_p(i) + f_p(i+1))/2.
TEST(Parity, HandComputation) {
  ParityRun r = hand_case();
  r.run();
  // Exposure 100 at every age (A = 100, Q = 100): B = 100·F = 0, 20, 35, 26, 14, 0.
  const std::vector<double> B = {0, 20, 35, 26, 14, 0};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.births_by_age[0][uz(i)], B[uz(i)], 1e-12) << i;
  const double order[3][6] = {{0, 20, 30, 10.5, 1.5, 0}, {0, 0, 5, 13.5, 3.5, 0}, {0, 0, 0, 2, 9, 0}};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.births_by_order[0][uz(k * 6 + i)], order[k][i], 1e-12) << k << " " << i;
  const ParityIndicators& ind = r.indicators[0][0];
  EXPECT_NEAR(ind.births[0], 62.0, 1e-12);
  EXPECT_NEAR(ind.births[1], 22.0, 1e-12);
  EXPECT_NEAR(ind.births[2], 11.0, 1e-12);
  EXPECT_NEAR(ind.share_percent[0], 6200.0 / 95.0, 1e-12);
  EXPECT_NEAR(ind.share_percent[2], 1100.0 / 95.0, 1e-12);
  EXPECT_NEAR(ind.tfr[0], 0.62, 1e-12);
  EXPECT_NEAR(ind.tfr[1], 0.22, 1e-12);
  EXPECT_NEAR(ind.tfr[2], 0.11, 1e-12);
  EXPECT_NEAR(ind.mean_age_first_birth, 148.5 / 62.0, 1e-12);
  // End women by parity, [parity][age]: newborns at parity 0; cohort 2 (.5, .5) → age 3 (.325, .55, .125, 0);
  // cohort 3 (.2, .4, .4, 0) → age 4 (.16, .36, .42, .06); open: mean of cohorts 4 and 5+ (100 women each).
  const std::vector<double>& w = r.women_end[0];
  const double newborn_f = 95.0 / 2.05;
  EXPECT_NEAR(w[0], newborn_f, 1e-9);
  const double expect[4][6] = {{0, 90, 70, 32.5, 16, 9.75 * 2},
                               {0, 10, 30, 55, 36, 24.5 * 2},
                               {0, 0, 0, 12.5, 42, 33.75 * 2},
                               {0, 0, 0, 0, 6, 32 * 2}};
  for (int p = 0; p < 4; ++p)
    for (int i = 1; i < 6; ++i) EXPECT_NEAR(w[uz(p * 6 + i)], expect[p][i], 1e-9) << p << " " << i;
  EXPECT_NEAR(ind.srb_per_100[0], 105.0, 1e-9);  // without order SRBs every order has the zone's
  EXPECT_NEAR(ind.srb_per_100[2], 105.0, 1e-9);
  // First births are the cohorts' moves out of parity 0 (exposure halves equal here): 10 + 30 + 17.5 + 4 + 0.5.
  EXPECT_NEAR(10 + 30 + 17.5 + 4 + 0.5, ind.births[0], 1e-12);
}

// SRB by order (docs/parity.md): here the births expected from the start women are the births (exposure 100 at every
// age), so the zone's SRB is the exact mix: boys 62·1/2 + 22·1.2/2.2 + 11·1.5/2.5 = 49.6, girls 45.4.
TEST(Parity, SexRatioByOrder) {
  ParityRun r = hand_case();
  r.srb_by_order = {1.0, 1.2, 1.5};
  r.run();
  const ParityIndicators& ind = r.indicators[0][0];
  EXPECT_NEAR(ind.srb_per_100[0], 100.0, 1e-9);
  EXPECT_NEAR(ind.srb_per_100[1], 120.0, 1e-9);
  EXPECT_NEAR(ind.srb_per_100[2], 150.0, 1e-9);
  EXPECT_NEAR(r.women_end[0][0], 45.4, 1e-9);  // newborn girls (S = 1)
}

// Several zones, groups and steps with deaths and migration: states sum to each cell's women (in the sink), births by
// order sum to the births of each age, the shares of the orders to 100.
TEST(Parity, IdentitiesOverManySteps) {
  for (const AgeGrid grid : {AgeGrid::single_year(100), AgeGrid::single_year(85)}) {
    ParityRun r;
    r.layout = CohortLayout{3, 2, grid};
    r.steps = 4;
    r.base = CohortArray(r.layout);
    const int A = grid.n_ages;
    for (int z = 0; z < 3; ++z)
      for (int g = 0; g < 2; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < A; ++i)
            r.base.at(z, g, s, i) = 50.0 + 10.0 * z + 3.0 * g + (i * 7 % 13) * grid.width_years;
    for (int z = 0; z < 3; ++z)
      for (int g = 0; g < 2; ++g)
        for (int p = 0; p < 4; ++p)
          for (int i = 0; i < A; ++i) {
            const double women = r.base.at(z, g, 0, i);
            const double age = grid.age_start(i);
            const double share0 = age < 20 ? 1.0 : 0.25;
            r.women_by_parity.push_back(p == 0 ? women * share0 : age < 20 ? 0.0 : women * 0.25);
            const double a = age + grid.width_years / 2.0;
            const double f = (a > 15 && a < 50) ? 0.12 * std::exp(-0.5 * std::pow((a - 28.0 - 2 * p) / 6.0, 2)) : 0.0;
            r.rates.push_back(f * (1.0 + 0.1 * z));
          }
    for (int z = 0; z < 3; ++z)
      for (int g = 0; g < 2; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < A; ++i) r.S.push_back(i == A - 1 ? 0.6 : 0.99 - 0.002 * i);
    r.net_migrants.assign(r.layout.cells(), 0.0);
    for (int i = 0; i < A; ++i) {
      r.net_migrants[r.layout.index(0, 0, 0, i)] = 4.0;
      r.net_migrants[r.layout.index(1, 1, 0, i)] = -3.0;
    }
    r.run();
    ASSERT_EQ(r.births_by_order.size(), 4u);
    const std::size_t nA = uz(A);
    for (std::size_t step = 0; step < r.births_by_order.size(); ++step)
      for (std::size_t st = 0; st < 6; ++st)
        for (std::size_t i = 0; i < nA; ++i) {
          const double B = r.births_by_age[step][st * nA + i];
          double sum = 0.0;
          for (std::size_t k = 0; k < 3; ++k) sum += r.births_by_order[step][(st * 3 + k) * nA + i];
          EXPECT_NEAR(sum, B, 1e-12 * std::max(1.0, B));
        }
    for (const auto& step : r.indicators)
      for (const ParityIndicators& ind : step) {
        EXPECT_NEAR(ind.share_percent[0] + ind.share_percent[1] + ind.share_percent[2], 100.0, 1e-9);
        EXPECT_NEAR(ind.srb_per_100[1], 105.0, 1e-9);
        EXPECT_GT(ind.mean_age_first_birth, 20.0);
        EXPECT_LT(ind.mean_age_first_birth, 35.0);
      }
  }
}

TEST(Parity, BadInput) {
  {  // states that do not sum to the women of the base population
    ParityRun r = hand_case();
    r.women_by_parity[3] = 19.0;  // parity 0 at age 3: 19 + 40 + 40 + 0 = 99 ≠ 100
    const std::string e = test::error_of([&] { r.run(); });
    EXPECT_CONTAINS(e, "zone 'z0', sex female, age 3: women by parity sum to 99");
    EXPECT_CONTAINS(e, "expected the women of the base population, 100");
  }
  {  // rates that make the probability of staying at a parity negative
    ParityRun r = hand_case();
    r.rates[2] = 1.3;  // parity 0, age 2: cohort 1 gets (0.2 + 1.3)/2 = 0.75, fine
    r.rates[3] = 1.2;  // parity 0, age 3: cohort 2 gets (1.3 + 1.2)/2 = 1.25 > 1
    const std::string e = test::error_of([&] { r.run(); });
    EXPECT_CONTAINS(e,
                    "zone 'z0', sex female, age 2, parity 0: rates 1.3 and 1.2 give a progression probability of 1.25");
  }
  {
    ParityRun r = hand_case();
    r.rates[7] = -0.1;  // parity 1, age 1
    EXPECT_CONTAINS(test::error_of([&] { r.run(); }),
                    "age 1, parity 1: fertility rate -0.1; expected births per woman");
  }
  {  // five-year steps: a woman may have two births of successive orders in a step
    ParityRun r = hand_case();
    r.layout.grid = AgeGrid::five_year(25);
    r.base = CohortArray(r.layout);
    EXPECT_CONTAINS(test::error_of([&] { r.run(); }), "parity needs one-year steps; got 5-year steps");
  }
}
