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

// out = from, except the mortality rows above when keep_mortality (the caller knows out holds them already); the
// hint mortality_unchanged is set to keep_mortality (the engine then reuses its life tables and survival ratios).
void assign_step_schedules(StepSchedules& out, const StepSchedules& from, bool keep_mortality);

// Keeps only the first entry when every entry equals it.
void share_equal_steps(std::vector<StepSchedules>& steps);

// Steps' schedules freed as they are built when they hold the same bits as the first step's: the loader builds every
// step of one kind (all mortality, then all fertility, …) before share_equal_steps can compare whole steps, so
// without this a 50,000-zone scenario held ten copies of its mx and ASFR while loading (bench/HISTORY.md "Round 4:
// memory at 50,000 zones"). Only for fields that no later builder changes (mortality, radix_l0, l65, asfr, srb).
class FoldedSteps {
 public:
  using Field = std::vector<double> StepSchedules::*;
  // After steps[k].*field is built (k >= 1): frees it when it equals steps[0].*field bit for bit.
  void fold(std::vector<StepSchedules>& steps, std::size_t k, Field field);
  // Once every builder ran: one entry when every step equals the first (a folded field counts as equal, which it
  // is); otherwise the folded fields are copied back from the first step, so every step is complete.
  void finish(std::vector<StepSchedules>& steps);
  std::size_t folded() const { return folded_.size(); }

 private:
  std::vector<std::pair<std::size_t, Field>> folded_;
};

}  // namespace cohortgis::scenarios::detail
