// SPDX-License-Identifier: Apache-2.0
#include "path_options.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::cli {

namespace {

// The options of every command whose values are paths (cli/main.cpp); the positional ones first.
constexpr const char* kPathOptions[] = {
    "scenario",         "file",      "dir",    "out",  "results",    "observed",    "earlier",  "first",
    "second",           "mx",        "levels", "asfr", "population", "group-split", "registry", "first-crosswalk",
    "second-crosswalk", "allow-read"};

constexpr std::size_t kMaxValueBytes = 4096;

bool positional(const std::string& name) { return name == "scenario" || name == "file" || name == "dir"; }

}  // namespace

void check_path_options(const boost::program_options::variables_map& vm) {
  for (const auto& [name, value] : vm) {
    const auto& v = value.value();
    std::vector<std::string> texts;
    if (const auto* one = boost::any_cast<std::string>(&v)) texts.push_back(*one);
    if (const auto* many = boost::any_cast<std::vector<std::string>>(&v)) texts = *many;
    const bool path = std::find(std::begin(kPathOptions), std::end(kPathOptions), name) != std::end(kPathOptions);
    const std::string label = positional(name) ? name : "--" + name;
    for (const auto& t : texts) {
      const std::string where = label + " '" + geodata::escape_cell(t) + "'";
      // An empty path (`cohortgis run "$UNSET"`) ran the shipped default scenario, as if none were given (probe 3).
      if (path && t.empty()) throw InputError(label + ": an empty path; expected a file or folder");
      // `--out --quiet`: boost takes the next word as the value, so the results went into a folder named --quiet
      // (hostile probe of round 24). A path written with a leading ./ passes.
      if (path && !positional(name) && t.size() > 2 && t.compare(0, 2, "--") == 0)
        throw InputError(where + ": looks like an option, not a path; expected the value of " + label +
                         " (a path that starts with -- is written ./" + geodata::escape_cell(t) + ")");
      if (path) geodata::check_path_length(t, where);
      // Any other value (a variant, an indicator, a layer …) is at most as long as a path: a 100 kB --format was
      // echoed whole in the error (hostile probe 3).
      else if (t.size() >= kMaxValueBytes)
        throw InputError(where + ": a value of " + std::to_string(t.size()) + " bytes is too long; expected at most " +
                         std::to_string(kMaxValueBytes - 1) + " bytes");
    }
  }
}

}  // namespace cohortgis::cli
