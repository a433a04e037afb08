// SPDX-License-Identifier: Apache-2.0
// The family-planning indicators of a parity run as named values: one list of names and one order of values, shared
// by parity.csv / indicators.csv (app/src/parity_output.cpp) and the Python module's frames, so both publish the
// same figures under the same names (docs/results.md "parity.csv").
#pragma once

#include <string>
#include <vector>

#include "cohortgis/engine/parity.hpp"

namespace cohortgis::app {

// The indicator columns of parity.csv (the names of docs/results.md), also the names of its rows in indicators.csv.
std::vector<std::string> parity_indicator_names();

// The values of one zone or aggregate and step, in the order of parity_indicator_names().
std::vector<double> parity_indicator_values(const ParityIndicators& indicators);

}  // namespace cohortgis::app
