// SPDX-License-Identifier: Apache-2.0
// The in-memory facade: projects every variant of a loaded scenario into a sink, with the orchestration the command
// line uses (variants in order, population-dependent schedules, cancellation between steps, progress). The sink sees
// the results as the engine produces them; nothing is written to disk here.
//
//   cohortgis::app::run (run.hpp)   = load the scenario file + project(set, …, the CSV-writing sink) + maps,
//                                     report and manifest.json;
//   Python's cohortgis.run          = project(scenario, …, a sink that keeps NumPy-viewable arrays).
//
// A library user loads or builds a scenario (scenarios::load_scenario_file, or a Scenario filled in code) and
// derives from VariantSink:
//
//   struct Totals : cohortgis::app::VariantSink {
//     void step(const cohortgis::StepResult& r) override { /* r.end: population at r.context.end_year */ }
//   } sink;
//   cohortgis::app::project(set, {}, sink);
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::app {

// Receives each run in turn: begin_variant, base (the base population), step (once per step, in order),
// end_variant. A run that throws (bad schedules, cancellation) gets no end_variant.
class VariantSink : public ResultSink {
 public:
  virtual void begin_variant(const scenarios::Scenario& /*run*/) {}
  // final_population: the engine's own buffer after the last step (Projection::run's return value); it lives as
  // long as `engine`. A sink that keeps a reference to it takes the engine (std::move(engine)); otherwise both are
  // freed when end_variant returns.
  virtual void end_variant(const scenarios::Scenario& /*run*/, const CohortArray& /*final_population*/,
                           std::unique_ptr<Projection>& /*engine*/) {}
};

struct ProjectOptions {
  int threads = 0;  // 0: all cores; at most kMaxThreads
  // Variants of a ScenarioSet to run after the baseline (names from the scenario file; "baseline" is ignored);
  // empty: every variant, in file order. An unknown name throws InputError naming `variants_option`.
  std::vector<std::string> variants;
  std::string variants_option = "variants";  // e.g. "--variant" for the command line
  std::atomic<bool>* cancel = nullptr;       // set to true (signal handler, other thread) to stop between steps
  // On the calling thread: (run, 0, steps) before a run's first step, (run, k, steps) after its step k.
  std::function<void(const scenarios::Scenario& run, int done_steps, int total_steps)> progress;
  // On the calling thread before every step, e.g. to poll for a pending Ctrl-C and set *cancel; a set *cancel then
  // stops the run before the step (ProjectionError "projection cancelled").
  std::function<void()> before_step;
  // Per run, after VariantSink::begin_variant: may change the engine's configuration (e.g. the control totals' and
  // capacity's step adjuster, planning_output.hpp) and wrap the run's schedules (e.g. parity-specific fertility,
  // parity_output.hpp). Unset: the scenario's own configuration and schedules. wrap_schedules is called only for
  // runs with parity inputs or population-dependent schedules (Scenario::parity, adjust_schedules): the others hand
  // the scenario's schedules to the engine by reference (Projection::run_shared), not through a provider.
  std::function<void(const scenarios::Scenario& run, ProjectionConfig& config)> configure;
  std::function<ScheduleProvider(const scenarios::Scenario& run, ScheduleProvider schedules)> wrap_schedules;
  // Per run, after configure: the base population the engine projects, moved out of a scenario the caller owns and
  // does not read again (the command line: one state-sized array less while the run projects, 14.4 MB at 50,000
  // zones). Unset: the engine copies run.base_population.
  std::function<CohortArray(const scenarios::Scenario& run)> take_base_population;
};

struct ProjectSummary {
  int threads = 0;                               // worker threads used
  std::vector<const scenarios::Scenario*> runs;  // the runs done, in order (baseline first); point into the input
};

// The runs `variants` selects, in the order project() runs them: the baseline, then the named variants in the order
// given ("baseline" ignored, repeats once), or every variant in file order when `variants` is empty. An unknown name
// throws InputError naming `option` and the variants there are.
std::vector<const scenarios::Scenario*> select_runs(const scenarios::ScenarioSet& set,
                                                    const std::vector<std::string>& variants, const std::string& option);

// Every run of the set that options.variants selects: the baseline, then the variants. The set (and the
// scenarios) must outlive the call; the set is already validated by its loader. Throws InputError /
// ProjectionError as the engine and the scenario's schedules do; the sink's exceptions pass through.
ProjectSummary project(const scenarios::ScenarioSet& set, const ProjectOptions& options, VariantSink& sink);
// One scenario (a baseline or one variant, e.g. built in Python); options.variants is not used. The caller
// validates it first (Scenario::validate).
ProjectSummary project(const scenarios::Scenario& scenario, const ProjectOptions& options, VariantSink& sink);

}  // namespace cohortgis::app
