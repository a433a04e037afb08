// SPDX-License-Identifier: Apache-2.0
// The ranges a scenario file's schedule values must lie in, with the words its reader refuses them in: one helper for
// the loader (build_migration.cpp, build_mortality.cpp) and for schedules set from Python (StepSchedules' setters,
// python/src/bind_scenario.cpp), so that a value the command line refuses is refused there too, in the same words.
#pragma once

#include <string>

namespace cohortgis::scenarios {

// The kinds of migration value a [migration] table holds: net and net_total (signed counts), in and out (counts),
// net_rate (persons per person) and out_rate (persons per person per year).
enum class MigrationValue { signed_count, count, net_rate, out_rate };

// The most persons one cell of a migration count may hold (|net| and in/out counts): above any real flow.
inline constexpr double kMaxMigrationPersons = 1e9;
// The highest central death rate a schedule may give: above 2 per person-year is not a human population's (and
// usually a rate per 1000).
inline constexpr double kMaxDeathRate = 2.0;

// "" when `value` (the number as given) is in range for `kind`; `per_year` is the rate the value becomes (per person
// per year for out_rate, per person over the step for net_rate): the range of rates is checked on it. Otherwise
// "<value> is outside the range for a signed count (at most 1e9 persons)" (or "a count (0 to 1e9 persons)", "a net
// rate (a finite number of persons per person)", "an out-rate (0 to 1 per person per year)"), for the caller to
// prefix with where the value is.
std::string migration_value_problem(MigrationValue kind, double value, double per_year);

// "" when `mx` is a death rate from 0 to kMaxDeathRate; else "expected a death rate from 0 to 2 per person-year, got
// <mx>" (with a hint for a rate per 1000).
std::string death_rate_problem(double mx);

// "" when `sx` is a survival ratio from 0 to 1; else "expected a survival ratio from 0 to 1, got <sx>".
std::string survival_ratio_problem(double sx);

}  // namespace cohortgis::scenarios
