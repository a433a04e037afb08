// SPDX-License-Identifier: Apache-2.0
// Multi-regional projection (docs/ccmpp.md Part B), the facade: checks of the run, the loop over steps and the sink.
// The step itself: step_plan.hpp (what a step does), step_runner.cpp/step_flows.cpp (the zones' passes),
// step_kernels.cpp (vector kernels); the OD index: od_migration.cpp.
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/sink_inputs.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"

#include <oneapi/tbb/info.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "engine_support.hpp"
#include "large_arrays.hpp"
#include "step_runner.hpp"

namespace cohortgis {

using detail::fmt;

namespace {

bool same_doubles(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.data() == b.data() || a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Issue #16 (memory): while a run with indicators projects, its zone ids are held once, as the first unit names of
// the indicator table (they were there and in the config: 1.6 MB each at 50,000 zones), and handed back to the config
// when the run ends, an error's end included. Declared after the table: it takes them back before the table goes.
class ZoneIdsInTable {
 public:
  ZoneIdsInTable(std::vector<std::string>& ids, IndicatorTable& table, const std::vector<ZoneAggregate>& aggregates)
      : ids_(ids), names_(table.unit_names), zones_(ids.size()) {
    names_.clear();
    names_.reserve(zones_ + aggregates.size());  // exactly: pushed past a copy's capacity, it would double
    for (std::string& id : ids_) names_.push_back(std::move(id));
    for (const auto& a : aggregates) names_.push_back(a.name);
    std::vector<std::string>().swap(ids_);
  }
  ~ZoneIdsInTable() {  // no allocation: the names' own array, cut to the zones
    ids_.swap(names_);
    ids_.resize(zones_);
  }
  ZoneIdsInTable(const ZoneIdsInTable&) = delete;
  ZoneIdsInTable& operator=(const ZoneIdsInTable&) = delete;

 private:
  std::vector<std::string>& ids_;
  std::vector<std::string>& names_;
  std::size_t zones_;
};

}  // namespace

bool same_mortality(const StepSchedules& a, const StepSchedules& b) {
  return a.mortality_kind == b.mortality_kind && a.person_years_layout == b.person_years_layout &&
         same_doubles(a.mortality, b.mortality) && same_doubles(a.radix_l0, b.radix_l0) && same_doubles(a.l65, b.l65) &&
         same_doubles(a.mortality_next, b.mortality_next);
}

// ---------------------------------------------------------------------------------------------------------------
void KeepPopulationsSink::base(const CohortArray& population, int year) {
  years.push_back(year);
  populations.push_back(population);
}
void KeepPopulationsSink::step(const StepResult& r) {
  years.push_back(r.context.end_year);
  populations.push_back(r.end);
}

// ---------------------------------------------------------------------------------------------------------------
void check_threads(int threads, const std::string& option) {
  if (threads < 0 || threads > kMaxThreads)
    throw InputError(option + ": " + std::to_string(threads) + "; expected 0 (all cores) or 1 to " +
                     std::to_string(kMaxThreads) + " worker threads");
}

int resolve_threads(int threads) { return threads > 0 ? threads : tbb::info::default_concurrency(); }

Projection::Projection(ProjectionConfig config, CohortArray base_population)
    : config_(std::move(config)), layout_(base_population.layout()), population_(std::move(base_population)) {
  check_threads(config_.threads, "projection threads");
  config_.grid.validate();
  if (!(layout_.grid == config_.grid))
    throw InputError("base population: its age grid does not match the projection's (" +
                     std::to_string(layout_.grid.n_ages) + " ages of " + std::to_string(layout_.grid.width_years) +
                     " years vs " + std::to_string(config_.grid.n_ages) + " of " +
                     std::to_string(config_.grid.width_years) + ")");
  if (layout_.zones < 1 || layout_.groups < 1) throw InputError("base population: no zones or no groups");
  if (config_.steps < 0) throw InputError("projection: the number of steps must be ≥ 0");
  if (config_.zone_ids.empty())
    for (int z = 0; z < layout_.zones; ++z) config_.zone_ids.push_back(std::to_string(z));
  if (config_.group_names.empty()) {
    if (layout_.groups == 1)
      config_.group_names = {"total"};
    else
      for (int g = 0; g < layout_.groups; ++g) config_.group_names.push_back("group" + std::to_string(g));
  }
  if (config_.zone_ids.size() != uz(layout_.zones))
    throw InputError("projection: " + std::to_string(config_.zone_ids.size()) + " zone ids for " +
                     std::to_string(layout_.zones) + " zones");
  if (config_.group_names.size() != uz(layout_.groups))
    throw InputError("projection: " + std::to_string(config_.group_names.size()) + " group names for " +
                     std::to_string(layout_.groups) + " groups");
  // One vector pass when every value is fine (finite and ≥ 0, as below), the loop that names the first bad one
  // otherwise; then whether one is −0.
  const std::span<const double> persons = population_.data();
  const bool fine = detail::all_within(persons.data(), persons.size(), 0.0, std::numeric_limits<double>::max());
  for (int z = 0; z < (fine ? 0 : layout_.zones); ++z)
    for (int g = 0; g < layout_.groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < layout_.grid.n_ages; ++i) {
          const double v = population_.at(z, g, s, i);
          if (!std::isfinite(v) || v < 0.0)
            throw InputError("base population, zone '" + config_.zone_ids[uz(z)] + "', group '" +
                             config_.group_names[uz(g)] + "', sex " + sex_name(static_cast<Sex>(s)) + ", age " +
                             std::to_string(layout_.grid.age_start(i)) + ": " + fmt(v) +
                             " persons; expected a finite number ≥ 0");
        }
  no_minus_zero_ = !detail::any_sign_bit(persons.data(), persons.size());  // ≥ 0: a sign bit is a −0
  for (const auto& a : config_.aggregates)
    for (int z : a.zones)
      if (z < 0 || z >= layout_.zones)
        throw InputError("aggregate '" + a.name + "': zone index " + std::to_string(z) + " is not a zone");
  // next_ (the steps' end population) is allocated by the first run, in its arena (run_shared).
}

const CohortArray& Projection::run(const ScheduleProvider& provider, ResultSink& sink) {
  return run_shared(
      [&provider](const StepContext& ctx, StepSchedules& buffer) -> const StepSchedules& {
        provider(ctx, buffer);
        return buffer;
      },
      sink);
}

const CohortArray& Projection::run_shared(const ScheduleSource& source, ResultSink& sink) {
  check_threads(config_.threads, "projection threads");
  ThreadArena arena(config_.threads);  // the run's threads (thread_arena.hpp)
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate(config_.aggregates, layout_.zones);
  StepSchedules buffer;  // the engine's own schedules: filled by a ScheduleProvider, or a copy when it must write
  StepComponents components;
  IndicatorTable indicators;
  detail::RunWorkspace workspace;  // lives for one run: survival ratios of the last step, per-zone lists, scratch
  const StepSchedules* last_shared = nullptr;    // the last step's schedules when they were handed by reference
  std::vector<std::vector<double>> folded_ends;  // the folded aggregates' end sums of the last step (keep_end_sums)
  std::vector<detail::ZoneCarry> zone_start_totals;  // the last step's end chains, medians (carry_zone_start_totals)
  bool zone_totals_given = false;         // written by the last step's pass, every zone
  std::optional<ZoneIdsInTable> ids_in_table;  // the table names the units (zone ids, aggregates) from here
  if (config_.indicators) {
    ids_in_table.emplace(config_.zone_ids, indicators, aggregates);
    workspace.zone_ids = &indicators.unit_names;  // their zones' names for the step's errors
  }
  sink.base(population_, config_.base_year);
  // The end population: every cell is written by each step, so it is allocated (not cleared) once, by the first run
  // that steps; in the arena, where the run's threads fault in its pages (large_arrays.hpp: a state-sized array's
  // fresh pages zeroed on this thread alone were most of a five-year run's serial work at 40,000 zones). After the
  // base year is written: a sink that writes it in line (at 50,000 zones the run's peak RSS was there) does not hold
  // it too (bench/HISTORY.md "Round 28: memory at 50,000 zones (h174)").
  if (config_.steps > 0 && next_.data().size() != layout_.cells())
    arena.execute([&] {
      const detail::ParallelFirstTouch first_touch;
      next_ = CohortArray(layout_);
    });
  // A sink that reads neither the start population nor the births by age (sink_inputs.hpp): the steps may give their
  // memory back as their zone pass goes (StepRunner::give_back_read_arrays), the end population's first (every cell
  // is written again), so that the first step holds no more than the others.
  const auto* inputs = dynamic_cast<const SinkInputs*>(&sink);
  const bool give_back = inputs && !inputs->reads_start_and_births_by_age();
  if (give_back) detail::give_back_pages(next_.data().data(), next_.data().size() * sizeof(double));
  const CohortArray none;  // the start population the sink gets where the step gave it back
  std::vector<double> births_by_age_given_back, exposure_given_back;  // their storage while the sink has the step
  for (int step = 0; step < config_.steps; ++step) {
    if (config_.cancel && config_.cancel->load()) throw ProjectionError("projection cancelled");
    StepContext ctx{step, config_.base_year + step * config_.grid.width_years,
                    config_.base_year + (step + 1) * config_.grid.width_years};
    const StepSchedules* given = &source(ctx, buffer);
    // A provider's own objects stay unchanged for the run (ScheduleSource), so the last step's is still there to
    // compare with: the same mortality means the same life tables, reused as under the hint of a provider that
    // fills the buffer (a scenario's schedules that change by five-year period, or not at all).
    workspace.cache.same_as_last = given != &buffer && !config_.mortality_in_place && last_shared &&
                                   (given == last_shared || same_mortality(*given, *last_shared));
    last_shared = given != &buffer ? given : nullptr;
    if (given != &buffer && config_.mortality_in_place) {  // the step may write survival ratios over the mx rows
      buffer = *given;
      given = &buffer;
    }
    // Schedules given once for every zone (zone_shared_schedules.hpp) are read so by the flow step and the
    // indicators; the multistate step reads every zone's, so it gets them written out (a copy each step).
    if (config_.method == ProjectionMethod::multistate && has_zone_shared_schedules(*given, layout_)) {
      if (given != &buffer) buffer = *given;
      expand_zone_shared_schedules(buffer, layout_);
      given = &buffer;
    }
    const StepSchedules& schedules = *given;
    StepSchedules* const writable = given == &buffer ? &buffer : nullptr;
    bool gave_back = false;
    arena.execute([&] {
      const detail::ParallelFirstTouch first_touch;  // the step's new large arrays: faulted in by the run's threads
      // Indicators: a zone's in the step's zone pass, right after its step (its cells still in cache), unless a step
      // adjuster changes the end population afterwards; the aggregates (and what the step left) after the step.
      // (With indicators the mx rows are never overwritten by the step: StepPlan::in_place.)
      std::optional<detail::IndicatorPass> pass;
      if (config_.indicators) {
        std::span<const double> mx;
        if (schedules.mortality_kind == MortalityInput::death_rates) mx = schedules.mortality;
        pass.emplace(population_, next_, components, schedules.asfr, mx, config_.zone_ids, config_.group_names,
                     aggregates, config_.extra_age_bands, config_.life_table_method, indicators, true);
        if (!mx.empty()) pass->set_mortality_next(schedules.mortality_next);
        if (schedules.mortality_kind == MortalityInput::person_years)
          pass->set_person_years(schedules.mortality, schedules.radix_l0, schedules.person_years_layout);
        pass->set_sex_ratio_at_birth(schedules.srb);
        pass->start_sums_from(folded_ends);
        pass->carry_zone_start_totals(zone_start_totals, zone_totals_given);
      }
      workspace.start_no_minus_zero = no_minus_zero_;
      detail::StepRunner runner(config_, layout_, ctx, schedules, writable, population_, next_, components, workspace);
      if (pass && !config_.step_adjuster) runner.set_indicators(&*pass);
      if (give_back) runner.give_back_read_arrays(&population_);
      runner.run();
      gave_back = runner.gave_back();
      if (config_.step_adjuster) config_.step_adjuster(ctx, population_, next_, components);
      if (pass) pass->units_from(runner.zone_indicators_done() ? pass->zones() : 0);
      if (pass)
        pass->keep_end_sums(folded_ends);
      else
        folded_ends.clear();
      // Every zone's unit ran (above) on the end population that the swap below makes the next step's start.
      zone_totals_given = pass && pass->carries_zone_start_totals();
    });
    // What the step gave back reaches the sink empty (a sink that read it would read fresh pages, not the values).
    if (gave_back) {
      births_by_age_given_back.swap(components.births_by_mother_age);
      exposure_given_back.swap(components.women_exposure);
    }
    sink.step(
        StepResult{ctx, gave_back ? none : population_, next_, components, config_.indicators ? &indicators : nullptr});
    if (gave_back) {  // the next step writes them in place again
      births_by_age_given_back.swap(components.births_by_mother_age);
      exposure_given_back.swap(components.women_exposure);
    }
    buffer.mortality_unchanged = false;  // a hint holds for one step only
    // A flow step's Part A keeps a population free of −0 (no_minus_zero_); a step adjuster's changes are not followed
    // (a multistate run never reads the flag).
    no_minus_zero_ = no_minus_zero_ && !config_.step_adjuster;
    std::swap(population_, next_);
    if (config_.progress) config_.progress(step + 1, config_.steps);
  }
  mortality_builds_ = workspace.cache.builds;
  mortality_shared_ = workspace.cache.shared;
  return population_;
}

}  // namespace cohortgis
