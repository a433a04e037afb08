// SPDX-License-Identifier: Apache-2.0
#include "path_options.hpp"

#include <string>
#include <vector>

#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::cli {

namespace {

// The options of every command whose values are paths (cli/main.cpp); the positional ones first.
constexpr const char* kPathOptions[] = {"scenario", "file", "dir",        "out",    "results",          "observed",
                                        "earlier",  "first", "second",    "mx",     "first-crosswalk",  "second-crosswalk",
                                        "group-split", "registry", "levels", "population", "asfr",     "allow-read"};

bool positional(const std::string& name) { return name == "scenario" || name == "file" || name == "dir"; }

}  // namespace

void check_path_options(const boost::program_options::variables_map& vm) {
  for (const char* name : kPathOptions) {
    if (!vm.count(name)) continue;
    const auto& v = vm[name].value();
    std::vector<std::string> paths;
    if (const auto* one = boost::any_cast<std::string>(&v)) paths.push_back(*one);
    if (const auto* many = boost::any_cast<std::vector<std::string>>(&v)) paths = *many;
    const std::string label = positional(name) ? std::string(name) : std::string("--") + name;
    for (const auto& p : paths) geodata::check_path_length(p, label + " '" + geodata::escape_cell(p) + "'");
  }
}

}  // namespace cohortgis::cli
