// SPDX-License-Identifier: Apache-2.0
// `cohortgis info`, `map` and `report`: the commands that describe a file or draw from a results folder.
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "command_options.hpp"
#include "commands.hpp"
#include "stop_signals.hpp"

namespace cohortgis::cli {

int info_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis info'");
  opts.add_options()("layer", po::value<std::string>()->default_value(""),
                     "layer or sheet to describe (default: the first)");
  opts.add_options()(
      "encoding", po::value<std::string>()->default_value(""),
      "text encoding of the fields, e.g. GBK for an older Chinese Shapefile without .cpg (default: UTF-8)");
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (!parse(args, opts,
             "Usage: cohortgis info FILE [--layer L] [--encoding E]\n\n"
             "FILE: a results folder (what it holds: scenario, years, variants, targets, files), a scenario file\n"
             "(.toml), a zones file (GeoPackage, Shapefile, GeoJSON …: zones, CRS, extent, fields) or a table\n"
             "(CSV, XLSX, ODS: columns and rows).\n",
             "file", vm))
    return 0;
  // What the file holds, as written by whoever made it (cells, names, a results folder's manifest).
  // A results folder whose files cannot all be read is described (each file's verification) and then exits 1.
  std::vector<std::string> failures;
  std::cout << cohortgis::geodata::terminal_text(cohortgis::app::describe(
      positional_arg(vm, "file"), vm["layer"].as<std::string>(), {}, vm["encoding"].as<std::string>(), &failures));
  for (const std::string& f : failures) bad_input(f);
  return failures.empty() ? 0 : 1;
}

int map_command(const std::vector<std::string>& args) {
  cohortgis::app::MapRequest q;
  po::options_description opts("Options of 'cohortgis map'");
  // clang-format off
  opts.add_options()
      ("indicator,i", po::value<std::string>(&q.indicator)->default_value("population"),
       "an indicator of indicators.csv (population, share_65_plus_percent, tfr …) or, with --period, a column of "
       "plan_periods.csv (growth_rate_percent, natural_growth_per_1000 …)")
      ("year,y", po::value<int>(), "a year of the results")
      ("period,p", po::value<std::string>(&q.period), "a plan period, e.g. 2026-2030")
      ("change", po::value<std::string>(), "FROM:TO, the change between two years (e.g. 2020:2035)")
      ("percent", "with --change: the change in percent of FROM")
      ("variant", po::value<std::string>(&q.variant)->default_value("baseline"), "variant")
      ("group", po::value<std::string>(&q.group)->default_value("all"), "population group (all, registered …)")
      ("format,f", po::value<std::string>(&q.format)->default_value("png"), "png, svg or pdf")
      ("classes", po::value<std::string>(&q.classes)->default_value("quantile"), "quantile, equal or jenks")
      ("n-classes", po::value<int>(&q.n_classes)->default_value(5), "number of classes (2-9)")
      ("dpi", po::value<double>(&q.dpi)->default_value(96), "PNG resolution, 10 to 600 (300 for print); png only")
      ("lang", po::value<std::string>(), "zh or en (default: the run's language)")
      ("out,o", po::value<std::string>(&q.out), "output file (default: DIR/maps/INDICATOR_WHEN.FORMAT)")
      ("help,h", "show this help");
  // clang-format on
  po::variables_map vm;
  if (!parse(args, opts,
             "Usage: cohortgis map DIR [--indicator NAME] (--year Y | --period P | --change FROM:TO [--percent])\n"
             "                     [--variant V] [--group G] [--format png|svg|pdf]\n"
             "                     [--classes quantile|equal|jenks] [--n-classes K] [--dpi D] [--lang zh|en]\n"
             "                     [--out FILE]\n\n"
             "DIR: a results folder of 'cohortgis run' with results.gpkg (the zone boundaries).\n",
             "dir", vm))
    return 0;
  q.results_dir = positional_arg(vm, "dir");
  // --dpi sizes a PNG's pixels; an SVG or PDF is drawn in points, the same at any resolution, so `--format svg
  // --dpi 300` did nothing without a word (round 28's review).
  if (!vm["dpi"].defaulted() && (q.format == "svg" || q.format == "pdf")) {
    char shown[32];  // as typed ("300", "1e+06"), not std::to_string's "300.000000"
    std::snprintf(shown, sizeof shown, "%g", q.dpi);
    return bad_input(std::string("--dpi ") + shown + ": only a PNG has a resolution; --format " + q.format +
                     " is a vector drawing, the same at any size; expected --dpi with --format png, or no --dpi");
  }
  if (vm.count("year")) q.year = vm["year"].as<int>();
  if (vm.count("change")) {
    const std::string c = vm["change"].as<std::string>();
    const auto colon = c.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument(c);
      std::size_t a = 0, b = 0;
      const int from = std::stoi(c.substr(0, colon), &a), to = std::stoi(c.substr(colon + 1), &b);
      if (a != colon || b != c.size() - colon - 1) throw std::invalid_argument(c);
      q.change = std::make_pair(from, to);
    } catch (const std::logic_error&) {
      return bad_input("--change: '" + c + "'; expected FROM:TO years, e.g. 2020:2035");
    }
  }
  q.percent = vm.count("percent") > 0;
  if (vm.count("lang")) q.language = cohortgis::app::parse_language(vm["lang"].as<std::string>());
  q.cancel = &g_cancel;
  cohortgis::cli::install_stop_signals();  // a signal while drawing stops before the map file is put in place
  const auto r = cohortgis::app::make_map(q);
  for (const auto& w : r.warnings) warn(w);
  std::cout << r.file << "\n";
  return 0;
}

int report_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis report'");
  opts.add_options()("lang", po::value<std::string>(), "zh or en (default: the run's language)");
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (!parse(args, opts,
             "Usage: cohortgis report DIR [--lang zh|en]\n\nRedraws the maps and charts of a results folder and "
             "rewrites\nDIR/report.html (one self-contained file).\n",
             "dir", vm))
    return 0;
  std::optional<cohortgis::app::Language> l;
  if (vm.count("lang")) l = cohortgis::app::parse_language(vm["lang"].as<std::string>());
  cohortgis::cli::install_stop_signals();  // a signal while drawing stops before report.html is replaced
  const auto r = cohortgis::app::make_report(positional_arg(vm, "dir"), l, true, &g_cancel);
  for (const auto& w : r.warnings) warn(w);
  std::cout << r.file << " (" << r.figures.size() << " figures)\n";
  return 0;
}

}  // namespace cohortgis::cli
