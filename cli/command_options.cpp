// SPDX-License-Identifier: Apache-2.0
#include "command_options.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "path_options.hpp"

namespace cohortgis::cli {

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

bool parse(const std::vector<std::string>& args, const po::options_description& opts, const char* usage,
           const char* positional, po::variables_map& vm) {
  store_with_positional(args, opts, positional, vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << opts;
    return false;
  }
  if (!vm.count(positional)) throw cohortgis::InputError(std::string("missing ") + positional + " (see --help)");
  if (vm[positional].as<std::vector<std::string>>().size() != 1)
    throw cohortgis::InputError(std::string("expected one ") + positional + "; got " +
                                std::to_string(vm[positional].as<std::vector<std::string>>().size()));
  return true;
}

std::string positional_arg(const po::variables_map& vm, const char* name) {
  return vm[name].as<std::vector<std::string>>().front();
}

}  // namespace cohortgis::cli
