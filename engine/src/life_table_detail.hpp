// SPDX-License-Identifier: Apache-2.0
// Life-table passes for callers inside the engine (private to engine/src).
#pragma once

#include <cfloat>
#include <cmath>
#include <span>

#include "cohortgis/engine/life_table.hpp"

namespace cohortgis::detail {

// Constant-hazard nax = n + 1/m − n/(1 − e^(−n m)) (DemoTools axConst in lt_id_morq_a_greville).
// For small n·m the closed form cancels badly; its series n/2 − n²m/12 is used instead (next term n⁴m³/720).
inline double constant_hazard_ax(double n, double m) {
  const double x = n * m;
  if (x < 1e-4) return 0.5 * n - n * x / 12.0;
  return n + 1.0 / m + n / std::expm1(-x);
}

// Andreev & Kingkade (2015), m0-based segments (DemoTools lt_rule_ak_m0_a0) of each sex [female, male]: a0 = c1 −
// s1·m0 below b1, c2 + s2·m0 below b2, c3 above (the pooled tables' lanes take them all at once).
struct AkA0Segments {
  double b1, c1, s1, b2, c2, s2, c3;
};
inline constexpr AkA0Segments kAkA0[2] = {{0.01724, 0.14903, 2.05527, 0.06891, 0.04667, 3.88089, 0.31411},
                                          {0.0230, 0.14929, 1.99545, 0.08307, 0.02832, 3.26021, 0.29915}};

// infant_a0's default rule where m0 is finite and ≥ 0 (inline: the lanes of the step's tables call it for each lane).
inline double ak_a0_from_m0(Sex sex, double m0) {
  // A branch per sex, each with its constants folded in (a load of them by the sex's index cost the step's lanes
  // ≈ 9 instructions a table).
  const auto by = [m0](const AkA0Segments& k) __attribute__((always_inline)) {
    if (m0 < k.b1) return k.c1 - k.s1 * m0;
    if (m0 < k.b2) return k.c2 + k.s2 * m0;
    return k.c3;
  };
  return sex == Sex::male ? by(kAkA0[1]) : by(kAkA0[0]);
}

// Probability of dying from the rate: nqx = n m / (1 + (n − a) m) (Chiang; UN 1982 p. 31).
// If that exceeds 1 (a·m > 1), nqx = 1 − e^(−n m), the constant-hazard value, and the row keeps its nax, as DemoTools'
// lt_id_ma_q (R/lt_id.R: `qx[ind] <- 1 - exp(-nMx[ind] * AgeInt[ind])`, nax untouched), which lt_abridged and
// lt_single_mx both call: the row's nLx = n l(x+n) + nax ndx is then not ndx / m. `a` is not written.
inline void q_from_m(double n, double m, double a, double& q) {
  q = n * m / (1.0 + (n - a) * m);
  if (q > 1.0) q = -std::expm1(-n * m);
}

// single_year_e0_e65_both for rates the caller has already checked: every rate of both sexes within [0, DBL_MAX]
// and the last one > 0 (the pooled rates of indicators.cpp are checked as they are made), so the pass that checks
// them again is skipped. The same bits as single_year_e0_e65_both for such rates.
void single_year_e0_e65_both_checked(std::span<const double> mx_f, std::span<const double> mx_m,
                                     const LifeTableMethod& method, LifeTable& scratch, double (&e0)[2],
                                     double (&e65)[2]);

// One table of single_year_step_mortality_lanes: its rates, sex, outputs (S of open_age + 1 rows, φ of open_age rows
// or empty) and where its e0 and e65 go.
struct StepMortalityLane {
  std::span<const double> mx;
  Sex sex;
  std::span<double> S, phi;
  double* e0;
  double* e65;
};

// single_year_step_mortality of 2 or 4 tables at once (a state's female and male tables, or two states'): the same
// operations on each table's numbers in the same order (the same bits), the tables interleaved by row so that each
// step of the serial recurrences (l from the radix, T from the open row) is one vector operation with a lane per
// table. The rates are checked finite and ≥ 0 in the pass that reads them. Returns false, having written no output,
// when a table needs the one-table path (a bad rate, anything single_year_step_mortality refuses, tables of different
// lengths, a lane count other than 2 or 4): the caller then takes that path per table, which reports the error.
bool single_year_step_mortality_lanes(std::span<const StepMortalityLane> lanes, const LifeTableMethod& method,
                                      int open_age, LifeTable& scratch);

// For a five-year step from abridged death rates (rows 0, 1–4, 5–9, …, open: open_index + 2 rows, more than 14): the
// survival ratios S[0..open_index] of the five-year grid (design note A1; not computed when S is empty, and then any
// row count above 14), e0 and e65 (rows 0 and 14), with the operations of build_abridged_life_table + survival_ratios
// + the table's ex in the same order (so the same bits), without the table's other columns. Returns false, having
// written none of S, e0, e65, when an input or the table's person-years would be refused, or the rows do not fit: the
// caller then builds the full table (its error). S may be the mx row itself. `scratch` is reused from call to call.
bool abridged_step_mortality(std::span<const double> mx, Sex sex, const LifeTableMethod& method, int open_index,
                             LifeTable& scratch, std::span<double> S, double& e0, double& e65);

// An abridged table's a0 (the method's rule) and 4a1 (Coale–Demeny, PAS LTPOPDTH) from a rate m0 checked finite and
// ≥ 0, as build_abridged_life_table sets them.
void abridged_a0_and_4a1(double m0, Sex sex, const LifeTableMethod& method, double& a0, double& a1);

// One table of abridged_step_mortality_lanes: its rates, sex, S (open_index + 1 ages) and where its e0 and e65 go.
struct AbridgedStepLane {
  std::span<const double> mx;
  Sex sex;
  std::span<double> S;
  double* e0;
  double* e65;
};

// DemoTools' guard on the Greville nax of row i (lt_id_morq_a_greville, `Age >= 10`): from 10–14 on it is kept inside
// [0.4 n, 0.6 n], at 5–9 (row 2) wherever it is defined and not below 0 (high child mortality gives 1.994 there);
// else greville_replacement replaces it. NaN fails every test.
inline bool greville_kept(std::size_t i, double a) {
  constexpr double n = 5.0;
  return i == 2 ? (a >= 0.0 && a <= DBL_MAX) : (a >= 0.4 * n && a <= 0.6 * n);
}

// The nax of a row greville_kept refuses: the constant-hazard nax (the guard's axConst), except a negative 5a5, which
// lt_a_un (R/nAx.R:847-850 at DemoTools 806cdc3, run after lt_id_morq_a_greville) sets to AgeInt / 2 = 2.5, as it does
// every NaN nax: a rate of 0 at 10–14 puts Greville's 5a5 near −151 (k = ln(DBL_MIN / m(1–4)) / 9.5), which
// lt_abridged(axmethod = "un") never keeps (tests/conformance/un-abridged-un-negative-nax-patch). A NaN 5a5 (the
// guard's `is.na(ax)`) takes the constant hazard as elsewhere; where that is 0/0 (a rate of 0) the patch's n/2 is its
// limit, which constant_hazard_ax gives.
inline double greville_replacement(std::size_t i, double a, double m) {
  constexpr double n = 5.0;
  return i == 2 && a < 0.0 ? 0.5 * n : constant_hazard_ax(n, m);
}

// The method's numbers every fast life-table path takes as given (a radix > 0, a given IMR in [0, 1)); where they are
// not, the paths return false and the full table reports the error.
inline bool fast_path_method(const LifeTableMethod& method) {
  const auto& q0 = method.infant_mortality_q0;
  return std::isfinite(method.radix) && method.radix > 0.0 && (!q0 || (std::isfinite(*q0) && *q0 >= 0.0 && *q0 < 1.0));
}

// abridged_step_mortality of 2 or 4 tables at once (a five-year step: a zone's two states' female and male tables):
// the same operations on each table's numbers in the same order (the same bits), the tables interleaved by row so
// that each row's operations, and each step of the serial recurrences (l from the radix, T from the open row), are
// one vector operation with a lane per table. Returns false, having written no output, when a table needs the
// one-table path (a bad rate, anything abridged_step_mortality refuses, tables of other lengths, a lane count other
// than 2 or 4). A lane's S may be its own mx row. With S empty in every lane: e0 and e65 only (any row count above 14),
// as abridged_step_mortality with S empty.
bool abridged_step_mortality_lanes(std::span<const AbridgedStepLane> lanes, const LifeTableMethod& method,
                                   int open_index, LifeTable& scratch);

}  // namespace cohortgis::detail
