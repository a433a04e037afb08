// SPDX-License-Identifier: Apache-2.0
// The ensemble part of `cohortgis run` (run.cpp calls these; the ensemble itself is in ensemble.hpp).
#pragma once

#include <string>
#include <vector>

#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::app {

// Throws InputError for --trajectories below 1 (before anything is read or written).
void check_trajectories(const RunConfig& cfg);
// The ensemble size: RunConfig::trajectories, else the scenario's [stochastic] trajectories (0: no ensemble).
long long ensemble_size(const RunConfig& cfg, const scenarios::ScenarioSet& set);
// Every run's ensemble, written into dir (quantiles.csv, probability_met in targets.csv) on rank 0. Returns the
// number of trajectories (0: no ensemble, nothing written).
long long run_ensembles(const std::string& dir, const scenarios::ScenarioSet& set,
                        const std::vector<const scenarios::Scenario*>& runs,
                        const std::vector<ZoneAggregate>& aggregates, const RunConfig& cfg, int threads);
// `cohortgis run` on an MPI rank other than 0: loads the scenario, computes this rank's trajectories of every run and
// sends them to rank 0. Writes nothing.
RunSummary ensemble_worker(const RunConfig& cfg);

}  // namespace cohortgis::app
