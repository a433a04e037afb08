// SPDX-License-Identifier: Apache-2.0
// Ensembles from Python (ScenarioSet.run(trajectories=N)): the same app::run_ensemble as `cohortgis run
// --trajectories N`, on the Python side's runs (as they may have been changed) with the [stochastic] assumptions and
// targets of the scenario file they came from. No MPI here: the module never links it.
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/app/ensemble.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/scenarios/mortality_checks.hpp"
#include "cohortgis/scenarios/newborn_checks.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

// An indicator of indicators.csv by name, as the ensemble keeps it (a column of the step's indicator table): a standard
// one, a band of the run's `[outputs] indicators`, or an opt-in one (age_80_plus, child_dependency_ratio, …; engine
// optional_indicator) added to the run's bands, which adds a column after the others and changes none of them.
Indicator ensemble_indicator(std::vector<AgeBand>& bands, const std::string& name) {
  for (int k = 0; k < kStandardIndicators; ++k)
    if (name == indicator_name(static_cast<Indicator>(k))) return static_cast<Indicator>(k);
  std::size_t band = 0;
  while (band < bands.size() && bands[band].name != name) ++band;
  if (band == bands.size()) {
    const std::optional<AgeBand> opt = optional_indicator(name);
    if (!opt) {
      std::string known;
      for (const std::string& n : optional_indicator_names()) known += ", " + n;
      for (const AgeBand& b : bands) known += ", " + b.name;
      throw InputError("indicators: '" + name +
                       "' is not an indicator of indicators.csv; expected one of its standard columns (population, "
                       "births, …, age_65_plus)" +
                       known);
    }
    bands.push_back(*opt);
  }
  return static_cast<Indicator>(kStandardIndicators + static_cast<int>(band));
}

// The arguments of an ensemble as run_ensemble reads them: trajectories and seed (int_of, in the package's whole_int
// words; seed -1: the scenario file's) and each indicator name of each run (ensemble_indicator, on a copy of its
// bands).
std::pair<long long, long long> ensemble_arguments(const std::vector<const scenarios::Scenario*>& runs,
                                                   const py::handle& trajectories_arg, const py::handle& seed_arg,
                                                   const std::vector<std::string>& indicator_names) {
  // Read here, not by pybind11: 2**63 was its "incompatible function arguments" listing. In int_of's words, as the
  // package's whole_int says them ("trajectories=0: expected a number of trajectories from 1 to …" and "seed=-5:
  // expected 0 to …" were words of their own).
  const long long trajectories = int_of(trajectories_arg, "trajectories", 1, scenarios::kMaxTrajectories);
  const long long seed = int_of(seed_arg, "seed", -1, 2147483647);
  for (const scenarios::Scenario* r : runs) {
    std::vector<AgeBand> bands = r->indicator_bands;
    for (const std::string& name : indicator_names) (void)ensemble_indicator(bands, name);
  }
  return {trajectories, seed};
}

}  // namespace

void bind_ensemble(py::module_& m) {
  m.def(
      "run_ensemble",
      // `runs` is the converted copy of the Python scenarios (the ensemble reads them with the GIL released); it is
      // moved into the set, not copied a second time.
      [](const py::object& runs_arg, const py::object& file_arg, const py::object& data_dir_arg,
         const py::object& trajectories_arg, const py::object& seed_arg, const py::object& threads_arg,
         const py::object& indicators_arg, const py::object& progress_arg, const py::object& allow_read_arg,
         const py::object& allow_db_arg) {
        // Each named when of another type (text_of, int_of, real_of), here and below: pybind11's listing named none.
        const std::string file = text_of(file_arg, "file");
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const int threads = static_cast<int>(int_of(threads_arg, "threads"));
        // Each list read by its items (arguments.hpp): pybind11's caster said "vector::reserve" for a list subclass
        // whose len() lies, and read one saying 0 as empty.
        std::vector<scenarios::Scenario> runs = rows_of<scenarios::Scenario>(runs_arg, "runs", "cohortgis.Scenario");
        const std::vector<std::string> indicator_names = texts_of(indicators_arg, "indicators"),
                                       allow_read = texts_of(allow_read_arg, "allow_read"),
                                       allow_db = texts_of(allow_db_arg, "allow_db");
        const std::vector<py::object> progress =
            elements_of(progress_arg, "progress", "a list of None or a callable(done, trajectories) per run");
        if (runs.empty()) throw InputError("run_ensemble: no runs");
        path_arg(file, "file");
        path_arg(data_dir, "data_dir");
        path_args(allow_read, "allow_read");
        path_args(allow_db, "allow_db");
        for (const scenarios::Scenario& r : runs) {  // as run() does
          scenarios::check_death_rate_schedules(r);
          scenarios::check_newborn_share_schedules(r);
        }
        std::vector<const scenarios::Scenario*> checked;
        for (const scenarios::Scenario& r : runs) checked.push_back(&r);
        // Not a structured binding: the lambdas below capture them (clang 14 refuses that).
        const std::pair<long long, long long> counts =
            ensemble_arguments(checked, trajectories_arg, seed_arg, indicator_names);
        const long long trajectories = counts.first, seed = counts.second;
        check_threads(threads, "threads");
        // Per run: its bands may differ (a variant's [outputs] indicators), and opt-in ones are added to its copy.
        std::vector<std::vector<Indicator>> indicators;
        for (scenarios::Scenario& r : runs) {
          indicators.emplace_back();
          for (const auto& name : indicator_names)
            indicators.back().push_back(ensemble_indicator(r.indicator_bands, name));
        }
        std::atomic<bool> cancel{false};
        std::vector<app::EnsembleResult> results;
        // The trajectories run on a thread of their own while this (the main) thread looks for Ctrl-C every 50 ms:
        // Python runs its SIGINT handler only on the main thread, and the ensemble has no step loop of ours on it.
        // On KeyboardInterrupt the trajectories stop at their next step (cancel) and the error is raised when they
        // have.
        scenarios::ScenarioSet set;
        run_interruptibly(cancel, [&] {
          // The [stochastic] section is read again from the file, with the folders the set was loaded with (it read
          // the default data folder and no --allow-read folder: other inputs, or a refusal).
          const ForkSensitiveWork reading;
          const geodata::ReadCancellation stoppable(&cancel);
          if (!file.empty())
            set = scenarios::load_scenario_file(file, app::resolve_data_dir(data_dir),
                                                geodata::granted(allow_read, allow_db, "allow_read", "allow_db"));
        });
        // Before the trajectories run, as the command line's warning (a filter of "error" stops here).
        if (const std::string warning = app::no_deviations_warning(set); !warning.empty()) {
          const std::string text = "trajectories=" + std::to_string(trajectories) + ": " + warning;
          // stacklevel 3: the user's line (through _ensemble.run_ensemble and ScenarioSet.run).
          if (PyErr_WarnEx(PyExc_UserWarning, text.c_str(), 3) != 0) throw py::error_already_set();
        }
        // Progress: each run's finished trajectories, counted by the ensemble and reported from this thread (under
        // the GIL) when they change, at most once a second and at the end: progress[k](done, trajectories).
        const std::size_t n_runs = runs.size();
        std::vector<std::atomic<long long>> done(n_runs);
        std::vector<long long> reported(n_runs, -1);
        auto last_report = std::chrono::steady_clock::now();
        const auto report = [&](bool at_end) {
          const auto now = std::chrono::steady_clock::now();
          if (!at_end && now - last_report < std::chrono::seconds(1)) return;
          last_report = now;
          for (std::size_t k = 0; k < n_runs && k < progress.size(); ++k) {
            const long long d = done[k].load(std::memory_order_relaxed);
            if (d != reported[k] && !progress[k].is_none() && (d > 0 || at_end || reported[k] < 0)) {
              reported[k] = d;
              progress[k](d, trajectories);
            }
          }
        };
        const std::function<void()> poll = [&] { report(false); };
        run_interruptibly(
            cancel,
            [&] {
              set.runs = std::move(runs);
              app::EnsembleOptions o;
              o.trajectories = trajectories;
              o.seed = seed >= 0 ? static_cast<std::uint64_t>(seed) : set.stochastic.seed;
              o.threads = threads;
              o.cancel = &cancel;
              const std::vector<ZoneAggregate> aggregates =
                  with_total_aggregate(set.runs.front().aggregates, static_cast<int>(set.runs.front().zones.size()));
              for (std::size_t k = 0; k < set.runs.size(); ++k) {
                if (!indicator_names.empty()) o.indicators = indicators[k];
                o.done = &done[k];
                results.push_back(app::run_ensemble(set, set.runs[k], aggregates, o));
              }
            },
            poll, [&] { report(true); });
        py::list out;
        for (std::size_t r = 0; r < results.size(); ++r) {
          const app::EnsembleResult& e = results[r];
          py::dict d;
          d["variant"] = e.variant;
          d["years"] = e.years;
          d["units"] = e.units;
          std::vector<std::string> names;
          for (Indicator i : e.indicators) {
            const int k = static_cast<int>(i);
            names.push_back(k < kStandardIndicators ? std::string(indicator_name(i))
                                                    : set.runs[r].indicator_bands[uz(k - kStandardIndicators)].name);
          }
          d["indicators"] = names;
          // [trajectory][year][unit][indicator] (the summary cells; the target cells are left out).
          const std::size_t per = e.years.size() * e.units.size() * e.indicators.size();
          py::array_t<double> a({static_cast<py::ssize_t>(e.trajectories), static_cast<py::ssize_t>(e.years.size()),
                                 static_cast<py::ssize_t>(e.units.size()),
                                 static_cast<py::ssize_t>(e.indicators.size())});
          double* p = a.mutable_data();
          for (long long t = 0; t < e.trajectories; ++t)
            for (std::size_t c = 0; c < per; ++c) p[uz(t) * per + c] = e.value(t, c);
          d["values"] = a;
          out.append(d);
        }
        return out;
      },
      py::arg("runs"), py::arg("file"), py::arg("data_dir"), py::arg("trajectories"), py::arg("seed"),
      py::arg("threads"), py::arg("indicators"), py::arg("progress") = py::list(), py::arg("allow_read") = py::list(),
      py::arg("allow_db") = py::list(),
      "Trajectories of every run: a list of dicts (variant, years, units, indicators, values[trajectory, year, unit, "
      "indicator]). The [stochastic] assumptions come from `file` (no file or no deviation: every trajectory\n"
      "deterministic, with a UserWarning). progress: per run None or a callable(done_trajectories, trajectories),\n"
      "called about once a second and at the end.");

  // ScenarioSet.run(trajectories=N) checks these before the deterministic runs it makes first: a misspelt indicator
  // or trajectories=0 was refused only after every run had been projected (minutes at thousands of zones).
  m.def(
      "check_ensemble",
      [](const py::object& runs_arg, const py::object& trajectories, const py::object& seed,
         const py::object& indicators) {
        std::vector<const scenarios::Scenario*> runs;
        const std::vector<py::object> items = elements_of(runs_arg, "runs", "a list of cohortgis.Scenario");
        for (std::size_t k = 0; k < items.size(); ++k) {
          if (!py::isinstance<scenarios::Scenario>(items[k]))
            throw py::type_error("runs: run " + std::to_string(k) + ": expected a cohortgis.Scenario, got " +
                                 type_name(items[k]));
          runs.push_back(&items[k].cast<const scenarios::Scenario&>());
        }
        (void)ensemble_arguments(runs, trajectories, seed, texts_of(indicators, "indicators"));
      },
      py::arg("runs"), py::arg("trajectories"), py::arg("seed"), py::arg("indicators"),
      "Raises as run_ensemble would for its trajectories (1 to the most), seed (-1: the file's; 0 to 2^31 - 1) and\n"
      "indicator names (of each run's indicators.csv), without running anything.");
}

}  // namespace cohortgis::python
