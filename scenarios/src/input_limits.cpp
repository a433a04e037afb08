// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/input_limits.hpp"

#include <cmath>

#include "toml_doc.hpp"

namespace cohortgis::scenarios {

using detail::fmt;

std::string migration_value_problem(MigrationValue kind, double value, double per_year) {
  // A net rate is any finite number, as in ccmppWPP (M = r · P for every rate, R/project_ccmpp_loop_over_time.R):
  // above 1 a cell gains more than its population (Kuwait's rates reach 4.4), below −1 it would lose more than it
  // holds, which flow_policy settles (the UN's override under "wpp"). Only a number that is none is refused.
  switch (kind) {
    case MigrationValue::signed_count:
      if (std::abs(value) <= kMaxMigrationPersons) return {};
      return fmt(value) + " is outside the range for a signed count (at most 1e9 persons)";
    case MigrationValue::count:
      if (value >= 0 && value <= kMaxMigrationPersons) return {};
      return fmt(value) + " is outside the range for a count (0 to 1e9 persons)";
    case MigrationValue::net_rate:
      if (std::isfinite(per_year)) return {};
      return fmt(value) + " is outside the range for a net rate (a finite number of persons per person)";
    case MigrationValue::out_rate:
      if (value >= 0 && per_year <= 1.0) return {};
      return fmt(value) + " is outside the range for an out-rate (0 to 1 per person per year)";
  }
  return {};
}

std::string death_rate_problem(double mx) {
  if (mx >= 0 && mx <= kMaxDeathRate) return {};
  return "expected a death rate from 0 to 2 per person-year, got " + fmt(mx) +
         (mx > kMaxDeathRate ? " (a rate per 1000? divide by 1000)" : "");
}

std::string survival_ratio_problem(double sx) {
  if (sx >= 0 && sx <= 1) return {};
  return "expected a survival ratio from 0 to 1, got " + fmt(sx);
}

}  // namespace cohortgis::scenarios
