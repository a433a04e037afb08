// SPDX-License-Identifier: Apache-2.0
// The subcommands of `cohortgis` (main.cpp picks one by the first word): each parses its own options and calls the
// app library. `args`: the words after the command's name. Returns the exit status; errors are thrown to main.cpp,
// which reports them (bad_input) or, after a stop signal, exits 128 + N.
#pragma once

#include <string>
#include <vector>

namespace cohortgis::cli {

int run_command(const std::vector<std::string>& args);       // run_commands.cpp
int validate_command(const std::vector<std::string>& args);  // run_commands.cpp
int backtest_command(const std::vector<std::string>& args);  // run_commands.cpp
int info_command(const std::vector<std::string>& args);      // results_commands.cpp
int map_command(const std::vector<std::string>& args);       // results_commands.cpp
int report_command(const std::vector<std::string>& args);    // results_commands.cpp
int estimate_command(const std::vector<std::string>& args);  // estimate_command.cpp

}  // namespace cohortgis::cli
