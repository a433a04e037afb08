// SPDX-License-Identifier: Apache-2.0
// The `cohortgis` command: parses arguments and calls the app library; no projection logic here.
#include <boost/program_options.hpp>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"

namespace po = boost::program_options;

namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_interrupt(int) { g_cancel.store(true); }

constexpr const char* kUsage =
    "Usage:\n"
    "  cohortgis run [SCENARIO] [--out DIR] [--threads N] [--quiet]\n"
    "  cohortgis validate SCENARIO\n"
    "  cohortgis --version\n"
    "  cohortgis --help | cohortgis run --help\n";

constexpr const char* kAbout =
    "cohortgis: cohort-component population projections for zones and population groups.\n\n"
    "Commands:\n"
    "  run   project a scenario and write population.csv, components.csv, indicators.csv,\n"
    "        plan_periods.csv, targets.csv, service_demand.csv, zones.csv and manifest.json into an\n"
    "        output folder (one set of files; every row carries its variant)\n"
    "  validate  read and check a scenario file and every table it names, without projecting\n\n"
    "SCENARIO: a scenario file (.toml, see scenarios/README.md) or 'default' (scenarios/examples/beijing-2020).\n\n";

// Exit codes: 0 success, 1 bad input or arguments, 2 internal error.
int bad_input(const std::string& message) {
  std::cerr << "cohortgis: error: " << message << "\n";
  return 1;
}

std::string thousands(double v) {
  const long long n = std::llround(v);
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

int run_command(const std::vector<std::string>& args) {
  po::options_description opts("Options of 'cohortgis run'");
  std::string out_dir;
  int threads = 0;
  opts.add_options()
      ("out,o", po::value<std::string>(&out_dir)->default_value("results"),
       "output folder; replaced only when the run completes")
      ("threads,j", po::value<int>(&threads)->default_value(0), "worker threads (0: all cores)")
      ("quiet,q", "no progress and no summary")
      ("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::vector<std::string>>(), "scenario");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("scenario", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: cohortgis run [SCENARIO] [--out DIR] [--threads N] [--quiet]\n\n"
                 "SCENARIO: a scenario file (.toml; format in scenarios/README.md) or 'default' (the shipped example\n"
                 "scenarios/examples/beijing-2020/scenario.toml). Paths in a scenario file are relative to it;\n"
                 "'data:…' paths are read from $COHORTGIS_DATA_DIR if set, else from the source tree's data/.\n\n"
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
  cfg.cancel = &g_cancel;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  const cohortgis::app::RunSummary s = cohortgis::app::run(cfg);
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
  }
  return 0;
}

int validate_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: cohortgis validate SCENARIO\n\nReads and checks a scenario file and every table it names; "
                 "exit code 0 when it is valid, 1 with the file, line, column and key of the first error.\n";
    return 0;
  }
  if (args.size() != 1) return bad_input("validate takes one scenario file (see cohortgis --help)");
  const cohortgis::app::ValidationSummary v = cohortgis::app::validate(args[0]);
  std::cout << v.file << ": valid. Scenario " << v.scenario << ": " << v.zones << " zones, " << v.groups
            << " groups, " << v.base_year << "-" << v.end_year << " in " << v.step_years << "-year steps, base population "
            << thousands(v.base_population) << ", " << v.targets << " targets, " << v.services << " service norms; runs:";
  for (const auto& n : v.variants) std::cout << " " << n;
  std::cout << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "run") return run_command({args.begin() + 1, args.end()});
    if (!args.empty() && args.front() == "validate") return validate_command({args.begin() + 1, args.end()});

    po::options_description opts("Options");
    opts.add_options()("help,h", "show this help")("version,V", "print the version");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>(), "command");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("command"))
      return bad_input("unknown command '" + vm["command"].as<std::vector<std::string>>().front() +
                       "'; the commands are 'run' and 'validate' (see cohortgis --help)");
    if (vm.count("version")) {
      std::cout << "cohortgis " << COHORTGIS_VERSION << "\n";
      return 0;
    }
    if (vm.count("help")) {
      std::cout << kAbout << kUsage << "\n" << opts;
      return 0;
    }
    std::cerr << kUsage;
    return bad_input("no command given (see cohortgis --help)");
  } catch (const po::error& e) {
    return bad_input(std::string(e.what()) + " (see --help)");
  } catch (const cohortgis::InputError& e) {
    return bad_input(e.what());
  } catch (const cohortgis::ProjectionError& e) {
    return bad_input(e.what());
  } catch (const std::exception& e) {
    std::cerr << "cohortgis: internal error: " << e.what() << "\n";
    return 2;
  } catch (...) {
    std::cerr << "cohortgis: internal error: unknown exception\n";
    return 2;
  }
}
