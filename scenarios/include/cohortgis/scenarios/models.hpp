// SPDX-License-Identifier: Apache-2.0
// Assumption models of scenario files: paths over time, fertility rescaling and shifts, mortality by the Brass
// relational logit and Lee–Carter, gravity OD rates, great-circle distances. Pure functions (no files), so each
// is tested against hand-computed or analytic numbers (tests/scenarios/test_models.cpp).
#pragma once

#include <map>
#include <span>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis::scenarios {

// A value given at some years, linear in between and constant before the first and after the last point.
struct YearPath {
  std::map<int, double> points;  // year → value; at least one
  double at(double year) const;
  // Mean over the calendar years first … last (inclusive) of the path at each year: the value a step covering
  // those years uses (a step from t to t+z covers years t+1 … t+z, docs/ccmpp.md Part C).
  double mean_over_years(int first, int last) const;
};

// TFR of an ASFR vector on a grid of z-year age groups (rates per woman per year): z · Σ f (docs/ccmpp.md Part C).
double total_fertility(std::span<const double> asfr, int width_years);
// Mean age at childbearing Σ (a_i + z/2) f_i / Σ f_i (Preston et al. 2001, §5.3: midpoints of the age groups).
double mean_age_at_childbearing(std::span<const double> asfr, int width_years);
// The schedule's shape scaled to a total fertility rate: f_i · tfr / TFR(f).
std::vector<double> rescale_to_tfr(std::span<const double> asfr, int width_years, double tfr);
// The schedule moved δ years up the age axis: the piecewise-constant density f(x − δ) averaged over each age group
// (mass of a group splits between two neighbours in proportion to the overlap). For piecewise-constant schedules
// this moves the mean age at childbearing by exactly δ and keeps the TFR, unless mass leaves the grid (index 0 and
// the open group keep no fertility, as the step ignores them, docs/ccmpp.md A3 step 4).
std::vector<double> shift_schedule(std::span<const double> asfr, int width_years, double delta_years);

// Brass (1971) relational logit model with β = 1: Y(x) = ½ ln((1 − l(x)) / l(x)); Y(x) = α + Y_s(x).
// Given the standard (base) schedule mx_s on `grid`'s life-table rows, returns mx for level α: l(x) from the logit,
// then m = d / L per row with L = n·l(x+n) + a_s·d, keeping the standard table's ax (Preston et al. 2001, §9.4);
// the open group keeps the standard's ratio of open-group m to the last closed m. α = 0 gives mx_s back.
// On a five-year grid mx_s may hold one row more: the given table's own rate of the group starting at the open age
// (a table given past the grid's open age, build_abridged_life_table_closed_above); it moves as the open rate and is
// returned in the same place. life_expectancy_at_birth and brass_alpha_for_e0 take it too.
std::vector<double> brass_logit_mx(std::span<const double> mx_standard, const AgeGrid& grid, Sex sex, double alpha,
                                   const LifeTableMethod& method = {});
// Life expectancy at birth of the engine's life table for mx on `grid`'s rows (abridged for z = 5, single years
// for z = 1).
double life_expectancy_at_birth(std::span<const double> mx, const AgeGrid& grid, Sex sex,
                                const LifeTableMethod& method = {});
// The α at which brass_logit_mx gives life expectancy `e0` (bisection on [−4, 4]: e0 falls as α rises; 1e-10
// years; defined in level_fitting.cpp with the other fits). Throws InputError when e0 cannot be reached in that range.
double brass_alpha_for_e0(std::span<const double> mx_standard, const AgeGrid& grid, Sex sex, double e0,
                          const LifeTableMethod& method = {});

// Lee & Carter (1992): ln m(x, t) = a_x + b_x k_t with k_t = k_0 + drift · (t − t_0); with a_x = ln m_base(x) and
// k_0 = 0: m(x, t) = m_base(x) · exp(b_x · drift · (t − t_0)). b_x: one per row (Σ b = 1 by their normalisation);
// empty means b_x = 1 / rows (every rate falls at the same pace).
std::vector<double> lee_carter_mx(std::span<const double> mx_base, std::span<const double> bx, double drift,
                                  double years_since_base);

// Great-circle distance in km between two lon/lat points (haversine, sphere of radius 6371.0088 km, the IUGG mean
// Earth radius R1).
double great_circle_km(double lon1, double lat1, double lon2, double lat2);

// Production-constrained gravity model (Wilson 1971): the share of zone o's out-migrants going to d is
// w_od / Σ_k w_ok with w_od = P_d^β · d_od^(−γ); rate r_od = out_rate_o · share. distance: [o][d] (diagonal unused,
// off-diagonal > 0). Returns [o][d] annual rates (diagonal 0).
std::vector<double> gravity_rates(std::span<const double> out_rate, std::span<const double> destination_mass,
                                  std::span<const double> distance, double beta, double gamma);

}  // namespace cohortgis::scenarios
