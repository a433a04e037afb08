// SPDX-License-Identifier: Apache-2.0
// The `cohortgis` command: parses arguments and calls the app library; no projection logic here.
#include <sys/resource.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "boundary_messages.hpp"
#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/estimate.hpp"
#include "cohortgis/app/estimate_levels.hpp"
#include "cohortgis/app/group_split.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "path_options.hpp"
#include "std_streams.hpp"
#include "stop_signals.hpp"
#ifdef COHORTGIS_WITH_MPI
#include "mpi_comm.hpp"
#endif

namespace po = boost::program_options;
using cohortgis::cli::cut_quoted_words;
using cohortgis::cli::no_thread;
using cohortgis::cli::out_of_memory;

namespace {

using cohortgis::cli::g_cancel;
using cohortgis::cli::g_signal;
using cohortgis::cli::interrupted;

constexpr const char* kUsage =
    "Usage:\n"
    "  cohortgis run [SCENARIO] [--out DIR] [--threads N] [--variant NAME ...] [--lang zh|en]\n"
    "                [--no-report] [--quiet] [--format csv|netcdf|both] [--indicators-csv]\n"
    "                [--components LIST] [--compress] [--csv-bom] [--no-write-thread]\n"
    "                [--no-direct-chunks] [--no-results-nc-hash] [--allow-read DIR ...]\n"
    "                [--allow-db SERVICE ...] [--trajectories N] [--seed S] [--ensemble-memory MIB]\n"
    "  cohortgis validate SCENARIO [--results DIR] [--threads N] [--allow-read DIR ...]\n"
    "                [--allow-db SERVICE ...]\n"
    "  cohortgis info FILE [--layer L] [--encoding E]\n"
    "  cohortgis map DIR [--indicator NAME] (--year Y | --period P | --change FROM:TO [--percent])\n"
    "                [--variant V] [--group G] [--format png|svg|pdf] [--classes quantile|equal|jenks]\n"
    "                [--n-classes K] [--dpi D] [--lang zh|en] [--out FILE]\n"
    "  cohortgis report DIR [--lang zh|en]\n"
    "  cohortgis estimate --first TABLE --second TABLE --years Y1:Y2 --out DIR [--first-crosswalk CW]\n"
    "                [--second-crosswalk CW] [--mx TABLE --mx-filter COLUMN=VALUE ...] [--step 1|5]\n"
    "                [--open-age A] [--natural-growth-per-1000 R] [--female-share F]\n"
    "  cohortgis estimate --group-split CENSUS [--registry TABLE] [--zones PREFIX]\n"
    "                [--floating other-province|other-district] --out DIR\n"
    "  cohortgis estimate --levels FIGURES [--mx TABLE [--mx-filter COLUMN=VALUE ...]]\n"
    "                [--asfr TABLE [--asfr-filter COLUMN=VALUE ...]] [--population TABLE] [--srb N]\n"
    "                [--open-age A] --out DIR\n"
    "  cohortgis backtest SCENARIO --observed TABLE --out DIR [--earlier TABLE] [--variant NAME ...]\n"
    "                [--threads N] [--lang zh|en] [--no-report] [--quiet] [--allow-read DIR ...]\n"
    "                [--allow-db SERVICE ...]\n"
    "  cohortgis --version\n"
    "  cohortgis --help | cohortgis COMMAND --help\n";

// Printed after the options of `cohortgis --help` (docs/cli.md, "Exit codes").
constexpr const char* kExitStatus =
    "\nExit status: 0 success; 1 bad input or arguments (the message names what to fix); 2 internal\n"
    "error (a bug); 128 + N when stopped by signal N: 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP.\n";

constexpr const char* kAbout =
    "cohortgis: cohort-component population projections for zones and population groups.\n\n"
    "Commands:\n"
    "  run   project a scenario and write population.csv, components.csv, indicators.csv,\n"
    "        plan_periods.csv, plan_periods_by_group.csv, targets.csv, service_demand.csv, zones.csv and\n"
    "        manifest.json into an output folder (one set of files; every row carries its variant),\n"
    "        results.gpkg (zones with indicators for QGIS), results.xlsx, maps/, charts/ and report.html\n"
    "        (docs/results.md)\n"
    "  validate  read and check a scenario file and every table it names, without projecting\n"
    "  info  what a results folder, scenario file, zones file or table holds\n"
    "  map   draw a choropleth of one indicator from a results folder (a year, plan period or change)\n"
    "  report  redraw the maps and charts of a results folder and rewrite its report.html\n"
    "  estimate  net migration by zone, sex and age from two censuses (residual method, crosswalks, or\n"
    "        zone totals spread by a stated profile), written as scenario tables with a report; with\n"
    "        --group-split registered and floating residents, with --levels mortality and fertility\n"
    "        levels\n"
    "  backtest  run a scenario from a past launch year and score it against observed figures and naive\n"
    "        benchmarks: backtest.csv, backtest_summary.csv, backtest_by_age.csv, error maps\n"
    "        (docs/results.md)\n\n"
    "SCENARIO: a scenario file (.toml, see scenarios/README.md) or 'default'\n"
    "(scenarios/examples/beijing-2020).\n\n";

constexpr const char* kAllowReadHelp =
    "let the scenario read files in this folder too (repeatable); by default a scenario reads only files inside its "
    "own folder and the data folder";
constexpr const char* kAllowDbHelp =
    "let the scenario read this PostgreSQL service (a [section] of your pg_service file) as PG:service=NAME or "
    "db:NAME (repeatable)";

// The most words a command line may have (main_command).
constexpr std::size_t kMaxWords = 32768;

// Exit codes: 0 success, 1 bad input or arguments, 2 internal error. Messages and warnings quote what the command
// line was given (boost's own messages too) and what a results folder from elsewhere holds: no control or invisible
// character of it reaches the terminal raw (terminal_text; hostile probe of round 22).
int bad_input(const std::string& message) {
  std::cerr << "cohortgis: error: " << cohortgis::geodata::terminal_text(message) << "\n";
  return 1;
}

void warn(const std::string& message) {
  std::cerr << "cohortgis: warning: " << cohortgis::geodata::terminal_text(message) << "\n";
}

std::string thousands(double v) {
  if (!std::isfinite(v)) return "(not a finite number)";
  if (std::fabs(v) >= 9e18) {  // beyond long long: no grouping, and never "-0"
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  const long long n = std::llround(v);
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Parses options plus any number of positional arguments collected under `positional` into vm.
void store_with_positional(const std::vector<std::string>& args, const po::options_description& opts,
                           const char* positional, po::variables_map& vm) {
  po::options_description hidden;
  hidden.add_options()(positional, po::value<std::vector<std::string>>(), positional);
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add(positional, -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  po::notify(vm);
  cohortgis::cli::check_path_options(vm);  // a path of 4096+ bytes or a 256+ byte name: too long, before any use
}

int run_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis run'");
  std::string out_dir;
  int threads = 0;
  // clang-format off
  opts.add_options()
      ("out,o", po::value<std::string>(&out_dir)->default_value("results"),
       "output folder; replaced only when the run completes")
      ("threads,j", po::value<int>(&threads)->default_value(0), "worker threads (0: all cores, else 1 to 256)")
      ("variant", po::value<std::vector<std::string>>()->multitoken(),
       "run only these variants besides the baseline (default: every variant of the scenario)")
      ("lang", po::value<std::string>(), "language of maps and report: zh (zh-CN) or en (default: the scenario's "
       "language, else zh for a Chinese scenario)")
      ("no-report", "write the result tables (CSV, results.nc) and manifest.json only (no results.gpkg, "
       "results.xlsx, maps, charts or report.html)")
      ("csv-bom", "start every CSV with a UTF-8 byte-order mark (for Excel in a Chinese locale)")
      ("format", po::value<std::string>(), "population and components as csv (population.csv, components.csv), "
       "netcdf (results.nc, with the indicators: no indicators.csv) or both (default: netcdf above 5 million "
       "population values, else csv)")
      ("indicators-csv", "write indicators.csv with --format netcdf too (csv and both always write it)")
      ("components", po::value<std::string>(), "per-cell components written, comma-separated (births, "
       "newborn_transfer_in, newborn_transfer_out, deaths, net_migration, transfer_in, transfer_out, floor_adjustment, "
       "planning_adjustment), all or none (default: the scenario's [outputs] components, else all); indicators and the "
       "report are the same either way")
      ("compress", "results.nc compressed (shuffle + deflate level 1): smaller, slower to write")
      ("no-write-thread", "write each year's results before projecting the next (no writer thread; same files)")
      ("no-direct-chunks", "results.nc's chunks through netCDF-C's buffer, none straight into the file (same bytes)")
      ("no-results-nc-hash", "manifest.json lists results.nc with its size only, no SHA-256 (the file is not read "
       "back; report, map and info then check its size only)")
      ("allow-read", po::value<std::vector<std::string>>()->composing(), kAllowReadHelp)
      ("allow-db", po::value<std::vector<std::string>>()->composing(), kAllowDbHelp)
      ("trajectories", po::value<long long>(), "probabilistic projection: number of trajectories (overrides the "
       "scenario's [stochastic] trajectories), 1 to 10000000; writes quantiles.csv, probabilities.csv and "
       "targets.csv's probability_met")
      ("seed", po::value<long long>(), "seed of the trajectories' random numbers, 0 to 2147483647 (overrides the "
       "scenario's [stochastic] seed, which is 1 when not given)")
      ("ensemble-memory", po::value<double>(), "MiB of per-trajectory summary values kept in memory, above 0, at most "
       "1048576 (default 1024); "
       "above it they go to a scratch file and quantiles are computed block by block")
      ("quiet,q", "no progress and no summary")
      ("help,h", "show this help");
  // clang-format on
  po::variables_map vm;
  store_with_positional(args, opts, "scenario", vm);
  if (vm.count("help")) {
    std::cout << "Usage: cohortgis run [SCENARIO] [--out DIR] [--threads N] [--variant NAME ...] [--lang zh|en]\n"
                 "                     [options]\n\n"
                 "SCENARIO: a scenario file (.toml; format in scenarios/README.md) or 'default' (the shipped example\n"
                 "scenarios/examples/beijing-2020/scenario.toml). Paths in a scenario file are relative to it;\n"
                 "'data:…' paths are read from $COHORTGIS_DATA_DIR if set, else from the installed data folder\n"
                 "(<prefix>/share/cohortgis/data) or, in a build tree, the source tree's data/.\n\n"
              << opts;
    return 0;
  }
  cohortgis::app::RunConfig cfg;
  if (vm.count("scenario")) {
    const auto& names = vm["scenario"].as<std::vector<std::string>>();
    if (names.size() > 1) return bad_input("one scenario at a time; got " + std::to_string(names.size()));
    cfg.scenario = names.front();
  }
  cfg.out_dir = out_dir;
  cfg.threads = threads;
  cfg.quiet = vm.count("quiet") > 0;
  cfg.report = vm.count("no-report") == 0;
  cfg.csv_bom = vm.count("csv-bom") > 0;
  if (vm.count("format")) {
    cfg.format = vm["format"].as<std::string>();
    // The library takes "" for the default: `--format ""` (an unset shell variable) chose it without a word.
    if (cfg.format.empty()) return bad_input("--format: ''; expected csv, netcdf or both");
  }
  cfg.indicators_csv = vm.count("indicators-csv") > 0;
  if (vm.count("compress")) cfg.compress_level = cohortgis::app::kNetcdfCompressLevel;
  if (vm.count("components")) {
    // "a,b,c": each name is checked by the run (an empty one too, with the valid names).
    const std::string& list = vm["components"].as<std::string>();
    std::size_t from = 0;
    for (std::size_t comma; (comma = list.find(',', from)) != std::string::npos; from = comma + 1)
      cfg.components.push_back(list.substr(from, comma - from));
    cfg.components.push_back(list.substr(from));
  }
  cfg.write_thread = vm.count("no-write-thread") == 0;
  cfg.direct_chunks = vm.count("no-direct-chunks") == 0;
  cfg.hash_results_nc = vm.count("no-results-nc-hash") == 0;
  cfg.limit_retained_heap = true;
  cfg.release_proj_database = true;
  if (vm.count("variant")) cfg.variants = vm["variant"].as<std::vector<std::string>>();
  if (vm.count("allow-read")) cfg.allow_read = vm["allow-read"].as<std::vector<std::string>>();
  if (vm.count("allow-db")) cfg.allow_db = vm["allow-db"].as<std::vector<std::string>>();
  if (vm.count("lang")) cfg.language = cohortgis::app::parse_language(vm["lang"].as<std::string>());
  if (vm.count("trajectories")) cfg.trajectories = vm["trajectories"].as<long long>();
  if (vm.count("seed")) {
    const long long seed = vm["seed"].as<long long>();
    if (seed < 0 || seed > 2147483647) return bad_input("--seed " + std::to_string(seed) + ": expected 0 to 2147483647");
    cfg.seed = static_cast<std::uint64_t>(seed);
  }
  if (vm.count("ensemble-memory")) {
    const double mib = vm["ensemble-memory"].as<double>();
    if (!(mib > 0.0 && mib <= 1048576.0)) {
      char shown[32];  // as typed ("0", "-5", "nan"), not std::to_string's "0.000000"
      std::snprintf(shown, sizeof shown, "%g", mib);
      return bad_input(std::string("--ensemble-memory ") + shown + ": expected MiB above 0, at most 1048576");
    }
    cfg.ensemble_memory_bytes = static_cast<std::size_t>(std::ceil(mib * 1048576.0));
  }
  cfg.cancel = &g_cancel;
  cohortgis::cli::install_stop_signals();  // every terminating signal stops the run cleanly

#ifdef COHORTGIS_WITH_MPI
  // Under mpirun the ranks split the trajectories; rank 0 writes the results, the others print nothing.
  const std::unique_ptr<cohortgis::cli::MpiComm> comm = cohortgis::cli::MpiComm::from_launcher();
  cfg.comm = comm.get();
  if (comm && comm->rank() != 0) cfg.quiet = true;
  cohortgis::app::RunSummary s;
  try {
    s = cohortgis::app::run(cfg);
  } catch (const std::exception& e) {
    if (!comm || comm->size() == 1) throw;
    // mpirun forwards SIGINT and SIGTERM to every rank: a stop, not an error; every rank exits as one process does
    // (rank 0 says so, once).
    if (g_signal.load() != 0) comm->abort(interrupted(comm->rank() == 0));
    // An input error stops every rank alike (each read the same scenario): rank 0 says it once and every rank ends
    // cleanly, exit 1, without MPI_ABORT's banner, nor a "interrupted by SIGTERM" from the ranks mpirun then killed.
    const bool bad =
        dynamic_cast<const cohortgis::InputError*>(&e) || dynamic_cast<const cohortgis::ProjectionError*>(&e);
    if (bad && comm->all_failed(5.0)) return comm->rank() == 0 ? bad_input(e.what()) : 1;
    std::cerr << "cohortgis: error: " << e.what() << " (MPI rank " << comm->rank() << "; stopping every rank)\n";
    comm->abort(1);
  }
#else
  const cohortgis::app::RunSummary s = cohortgis::app::run(cfg);
#endif
  if (!cfg.quiet) {
    std::cout << "cohortgis: scenario " << s.scenario << " written to " << s.out_dir << "\n";
    std::cout << "Total population (end of year):\n";
    for (std::size_t k = 0; k < s.years.size(); ++k)
      std::cout << "  " << s.years[k] << "  " << thousands(s.total_population[k]) << "\n";
    if (!s.years.empty())
      std::cout << s.years.back() << " total: " << thousands(s.total_population.back()) << "\n";
    for (const auto& v : s.variants) {
      std::cout << "variant " << v.name << ": " << s.years.back() << " total "
                << thousands(v.total_population.back()) << "; targets met " << v.targets_met << ", missed "
                << v.targets_missed;
      for (std::size_t k = 0; k < v.missed.size(); ++k) std::cout << (k ? "; " : " (") << v.missed[k];
      std::cout << (v.missed.empty() ? "" : ")") << "\n";
    }
    if (s.trajectories > 0)
      std::cout << "ensemble: " << s.trajectories << " trajectories; quantiles in " << s.out_dir
                << "/quantiles.csv, probability of each target in " << s.out_dir << "/targets.csv\n";
    if (cfg.report) {
      if (s.maps_note.empty())
        std::cout << "report: " << s.out_dir << "/report.html (maps and charts in " << s.out_dir << "/maps and "
                  << s.out_dir << "/charts; " << cohortgis::app::language_code(s.language) << ")\n";
      else
        std::cout << "report: " << s.out_dir << "/report.html without maps: " << s.maps_note << "\n";
    }
  }
  return 0;
}

// Parses a command's options with one positional argument (a file or folder); prints help and returns false when
// asked to.
bool parse(const std::vector<std::string>& args, const po::options_description& opts, const char* usage,
           const char* positional, po::variables_map& vm) {
  store_with_positional(args, opts, positional, vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << opts;
    return false;
  }
  if (!vm.count(positional))
    throw cohortgis::InputError(std::string("missing ") + positional + " (see --help)");
  if (vm[positional].as<std::vector<std::string>>().size() != 1)
    throw cohortgis::InputError(std::string("expected one ") + positional + "; got " +
                                std::to_string(vm[positional].as<std::vector<std::string>>().size()));
  return true;
}

std::string positional_arg(const po::variables_map& vm, const char* name) {
  return vm[name].as<std::vector<std::string>>().front();
}

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
      ("dpi", po::value<double>(&q.dpi)->default_value(96), "PNG resolution, 10 to 600 (300 for print)")
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
  opts.add_options()("lang", po::value<std::string>(), "zh or en (default: the run's language)")("help,h", "show this help");
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

int validate_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis validate'");
  opts.add_options()(
      "results", po::value<std::string>(),
      "a results folder: warn about every input that changed since it was made (its manifest.json records the "
      "inputs' SHA-256)")(
      "threads,j", po::value<int>()->default_value(0),
      "threads that parse a large CSV table at once (0: all cores, else 1 to 256); the result is the same for "
      "any number")("allow-read", po::value<std::vector<std::string>>()->composing(), kAllowReadHelp)(
      "allow-db", po::value<std::vector<std::string>>()->composing(), kAllowDbHelp)("help,h", "show this help");
  po::variables_map vm;
  if (!parse(args, opts,
             "Usage: cohortgis validate SCENARIO [--results DIR] [--threads N] [--allow-read DIR ...]\n"
             "                          [--allow-db SERVICE ...]\n\n"
             "Reads and checks a scenario file and every table it names; exit code 0 when it is valid, 1 with\n"
             "the file, line, column and key of the first error.\n",
             "scenario", vm))
    return 0;
  if (!vm.count("scenario") || vm["scenario"].as<std::vector<std::string>>().size() != 1)
    return bad_input("validate takes one scenario file (see cohortgis validate --help)");
  const std::string scenario = vm["scenario"].as<std::vector<std::string>>().front();
  std::vector<std::string> allow_read, allow_db;
  if (vm.count("allow-read")) allow_read = vm["allow-read"].as<std::vector<std::string>>();
  if (vm.count("allow-db")) allow_db = vm["allow-db"].as<std::vector<std::string>>();
  const cohortgis::app::ValidationSummary v =
      cohortgis::app::validate(scenario, {}, allow_read, allow_db, vm["threads"].as<int>());
  // "1 group", not "1 groups" (a planner reads this line before a meeting).
  const auto count = [](long long n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
  std::cout << v.file << ": valid. Scenario " << v.scenario << ": " << count(v.zones, "zone") << ", "
            << count(v.groups, "group") << ", " << v.base_year << "-" << v.end_year << " in " << v.step_years
            << "-year steps, base population " << thousands(v.base_population) << ", " << count(v.targets, "target")
            << ", " << count(v.services, "service norm") << "; runs:";
  for (const auto& n : v.variants) std::cout << " " << n;
  std::cout << "\n";
  if (vm.count("results")) {
    const auto changes = cohortgis::app::inputs_changed_since(scenario, vm["results"].as<std::string>(), {}, allow_read,
                                                              allow_db, vm["threads"].as<int>());
    for (const auto& c : changes) warn(c);
    if (changes.empty())
      std::cout << "inputs unchanged since the results in " << vm["results"].as<std::string>() << " were made\n";
    // The results files themselves, against manifest.json's list (and the manifest against its seal).
    const auto in = cohortgis::app::check_results(vm["results"].as<std::string>(), false);
    for (const auto& f : in.findings()) warn(f);
  }
  return 0;
}

int backtest_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis backtest'");
  cohortgis::app::BacktestConfig b;
  // clang-format off
  opts.add_options()
      ("observed", po::value<std::string>(&b.observed),
       "the observed population: a table in the layout of population.csv (year, zone, group, sex, age, population; "
       "'all' allowed for group, sex and age; no group column: all), one year the projection reaches")
      ("out,o", po::value<std::string>(&b.run.out_dir), "output folder (the run's files plus backtest.csv, "
       "backtest_summary.csv and, with ages observed, backtest_by_age.csv); replaced only when complete")
      ("earlier", po::value<std::string>(&b.earlier),
       "the zones' population in one year before the launch year, same layout: adds the 'linear' benchmark")
      ("threads,j", po::value<int>(&b.run.threads)->default_value(0), "worker threads (0: all cores, else 1 to 256)")
      ("allow-read", po::value<std::vector<std::string>>()->composing(), kAllowReadHelp)
      ("allow-db", po::value<std::vector<std::string>>()->composing(), kAllowDbHelp)
      ("variant", po::value<std::vector<std::string>>()->multitoken(),
       "score only these variants besides the baseline (default: every variant)")
      ("lang", po::value<std::string>(), "language of maps and report: zh (zh-CN) or en (default: the scenario's "
       "language, else zh for a Chinese scenario)")
      ("no-report", "write the CSVs and manifest.json only (no results.gpkg, maps or report.html)")
      ("quiet,q", "no progress and no summary table")
      ("help,h", "show this help");
  // clang-format on
  po::variables_map vm;
  if (!parse(args, opts,
             "Usage: cohortgis backtest SCENARIO --observed TABLE --out DIR [--earlier TABLE] [--variant NAME ...]\n"
             "                          [--threads N] [--lang zh|en] [--no-report] [--quiet]\n"
             "                          [--allow-read DIR ...] [--allow-db SERVICE ...]\n\n"
             "Runs SCENARIO from its (past) launch year, sets the projection beside the observed figures and\n"
             "scores it next to the benchmarks no-change, constant-share and (with --earlier) linear.\n",
             "scenario", vm))
    return 0;
  if (!vm.count("observed")) return bad_input("backtest: --observed TABLE is required (see --help)");
  if (!vm.count("out")) return bad_input("backtest: --out DIR is required (see --help)");
  b.run.scenario = positional_arg(vm, "scenario");
  b.run.quiet = vm.count("quiet") > 0;
  b.run.report = vm.count("no-report") == 0;
  if (vm.count("variant")) b.run.variants = vm["variant"].as<std::vector<std::string>>();
  if (vm.count("allow-read")) b.run.allow_read = vm["allow-read"].as<std::vector<std::string>>();
  if (vm.count("allow-db")) b.run.allow_db = vm["allow-db"].as<std::vector<std::string>>();
  if (vm.count("lang")) b.run.language = cohortgis::app::parse_language(vm["lang"].as<std::string>());
  b.run.cancel = &g_cancel;
  cohortgis::cli::install_stop_signals();
  const cohortgis::app::BacktestSummary s = cohortgis::app::backtest(b);
  for (const auto& w : s.warnings) warn(w);
  if (!b.run.quiet) {
    std::cout << "cohortgis: back-test of " << s.run.scenario << " (" << s.launch_year << " -> " << s.observed_year
              << ") written to " << s.run.out_dir << "\n";
    std::printf("%-28s %8s %8s %8s %10s %8s\n", "forecast", "MAPE %", "MALPE %", "wMAPE %", "worst", "total %");
    for (const auto& f : s.scores)
      std::printf("%-28s %8.2f %8.2f %8.2f %10s %8.2f\n", f.forecast.c_str(), f.summary.mape_percent,
                  f.summary.malpe_percent, f.summary.weighted_mape_percent, f.summary.worst_zone.c_str(),
                  f.summary.total_error_percent);
    // The sign and the year of the errors, which the table alone does not say (docs/results.md, backtest).
    std::printf(
        "error %% = 100 x (projected - observed) / observed, zone totals of %d (> 0: projected too high); "
        "MAPE: mean |error| over zones, MALPE: mean error, wMAPE: population-weighted MAPE, worst: the zone "
        "with the largest |error|, total: the whole area\n",
        s.observed_year);
  }
  return 0;
}

// `estimate` is three estimates, each with its own options: an option of another one (--registry without
// --group-split, --first with --levels) or a stray argument was ignored silently; now it is an error.
std::string estimate_mode_error(const po::variables_map& vm) {
  if (vm.count("extra"))
    return "estimate: unexpected argument '" + vm["extra"].as<std::vector<std::string>>().front() + "' (see --help)";
  if (vm.count("levels") && vm.count("group-split"))
    return "estimate: --levels and --group-split are two different estimates; give one (see --help)";
  const bool levels = vm.count("levels") > 0, split = vm.count("group-split") > 0;
  const std::vector<std::string> own =
      levels  ? std::vector<std::string>{"levels",     "mx",  "mx-filter", "asfr", "asfr-filter",
                                         "population", "srb", "open-age",  "step"}
      : split ? std::vector<std::string>{"group-split", "registry", "zones", "floating"}
              : std::vector<std::string>{
                    "first",     "second", "years",    "first-crosswalk",         "second-crosswalk", "mx",
                    "mx-filter", "step",   "open-age", "natural-growth-per-1000", "female-share"};
  const std::string mode = levels  ? "estimate --levels"
                           : split ? "estimate --group-split"
                                   : "estimate --first/--second";
  for (const auto& [name, value] : vm) {
    if (value.defaulted() || name == "out" || name == "help" || std::find(own.begin(), own.end(), name) != own.end())
      continue;
    std::string options;
    for (const auto& o : own) options += (options.empty() ? "--" : ", --") + o;
    return mode + ": --" + name + " does not apply to this estimate (its options: " + options + ", --out; see --help)";
  }
  return {};
}

int estimate_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis estimate'");
  cohortgis::app::EstimateConfig e;
  std::string years;
  // clang-format off
  opts.add_options()
      ("first", po::value<std::string>(&e.first), "the earlier census: zone, sex, age, population (sex and age may "
       "be 'all' for zone totals)")
      ("second", po::value<std::string>(&e.second), "the later census, same layout")
      ("years", po::value<std::string>(&years), "FIRST:SECOND, the census years (e.g. 2000:2010)")
      ("first-crosswalk", po::value<std::string>(&e.first_crosswalk), "crosswalk of the first census's units to the "
       "zones: from, to, weight (or code_<year> columns and weight); weights sum to 1 per source unit")
      ("second-crosswalk", po::value<std::string>(&e.second_crosswalk), "the same for the second census; its "
       "targets are the zones of the estimate")
      ("mx", po::value<std::string>(&e.mx), "death rates of the period (columns sex, age or age_start, mx; abridged "
       "0, 1, 5, …): the residual method's life table, or with --levels the standard schedule")
      ("mx-filter", po::value<std::vector<std::string>>()->multitoken(), "COLUMN=VALUE: keep only these rows of --mx")
      ("step", po::value<int>(&e.step)->default_value(5), "age group width of the tables (1 or 5)")
      ("open-age", po::value<int>(&e.open_age)->default_value(85), "open age group, a multiple of --step from 10 to "
       "130")
      ("natural-growth-per-1000", po::value<double>(&e.natural_growth_per_1000)->default_value(0.0),
       "zone totals only: the stated natural growth rate per 1000 per year (above -1000, below 1000)")
      ("female-share", po::value<double>(&e.female_share)->default_value(0.5), "zone totals only: women's share of "
       "the net migrants, 0 to 1")
      ("out,o", po::value<std::string>(&e.out_dir), "output folder")
      ("group-split", po::value<std::string>(), "instead of migration: registered/floating residents by zone from "
       "a census table (code, indicator, value with pop_resident and pop_hukou_elsewhere_*)")
      ("registry", po::value<std::string>(), "with --group-split: the registry's 户籍人口 by zone (code, registered*) "
       "as a cross-check")
      ("zones", po::value<std::string>(), "with --group-split: only codes starting with this (e.g. 1101)")
      ("floating", po::value<std::string>()->default_value("other-province"), "with --group-split: who is floating: "
       "other-province (hukou outside the province) or other-district (also another district of it)")
      ("levels", po::value<std::string>(), "instead of migration: mortality and fertility levels by zone relative to "
       "--mx and --asfr from published figures (zone, indicator, value: e0, deaths, cdr_per_1000, tfr, births, "
       "cbr_per_1000)")
      ("population", po::value<std::string>(), "with --levels: the exposure, zone, sex, age, population")
      ("asfr", po::value<std::string>(), "with --levels: the standard ASFR (age or age_start, asfr or value)")
      ("asfr-filter", po::value<std::vector<std::string>>()->multitoken(), "COLUMN=VALUE: keep only these rows of "
       "--asfr")
      ("srb", po::value<double>(), "with --levels: males per 100 females at birth, to weight the sexes of an e0")
      ("help,h", "show this help");
  // clang-format on
  po::variables_map vm;
  store_with_positional(args, opts, "extra", vm);
  const auto filters = [&](const char* option, std::vector<std::pair<std::string, std::string>>& out) {
    if (vm.count(option))
      for (const auto& f : vm[option].as<std::vector<std::string>>()) {
        const auto eq = f.find('=');
        if (eq == std::string::npos || eq == 0) return std::string("--") + option + ": '" + f + "'; expected COLUMN=VALUE";
        out.emplace_back(f.substr(0, eq), f.substr(eq + 1));
      }
    return std::string();
  };
  if (!vm.count("help"))
    if (const std::string bad = estimate_mode_error(vm); !bad.empty()) return bad_input(bad);
  // A signal stops the estimate like a run: each form looks at g_cancel while it reads (every 4096 rows), hashes and
  // writes (its config's cancel), removes its temporary folder and exits 128 + the signal; before, none was given
  // one and the watchdog ended the process 0.5 s after the signal, whatever it was doing.
  if (!vm.count("help")) cohortgis::cli::install_stop_signals();
  if (!vm.count("help") && vm.count("levels")) {  // levels by zone (app/estimate_levels.hpp)
    cohortgis::app::LevelsConfig l;
    l.figures = vm["levels"].as<std::string>();
    if (vm.count("population")) l.population = vm["population"].as<std::string>();
    if (vm.count("asfr")) l.asfr = vm["asfr"].as<std::string>();
    if (vm.count("srb")) l.srb = vm["srb"].as<double>();
    l.mx = e.mx;
    l.open_age = e.open_age;
    for (const auto& [o, f] : {std::pair{"mx-filter", &l.mx_filter}, std::pair{"asfr-filter", &l.asfr_filter}})
      if (const std::string bad = filters(o, *f); !bad.empty()) return bad_input(bad);
    if (e.step != 5) return bad_input("--step: --levels fits five-year schedules; expected 5");
    if (!vm.count("out")) return bad_input("estimate: --out is required (see --help)");
    l.out_dir = e.out_dir;
    l.cancel = &g_cancel;
    const auto ls = cohortgis::app::estimate_levels(l);
    std::cout << "cohortgis: levels of " << ls.levels.size() << " zone figures written to " << ls.out_dir << ":";
    for (const auto& f : ls.files) std::cout << " " << f;
    std::cout << "\n";
    return 0;
  }
  if (!vm.count("help") && vm.count("group-split")) {  // the group split (app/group_split.hpp)
    cohortgis::app::GroupSplitConfig g;
    g.census = vm["group-split"].as<std::string>();
    if (vm.count("registry")) g.registry = vm["registry"].as<std::string>();
    if (vm.count("zones")) g.zone_prefix = vm["zones"].as<std::string>();
    const std::string floating = vm["floating"].as<std::string>();
    if (floating == "other-district") g.scope = cohortgis::app::FloatingScope::other_district;
    else if (floating != "other-province")
      return bad_input("--floating: '" + floating + "'; expected other-province or other-district");
    if (!vm.count("out")) return bad_input("estimate: --out is required (see --help)");
    g.out_dir = e.out_dir;
    g.cancel = &g_cancel;
    const auto gs = cohortgis::app::group_split(g);
    std::cout << "cohortgis: registered and floating residents of " << gs.zones.size() << " zones written to "
              << gs.out_dir << ":";
    for (const auto& f : gs.files) std::cout << " " << f;
    std::cout << "\n";
    return 0;
  }
  if (vm.count("help")) {
    std::cout << "Usage: cohortgis estimate --first TABLE --second TABLE --years Y1:Y2 --out DIR [options]\n"
                 "       cohortgis estimate --group-split CENSUS [--registry TABLE] [--zones PREFIX]\n"
                 "                          [--floating other-province|other-district] --out DIR\n"
                 "       cohortgis estimate --levels FIGURES [--mx TABLE] [--asfr TABLE] [--population TABLE]\n"
                 "                          [--srb N] --out DIR [options]\n\n"
                 "Net migration by zone, sex and age between two censuses, written as net_migration.csv (scenario\n"
                 "format, persons per year), population_<Y2>.csv and estimate_report.md; with --group-split\n"
                 "group_split.csv, with --levels levels.csv, mx_by_zone.csv and asfr_by_zone.csv (docs/cli.md).\n"
                 "Each form takes only its own options; --mx, --mx-filter, --open-age and --step serve the first\n"
                 "form and --levels (which takes --step 5 only).\n\n"
              << opts;
    return 0;
  }
  for (const char* o : {"first", "second", "years", "out"})
    if (!vm.count(o)) return bad_input(std::string("estimate: --") + o + " is required (see --help)");
  const auto colon = years.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument(years);
    std::size_t a = 0, b = 0;  // the whole text: "2000:2010x" is a typo, not 2000:2010
    e.first_year = std::stoi(years.substr(0, colon), &a);
    e.second_year = std::stoi(years.substr(colon + 1), &b);
    if (a != colon || b != years.size() - colon - 1) throw std::invalid_argument(years);
  } catch (const std::logic_error&) {
    return bad_input("--years: '" + years + "'; expected FIRST:SECOND census years, e.g. 2000:2010");
  }
  if (vm.count("mx-filter"))
    for (const auto& f : vm["mx-filter"].as<std::vector<std::string>>()) {
      const auto eq = f.find('=');
      if (eq == std::string::npos || eq == 0) return bad_input("--mx-filter: '" + f + "'; expected COLUMN=VALUE");
      e.mx_filter.emplace_back(f.substr(0, eq), f.substr(eq + 1));
    }
  e.cancel = &g_cancel;
  const auto s = cohortgis::app::estimate(e);
  std::cout << "cohortgis: net migration " << e.first_year << "-" << e.second_year << " (" << s.method << " method, "
            << s.zones.size() << " zones) written to " << s.out_dir << ":";
  for (const auto& f : s.files) std::cout << " " << f;
  std::cout << "\n";
  return 0;
}

int main_command(int argc, char** argv) {
  // Output piped into `head` that has gone: a failed write, not death by SIGPIPE (exit 141) part-way through a help
  // text longer than one pipe write (4 kB), an `info` listing or a run's progress lines (every command, from here).
  std::signal(SIGPIPE, SIG_IGN);
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    // boost's parser takes time quadratic in the words (it erases each from the front of a vector): 100,000 took
    // 55 s to be refused as "one scenario at a time" (hostile probe of round 24). 32768 holds 10,000 --variant or
    // --mx-filter options and their values.
    if (args.size() > kMaxWords)
      return bad_input(std::to_string(args.size()) + " command-line words; expected at most " +
                       std::to_string(kMaxWords) + " (see --help)");
    // The commands that write catch the stop signals before their words are parsed. Caught after, a SIGTERM while
    // boost parsed 30,000 words (seconds) killed the process by the default action: no exit status 143 (round 25).
    // A signal before main() still does, as the kernel's default; shells report it as 128 + N alike.
    for (const char* writes : {"run", "map", "report", "estimate", "backtest"})
      if (!args.empty() && args.front() == writes) cohortgis::cli::install_stop_signals();
    if (!args.empty() && args.front() == "run") return run_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "validate") return validate_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "info") return info_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "map") return map_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "report") return report_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "estimate") return estimate_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "backtest") return backtest_command({args.begin() + 1, args.end()});

    // A first word that is no option is a command: `RUN sc.toml --out o` said "unrecognised option '--out'", not
    // what was wrong (hostile probe of round 24).
    const auto unknown = [](const std::string& word) {
      return bad_input(
          "unknown command '" + cohortgis::geodata::escape_cell(word, 60) +
          "'; the commands are run, validate, info, map, report, estimate and backtest (see cohortgis --help)");
    };
    if (!args.empty() && (args.front().empty() || args.front().front() != '-')) return unknown(args.front());
    po::options_description opts("Options");
    opts.add_options()("help,h", "show this help")("version,V", "print the version");
    po::variables_map vm;
    store_with_positional(args, opts, "command", vm);
    if (vm.count("command")) return unknown(vm["command"].as<std::vector<std::string>>().front());
    if (vm.count("version")) {
      std::cout << "cohortgis " << COHORTGIS_VERSION << "\n";
      return 0;
    }
    if (vm.count("help")) {
      std::cout << kAbout << kUsage << "\n" << opts << kExitStatus;
      return 0;
    }
    std::cerr << kUsage;
    return bad_input("no command given (see cohortgis --help)");
  } catch (const po::error& e) {
    return bad_input(cut_quoted_words(e.what()) + " (see --help)");
  } catch (const cohortgis::InputError& e) {
    if (g_signal.load() != 0) return interrupted();
    return bad_input(e.what());
  } catch (const cohortgis::ProjectionError& e) {
    if (g_signal.load() != 0) return interrupted();
    return bad_input(e.what());
  } catch (const std::bad_alloc&) {
    if (g_signal.load() != 0) return interrupted();
    return bad_input(out_of_memory());
  } catch (const std::exception& e) {
    // A thread that could not start: std::thread's system_error, or oneTBB's own words (its handle_perror).
    const auto* system = dynamic_cast<const std::system_error*>(&e);
    const std::string what = e.what();
    if ((system && system->code() == std::errc::resource_unavailable_try_again) ||
        what.rfind("pthread_create has failed", 0) == 0) {
      if (g_signal.load() != 0) return interrupted();
      const std::size_t colon = what.find(": ");
      std::string why = system ? system->code().message() : what;
      if (!system && colon != std::string::npos) why = what.substr(colon + 2);
      return bad_input(no_thread(why));
    }
    std::cerr << "cohortgis: internal error: " << e.what() << "\n";
    return 2;
  } catch (...) {
    std::cerr << "cohortgis: internal error: unknown exception\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  cohortgis::cli::open_closed_standard_streams();
  int rc = main_command(argc, argv);
  // A command that a signal stopped exits 128 + N, whatever error it met after the signal (its options parsed, or
  // refused, after it came); one that finished (0) keeps its 0: its files are written.
  if (rc != 0 && g_signal.load() != 0) rc = interrupted();
  return cohortgis::cli::checked_standard_output(rc, argc, argv);
}
