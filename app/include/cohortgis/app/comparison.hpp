// SPDX-License-Identifier: Apache-2.0
// Observed figures set beside projected ones: the error of one value, the summary measures of a set of zones and the
// naive benchmark forecasts a projection is scored against. One implementation for `cohortgis backtest` (a projection
// from a past launch year scored on a later census) and for monitoring against published statistics.
// Pure arithmetic on numbers; reading tables and writing files is the callers' job.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cohortgis::app {

// 100 · (projected − observed) / observed; NaN when observed is 0 or either value is NaN.
double error_percent(double projected, double observed);

// One comparison: the difference projected − observed and the relative difference (projected − observed) / observed
// (NaN when observed is 0).
struct Difference {
  double observed = 0, projected = 0, difference = 0, relative_difference = 0;
};
Difference compare_values(double observed, double projected);

// One zone of a scored forecast.
struct ZoneComparison {
  std::string zone;
  double observed = 0, projected = 0;
};

// Summary measures over zones, as demographers score small-area forecasts (e.g. Smith, Tayman & Swanson,
// "A Practitioner's Guide to State and Local Population Projections", 2013, ch. 13). e_i = error_percent of zone i.
struct ErrorSummary {
  std::size_t zones = 0;
  double mape_percent = 0;             // Σ|e_i| / n, unweighted (every zone counts the same)
  double malpe_percent = 0;            // Σe_i / n: bias (> 0: too high on average)
  std::string worst_zone;              // the zone with the largest |e_i| (the first one on ties)
  double worst_error_percent = 0;      // its e_i, with its sign
  double share_within_5_percent = 0;   // the fraction (0-1) of zones with |e_i| ≤ 5
  double share_within_10_percent = 0;  // the fraction (0-1) of zones with |e_i| ≤ 10
  double total_error_percent = 0;      // error_percent(Σ projected, Σ observed): the whole area
  // Smith, Tayman & Swanson (2013) ch. 13's other measures: the population-weighted MAPE 100 · Σ|P_i − O_i| / Σ O_i
  // (each zone's |e_i| weighted by its observed share, so large zones count more), the median of |e_i| (MedAPE: not
  // pulled by a few outlying zones) and the root mean square error in persons √(Σ(P_i − O_i)² / n).
  double weighted_mape_percent = 0;
  double median_ape_percent = 0;
  double rmse_persons = 0;
};
// Throws InputError when `zones` is empty or a zone's observed value is not above 0 (no percentage error).
ErrorSummary summarize_errors(const std::vector<ZoneComparison>& zones);

// ---- naive benchmarks (each zone's value at the target year) ----

// constant-share: each zone keeps its launch-year share of the area total, applied to an area total for the target
// year (the projection's own total, never the observed one). Throws InputError when the launch total is not above 0.
std::vector<double> constant_share(const std::vector<double>& launch, double target_total);

// linear: each zone's straight line through an earlier and the launch year, extended to the target year:
// launch + (launch − earlier) · (target − launch_year) / (launch_year − earlier_year), and 0 where that is negative.
// Throws InputError unless earlier_year < launch_year and the vectors have the same size.
std::vector<double> linear_trend(const std::vector<double>& earlier, int earlier_year, const std::vector<double>& launch,
                                 int launch_year, int target_year);

// The value at `year` on the straight lines between (years[k], values[k]) (years ascending); NaN outside them.
double interpolate_linear(const std::vector<int>& years, const std::vector<double>& values, double year);

}  // namespace cohortgis::app
