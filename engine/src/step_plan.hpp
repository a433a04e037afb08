// SPDX-License-Identifier: Apache-2.0
// The plan of one projection step (private to engine/src): what the step's schedules hold and which path each part
// takes, decided once per step from the config, the schedules and the mortality cache (plan_step, step_runner.cpp),
// then only read by the zones' passes. It replaces the run-wide flags of the step runner.
//
// Where later features hook into the step (step_runner.cpp, StepRunner::step_zone):
//   * a per-step migration adjustment (e.g. control totals): a new schedule kind sets `any_migration` and clears
//     `fused` in plan_step, and adds its term to the net migrants M in the general path's B1 loop ("hook: further
//     terms of B1"), where M of every state of the zone is known before A3 step 1;
//   * a multistate method: a new `Method` value below, chosen in plan_step, and its own zone pass beside step_zone;
//   * stochastic schedules: the ScheduleProvider fills StepSchedules per step as now; a draw that leaves mortality
//     unchanged may set StepSchedules::mortality_unchanged so that life tables are reused (`reuse_mortality`).
#pragma once

#include <vector>

#include "cohortgis/engine/ccmpp_step.hpp"

namespace cohortgis::detail {

struct StepPlan {
  // Rogers' multistate step (step_multistate.cpp) instead of flows and the Part A step per state.
  bool multistate = false;
  // What the step's migration has.
  bool has_od = false, has_ext_in = false, has_ext_out = false, has_net = false, has_tr = false;
  bool any_migration = false;
  MigrationTiming timing = MigrationTiming::even;  // of this step: the schedules' timing, else the config's
  // What the step keeps (ProjectionConfig::cell_components; births by age of mother with components or indicators).
  bool keep_cells = false, births_by_age_kept = false;
  // Mortality: last step's survival ratios and life-table results reused (the provider's hint, and the cache holds
  // what this step needs); φ of the A4 split wanted (age-period deaths); survival ratios written over the mx rows
  // (ProjectionConfig::mortality_in_place); the step's survival ratios are rows of the schedule, not the cache.
  bool reuse_mortality = false, phi_wanted = false, in_place = false, S_in_schedule = false;
  // The zones without scaled cells take the fused per-state pass (fused_state in step_kernels.hpp): migration by OD
  // and at most one transition into and out of each group, `even` timing, a policy other than `wpp`.
  bool fused = false;
  // Fused path: the women's births by age (and exposure) made in the survive pass (survive_births_and_close_states;
  // births_in_pass: an open age index w ≥ 9, steps of any width), summed by births_of_groups.
  bool births_in_pass = false;
  std::vector<int> tr_out, tr_in;  // per group: the one transition out of / into it on the fused path, or -1
  // Per transition (fused path): z · rate_per_year [sex][age], the first product of a transfer z·r·m·P, which does
  // not depend on the zone: computed once per step instead of once per cell.
  std::vector<std::vector<double>> tr_rate_z;
  // Phase 1 (conserve factors) decided from rate bounds alone: only per-person rates flow out.
  bool rate_bound_only = false;
  std::vector<double> profile_max, transition_max;  // the bounds: per group; per transition
};

}  // namespace cohortgis::detail
