// SPDX-License-Identifier: Apache-2.0
// Checks of death-rate schedules that the engine would project without a word but DemoTools refuses: one helper for
// the scenario loader (a given table) and for schedules built or changed in Python (each step's grid tables).
#pragma once

#include <limits>
#include <span>
#include <string>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::scenarios {

// The abridged table of `mx` (rows 0, 1–4, 5–9, …, open; closed above with next_mx as
// build_abridged_life_table_closed_above when next_mx is not NaN) under Greville's nax from 5–9 (method.ax_method
// greville with greville_from_age_5): "" when its person-years pass DemoTools' lt_id_Ll_S check (806cdc3
// R/lt_id.R:298: every nLx >= 0 and every closed nLx < 5 × radix), else why not: the rates at 1–4 and 10–14 and the
// 5–9 nax they give, ending "expected a death rate > 0 there" for the caller to add its way out and to prefix with
// where the table is. "" also for another method, and for rates the life table itself refuses (its own error, when it
// is built, names them).
std::string greville_person_years_refusal(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                          double next_mx = std::numeric_limits<double>::quiet_NaN());

// greville_person_years_refusal on every death-rate schedule of every step of `sc` on a five-year grid (each state
// and sex: StepSchedules::mortality's rows with its mortality_next): throws InputError naming the scenario, variant,
// step and its years, zone, group and sex. Schedules of another size are left to the run's own checks. For
// schedules that did not come through the scenario loader (Python's StepSchedules), which checks the tables it reads.
void check_death_rate_schedules(const Scenario& sc);

}  // namespace cohortgis::scenarios
