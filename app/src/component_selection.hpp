// SPDX-License-Identifier: Apache-2.0
// Which per-cell components a run writes (RunConfig::components, `cohortgis run --components`): the variables of
// results.nc and the `component` values of components.csv. The sums behind indicators.csv, plan_periods.csv and the
// report do not depend on it; only what is written does.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace cohortgis::app {

// In the order components.csv writes them (docs/results.md "components.csv").
enum class Component : std::size_t {
  births,
  newborn_transfer_in,
  newborn_transfer_out,
  deaths,
  net_migration,
  transfer_in,
  transfer_out,
  floor_adjustment,
  planning_adjustment,  // components.csv only (runs with [controls] or [capacity])
};
inline constexpr std::size_t kComponentCount = static_cast<std::size_t>(Component::planning_adjustment) + 1;
inline constexpr std::array<const char*, kComponentCount> kComponentNames{
    "births",       "newborn_transfer_in", "newborn_transfer_out", "deaths", "net_migration", "transfer_in",
    "transfer_out", "floor_adjustment",    "planning_adjustment"};

class ComponentSelection {
 public:
  ComponentSelection() { on_.fill(true); }  // all
  static ComponentSelection none() {
    ComponentSelection s;
    s.on_.fill(false);
    return s;
  }
  bool has(Component c) const { return on_[static_cast<std::size_t>(c)]; }
  bool any() const;
  bool all() const;
  void set(Component c, bool on) { on_[static_cast<std::size_t>(c)] = on; }
  std::vector<std::string> names() const;  // those selected, in kComponentNames order

 private:
  std::array<bool, kComponentCount> on_{};
};

// `names`: component names, or "all" (also an empty list) or "none" alone. Throws InputError naming `option` and
// listing the valid names for an unknown or empty name, or "all"/"none" among others.
ComponentSelection parse_components(const std::vector<std::string>& names, const std::string& option);

}  // namespace cohortgis::app
