// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/output_components.hpp"

#include <algorithm>

namespace cohortgis::scenarios {

std::optional<Component> component_named(std::string_view name) {
  const auto it = std::find(kComponentNames.begin(), kComponentNames.end(), name);
  if (it == kComponentNames.end()) return std::nullopt;
  return static_cast<Component>(it - kComponentNames.begin());
}

std::string component_name_list() {
  std::string v;
  for (const char* n : kComponentNames) v += std::string(v.empty() ? "" : ", ") + n;
  return v;
}

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

}  // namespace cohortgis::scenarios
