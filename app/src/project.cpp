// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/project.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::app {

namespace {

// Whether `run`'s error `e` is to be prefixed with its variant: the engine's messages name the step's years, zone,
// group and schedule, not the run, so among several variants the one to fix was not said ("year 2020–2025: OD
// migration built for 3 zones …"). Named here once for every engine error, not in each message; not where there is
// one run, nor where the message names the variant already (a scenario's own checks).
bool names_variant_once(const std::vector<const scenarios::Scenario*>& runs, const scenarios::Scenario& run,
                        const std::exception& e) {
  return runs.size() > 1 && std::string_view(e.what()).find("variant '" + run.variant + "'") == std::string_view::npos;
}

// One run through the engine: the engine, which holds the final population it returns.
std::pair<std::unique_ptr<Projection>, const CohortArray*> project_one(const scenarios::Scenario& run,
                                                                       ProjectionConfig pc, const ProjectOptions& o,
                                                                       VariantSink& sink) {
  // The config is moved in: its zone ids (1.6 MB at 50,000 zones) are not held twice while the run projects.
  auto engine = o.take_base_population ? std::make_unique<Projection>(std::move(pc), o.take_base_population(run))
                                       : std::make_unique<Projection>(std::move(pc), run.base_population);
  auto poll = [&] {
    if (o.before_step) {
      o.before_step();
      if (o.cancel && o.cancel->load()) throw ProjectionError("projection cancelled");
    }
  };
  // Schedules that nothing changes per step (no population-dependent adjustment, no parity fertility) are handed
  // to the engine by reference instead of copied into its buffer every step (one set of schedules less in memory).
  const bool shared = !run.adjust_schedules && !run.parity;
  // Population-dependent schedules (Scenario::adjust_schedules) read the step's start population from the engine
  // itself: between steps it holds that population, so nothing is copied per step.
  const CohortArray* start = &engine->population();
  ScheduleProvider schedules;
  if (!shared) {
    schedules = run.schedule_provider(&start);
    if (o.wrap_schedules) schedules = o.wrap_schedules(run, std::move(schedules));
  }
  const ScheduleSource checked = [&](const StepContext& ctx, StepSchedules& buffer) -> const StepSchedules& {
    poll();
    if (shared) return run.step_schedules(ctx.step);
    schedules(ctx, buffer);
    return buffer;
  };
  if (o.progress) {
    o.progress(run, 0, run.steps);
    // Stopped by the first report (Ctrl-C, the callback's own error, a fork in it: python/src/bind_run.cpp): before
    // the run's thread pool starts and faults in its arrays, not after.
    if (o.cancel && o.cancel->load()) throw ProjectionError("projection cancelled");
  }
  const CohortArray* final_population = &engine->run_shared(checked, sink);
  return {std::move(engine), final_population};
}

ProjectSummary project_runs(std::vector<const scenarios::Scenario*> runs, const ProjectOptions& o, VariantSink& sink) {
  check_threads(o.threads, "threads");
  ProjectSummary summary;
  summary.threads = resolve_threads(o.threads);
  // One projection per run (the engine runs one scenario at a time).
  for (const scenarios::Scenario* run_ptr : runs) {
    const scenarios::Scenario& run = *run_ptr;
    ProjectionConfig pc = run.projection_config();
    pc.threads = summary.threads;
    pc.cancel = o.cancel;
    if (o.progress) pc.progress = [&](int done, int total) { o.progress(run, done, total); };
    sink.begin_variant(run);
    if (o.configure) o.configure(run, pc);
    std::unique_ptr<Projection> engine;
    const CohortArray* final_population = nullptr;
    try {
      std::tie(engine, final_population) = project_one(run, std::move(pc), o, sink);
    } catch (const InputError& e) {
      if (!names_variant_once(runs, run, e)) throw;
      throw InputError("variant '" + run.variant + "': " + e.what());
    } catch (const ProjectionError& e) {
      if (!names_variant_once(runs, run, e) || (o.cancel && o.cancel->load())) throw;  // a stop names no variant
      throw ProjectionError("variant '" + run.variant + "': " + e.what());
    }
    sink.end_variant(run, *final_population, engine);
    summary.runs.push_back(run_ptr);
  }
  return summary;
}

}  // namespace

std::vector<const scenarios::Scenario*> select_runs(const scenarios::ScenarioSet& set,
                                                    const std::vector<std::string>& variants,
                                                    const std::string& option) {
  if (set.runs.empty()) throw InputError(set.file + ": the scenario set has no runs");
  std::vector<const scenarios::Scenario*> runs{&set.runs.front()};
  for (const auto& name : variants) {
    if (name == "baseline") continue;
    const auto it =
        std::find_if(set.runs.begin() + 1, set.runs.end(), [&](const auto& r) { return r.variant == name; });
    if (it == set.runs.end()) {
      std::string have;
      for (std::size_t r = 1; r < set.runs.size(); ++r) have += (have.empty() ? "" : ", ") + set.runs[r].variant;
      throw InputError(option + ": '" + name + "' is not a variant of " + set.file +
                       " (variants: " + (have.empty() ? "none" : have) + ")");
    }
    if (std::find(runs.begin(), runs.end(), &*it) == runs.end()) runs.push_back(&*it);
  }
  if (variants.empty())
    for (std::size_t r = 1; r < set.runs.size(); ++r) runs.push_back(&set.runs[r]);
  return runs;
}

ProjectSummary project(const scenarios::ScenarioSet& set, const ProjectOptions& o, VariantSink& sink) {
  return project_runs(select_runs(set, o.variants, o.variants_option), o, sink);
}

ProjectSummary project(const scenarios::Scenario& scenario, const ProjectOptions& o, VariantSink& sink) {
  return project_runs({&scenario}, o, sink);
}

}  // namespace cohortgis::app
