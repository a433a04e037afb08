// SPDX-License-Identifier: Apache-2.0
// Life tables from mx: conformance with three published abridged tables, hand-computed cases, infant a0 rules,
// the Greville guard, the qx > 1 fallback and input errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"
#include "csv_fixture.hpp"
#include "error_of.hpp"

namespace cohortgis {
using cohortgis::test::error_of;

namespace {

using test::fixture;
using test::read_csv;

// ---------------------------------------------------------------------------------------------------------------
// Conformance: published tables (tests/conformance/life-tables). Expected values are the published ones
// (expected.csv); the settings are the published-method settings of each case's README / settings.csv.
// ---------------------------------------------------------------------------------------------------------------

struct Case {
  std::vector<double> age, mx;
  Sex sex = Sex::male;
};

Case read_inputs(const std::string& folder) {
  const auto t = read_csv(fixture("../conformance/life-tables/" + folder + "/inputs.csv"));
  const bool rates = [&] {
    for (const auto& h : t.header)
      if (h == "nMx") return true;
    return false;
  }();
  Case c;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    c.age.push_back(t.num(r, "age"));
    c.mx.push_back(rates ? t.num(r, "nMx") : t.num(r, "deaths") / t.num(r, "exposure"));
    c.sex = t.at(r, "sex") == "female" ? Sex::female : Sex::male;
  }
  return c;
}

// Asserts |ex − ex_published| ≤ tol at every published age; returns the largest difference.
double check_ex(const std::string& folder, const LifeTable& lt, double tol) {
  const auto e = read_csv(fixture("../conformance/life-tables/" + folder + "/expected.csv"));
  EXPECT_EQ(e.rows.size(), lt.rows());
  double worst = 0.0;
  for (std::size_t r = 0; r < e.rows.size(); ++r) {
    const double age = e.num(r, "age");
    const std::size_t i = lt.row_of_age(age);
    const double diff = std::abs(lt.ex[i] - e.num(r, "ex_published"));
    worst = std::max(worst, diff);
    EXPECT_LE(diff, tol) << folder << ": e" << age << " = " << lt.ex[i] << ", published " << e.at(r, "ex_published");
  }
  return worst;
}

TEST(LifeTableConformance, PasLtpopdthNorthMales) {
  const std::string folder = "pas-ltpopdth-north-males";
  const Case c = read_inputs(folder);
  ASSERT_EQ(c.mx.size(), 22u);
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.region = CoaleDemenyRegion::north;
  m.ax_method = AxMethod::midpoint;
  m.infant_mortality_q0 = 0.1;
  const LifeTable lt = abridged_life_table(c.mx, c.sex, m);
  for (std::size_t i = 0; i < c.age.size(); ++i) EXPECT_EQ(lt.age[i], c.age[i]);
  // Settings check (settings.csv): a0 = 0.0425 + 2.875·0.1 = 0.33, 4a1 = 1.859 − 3.013·0.1 = 1.5577, 1q0 = IMR.
  EXPECT_NEAR(lt.ax[0], 0.33, 1e-12);
  EXPECT_NEAR(lt.ax[1], 1.5577, 1e-12);
  EXPECT_DOUBLE_EQ(lt.qx[0], 0.1);
  EXPECT_NEAR(lt.mx[0], 0.1 / (1.0 - 0.67 * 0.1), 1e-15);  // 1M0 reset to q0 / (1 − (1 − a0) q0)
  EXPECT_DOUBLE_EQ(lt.ax[5], 2.5);
  const double worst = check_ex(folder, lt, 0.005);
  std::printf("[ PAS      ] max |ex - published| = %.5f\n", worst);
}

TEST(LifeTableConformance, Un1982LatinAmericanMales) {
  const std::string folder = "un1982-p34-latin-american-males";
  const Case c = read_inputs(folder);
  ASSERT_EQ(c.mx.size(), 19u);
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.region = CoaleDemenyRegion::west;
  m.ax_method = AxMethod::greville;
  m.greville_from_age_5 = false;
  const LifeTable lt = abridged_life_table(c.mx, c.sex, m);
  const double worst = check_ex(folder, lt, 0.005);
  std::printf("[ UN 1982  ] max |ex - published| = %.5f\n", worst);

  // Published nax: 0.330 and 1.352 are the CD West male constants (q0 > 0.1), 2.5 at 5–9 and 10–14,
  // Greville at 15–75 (printed to 3 decimals, inputs to 5).
  const auto e = read_csv(fixture("../conformance/life-tables/" + folder + "/expected.csv"));
  double worst_ax = 0.0;
  for (std::size_t r = 0; r < e.rows.size(); ++r) {
    const double age = e.num(r, "age");
    const double pub = e.num(r, "nax_published");
    const std::size_t i = lt.row_of_age(age);
    if (age <= 1.0) {
      EXPECT_NEAR(lt.ax[i], pub, 1e-9) << "nax at age " << age;
    } else if (age == 5.0 || age == 10.0) {
      EXPECT_NEAR(lt.ax[i], pub, 1e-12) << "nax at age " << age;
    } else if (age >= 15.0 && age <= 75.0) {
      EXPECT_NEAR(lt.ax[i], pub, 0.0015) << "nax at age " << age;
      worst_ax = std::max(worst_ax, std::abs(lt.ax[i] - pub));
    }
  }
  std::printf("[ UN 1982  ] max |nax - published| (15-75) = %.5f\n", worst_ax);
  // Open group: a = e = 1/M85 = 4.211 (published).
  EXPECT_NEAR(lt.ax[lt.open_row()], 1.0 / 0.23745, 1e-12);
  EXPECT_NEAR(lt.ex[lt.open_row()], 4.211, 0.0005);
}

TEST(LifeTableConformance, Mortpak1988Females) {
  const std::string folder = "mortpak1988-p82-females";
  const Case c = read_inputs(folder);
  ASSERT_EQ(c.mx.size(), 18u);
  ASSERT_EQ(c.sex, Sex::female);
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.region = CoaleDemenyRegion::west;
  m.ax_method = AxMethod::greville;
  m.greville_from_age_5 = false;
  const LifeTable lt = abridged_life_table(c.mx, c.sex, m);
  // CD West female constants (approximate q0 = 0.1194 > 0.1).
  EXPECT_NEAR(lt.ax[0], 0.35, 1e-12);
  EXPECT_NEAR(lt.ax[1], 1.361, 1e-12);
  const double worst = check_ex(folder, lt, 0.005);
  std::printf("[ Mortpak  ] max |ex - published| = %.5f\n", worst);
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-computed single-year table.
// ---------------------------------------------------------------------------------------------------------------

TEST(SingleYearLifeTable, ThreeRowsByHand) {
  // m = {0.1, 0.2, 0.5} for ages 0, 1, 2+; male; a0 by Coale–Demeny West (no IMR given).
  // a0: q0 from M0 by the smaller root of (β M0) q² − (1 + M0 (1 − α)) q + M0 = 0, α = 0.0425, β = 2.875:
  //   a = 0.2875, b = 1 + 0.1·0.9575 = 1.09575, b² − 4·a·M0 = 1.2006680625 − 0.115 = 1.0856680625,
  //   √ = 1.04195396371, q0 = (1.09575 − 1.04195396371) / 0.575 = 0.0935583240 ≤ 0.1,
  //   a0 = 0.0425 + 2.875·0.0935583240 = 0.311480181.
  // q0 = 0.1 / (1 + (1 − 0.311480181)·0.1) = 0.0935583240 (the same q0: the root inverts this very formula).
  // l0 = 100000, l1 = 90644.1676, d0 = 9355.8324, L0 = l1 + a0·d0 = 93558.3240 (= d0 / m0).
  // q1 = 0.2 / (1 + 0.5·0.2) = 2/11, l2 = l1·9/11 = 74163.4099, d1 = 16480.7577, L1 = l2 + 0.5·d1 = l1·10/11
  //   = 82403.7887.
  // Open: q2 = 1, L2 = l2 / 0.5 = 148326.8197, a2 = 2.
  // T2 = 148326.8197, T1 = 230730.6084 (= l1·28/11), T0 = 324288.9324.
  // e2 = 2, e1 = 28/11 = 2.5454545, e0 = 3.2428893.
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.region = CoaleDemenyRegion::west;
  const std::vector<double> mx{0.1, 0.2, 0.5};
  const LifeTable lt = single_year_life_table(mx, Sex::male, m);
  ASSERT_EQ(lt.rows(), 3u);
  EXPECT_EQ(lt.age, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(lt.width, (std::vector<double>{1, 1, 0}));
  EXPECT_NEAR(lt.ax[0], 0.311480181, 1e-9);
  EXPECT_DOUBLE_EQ(lt.ax[1], 0.5);
  EXPECT_DOUBLE_EQ(lt.ax[2], 2.0);
  EXPECT_NEAR(lt.qx[0], 0.0935583240, 1e-10);
  EXPECT_NEAR(lt.qx[1], 2.0 / 11.0, 1e-15);
  EXPECT_DOUBLE_EQ(lt.qx[2], 1.0);
  EXPECT_DOUBLE_EQ(lt.lx[0], 100000.0);
  EXPECT_NEAR(lt.lx[1], 90644.1676, 1e-4);
  EXPECT_NEAR(lt.lx[2], 74163.4099, 1e-4);
  EXPECT_NEAR(lt.dx[0], 9355.8324, 1e-4);
  EXPECT_NEAR(lt.dx[1], 16480.7577, 1e-4);
  EXPECT_NEAR(lt.dx[2], 74163.4099, 1e-4);
  EXPECT_NEAR(lt.Lx[0], 93558.3240, 1e-4);
  EXPECT_NEAR(lt.Lx[1], 82403.7887, 1e-4);
  EXPECT_NEAR(lt.Lx[2], 148326.8197, 1e-4);
  EXPECT_NEAR(lt.Tx[0], 324288.9324, 1e-4);
  EXPECT_NEAR(lt.Tx[1], 230730.6084, 1e-4);
  EXPECT_NEAR(lt.Tx[2], 148326.8197, 1e-4);
  EXPECT_NEAR(lt.ex[0], 3.2428893, 1e-7);
  EXPECT_NEAR(lt.ex[1], 28.0 / 11.0, 1e-12);
  EXPECT_NEAR(lt.ex[2], 2.0, 1e-12);
}

TEST(SingleYearLifeTable, ImrReplacesQ0AndResetsM0) {
  // IMR = 0.05 with CD West female: a0 = 0.05 + 3·0.05 = 0.2; M0 := 0.05 / (1 − 0.8·0.05) = 0.05 / 0.96.
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.infant_mortality_q0 = 0.05;
  const std::vector<double> mx{0.2, 0.01, 0.01, 0.3};
  const LifeTable lt = single_year_life_table(mx, Sex::female, m);
  EXPECT_NEAR(lt.ax[0], 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(lt.qx[0], 0.05);
  EXPECT_NEAR(lt.mx[0], 0.05 / 0.96, 1e-15);
  EXPECT_NEAR(lt.lx[1], 95000.0, 1e-9);
  EXPECT_NEAR(lt.Lx[0], 95000.0 + 0.2 * 5000.0, 1e-9);
}

// single_year_e0_e65: the e0 and e65 of the full table, bit for bit (the pooled tables of the indicators use it), on
// the hand-computed table above (e0 = 3.2428893, no row at 65), a constant hazard (e0 = e65 = 1/μ) and schedules
// with rows that take the constant-hazard fallback (q > 1), a given IMR, both a0 rules and both sexes; what the full
// table refuses it refuses with the same message.
TEST(SingleYearLifeTable, E0AndE65AloneAreTheFullTablesBits) {
  auto check = [](const std::vector<double>& mx, Sex sex, const LifeTableMethod& m, const char* what) {
    const LifeTable full = single_year_life_table(mx, sex, m);
    LifeTable scratch;
    double e0 = 0.0, e65 = 0.0;
    single_year_e0_e65(mx, sex, m, scratch, e0, e65);
    EXPECT_EQ(e0, full.ex[0]) << what;
    if (full.rows() > 65)
      EXPECT_EQ(e65, full.ex[65]) << what;
    else
      EXPECT_TRUE(std::isnan(e65)) << what;
    return e0;
  };
  LifeTableMethod cd;
  cd.a0_rule = A0Rule::coale_demeny;
  EXPECT_NEAR(check({0.1, 0.2, 0.5}, Sex::male, cd, "three rows"), 3.2428893, 1e-7);
  LifeTable scratch;
  double e0 = 0.0, e65 = 0.0;
  single_year_e0_e65(std::vector<double>(101, 0.02), Sex::female, LifeTableMethod{}, scratch, e0, e65);
  EXPECT_NEAR(e0, 50.0, 1e-9);
  EXPECT_NEAR(e65, 50.0, 1e-9);
  std::vector<double> gompertz(101);
  for (std::size_t x = 0; x < gompertz.size(); ++x) gompertz[x] = 0.0002 * std::exp(0.09 * static_cast<double>(x));
  gompertz[0] = 0.03;
  for (Sex sex : {Sex::female, Sex::male}) {
    check(gompertz, sex, LifeTableMethod{}, "Gompertz, AK");
    check(gompertz, sex, cd, "Gompertz, CD");
    LifeTableMethod imr = cd;
    imr.infant_mortality_q0 = 0.04;
    check(gompertz, sex, imr, "Gompertz, IMR");
    std::vector<double> steep = gompertz;  // a·m > 1 at the oldest closed ages: q from the constant hazard there
    for (std::size_t x = 90; x < steep.size(); ++x) steep[x] = 3.0 + 0.1 * static_cast<double>(x - 90);
    check(steep, sex, LifeTableMethod{}, "fallback rows");
    check(std::vector<double>(66, 0.05), sex, LifeTableMethod{}, "open row at 65");
  }
  std::vector<double> bad = gompertz;
  bad[100] = 0.0;
  EXPECT_EQ(error_of([&] { single_year_e0_e65(bad, Sex::male, LifeTableMethod{}, scratch, e0, e65); }),
            error_of([&] { single_year_life_table(bad, Sex::male); }));
}

// single_year_e0_e65_both: the two sexes' tables in one interleaved pass give each sex's single_year_e0_e65 bits
// (which the test above ties to the full table), including a male schedule with constant-hazard fallback rows next
// to a female one without, a given IMR, an open row at 65, and a table that must go the checks' slow path.
TEST(SingleYearLifeTable, BothSexesInOnePassAreEachSexsBits) {
  std::vector<double> female(101), male(101);
  for (std::size_t x = 0; x < female.size(); ++x) {
    female[x] = 0.00015 * std::exp(0.092 * static_cast<double>(x));
    male[x] = 0.00025 * std::exp(0.088 * static_cast<double>(x));
  }
  female[0] = 0.025;
  male[0] = 0.031;
  std::vector<double> steep = male;
  for (std::size_t x = 92; x < steep.size(); ++x) steep[x] = 2.5 + 0.2 * static_cast<double>(x - 92);
  std::vector<double> steep_female = female;
  for (std::size_t x = 95; x < steep.size(); ++x) steep_female[x] = 2.2 + 0.3 * static_cast<double>(x - 95);
  LifeTableMethod cd;
  cd.a0_rule = A0Rule::coale_demeny;
  LifeTableMethod imr = cd;
  imr.infant_mortality_q0 = 0.04;
  auto check = [](const std::vector<double>& f, const std::vector<double>& m, const LifeTableMethod& method,
                  const char* what) {
    LifeTable scratch;
    double e0f = 0.0, e65f = 0.0, e0m = 0.0, e65m = 0.0;
    single_year_e0_e65(f, Sex::female, method, scratch, e0f, e65f);
    single_year_e0_e65(m, Sex::male, method, scratch, e0m, e65m);
    double e0[2] = {0.0, 0.0}, e65[2] = {0.0, 0.0};
    single_year_e0_e65_both(f, m, method, scratch, e0, e65);
    EXPECT_EQ(e0[0], e0f) << what;
    EXPECT_EQ(e0[1], e0m) << what;
    if (std::isnan(e65f))
      EXPECT_TRUE(std::isnan(e65[0])) << what;
    else
      EXPECT_EQ(e65[0], e65f) << what;
    if (std::isnan(e65m))
      EXPECT_TRUE(std::isnan(e65[1])) << what;
    else
      EXPECT_EQ(e65[1], e65m) << what;
    EXPECT_GT(e0[0], e0[1]) << what;  // the female schedule is the lower one
  };
  check(female, male, LifeTableMethod{}, "Gompertz, AK");
  check(female, male, cd, "Gompertz, CD");
  check(female, male, imr, "Gompertz, IMR");
  check(female, steep, LifeTableMethod{}, "fallback rows in the male table only");
  check(steep_female, male, LifeTableMethod{}, "fallback rows in the female table only");
  check(steep_female, steep, cd, "fallback rows in both tables");
  check(std::vector<double>(female.begin(), female.begin() + 66), std::vector<double>(male.begin(), male.begin() + 66),
        LifeTableMethod{}, "open row at 65");
  check(std::vector<double>(female.begin(), female.begin() + 67), std::vector<double>(male.begin(), male.begin() + 67),
        LifeTableMethod{}, "open row at 66");
  check(std::vector<double>(female.begin(), female.begin() + 61), std::vector<double>(male.begin(), male.begin() + 61),
        LifeTableMethod{}, "open row at 60: no e65");
  check(std::vector<double>(101, 0.02), std::vector<double>(101, 0.025), LifeTableMethod{}, "constant hazards");
  // Rates the table refuses (the open row's = 0; a negative or an infinite rate inside): the slow path throws the
  // full table's error.
  LifeTable scratch;
  double e0[2], e65[2];
  for (std::size_t row : {std::size_t{100}, std::size_t{40}, std::size_t{0}})
    for (double bad_rate : {0.0, -0.001, std::numeric_limits<double>::infinity()}) {
      if (row != 100 && bad_rate == 0.0) continue;  // a zero rate below the open age is allowed
      std::vector<double> bad = male;
      bad[row] = bad_rate;
      const std::string expected = error_of([&] { single_year_life_table(bad, Sex::male); });
      EXPECT_NE(expected, "<no exception>") << row << " " << bad_rate;
      EXPECT_EQ(error_of([&] { single_year_e0_e65_both(female, bad, LifeTableMethod{}, scratch, e0, e65); }), expected)
          << row << " " << bad_rate;
      EXPECT_EQ(error_of([&] { single_year_e0_e65_both(bad, male, LifeTableMethod{}, scratch, e0, e65); }),
                error_of([&] { single_year_life_table(bad, Sex::female); }))
          << row << " " << bad_rate;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Constant hazard: every row has L = d / m (q from m with any a), so T_x = l_x / μ and e_x = 1/μ at every age.
// ---------------------------------------------------------------------------------------------------------------

TEST(SingleYearLifeTable, ConstantHazard) {
  const double mu = 0.02;
  const std::vector<double> mx(101, mu);
  const LifeTable lt = single_year_life_table(mx, Sex::male);  // default AK a0
  EXPECT_DOUBLE_EQ(lt.ex[100], 1.0 / mu);
  for (std::size_t x = 0; x < lt.rows(); ++x) EXPECT_NEAR(lt.ex[x], 1.0 / mu, 1e-9) << "age " << x;
  // Survival over one year with a = 0.5: (1 − μ/2)/(1 + μ/2), the (1,1) Padé approximant of e^(−μ).
  for (std::size_t x = 1; x < 100; ++x) EXPECT_NEAR(lt.lx[x + 1] / lt.lx[x], std::exp(-mu), 1e-6) << "age " << x;
}

TEST(AbridgedLifeTable, ConstantHazardAnyAxMethod) {
  const double mu = 0.03;
  const std::vector<double> mx(22, mu);  // 0, 1–4, 5–9, …, 100+
  for (AxMethod ax : {AxMethod::midpoint, AxMethod::greville}) {
    LifeTableMethod m;
    m.ax_method = ax;
    const LifeTable lt = abridged_life_table(mx, Sex::female, m);
    for (std::size_t i = 0; i < lt.rows(); ++i) EXPECT_NEAR(lt.ex[i], 1.0 / mu, 1e-9) << "row " << i;
    if (ax == AxMethod::greville) {
      // Flat rates: k = 0, so Greville gives 2.5 − (25/12)·μ from 5–9 (default mod = true) on.
      EXPECT_NEAR(lt.ax[2], 2.5 - 25.0 / 12.0 * mu, 1e-12);
      EXPECT_NEAR(lt.ax[10], 2.5 - 25.0 / 12.0 * mu, 1e-12);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// a0 and 4a1 rules, typed from the README's formulas.
// ---------------------------------------------------------------------------------------------------------------

TEST(InfantA0, AndreevKingkadeM0) {
  const auto ak = [](Sex s, double m0) { return infant_a0(A0Rule::andreev_kingkade, s, CoaleDemenyRegion::west, m0); };
  EXPECT_NEAR(ak(Sex::male, 0.01), 0.14929 - 1.99545 * 0.01, 1e-15);
  EXPECT_NEAR(ak(Sex::male, 0.05), 0.02832 + 3.26021 * 0.05, 1e-15);
  EXPECT_DOUBLE_EQ(ak(Sex::male, 0.1), 0.29915);
  EXPECT_NEAR(ak(Sex::female, 0.01), 0.14903 - 2.05527 * 0.01, 1e-15);
  EXPECT_NEAR(ak(Sex::female, 0.03), 0.04667 + 3.88089 * 0.03, 1e-15);
  EXPECT_DOUBLE_EQ(ak(Sex::female, 0.1), 0.31411);
  EXPECT_NEAR(ak(Sex::male, 0.0), 0.14929, 1e-15);
  // m0-based even when q0 is given (DemoTools).
  EXPECT_NEAR(infant_a0(A0Rule::andreev_kingkade, Sex::male, CoaleDemenyRegion::west, 0.01, 0.5),
              0.14929 - 1.99545 * 0.01, 1e-15);
  // q0-based only without m0.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NEAR(infant_a0(A0Rule::andreev_kingkade, Sex::male, CoaleDemenyRegion::west, nan, 0.01),
              0.1493 - 2.0367 * 0.01, 1e-15);
  EXPECT_NEAR(infant_a0(A0Rule::andreev_kingkade, Sex::female, CoaleDemenyRegion::west, nan, 0.05),
              0.0438 + 4.1075 * 0.05, 1e-15);
  EXPECT_DOUBLE_EQ(infant_a0(A0Rule::andreev_kingkade, Sex::female, CoaleDemenyRegion::west, nan, 0.07), 0.3141);
}

TEST(InfantA0, CoaleDemenyFromQ0) {
  const auto cd = [](Sex s, CoaleDemenyRegion r, double q0) { return infant_a0(A0Rule::coale_demeny, s, r, 0.0, q0); };
  using R = CoaleDemenyRegion;
  EXPECT_NEAR(cd(Sex::male, R::west, 0.05), 0.0425 + 2.875 * 0.05, 1e-15);
  EXPECT_NEAR(cd(Sex::female, R::north, 0.05), 0.05 + 3.0 * 0.05, 1e-15);
  EXPECT_NEAR(cd(Sex::male, R::east, 0.05), 0.0025 + 2.875 * 0.05, 1e-15);
  EXPECT_NEAR(cd(Sex::female, R::east, 0.05), 0.01 + 3.0 * 0.05, 1e-15);
  EXPECT_NEAR(cd(Sex::male, R::south, 0.1), 0.0425 + 2.875 * 0.1, 1e-15);  // q0 = 0.1 is still linear
  for (R r : {R::west, R::north, R::south}) {
    EXPECT_DOUBLE_EQ(cd(Sex::male, r, 0.2), 0.33);
    EXPECT_DOUBLE_EQ(cd(Sex::female, r, 0.2), 0.35);
  }
  EXPECT_DOUBLE_EQ(cd(Sex::male, R::east, 0.2), 0.29);
  EXPECT_DOUBLE_EQ(cd(Sex::female, R::east, 0.2), 0.31);
}

TEST(InfantA0, CoaleDemenyFromM0) {
  using R = CoaleDemenyRegion;
  // M0 = 0.1, West male: q0 = 0.0935583240 by the smaller root (see ThreeRowsByHand), a0 = 0.311480181.
  EXPECT_NEAR(infant_a0(A0Rule::coale_demeny, Sex::male, R::west, 0.1), 0.311480181, 1e-9);
  // M0 = 0: q0 = 0, a0 = α.
  EXPECT_NEAR(infant_a0(A0Rule::coale_demeny, Sex::female, R::east, 0.0), 0.01, 1e-15);
  // UN 1982 case: M0 = 0.23669 → q0 = 0.2197 > 0.1 → 0.33. Mortpak: M0 = 0.12846, female → q0 = 0.1194 → 0.35.
  EXPECT_DOUBLE_EQ(infant_a0(A0Rule::coale_demeny, Sex::male, R::west, 0.23669), 0.33);
  EXPECT_DOUBLE_EQ(infant_a0(A0Rule::coale_demeny, Sex::female, R::west, 0.12846), 0.35);
  // Very high M0: the quadratic has no real root; the constant applies (DemoTools).
  EXPECT_DOUBLE_EQ(infant_a0(A0Rule::coale_demeny, Sex::male, R::east, 0.9), 0.29);
}

TEST(InfantA0, RejectsBadInputs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(infant_a0(A0Rule::coale_demeny, Sex::male, CoaleDemenyRegion::west, -0.1), InputError);
  EXPECT_THROW(infant_a0(A0Rule::andreev_kingkade, Sex::male, CoaleDemenyRegion::west, nan), InputError);
  EXPECT_THROW(infant_a0(A0Rule::coale_demeny, Sex::male, CoaleDemenyRegion::west, 0.1, 1.5), InputError);
}

TEST(AbridgedLifeTable, FourA1LinearBranchUsesAkQ0) {
  // No IMR: q0 for 4a1 = M0 / (1 + (1 − a0_AK) M0). Female, M0 = 0.02: a0_AK = 0.04667 + 3.88089·0.02 = 0.1242878,
  // q0 = 0.02 / (1 + 0.8757122·0.02) = 0.0196557445; North female: 4a1 = 1.733 − 1.627·0.0196557445 = 1.7010201.
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.region = CoaleDemenyRegion::north;
  const std::vector<double> mx{0.02, 0.002, 0.001, 0.001, 0.002, 0.01, 0.2};
  const LifeTable lt = abridged_life_table(mx, Sex::female, m);
  EXPECT_NEAR(lt.ax[1], 1.7010201037, 1e-9);
  // With IMR: 4a1 = intercept − slope·IMR (South male, IMR 0.04: 1.541 − 3.013·0.04 = 1.42048).
  m.region = CoaleDemenyRegion::south;
  m.infant_mortality_q0 = 0.04;
  EXPECT_NEAR(abridged_life_table(mx, Sex::male, m).ax[1], 1.541 - 3.013 * 0.04, 1e-12);
}

// ---------------------------------------------------------------------------------------------------------------
// Greville details: mod flag (divisor 9.5 at 5–9) and the constant-hazard guard.
// ---------------------------------------------------------------------------------------------------------------

TEST(AbridgedLifeTable, GrevilleModFromAge5) {
  // UN 1982 rates with mod = true.
  const std::vector<double> mx{0.23669, 0.04672, 0.00982, 0.00511, 0.00697, 0.01036, 0.01169, 0.01332, 0.01528, 0.01757,
                               0.02092, 0.02517, 0.03225, 0.04241, 0.06056, 0.08574, 0.11840, 0.16226, 0.23745};
  LifeTableMethod m;
  m.a0_rule = A0Rule::coale_demeny;
  m.greville_from_age_5 = true;
  const LifeTable lt = abridged_life_table(mx, Sex::male, m);
  // 10–14: 2.5 − (25/12)(0.00511 − ln(0.00697/0.00982)/10) = 2.41793627 (inside [2, 3]).
  EXPECT_NEAR(lt.ax[3], 2.4179362713, 1e-9);
  // 5–9: 2.5 − (25/12)(0.00982 − ln(0.00511/0.04672)/9.5) = 1.99424 < 0.4·5, kept: DemoTools' guard replaces nax
  // outside [0.4 n, 0.6 n] from age 10 only (lt_id_morq_a_greville, `Age >= 10`), not by the constant-hazard 2.47954
  // (tests/conformance/un-abridged-greville-5-9-high-child).
  EXPECT_NEAR(lt.ax[2], 2.5 - (25.0 / 12.0) * (0.00982 - std::log(0.00511 / 0.04672) / 9.5), 1e-12);
  EXPECT_NEAR(lt.ax[2], 1.9942406, 1e-6);
  // 15–19 is unchanged by mod.
  EXPECT_NEAR(lt.ax[4], 2.633, 0.0005);
}

TEST(AbridgedLifeTable, GrevilleGuardAtOlderAges) {
  // 15–19 between 0.001 and 0.02: 2.5 − (25/12)(0.002 − ln(20)/10) = 3.11994 > 0.6·5 → constant hazard
  // 5 + 1/0.002 − 5/(1 − e^(−0.01)) = 2.49583334.
  const std::vector<double> mx{0.02, 0.002, 0.001, 0.001, 0.002, 0.02, 0.02, 0.3};
  LifeTableMethod m;
  m.greville_from_age_5 = false;
  const LifeTable lt = abridged_life_table(mx, Sex::male, m);
  EXPECT_NEAR(lt.ax[4], 2.4958333403, 1e-8);
}

// Where n·m / (1 + (n − nax)·m) would pass 1, DemoTools' lt_id_ma_q (R/lt_id.R, called by lt_single_mx and
// lt_abridged) takes q = 1 − e^(−n·m) and leaves the row's nax as it was; nLx = n·l(x+n) + nax·ndx (lt_id_lda_L), so
// the row's d/L is no longer m. (Before, cohortgis also replaced nax by the constant-hazard value, L = d/m.)
TEST(LifeTable, QxAboveOneTakesConstantHazardQAndKeepsNax) {
  // Single-year, age 1: m = 3, a = 0.5 → 3/(1 + 0.5·3) = 1.2 > 1 → q = 1 − e^(−3) = 0.950212931632136, a = 0.5,
  // L1 = l2 + 0.5·d1 = l1·(0.5 + 0.5·e^(−3)) = 0.524893534183932·l1 (the constant-hazard nax gave d1/3 = 0.3167·l1).
  const LifeTable lt = single_year_life_table(std::vector<double>{0.1, 3.0, 0.5}, Sex::female);
  EXPECT_NEAR(lt.qx[1], 0.950212931632136, 1e-15);
  EXPECT_EQ(lt.ax[1], 0.5);
  EXPECT_NEAR(lt.Lx[1] / lt.lx[1], 0.524893534183932, 1e-15);
  EXPECT_NEAR(lt.lx[2], lt.lx[1] * std::exp(-3.0), 1e-9);
  // Abridged, midpoint (DemoTools "pas"): 10–14 at m = 0.5 → 2.5/(1 + 2.5·0.5) = 1.11 > 1 → q = 1 − e^(−2.5)
  // = 0.917915001376101, a = 2.5, L = 5·l15 + 2.5·d = l10·(2.5 + 2.5·e^(−2.5)) = 2.70521249655975·l10. The rows around
  // it (m = 0.01: q = 0.05/1.025) are untouched.
  LifeTableMethod pas;
  pas.ax_method = AxMethod::midpoint;
  const LifeTable ab = abridged_life_table(std::vector<double>{0.02, 0.005, 0.01, 0.5, 0.01, 0.2}, Sex::male, pas);
  EXPECT_NEAR(ab.qx[3], 0.917915001376101, 1e-15);
  EXPECT_EQ(ab.ax[3], 2.5);
  EXPECT_NEAR(ab.Lx[3] / ab.lx[3], 2.70521249655975, 1e-14);
  EXPECT_NEAR(ab.qx[2], 0.05 / 1.025, 1e-15);
  EXPECT_NEAR(ab.qx[4], 0.05 / 1.025, 1e-15);
  for (double q : ab.qx) EXPECT_LE(q, 1.0);
}

// A rate so high that 1 − e^(−n·m) rounds to 1 (n·m > 37.4) leaves l = 0 below the open age. DemoTools then has
// nLx = nax·l_x in that row (lt_id_lda_L), 0 above it, T = 0 above it, and ex = T / l = 0/0 (NaN) where l = 0; here
// ex is 0 there (0 where nobody is left) and nothing is divided by 0; survival_ratios refuses the L of 0.
TEST(LifeTable, QxOfOneBelowOpenAgeLeavesNobodyWithoutDividingByZero) {
  std::vector<double> mx(8, 0.05);
  mx[3] = 50.0;  // age 3: q = 1 − e^(−50) = 1 in doubles
  const LifeTable lt = single_year_life_table(mx, Sex::female);
  EXPECT_EQ(lt.qx[3], 1.0);
  EXPECT_EQ(lt.ax[3], 0.5);
  EXPECT_EQ(lt.dx[3], lt.lx[3]);
  EXPECT_EQ(lt.Lx[3], 0.5 * lt.lx[3]);  // nax·l_x, as DemoTools (the constant-hazard nax gave l_x / 50)
  EXPECT_EQ(lt.Tx[3], lt.Lx[3]);
  EXPECT_EQ(lt.ex[3], 0.5);
  for (std::size_t i = 4; i < lt.rows(); ++i) {
    EXPECT_EQ(lt.lx[i], 0.0) << "row " << i;
    EXPECT_EQ(lt.dx[i], 0.0) << "row " << i;
    EXPECT_EQ(lt.Lx[i], 0.0) << "row " << i;
    EXPECT_EQ(lt.Tx[i], 0.0) << "row " << i;
    EXPECT_EQ(lt.ex[i], 0.0) << "row " << i;  // DemoTools: NaN (0/0)
  }
  for (std::size_t i = 0; i < lt.rows(); ++i) {
    EXPECT_TRUE(std::isfinite(lt.Lx[i]) && std::isfinite(lt.Tx[i]) && std::isfinite(lt.ex[i])) << "row " << i;
  }
  std::vector<double> S(7);
  EXPECT_NE(error_of([&] { survival_ratios(lt, AgeGrid::single_year(6), S); }).find("person-years L at row 4"),
            std::string::npos);
  // The same in an abridged midpoint table: 15–19 at m = 8 (5·8 = 40).
  LifeTableMethod pas;
  pas.ax_method = AxMethod::midpoint;
  const LifeTable ab =
      abridged_life_table(std::vector<double>{0.02, 0.005, 0.01, 0.01, 8.0, 0.01, 0.2}, Sex::male, pas);
  EXPECT_EQ(ab.qx[4], 1.0);
  EXPECT_EQ(ab.Lx[4], 2.5 * ab.lx[4]);
  EXPECT_EQ(ab.ex[4], 2.5);
  for (std::size_t i = 5; i < ab.rows(); ++i) EXPECT_EQ(ab.lx[i] + ab.Lx[i] + ab.Tx[i] + ab.ex[i], 0.0) << i;
}

TEST(LifeTable, ZeroRateInClosedRowIsAllowed) {
  const std::vector<double> mx{0.01, 0.0, 0.0, 0.0, 0.1};
  const LifeTable lt = abridged_life_table(mx, Sex::male);
  EXPECT_EQ(lt.qx[1], 0.0);
  EXPECT_EQ(lt.qx[2], 0.0);
  EXPECT_EQ(lt.lx[1], lt.lx[3]);
  for (double a : lt.ax) EXPECT_TRUE(std::isfinite(a));
  EXPECT_NEAR(lt.ex[lt.open_row()], 10.0, 1e-12);
}

// ---------------------------------------------------------------------------------------------------------------
// Structure, reuse, row lookup.
// ---------------------------------------------------------------------------------------------------------------

TEST(AbridgedLifeTable, AgesWidthsAndIdentities) {
  const std::vector<double> mx{0.05, 0.004, 0.001, 0.001, 0.002, 0.003, 0.005, 0.1};
  const LifeTable lt = abridged_life_table(mx, Sex::female);
  EXPECT_EQ(lt.age, (std::vector<double>{0, 1, 5, 10, 15, 20, 25, 30}));
  EXPECT_EQ(lt.width, (std::vector<double>{1, 4, 5, 5, 5, 5, 5, 0}));
  EXPECT_EQ(lt.open_row(), 7u);
  for (std::size_t i = 0; i < lt.rows(); ++i) {
    EXPECT_NEAR(lt.dx[i] / lt.Lx[i], lt.mx[i], 1e-12) << "row " << i;  // m = d / L everywhere
    EXPECT_NEAR(lt.ex[i], lt.Tx[i] / lt.lx[i], 1e-12);
  }
  EXPECT_NEAR(
      lt.Tx[0],
      [&] {
        double s = 0;
        for (double L : lt.Lx) s += L;
        return s;
      }(),
      1e-6);
}

TEST(LifeTable, BuildReusesStorage) {
  const std::vector<double> mx(101, 0.01);
  LifeTable lt;
  build_single_year_life_table(mx, Sex::male, {}, lt);
  const double* ex_data = lt.ex.data();
  const double* age_data = lt.age.data();
  const std::size_t cap = lt.Lx.capacity();
  const std::vector<double> mx2(101, 0.02);
  build_single_year_life_table(mx2, Sex::female, {}, lt);
  EXPECT_EQ(lt.ex.data(), ex_data);
  EXPECT_EQ(lt.age.data(), age_data);
  EXPECT_EQ(lt.Lx.capacity(), cap);
  EXPECT_NEAR(lt.ex[0], 50.0, 1e-9);
  // A smaller abridged table into the same object keeps the storage too.
  const std::vector<double> mx3(22, 0.02);
  build_abridged_life_table(mx3, Sex::female, {}, lt);
  EXPECT_EQ(lt.rows(), 22u);
  EXPECT_EQ(lt.ex.data(), ex_data);
  EXPECT_EQ(lt.age[21], 100.0);
}

TEST(LifeTable, RebuildFromItsOwnMx) {
  const std::vector<double> mx{0.05, 0.004, 0.001, 0.001, 0.002, 0.003, 0.005, 0.1};
  LifeTable lt = abridged_life_table(mx, Sex::male);
  const std::vector<double> ex = lt.ex;
  build_abridged_life_table(lt.mx, Sex::male, {}, lt);
  EXPECT_EQ(lt.mx, mx);
  EXPECT_EQ(lt.ex, ex);
}

TEST(LifeTable, RowOfAge) {
  const std::vector<double> mx(22, 0.02);
  const LifeTable lt = abridged_life_table(mx, Sex::female);
  EXPECT_EQ(lt.row_of_age(0), 0u);
  EXPECT_EQ(lt.row_of_age(1), 1u);
  EXPECT_EQ(lt.row_of_age(5), 2u);
  EXPECT_EQ(lt.row_of_age(100), 21u);
  try {
    (void)lt.row_of_age(3);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("age 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)lt.row_of_age(105), InputError);
}

// ---------------------------------------------------------------------------------------------------------------
// Input errors.
// ---------------------------------------------------------------------------------------------------------------

TEST(LifeTableErrors, NegativeRate) {
  std::vector<double> mx(22, 0.02);
  mx[2] = -0.001;
  const std::string msg = error_of([&] { (void)abridged_life_table(mx, Sex::male); });
  EXPECT_NE(msg.find("age 5-9"), std::string::npos) << msg;
  EXPECT_NE(msg.find(">= 0"), std::string::npos) << msg;
}

TEST(LifeTableErrors, NanRate) {
  std::vector<double> mx(101, 0.02);
  mx[37] = std::numeric_limits<double>::quiet_NaN();
  const std::string msg = error_of([&] { (void)single_year_life_table(mx, Sex::female); });
  EXPECT_NE(msg.find("age 37"), std::string::npos) << msg;
  mx[37] = std::numeric_limits<double>::infinity();
  EXPECT_NE(error_of([&] { (void)single_year_life_table(mx, Sex::female); }).find("age 37"), std::string::npos);
}

TEST(LifeTableErrors, OpenRateZero) {
  std::vector<double> mx(101, 0.02);
  mx[100] = 0.0;
  const std::string msg = error_of([&] { (void)single_year_life_table(mx, Sex::female); });
  EXPECT_NE(msg.find("age 100+"), std::string::npos) << msg;
  std::vector<double> ma(22, 0.02);
  ma[21] = 0.0;
  const std::string msg2 = error_of([&] { (void)abridged_life_table(ma, Sex::male); });
  EXPECT_NE(msg2.find("age 100+"), std::string::npos) << msg2;
}

TEST(LifeTableErrors, TooFewRows) {
  const std::vector<double> three{0.1, 0.01, 0.2};
  const std::string msg = error_of([&] { (void)abridged_life_table(three, Sex::male); });
  EXPECT_NE(msg.find("at least 4"), std::string::npos) << msg;
  const std::vector<double> two{0.1, 0.2};
  const std::string msg2 = error_of([&] { (void)single_year_life_table(two, Sex::male); });
  EXPECT_NE(msg2.find("at least 3"), std::string::npos) << msg2;
  const std::vector<double> none;
  EXPECT_THROW((void)single_year_life_table(none, Sex::male), InputError);
}

TEST(LifeTableErrors, RadixAndImr) {
  const std::vector<double> mx(22, 0.02);
  LifeTableMethod m;
  m.radix = 0.0;
  EXPECT_NE(error_of([&] { (void)abridged_life_table(mx, Sex::male, m); }).find("radix"), std::string::npos);
  m.radix = 100000.0;
  m.infant_mortality_q0 = 1.0;
  EXPECT_NE(error_of([&] { (void)abridged_life_table(mx, Sex::male, m); }).find("age 0"), std::string::npos);
}

// A rate of 0 at 10–14 puts Greville's 5a5 near −151 (k = ln(DBL_MIN / m(1–4)) / 9.5): DemoTools' lt_abridged(axmethod
// = "un") never keeps it, lt_a_un sets every negative nax to AgeInt / 2 (R/nAx.R:847-850 at 806cdc3), so 5a5 = 2.5
// and the survival 5–9 → 10–14 stays below 1 (tests/conformance/un-abridged-un-negative-nax-patch).
TEST(AbridgedLifeTable, NegativeGreville5a5IsHalfTheWidthAsLtAUn) {
  const std::vector<double> base{0.23669, 0.04672, 0.00982, 0.00511, 0.00697, 0.01036, 0.01169, 0.01332,
                                 0.01528, 0.01757, 0.02092, 0.02517, 0.03225, 0.04241, 0.06056, 0.08574,
                                 0.11840, 0.16226, 0.23745, 0.31,    0.42,    0.55};
  for (const Sex sex : {Sex::female, Sex::male}) {
    std::vector<double> mx = base;
    mx[3] = 0.0;  // 10–14
    const LifeTable lt = abridged_life_table(mx, sex, LifeTableMethod{});
    EXPECT_EQ(lt.ax[2], 2.5);
    EXPECT_LT(lt.Lx[2], 5.0 * lt.lx[2]);
    EXPECT_GT(lt.Lx[2], 5.0 * lt.lx[3]);  // 5L5 = 5 l10 + 2.5 d5
  }
}

// The abridged table's Greville nax and the five-year survival ratios as the formulas with the table's own widths
// and std::fmax (before they were constants and an inline max): the same bits, with and without mod, a zero rate.
TEST(AbridgedLifeTable, GrevilleAxAndFiveYearRatiosAreTheFormulasBits) {
  const std::vector<double> base{0.23669, 0.04672, 0.00982, 0.00511, 0.00697, 0.01036, 0.01169, 0.01332,
                                 0.01528, 0.01757, 0.02092, 0.02517, 0.03225, 0.04241, 0.06056, 0.08574,
                                 0.11840, 0.16226, 0.23745, 0.31,    0.42,    0.55};  // 22 rows: 0, 1–4, …, 95–99, 100+
  std::size_t compared = 0;
  for (int variant = 0; variant < 6; ++variant) {
    std::vector<double> mx = base;
    for (std::size_t i = 0; i < mx.size(); ++i) mx[i] *= 1.0 + 0.013 * static_cast<double>((i * 7 + variant) % 5);
    if (variant == 5) mx[6] = 0.0;  // a zero rate: fmax's floor DBL_MIN in the ratios beside it
    LifeTableMethod m;
    m.greville_from_age_5 = variant % 2 == 1;
    const LifeTable lt = abridged_life_table(mx, Sex::female, m);
    const std::size_t w = lt.rows() - 1;
    for (std::size_t i = m.greville_from_age_5 ? 2 : 4; i < w; ++i) {
      const double n = lt.width[i], n_prev = lt.width[i - 1], n_next = i + 1 == w ? n : lt.width[i + 1];
      const double k =
          std::log(std::fmax(mx[i + 1], DBL_MIN) / std::fmax(mx[i - 1], DBL_MIN)) / (0.5 * n_prev + n + 0.5 * n_next);
      const double a = 0.5 * n - (n * n / 12.0) * (mx[i] - k);
      if (i >= 3 && !(a >= 0.4 * n && a <= 0.6 * n)) continue;  // the guard's constant hazard instead (from 10–14)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(lt.ax[i]), std::bit_cast<std::uint64_t>(a)) << variant << " row " << i;
      ++compared;
    }
    // Five-year survival ratios from the abridged rows: 5L0 = 1L0 + 4L1, then each group's L over the one before.
    std::vector<double> S(21), ref(21);
    survival_ratios(lt, AgeGrid::five_year(100), S);
    const double L0_5 = lt.Lx[0] + lt.Lx[1];
    ref[0] = L0_5 / (5.0 * lt.lx[0]);
    double prev = L0_5;
    for (std::size_t i = 1; i < 20; ++i) {
      ref[i] = lt.Lx[i + 1] / prev;
      prev = lt.Lx[i + 1];
    }
    ref[20] = lt.Lx[21] / (prev + lt.Lx[21]);
    for (std::size_t i = 0; i < 21; ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(S[i]), std::bit_cast<std::uint64_t>(ref[i])) << variant << " age " << i;
  }
  EXPECT_GT(compared, 60u);
  // Nobody left from 50–54 on (q = 1 − e^(−5 · 10⁶) = 1 exactly): e is 0 there, T / l before.
  std::vector<double> mx = base;
  mx[10] = 1e6;
  const LifeTable lt = abridged_life_table(mx, Sex::male);
  for (std::size_t i = 0; i < lt.rows(); ++i)
    if (i <= 10)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(lt.ex[i]), std::bit_cast<std::uint64_t>(lt.Tx[i] / lt.lx[i])) << i;
    else
      EXPECT_EQ(std::bit_cast<std::uint64_t>(lt.ex[i]), std::bit_cast<std::uint64_t>(0.0)) << i;
}

}  // namespace
}  // namespace cohortgis
