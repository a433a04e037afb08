// SPDX-License-Identifier: Apache-2.0
// The check of newborn rules that the engine would project without a word: the shares of one mother group's births
// that its rules move past all of them. One check and one message for the scenario loader ([[newborn]] rules) and for
// schedules built or changed in Python (each step's NewbornRule list), as mortality_checks.hpp is for death rates.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::scenarios {

// "" when the rules of each mother group move at most all of its births in zone `zone` of `zones` (shares summing to
// at most 1, within 1e-12 of rounding), else why not for the first group past it: "the newborn rules of mother group
// '…' move shares summing to S of its births; expected at most 1 (the whole of its births)", for the caller to prefix
// with where the rules are. The engine takes each rule's share as given: more than all of them left the group
// negative births, which the floor turned into persons never born. Rules of a group outside `group_names` or with a
// zone_share of another length than `zones` are left out (the engine's step checks name them).
std::string newborn_share_refusal(std::span<const NewbornRule> rules, const std::vector<std::string>& group_names,
                                  std::size_t zone, std::size_t zones);

// newborn_share_refusal for every step's rules in every zone of `sc`: throws InputError naming the scenario, variant,
// step and zone. For schedules that did not come through the scenario loader (Python's StepSchedules), which checks
// the [[newborn]] rules it reads, naming the rule.
void check_newborn_share_schedules(const Scenario& sc);

}  // namespace cohortgis::scenarios
