// SPDX-License-Identifier: Apache-2.0
// Runs from Python: the engine projects with the GIL released; results stay in C++ buffers that NumPy views
// without copying; progress and Ctrl-C are handled between steps.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/app/not_finite.hpp"
#include "cohortgis/app/parity_indicators.hpp"
#include "cohortgis/app/project.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/parity.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/mortality_checks.hpp"
#include "cohortgis/scenarios/newborn_checks.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

// Everything one run produced. Buffers are sized before the run and never reallocated, so the NumPy views
// handed out (whose base is the Python object owning this) stay valid for as long as any of them lives.
struct RunResult {
  std::string scenario, variant, title;
  AgeGrid grid;
  int base_year = 0, steps = 0;
  std::vector<int> years;  // base year, then each step's end year
  std::vector<std::string> zone_ids, group_names, unit_names, group_slots, indicator_names;
  std::vector<std::string> zone_names, zone_names_en;  // as results.nc's zone_name, zone_name_en (to_xarray)
  // [year][zone][group][sex][age], written once by the sink (base, then each step): allocated without the zero fill
  // a std::vector would write over it first, a pass over (steps + 1) states of memory.
  std::unique_ptr<double[]> population;
  std::vector<double> indicators;                     // [year][unit][group slot][indicator]; base year: flows are NaN
  std::vector<double> births, deaths, net_migration;  // [step][zone][group][sex]
  // run(components_by_age=True): components.csv's per-cell components [component][step][zone][group][sex][age]
  // (kCellComponents); empty otherwise.
  std::vector<double> cell_components;
  // [fertility] parity_rates: the parity states beside the engine while it runs (as the run job's
  // parity_output.hpp; freed when the run ends), and the shares of the women of each cell by parity
  // [year][zone][group][parity][age]; empty without parity.
  std::unique_ptr<ParityProjection> parity;
  std::vector<double> parity_shares;
  // parity.csv's indicators (app/parity_indicators.hpp) [step][unit][indicator]: zones, then the aggregates.
  std::vector<std::string> parity_indicator_names;
  std::vector<double> parity_indicators;
  double seconds = 0.0;

  std::size_t cells() const { return zone_ids.size() * group_names.size() * kSexes * uz(grid.n_ages); }
  std::size_t states() const { return zone_ids.size() * group_names.size() * kSexes; }
  bool by_age() const { return !cell_components.empty(); }
  std::size_t indicator_cells() const { return unit_names.size() * group_slots.size() * indicator_names.size(); }
  // The last year of `population`: the engine's final population, copied there by its last step (the engine itself
  // is freed when the run ends, with its two state-sized arrays).
  const double* final_population() const { return population.get() + uz(steps) * cells(); }
};

// The per-cell components run(components_by_age=True) keeps, as components.csv names them (docs/results.md): deaths
// by age at the end of the step, the others by age at its start; net_migration without the moves between groups.
const std::vector<std::string> kCellComponents = {"deaths", "net_migration", "transfer_in", "transfer_out",
                                                  "floor_adjustment"};

double cell_of(const CohortArray& a, std::size_t cell) { return a.empty() ? 0.0 : a.data()[cell]; }

// project()'s sink: copies each step into the result's buffers as the engine produces it.
class StoreSink : public app::VariantSink {
 public:
  StoreSink(RunResult& r, const scenarios::Scenario& sc)
      : r_(r), sc_(sc), aggregates_(with_total_aggregate(sc.aggregates, static_cast<int>(sc.zones.size()))) {}

  void base(const CohortArray& population, int year) override {
    std::copy(population.data().begin(), population.data().end(), r_.population.get());
    keep_parity_shares(0);
    IndicatorTable t;
    compute_population_indicators(population, sc_.zone_ids(), sc_.group_names, aggregates_, sc_.indicator_bands, t);
    take_names(t);
    t.copy_units(0, t.unit_names.size(), r_.indicators.data());
    const std::size_t n = t.n_indicators();
    for (std::size_t k = 0; k < n; ++k)
      if (!is_stock_indicator(t.indicator_names[k]))
        for (std::size_t c = k; c < t.full_size(); c += n) r_.indicators[c] = std::numeric_limits<double>::quiet_NaN();
    r_.years.push_back(year);
  }

  void step(const StepResult& s) override {
    check_finite(s);
    const std::size_t k = uz(s.context.step);
    std::copy(s.end.data().begin(), s.end.data().end(), r_.population.get() + (k + 1) * r_.cells());
    if (r_.parity) r_.parity->advance(s);  // births by order and the cohorts' parities one step on
    keep_parity_shares(k + 1);
    keep_parity_indicators(k);
    if (s.indicators) {
      const IndicatorTable& t = *s.indicators;
      if (t.full_size() != r_.indicator_cells()) throw ProjectionError("indicator table changed shape between steps");
      t.copy_units(0, t.unit_names.size(), r_.indicators.data() + (k + 1) * r_.indicator_cells());
    }
    const std::size_t n = r_.states();
    const auto put = [&](const std::vector<double>& from, std::vector<double>& to) {
      if (from.size() == n) std::copy(from.begin(), from.end(), to.begin() + static_cast<std::ptrdiff_t>(k * n));
    };
    put(s.components.births, r_.births);
    put(s.components.deaths_by_state, r_.deaths);
    put(s.components.net_migrants_by_state, r_.net_migration);
    if (r_.by_age()) keep_cell_components(k, s.components);
    r_.years.push_back(s.context.end_year);
  }

 private:
  // A population or flow that overflowed stops the run as write_outputs and the command line stop it (not_finite.hpp:
  // the year, the cell, and the `[migration] net_rate` row to check first, a copy's too): run() returned arrays of
  // inf and NaN without a word (a net rate of 1e300 per person overflows within two steps).
  void check_finite(const StepResult& s) const {
    const auto finite = [](const auto& v) {
      return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
    };
    const int year = s.context.end_year;
    if (!finite(s.end.data())) app::throw_not_finite(sc_, s.end, "", -1, year);  // names the cell
    const std::size_t per_zone = sc_.group_names.size() * kSexes;
    for (const std::vector<double>* v :
         {&s.components.births, &s.components.deaths_by_state, &s.components.net_migrants_by_state})
      for (std::size_t i = 0; i < v->size(); ++i)
        if (!std::isfinite((*v)[i])) {
          const std::size_t z = i / per_zone;
          app::throw_not_finite(sc_, s.end, z < sc_.zones.size() ? sc_.zones[z].id : "", static_cast<int>(z), year);
        }
  }
  // As components.csv's rows (app/src/results_writer.cpp), every cell (0 included).
  void keep_cell_components(std::size_t step, const StepComponents& c) {
    const std::size_t cells = r_.cells(), per = uz(r_.steps) * cells;
    double* out = r_.cell_components.data() + step * cells;
    for (std::size_t i = 0; i < cells; ++i) {
      const double t_in = cell_of(c.transfer_in, i), t_out = cell_of(c.transfer_out, i);
      out[i] = cell_of(c.deaths, i);
      out[per + i] = cell_of(c.net_migrants, i) - t_in + t_out;
      out[2 * per + i] = t_in;
      out[3 * per + i] = t_out;
      out[4 * per + i] = cell_of(c.floor_adjustment, i);
    }
  }
  void keep_parity_shares(std::size_t year_index) {
    if (!r_.parity) return;
    const std::vector<double>& sh = r_.parity->shares();
    std::copy(sh.begin(), sh.end(), r_.parity_shares.begin() + static_cast<std::ptrdiff_t>(year_index * sh.size()));
  }
  // The family-planning indicators of the step, per zone then per aggregate, as the run job's ParityRecorder::step.
  void keep_parity_indicators(std::size_t step) {
    if (!r_.parity) return;
    std::vector<std::vector<double>> rows;
    for (const ParityIndicators& z : r_.parity->indicators()) rows.push_back(app::parity_indicator_values(z));
    for (const ZoneAggregate& a : aggregates_)
      rows.push_back(app::parity_indicator_values(r_.parity->indicators_of(a.zones)));
    const std::size_t n = r_.parity_indicator_names.size(), per_step = r_.unit_names.size() * n;
    if (rows.size() * n != per_step)
      throw ProjectionError("parity indicators: units differ from the indicator table's");
    for (std::size_t u = 0; u < rows.size(); ++u)
      std::copy(rows[u].begin(), rows[u].end(),
                r_.parity_indicators.begin() + static_cast<std::ptrdiff_t>(step * per_step + u * n));
  }
  void take_names(const IndicatorTable& t) {
    r_.unit_names = t.unit_names;
    r_.group_slots = t.group_names;
    r_.indicator_names = t.indicator_names;
    r_.indicators.assign((uz(r_.steps) + 1) * r_.indicator_cells(), std::numeric_limits<double>::quiet_NaN());
  }
  RunResult& r_;
  const scenarios::Scenario& sc_;
  const std::vector<ZoneAggregate> aggregates_;  // the indicator table's aggregates, 'total' last
};

// `sc` is the Python object's own Scenario, not a copy (at W3k a copy is ~145 MB and ~0.1 s): the caller's argument
// keeps the object alive for the call, and ScenarioInUse makes its setters raise while the engine reads it with
// the GIL released (from another thread, or from this run's progress callback), so it cannot change mid-run.
std::shared_ptr<RunResult> run_scenario(const scenarios::Scenario& sc, int threads, py::object progress,
                                        const py::object& components_by_age_arg) {
  check_threads(threads, "threads");  // ValueError before anything is allocated
  const bool components_by_age = flag_of(components_by_age_arg, "components_by_age");
  sc.validate();
  scenarios::check_death_rate_schedules(sc);  // as the scenario loader checks the tables it reads
  scenarios::check_newborn_share_schedules(sc);
  const ScenarioInUse in_use(sc);  // released after the engine has stopped, with the GIL held again
  auto r = std::make_shared<RunResult>();
  r->scenario = sc.name;
  r->variant = sc.variant;
  r->grid = sc.grid;
  r->base_year = sc.base_year;
  r->steps = sc.steps;
  r->title = sc.title;
  r->zone_ids = sc.zone_ids();
  for (const auto& z : sc.zones) {
    r->zone_names.push_back(z.name);
    r->zone_names_en.push_back(z.name_en);
  }
  r->group_names = sc.group_names;
  r->population = std::make_unique_for_overwrite<double[]>((uz(sc.steps) + 1) * r->cells());
  r->births.assign(uz(sc.steps) * r->states(), 0.0);
  r->deaths.assign(uz(sc.steps) * r->states(), 0.0);
  r->net_migration.assign(uz(sc.steps) * r->states(), 0.0);
  if (components_by_age) r->cell_components.assign(kCellComponents.size() * uz(sc.steps) * r->cells(), 0.0);
  if (sc.parity) {  // InputError when the base's parity states do not sum to its women (engine/parity.hpp)
    r->parity = std::make_unique<ParityProjection>(sc.base_population.layout(), sc.zone_ids(), sc.group_names,
                                                   sc.parity->women_by_parity, sc.base_population);
    if (sc.parity->srb_by_order[0] > 0.0) r->parity->set_srb_by_order(sc.parity->srb_by_order);
    r->parity_shares.assign((uz(sc.steps) + 1) * r->cells() / kSexes * kParityStates, 0.0);
    r->parity_indicator_names = app::parity_indicator_names();
    const std::size_t units =
        sc.zones.size() + with_total_aggregate(sc.aggregates, static_cast<int>(sc.zones.size())).size();
    r->parity_indicators.assign(uz(sc.steps) * units * r->parity_indicator_names.size(),
                                std::numeric_limits<double>::quiet_NaN());
  }

  std::atomic<bool> cancel{false};
  std::optional<py::error_already_set> py_error;  // KeyboardInterrupt, or what the progress callback raised
  const pid_t caller_process = getpid();
  // Runs on the calling (main) thread between steps: takes the GIL briefly for the callback and for pending
  // signals. PyErr_CheckSignals runs Python's SIGINT handler, which raises KeyboardInterrupt; the engine is then
  // told to stop through its cancel flag.
  const auto poll = [&](int done, int total) {
    const HeldGil gil;
    if (py_error) return;
    if (interpreter_exiting()) {  // a daemon thread's run at exit: stopped without calling Python
      py_error.emplace(exit_error());
      cancel.store(true);
      return;
    }
    try {
      if (done >= 0 && !progress.is_none()) progress(done, total);
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (py::error_already_set& e) {
      py_error.emplace(std::move(e));
      cancel.store(true);
    }
    // Forked by the callback (or a signal handler) and returning in the child: the engine's oneTBB worker threads
    // are the parent's, and an idle one may have held the thread pool's lock at the fork (it would be held here for
    // good). The engine stops before its next step, with no parallel work in the child, and the child raises
    // RuntimeError, as write_outputs' (run_interruptibly) does; the parent goes on.
    if (getpid() != caller_process && !py_error) {
      PyErr_SetString(PyExc_RuntimeError, forked_child_message().c_str());
      py_error.emplace();
      cancel.store(true);
    }
  };

  // The orchestration of `cohortgis run` (app/project.hpp): the same engine configuration, population-dependent
  // schedules and cancellation between steps; the GIL is taken only in `poll`.
  app::ProjectOptions o;
  o.threads = threads;
  // RunResult keeps births and the per-state sums of deaths and net migrants, which the engine keeps in every mode;
  // its per-cell component arrays (deaths, flows, net migrants, floor adjustments by cell) are kept only when asked
  // for (components_by_age), else the engine neither fills nor holds them (tests/python/test_results.py compares
  // with the CLI's CSV).
  o.configure = [components_by_age](const scenarios::Scenario&, ProjectionConfig& pc) {
    pc.cell_components = components_by_age;
  };
  o.cancel = &cancel;
  o.progress = [&](const scenarios::Scenario&, int done, int total) { poll(done, total); };
  o.before_step = [&] { poll(-1, sc.steps); };  // Ctrl-C before a step starts, too
  StoreSink sink(*r, sc);
  // Parity runs set each step's ASFR from the parity states, as the run job does (app/src/parity_output.cpp).
  if (r->parity)
    o.wrap_schedules = [&](const scenarios::Scenario&, ScheduleProvider p) -> ScheduleProvider {
      return [&, p = std::move(p)](const StepContext& ctx, StepSchedules& s) {
        p(ctx, s);
        r->parity->before_step(ctx, sc.parity->rates_by_step[uz(ctx.step)], s, sc.life_table_method);
      };
    };
  const auto t0 = std::chrono::steady_clock::now();
  {
    const ReleasedGil release;
    try {
      app::project(sc, o, sink);
    } catch (...) {
      // A Python error stopped the run: it is the one to raise (the engine's "cancelled" is only its echo).
      if (!py_error) throw;
    }
  }
  // Raised only after the engine has stopped; the partial result is dropped with `r`.
  if (py_error) throw *py_error;
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r->parity.reset();  // its arrays (several states' worth) served the run; the shares are in parity_shares
  return r;
}

}  // namespace

HostSet::HostSet(const py::object& loaded, const py::object& runs, const std::string& what) {
  // Read by their items (elements_of; a list subclass whose len() lies was pybind11's "vector::reserve" or none), each
  // a Scenario: another object was pybind11's RuntimeError "Unable to cast Python instance to C++ type".
  std::vector<const scenarios::Scenario*> own;
  const std::vector<py::object> items = elements_of(runs, what + ": runs", "a list of cohortgis.Scenario");
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (!py::isinstance<scenarios::Scenario>(items[k]))
      throw py::type_error(what + ": run " + std::to_string(k) + ": expected a cohortgis.Scenario, got " +
                           type_name(items[k]));
    own.push_back(&items[k].cast<const scenarios::Scenario&>());
  }
  if (own.empty()) throw InputError(what + ": a scenario set without runs; expected a baseline");
  for (const scenarios::Scenario* r : own) in_use_.push_back(std::make_unique<ScenarioInUse>(*r));
  // Schedules set from Python since the set was loaded, checked as the loader checks the tables it reads.
  for (const scenarios::Scenario* r : own) {
    scenarios::check_death_rate_schedules(*r);
    scenarios::check_newborn_share_schedules(*r);
  }
  // Without a loaded set (a set of Scenario objects built in Python): a set of the runs alone.
  if (!loaded.is_none() && !py::isinstance<scenarios::ScenarioSet>(loaded))
    throw py::type_error(what + ": loaded: expected the compiled ScenarioSet of load_scenario_file or None, got " +
                         type_name(loaded));
  const scenarios::ScenarioSet* base = loaded.is_none() ? nullptr : &loaded.cast<const scenarios::ScenarioSet&>();
  bool same = base && base->runs.size() == own.size();
  for (std::size_t k = 0; same && k < own.size(); ++k) same = own[k] == &base->runs[k];
  if (same) {
    set_ = base;
    return;
  }
  copy_ = std::make_unique<scenarios::ScenarioSet>(base ? base->without_runs() : scenarios::ScenarioSet{});
  for (const scenarios::Scenario* r : own) copy_->runs.push_back(*r);
  set_ = copy_.get();
}

HostSet::~HostSet() = default;

namespace {

std::uintptr_t address(const double* p) { return reinterpret_cast<std::uintptr_t>(p); }

// pickle (multiprocessing, joblib, a cache on disk): a RunResult is plain data, so its state is its fields, the
// arrays as bytes (the same doubles bit for bit). Version 1; a state of another version or of inconsistent sizes
// (a hand-made or damaged pickle) is a ValueError, never a view past a buffer's end.
constexpr int kPickleVersion = 1;

py::bytes bytes_of(const double* p, std::size_t n) {
  return py::bytes(reinterpret_cast<const char*>(p), n * sizeof(double));
}
// A field of a state as T: missing or of another type (a damaged or hand-made pickle) is a ValueError naming it, not a
// KeyError or pybind11's RuntimeError "Unable to cast Python instance to C++ type".
template <class T>
T state_field(const py::dict& d, const char* key) {
  if (!d.contains(key))
    throw InputError(std::string("RunResult pickle: no field '") + key + "'; expected a state of RunResult.__reduce__");
  const py::object value = d[key];
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    throw InputError(std::string("RunResult pickle: field '") + key + "' is a " + Py_TYPE(value.ptr())->tp_name +
                     " of the wrong type or out of range; expected a state of RunResult.__reduce__");
  }
}

std::vector<double> doubles_of(const py::dict& d, const char* what, std::size_t want) {
  const std::string text = state_field<std::string>(d, what);
  if (text.size() != want * sizeof(double))
    throw InputError(std::string("RunResult pickle: ") + what + " holds " + std::to_string(text.size()) +
                     " bytes; expected " + std::to_string(want * sizeof(double)));
  std::vector<double> v(want);
  if (want > 0) std::memcpy(v.data(), text.data(), text.size());
  return v;
}

py::dict pickle_state(const RunResult& r) {
  py::dict d;
  d["version"] = kPickleVersion;
  d["scenario"] = r.scenario;
  d["variant"] = r.variant;
  d["title"] = r.title;
  d["width_years"] = r.grid.width_years;
  d["n_ages"] = r.grid.n_ages;
  d["base_year"] = r.base_year;
  d["steps"] = r.steps;
  d["years"] = r.years;
  d["zone_ids"] = r.zone_ids;
  d["zone_names"] = r.zone_names;
  d["zone_names_en"] = r.zone_names_en;
  d["group_names"] = r.group_names;
  d["unit_names"] = r.unit_names;
  d["group_slots"] = r.group_slots;
  d["indicator_names"] = r.indicator_names;
  d["parity_indicator_names"] = r.parity_indicator_names;
  d["seconds"] = r.seconds;
  d["population"] = bytes_of(r.population.get(), r.years.size() * r.cells());
  d["indicators"] = bytes_of(r.indicators.data(), r.indicators.size());
  d["births"] = bytes_of(r.births.data(), r.births.size());
  d["deaths"] = bytes_of(r.deaths.data(), r.deaths.size());
  d["net_migration"] = bytes_of(r.net_migration.data(), r.net_migration.size());
  d["parity_shares"] = bytes_of(r.parity_shares.data(), r.parity_shares.size());
  d["parity_indicators"] = bytes_of(r.parity_indicators.data(), r.parity_indicators.size());
  d["cell_components"] = bytes_of(r.cell_components.data(), r.cell_components.size());
  return d;
}

std::shared_ptr<RunResult> from_pickle_state(const py::dict& d) {
  if (!d.contains("version") || !py::isinstance<py::int_>(d["version"]) ||
      state_field<long long>(d, "version") != kPickleVersion)
    throw InputError("RunResult pickle: not a state of this cohortgis (version " + std::to_string(kPickleVersion) +
                     "); pickle the results again with this version");
  auto r = std::make_shared<RunResult>();
  r->scenario = state_field<std::string>(d, "scenario");
  r->variant = state_field<std::string>(d, "variant");
  r->title = state_field<std::string>(d, "title");
  r->grid = AgeGrid{state_field<int>(d, "width_years"), state_field<int>(d, "n_ages")};
  r->grid.validate();
  r->base_year = state_field<int>(d, "base_year");
  r->steps = state_field<int>(d, "steps");
  r->years = state_field<std::vector<int>>(d, "years");
  r->zone_ids = state_field<std::vector<std::string>>(d, "zone_ids");
  r->zone_names = state_field<std::vector<std::string>>(d, "zone_names");
  r->zone_names_en = state_field<std::vector<std::string>>(d, "zone_names_en");
  r->group_names = state_field<std::vector<std::string>>(d, "group_names");
  r->unit_names = state_field<std::vector<std::string>>(d, "unit_names");
  r->group_slots = state_field<std::vector<std::string>>(d, "group_slots");
  r->indicator_names = state_field<std::vector<std::string>>(d, "indicator_names");
  r->parity_indicator_names = state_field<std::vector<std::string>>(d, "parity_indicator_names");
  r->seconds = state_field<double>(d, "seconds");
  if (r->steps < 0 || r->years.size() != uz(r->steps) + 1 || r->zone_names.size() != r->zone_ids.size() ||
      r->zone_names_en.size() != r->zone_ids.size())
    throw InputError("RunResult pickle: years, steps and zones do not agree");
  // Every array's size is a product of these counts: a hand-made state of 2^20 years, 2^20 zones, 2^14 groups and 64
  // ages asked for 2^61 doubles (8 × 2^61 wraps to the 0 bytes it held: "cannot create std::vector larger than
  // max_size()"). Each product must fit, in bytes.
  const auto fits = [](std::initializer_list<std::size_t> factors) {
    std::size_t bytes = sizeof(double);
    for (const std::size_t f : factors) {
      if (f != 0 && bytes > static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / f) return false;
      bytes *= f;
    }
    return true;
  };
  const std::size_t years = r->years.size(), zones = r->zone_ids.size(), groups = r->group_names.size(),
                    ages = uz(r->grid.n_ages);
  if (!fits({years, zones, groups, kSexes, ages, kCellComponents.size(), kParityStates}) ||
      !fits({years, r->unit_names.size(), r->group_slots.size(), r->indicator_names.size()}) ||
      !fits({years, r->unit_names.size(), r->parity_indicator_names.size()}))
    throw InputError("RunResult pickle: " + std::to_string(years) + " years, " + std::to_string(zones) + " zones, " +
                     std::to_string(groups) + " groups and " + std::to_string(ages) +
                     " ages make arrays too large to hold; expected a state of RunResult.__reduce__");
  const std::vector<double> population = doubles_of(d, "population", r->years.size() * r->cells());
  r->population = std::make_unique_for_overwrite<double[]>(population.size());
  std::copy(population.begin(), population.end(), r->population.get());
  r->indicators = doubles_of(d, "indicators", r->years.size() * r->indicator_cells());
  r->births = doubles_of(d, "births", uz(r->steps) * r->states());
  r->deaths = doubles_of(d, "deaths", uz(r->steps) * r->states());
  r->net_migration = doubles_of(d, "net_migration", uz(r->steps) * r->states());
  const bool parity = !r->parity_indicator_names.empty();
  r->parity_shares = doubles_of(d, "parity_shares", parity ? r->years.size() * r->cells() / kSexes * kParityStates : 0);
  r->parity_indicators = doubles_of(
      d, "parity_indicators", parity ? uz(r->steps) * r->unit_names.size() * r->parity_indicator_names.size() : 0);
  // Optional (a state pickled before components_by_age has none): empty, or every component of every cell.
  if (d.contains("cell_components")) {
    const std::size_t n = state_field<std::string>(d, "cell_components").size() / sizeof(double);
    const std::size_t full = kCellComponents.size() * uz(r->steps) * r->cells();
    r->cell_components = doubles_of(d, "cell_components", n == 0 ? 0 : full);
  }
  return r;
}

// write_outputs' options as the command line's (app_run and app_run_set).
app::RunConfig run_config(const std::string& out_dir, int threads, const std::string& data_dir,
                          const std::vector<std::string>& allow_read, const std::vector<std::string>& allow_db,
                          const std::string& format, const py::object& compress_arg,
                          const std::vector<std::string>& components, const py::object& indicators_csv_arg) {
  check_threads(threads, "threads");
  const bool compress = flag_of(compress_arg, "compress"),
             indicators_csv = flag_of(indicators_csv_arg, "indicators_csv");
  app::RunConfig cfg;
  cfg.allow_read = path_args(allow_read, "allow_read");
  cfg.allow_db = path_args(allow_db, "allow_db");
  cfg.out_dir = path_arg(out_dir, "out_dir");
  cfg.threads = threads;
  cfg.data_dir = path_arg(data_dir, "data_dir");
  cfg.quiet = true;
  cfg.format = format;  // "" (by size), "csv", "netcdf" or "both" (docs/results.md)
  cfg.compress_level = compress ? app::kNetcdfCompressLevel : 0;
  cfg.components = components;          // names, or ["all"] / ["none"] (RunConfig::components)
  cfg.indicators_csv = indicators_csv;  // indicators.csv with format "netcdf" too
  return cfg;
}

// app::run with Ctrl-C and progress, its summary as a dict.
py::dict run_job(app::RunConfig& cfg, const py::object& progress) {
  // On a thread of its own while this (the main) thread looks for Ctrl-C every 50 ms, as the ensemble: the
  // GIL released for the whole run left KeyboardInterrupt to after the last file was written (9 s for the
  // default scenario); now the run stops at its next check and leaves out_dir as it was.
  std::atomic<bool> cancel{false};
  cfg.cancel = &cancel;
  // Progress: the run's steps queued by the projecting thread, reported from this one under the GIL
  // (progress(variant, done_steps, total_steps)), every one in order.
  struct Step {
    std::string variant;
    int done, total;
  };
  std::mutex steps_mutex;
  std::vector<Step> steps;
  if (!progress.is_none())
    cfg.progress = [&](const std::string& variant, int done, int total) {
      const std::lock_guard<std::mutex> lock(steps_mutex);
      steps.push_back({variant, done, total});
    };
  const auto report = [&] {
    std::vector<Step> now;
    {
      const std::lock_guard<std::mutex> lock(steps_mutex);
      now.swap(steps);
    }
    for (const Step& st : now) progress(st.variant, st.done, st.total);
  };
  app::RunSummary s;
  run_interruptibly(
      cancel,
      [&] {
        const ForkSensitiveWork files;  // the load, results.gpkg, the report's maps
        s = app::run(cfg);
      },
      report, report);
  py::dict d;
  d["scenario"] = s.scenario;
  d["scenario_file"] = s.scenario_file;
  d["out_dir"] = s.out_dir;
  d["threads"] = s.threads;
  d["years"] = s.years;
  d["total_population"] = s.total_population;
  d["files"] = s.files;
  d["seconds"] = s.seconds;
  return d;
}

}  // namespace

void bind_run(py::module_& m) {
  using R = RunResult;
  const auto ssz = [](std::size_t v) { return static_cast<py::ssize_t>(v); };
  // A property viewing one of the per-state sums of every step, [step][zone][group][sex].
  const auto state_sums = [ssz](std::vector<double> R::*sums) {
    return [ssz, sums](py::object self) {
      const R& r = self.cast<const R&>();
      return view_of((r.*sums).data(),
                     {ssz(uz(r.steps)), ssz(r.zone_ids.size()), ssz(r.group_names.size()), ssz(kSexes)}, self, false);
    };
  };
  py::class_<R, std::shared_ptr<R>>(
      m, "RunResult",
      "Results of one projection run. Array properties are read-only NumPy views of the C++ result buffers (no\n"
      "copy; the arrays keep this object alive through ndarray.base).")
      .def_readonly("scenario", &R::scenario, "the scenario's name")
      .def_readonly("variant", &R::variant, "'baseline' or the variant's name")
      .def_readonly("base_year", &R::base_year, "the base population is the end of this year")
      .def_readonly("steps", &R::steps, "projection steps of step_years each")
      .def_property_readonly(
          "step_years", [](const R& r) { return r.grid.width_years; }, "years a step, also the age groups' width")
      .def_property_readonly(
          "age_starts",
          [](const R& r) {
            std::vector<int> a;
            for (int i = 0; i < r.grid.n_ages; ++i) a.push_back(r.grid.age_start(i));
            return a;
          },
          "first age of each age group (the arrays' age axis)")
      .def_property_readonly(
          "open_age", [](const R& r) { return r.grid.open_age(); }, "first age of the open age group")
      .def_readonly("years", &R::years, "the base year, then the end year of each step")
      .def_readonly("title", &R::title, "the scenario's title")
      .def_readonly("zone_ids", &R::zone_ids, "the zones' ids (the arrays' zone axis)")
      .def_readonly("zone_names", &R::zone_names, "the zones' local names (results.nc's zone_name)")
      .def_readonly("zone_names_en", &R::zone_names_en, "the zones' English names, '' where none (zone_name_en)")
      .def_readonly("group_names", &R::group_names, "the groups' names (the arrays' group axis)")
      .def_readonly("unit_names", &R::unit_names, "indicator units: zone ids, then the aggregates ('total' = all)")
      .def_readonly("group_slots", &R::group_slots, "indicator groups: the groups, then 'all'")
      .def_readonly("indicator_names", &R::indicator_names, "indicators.csv's indicator names (docs/results.md)")
      .def_readonly("seconds", &R::seconds, "wall-clock time of the projection")
      .def_property_readonly(
          "indicator_is_stock",
          [](const R& r) {
            std::vector<bool> v;
            for (const std::string& name : r.indicator_names) v.push_back(is_stock_indicator(name));
            return v;
          },
          "per indicator: true for stocks (defined in the base year), false for flows and rates")
      .def_property_readonly(
          "population",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            return view_of(r.population.get(),
                           {ssz(r.years.size()), ssz(r.zone_ids.size()), ssz(r.group_names.size()), ssz(kSexes),
                            ssz(uz(r.grid.n_ages))},
                           self, false);
          },
          "persons [year][zone][group][sex][age] (sex: 0 female, 1 male); a view, not a copy")
      .def_property_readonly(
          "parity_shares",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            if (r.parity_shares.empty()) return py::object(py::none());
            return py::object(view_of(r.parity_shares.data(),
                                      {ssz(r.years.size()), ssz(r.zone_ids.size()), ssz(r.group_names.size()),
                                       ssz(kParityStates), ssz(uz(r.grid.n_ages))},
                                      self, false));
          },
          "[fertility] parity_rates: shares of the women of each cell by children ever born 0, 1, 2, 3+\n"
          "[year][zone][group][parity][age] (they sum to 1 over parity); None without parity")
      .def_readonly("parity_indicator_names", &R::parity_indicator_names,
                    "parity.csv's indicator columns (births_order_1 … mothers_lost_only_child_60plus);\n"
                    "[] without parity")
      .def_property_readonly(
          "parity_indicators",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            if (r.parity_indicators.empty()) return py::object(py::none());
            return py::object(view_of(
                r.parity_indicators.data(),
                {ssz(uz(r.steps)), ssz(r.unit_names.size()), ssz(r.parity_indicator_names.size())}, self, false));
          },
          "[fertility] parity_rates: parity.csv's values [step][unit][indicator] (units as unit_names, all groups\n"
          "pooled; NaN where parity.csv's cell is empty); None without parity")
      .def_property_readonly(
          "final_population",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            return view_of(r.final_population(),
                           {ssz(r.zone_ids.size()), ssz(r.group_names.size()), ssz(kSexes), ssz(uz(r.grid.n_ages))},
                           self, false);
          },
          "persons [zone][group][sex][age] at the end: a view of population[-1] (no copy)")
      .def_property_readonly(
          "indicators",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            return view_of(r.indicators.data(),
                           {ssz(r.years.size()), ssz(r.unit_names.size()), ssz(r.group_slots.size()),
                            ssz(r.indicator_names.size())},
                           self, false);
          },
          "[year][unit][group slot][indicator]; the base year has stock indicators only (flows NaN)")
      .def_property_readonly("births", state_sums(&R::births),
                             "births of each step [step][zone][group][sex of child], after newborn rules")
      .def_property_readonly("deaths", state_sums(&R::deaths), "cohort deaths of each step [step][zone][group][sex]")
      .def_property_readonly(
          "net_migration", state_sums(&R::net_migration),
          "net migrants used in each step [step][zone][group][sex] (all kinds of flows, moves between groups\n"
          "included: components.csv's net_migration + transfer_in − transfer_out, as indicators.csv's\n"
          "net_migration; floor adjustments not included)")
      .def_property_readonly(
          "components_by_age",
          [ssz](py::object self) {
            const R& r = self.cast<const R&>();
            py::dict d;
            if (!r.by_age()) return py::object(py::none());
            const std::size_t per = uz(r.steps) * r.cells();
            for (std::size_t k = 0; k < kCellComponents.size(); ++k)
              d[py::str(kCellComponents[k])] = view_of(r.cell_components.data() + k * per,
                                                       {ssz(uz(r.steps)), ssz(r.zone_ids.size()),
                                                        ssz(r.group_names.size()), ssz(kSexes), ssz(uz(r.grid.n_ages))},
                                                       self, false);
            return py::object(d);
          },
          "run(components_by_age=True): components.csv's per-cell components {name: [step][zone][group][sex][age]}\n"
          "(deaths by age at the step's end, the others by age at its start; net_migration without the moves\n"
          "between groups, which are transfer_in and transfer_out), read-only views; None otherwise")
      .def(
          "_buffer_address",
          [](const R& r, const py::object& name_arg) {
            // Each named when of another type (text_of, int_of, real_of), here and below: pybind11's listing named
            // none.
            const std::string name = text_of(name_arg, "name");
            if (name == "population") return address(r.population.get());
            if (name == "final_population") return address(r.final_population());
            if (name == "indicators") return address(r.indicators.data());
            if (name == "births") return address(r.births.data());
            if (name == "deaths") return address(r.deaths.data());
            if (name == "net_migration") return address(r.net_migration.data());
            if (name == "parity_indicators") return address(r.parity_indicators.data());
            throw InputError("no buffer '" + name + "'");
          },
          py::arg("name"), "Address of a C++ buffer (tests use it to check that arrays are views).")
      // Through a function of the module, not __setstate__: that one could be called again on a live result (its
      // views then over a buffer the new state replaced).
      .def("__reduce__",
           [](const R& r) {
             // The package's Python function: pickle stores it by name (not a pybind11 function, whose self is
             // a capsule pickle cannot store).
             return py::make_tuple(py::module_::import("cohortgis").attr("_run_result_from_state"),
                                   py::make_tuple(pickle_state(r)));
           })
      .def("__repr__", [](const R& r) {
        return "<cohortgis.RunResult '" + r.scenario + "' variant '" + r.variant +
               "': " + std::to_string(r.years.size()) + " years, " + std::to_string(r.zone_ids.size()) + " zones>";
      });

  m.def("_run_result_from_state", &from_pickle_state, py::arg("state"),
        "A RunResult from the state its pickle holds (RunResult.__reduce__); ValueError for a state of another\n"
        "version or inconsistent sizes.");
  m.attr("MAX_THREADS") = kMaxThreads;
  m.def(
      "run",
      [](const py::object& scenario, const py::object& threads, py::object progress,
         const py::object& components_by_age) {
        // Each named when of another type: pybind11's listing named neither.
        if (!py::isinstance<scenarios::Scenario>(scenario))
          throw py::type_error("scenario: expected a cohortgis.Scenario, got " + type_name(scenario));
        return run_scenario(scenario.cast<const scenarios::Scenario&>(), static_cast<int>(int_of(threads, "threads")),
                            std::move(progress), components_by_age);
      },
      py::arg("scenario"), py::arg("threads") = 0, py::arg("progress") = py::none(),
      py::arg("components_by_age") = false,
      "Projects one scenario with the GIL released. progress(done_steps, total_steps) is called before the first\n"
      "and after every step; Ctrl-C (or an exception in progress) stops the engine between steps and is raised\n"
      "(KeyboardInterrupt), with no partial result. Bad input raises ValueError, a failed projection RuntimeError.\n"
      "The scenario is read in place, not copied: until the run returns, changing it raises RuntimeError.\n"
      "components_by_age: keep components.csv's per-cell components (RunResult.components_by_age).");

  m.def(
      "app_run",
      [](const py::object& scenario_arg, const py::object& out_dir_arg, const py::object& threads_arg,
         const py::object& data_dir_arg, const py::object& allow_read, const py::object& allow_db,
         const py::object& format_arg, const py::object& compress, const py::object& components,
         const py::object& indicators_csv, py::object progress, const py::object& results_nc_hash) {
        const std::string scenario = text_of(scenario_arg, "scenario");
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const int threads = static_cast<int>(int_of(threads_arg, "threads"));
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const std::string format = text_of(format_arg, "format");
        app::RunConfig cfg =
            run_config(out_dir, threads, data_dir, texts_of(allow_read, "allow_read"), texts_of(allow_db, "allow_db"),
                       format, compress, texts_of(components, "components"), indicators_csv);
        cfg.hash_results_nc = flag_of(results_nc_hash, "results_nc_hash");  // false: --no-results-nc-hash
        cfg.scenario = path_arg(scenario, "scenario");
        return run_job(cfg, progress);
      },
      py::arg("scenario") = "default", py::arg("out_dir") = "results", py::arg("threads") = 0, py::arg("data_dir") = "",
      py::arg("allow_read") = py::list(), py::arg("allow_db") = py::list(), py::arg("format") = "",
      py::arg("compress") = false, py::arg("components") = py::list(), py::arg("indicators_csv") = false,
      py::arg("progress") = py::none(), py::arg("results_nc_hash") = true,
      "cohortgis::app::run, the `cohortgis run` job: writes the CSV outputs and manifest.json into out_dir.\n"
      "progress: None or a callable(variant, done_steps, total_steps), called on this thread.\n"
      "format: 'csv', 'netcdf' (results.nc; the indicators there only unless indicators_csv) or 'both'; '' chooses\n"
      "by size. compress: results.nc deflated. results_nc_hash=False: manifest.json lists results.nc by size only.\n"
      "components: the per-cell components written (names as in components.csv), ['all'] or ['none']; [] = the\n"
      "scenario file's [outputs] components (default all).");

  m.def(
      "app_run_set",
      [](py::object loaded, const py::object& runs, const py::object& note_arg, const py::object& out_dir_arg,
         const py::object& threads_arg, const py::object& data_dir_arg, const py::object& allow_read,
         const py::object& allow_db, const py::object& format_arg, const py::object& compress,
         const py::object& components, const py::object& indicators_csv, py::object progress,
         const py::object& results_nc_hash) {
        const std::string note = text_of(note_arg, "note");
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const int threads = static_cast<int>(int_of(threads_arg, "threads"));
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const std::string format = text_of(format_arg, "format");
        app::RunConfig cfg =
            run_config(out_dir, threads, data_dir, texts_of(allow_read, "allow_read"), texts_of(allow_db, "allow_db"),
                       format, compress, texts_of(components, "components"), indicators_csv);
        cfg.hash_results_nc = flag_of(results_nc_hash, "results_nc_hash");
        // The runs' objects held until the job is done: the set points into them, and an iterable may hand out
        // objects nothing else holds.
        py::list held;
        for (const py::object& r : elements_of(runs, "write_outputs: runs", "a list of cohortgis.Scenario"))
          held.append(r);
        const HostSet host(loaded, held, "write_outputs");
        cfg.scenario_set = &host.set();
        cfg.scenario = cfg.scenario_set->file;
        cfg.scenario_note = note;
        return run_job(cfg, progress);
      },
      py::arg("loaded"), py::arg("runs"), py::arg("note"), py::arg("out_dir") = "results", py::arg("threads") = 0,
      py::arg("data_dir") = "", py::arg("allow_read") = py::list(), py::arg("allow_db") = py::list(),
      py::arg("format") = "", py::arg("compress") = false, py::arg("components") = py::list(),
      py::arg("indicators_csv") = false, py::arg("progress") = py::none(), py::arg("results_nc_hash") = true,
      "cohortgis::app::run on a set of runs held in Python (write_outputs(ScenarioSet)): `runs` (Scenario objects,\n"
      "baseline first) with the other parts of `loaded` (the ScenarioSet load_scenario_file or load_scenario_text\n"
      "gave, or None); `note` goes to manifest.json's scenario.note. The other arguments as app_run's.");
}

}  // namespace cohortgis::python
