// SPDX-License-Identifier: Apache-2.0
// Planning indicators per zone, group (and all groups) and aggregate of zones (design note Part C).
// Aggregates sum counts first and compute rates from the sums; rates never get averaged.
#pragma once

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/cohort_array.hpp"

namespace cohortgis {

struct StepComponents;
struct StepContext;

struct ZoneAggregate {
  std::string name;
  std::vector<int> zones;  // member zone indexes
};

// Ages from_age … to_age inclusive (to_age < 0: open-ended, e.g. 65+). On a five-year grid a band that cuts an age
// group takes the overlapping fraction of it (persons spread evenly within the group).
struct AgeBand {
  std::string name;
  int from_age = 0;
  int to_age = -1;
  int sex = -1;  // -1: both sexes; 0 female; 1 male
  // What the column holds: the persons of the band, 100 · band / population (as share_65_plus_percent), or
  // 100 · band / P_15–64 (as old_age_dependency_ratio); NaN where the denominator is not > 0.
  // The fertility measures (optional_indicator: mean_age_childbearing, grr, nrr) count no persons: their from_age
  // … to_age are unused and they are computed from the step's births, schedule and female life table
  // (engine/src/indicator_fertility.cpp; NaN for a base year and where undefined).
  enum class Measure {
    persons,
    percent_of_population,
    per_100_aged_15_64,
    mean_age_childbearing,
    gross_reproduction_rate,
    net_reproduction_rate
  } measure = Measure::persons;
};

// Built-in indicators a scenario asks for by name (`[outputs] indicators`), computed as extra bands after the
// standard columns, so that runs without them keep their tables (and the benchmark hashes) unchanged: `age_15_17`
// (高中 school age), `age_80_plus` (高龄), `share_80_plus_percent`, `child_dependency_ratio` (少儿抚养比,
// 100 · P_0–14 / P_15–64), and the fertility summaries `mean_age_childbearing` (平均生育年龄, years), `grr` and `nrr`
// (gross and net reproduction rates, 净再生产率, daughters per woman). An empty optional for another name.
std::optional<AgeBand> optional_indicator(const std::string& name);
// Their names, in the order above.
std::vector<std::string> optional_indicator_names();

enum class Indicator : int {
  population, population_female, population_male, births, births_female, births_male, deaths, net_migration,
  person_years, cbr_per_1000, cdr_per_1000, natural_growth_per_1000, tfr, srb_per_100_females,
  e0_female, e0_male, e65_female, e65_male, e0,
  share_0_14, share_15_64, share_65_plus, share_60_plus,
  old_age_dependency_ratio, total_dependency_ratio, median_age,
  women_15_49, age_0_2, age_3_5, age_6_11, age_12_14, age_15_59, age_15_64, age_60_plus, age_65_plus,
  count_  // number of standard indicators; extra age bands follow
};
inline constexpr int kStandardIndicators = static_cast<int>(Indicator::count_);

// Machine name of a standard indicator (e.g. "cbr_per_1000").
const char* indicator_name(Indicator id);
// Whether an indicator is a stock or a flow: is_stock_indicator(name), cohortgis/engine/indicator_kinds.hpp.

// Values [unit][group slot][indicator], unit = zone 0 … Z−1 then aggregates; group slot = group 0 … G−1 then
// "all groups". Indicator columns: the standard ones, then the extra age bands. With one group ("all" holds the same
// values as the group: all_is_group), each unit's values are stored once: `values` is [unit][indicator] and get() reads
// the group's for "all" (14 MB less at 50,000 zones). Read through get(), row() or copy_units(), not `values` by index.
struct IndicatorTable {
  std::vector<std::string> unit_names;
  std::vector<std::string> group_names;  // the last is "all"
  std::vector<std::string> indicator_names;
  std::vector<double> values;
  bool all_is_group = false;  // one group: "all" is slot 0's values, not stored again

  std::size_t n_indicators() const { return indicator_names.size(); }
  // Group slots held in `values` per unit.
  std::size_t stored_slots() const { return group_names.size() - (all_is_group ? 1 : 0); }
  // Values of the full table (group_names.size() slots a unit, "all" written out).
  std::size_t full_size() const { return unit_names.size() * group_names.size() * n_indicators(); }
  const double* row(std::size_t unit, std::size_t group_slot) const {
    return values.data() + (unit * stored_slots() + (all_is_group ? 0 : group_slot)) * n_indicators();
  }
  double get(std::size_t unit, std::size_t group_slot, std::size_t indicator) const {
    return row(unit, group_slot)[indicator];
  }
  double get(std::size_t unit, std::size_t group_slot, Indicator id) const {
    return get(unit, group_slot, static_cast<std::size_t>(id));
  }
  // Units [u0, u0 + n) in the full layout [unit][group slot][indicator] ("all" written out where shared) into `out`.
  void copy_units(std::size_t u0, std::size_t n, double* out) const;
  std::size_t unit_index(const std::string& name) const;
};

// Persons aged from_age ≤ x < to_age_exclusive in one age vector on `grid` (+infinity: open-ended, e.g. 65+).
// A band ending inside the open group takes a share of it as if the open group were z years wide.
double persons_in_band(const AgeGrid& grid, std::span<const double> persons, double from_age, double to_age_exclusive);
// Median age by linear interpolation within the median's age group (design note C). NaN when the total is 0.
double median_age(const AgeGrid& grid, std::span<const double> persons);


// The aggregates a run reports: the given ones, plus "total" (every zone) unless one is already named so.
std::vector<ZoneAggregate> with_total_aggregate(std::vector<ZoneAggregate> aggregates, int zones);

// Stock indicators of one population (e.g. the base year): population counts, shares, dependency ratios, median
// age, age bands. Flow indicators (births, deaths, rates, TFR, e0) are NaN or 0.
void compute_population_indicators(const CohortArray& population, const std::vector<std::string>& zone_ids,
                                   const std::vector<std::string>& group_names,
                                   const std::vector<ZoneAggregate>& aggregates,
                                   const std::vector<AgeBand>& extra_bands, IndicatorTable& out);

// Computes the table for one step (used by Projection; public for tests and the Python layer).
void compute_indicators(const CohortArray& start, const CohortArray& end, const StepComponents& components,
                        std::span<const double> asfr, std::span<const double> mortality_mx,
                        const std::vector<std::string>& zone_ids, const std::vector<std::string>& group_names,
                        const std::vector<ZoneAggregate>& aggregates, const std::vector<AgeBand>& extra_bands,
                        const struct LifeTableMethod& method, IndicatorTable& out);

}  // namespace cohortgis
