// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/input_limits.hpp"

#include <cmath>

#include "toml_doc.hpp"

namespace cohortgis::scenarios {

using detail::fmt;

std::string range_problem(const ValueRange& range, double value) {
  if (value >= range.lo && value <= range.hi) return {};
  return "expected " + std::string(range.what) + " from " + fmt(range.lo) + " to " + fmt(range.hi) + ", got " +
         fmt(value);
}

std::string migration_value_problem(MigrationValue kind, double value, double as_held) {
  // A net rate is any finite number, as in ccmppWPP (M = r · P for every rate, R/project_ccmpp_loop_over_time.R):
  // above 1 a cell gains more than its population (Kuwait's rates reach 4.4), below −1 it would lose more than it
  // holds, which flow_policy settles (the UN's override under "wpp"). Only a number that is none is refused.
  // Counts are checked over the step, as the engine takes them: a file's 3e8 persons per year on five-year steps
  // are 1.5e9 persons over a step, which a StepSchedules setter (that knows no step length) refuses too.
  const std::string count = fmt(value) + (as_held == value ? "" : " (" + fmt(as_held) + " persons over the step)");
  switch (kind) {
    case MigrationValue::signed_count:
      if (std::abs(as_held) <= kMaxMigrationPersons) return {};
      return count + " is outside the range for a signed count (at most 1e9 persons over a step)";
    case MigrationValue::count:
      if (as_held >= 0 && as_held <= kMaxMigrationPersons) return {};
      return count + " is outside the range for a count (0 to 1e9 persons over a step)";
    case MigrationValue::net_rate:
      if (std::isfinite(as_held)) return {};
      return fmt(value) + " is outside the range for a net rate (a finite number of persons per person)";
    case MigrationValue::out_rate:
      if (value >= 0 && as_held <= 1.0) return {};
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

std::string person_years_problem(double lx) {
  if (lx >= 0 && std::isfinite(lx)) return {};
  return "expected person-years Lx >= 0, got " + fmt(lx);
}

std::string l65_problem(double l65, double l0) {
  // NaN: the table gives no l(65) (an Lx table without an lx column at 65), and e65 is not computed.
  if (std::isnan(l65) || (l65 >= 0 && (std::isnan(l0) ? std::isfinite(l65) : l65 <= l0))) return {};
  return "lx at age 65 is " + fmt(l65) +
         (std::isnan(l0) ? std::string("; expected a number >= 0") : "; expected 0 to the radix l0 = " + fmt(l0));
}

std::string birth_rate_problem(double asfr) {
  if (asfr >= 0 && asfr <= 1) return {};
  return "expected births per woman per year from 0 to 1, got " + fmt(asfr);
}

std::string sex_ratio_at_birth_problem(double srb, bool per_100_females) {
  const double lo = per_100_females ? 90.0 : 0.9, hi = per_100_females ? 130.0 : 1.3;
  if (srb >= lo && srb <= hi) return {};
  return "expected a sex ratio at birth from " + fmt(lo) + " to " + fmt(hi) +
         (per_100_females ? " males per 100 females" : " males per female") + ", got " + fmt(srb);
}

}  // namespace cohortgis::scenarios
