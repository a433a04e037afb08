// SPDX-License-Identifier: Apache-2.0
// Planning adjustments at the end of a step: control totals (top-down consistency with a higher-level projection)
// and capacity (dwelling stock or population caps, the "housing-led" method of UK planning authorities), and
// households from headship rates. The engine calls a StepAdjuster (ProjectionConfig::step_adjuster) after the step's
// tentative end population is computed; the persons it adds or removes are a reported component
// (StepComponents::planning_adjustment), counted as migration: net migrants that arrive at the end of the step.
//
// Methods:
//  - proportional control (pro-rating, Wilson 2011, "Adjusting subnational population projections to national
//    totals", J. Population Research 28): every cell of the zone set is scaled by target / tentative, per (sex, age)
//    when the target is by sex and age, else overall;
//  - iterative proportional fitting (Deming & Stephan 1940; engine/fitting.hpp) of the zone set's table
//    [zone, group, sex, age] to two margins: the (sex, age) targets and the zones' tentative totals scaled by
//    (target total / tentative total), so each zone keeps its share while the age structure meets the target;
//  - capacity: a zone whose population exceeds its cap (or whose households, Σ headship × population, exceed its
//    dwellings) is scaled down pro rata to the cap; the displaced persons, by group, sex and age, go to the zones
//    whose caps do not bind, in proportion to their tentative population in that cell (in proportion to their
//    total population where no receiving zone holds anyone in the cell). A zone pushed over its own cap by what it
//    receives binds in turn, and its excess goes on to the remaining zones. The whole area's total is unchanged.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/cohort_array.hpp"

namespace cohortgis {

// Relative tolerance of "a control is met" and "a cap is not exceeded" (sums of many cells carry rounding); the
// scenario reader checks nested controls with the same.
inline constexpr double kMetTolerance = 1e-9;

struct StepContext;
struct StepComponents;

enum class ControlMethod { proportional, ipf };

// A higher-level projection that a set of zones must add up to at the end of one step.
struct ControlTotal {
  std::string name;         // the zone set (e.g. "total", a parent id, an aggregate), for messages and outputs
  std::vector<int> zones;   // the constrained zones
  int year = 0;             // the end year of the step it applies to
  double total = 0.0;       // persons, all groups, sexes and ages (when by_sex_age is empty)
  std::vector<double> by_sex_age;  // [sex][age] persons; empty: only the total
  ControlMethod method = ControlMethod::proportional;
  // Where it was given ("file, layer …, data row N …"), first in its errors as in other scenario errors; empty: none.
  std::string source = {};
};

// A ceiling on one zone at the end of one step: a population cap, or a dwelling stock that its households must fit.
struct CapacityLimit {
  int zone = 0;
  int year = 0;
  double max_population = -1.0;  // persons; < 0: not given
  double dwellings = -1.0;       // occupied dwellings available; < 0: not given (needs headship rates)
  // The row that gave the cap, for errors; shared by the cap's copies for each step it holds to (a string each was
  // ≈ 60 MB at 50,000 zones × 10 steps). Null: none.
  std::shared_ptr<const std::string> source = {};
};

// Headship rates by zone, sex and age (households per person, in [0, 1]); one table per year it starts to apply.
struct HeadshipRates {
  int from_year = 0;
  std::vector<double> rates;  // [zone][sex][age]
};

// What capacity did to one zone in one year.
struct CapacityOutcome {
  int zone = 0, year = 0;
  double limit_population = -1.0, dwellings = -1.0;  // as given
  double tentative_population = 0.0, final_population = 0.0;
  double tentative_households = -1.0, final_households = -1.0;  // < 0 without headship rates
  double displaced = 0.0;  // persons removed by the cap (≥ 0)
  double received = 0.0;   // persons received from capped zones (≥ 0)
  bool binds = false;
};

// What a control did to its zone set in one year.
struct ControlOutcome {
  std::string name;
  int year = 0;
  double target = 0.0, tentative = 0.0, adjustment = 0.0;  // persons, whole set
  int ipf_iterations = 0;
};

struct PlanningSpec {
  // Applied smallest zone set first (ties in the given order); the sets of one year must nest or be disjoint. A set
  // whose parts have controls of their own meets its target through its other zones.
  std::vector<ControlTotal> controls;
  std::vector<CapacityLimit> limits;
  std::vector<HeadshipRates> headship;  // sorted by from_year
  double vacancy_percent = 0.0;  // dwellings needed = households / (1 − vacancy_percent / 100)
  // The rates that apply at the end of `year` (the latest table with from_year <= year; the first one before it);
  // null without tables.
  const HeadshipRates* headship_for(int year) const;
  bool empty() const { return controls.empty() && limits.empty(); }
};

// Checks a spec against a layout: zone indexes, finite non-negative targets and caps, (sex, age) targets of the
// layout's age grid, zone sets of one year that nest or are disjoint, headship rates in [0, 1] and dwellings only
// with headship rates. Throws InputError.
void validate_planning(const PlanningSpec& spec, const CohortLayout& layout, const std::vector<std::string>& zone_ids);

// Households of one zone: Σ over groups, sexes and ages of headship[zone][sex][age] × population.
double zone_households(const CohortArray& population, const HeadshipRates& headship, int zone);

// Applies the controls of `year`, then its capacity limits, to `end` in place; adds the change of every cell to
// `adjustment` (same layout) and appends what happened to the logs. Throws InputError when a cap leaves no zone to
// receive the displaced persons, or when the controls of a set's parts leave its target unmeetable.
void apply_planning(const PlanningSpec& spec, int year, CohortArray& end, CohortArray& adjustment,
                    std::vector<ControlOutcome>& controls_log, std::vector<CapacityOutcome>& capacity_log,
                    const std::vector<std::string>& zone_ids);

// The engine's hook, called after each step's tentative end population (see ProjectionConfig::step_adjuster).
using StepAdjuster = std::function<void(const StepContext&, const CohortArray& start, CohortArray& end,
                                        StepComponents& components)>;

// Households of one zone at the end of a year (headship rates or average household sizes).
struct HouseholdCount {
  int zone = 0, year = 0;
  double population = 0.0, households = 0.0, dwellings_needed = 0.0;
};

// A StepAdjuster for a spec that keeps its logs (read them after the run). The spec must outlive it. With headship
// rates it also counts every zone's households at the end of each step (after the adjustments).
class PlanningAdjuster {
 public:
  PlanningAdjuster(const PlanningSpec& spec, std::vector<std::string> zone_ids) : spec_(spec), zone_ids_(std::move(zone_ids)) {}
  void operator()(const StepContext& ctx, const CohortArray& start, CohortArray& end, StepComponents& components);
  const std::vector<ControlOutcome>& controls() const { return controls_; }
  const std::vector<CapacityOutcome>& capacity() const { return capacity_; }
  const std::vector<HouseholdCount>& households() const { return households_; }
  // Counts the households of `population` (e.g. the base population) when the spec has headship rates.
  void record_households(const CohortArray& population, int year);

 private:
  const PlanningSpec& spec_;
  std::vector<std::string> zone_ids_;
  std::vector<ControlOutcome> controls_;
  std::vector<CapacityOutcome> capacity_;
  std::vector<HouseholdCount> households_;
};

}  // namespace cohortgis
