// SPDX-License-Identifier: Apache-2.0
// The ranges a scenario file's schedule values must lie in, with the words its reader refuses them in: one helper for
// the loader (build_fertility.cpp, build_migration.cpp, build_mortality.cpp) and for schedules set from Python
// (StepSchedules' setters, python/src/bind_schedules.cpp), so that a value the command line refuses is refused there
// too, in the same words. Each is checked on the value as StepSchedules holds it (the engine's units): a file's
// value is first converted by its `unit` and `per` (scenarios/README.md "Units").
#pragma once

#include <string>

namespace cohortgis::scenarios {

// The kinds of migration value a [migration] table holds: net and net_total (signed counts), in and out (counts),
// net_rate (persons per person) and out_rate (persons per person per year).
enum class MigrationValue { signed_count, count, net_rate, out_rate };

// The most persons one cell of a migration count may hold over a step (|net| and in/out counts, an OD count, an
// external pair): above any real flow. One rule for every step length: a file's count per year is checked after × z.
inline constexpr double kMaxMigrationPersons = 1e9;
// The highest central death rate a schedule may give: above 2 per person-year is not a human population's (and
// usually a rate per 1000).
inline constexpr double kMaxDeathRate = 2.0;

// A closed range of a number and what the number is, for "expected <what> from <lo> to <hi>, got <value>" (the words
// of every ranged number of a scenario file: Doc::number).
struct ValueRange {
  double lo, hi;
  const char* what;
};
// [mortality] radix: l(0) of a person-years table (StepSchedules::radix_l0).
inline constexpr ValueRange kRadixRange{1e-9, 1e12, "a radix l0"};
// [[newborn]] share: the part of the mother group's births that the child group takes (NewbornRule share, zone_share).
inline constexpr ValueRange kNewbornShareRange{0.0, 1.0, "a share"};
// [[transitions]] rate and rates: persons moved per person of the from group per year (GroupTransition rate_per_year).
inline constexpr ValueRange kTransitionRateRange{0.0, 1.0, "a rate per person per year"};

// "" when `value` lies in `range`; else "expected <what> from <lo> to <hi>, got <value>".
std::string range_problem(const ValueRange& range, double value);

// "" when `value` (the number as given) is in range for `kind`; `as_held` is what it becomes in the step's schedules
// (× unit and × z for a count or net rate per year, ÷ z for an out-rate per step; the same number for a value set from
// Python): the range is checked on it. Otherwise "<value> is outside the range for a signed count (at most 1e9
// persons over a step)" (or "a count (0 to 1e9 persons over a step)", "a net rate (a finite number of persons per
// person)", "an out-rate (0 to 1 per person per year)"), a count that differs from what it becomes with it in
// parentheses ("300000000 (1500000000 persons over the step) is …"), for the caller to prefix with where the value is.
std::string migration_value_problem(MigrationValue kind, double value, double as_held);

// "" when `mx` is a death rate from 0 to kMaxDeathRate; else "expected a death rate from 0 to 2 per person-year, got
// <mx>" (with a hint for a rate per 1000).
std::string death_rate_problem(double mx);

// "" when `sx` is a survival ratio from 0 to 1; else "expected a survival ratio from 0 to 1, got <sx>".
std::string survival_ratio_problem(double sx);

// "" when `lx` (person-years lived in an age group of a life table) is a finite number >= 0; else "expected
// person-years Lx >= 0, got <lx>".
std::string person_years_problem(double lx);

// "" when l(65) is not given (NaN) or lies from 0 to the table's radix `l0`; else "lx at age 65 is <l65>; expected 0
// to the radix l0 = <l0>" (without a radix known, NaN: "; expected a number >= 0").
std::string l65_problem(double l65, double l0);

// "" when `asfr` is a birth rate from 0 to 1 birth per woman per year (a schedule with a declared unit: above 1 is not
// a human population's, usually a rate per 1000 women); else "expected births per woman per year from 0 to 1, got
// <asfr>", for the caller to follow with its hint (a file's unit, Python's "divide by 1000").
std::string birth_rate_problem(double asfr);

// "" when `srb` is a sex ratio at birth from 0.9 to 1.3 males per female (`per_100_females`: 90 to 130 males per 100
// females); else "expected a sex ratio at birth from 0.9 to 1.3 males per female, got <srb>" (… "per 100 females"),
// for the caller to follow with its hint.
std::string sex_ratio_at_birth_problem(double srb, bool per_100_females);

}  // namespace cohortgis::scenarios
