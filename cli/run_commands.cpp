// SPDX-License-Identifier: Apache-2.0
// `cohortgis run`, `validate` and `backtest`: the commands that read a scenario (and run it).
#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/count_text.hpp"
#include "cohortgis/engine/types.hpp"
#include "command_options.hpp"
#include "commands.hpp"
#include "stop_signals.hpp"
#ifdef COHORTGIS_WITH_MPI
#include "mpi_comm.hpp"
#endif

namespace cohortgis::cli {

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
    if (seed < 0 || seed > 2147483647)
      return bad_input("--seed " + std::to_string(seed) + ": expected 0 to 2147483647");
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
    if (!s.years.empty()) std::cout << s.years.back() << " total: " << thousands(s.total_population.back()) << "\n";
    for (const auto& v : s.variants) {
      std::cout << "variant " << v.name << ": " << s.years.back() << " total " << thousands(v.total_population.back())
                << "; targets met " << v.targets_met << ", missed " << v.targets_missed;
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
  std::cout << v.file << ": valid. Scenario " << v.scenario << ": " << count_of(v.zones, "zone") << ", "
            << count_of(v.groups, "group") << ", " << v.base_year << "-" << v.end_year << " in " << v.step_years
            << "-year steps, base population " << thousands(v.base_population) << ", " << count_of(v.targets, "target")
            << ", " << count_of(v.services, "service norm") << "; runs:";
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

}  // namespace cohortgis::cli
