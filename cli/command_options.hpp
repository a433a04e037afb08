// SPDX-License-Identifier: Apache-2.0
// What the subcommands of `cohortgis` share: the parsing of a command's words (boost's options plus positional
// arguments), the help of --allow-read and --allow-db, and how errors, warnings and counts are printed.
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace cohortgis::cli {

namespace po = boost::program_options;

inline constexpr const char* kAllowReadHelp =
    "let the scenario read files in this folder too (repeatable); by default a scenario reads only files inside its "
    "own folder and the data folder";
inline constexpr const char* kAllowDbHelp =
    "let the scenario read this PostgreSQL service (a [section] of your pg_service file) as PG:service=NAME or "
    "db:NAME (repeatable)";

// Exit codes: 0 success, 1 bad input or arguments, 2 internal error. Messages and warnings quote what the command
// line was given (boost's own messages too) and what a results folder from elsewhere holds: no control or invisible
// character of it reaches the terminal raw (terminal_text; hostile probe of round 22).
int bad_input(const std::string& message);  // prints "cohortgis: error: …"; returns 1
void warn(const std::string& message);

// A whole number with thousands separators ("21,893,095"), as the run and validate print populations.
std::string thousands(double v);

// Parses options plus any number of positional arguments collected under `positional` into vm.
void store_with_positional(const std::vector<std::string>& args, const po::options_description& opts,
                           const char* positional, po::variables_map& vm);

// Parses a command's options with one positional argument (a file or folder); prints help and returns false when
// asked to.
bool parse(const std::vector<std::string>& args, const po::options_description& opts, const char* usage,
           const char* positional, po::variables_map& vm);

// The one positional argument that parse() checked.
std::string positional_arg(const po::variables_map& vm, const char* name);

}  // namespace cohortgis::cli
