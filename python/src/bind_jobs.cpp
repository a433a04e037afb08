// SPDX-License-Identifier: Apache-2.0
// `cohortgis estimate` (net migration from two censuses) and `cohortgis backtest` from Python: the app facade's jobs
// themselves (app/estimate.hpp, app/backtest.hpp), writing the command line's files; their summaries as dicts.
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/estimate.hpp"
#include "cohortgis/app/estimate_levels.hpp"
#include "cohortgis/app/group_split.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/types.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

py::dict error_summary(const app::ErrorSummary& e) {
  py::dict d;
  d["zones"] = e.zones;
  d["mape_percent"] = e.mape_percent;
  d["malpe_percent"] = e.malpe_percent;
  d["weighted_mape_percent"] = e.weighted_mape_percent;
  d["median_ape_percent"] = e.median_ape_percent;
  d["rmse_persons"] = e.rmse_persons;
  d["worst_zone"] = e.worst_zone;
  d["worst_error_percent"] = e.worst_error_percent;
  d["share_within_5_percent"] = e.share_within_5_percent;
  d["share_within_10_percent"] = e.share_within_10_percent;
  d["total_error_percent"] = e.total_error_percent;
  return d;
}

}  // namespace

void bind_jobs(py::module_& m) {
  m.def(
      "app_estimate",
      [](const py::object& first_arg, const py::object& second_arg, const py::object& first_year_arg,
         const py::object& second_year_arg, const py::object& out_dir_arg, const py::object& first_crosswalk_arg,
         const py::object& second_crosswalk_arg, const py::object& mx_arg, const py::object& mx_filter,
         const py::object& step_arg, const py::object& open_age_arg, const py::object& natural_growth_per_1000_arg,
         const py::object& female_share_arg) {
        // Each named when of another type (text_of, int_of, real_of), here and below: pybind11's listing named none.
        const std::string first = text_of(first_arg, "first");
        const std::string second = text_of(second_arg, "second");
        const int first_year = static_cast<int>(int_of(first_year_arg, "first_year"));
        const int second_year = static_cast<int>(int_of(second_year_arg, "second_year"));
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const std::string first_crosswalk = text_of(first_crosswalk_arg, "first_crosswalk");
        const std::string second_crosswalk = text_of(second_crosswalk_arg, "second_crosswalk");
        const std::string mx = text_of(mx_arg, "mx");
        const int step = static_cast<int>(int_of(step_arg, "step"));
        const int open_age = static_cast<int>(int_of(open_age_arg, "open_age"));
        const double natural_growth_per_1000 = real_of(natural_growth_per_1000_arg, "natural_growth_per_1000");
        const double female_share = real_of(female_share_arg, "female_share");
        app::EstimateConfig c;
        c.first = path_arg(first, "first");
        c.second = path_arg(second, "second");
        c.first_year = first_year;
        c.second_year = second_year;
        c.out_dir = path_arg(out_dir, "out_dir");
        c.first_crosswalk = path_arg(first_crosswalk, "first_crosswalk");
        c.second_crosswalk = path_arg(second_crosswalk, "second_crosswalk");
        c.mx = path_arg(mx, "mx");
        c.mx_filter = text_pairs_of(mx_filter, "mx_filter");
        c.step = step;
        c.open_age = open_age;
        c.natural_growth_per_1000 = natural_growth_per_1000;
        c.female_share = female_share;
        // On a thread of its own while this one looks for Ctrl-C (run_interruptibly), as write_outputs: the
        // estimate stops before its next file and leaves out_dir as it was (its reads of large tables held
        // KeyboardInterrupt until every file was written).
        std::atomic<bool> cancel{false};
        c.cancel = &cancel;
        app::EstimateSummary s;
        run_interruptibly(cancel, [&] {
          const ForkSensitiveWork reading;  // GDAL reads
          s = app::estimate(c);
        });
        py::dict d;
        d["out_dir"] = s.out_dir;
        d["method"] = s.method;
        d["zones"] = s.zones;
        d["files"] = s.files;
        d["inputs"] = s.inputs;
        d["net_per_year"] = s.net_per_year;
        return d;
      },
      py::arg("first"), py::arg("second"), py::arg("first_year"), py::arg("second_year"), py::arg("out_dir"),
      py::arg("first_crosswalk") = "", py::arg("second_crosswalk") = "", py::arg("mx") = "",
      py::arg("mx_filter") = py::list(), py::arg("step") = 5, py::arg("open_age") = 85,
      py::arg("natural_growth_per_1000") = 0.0, py::arg("female_share") = 0.5,
      "cohortgis::app::estimate, `cohortgis estimate --first … --second …`: net migration between two censuses\n"
      "written into out_dir; the summary as a dict (out_dir, method, zones, files, inputs, net_per_year).");

  m.def(
      "app_estimate_group_split",
      [](const py::object& census_arg, const py::object& out_dir_arg, const py::object& registry_arg,
         const py::object& zone_prefix_arg, const py::object& other_district) {
        const std::string census = text_of(census_arg, "census");
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const std::string registry = text_of(registry_arg, "registry");
        const std::string zone_prefix = text_of(zone_prefix_arg, "zone_prefix");
        app::GroupSplitConfig c;
        c.census = path_arg(census, "census");
        c.registry = path_arg(registry, "registry");
        c.zone_prefix = path_arg(zone_prefix, "zone_prefix");  // text, not a path, read as a C string all the same
        c.scope = flag_of(other_district, "other_district") ? app::FloatingScope::other_district
                                                            : app::FloatingScope::other_province;
        c.out_dir = path_arg(out_dir, "out_dir");
        std::atomic<bool> cancel{false};  // Ctrl-C: as app_estimate's
        c.cancel = &cancel;
        app::GroupSplitSummary s;
        run_interruptibly(cancel, [&] {
          const ForkSensitiveWork reading;
          s = app::group_split(c);
        });
        py::dict d;
        d["out_dir"] = s.out_dir;
        d["zones"] = s.zones;
        d["files"] = s.files;
        d["warnings"] = s.warnings;
        return d;
      },
      py::arg("census"), py::arg("out_dir"), py::arg("registry") = "", py::arg("zone_prefix") = "",
      py::arg("other_district") = false,
      "cohortgis::app::group_split, `cohortgis estimate --group-split CENSUS`: group_split.csv,\n"
      "group_split_report.md and manifest.json in out_dir; the summary as a dict (out_dir, zones, files, warnings).");

  m.def(
      "app_estimate_levels",
      [](const py::object& figures_arg, const py::object& mx_arg, const py::object& out_dir_arg,
         const py::object& population_arg, const py::object& asfr_arg, const py::object& mx_filter,
         const py::object& asfr_filter, const py::object& srb_arg, const py::object& open_age_arg) {
        const std::string figures = text_of(figures_arg, "figures");
        const std::string mx = text_of(mx_arg, "mx");
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const std::string population = text_of(population_arg, "population");
        const std::string asfr = text_of(asfr_arg, "asfr");
        const double srb = real_of(srb_arg, "srb");
        const int open_age = static_cast<int>(int_of(open_age_arg, "open_age"));
        app::LevelsConfig c;
        c.figures = path_arg(figures, "figures");
        c.mx = path_arg(mx, "mx");
        c.population = path_arg(population, "population");
        c.asfr = path_arg(asfr, "asfr");
        c.mx_filter = text_pairs_of(mx_filter, "mx_filter");
        c.asfr_filter = text_pairs_of(asfr_filter, "asfr_filter");
        c.srb = srb;
        c.open_age = open_age;
        c.out_dir = path_arg(out_dir, "out_dir");
        std::atomic<bool> cancel{false};  // Ctrl-C: as app_estimate's, and between the zones' fits
        c.cancel = &cancel;
        app::LevelsSummary s;
        run_interruptibly(cancel, [&] {
          const ForkSensitiveWork reading;
          s = app::estimate_levels(c);
        });
        py::list levels;
        for (const app::ZoneLevel& z : s.levels) {
          py::dict d;
          d["zone"] = z.zone;
          d["component"] = z.component;
          d["indicator"] = z.indicator;
          d["target"] = z.target;
          d["fitted"] = z.fitted;
          d["level"] = z.level;
          d["e0_female"] = z.e0_female;
          d["e0_male"] = z.e0_male;
          d["tfr"] = z.tfr;
          levels.append(d);
        }
        py::dict d;
        d["out_dir"] = s.out_dir;
        d["levels"] = levels;
        d["files"] = s.files;
        d["inputs"] = s.inputs;
        return d;
      },
      py::arg("figures"), py::arg("mx"), py::arg("out_dir"), py::arg("population") = "", py::arg("asfr") = "",
      py::arg("mx_filter") = py::list(), py::arg("asfr_filter") = py::list(), py::arg("srb") = 0.0,
      py::arg("open_age") = 85,
      "cohortgis::app::estimate_levels, `cohortgis estimate --levels FIGURES [--mx MX]`: levels.csv,\n"
      "mx_by_zone.csv, asfr_by_zone.csv, levels_report.md and manifest.json in out_dir; the summary as a dict\n"
      "(out_dir, levels: one dict per zone figure, files, inputs).");

  m.def(
      "app_backtest",
      [](const py::object& scenario_arg, const py::object& observed_arg, const py::object& earlier_arg,
         const py::object& out_dir_arg, const py::object& threads_arg, const py::object& variants,
         const py::object& data_dir_arg, const py::object& allow_read, const py::object& allow_db,
         const py::object& report, const py::object& language_arg, const py::object& loaded, const py::object& runs,
         const py::object& note_arg) {
        const std::string scenario = text_of(scenario_arg, "scenario");
        const std::string observed = text_of(observed_arg, "observed");
        const std::string earlier = text_of(earlier_arg, "earlier");
        const std::string out_dir = text_of(out_dir_arg, "out_dir");
        const int threads = static_cast<int>(int_of(threads_arg, "threads"));
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const std::string language = text_of(language_arg, "language");
        const std::string note = text_of(note_arg, "note");
        check_threads(threads, "threads");
        app::BacktestConfig b;
        // A set held in Python (backtest(ScenarioSet)): its runs as they are now, as write_outputs(ScenarioSet).
        py::list held;  // the runs' objects held until the job is done (as app_run_set's)
        std::optional<HostSet> host;
        if (!runs.is_none()) {
          for (const py::object& r : elements_of(runs, "backtest: runs", "a list of cohortgis.Scenario"))
            held.append(r);
          host.emplace(loaded, held, "backtest");
          b.run.scenario_set = &host->set();
          b.run.scenario_note = note;
        }
        b.observed = path_arg(observed, "observed");
        b.earlier = path_arg(earlier, "earlier");
        b.run.scenario = path_arg(scenario, "scenario");
        b.run.out_dir = path_arg(out_dir, "out_dir");
        b.run.threads = threads;
        b.run.variants = texts_of(variants, "variants");
        b.run.data_dir = path_arg(data_dir, "data_dir");
        b.run.allow_read = path_args(texts_of(allow_read, "allow_read"), "allow_read");
        b.run.allow_db = path_args(texts_of(allow_db, "allow_db"), "allow_db");
        b.run.report = flag_of(report, "report");
        b.run.quiet = true;
        if (!language.empty()) b.run.language = app::parse_language(language, "language");
        std::atomic<bool> cancel{false};  // Ctrl-C: the run stops at its next check, out_dir left as it was
        b.run.cancel = &cancel;
        app::BacktestSummary s;
        run_interruptibly(cancel, [&] {
          const ForkSensitiveWork files;  // the load, results.gpkg, the report's maps
          s = app::backtest(b);
        });
        py::list scores;
        for (const app::ForecastScore& f : s.scores) {
          py::dict d = error_summary(f.summary);
          d["forecast"] = f.forecast;
          scores.append(d);
        }
        py::dict d;
        d["out_dir"] = s.run.out_dir;
        d["scenario"] = s.run.scenario;
        d["files"] = s.run.files;
        d["launch_year"] = s.launch_year;
        d["observed_year"] = s.observed_year;
        d["earlier_year"] = s.earlier_year;
        d["scores"] = scores;
        d["warnings"] = s.warnings;
        return d;
      },
      py::arg("scenario"), py::arg("observed"), py::arg("earlier") = "", py::arg("out_dir") = "results",
      py::arg("threads") = 0, py::arg("variants") = py::list(), py::arg("data_dir") = "",
      py::arg("allow_read") = py::list(), py::arg("allow_db") = py::list(), py::arg("report") = true,
      py::arg("language") = "", py::arg("loaded") = py::none(), py::arg("runs") = py::none(), py::arg("note") = "",
      "cohortgis::app::backtest, `cohortgis backtest`: the run's files plus backtest.csv and\n"
      "backtest_summary.csv in out_dir; the summary as a dict (launch_year, observed_year, earlier_year, scores:\n"
      "one dict per forecast with its error measures, warnings, out_dir, files). With `runs` (Scenario objects,\n"
      "baseline first) and `loaded` (as app_run_set's), that set is back-tested instead of the file `scenario`.");
}

}  // namespace cohortgis::python
