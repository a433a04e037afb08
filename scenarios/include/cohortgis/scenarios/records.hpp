// SPDX-License-Identifier: Apache-2.0
// What a person-level register gave a run (`[base_population] records = …`, scenarios/README.md "Registers
// (records)"): aggregates only. No record is kept: the rows are streamed, counted into cells and dropped.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::scenarios {

// Why a record may be left out (`exclude = [...]`); kRecordReasons holds the names in this order.
enum class RecordReason {
  bad_date, born_after_base, over_max_age, duplicate_id, unknown_zone, outside_zones, unknown_group, bad_value,
  registered_after_base
};
inline constexpr const char* kRecordReasons[] = {"bad_date",      "born_after_base", "over_max_age",
                                                 "duplicate_id",  "unknown_zone",    "outside_zones",
                                                 "unknown_group", "bad_value",       "registered_after_base"};

// Records left out under the declared policy (`exclude = [...]`), one entry per declared reason (count may be 0).
struct RecordExclusion {
  std::string reason;                   // e.g. "duplicate_id"
  std::size_t count = 0;
  std::vector<std::size_t> first_rows;  // data rows (1 = the first row under the header), at most kFirstRows
  static constexpr std::size_t kFirstRows = 10;
};

// Women by children ever born, at the base date.
inline constexpr const char* kParityLabels[] = {"0", "1", "2", "3+", "unknown"};
inline constexpr int kParityClasses = 5;

struct RecordsSummary {
  std::string source;     // the register as written in the scenario file
  std::string base_date;  // ISO date the ages are taken at
  std::size_t rows = 0;      // data rows read (after the table's filter)
  std::size_t persons = 0;   // rows counted into the base population
  std::vector<RecordExclusion> exclusions;
  // Women by [zone][group][age index][parity class] when the register maps `children`; empty otherwise.
  bool has_parity = false;
  std::vector<double> parity_women;
  int zones = 0, groups = 0, ages = 0;
  std::size_t parity_index(int zone, int group, int age, int parity) const {
    return ((uz(zone) * uz(groups) + uz(group)) * uz(ages) + uz(age)) * kParityClasses + uz(parity);
  }
};

// Dates of the register (exposed for tests). A civil date; valid() checks the month and the day of the month.
struct CivilDate {
  int year = 0, month = 0, day = 0;
  bool valid() const;
  std::string iso() const;  // "2020-12-31"
  friend bool operator<(const CivilDate& a, const CivilDate& b) {
    return a.year != b.year ? a.year < b.year : a.month != b.month ? a.month < b.month : a.day < b.day;
  }
};
// "2020-12-31", "2020/12/31", "20201231", "2020-1-5"; a time of day after a space or 'T' is ignored ("2020/12/31
// 00:00:00", as GDAL writes spreadsheet dates; H:MM[:SS[.fff]] with an optional Z, ±HH[[:]MM] or AM/PM). False for
// anything else (other text after the date too) or an impossible date (2021-02-29).
bool parse_civil_date(const std::string& text, CivilDate& out);
// Age in completed years on `at` of a person born on `birth` (birth <= at). The age grows on the birthday; a person
// born on 29 February grows on 1 March in common years (the day after 28 February).
int completed_years(const CivilDate& birth, const CivilDate& at);

// ---- event registers (`[registers]`, scenarios/README.md "Event registers") ----

// Why an event may be left out (`[registers] exclude = [...]`); kEventReasons holds the names in this order.
enum class EventReason { bad_date, after_base, outside_years, born_after_event, over_max_age, unknown_zone,
                         unknown_group, bad_value, duplicate_id };
inline constexpr const char* kEventReasons[] = {"bad_date",     "after_base",    "outside_years",
                                                "born_after_event", "over_max_age", "unknown_zone",
                                                "unknown_group", "bad_value",    "duplicate_id"};

// One register of events, counted. Births are counted by the mother's zone, group and age group at the birth (sex
// index 0, female); deaths by the deceased's zone, group, sex and age group at death.
struct EventCounts {
  std::string kind;    // "births" or "deaths"
  std::string source;  // the table as written in the scenario file
  std::size_t rows = 0, events = 0;
  std::vector<RecordExclusion> exclusions;  // one per declared reason
  std::vector<double> counts;               // EventRegisters::index layout
  // Births only: by the child's sex, [year][zone][group][sex] (empty when the register has no `sex` column).
  std::vector<double> births_by_child_sex;
};

// What `[registers]` gave a run: events by calendar year, and the person-years they are rates of.
struct EventRegisters {
  int first_year = 0, last_year = 0;  // the calendar years counted (`years`)
  int zones = 0, groups = 0, ages = 0, age_width = 1;
  std::vector<EventCounts> registers;  // births first, then deaths (those declared)
  // Person-years lived by [year][zone][group][sex][age]; NaN where not known (no rate is then given).
  std::vector<double> person_years;
  std::string exposure;  // where the person-years come from, in words
  int years() const { return last_year - first_year + 1; }
  std::size_t index(int year, int zone, int group, int sex, int age) const {
    return (((uz(year - first_year) * uz(zones) + uz(zone)) * uz(groups) + uz(group)) * 2 + uz(sex)) * uz(ages) +
           uz(age);
  }
  std::size_t cells() const { return uz(years()) * uz(zones) * uz(groups) * 2 * uz(ages); }
};

}  // namespace cohortgis::scenarios
