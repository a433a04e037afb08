// SPDX-License-Identifier: Apache-2.0
// The `cohortgis` command: parses arguments and calls the app library; no projection logic here.
#include <boost/program_options.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include "boundary_messages.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "command_options.hpp"
#include "commands.hpp"
#include "std_streams.hpp"
#include "stop_signals.hpp"

namespace po = boost::program_options;
using cohortgis::cli::cut_quoted_words;
using cohortgis::cli::no_thread;
using cohortgis::cli::out_of_memory;

namespace {

using cohortgis::cli::bad_input;
using cohortgis::cli::g_signal;
using cohortgis::cli::interrupted;
using cohortgis::cli::store_with_positional;
// The commands (commands.hpp).
using cohortgis::cli::backtest_command;
using cohortgis::cli::estimate_command;
using cohortgis::cli::info_command;
using cohortgis::cli::map_command;
using cohortgis::cli::report_command;
using cohortgis::cli::run_command;
using cohortgis::cli::validate_command;

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

// The most words a command line may have (main_command).
constexpr std::size_t kMaxWords = 32768;

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
