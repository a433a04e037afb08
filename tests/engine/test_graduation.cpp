// SPDX-License-Identifier: Apache-2.0
// Tests of graduation.hpp: five-year ASFR → single years, abridged mx → single years.
// Expected values come from closed-form schedules (gamma fertility, constant and Gompertz hazards) integrated
// numerically here, not from the code under test.
#include "cohortgis/engine/graduation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"
#include "csv_fixture.hpp"

namespace cohortgis {
namespace {

// Composite Simpson rule with n (even) panels.
double simpson(const std::function<double(double)>& f, double a, double b, int n = 2000) {
  const double h = (b - a) / n;
  double s = f(a) + f(b);
  for (int i = 1; i < n; ++i) s += (i % 2 == 1 ? 4.0 : 2.0) * f(a + h * i);
  return s * h / 3.0;
}

// ---------------------------------------------------------------------------------------------------------------
// Fertility: f(x) = TFR · gamma density of (x − 15) with shape α and scale β (zero below 15).
// ---------------------------------------------------------------------------------------------------------------
constexpr double kTfr = 1.8;
constexpr double kAlpha = 5.5;
constexpr double kBeta = 2.6;

double gamma_fertility(double x) {
  const double t = x - 15.0;
  if (t <= 0.0) return 0.0;
  return kTfr * std::pow(t, kAlpha - 1.0) * std::exp(-t / kBeta) / (std::tgamma(kAlpha) * std::pow(kBeta, kAlpha));
}

TEST(GraduateAsfr, GammaScheduleMatchesExactSingleYearIntegrals) {
  // Groups 10–14 (exactly zero), 15–19, …, 45–49.
  const int first_age = 10;
  const int groups = 8;
  std::vector<double> asfr5(groups);
  for (int j = 0; j < groups; ++j) {
    const double a = first_age + 5.0 * j;
    asfr5[j] = simpson(gamma_fertility, a, a + 5.0, 4000) / 5.0;
  }
  const std::vector<double> single = graduate_asfr_five_to_single(asfr5);
  ASSERT_EQ(single.size(), static_cast<std::size_t>(5 * groups));

  std::vector<double> exact(single.size());
  for (std::size_t y = 0; y < single.size(); ++y) {
    const double a = first_age + static_cast<double>(y);
    exact[y] = simpson(gamma_fertility, a, a + 1.0, 2000);
  }
  const double peak = *std::max_element(exact.begin(), exact.end());
  double max_err = 0.0;
  for (std::size_t y = 0; y < single.size(); ++y) {
    EXPECT_GE(single[y], 0.0) << "age " << first_age + static_cast<int>(y);
    max_err = std::max(max_err, std::abs(single[y] - exact[y]));
  }
  double sum_err = 0.0;
  for (std::size_t y = 0; y < single.size(); ++y) sum_err += std::abs(single[y] - exact[y]);
  const double mean_err = sum_err / static_cast<double>(single.size());
  // Measured with Hyman-filtered spline slopes: max 4.1% and mean 0.7% of the peak (PCHIP's harmonic-mean slopes
  // gave 9.9% and 2.4%: they flatten the peak). The single-year rates are piecewise quadratic in age.
  EXPECT_LE(max_err, 0.05 * peak) << "max abs error " << max_err << " peak " << peak;
  EXPECT_LE(mean_err, 0.01 * peak) << "mean abs error " << mean_err << " peak " << peak;
  std::printf("[ info ] ASFR gamma: max |error| = %.3e (%.2f%% of peak %.5f), mean |error| = %.2f%% of peak\n",
              max_err, 100.0 * max_err / peak, peak, 100.0 * mean_err / peak);

  // TFR and group sums preserved.
  double tfr_in = 0.0;
  double tfr_out = 0.0;
  for (double f : asfr5) tfr_in += 5.0 * f;
  for (double f : single) tfr_out += f;
  EXPECT_NEAR(tfr_out, tfr_in, 1e-12 * tfr_in);
  for (int j = 0; j < groups; ++j) {
    double s = 0.0;
    for (int i = 0; i < 5; ++i) s += single[static_cast<std::size_t>(5 * j + i)];
    EXPECT_NEAR(s, 5.0 * asfr5[j], 1e-12 * std::max(5.0 * asfr5[j], 1e-300)) << "group " << j;
  }
  // The zero group 10–14 stays exactly zero.
  for (int y = 0; y < 5; ++y) EXPECT_EQ(single[static_cast<std::size_t>(y)], 0.0) << "age " << first_age + y;
}

TEST(GraduateAsfr, ConstantRatesGiveConstantSingleYears) {
  const std::vector<double> asfr5(7, 0.02);
  const std::vector<double> single = graduate_asfr_five_to_single(asfr5);
  ASSERT_EQ(single.size(), 35u);
  // Cumulative fertility is a straight line, the spline reproduces it: every single year is 0.02 (to rounding).
  for (std::size_t y = 0; y < single.size(); ++y) EXPECT_NEAR(single[y], 0.02, 1e-15) << "year " << y;
}

TEST(GraduateAsfr, ZeroGroupsAtEndsStayNonNegativeAndSumsHold) {
  const std::vector<double> asfr5 = {0.0, 0.0, 0.012, 0.085, 0.125, 0.092, 0.041, 0.009, 0.0007, 0.0, 0.0};
  const std::vector<double> single = graduate_asfr_five_to_single(asfr5);
  ASSERT_EQ(single.size(), 5 * asfr5.size());
  for (std::size_t y = 0; y < single.size(); ++y) EXPECT_GE(single[y], 0.0) << "year " << y;
  for (std::size_t j = 0; j < asfr5.size(); ++j) {
    double s = 0.0;
    for (std::size_t i = 0; i < 5; ++i) s += single[5 * j + i];
    EXPECT_NEAR(s, 5.0 * asfr5[j], 1e-12 * 5.0 * asfr5[j]) << "group " << j;
    if (asfr5[j] == 0.0) {
      for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(single[5 * j + i], 0.0) << "group " << j << " year " << i;
    }
  }
  // A single group: a straight line.
  const std::vector<double> one = graduate_asfr_five_to_single(std::vector<double>{0.1});
  ASSERT_EQ(one.size(), 5u);
  for (double f : one) EXPECT_NEAR(f, 0.1, 1e-15);
}

TEST(GraduateAsfr, RejectsBadInput) {
  EXPECT_THROW(graduate_asfr_five_to_single(std::vector<double>{}), InputError);
  EXPECT_THROW(graduate_asfr_five_to_single(std::vector<double>{0.01, NAN, 0.02}), InputError);
  EXPECT_THROW(graduate_asfr_five_to_single(std::vector<double>{0.01, INFINITY}), InputError);
  try {
    graduate_asfr_five_to_single(std::vector<double>{0.01, 0.05, -0.01});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("group 2"), std::string::npos) << what;
    EXPECT_NE(what.find("-0.01"), std::string::npos) << what;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SplineEnds::fmm (DemoTools' graduate_mono): the Hyman-filtered slopes of R's "fmm" spline.
// ---------------------------------------------------------------------------------------------------------------

// Five-year rates whose cumulative fertility C is the cubic c(x) = x + 0.02x² + 0.001x³ (x = years from the first
// group's start): the fmm end conditions (each end's third derivative that of the cubic through the four end knots)
// hold for a cubic, so the fmm spline is c itself; its slopes c'(5j) lie within 3 × the neighbouring secants, so
// Hyman's filter keeps them, and every single year is c(y + 1) − c(y) exactly. The natural spline (c'' = 0 at the
// ends, which c'' = 0.04 + 0.006x is not) misses it.
double cubic_cumulative(double x) { return x + 0.02 * x * x + 0.001 * x * x * x; }

TEST(GraduateAsfrFmm, ReproducesACubicCumulativeExactly) {
  const int groups = 7;
  std::vector<double> asfr5(groups);
  for (int j = 0; j < groups; ++j) asfr5[j] = (cubic_cumulative(5.0 * (j + 1)) - cubic_cumulative(5.0 * j)) / 5.0;
  const std::vector<double> fmm = graduate_asfr_five_to_single(asfr5, SplineEnds::fmm);
  const std::vector<double> natural = graduate_asfr_five_to_single(asfr5, SplineEnds::natural);
  ASSERT_EQ(fmm.size(), 35u);
  double natural_worst = 0.0;
  for (std::size_t y = 0; y < fmm.size(); ++y) {
    const double a = static_cast<double>(y);
    const double exact = cubic_cumulative(a + 1.0) - cubic_cumulative(a);
    EXPECT_NEAR(fmm[y], exact, 1e-12 * exact) << "year " << y;
    natural_worst = std::max(natural_worst, std::abs(natural[y] - exact) / exact);
  }
  EXPECT_GT(natural_worst, 1e-3);  // the test tells the two end conditions apart
}

TEST(GraduateAsfrFmm, ThreeKnotsReproduceAParabolaTwoAStraightLine) {
  // Two groups (knots 0, 5, 10): FMM's third-derivative conditions have no four knots; R sets both to 0, i.e. one
  // parabola through the three knots. C(x) = x + 0.1x²: rates (C(5) − C(0))/5 = 1.5 and (C(10) − C(5))/5 = 2.5.
  const std::vector<double> two = graduate_asfr_five_to_single(std::vector<double>{1.5, 2.5}, SplineEnds::fmm);
  ASSERT_EQ(two.size(), 10u);
  for (std::size_t y = 0; y < two.size(); ++y) {
    const double a = static_cast<double>(y);
    EXPECT_NEAR(two[y], 1.0 + 0.1 * (2.0 * a + 1.0), 1e-13) << "year " << y;  // C(a+1) − C(a)
  }
  const std::vector<double> one = graduate_asfr_five_to_single(std::vector<double>{0.1}, SplineEnds::fmm);
  ASSERT_EQ(one.size(), 5u);
  for (double f : one) EXPECT_NEAR(f, 0.1, 1e-15);
}

TEST(GraduateAsfrFmm, UnPasfrMatchesThePythonPortOfGraduateMono) {
  // The pasfr of scenarios/README.md "Fertility" (percent, 15–19 … 45–49). Expected: the independent Python port
  // tests/conformance/outside11_reference.py `graduate_mono` (R's fmm_spline, hyman_filter and Hermite evaluation
  // transcribed), printed with repr: 0.0738 at 15 and 0.0556 at 49 where the natural spline gives 0.228 and 0.076.
  // graduate_mono takes each group's total (the pasfr), graduate_asfr_five_to_single its rate per year: total / 5.
  const std::vector<double> pasfr5 = {3.1 / 5, 14.2 / 5, 27.9 / 5, 28.4 / 5, 18.0 / 5, 7.1 / 5, 1.3 / 5};
  const std::vector<double> expected = {
      0.0737596581196581, 0.27151931623931636, 0.5446394871794872, 0.8931201709401713, 1.3169613675213672,
      1.76874905982906,   2.240695555555556,   2.7763210256410265, 3.375625470085472,  4.038608888888886,
      4.729538803418805,  5.305485299145296,   5.730715897435903,  6.005230598290602,  6.129029401709396,
      6.1114957264957255, 5.990163247863244,   5.774415384615395,  5.464252136752123,  5.059673504273505,
      4.5772782905982865, 4.083461709401703,   3.5948225641025715, 3.1113608547008766, 2.633076581196562,
      2.167391111111101,  1.7439899145299194,  1.3702943589743626, 1.046304444444445,  0.7720201709401664,
      0.5459572649572806, 0.36217863247861715, 0.2191999999999723, 0.1170213675213887, 0.05564273504273842};
  const std::vector<double> fmm = graduate_asfr_five_to_single(pasfr5, SplineEnds::fmm);
  ASSERT_EQ(fmm.size(), expected.size());
  for (std::size_t y = 0; y < fmm.size(); ++y) EXPECT_NEAR(fmm[y], expected[y], 1e-12) << "age " << 15 + y;
  const std::vector<double> natural = graduate_asfr_five_to_single(pasfr5);
  EXPECT_NEAR(natural[0], 0.228, 5e-4);
  EXPECT_NEAR(natural[34], 0.076, 5e-4);
}

TEST(GraduateAsfrFmm, ZeroGroupsStayZeroAndGroupSumsHold) {
  // Hyman's filter on the fmm slopes: knots between a zero group and a positive one get slope 0, so zero groups stay
  // exactly zero and no year is negative, as with the natural spline.
  const std::vector<double> asfr5 = {0.0, 0.0, 0.012, 0.085, 0.125, 0.092, 0.041, 0.009, 0.0007, 0.0, 0.0};
  const std::vector<double> single = graduate_asfr_five_to_single(asfr5, SplineEnds::fmm);
  ASSERT_EQ(single.size(), 5 * asfr5.size());
  for (std::size_t y = 0; y < single.size(); ++y) EXPECT_GE(single[y], 0.0) << "year " << y;
  for (std::size_t j = 0; j < asfr5.size(); ++j) {
    double s = 0.0;
    for (std::size_t i = 0; i < 5; ++i) s += single[5 * j + i];
    EXPECT_NEAR(s, 5.0 * asfr5[j], 1e-12 * 5.0 * asfr5[j]) << "group " << j;
    if (asfr5[j] == 0.0) {
      for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(single[5 * j + i], 0.0) << "group " << j << " year " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mortality.
// ---------------------------------------------------------------------------------------------------------------
std::vector<double> abridged_starts(std::size_t rows) {
  std::vector<double> a(rows);
  for (std::size_t i = 0; i < rows; ++i) a[i] = i == 0 ? 0.0 : i == 1 ? 1.0 : 5.0 * static_cast<double>(i - 1);
  return a;
}

// Gompertz hazard μ(x) = a e^{bx}; survival l(x) = exp(−(a/b)(e^{bx} − 1)).
constexpr double kGa = 5e-5;
constexpr double kGb = 0.095;
double gompertz_l(double x) { return std::exp(-(kGa / kGb) * std::expm1(kGb * x)); }
// Exact central rate over [x, x+n): deaths / person-years.
double gompertz_m(double x, double n) {
  return (gompertz_l(x) - gompertz_l(x + n)) / simpson(gompertz_l, x, x + n, 2000);
}
// Abridged rows 0, 1–4, 5–9, …, open at `open_age` (open rate = l / ∫ l to ~infinity).
std::vector<double> gompertz_abridged(int open_age) {
  std::vector<double> m;
  m.push_back(gompertz_m(0.0, 1.0));
  m.push_back(gompertz_m(1.0, 4.0));
  for (int x = 5; x < open_age; x += 5) m.push_back(gompertz_m(x, 5.0));
  m.push_back(gompertz_l(open_age) / simpson(gompertz_l, open_age, open_age + 80.0, 20000));
  return m;
}

TEST(GraduateMx, ConstantHazardGivesConstantRates) {
  const double mu = 0.02;
  const std::vector<double> mx(22, mu);  // 0, 1–4, …, 95–99, 100+
  LifeTableMethod method;
  method.ax_method = AxMethod::midpoint;
  method.greville_from_age_5 = false;
  const std::vector<double> single = graduate_abridged_mx_to_single(mx, Sex::female, 100, method);
  ASSERT_EQ(single.size(), 101u);
  EXPECT_EQ(single[0], mu);  // kept exactly
  // From age 12 the abridged table is exact to O((5μ)²/12) and the graduation reproduces μ: within 1e-3.
  // (The spline carries the 1–4 artefact described below a little past age 5: ages 5–11 are bounded below.)
  double max_rel = 0.0;
  for (std::size_t x = 12; x < single.size(); ++x) {
    const double rel = std::abs(single[x] / mu - 1.0);
    max_rel = std::max(max_rel, rel);
    EXPECT_LE(rel, 1e-3) << "age " << x << " mx " << single[x];
  }
  std::printf("[ info ] constant hazard: max relative error ages 12-100 = %.3e\n", max_rel);
  // Ages 1–4: the abridged table uses the Coale–Demeny 4a1 = a (≈ 1.5, not the constant-hazard ≈ 2), so its
  // l(5)/l(1) = 1 − 4μ / (1 + (4 − a) μ) is not e^{−4μ}: about 1% less mortality, which the graduation carries.
  // Check that (independently of the spline) and bound the rates by 1.5%; ages 5–11 feel it through the spline's
  // knot slopes: 0.5%.
  const LifeTable ab = abridged_life_table(mx, Sex::female, method);
  const double q14 = 4.0 * mu / (1.0 + (4.0 - ab.ax[1]) * mu);
  double log_surv = 0.0;
  for (std::size_t x = 1; x <= 4; ++x) {
    EXPECT_LE(std::abs(single[x] / mu - 1.0), 0.015) << "age " << x << " mx " << single[x];
    log_surv += std::log1p(-single[x] / (1.0 + 0.5 * single[x]));
  }
  EXPECT_NEAR(log_surv, std::log1p(-q14), 1e-12);
  for (std::size_t x = 5; x < 12; ++x)
    EXPECT_LE(std::abs(single[x] / mu - 1.0), 5e-3) << "age " << x << " mx " << single[x];
}

TEST(GraduateMx, GompertzMatchesExactSingleYearRates) {
  const std::vector<double> mx = gompertz_abridged(100);
  ASSERT_EQ(mx.size(), 22u);
  const std::vector<double> single = graduate_abridged_mx_to_single(mx, Sex::male, 100);
  ASSERT_EQ(single.size(), 101u);
  EXPECT_EQ(single[0], mx[0]);
  double max_rel = 0.0;
  for (int x = 10; x <= 84; ++x) {
    const double exact = gompertz_m(x, 1.0);
    const double rel = std::abs(single[static_cast<std::size_t>(x)] / exact - 1.0);
    max_rel = std::max(max_rel, rel);
    EXPECT_LE(rel, 0.003) << "age " << x << " graduated " << single[static_cast<std::size_t>(x)] << " exact " << exact;
  }
  std::printf("[ info ] Gompertz: max relative error of single-year mx, ages 10-84 = %.3e\n", max_rel);
  for (std::size_t x = 100; x < single.size(); ++x) EXPECT_EQ(single[x], mx.back());
}

TEST(GraduateMx, SurvivorshipAtAbridgedBoundariesIsPreserved) {
  const std::vector<double> mx = gompertz_abridged(100);
  LifeTableMethod cd_midpoint;
  cd_midpoint.a0_rule = A0Rule::coale_demeny;
  cd_midpoint.ax_method = AxMethod::midpoint;
  cd_midpoint.greville_from_age_5 = false;
  LifeTableMethod with_imr;
  with_imr.infant_mortality_q0 = 0.004;
  double max_rel = 0.0;
  for (const LifeTableMethod& method : {LifeTableMethod{}, cd_midpoint, with_imr}) {
    for (Sex sex : {Sex::female, Sex::male}) {
      const LifeTable ab = abridged_life_table(mx, sex, method);
      const std::vector<double> single = graduate_abridged_mx_to_single(mx, sex, 100, method);
      const LifeTable sy = single_year_life_table(single, sex, method);
      ASSERT_EQ(sy.rows(), 101u);
      for (std::size_t i = 1; i < ab.rows(); ++i) {
        const auto x = static_cast<std::size_t>(ab.age[i]);
        EXPECT_NEAR(sy.lx[x], ab.lx[i], 1e-9 * ab.lx[i]) << "age " << x << " sex " << sex_name(sex);
        max_rel = std::max(max_rel, std::abs(sy.lx[x] / ab.lx[i] - 1.0));
      }
      // The open group: same rate, so the same T at 100.
      EXPECT_NEAR(sy.Tx[100], ab.Tx.back(), 1e-9 * ab.Tx.back());
    }
  }
  std::printf("[ info ] survivorship: max relative |l_single(x) / l_abridged(x) - 1| = %.3e\n", max_rel);
}

TEST(GraduateMx, LowerOpenAgePreservesPersonYearsAbove) {
  const std::vector<double> mx = gompertz_abridged(100);
  const LifeTableMethod method;
  const std::vector<double> to100 = graduate_abridged_mx_to_single(mx, Sex::female, 100, method);
  const std::vector<double> to85 = graduate_abridged_mx_to_single(mx, Sex::female, 85, method);
  ASSERT_EQ(to85.size(), 86u);
  for (std::size_t x = 0; x < 85; ++x) EXPECT_EQ(to85[x], to100[x]) << "age " << x;
  const LifeTable full = single_year_life_table(to100, Sex::female, method);
  const LifeTable cut = single_year_life_table(to85, Sex::female, method);
  EXPECT_NEAR(cut.lx[85], full.lx[85], 1e-9 * full.lx[85]);
  EXPECT_NEAR(cut.Tx[85], full.Tx[85], 1e-9 * full.Tx[85]);
  // …and close to the abridged table's T(85) (which uses Greville ax instead of 0.5 in 85–99).
  const LifeTable ab = abridged_life_table(mx, Sex::female, method);
  EXPECT_NEAR(cut.Tx[85], ab.Tx[ab.row_of_age(85.0)], 1e-2 * ab.Tx[ab.row_of_age(85.0)]);
  // Independent check: the exact Gompertz m(85+) = l(85) / ∫_85^∞ l.
  const double exact_open = gompertz_l(85.0) / simpson(gompertz_l, 85.0, 165.0, 20000);
  EXPECT_NEAR(to85[85], exact_open, 0.01 * exact_open);
}

TEST(GraduateMx, HigherOpenAgeUsesOpenGroupRate) {
  const std::vector<double> mx = gompertz_abridged(80);  // 0, 1–4, …, 75–79, 80+
  ASSERT_EQ(mx.size(), 18u);
  const std::vector<double> single = graduate_abridged_mx_to_single(mx, Sex::female, 100);
  ASSERT_EQ(single.size(), 101u);
  for (std::size_t x = 80; x <= 100; ++x) EXPECT_EQ(single[x], mx.back()) << "age " << x;
  for (std::size_t x = 1; x < 80; ++x) EXPECT_GT(single[x], 0.0);
}

TEST(GraduateMx, RejectsBadInput) {
  std::vector<double> mx = gompertz_abridged(100);
  EXPECT_THROW(graduate_abridged_mx_to_single(std::vector<double>{0.01, 0.001, 0.5}, Sex::female, 100),
               InputError);
  EXPECT_THROW(graduate_abridged_mx_to_single(mx, Sex::female, 4), InputError);
  std::vector<double> bad = mx;
  bad[5] = -0.001;
  EXPECT_THROW(graduate_abridged_mx_to_single(bad, Sex::female, 100), InputError);
  bad = mx;
  bad[3] = NAN;
  EXPECT_THROW(graduate_abridged_mx_to_single(bad, Sex::male, 100), InputError);
  bad = mx;
  bad.back() = 0.0;
  EXPECT_THROW(graduate_abridged_mx_to_single(bad, Sex::male, 100), InputError);
}

// ---------------------------------------------------------------------------------------------------------------
// Real data: WPP China, female, 2015–2020.
// ---------------------------------------------------------------------------------------------------------------
TEST(GraduateMx, WppChinaFemale2015) {
  const test::CsvTable t = test::read_csv(test::data_file("wpp/mortality_mx_abridged_2010_2020.csv"));
  std::map<double, double> by_age;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (t.at(r, "iso3") != "CHN" || t.at(r, "period") != "2015-2020" || t.at(r, "sex") != "female") continue;
    by_age[t.num(r, "age_start")] = t.num(r, "mx");
  }
  ASSERT_EQ(by_age.size(), 22u);
  std::vector<double> mx;
  const std::vector<double> starts = abridged_starts(22);
  for (double a : starts) {
    ASSERT_TRUE(by_age.count(a)) << "missing age " << a;
    mx.push_back(by_age.at(a));
  }
  const LifeTableMethod method;
  const std::vector<double> single = graduate_abridged_mx_to_single(mx, Sex::female, 100, method);
  ASSERT_EQ(single.size(), 101u);
  EXPECT_EQ(single[0], mx[0]);
  for (std::size_t x = 0; x < single.size(); ++x) {
    EXPECT_TRUE(std::isfinite(single[x])) << "age " << x;
    EXPECT_GT(single[x], 0.0) << "age " << x;
  }
  for (std::size_t x = 30; x < 100; ++x) EXPECT_LT(single[x], single[x + 1]) << "age " << x;

  const LifeTable ab = abridged_life_table(mx, Sex::female, method);
  const LifeTable sy = single_year_life_table(single, Sex::female, method);
  for (std::size_t i = 1; i < ab.rows(); ++i) {
    const auto x = static_cast<std::size_t>(ab.age[i]);
    EXPECT_NEAR(sy.lx[x], ab.lx[i], 1e-9 * ab.lx[i]) << "age " << x;
  }
  // Abridged rates are person-year-weighted averages of the single-year ones: deaths agree exactly (l preserved),
  // person-years differ only by the ax convention (abridged Greville vs single-year 0.5), within 1% up to 90–94.
  // (At 95–99 the abridged table falls back to a constant-hazard nax and the gap is ~6%.)
  for (std::size_t i = 2; i + 2 < ab.rows(); ++i) {
    const auto x = static_cast<std::size_t>(ab.age[i]);
    double deaths = 0.0;
    double years = 0.0;
    for (std::size_t a = x; a < x + 5; ++a) {
      deaths += sy.dx[a];
      years += sy.Lx[a];
    }
    EXPECT_NEAR(deaths / years, mx[i], 0.01 * mx[i]) << "group starting " << x;
  }
}

}  // namespace
}  // namespace cohortgis

// Census groups 0, 1–4, 5–9, …, 80–84, 85+ to single years: every group keeps its count, nothing is negative, and a
// population of constant density per year of age (cumulative count a straight line) comes back as that density.
TEST(GraduateCounts, KeepsEveryGroupTotalAndAConstantDensity) {
  std::vector<int> starts{0, 1};
  for (int a = 5; a <= 85; a += 5) starts.push_back(a);
  std::vector<double> flat;
  for (std::size_t k = 0; k + 1 < starts.size(); ++k) flat.push_back(1000.0 * (starts[k + 1] - starts[k]));
  flat.push_back(4321.0);  // 85+
  const auto f = cohortgis::graduate_counts_to_single_years(flat, starts);
  ASSERT_EQ(f.size(), 86u);
  for (std::size_t a = 0; a < 85; ++a) EXPECT_NEAR(f[a], 1000.0, 1e-9) << a;
  EXPECT_EQ(f[85], 4321.0);
  // Beijing 2020 census, 东城区 women (data/census/census2020_districts.csv, pop_f_0 … pop_f_85p).
  const std::vector<double> c{2126,  12455, 19742, 13008, 7668,  11687, 20770, 30979, 38728, 29216,
                              25087, 23683, 28701, 30315, 27308, 14362, 8981,  10128, 9972};
  const auto g = cohortgis::graduate_counts_to_single_years(c, starts);
  ASSERT_EQ(g.size(), 86u);
  for (std::size_t k = 0; k + 1 < starts.size(); ++k) {
    double sum = 0;
    for (int a = starts[k]; a < starts[k + 1]; ++a) {
      EXPECT_GE(g[static_cast<std::size_t>(a)], 0.0);
      sum += g[static_cast<std::size_t>(a)];
    }
    EXPECT_NEAR(sum, c[k], 1e-9 * c[k]) << "group starting at " << starts[k];
  }
  EXPECT_EQ(g.back(), c.back());
  EXPECT_THROW(cohortgis::graduate_counts_to_single_years(std::vector<double>{1, -1, 2}, std::vector<int>{0, 1, 5}),
               cohortgis::InputError);
}
