// SPDX-License-Identifier: Apache-2.0
#include "component_selection.hpp"

#include <algorithm>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::app {

bool ComponentSelection::any() const {
  return std::any_of(on_.begin(), on_.end(), [](bool b) { return b; });
}
bool ComponentSelection::all() const {
  return std::all_of(on_.begin(), on_.end(), [](bool b) { return b; });
}

std::vector<std::string> ComponentSelection::names() const {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < kComponentCount; ++k)
    if (on_[k]) out.emplace_back(kComponentNames[k]);
  return out;
}

ComponentSelection parse_components(const std::vector<std::string>& names, const std::string& option) {
  const auto valid = [] {
    std::string v;
    for (const char* n : kComponentNames) v += std::string(v.empty() ? "" : ", ") + n;
    return v + "; or all, or none";
  };
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return {};
  if (names.size() == 1 && names[0] == "none") return ComponentSelection::none();
  ComponentSelection s = ComponentSelection::none();
  for (const auto& name : names) {
    if (name == "all" || name == "none")
      throw InputError(option + ": '" + name + "' must be given alone, not with other components");
    const auto it = std::find(kComponentNames.begin(), kComponentNames.end(), name);
    if (it == kComponentNames.end())
      throw InputError(option + ": '" + geodata::escape_cell(name) + "' is not a component (valid: " + valid() + ")");
    s.set(static_cast<Component>(it - kComponentNames.begin()), true);
  }
  return s;
}

}  // namespace cohortgis::app
