// SPDX-License-Identifier: Apache-2.0
// Life tables from central death rates, and survival ratios for the projection step.
//
// Conventions: design note docs/ccmpp.md, A1 (survival ratios) and A4 (age-period death split);
// abridged-table method as in UN (1982) Model Life Tables for Developing Countries p. 31, UN Manual X (1983),
// and DemoTools lt_abridged (a0 by Coale–Demeny or Andreev–Kingkade; nax by the midpoint or Greville rule;
// open group closed with L_w = l_w / m_w).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis {

enum class A0Rule {
  andreev_kingkade,  // Andreev & Kingkade (2015), m0-based (DemoTools default "ak")
  coale_demeny,      // Coale & Demeny via UN Manual X Table 164 / PAS (needs a region)
};
enum class CoaleDemenyRegion { west, north, east, south };
enum class AxMethod {
  midpoint,  // nax = n/2 for closed groups from age 5 (PAS)
  greville,  // UN (1982) p. 31 Greville formula (DemoTools axmethod = "un")
};

struct LifeTableMethod {
  A0Rule a0_rule = A0Rule::andreev_kingkade;
  CoaleDemenyRegion region = CoaleDemenyRegion::west;
  AxMethod ax_method = AxMethod::greville;
  // DemoTools mod = TRUE (Gerland/Li): Greville also for 5–9 and 10–14. Abridged tables only.
  bool greville_from_age_5 = true;
  double radix = 100000.0;
  // A given infant mortality rate replaces 1q0 (PAS LTPOPDTH); 1M0 is then reset to q0 / (1 − (1 − a0) q0).
  std::optional<double> infant_mortality_q0;
};

// One life table; rows are either single years 0, 1, …, w (open) or abridged 0, 1–4, 5–9, …, open.
struct LifeTable {
  std::vector<double> age;    // exact age at the start of the row
  std::vector<double> width;  // n (years); 0 for the open row
  std::vector<double> mx, ax, qx, lx, dx, Lx, Tx, ex;

  std::size_t rows() const { return age.size(); }
  std::size_t open_row() const { return age.size() - 1; }
  // Row starting at exact age x, or throws InputError when there is none.
  std::size_t row_of_age(double x) const;
};

// Abridged life table from mx for rows 0, 1–4, 5–9, …, open (at least 4 rows). mx must be finite, ≥ 0, open > 0.
void build_abridged_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method, LifeTable& out);
// The grid's abridged table of rates given beyond its open age w, in DemoTools' lt_abridged(…, OAnew = w) order
// (the whole table first, then cut at w): build_abridged_life_table on `mx` (rows 0 … w, the open rate being the
// whole table's l(w) / T(w)) with the Greville nax of the last closed group taking `next_mx`, the given table's own
// rate of the group starting at w, as its upper neighbour instead of the open rate. Rows below w, l(w) and L(w) = T(w)
// are then the whole table's. next_mx NaN: build_abridged_life_table as it is.
void build_abridged_life_table_closed_above(std::span<const double> mx, double next_mx, Sex sex,
                                            const LifeTableMethod& method, LifeTable& out);
// Single-year life table from mx for ages 0 … w (open): ax = 0.5 except a0 by the method's a0 rule and the open
// row (L_w = l_w / m_w). The method's ax_method is not used.
void build_single_year_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method, LifeTable& out);
// e0 and e65 of that single-year table (the same operations in the same order, so the same bits) without building
// its columns: for indicators that need only these two, every year (the pooled tables of indicators.cpp). e65 is NaN
// when the table has no row at 65. Inputs the table would refuse go through build_single_year_life_table (`out`),
// which throws the same error. `scratch` is reused from call to call.
void single_year_e0_e65(std::span<const double> mx, Sex sex, const LifeTableMethod& method, LifeTable& scratch,
                        double& e0, double& e65);
// single_year_e0_e65 of a female (mx_f) and a male (mx_m) table in one pass: index 0 female, 1 male; the same bits.
void single_year_e0_e65_both(std::span<const double> mx_f, std::span<const double> mx_m, const LifeTableMethod& method,
                             LifeTable& scratch, double (&e0)[2], double (&e65)[2]);

// For a one-year step from single-year death rates: the survival ratios S[0..open_age] (design note A1), the
// age-period split φ[0..open_age−1] (A4; not computed when `phi` is empty), e0 and e65 of the single-year table from
// mx, with the operations of build_single_year_life_table + survival_ratios + age_period_death_split in the same
// order (so the same bits), without the table's other columns. Returns false, having written none of S, φ, e0, e65,
// when an input or the table's person-years would be refused: the caller then builds the full table (its error).
// S may be the mx row itself (every mx is read before S is written). e65 is left as it is when there is no row at 65.
// `scratch` is reused from call to call.
bool single_year_step_mortality(std::span<const double> mx, Sex sex, const LifeTableMethod& method, int open_age,
                                LifeTable& scratch, std::span<double> S, std::span<double> phi, double& e0,
                                double& e65);

// Convenience wrappers returning a new table.
LifeTable abridged_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method = {});
LifeTable single_year_life_table(std::span<const double> mx, Sex sex, const LifeTableMethod& method = {});

// a0 (person-years lived in the first year by those who die in it).
// m0 is the infant central death rate; q0 the infant probability, when given.
double infant_a0(A0Rule rule, Sex sex, CoaleDemenyRegion region, double m0, std::optional<double> q0 = std::nullopt);

// How the rows of a person-years column are laid out.
enum class LxLayout {
  single_year,  // rows 0, 1, 2, …
  abridged,     // rows 0, 1–4, 5–9, 10–14, …
  five_year,    // rows 0–4, 5–9, … (5L0 not split; e.g. Preston et al. 2001 Box 6.2)
};

// Survival ratios S[0..w] for a step of z years on `grid` (design note A1), from person-years Lx whose last row
// holds T of its (open) age, and the radix l0. z = 1 needs single-year rows; z = 5 abridged or five-year rows.
// The table may extend beyond the grid's open age: T at the grid's open age is then the sum of the rows above.
void survival_ratios(std::span<const double> Lx, LxLayout layout, double l0, const AgeGrid& grid, std::span<double> S);
// The same from a built life table (layout read from its row widths).
void survival_ratios(const LifeTable& lt, const AgeGrid& grid, std::span<double> S);

// Age-period split factors φ[0..w-1] of design note A4 (single-year tables only; the grid's open age ≤ table's).
void age_period_death_split(const LifeTable& lt, int open_age, std::span<double> phi);

}  // namespace cohortgis
