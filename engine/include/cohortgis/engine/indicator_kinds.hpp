// SPDX-License-Identifier: Apache-2.0
// Which indicator columns describe the population at one moment (stocks: a base year's rows list only these) and
// which the events of a step (flows), by the indicator itself (indicators.cpp).
#pragma once

#include <string_view>

#include "cohortgis/engine/indicators.hpp"

namespace cohortgis {

// An optional indicator's measure of the step's births (mean_age_childbearing, grr, nrr: no persons counted; NaN in
// a base year; engine/src/indicator_fertility.cpp).
inline bool is_fertility_measure(AgeBand::Measure m) { return m >= AgeBand::Measure::mean_age_childbearing; }

// Whether the indicator column named `name` describes the population at one moment (counts, shares, ratios, median
// age, age bands: defined for a base year too, whose rows list only these) rather than the events of a step (births,
// deaths, rates, TFR, e0, e65, and the fertility summaries of optional_indicator: mean_age_childbearing, grr, nrr).
// A standard indicator by its kind, an optional one by its AgeBand::Measure; any other name (an age band a program
// adds to ProjectionConfig::extra_age_bands) counts persons: a stock. By name, not by column index (which called
// every extra column a stock, round 26), so that the tables read back (results.nc, a pickled RunResult) classify
// their columns as the run that wrote them did.
bool is_stock_indicator(std::string_view name);

}  // namespace cohortgis
