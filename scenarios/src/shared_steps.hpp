// SPDX-License-Identifier: Apache-2.0
// One schedule set for every step when the loader built the same schedules for each (Scenario::schedules: "a single
// entry holds for every step"): a scenario of national schedules over 50,000 zones would otherwise hold one copy of
// every zone's mx and ASFR per step (docs/results.md "Memory of large runs").
#pragma once

#include <vector>

#include "cohortgis/engine/projection.hpp"

namespace cohortgis::scenarios::detail {

// Bit for bit (doubles compared as bytes: 0.0 and -0.0 differ); OD by pointer (the same object), which is what the
// loader hands every step of one table.
bool same_step_schedules(const StepSchedules& a, const StepSchedules& b);

// Keeps only the first entry when every entry equals it.
void share_equal_steps(std::vector<StepSchedules>& steps);

}  // namespace cohortgis::scenarios::detail
