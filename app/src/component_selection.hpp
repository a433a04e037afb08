// SPDX-License-Identifier: Apache-2.0
// Which per-cell components a run writes (RunConfig::components, `cohortgis run --components`, else the scenario
// file's `[outputs] components`): the variables of results.nc and the `component` values of components.csv. The
// names and the selection are the scenario library's (cohortgis/scenarios/output_components.hpp), so that the
// scenario file and the command line accept the same list.
#pragma once

#include <string>
#include <vector>

#include "cohortgis/scenarios/output_components.hpp"

namespace cohortgis::app {

using scenarios::Component;
using scenarios::ComponentSelection;
using scenarios::kComponentCount;
using scenarios::kComponentNames;

// `names`: component names, or "all" (also an empty list) or "none" alone. Throws InputError naming `option` and
// listing the valid names for an unknown or empty name, or "all"/"none" among others.
ComponentSelection parse_components(const std::vector<std::string>& names, const std::string& option);

}  // namespace cohortgis::app
