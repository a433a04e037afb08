// SPDX-License-Identifier: Apache-2.0
// 特别扶助 base (engine/src/parity_kinship.cpp, docs/parity.md "Mothers who lost their only child"): mothers at
// parity 1 whose only child has died, against hand computations with constant survival, where the expectation is
// analytic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/parity.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;

namespace {


// One zone and group; rates [parity][age]; mortality as survival ratios S (both sexes) or death rates mx.
struct KinRun {
  CohortLayout layout;
  CohortArray base;
  std::vector<double> women_by_parity, rates, mortality;
  MortalityInput mortality_kind = MortalityInput::survival_ratios;
  std::vector<std::vector<double>> mortality_by_step;  // when given, step k's mortality instead of `mortality`
  std::vector<LifeTableMethod> method_by_step;         // when given, step k's life-table method
  // Each step after the first, the children's survival ratios made first from other mortality (and so again from the
  // step's): made every step, whatever set_child_survival keeps.
  bool remake_survival = false;
  int steps = 1;
  std::vector<double> lost_at_base;                 // [age] after the first set_child_survival
  std::vector<std::vector<double>> lost;            // [step][age]
  std::vector<std::vector<double>> women;           // [step][age] women at the end
  std::vector<std::vector<double>> women_parity_1;  // [step][age]
  std::vector<ParityIndicators> indicators;         // [step]

  void run() {
    ParityProjection parity(layout, {"z0"}, {"g0"}, women_by_parity, base);
    ProjectionConfig cfg;
    cfg.grid = layout.grid;
    cfg.zone_ids = {"z0"};
    cfg.group_names = {"g0"};
    cfg.steps = steps;
    cfg.threads = 1;
    Projection projection(cfg, base);
    struct Sink : ResultSink {
      KinRun* self;
      ParityProjection* parity;
      void step(const StepResult& r) override {
        parity->advance(r);
        self->lost.push_back(parity->mothers_lost_only_child());
        self->women.emplace_back(r.end.ages(0, 0, 0).begin(), r.end.ages(0, 0, 0).end());
        const std::vector<double> w = parity->women_by_parity();  // [parity][age] of the one zone and group
        const std::size_t nA = r.end.layout().ages();
        self->women_parity_1.emplace_back(w.begin() + static_cast<std::ptrdiff_t>(nA),
                                          w.begin() + static_cast<std::ptrdiff_t>(2 * nA));
        self->indicators.push_back(parity->indicators()[0]);
      }
    } sink;
    sink.self = this;
    sink.parity = &parity;
    projection.run(
        [&](const StepContext& ctx, StepSchedules& s) {
          s.mortality_kind = mortality_kind;
          s.mortality = mortality_by_step.empty() ? mortality : mortality_by_step[uz(ctx.step)];
          s.srb.assign(1, 1.05);
          parity.set_fertility(ctx, rates, s.asfr);
          const LifeTableMethod& method = method_by_step.empty() ? cfg.life_table_method : method_by_step[uz(ctx.step)];
          if (remake_survival && ctx.step > 0) {
            StepSchedules other = s;
            other.mortality[0] *= 0.5;
            parity.set_child_survival(other, method);
          }
          parity.set_child_survival(s, method);
          if (ctx.step == 0) lost_at_base = parity.mothers_lost_only_child();
        },
        sink);
  }
};

// Death rates of both sexes [sex][age], A ages: Gompertz-like, the infants' raised.
std::vector<double> gompertz_mx(int A) {
  std::vector<double> mx(uz(2 * A));
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i)
      mx[uz(s * A + i)] = (s ? 0.012 : 0.01) * std::exp(0.05 * (i - 30)) + (i == 0 ? 0.02 : 0);
  return mx;
}

// Women of the base all at parity `p` at age `age`, 100 of them; rates zero.
KinRun cohort_case(int open_age, int age, int p, double s) {
  KinRun r;
  r.layout = CohortLayout{1, 1, AgeGrid::single_year(open_age)};
  r.base = CohortArray(r.layout);
  const int A = open_age + 1;
  r.base.at(0, 0, 0, age) = 100.0;
  r.women_by_parity.assign(uz(4 * A), 0.0);
  for (int i = 0; i < A; ++i) r.women_by_parity[uz(i)] = r.base.at(0, 0, 0, i);  // parity 0
  if (p != 0) std::swap(r.women_by_parity[uz(age)], r.women_by_parity[uz(p * A + age)]);
  r.rates.assign(uz(4 * A), 0.0);
  r.mortality.assign(uz(2 * A), s);
  return r;
}

}  // namespace

// A cohort of 100 women aged 46 at parity 0; first births only in the first step (f_0(46) = 0.4: h_0 = 0.2 for the
// cohort aged 46, 0 after), second births at h_1 = 0.1 a year from 47 on, survival s = 0.9 at every age for mothers
// and children. After n steps the mothers are aged 46 + n, 100·s^n of them; a share 0.2·0.9^(n−1) is at parity 1 and
// their child, born in the first step, is alive with probability s^n (S(0) to the end of the first step, then s a
// year). Expected mothers who lost their only child: 100·s^n · 0.2·0.9^(n−1) · (1 − s^n).
TEST(ParityKinship, CohortAgainstClosedForm) {
  const double s = 0.9;
  KinRun r = cohort_case(70, 46, 0, s);
  const int A = 71;
  r.rates[uz(46)] = 0.4;                                    // parity 0
  for (int y = 47; y <= 61; ++y) r.rates[uz(A + y)] = 0.1;  // parity 1
  r.steps = 15;
  r.run();
  ASSERT_EQ(r.lost.size(), 15u);
  for (int n = 1; n <= 15; ++n) {
    const double women = 100.0 * std::pow(s, n);
    const double expected = women * 0.2 * std::pow(0.9, n - 1) * (1.0 - std::pow(s, n));
    const std::vector<double>& lost = r.lost[uz(n - 1)];
    EXPECT_NEAR(r.women[uz(n - 1)][uz(46 + n)], women, 1e-9);
    EXPECT_NEAR(lost[uz(46 + n)], expected, 1e-12) << "step " << n;
    double others = 0.0;
    for (int i = 0; i < A; ++i)
      if (i != 46 + n) others += lost[uz(i)];
    EXPECT_EQ(others, 0.0) << "step " << n;
    const ParityIndicators& ind = r.indicators[uz(n - 1)];
    EXPECT_NEAR(ind.mothers_lost_only_child_49plus, 46 + n >= 49 ? expected : 0.0, 1e-12) << "step " << n;
    EXPECT_NEAR(ind.mothers_lost_only_child_60plus, 46 + n >= 60 ? expected : 0.0, 1e-12) << "step " << n;
  }
  // n = 3 by hand: 72.9 women at 49, 0.162 of them at parity 1, child alive 0.729: 72.9·0.162·0.271 = 3.2004558.
  EXPECT_NEAR(r.lost[2][49], 3.2004558, 1e-9);
}

// The base's children (Goodman–Keyfitz–Pullum): 100 women aged 5 at parity 1, first-birth rate f_0(2) = 0.4 (h_0 = 0.2
// for the cohorts aged 1 and 2), no second births, s = 0.9. First births at x = 1 weigh 0.2, at x = 2 0.8·0.2 = 0.16:
// the child is aged 3 with probability 5/9 (alive s^4) or 2 with 4/9 (alive s^3). One step on, each has survived s
// more, and the mothers number 90.
TEST(ParityKinship, BaseChildrenGoodmanKeyfitzPullum) {
  const double s = 0.9;
  KinRun r = cohort_case(10, 5, 1, s);
  r.rates[2] = 0.4;
  r.run();
  const double at_base = 100.0 * (1.0 - (5.0 / 9.0) * std::pow(s, 4) - (4.0 / 9.0) * std::pow(s, 3));
  const double one_on = 90.0 * (1.0 - (5.0 / 9.0) * std::pow(s, 5) - (4.0 / 9.0) * std::pow(s, 4));
  ASSERT_EQ(r.lost_at_base.size(), 11u);
  EXPECT_NEAR(r.lost_at_base[5], at_base, 1e-12);
  EXPECT_NEAR(r.lost[0][6], one_on, 1e-12);
  EXPECT_NEAR(at_base, 31.15, 1e-9);  // 100·(1 − 0.3645 − 0.324) by hand
}

// Death rates go through the engine's single-year life table: the same kinship as the survival ratios it yields.
TEST(ParityKinship, DeathRatesAsTheirSurvivalRatios) {
  const int open = 70, A = open + 1;
  const std::vector<double> mx = gompertz_mx(A);
  std::vector<double> S(uz(2 * A));
  for (int s = 0; s < 2; ++s) {
    const LifeTable lt =
        single_year_life_table(std::span<const double>(mx.data() + s * A, uz(A)), s ? Sex::male : Sex::female);
    survival_ratios(lt, AgeGrid::single_year(open), std::span<double>(S.data() + s * A, uz(A)));
  }
  std::vector<double> results[2];
  for (int k = 0; k < 2; ++k) {
    KinRun r = cohort_case(open, 40, 1, 0.0);
    for (int y = 20; y < 35; ++y) r.rates[uz(y)] = 0.1;
    r.mortality_kind = k == 0 ? MortalityInput::death_rates : MortalityInput::survival_ratios;
    r.mortality = k == 0 ? mx : S;
    r.steps = 25;
    r.run();
    for (const ParityIndicators& ind : r.indicators) results[k].push_back(ind.mothers_lost_only_child_60plus);
  }
  ASSERT_EQ(results[0].size(), 25u);
  EXPECT_GT(results[0].back(), 0.0);
  for (std::size_t n = 0; n < 25; ++n) EXPECT_NEAR(results[0][n], results[1][n], 1e-12 * (1.0 + results[1][n]));
}

// Without deaths no child dies: nobody is counted, at any age and step. With deaths, the mothers who lost their only
// child are a part of the women at parity 1 of every age, and a growing one as the cohorts age.
TEST(ParityKinship, NoDeathsNoLossAndBounds) {
  for (const double s : {1.0, 0.97}) {
    KinRun r = cohort_case(85, 30, 0, s);
    const int A = 86;
    for (int i = 0; i < A; ++i) r.base.at(0, 0, 0, i) = r.base.at(0, 0, 1, i) = 1000.0;
    for (int i = 0; i < A; ++i) {
      const double age = i + 0.5;
      const double f0 = (age > 15 && age < 45) ? 0.15 * std::exp(-0.5 * std::pow((age - 27.0) / 5.0, 2)) : 0.0;
      const double share1 = age < 20 ? 0.0 : 0.5;  // base: half the women from 20 on at parity 1
      r.women_by_parity[uz(i)] = 1000.0 * (1.0 - share1);
      r.women_by_parity[uz(A + i)] = 1000.0 * share1;
      r.rates[uz(i)] = f0;
      r.rates[uz(A + i)] = 0.3 * f0;
    }
    r.steps = 10;
    r.run();
    for (std::size_t n = 0; n < r.lost.size(); ++n)
      for (int i = 0; i < A; ++i) {
        const double lost = r.lost[n][uz(i)], p1 = r.women_parity_1[n][uz(i)];
        if (s == 1.0) {
          EXPECT_EQ(lost, 0.0) << "step " << n << " age " << i;
        } else {
          EXPECT_GE(lost, 0.0);
          EXPECT_LE(lost, p1 * (1.0 + 1e-12)) << "step " << n << " age " << i;
        }
      }
    if (s < 1.0) {
      // Constant survival 0.97: first births peak at 27 (sd 5 years), so a 60-year-old's only child is about 32 ± 5
      // and alive with probability about 0.97^33 = 0.37: the share lost lies well inside 1 − 0.97^28 … 1 − 0.97^45.
      const double share60 = r.lost.back()[60] / r.women_parity_1.back()[60];
      EXPECT_GT(share60, 1.0 - std::pow(0.97, 28));
      EXPECT_LT(share60, 1.0 - std::pow(0.97, 45));
    }
  }
}

// A step whose mortality and life-table method hold the last step's bits keeps its children's survival ratios instead
// of building every state's life table again: every step's kinship the bits of a run that makes them every step
// (remake_survival), with death rates (life tables) and survival ratios that change at steps 3 and 4 and back at step
// 7, and a0 by Coale–Demeny from step 5, the same in between.
TEST(ParityKinship, SurvivalKeptWhereMortalityIsTheLastStepsBits) {
  const int open = 70, A = open + 1;
  const std::vector<double> mx = gompertz_mx(A);
  std::vector<double> worse = mx, better = mx;
  for (double& m : worse) m *= 1.5;
  for (double& m : better) m *= 0.5;
  for (const MortalityInput kind : {MortalityInput::death_rates, MortalityInput::survival_ratios}) {
    const auto form = [&](const std::vector<double>& m) {  // survival ratios: exp(−m), any numbers in (0, 1)
      std::vector<double> v = m;
      if (kind == MortalityInput::survival_ratios)
        for (double& x : v) x = std::exp(-x);
      return v;
    };
    const std::vector<std::vector<double>> by_step = {form(mx),     form(mx),     form(mx),     form(worse),
                                                      form(better), form(better), form(better), form(mx)};
    std::vector<LifeTableMethod> methods(by_step.size());
    for (std::size_t n = 5; n < by_step.size(); ++n) methods[n].a0_rule = A0Rule::coale_demeny;
    std::vector<std::vector<double>> lost[3];
    for (int k = 0; k < 3; ++k) {  // kept where the same, made every step, constant mortality
      KinRun r = cohort_case(open, 20, 0, 0.0);
      for (int i = 0; i < A; ++i) r.base.at(0, 0, 0, i) = 1000.0;
      for (int i = 0; i < A; ++i) r.women_by_parity[uz(i)] = 1000.0;
      for (int y = 18; y < 40; ++y) r.rates[uz(y)] = r.rates[uz(A + y)] = 0.08;
      r.mortality_kind = kind;
      r.mortality = form(mx);
      if (k < 2) r.mortality_by_step = by_step;
      if (k < 2) r.method_by_step = methods;
      r.remake_survival = k == 1;
      r.steps = static_cast<int>(by_step.size());
      r.run();
      lost[k] = r.lost;
    }
    ASSERT_EQ(lost[0].size(), by_step.size());
    for (std::size_t n = 0; n < by_step.size(); ++n)
      EXPECT_EQ(std::memcmp(lost[0][n].data(), lost[1][n].data(), uz(A) * sizeof(double)), 0) << "step " << n;
    EXPECT_NE(lost[0].back(), lost[2].back());  // the changes reach the kinship
  }
}
