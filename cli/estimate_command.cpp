// SPDX-License-Identifier: Apache-2.0
// `cohortgis estimate`: net migration from two censuses, --group-split and --levels, each with its own options.
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/app/estimate.hpp"
#include "cohortgis/app/estimate_levels.hpp"
#include "cohortgis/app/group_split.hpp"
#include "command_options.hpp"
#include "commands.hpp"
#include "stop_signals.hpp"

namespace cohortgis::cli {

namespace {

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

}  // namespace

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
        if (eq == std::string::npos || eq == 0)
          return std::string("--") + option + ": '" + f + "'; expected COLUMN=VALUE";
        out.emplace_back(f.substr(0, eq), f.substr(eq + 1));
      }
    return std::string();
  };
  if (!vm.count("help"))
    if (const std::string bad = estimate_mode_error(vm); !bad.empty()) return bad_input(bad);
  // A signal stops the estimate like a run: each form looks at g_cancel while it reads (every kRowsBetweenStops
  // rows, read_cancel.hpp), hashes and writes (its config's cancel), removes its temporary folder and exits 128 +
  // the signal; before, none was given one and the watchdog ended the process 0.5 s after the signal, whatever it
  // was doing.
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
    if (floating == "other-district")
      g.scope = cohortgis::app::FloatingScope::other_district;
    else if (floating != "other-province")
      return bad_input("--floating: '" + floating + "'; expected other-province or other-district");
    if (!vm.count("out")) return bad_input("estimate: --out is required (see --help)");
    g.out_dir = e.out_dir;
    g.cancel = &g_cancel;
    const auto gs = cohortgis::app::group_split(g);
    for (const auto& w : gs.warnings) warn(w);
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

}  // namespace cohortgis::cli
