// SPDX-License-Identifier: Apache-2.0
// Life tables from central death rates (abridged and single-year).
//
// Sources of the formulas (see also tests/conformance/life-tables/README.md):
//   - UN (1982), Model Life Tables for Developing Countries, p. 31: Coale–Demeny West under age 5, nax = 2.5 at
//     5–9 and 10–14, Greville nax from age 15.
//   - UN (1983), Manual X, Table 164, and the US Census Bureau PAS spreadsheet LTPOPDTH: Coale–Demeny a0 and 4a1.
//   - Andreev & Kingkade (2015), Demographic Research 33(13): a0 from m0 (or q0).
//   - DemoTools (github.com/timriffe/DemoTools, R/lt_rule.R, R/nAx.R, R/lt_id.R, R/lt_abridged.R): the constant-hazard
//     guard on Greville nax, the qx > 1 fallback, the IMR override of 1q0 and the mod (Gerland/Li) flag.
// survival_ratios and age_period_death_split live in ccmpp_step.cpp.
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>

#include "engine_support.hpp"
#include "life_table_detail.hpp"
#include "simd.hpp"

namespace cohortgis {
namespace {

constexpr std::size_t kF = static_cast<std::size_t>(Sex::female);
constexpr std::size_t kM = static_cast<std::size_t>(Sex::male);

std::size_t sex_index(Sex sex) { return sex == Sex::female ? kF : kM; }
std::size_t region_index(CoaleDemenyRegion r) {
  switch (r) {
    case CoaleDemenyRegion::west:
      return 0;
    case CoaleDemenyRegion::north:
      return 1;
    case CoaleDemenyRegion::east:
      return 2;
    case CoaleDemenyRegion::south:
      return 3;
  }
  return 0;
}

using detail::fmt;  // numbers in messages: one format for the engine (engine_support.hpp)

// ---- Coale–Demeny coefficients, indexed [region W, N, E, S][female, male] ---------------------------------------
// a0: UN (1983) Manual X, Table 164 (as in PAS LTPOPDTH): a0 = alpha + beta·q0 for q0 ≤ 0.1, else a constant.
constexpr double kCdA0Const[4][2] = {{0.35, 0.33}, {0.35, 0.33}, {0.31, 0.29}, {0.35, 0.33}};
constexpr double kCdA0Alpha[4][2] = {{0.05, 0.0425}, {0.05, 0.0425}, {0.01, 0.0025}, {0.05, 0.0425}};
constexpr double kCdA0Beta[2] = {3.0, 2.875};
// 4a1: PAS LTPOPDTH coefficients (DemoTools lt_rule_4a1_cd): 4a1 = intercept − slope·q0 for q0 ≤ 0.1, else a constant.
constexpr double kCd4a1Const[4][2] = {{1.361, 1.352}, {1.570, 1.558}, {1.324, 1.313}, {1.239, 1.240}};
constexpr double kCd4a1Intercept[4][2] = {{1.524, 1.653}, {1.733, 1.859}, {1.487, 1.614}, {1.402, 1.541}};
constexpr double kCd4a1Slope[2] = {1.627, 3.013};

double cd_a0_from_q0(std::size_t r, std::size_t s, double q0) {
  return q0 > 0.1 ? kCdA0Const[r][s] : kCdA0Alpha[r][s] + kCdA0Beta[s] * q0;
}

// q0 from M0 on the linear CD branch (PAS LTPOPDTH; DemoTools lt_rule_1a0_cd): smaller root of
// (beta·M0)·q² − (1 + M0·(1 − alpha))·q + M0 = 0. Written as 2c/(b + √disc) so that M0 = 0 gives q0 = 0.
// No real root (disc ≤ 0) only happens far above the q0 = 0.1 threshold; DemoTools then takes the constant branch.
double cd_q0_from_m0(std::size_t r, std::size_t s, double m0) {
  const double a = kCdA0Beta[s] * m0;
  const double b = 1.0 + m0 * (1.0 - kCdA0Alpha[r][s]);
  const double disc = b * b - 4.0 * a * m0;
  if (disc <= 0.0) return 1.0;  // any value > 0.1 selects the constant branch
  return 2.0 * m0 / (b + std::sqrt(disc));
}

double cd_4a1(std::size_t r, std::size_t s, double q0) {
  return q0 > 0.1 ? kCd4a1Const[r][s] : kCd4a1Intercept[r][s] - kCd4a1Slope[s] * q0;
}

// Andreev & Kingkade (2015), q0-based segments (DemoTools lt_rule_ak_q0_a0); only when m0 is unknown.
double ak_a0_from_q0(Sex sex, double q0) {
  if (sex == Sex::male) {
    if (q0 < 0.0226) return 0.1493 - 2.0367 * q0;
    if (q0 < 0.0785) return 0.0244 + 3.4994 * q0;
    return 0.2991;
  }
  if (q0 < 0.0170) return 0.1490 - 2.0867 * q0;
  if (q0 < 0.0658) return 0.0438 + 4.1075 * q0;
  return 0.3141;
}

using detail::q_from_m;

const char* table_kind(bool abridged) { return abridged ? "abridged life table" : "single-year life table"; }

std::string row_label(const LifeTable& t, std::size_t i) {
  const double x = t.age[i];
  if (i == t.open_row()) return "age " + fmt(x) + "+";
  if (t.width[i] == 1.0) return "age " + fmt(x);
  return "age " + fmt(x) + "-" + fmt(x + t.width[i] - 1.0);
}

void validate_inputs(std::span<const double> mx, const LifeTableMethod& method, const LifeTable& t, bool abridged) {
  const std::size_t n = mx.size();
  for (std::size_t i = 0; i < (detail::all_within(mx.data(), n, 0.0, DBL_MAX) ? 0 : n); ++i) {
    const double m = mx[i];
    if (!std::isfinite(m) || m < 0.0)
      throw InputError(std::string(table_kind(abridged)) + ": mx at " + row_label(t, i) + " (row " + std::to_string(i) +
                       ") is " + fmt(m) + "; expected a finite rate >= 0");
  }
  if (!(mx[n - 1] > 0.0))
    throw InputError(std::string(table_kind(abridged)) + ": mx of the open group " + row_label(t, n - 1) + " (row " +
                     std::to_string(n - 1) + ") is " + fmt(mx[n - 1]) +
                     "; expected a rate > 0 to close the table (L = l / m)");
  if (!std::isfinite(method.radix) || !(method.radix > 0.0))
    throw InputError(std::string(table_kind(abridged)) + ": radix is " + fmt(method.radix) + "; expected a number > 0");
  // The open group's L = l / m: a rate above 0 but so small (1e-320, a subnormal a zone factor or a drift can give)
  // that l0 / m passes 1e300 leaves L, T and e0 infinite, refused later without the zone and year. The bound keeps T
  // (L summed with at most 131 other rows of at most l0 each) finite.
  if (!(method.radix / mx[n - 1] <= 1e300))
    throw InputError(std::string(table_kind(abridged)) + ": mx of the open group " + row_label(t, n - 1) + " (row " +
                     std::to_string(n - 1) + ") is " + fmt(mx[n - 1]) +
                     ", so small that its person-years L = l / m overflow; expected a rate of at least " +
                     fmt(method.radix * 1e-300) + " (the radix " + fmt(method.radix) + " / 1e300)");
  if (method.infant_mortality_q0) {
    const double q0 = *method.infant_mortality_q0;
    if (!std::isfinite(q0) || q0 < 0.0 || q0 >= 1.0)
      throw InputError(std::string(table_kind(abridged)) + ": infant mortality rate (1q0 at age 0) is " + fmt(q0) +
                       "; expected a probability in [0, 1)");
  }
}

// Resizes every column of `out` to `rows` (reusing capacity) and copies mx.
void prepare(LifeTable& out, std::span<const double> mx) {
  const std::size_t rows = mx.size();
  out.age.resize(rows);
  out.width.resize(rows);
  if (out.mx.data() != mx.data()) out.mx.assign(mx.begin(), mx.end());  // mx may be out.mx itself (rebuild in place)
  out.ax.resize(rows);
  out.qx.resize(rows);
  out.lx.resize(rows);
  out.dx.resize(rows);
  out.Lx.resize(rows);
  out.Tx.resize(rows);
  out.ex.resize(rows);
}

// complete_table's loops that vectorise, their arrays as __restrict parameters: with block-local __restrict pointers
// GCC 12 checked the arrays' overlap at run time before each loop (≈ 25–45 instructions a loop and table, as much as
// the loops themselves on the 22 rows of a five-year step's tables).
// q_from_m's common branch on the closed rows 1 … w − 1; returns 1 where a q > 1 needs its fallback, else 0.
[[gnu::always_inline]] inline double q_rows(const double* __restrict n, const double* __restrict m,
                                            const double* __restrict a, double* __restrict q, std::size_t w) {
  double over = 0.0;  // a flag set by select (vectorises)
  for (std::size_t i = 1; i < w; ++i) {
    q[i] = n[i] * m[i] / (1.0 + (n[i] - a[i]) * m[i]);
    over = q[i] > 1.0 ? 1.0 : over;
  }
  return over;
}
// ndx = l_x − l_{x+n}; nLx = n l_{x+n} + nax ndx on rows 0 … w − 1.
[[gnu::always_inline]] inline void d_and_L_rows(const double* __restrict l, const double* __restrict n,
                                                const double* __restrict a, double* __restrict d, double* __restrict L,
                                                std::size_t w) {
  for (std::size_t i = 0; i < w; ++i) {
    d[i] = l[i] - l[i + 1];
    L[i] = n[i] * l[i + 1] + a[i] * d[i];
  }
}
// ex = Tx / lx, 0 where nobody is left (lx = 0): every row divided (by 3 there: a divisor GCC cannot fold away), then
// 0 there, two loops that vectorise (with l > 0 ? T / l : 0 in one, or a divisor of 1, GCC 12 moves the division into
// a branch a row).
[[gnu::always_inline]] inline void e_rows(const double* __restrict T, const double* __restrict l, double* __restrict e,
                                          std::size_t rows) {
  for (std::size_t k = 0; k < rows; ++k) e[k] = T[k] / (l[k] > 0.0 ? l[k] : 3.0);
  for (std::size_t k = 0; k < rows; ++k) e[k] = l[k] > 0.0 ? e[k] : 0.0;
}

// Given age, width, mx and ax (ax[0] = a0; closed rows filled), computes qx, lx, dx, Lx, Tx, ex.
// The loops are split so that only the two recurrences (l and T) are serial; the rest vectorises (the same operations
// per row in the same order as one loop per row).
COHORTGIS_KERNEL void complete_table(LifeTable& t, const LifeTableMethod& method) {
  const std::size_t rows = t.rows();
  const std::size_t w = rows - 1;

  // Infant row. A given IMR replaces 1q0 (PAS LTPOPDTH) and 1M0 is reset to q0 / (1 − (1 − a0) q0)
  // (DemoTools lt_abridged: "make sure M0 agrees with q0 and a0").
  if (method.infant_mortality_q0) {
    const double q0 = *method.infant_mortality_q0;
    t.qx[0] = q0;
    t.mx[0] = q0 / (1.0 - (1.0 - t.ax[0]) * q0);
  } else {
    q_from_m(t.width[0], t.mx[0], t.ax[0], t.qx[0]);
  }
  if (q_rows(t.width.data(), t.mx.data(), t.ax.data(), t.qx.data(), w) != 0.0)
    for (std::size_t i = 1; i < w; ++i)
      if (t.qx[i] > 1.0) q_from_m(t.width[i], t.mx[i], t.ax[i], t.qx[i]);  // recomputes q, then the fallback

  // Open group: q = 1, L_w = l_w / m_w, a_w = 1 / m_w (UN 1982; MORTPAK; PAS LTPOPDTH).
  t.qx[w] = 1.0;
  t.ax[w] = 1.0 / t.mx[w];

  // l_{x+n} = l_x (1 − nqx); ndx = l_x − l_{x+n}; nLx = n l_{x+n} + nax ndx.
  t.lx[0] = method.radix;
  {
    double* __restrict l = t.lx.data();
    const double* __restrict q = t.qx.data();
    for (std::size_t i = 0; i < w; ++i) l[i + 1] = l[i] * (1.0 - q[i]);
  }
  d_and_L_rows(t.lx.data(), t.width.data(), t.ax.data(), t.dx.data(), t.Lx.data(), w);
  t.dx[w] = t.lx[w];
  t.Lx[w] = t.lx[w] / t.mx[w];

  // Tx = sum of Lx from x up; ex = Tx / lx (0 where nobody is left, lx = 0).
  double T = 0.0;
  for (std::size_t k = rows; k-- > 0;) {
    T += t.Lx[k];
    t.Tx[k] = T;
  }
  e_rows(t.Tx.data(), t.lx.data(), t.ex.data(), rows);
}

}  // namespace

std::size_t LifeTable::row_of_age(double x) const {
  for (std::size_t i = 0; i < age.size(); ++i)
    if (age[i] == x) return i;
  throw InputError("life table has no row starting at age " + fmt(x) + " (rows start at ages " +
                   (age.empty() ? std::string("none") : fmt(age.front()) + " ... " + fmt(age.back())) + ")");
}

double infant_a0(A0Rule rule, Sex sex, CoaleDemenyRegion region, double m0, std::optional<double> q0) {
  const auto bad_m0 = [&] {
    return InputError("infant a0: infant death rate m0 (age 0) is " + fmt(m0) + "; expected a finite rate >= 0");
  };
  if (q0 && (!std::isfinite(*q0) || *q0 < 0.0 || *q0 > 1.0))
    throw InputError("infant a0: infant mortality q0 (age 0) is " + fmt(*q0) + "; expected a probability in [0, 1]");
  const std::size_t s = sex_index(sex);
  const std::size_t r = region_index(region);
  switch (rule) {
    case A0Rule::coale_demeny: {
      // UN (1983) Manual X Table 164 / PAS: driven by q0; q0 from M0 by the smaller root when not given.
      if (q0) return cd_a0_from_q0(r, s, *q0);
      if (!std::isfinite(m0) || m0 < 0.0) throw bad_m0();
      return cd_a0_from_q0(r, s, cd_q0_from_m0(r, s, m0));
    }
    case A0Rule::andreev_kingkade: {
      // Andreev & Kingkade (2015): the m0 version whenever m0 is known (DemoTools), the q0 version otherwise.
      if (std::isfinite(m0) && m0 >= 0.0) return detail::ak_a0_from_m0(sex, m0);
      if (q0 && std::isnan(m0)) return ak_a0_from_q0(sex, *q0);
      throw bad_m0();
    }
  }
  throw InputError("infant a0: unknown a0 rule");
}

namespace {
// std::fmax(m, DBL_MIN) of a validated rate (finite, ≥ 0): the same value without fmax's NaN rules (a call into libm).
inline double above_min(double m) { return m > DBL_MIN ? m : DBL_MIN; }

// Greville nax of the closed rows first … w − 1 (first ≥ 2, first < w; rows from 5–9 are 5 years wide, 1–4 before
// them; the open group's neighbour takes n). UN (1982) p. 31, Greville (1977); general widths as in DemoTools
// lt_id_morq_a_greville:
//   nax = n/2 − (n²/12)(m_x − k_x),  k_x = ln(m_next / m_prev) / (n_prev/2 + n + n_next/2),
// the divisor 9.5 at 5–9, else 10. m_next of the last closed row w − 1 is `m_above_last`: the open rate m[w] of the
// grid's own table, or the given table's rate of the group starting at w when it went on past the grid's open age
// (build_abridged_life_table_closed_above: DemoTools' lt_abridged(OAnew = w) builds the whole table before cutting
// at w). Each row's operations as one loop per row made them, in three passes: the ratios (vectorised), their logs
// (glibc's scalar log, one call each in a tight loop), nax and the guard's flag (vectorised); `g` holds the ratios,
// then the logs. The widths as constants: GCC folds n²/12 and the divisors as the loop computed them.
[[gnu::always_inline]] inline void greville_rows(const double* __restrict m, std::size_t first, std::size_t w,
                                                 double m_above_last, double* __restrict a, double* __restrict g) {
  constexpr double n = 5.0;
  for (std::size_t i = first; i < w; ++i) g[i] = above_min(m[i + 1]) / above_min(m[i - 1]);
  g[w - 1] = above_min(m_above_last) / above_min(m[w - 2]);  // the same quotient where m_above_last is m[w]
  for (std::size_t i = first; i < w; ++i) g[i] = std::log(g[i]);
  std::size_t i = first;
  double bad = 0.0;  // a flag set by select (vectorises)
  if (i == 2) {      // 5–9 under mod: the 1–4 group below, 4 years wide
    a[2] = 0.5 * n - (n * n / 12.0) * (m[2] - g[2] / (0.5 * 4.0 + n + 0.5 * n));
    bad = detail::greville_kept(2, a[2]) ? bad : 1.0;
    ++i;
  }
  for (; i < w; ++i) {
    a[i] = 0.5 * n - (n * n / 12.0) * (m[i] - g[i] / (0.5 * n + n + 0.5 * n));
    bad = ((a[i] >= 0.4 * n) & (a[i] <= 0.6 * n)) ? bad : 1.0;
  }
  if (bad != 0.0)
    for (i = first; i < w; ++i)
      if (!detail::greville_kept(i, a[i])) a[i] = detail::greville_replacement(i, a[i], m[i]);
}

// a0 by the method's rule (q0 = IMR when given; the default rule's value for a rate m0 checked finite and ≥ 0) and
// 4a1, Coale–Demeny with PAS LTPOPDTH coefficients, driven by q0 = IMR or, without IMR, by q0 = M0 / (1 + (1 − a0) M0)
// with the Andreev–Kingkade a0 whatever the a0 rule (DemoTools lt_rule_4a1_cd).
[[gnu::always_inline]] inline void a0_and_4a1(double m0, Sex sex, const LifeTableMethod& method, double& a0,
                                              double& a1) {
  const double a0_ak = detail::ak_a0_from_m0(sex, m0);
  a0 = method.a0_rule == A0Rule::andreev_kingkade
           ? a0_ak
           : infant_a0(method.a0_rule, sex, method.region, m0, method.infant_mortality_q0);
  const double q0_for_4a1 = method.infant_mortality_q0 ? *method.infant_mortality_q0 : m0 / (1.0 + (1.0 - a0_ak) * m0);
  a1 = cd_4a1(region_index(method.region), sex_index(sex), q0_for_4a1);
}

// nax of an abridged table's rows 0 … w − 1 (w = rows − 1 ≥ 3) from validated rates: a0 by the method's rule, 4a1
// (Coale–Demeny), then the midpoint 2.5 or Greville (greville_rows with m_above_last, the last closed row's upper
// neighbour; `g` its scratch of `rows` doubles).
[[gnu::always_inline]] inline void abridged_ax(const double* m, std::size_t rows, double m_above_last, Sex sex,
                                               const LifeTableMethod& method, double* __restrict a,
                                               double* __restrict g) {
  const std::size_t w = rows - 1;
  a0_and_4a1(m[0], sex, method, a[0], a[1]);
  // Closed rows from age 5: the midpoint (PAS LTPOPDTH; UN (1982) p. 31 for 5–9 and 10–14) or Greville (from 15–19,
  // or from 5–9 under mod).
  const std::size_t first = method.ax_method != AxMethod::greville ? w : method.greville_from_age_5 ? 2 : 4;
  for (std::size_t i = 2; i < std::min(first, w); ++i) a[i] = 0.5 * 5.0;
  if (first < w) greville_rows(m, first, w, m_above_last, a, g);
}

// build_abridged_life_table with m_above_last as the last closed group's Greville m_next (greville_rows), validated
// here when it is not the open rate itself.
void build_abridged_table(std::span<const double> mx, double m_above_last, Sex sex, const LifeTableMethod& method,
                          LifeTable& out);
}  // namespace

namespace detail {
void abridged_a0_and_4a1(double m0, Sex sex, const LifeTableMethod& method, double& a0, double& a1) {
  a0_and_4a1(m0, sex, method, a0, a1);
}
}  // namespace detail

void build_abridged_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method, LifeTable& out) {
  build_abridged_table(mx, mx.empty() ? 0.0 : mx.back(), sex, method, out);
}

namespace {
void build_abridged_table(std::span<const double> mx, double m_above_last, Sex sex, const LifeTableMethod& method,
                          LifeTable& out) {
  const std::size_t rows = mx.size();
  if (rows < 4)
    throw InputError("abridged life table: " + std::to_string(rows) +
                     " mx rows given; expected at least 4 (ages 0, 1-4, 5-9, open 10+)");
  prepare(out, mx);
  const std::size_t w = rows - 1;
  // Standard abridged rows 0, 1–4, 5–9, …; the open row has width 0.
  out.age[0] = 0.0;
  out.width[0] = 1.0;
  out.age[1] = 1.0;
  out.width[1] = 4.0;
  for (std::size_t i = 2; i < rows; ++i) {
    out.age[i] = 5.0 * static_cast<double>(i - 1);
    out.width[i] = 5.0;
  }
  out.width[w] = 0.0;
  validate_inputs(mx, method, out, true);
  if (!std::isfinite(m_above_last) || m_above_last < 0.0)
    throw InputError("abridged life table: the rate of the group above the open age is " + fmt(m_above_last) +
                     "; expected a finite rate >= 0");
  // dx: scratch until complete_table
  abridged_ax(mx.data(), rows, m_above_last, sex, method, out.ax.data(), out.dx.data());
  complete_table(out, method);
}
}  // namespace

namespace detail {
// build_abridged_life_table + complete_table + survival_ratios (five-year grid, abridged layout) + ex of rows 0 and 14,
// the same operations per value in the same order, keeping only a, q, l and L (the step's other columns unused).
COHORTGIS_KERNEL bool abridged_step_mortality(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                              int open_index, LifeTable& scratch, std::span<double> S, double& e0,
                                              double& e65) {
  const std::size_t rows = mx.size();
  const auto& q0_given = method.infant_mortality_q0;
  // Rows 0, 1–4, 5–9, …: S's open age is the table's open row less one (5L0 takes two rows); row 14 is age 65.
  if (rows <= 14 || (!S.empty() && (open_index < 2 || rows != uz(open_index) + 2 || S.size() != rows - 1)) ||
      !detail::all_within(mx.data(), rows, 0.0, DBL_MAX) || !(mx[rows - 1] > 0.0) || !detail::fast_path_method(method))
    return false;
  const std::size_t w = rows - 1;
  scratch.ax.resize(rows);
  scratch.qx.resize(rows);
  scratch.lx.resize(rows);
  scratch.Lx.resize(rows);
  scratch.Tx.resize(rows);
  double* __restrict a = scratch.ax.data();
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict L = scratch.Lx.data();
  const double* m = mx.data();
  abridged_ax(m, rows, m[w], sex, method, a, scratch.Tx.data());
  // complete_table: q (a given IMR replaces 1q0; q_from_m's common branch, its fallback where q > 1), l from the radix,
  // nLx = n l_{x+n} + nax ndx (ndx = l_x − l_{x+n}), L_w = l_w / m_w (the last read of mx: S may overwrite it).
  if (q0_given)
    q[0] = *q0_given;
  else
    q_from_m(1.0, m[0], a[0], q[0]);
  q[1] = 4.0 * m[1] / (1.0 + (4.0 - a[1]) * m[1]);
  double over = q[1] > 1.0 ? 1.0 : 0.0;  // a flag set by select (vectorises)
  for (std::size_t i = 2; i < w; ++i) {
    q[i] = 5.0 * m[i] / (1.0 + (5.0 - a[i]) * m[i]);
    over = q[i] > 1.0 ? 1.0 : over;
  }
  if (over != 0.0)
    for (std::size_t i = 1; i < w; ++i)
      if (q[i] > 1.0) q_from_m(i == 1 ? 4.0 : 5.0, m[i], a[i], q[i]);  // recomputes q, then the fallback
  l[0] = method.radix;
  for (std::size_t i = 0; i < w; ++i) l[i + 1] = l[i] * (1.0 - q[i]);
  L[0] = 1.0 * l[1] + a[0] * (l[0] - l[1]);
  L[1] = 4.0 * l[2] + a[1] * (l[1] - l[2]);
  for (std::size_t i = 2; i < w; ++i) L[i] = 5.0 * l[i + 1] + a[i] * (l[i] - l[i + 1]);
  L[w] = l[w] / m[w];
  if (!S.empty()) {  // survival_ratios refuses L ≤ 0 or not finite (a flag set by select: vectorises)
    double bad = 0.0;
    for (std::size_t i = 0; i < rows; ++i) bad = ((L[i] > 0.0) & (L[i] <= DBL_MAX)) ? bad : 1.0;
    if (bad != 0.0) return false;
  }
  // Tx = sum of Lx from the open row down; e_x = T_x / l_x (0 where l_x = 0) at rows 0 and 14.
  double T = 0.0;
  for (std::size_t k = w; k > 14; --k) T += L[k];
  T += L[14];
  const double T65 = T;
  for (std::size_t k = 14; k-- > 0;) T += L[k];
  // A1, five-year step from abridged rows: S_0 = 5L0 / (5 l0) with 5L0 = 1L0 + 4L1, S_1 = L(5–9) / 5L0, each group's
  // L over the one before, S_w = T_w / (L_{w−1} + T_w) with T_w = L of the open row.
  if (!S.empty()) {
    const std::size_t wg = uz(open_index);
    const double L0_5 = L[0] + L[1];
    S[0] = L0_5 / (5.0 * l[0]);
    S[1] = L[2] / L0_5;
    double* __restrict out = S.data();
    const double* __restrict Lg = L + 1;
    for (std::size_t i = 2; i < wg; ++i) out[i] = Lg[i] / Lg[i - 1];
    S[wg] = L[w] / (L[wg] + L[w]);
  }
  e0 = l[0] > 0.0 ? T / l[0] : 0.0;
  e65 = l[14] > 0.0 ? T65 / l[14] : 0.0;
  return true;
}
}  // namespace detail

void build_single_year_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method, LifeTable& out) {
  const std::size_t rows = mx.size();
  if (rows < 3)
    throw InputError("single-year life table: " + std::to_string(rows) +
                     " mx rows given; expected at least 3 (ages 0, 1, open 2+)");
  prepare(out, mx);
  const std::size_t w = rows - 1;
  for (std::size_t i = 0; i < rows; ++i) {
    out.age[i] = static_cast<double>(i);
    out.width[i] = 1.0;
  }
  out.width[w] = 0.0;
  validate_inputs(mx, method, out, false);

  // a0 by the method's rule; ax = 0.5 for ages 1 … w−1 (design note ccmpp.md A1).
  out.ax[0] = infant_a0(method.a0_rule, sex, method.region, mx[0], method.infant_mortality_q0);
  for (std::size_t i = 1; i < w; ++i) out.ax[i] = 0.5;

  complete_table(out, method);
}

// complete_table's operations for the single-year rows up to l: a0 by the method's rule (a given IMR replaces 1q0;
// mx[0] is not read again), ax = 0.5 and q from m below the open row w (q_from_m's common branch with n = 1; rows
// where q would pass 1 take its constant-hazard q, ax kept), l from the radix. Inlined into each caller's clones.
[[gnu::always_inline]] inline void single_year_a_q_l(const double* m, std::size_t w, Sex sex,
                                                     const LifeTableMethod& method, double* __restrict a,
                                                     double* __restrict q, double* __restrict l) {
  const auto& q0_given = method.infant_mortality_q0;
  a[0] = infant_a0(method.a0_rule, sex, method.region, m[0], q0_given);
  if (q0_given)
    q[0] = *q0_given;
  else
    q_from_m(1.0, m[0], a[0], q[0]);
  double over = 0.0;
  for (std::size_t i = 1; i < w; ++i) {
    a[i] = 0.5;
    q[i] = 1.0 * m[i] / (1.0 + (1.0 - a[i]) * m[i]);
    over = q[i] > 1.0 ? 1.0 : over;
  }
  if (over != 0.0)
    for (std::size_t i = 1; i < w; ++i)
      if (q[i] > 1.0) q_from_m(1.0, m[i], a[i], q[i]);
  l[0] = method.radix;
  for (std::size_t i = 0; i < w; ++i) l[i + 1] = l[i] * (1.0 - q[i]);
}

// complete_table's operations for the single-year rows (n = 1 below the open row, ax = 0.5 except a0), keeping only
// l and the running T: e_x = T_x / l_x at x = 0 and 65.
// Uses scratch.qx, .lx, .ax as buffers.
COHORTGIS_KERNEL void single_year_e0_e65(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                         LifeTable& scratch, double& e0, double& e65) {
  const std::size_t rows = mx.size();
  if (rows < 3 || !detail::all_within(mx.data(), rows, 0.0, DBL_MAX) || !(mx[rows - 1] > 0.0) ||
      !detail::fast_path_method(method)) {
    build_single_year_life_table(mx, sex, method, scratch);  // throws what the table throws
    e0 = scratch.ex[0];
    e65 = rows > 65 ? scratch.ex[65] : std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const std::size_t w = rows - 1;
  scratch.qx.resize(rows);
  scratch.lx.resize(rows);
  scratch.ax.resize(rows);
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict a = scratch.ax.data();
  const double* m = mx.data();
  single_year_a_q_l(m, w, sex, method, a, q, l);
  // T from the open row down: L_w = l_w / m_w, then nLx = n l_{x+n} + nax ndx, ndx = l_x − l_{x+n}.
  double T = l[w] / m[w];
  e65 = std::numeric_limits<double>::quiet_NaN();
  if (w == 65) e65 = l[w] > 0.0 ? T / l[w] : 0.0;
  for (std::size_t k = w; k-- > 0;) {
    const double d = l[k] - l[k + 1];
    T += 1.0 * l[k + 1] + a[k] * d;
    if (k == 65) e65 = l[k] > 0.0 ? T / l[k] : 0.0;
  }
  e0 = l[0] > 0.0 ? T / l[0] : 0.0;
}

namespace {
// single_year_e0_e65 of the female and the male table together: the same operations on each sex's numbers in the
// same order, the two serial recurrences (l, then T) interleaved so that each hides the other's latency and the
// loops are run once. A table that needs the checks' slow path (or tables of different lengths) goes alone.
COHORTGIS_KERNEL void e0_e65_both(std::span<const double> mx_f, std::span<const double> mx_m,
                                  const LifeTableMethod& method, LifeTable& scratch, double (&e0)[2], double (&e65)[2],
                                  bool rates_checked) {
  const std::size_t rows = mx_f.size();
  const auto& q0_given = method.infant_mortality_q0;
  auto fast = [&](std::span<const double> mx) {
    return mx.size() >= 3 &&
           (rates_checked || (detail::all_within(mx.data(), mx.size(), 0.0, DBL_MAX) && mx[mx.size() - 1] > 0.0));
  };
  if (mx_m.size() != rows || !fast(mx_f) || !fast(mx_m) || !detail::fast_path_method(method)) {
    single_year_e0_e65(mx_f, Sex::female, method, scratch, e0[0], e65[0]);
    single_year_e0_e65(mx_m, Sex::male, method, scratch, e0[1], e65[1]);
    return;
  }
  // The two tables interleaved by row ([row][sex]: female, male), so that each step of a recurrence is one operation on
  // a pair of doubles, a lane per sex: each lane sees its sex's operations in the same order (the same bits), in half
  // the instructions of two scalar chains (2.8 M instructions a year at 1,000 zones, a third of them the chains).
  using Pair = double __attribute__((vector_size(16)));
  const auto load = [](const double* p) {
    Pair v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  const auto put = [](double* p, Pair v) { std::memcpy(p, &v, sizeof v); };
  const std::size_t w = rows - 1;
  scratch.qx.resize(2 * rows);
  scratch.lx.resize(2 * rows);
  scratch.ax.resize(2 * rows);
  scratch.Lx.resize(2 * rows);
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict a = scratch.ax.data();
  double* __restrict t = scratch.Lx.data();
  const double* __restrict f = mx_f.data();
  const double* __restrict m = mx_m.data();
  a[0] = infant_a0(method.a0_rule, Sex::female, method.region, f[0], q0_given);
  a[1] = infant_a0(method.a0_rule, Sex::male, method.region, m[0], q0_given);
  if (q0_given) {
    q[0] = *q0_given;
    q[1] = *q0_given;
  } else {
    q_from_m(1.0, f[0], a[0], q[0]);
    q_from_m(1.0, m[0], a[1], q[1]);
  }
  // q_from_m, its common branch, with n = 1 and a = 0.5: element-wise. The a of rows 1 … w−1 (0.5: the fallback keeps
  // them) are stored only where a row takes the fallback (below); otherwise the T terms use 0.5 itself.
  double over = 0.0;
  for (std::size_t i = 1; i < w; ++i) {
    const double qf = 1.0 * f[i] / (1.0 + (1.0 - 0.5) * f[i]), qm = 1.0 * m[i] / (1.0 + (1.0 - 0.5) * m[i]);
    q[2 * i] = qf;
    q[2 * i + 1] = qm;
    over = qf > 1.0 || qm > 1.0 ? 1.0 : over;
  }
  if (over != 0.0)
    for (std::size_t i = 1; i < w; ++i) {
      a[2 * i] = 0.5;
      a[2 * i + 1] = 0.5;
      if (q[2 * i] > 1.0) q_from_m(1.0, f[i], a[2 * i], q[2 * i]);
      if (q[2 * i + 1] > 1.0) q_from_m(1.0, m[i], a[2 * i + 1], q[2 * i + 1]);
    }
  // The recurrences carry l of the row before (or after) in registers instead of reading back what they stored.
  const Pair one = {1.0, 1.0};
  Pair c = {method.radix, method.radix};
  put(l, c);
#pragma GCC unroll 4
  for (std::size_t i = 0; i < w; ++i) {
    c = c * (one - load(q + 2 * i));
    put(l + 2 * (i + 1), c);
  }
  Pair T = {l[2 * w] / f[w], l[2 * w + 1] / m[w]};
  e65[0] = e65[1] = std::numeric_limits<double>::quiet_NaN();
  if (w == 65) {
    e65[0] = l[2 * w] > 0.0 ? T[0] / l[2 * w] : 0.0;
    e65[1] = l[2 * w + 1] > 0.0 ? T[1] / l[2 * w + 1] : 0.0;
  }
  // Each row's term of T, 1·l_{k+1} + a_k (l_k − l_{k+1}), depends on no other term: made element-wise in a vectorised
  // pass (the same three operations per row and sex), so that the serial part is only the sum, one addition per row.
  if (over != 0.0) {
    for (std::size_t j = 0; j < 2 * w; ++j) t[j] = 1.0 * l[j + 2] + a[j] * (l[j] - l[j + 2]);
  } else {
    for (std::size_t j = 0; j < 2; ++j) t[j] = 1.0 * l[j + 2] + a[j] * (l[j] - l[j + 2]);
    for (std::size_t j = 2; j < 2 * w; ++j) t[j] = 1.0 * l[j + 2] + 0.5 * (l[j] - l[j + 2]);
  }
  std::size_t k = w;
  if (w > 65) {  // the rows above 65, then 65 and its e65, then the rest: no test of k in the loops
#pragma GCC unroll 4
    for (; k > 66; --k) T += load(t + 2 * (k - 1));
    T += load(t + 2 * 65);
    e65[0] = l[2 * 65] > 0.0 ? T[0] / l[2 * 65] : 0.0;
    e65[1] = l[2 * 65 + 1] > 0.0 ? T[1] / l[2 * 65 + 1] : 0.0;
    k = 65;
  }
#pragma GCC unroll 4
  for (; k > 0; --k) T += load(t + 2 * (k - 1));
  e0[0] = l[0] > 0.0 ? T[0] / l[0] : 0.0;
  e0[1] = l[1] > 0.0 ? T[1] / l[1] : 0.0;
}
}  // namespace

void single_year_e0_e65_both(std::span<const double> mx_f, std::span<const double> mx_m, const LifeTableMethod& method,
                             LifeTable& scratch, double (&e0)[2], double (&e65)[2]) {
  e0_e65_both(mx_f, mx_m, method, scratch, e0, e65, false);
}

namespace detail {
void single_year_e0_e65_both_checked(std::span<const double> mx_f, std::span<const double> mx_m,
                                     const LifeTableMethod& method, LifeTable& scratch, double (&e0)[2],
                                     double (&e65)[2]) {
  e0_e65_both(mx_f, mx_m, method, scratch, e0, e65, true);
}
}  // namespace detail

// complete_table's operations for the single-year rows (n = 1 below the open row, ax = 0.5 except a0), keeping l and
// L; then survival_ratios (A1) and age_period_death_split (A4) on them. T at the grid's open age is the running T from
// the top, the sum of person_years_above in the same order. Uses scratch.qx, .lx, .ax, .Lx, .Tx as buffers.
COHORTGIS_KERNEL bool single_year_step_mortality(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                                 int open_age, LifeTable& scratch, std::span<double> S,
                                                 std::span<double> phi, double& e0, double& e65) {
  const std::size_t rows = mx.size();
  if (open_age < 2) return false;
  const std::size_t wg = uz(open_age);
  if (rows < 3 || rows < wg + 1 || S.size() != wg + 1 || (!phi.empty() && phi.size() != wg) ||
      !detail::all_within(mx.data(), rows, 0.0, DBL_MAX) || !(mx[rows - 1] > 0.0) || !detail::fast_path_method(method))
    return false;
  const std::size_t w = rows - 1;
  scratch.qx.resize(rows);
  scratch.lx.resize(rows);
  scratch.ax.resize(rows);
  scratch.Lx.resize(rows);
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict a = scratch.ax.data();
  double* __restrict L = scratch.Lx.data();
  const double* m = mx.data();
  single_year_a_q_l(m, w, sex, method, a, q, l);
  // nLx = n l_{x+n} + nax ndx, ndx = l_x − l_{x+n}; L_w = l_w / m_w. The last read of mx (S may overwrite it).
  double bad = 0.0;  // survival_ratios refuses L ≤ 0 or not finite (a flag set by select: vectorises)
  for (std::size_t i = 0; i < w; ++i) {
    L[i] = 1.0 * l[i + 1] + a[i] * (l[i] - l[i + 1]);
    bad = ((L[i] > 0.0) & (L[i] <= DBL_MAX)) ? bad : 1.0;
  }
  L[w] = l[w] / m[w];
  if (bad != 0.0 || !(L[w] > 0.0) || !(L[w] <= DBL_MAX)) return false;
  // T from the open row down (complete_table; person_years_above at the grid's open age), kept by row: a store
  // costs less than two tests per row in the serial loop.
  scratch.Tx.resize(rows);
  double* __restrict Tx = scratch.Tx.data();
  double T = 0.0;
  for (std::size_t k = rows; k-- > 0;) {
    T += L[k];
    Tx[k] = T;
  }
  const double Tw = Tx[wg], T65 = rows > 65 ? Tx[65] : 0.0;
  // A1: S_0 = L_0 / l_0, S_x = L_x / L_{x−1}, S_w = T_w / (L_{w−1} + T_w).
  S[0] = L[0] / l[0];
  for (std::size_t i = 1; i < wg; ++i) S[i] = L[i] / L[i - 1];
  S[wg] = Tw / (L[wg - 1] + Tw);
  // A4: φ_x = (L_x − l_{x+1}) / (L_x − L_{x+1}), φ_{w−1} = (L_{w−1} − l_w) / L_{w−1}; 0/0 is 1. (The divisor is
  // made safe before dividing, so the division needs no branch and vectorises.)
  if (!phi.empty()) {
    double* __restrict f = phi.data();
    for (std::size_t i = 0; i + 1 < wg; ++i) {
      const double num = L[i] - l[i + 1], den = L[i] - L[i + 1];
      const bool both_zero = (num == 0.0) & (den == 0.0);
      const double r = num / (both_zero ? 1.0 : den);
      f[i] = both_zero ? 1.0 : r;
    }
    const double num = L[wg - 1] - l[wg], den = L[wg - 1];
    f[wg - 1] = (num == 0.0 && den == 0.0) ? 1.0 : num / den;
  }
  e0 = l[0] > 0.0 ? T / l[0] : 0.0;
  if (rows > 65) e65 = l[65] > 0.0 ? T65 / l[65] : 0.0;
  return true;
}

void build_abridged_life_table_closed_above(std::span<const double> mx, double next_mx, Sex sex,
                                            const LifeTableMethod& method, LifeTable& out) {
  // The last closed group's Greville nax takes the given table's own next rate as its upper neighbour (greville_rows).
  build_abridged_table(mx, std::isnan(next_mx) ? (mx.empty() ? 0.0 : mx.back()) : next_mx, sex, method, out);
}

LifeTable abridged_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method) {
  LifeTable t;
  build_abridged_life_table(mx, sex, method, t);
  return t;
}

LifeTable single_year_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method) {
  LifeTable t;
  build_single_year_life_table(mx, sex, method, t);
  return t;
}

}  // namespace cohortgis
