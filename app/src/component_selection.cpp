// SPDX-License-Identifier: Apache-2.0
#include "component_selection.hpp"

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::app {

ComponentSelection parse_components(const std::vector<std::string>& names, const std::string& option) {
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return {};
  if (names.size() == 1 && names[0] == "none") return ComponentSelection::none();
  ComponentSelection s = ComponentSelection::none();
  for (const auto& name : names) {
    if (name == "all" || name == "none")
      throw InputError(option + ": '" + name + "' must be given alone, not with other components");
    const auto c = scenarios::component_named(name);
    if (!c)
      throw InputError(option + ": '" + geodata::escape_cell(name) +
                       "' is not a component (valid: " + scenarios::component_name_list() + "; or all, or none)");
    s.set(*c, true);
  }
  return s;
}

}  // namespace cohortgis::app
