// SPDX-License-Identifier: Apache-2.0
// Life-table passes for callers inside the engine (private to engine/src).
#pragma once

#include <span>

#include "cohortgis/engine/life_table.hpp"

namespace cohortgis::detail {

// single_year_e0_e65_both for rates the caller has already checked: every rate of both sexes within [0, DBL_MAX]
// and the last one > 0 (the pooled rates of indicators.cpp are checked as they are made), so the pass that checks
// them again is skipped. The same bits as single_year_e0_e65_both for such rates.
void single_year_e0_e65_both_checked(std::span<const double> mx_f, std::span<const double> mx_m,
                                     const LifeTableMethod& method, LifeTable& scratch, double (&e0)[2],
                                     double (&e65)[2]);

// single_year_step_mortality for rates the caller has already checked finite and ≥ 0 (the step's validate_zone, before
// the step): the pass that checks them again is skipped (a pass over the rows in every year that builds its life
// tables). The same bits as single_year_step_mortality for such rates, and its other refusals.
bool single_year_step_mortality_checked(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                        int open_age, LifeTable& scratch, std::span<double> S, std::span<double> phi,
                                        double& e0, double& e65);

}  // namespace cohortgis::detail
