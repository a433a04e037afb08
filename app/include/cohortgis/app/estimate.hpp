// SPDX-License-Identifier: Apache-2.0
// The `cohortgis estimate` job: assumptions from data. Net migration by zone, sex and age from two censuses by the
// census-survival (residual) method with the period's life table, across boundary changes through crosswalks, or from
// zone totals only, spread by a stated age profile. Writes tables in the scenario format (scenarios/README.md) and a
// short report of the method and diagnostics (docs/results.md).
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::app {

// ---- the arithmetic (pure functions; tests check them by hand) ----

// A crosswalk row: the fraction `weight` of source unit `from` that lies in target zone `to` (by population or by
// area, as the crosswalk was made).
struct CrosswalkRow {
  std::string from, to;
  double weight = 1.0;
};
// Moves counts by source unit (values[u * cells + c]) onto the targets (result[t * cells + c]). Every source unit
// must appear in the crosswalk; targets not named get 0.
std::vector<double> apply_crosswalk(const std::vector<std::string>& units, const std::vector<double>& values,
                                    std::size_t cells, const std::vector<CrosswalkRow>& crosswalk,
                                    const std::vector<std::string>& targets);

// Census-survival (residual) net migration of one zone and sex between two censuses `steps` projection steps apart:
// the first census's cohorts survived forward with the survival ratios S (design note A1: S[i] moves index i−1 to i,
// S[w] the open group) and subtracted from the second census: R[i] = P2[i] − E[i], the net migrants of the interval
// alive at the second census at age index i. Ages i < steps were born during the interval (no births are used):
// NaN.
std::vector<double> residual_migration(const std::vector<double>& first, const std::vector<double>& second,
                                       const std::vector<double>& survival, int steps);

// The residuals R (by age index at the second census) as persons per year by age index at the start of a projection
// step, for a table used in every step: a cohort's migrants are spread evenly over the `steps` steps of the interval
// (at age index i − steps + j in step j) and the steps averaged; NaN entries count as 0. Σ result · steps · width
// = Σ R.
std::vector<double> migration_per_year_by_start_age(const std::vector<double>& residuals, int steps, int width_years);

// Net migration over an interval of `years` from zone totals only: second − first · (1 + r)^years, with r the stated
// natural growth rate per person per year.
double totals_net_migration(double first, double second, double years, double natural_growth_per_person_year);

// ---- the command ----

struct EstimateConfig {
  std::string first, second;                    // census tables: zone, sex, age, population (sex/age may be `all`)
  int first_year = 0, second_year = 0;
  std::string first_crosswalk, second_crosswalk;  // optional: from, to, weight (or code_<y1>, code_<y2>, weight)
  std::string mx;                                 // death rates (sex, age, mx); needed for censuses with ages
  std::vector<std::pair<std::string, std::string>> mx_filter;  // column = value pairs that select the mx rows
  int step = 5, open_age = 85;                    // the age grid of the output tables
  double natural_growth_per_1000 = 0.0;           // totals only: the stated natural growth rate
  double female_share = 0.5;                      // totals only: of the net migrants
  std::string out_dir;
  // Set (Python's Ctrl-C, another thread) to stop: ProjectionError("estimate cancelled") before the next file is
  // written and before the folder is moved into place; out_dir is left as it was.
  const std::atomic<bool>* cancel = nullptr;
};

struct EstimateSummary {
  std::string out_dir, method;  // "residual" or "totals"
  std::vector<std::string> zones, files, inputs;
  std::vector<double> net_per_year;  // by zone
};

// Writes net_migration.csv, population_<second year>.csv (when the second census has ages), estimate_report.md and
// manifest.json into out_dir (staged: complete or not at all). Throws InputError naming file, row and column.
EstimateSummary estimate(const EstimateConfig& config);

}  // namespace cohortgis::app
