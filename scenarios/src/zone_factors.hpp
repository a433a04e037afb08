// SPDX-License-Identifier: Apache-2.0
// `zone_factors` of [mortality] and [fertility] (scenarios/README.md "Zone factors on standard schedules"): each
// zone's (and group's) schedule is one factor times a standard schedule, the standard chosen per zone by name.
// Proportional hazards for death rates (m_z(x) = θ_z · m_s(x), the proportional-hazards form of Cox 1972) and
// the same for fertility rates; one multiplication per rate, so a model written this way (bench/workload.hpp) reads
// back bit for bit. The standard table is small (standards × periods × ages); the factor table has a row per zone.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "scenario_build.hpp"

namespace cohortgis::scenarios::detail {

struct ZoneFactors {
  // Names of the standard schedules (the standard table's `standard` column, sorted); one unnamed standard when the
  // standard table has no such column.
  std::vector<std::string> standards{std::string()};
  std::unordered_map<std::string, int> standard_index;
  std::vector<int> standard_of;  // [zone·G + group] → standard
  std::vector<double> factor;    // [zone·G + group]
  bool named() const { return !standard_index.empty(); }
  // The standard of a row of the standard table (0 without names); an unknown name cannot occur (names come from it).
  int standard_of_row(const Rows& t, std::size_t r) const {
    return named() ? standard_index.at(t.text(r, "standard")) : 0;
  }
  std::string standard_label(int s) const { return named() ? "standard " + standards[uz(s)] : "the standard"; }
};

// The standards named in the standard table `rows` (its `standard` column, when `rows` has one). Refuses a `zone`
// column there (the standards are per zone through the factors), naming `std_key`.
ZoneFactors standards_of(const Build& b, const Rows& rows, const toml::node* std_node, const std::string& std_key);

// Reads the factor table of `key` (roles zone, group, standard, value) into f: every zone and group needs exactly one
// factor > 0 (finite), a known standard when the standards are named, and factor × the largest value of its standard
// (`largest[standard]`) at most `limit` (`what` names that value in the message, e.g. "a death rate"). Errors name
// the file, row and column.
void read_zone_factors(const Build& b, const toml::node& n, const std::string& key, const std::vector<double>& largest,
                       double limit, const std::string& what, ZoneFactors& f);

}  // namespace cohortgis::scenarios::detail
