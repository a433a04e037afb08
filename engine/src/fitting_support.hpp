// SPDX-License-Identifier: Apache-2.0
// Structural zeros of proportional fitting: cells that every table meeting the margins must leave at 0.
#pragma once

#include <vector>

#include "cohortgis/engine/fitting.hpp"

namespace cohortgis::detail {

// Marks in `zero` (one flag per cell) the cells forced to 0 by the margins, taken two at a time until no pair forces
// another, and returns how many it marked. A cell is forced when no table meeting both margins of a pair, within the
// support of `cells` (a cell at 0 stays 0 under the sweeps) and with the cells already marked at 0, holds anything
// there: say a known count equal to the whole area's total, which leaves the other groups none. Totals are met
// within `tolerance` × the pair's total. A pair that no table meets (margins that contradict each other) marks
// nothing: the sweeps then fail as before.
std::size_t mark_forced_zeros(const std::vector<double>& cells, const std::vector<FitMargin>& margins, double tolerance,
                              std::vector<char>& zero);

}  // namespace cohortgis::detail
