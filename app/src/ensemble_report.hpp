// SPDX-License-Identifier: Apache-2.0
// The report's section on a probabilistic run (report.cpp renders it): the probability of each target, fan charts and
// the map of a probability (maps/probability_population_above_base_<variant>.png, from probabilities.csv).
#pragma once

#include <optional>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/language.hpp"

namespace cohortgis::app {

class Results;
// Nothing when the folder holds no quantiles.csv. Draws charts/fan_<indicator>_<variant>.png: the whole area's
// population and share aged 65+ per variant, as lines of the 2.5, 10, 50, 90 and 97.5% quantiles and the
// deterministic projection.
std::optional<ReportSection> ensemble_report_section(const Results& results, Language language);

}  // namespace cohortgis::app
