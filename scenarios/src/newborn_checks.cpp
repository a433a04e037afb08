// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/newborn_checks.hpp"

#include <algorithm>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios {

using detail::fmt;

std::string newborn_share_refusal(std::span<const NewbornRule> rules, const std::vector<std::string>& group_names,
                                  std::size_t zone, std::size_t zones) {
  std::vector<double> moved(group_names.size(), 0.0);  // the share of each mother group's births the rules move
  for (const NewbornRule& r : rules)
    if (r.mother_group >= 0 && uz(r.mother_group) < moved.size() &&
        (r.zone_share.empty() || (r.zone_share.size() == zones && zone < zones)))
      moved[uz(r.mother_group)] += r.zone_share.empty() ? r.share : r.zone_share[zone];
  for (std::size_t g = 0; g < moved.size(); ++g)
    if (moved[g] > 1.0 + 1e-12)
      return "the newborn rules of mother group '" + group_names[g] + "' move shares summing to " + fmt(moved[g], 12) +
             " of its births; expected at most 1 (the whole of its births)";
  return {};
}

void check_newborn_share_schedules(const Scenario& sc) {
  for (std::size_t k = 0; k < sc.schedules.size(); ++k) {
    const std::vector<NewbornRule>& rules = sc.schedules[k].newborn_rules;
    for (std::size_t z = 0; z < (rules.empty() ? 0 : sc.zones.size()); ++z)
      if (const std::string why = newborn_share_refusal(rules, sc.group_names, z, sc.zones.size()); !why.empty())
        throw InputError("scenario '" + sc.name + "', variant '" + sc.variant + "': schedules " + std::to_string(k) +
                         ", zone '" + sc.zones[z].id + "': " + why);
  }
}

}  // namespace cohortgis::scenarios
