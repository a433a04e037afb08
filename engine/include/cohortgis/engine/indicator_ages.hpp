// SPDX-License-Identifier: Apache-2.0
// The age bands the standard indicators count persons in, and the grids they can be counted on (indicator_ages.cpp).
// A band that reaches into the open age group cannot be counted: the open group has no ages inside it
// (share_65_plus_percent on a grid open at 20 was 0, women_15_49 a share of the 20+ women). Such an indicator is NaN
// (not defined) in every table, and a target or a monitoring row on it is refused when the scenario is read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cohortgis/engine/indicators.hpp"

namespace cohortgis {

// The standard indicators' age bands in years, [from, to) (to = 0: open, from+), in the order IndicatorPass sums them
// (0-14, 15-64, 65+, 60+, 15-49, then the school and working ages).
struct StandardAgeBand {
  int from, to;
};
inline constexpr StandardAgeBand kStandardAgeBands[] = {{0, 15}, {15, 65}, {65, 0}, {60, 0}, {15, 50},
                                                         {0, 3},  {3, 6},   {6, 12}, {12, 15}, {15, 60}};

// The lowest open age of a grid on which the indicator can be counted: its band's last age + 1, or the start of an
// open-ended band (65 for share_65_plus_percent); 0 for an indicator without an age band.
int indicator_min_open_age(Indicator id);
// The ages of that band as users read them ("65+", "15-64 and 65+"; "" without a band).
std::string indicator_age_band(Indicator id);
int band_min_open_age(const AgeBand& b);  // the same for an extra band
// The indicator columns (standard, then extra bands) that cannot be counted on the grid, ascending.
std::vector<std::size_t> indicators_off_grid(const AgeGrid& grid, const std::vector<AgeBand>& extra_bands);

}  // namespace cohortgis
