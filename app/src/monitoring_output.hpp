// SPDX-License-Identifier: Apache-2.0
// monitoring.csv of a run whose scenario has a [monitoring] section (docs/results.md "monitoring.csv").
#pragma once

#include <filesystem>
#include <vector>

#include "cohortgis/app/monitoring.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::app {

// The scenario's observed figures, read and checked against its zones, groups, years and indicators (nothing when
// it has no [monitoring]). Call before anything is written: throws InputError naming file, row and column.
std::vector<ObservedFigure> scenario_observed_figures(const scenarios::ScenarioSet& set);

// Writes dir/monitoring.csv from the baseline's rows of dir/indicators.csv (e0 of both sexes from e0_female, e0_male
// and the sex ratio at birth). Does nothing when the scenario has no [monitoring].
void write_monitoring(const std::filesystem::path& dir, const scenarios::ScenarioSet& set,
                      const std::vector<ObservedFigure>& figures);

}  // namespace cohortgis::app
