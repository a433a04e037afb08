// SPDX-License-Identifier: Apache-2.0
// `cohortgis run` keeps national schedules once for every zone (issue #16, memory at 50,000 zones).
#pragma once

#include <cstddef>

#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::app {

// Keeps the mx rows, ASFR and SRB that are the same bits in every zone (a table without a zone column) once for every
// zone (cohortgis/engine/zone_shared_schedules.hpp), in the runs whose schedules the engine is handed as they are
// (project.cpp: no population-dependent adjustment, no parity fertility) on the flow method; the others are left as
// they are. Nothing else of a run reads them after loading: for a set that the run itself loaded and that no ensemble
// perturbs afterwards. Returns the bytes given back (and gives the freed pages back to the system when any).
std::size_t share_national_schedules(scenarios::ScenarioSet& set);

}  // namespace cohortgis::app
