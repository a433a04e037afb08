// SPDX-License-Identifier: Apache-2.0
// The per-cell components a run writes (the variables of results.nc and the `component` values of components.csv):
// one list of names for the scenario file's `[outputs] components` (scenario_file.cpp) and for `cohortgis run
// --components` / Python `write_outputs(components=…)` (app/src/component_selection.hpp). The sums behind
// indicators.csv, plan_periods.csv and the report do not depend on the selection; only what is written does.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohortgis::scenarios {

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

// The component called `name` (as in kComponentNames), or none.
std::optional<Component> component_named(std::string_view name);
// "births, newborn_transfer_in, …, planning_adjustment": for messages that list the valid names.
std::string component_name_list();

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
  bool operator==(const ComponentSelection&) const = default;

 private:
  std::array<bool, kComponentCount> on_{};
};

}  // namespace cohortgis::scenarios
