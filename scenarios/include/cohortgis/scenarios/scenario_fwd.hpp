// SPDX-License-Identifier: Apache-2.0
// Declarations of Scenario (scenario.hpp) and ScenarioSet (scenario_file.hpp) for headers that take them by
// reference and need not include those (as <iosfwd> does for the streams).
#pragma once

namespace cohortgis::scenarios {
struct Scenario;
struct ScenarioSet;
}  // namespace cohortgis::scenarios
