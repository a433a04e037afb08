// SPDX-License-Identifier: Apache-2.0
// Schedules that change over time (scenarios/README.md "Schedules that change over time"): the rows of a schedule
// table grouped by its `year` or `period` column, and for every projection step which groups apply with which
// weights. `year = Y` gives the inputs of the step that starts at Y (the population at the end of Y → end of Y + z;
// the convention of the UN's time_start); `period = "2021-2025"` names inclusive calendar years and applies to the
// steps whose years lie inside it. A table without either applies to every step.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario_build.hpp"

namespace cohortgis::scenarios::detail {

struct TimedRows {
  enum class Kind { always, year, period } kind = Kind::always;
  bool linear = false;               // year tables: linear between given years (else the last given year holds)
  std::vector<int> first, last;      // per key (year tables: first == last == the year); sorted by first
  std::vector<std::vector<std::size_t>> rows;  // row indexes of the Rows, per key
  std::vector<char> used;            // per key: some step uses it
  // Per step: (key, weight) with weights summing to 1; a single key has weight exactly 1.
  std::vector<std::vector<std::pair<std::size_t, double>>> steps;
  std::size_t keys() const { return first.size(); }
};

// Groups the rows of `rows` (read with the roles "year" and/or "period" allowed) by time and resolves every step of
// the build. Errors (file, row, column): both columns, a year that is not a whole number, a period that cannot be
// read, overlapping periods, a gap between periods inside the projection, a step before the table's first year or
// not inside one period. Unused keys are noted in the scenario's assumptions (the manifest lists them).
TimedRows time_rows(const Build& b, const Rows& rows, const std::string& key);

// Σ weight × value over the keys of one step; a single key is copied bit for bit.
std::vector<double> mix_step(const std::vector<std::vector<double>>& per_key,
                             const std::vector<std::pair<std::size_t, double>>& parts);

// Persons per unit of a count table: "persons" (default) 1, "thousands" 1000, "10k" (万人) 10000; else an error.
double persons_per_unit(const Doc& doc, const TableRef& ref);
// Multiplier that turns a count table's values into persons over one step: z for per = "year" (the default),
// 1 for per = "step"; times the unit ("persons" (default), "thousands", "10k" = 万人).
double count_scale(const Build& b, const TableRef& ref);

}  // namespace cohortgis::scenarios::detail
