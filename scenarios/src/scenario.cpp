// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/scenario.hpp"

#include <algorithm>

namespace cohortgis::scenarios {

std::string PlanPeriod::label() const {
  if (first_year == last_year) return std::to_string(first_year);
  return std::to_string(first_year) + "-" + std::to_string(last_year);
}

std::vector<std::string> Scenario::zone_ids() const {
  std::vector<std::string> ids;
  ids.reserve(zones.size());
  for (const auto& z : zones) ids.push_back(z.id);
  return ids;
}

void Scenario::validate() const {
  const std::string what = "scenario '" + name + "'";
  grid.validate();
  if (zones.empty()) throw InputError(what + ": no zones");
  if (group_names.empty()) throw InputError(what + ": no population groups");
  const CohortLayout want{static_cast<int>(zones.size()), static_cast<int>(group_names.size()), grid};
  if (!(base_population.layout() == want) || base_population.data().size() != want.cells())
    throw InputError(what + ": the base population does not match its zones, groups and age grid");
  if (steps < 0) throw InputError(what + ": negative number of steps");
  if (steps > 0 && schedules.size() != 1 && schedules.size() != static_cast<std::size_t>(steps))
    throw InputError(what + ": " + std::to_string(schedules.size()) + " schedule sets for " + std::to_string(steps) +
                     " steps; expected one per step or one for all");
  for (std::size_t a = 0; a < zones.size(); ++a)
    for (std::size_t b = a + 1; b < zones.size(); ++b)
      if (zones[a].id == zones[b].id) throw InputError(what + ": zone id '" + zones[a].id + "' appears twice");
  for (const auto& p : plan_periods) {
    const int z = grid.width_years;
    const bool on_grid = (p.first_year - 1 - base_year) % z == 0 && (p.last_year - base_year) % z == 0;
    if (p.first_year > p.last_year || p.first_year - 1 < base_year || p.last_year > end_year() || !on_grid)
      throw InputError(what + ": plan period " + p.label() + " does not fall on the projection's steps (" +
                       std::to_string(base_year) + " to " + std::to_string(end_year()) + " in " + std::to_string(z) +
                       "-year steps)");
  }
}

ProjectionConfig Scenario::projection_config() const {
  ProjectionConfig c;
  c.grid = grid;
  c.zone_ids = zone_ids();
  c.group_names = group_names;
  c.base_year = base_year;
  c.steps = steps;
  c.migration_timing = migration_timing;
  c.flow_policy = flow_policy;
  c.life_table_method = life_table_method;
  c.aggregates = aggregates;
  return c;
}

ScheduleProvider Scenario::schedule_provider() const {
  return [this](const StepContext& ctx, StepSchedules& out) {
    // The engine reuses its buffer across steps, so every field is assigned (not merged).
    out = schedules.size() == 1 ? schedules.front() : schedules.at(static_cast<std::size_t>(ctx.step));
  };
}

ScheduleProvider Scenario::schedule_provider(const CohortArray* const* start_population) const {
  return [this, start_population](const StepContext& ctx, StepSchedules& out) {
    out = schedules.size() == 1 ? schedules.front() : schedules.at(static_cast<std::size_t>(ctx.step));
    if (adjust_schedules) {
      if (!start_population || !*start_population)
        throw InputError("scenario '" + name + "': population-dependent schedules need the start population");
      adjust_schedules(ctx, **start_population, out);
    }
  };
}

Scenario build_scenario(const std::string& name, const std::string& data_dir) {
  if (name == "beijing-2020-embedded") return beijing_2020(data_dir);
  throw InputError("scenario '" + name +
                   "': not a built-in scenario; give a scenario file (.toml) or 'default'");
}

}  // namespace cohortgis::scenarios
