// SPDX-License-Identifier: Apache-2.0
// The stop of a run whose population or sums overflowed (inf) or are not numbers, in one set of words for the results
// writer (ResultsWriter::check_sums, deterministic runs) and the trajectories of an ensemble (ensemble.cpp): the year,
// the first cell that is not a finite number (else the unit whose sums are not), and the `[migration] net_rate` row
// to check first (scenarios::net_rate_row_behind: its key, file and row).
#pragma once

#include <string>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"

namespace cohortgis::app {

// Throws ProjectionError "year 2030: the population of zone 'B', group 'total', sex female, age 10 is not a finite
// number (it overflowed); check the inputs' magnitudes, first the net migration rates reach 1e+300 persons per person
// over a step in zone 'B' (sc.toml:27:12: key 'migration.net_rate': …, data row 3 (…), column 'value')" for the first
// cell of `population` that is not finite; with every cell finite, "year 2030: the sums of '<unit_name>' are not
// finite numbers (they overflowed); …" (`zone`: the unit's zone, -1 for an aggregate).
[[noreturn]] void throw_not_finite(const scenarios::Scenario& sc, const CohortArray& population,
                                   const std::string& unit_name, int zone, int year);

}  // namespace cohortgis::app
