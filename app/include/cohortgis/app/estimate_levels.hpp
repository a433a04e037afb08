// SPDX-License-Identifier: Apache-2.0
// `cohortgis estimate --levels`: mortality and fertility levels of each zone relative to a standard schedule, from the
// zone's published figures (deaths, a crude death rate or a life expectancy; births, a crude birth rate or a TFR).
// Mortality: one Brass relational logit α (β = 1) per zone on the standard death rates; fertility: one factor per zone
// on the standard ASFR. The fits are scenarios/level_fitting.hpp's (one implementation, shared with the `fit` keys of
// scenario files and with monitoring). Writes the zones' schedules in the scenario format (scenarios/README.md).
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace cohortgis::app {

struct LevelsConfig {
  std::string figures;     // zone, indicator, value: e0 | deaths | cdr_per_1000 ; tfr | births | cbr_per_1000
  std::string population;  // zone, sex, age, population on the grid (needed for deaths, cdr, births, cbr)
  std::string mx;          // the standard death rates: sex, age or age_start, mx (abridged 0, 1, 5, …)
  std::vector<std::pair<std::string, std::string>> mx_filter;
  std::string asfr;  // the standard ASFR: age or age_start, asfr or value (births per woman per year)
  std::vector<std::pair<std::string, std::string>> asfr_filter;
  double srb = 0.0;   // males per 100 females: weights the sexes of a both-sexes e0 (needed for e0)
  int open_age = 85;  // the five-year grid of the tables
  std::string out_dir;
  const std::atomic<bool>* cancel = nullptr;  // as EstimateConfig::cancel (estimate.hpp); checked between zones too
};

// One zone's fitted level (component "mortality": level = α, implied = both-sexes e0 (needs srb) or NaN; component
// "fertility": level = the factor on the standard ASFR, implied = the zone's TFR).
struct ZoneLevel {
  std::string zone, component, indicator;
  double target = 0, fitted = 0, level = 0;
  double e0_female = 0, e0_male = 0, tfr = 0;
};

struct LevelsSummary {
  std::string out_dir;
  std::vector<ZoneLevel> levels;
  std::vector<std::string> files, inputs;
};

// Writes levels.csv, mx_by_zone.csv (zones with a mortality figure), asfr_by_zone.csv (zones with a fertility figure),
// levels_report.md and manifest.json into out_dir (staged: complete or not at all). Throws InputError naming file,
// row and column.
LevelsSummary estimate_levels(const LevelsConfig& config);

}  // namespace cohortgis::app
