// SPDX-License-Identifier: Apache-2.0
// The multi-regional cohort-component projection (docs/ccmpp.md Part B) and its facade.
//
// A state is a (zone, group) pair; every state runs the Part A step of ccmpp_step.hpp. Flows between states (OD
// migration, group transitions, external flows, given net counts) are turned into each state's net migrants M
// before the step, so zones run in parallel with no communication inside a step.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/engine/ccmpp_step.hpp"
#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/planning.hpp"
#include "cohortgis/engine/projection_method.hpp"

namespace cohortgis {

// What to do when flows exceed a cohort or a cell would go negative (design note B2).
enum class FlowPolicy {
  conserve,  // scale a cell's out-flows to P − 0.00001 and floor negative cells; record both (default)
  wpp,       // the UN's override of net migrants (A2) and the floor (A3 step 7), exactly as ccmppWPP
  error,     // stop with a ProjectionError naming zone, group, year, sex and age
};

enum class MortalityInput {
  death_rates,       // mx by life-table row; the engine builds the life table (LifeTableMethod)
  person_years,      // Lx by life-table row (the last row holding T of the open age) and a radix l0
  survival_ratios,   // S[0..w] directly
};

// Origin–destination migration between zones, sparse (design note B1):
// X[o→d][s][i] = z · rate_per_year · profile[group][s][i] · P_o[group][s][i].
struct OdFlow {
  int origin = 0;
  int destination = 0;
  int group = -1;              // -1: every group
  double rate_per_year = 0.0;  // migrants per person per year at profile 1
};

class OdMigration {
 public:
  OdMigration() = default;
  // profile: [group][sex][age] multipliers (empty: 1 everywhere). Validates ids, rates ≥ 0, no self-flows and that
  // the rates out of each origin sum to at most 1 per year; builds the in- and out-edge indexes.
  OdMigration(std::vector<OdFlow> flows, std::vector<double> profile, int zones, int groups, int n_ages);

  // The flows sorted by destination, then origin (input order among equal pairs): the order of the in-flow sums.
  const std::vector<OdFlow>& flows() const { return flows_; }
  // The profile of one group and sex by age (empty when there is no profile: 1 everywhere).
  std::span<const double> profile_row(int group, int sex) const {
    if (profile_.empty()) return {};
    return {profile_.data() + (uz(group) * kSexes + uz(sex)) * n_ages_, n_ages_};
  }
  bool empty() const { return flows_.empty(); }
  // The counts it was built for (0 when default-constructed): its indexes and profile are sized by them, so a run
  // refuses a matrix whose counts are not its layout's (StepRunner::validate_sizes).
  int zones() const { return zones_; }
  int groups() const { return groups_; }
  int n_ages() const { return static_cast<int>(n_ages_); }
  double profile(int group, int sex, int age) const {
    return profile_.empty() ? 1.0 : profile_[(uz(group) * kSexes + uz(sex)) * n_ages_ + uz(age)];
  }
  // Edges leaving a zone, as indexes into flows(), sorted by destination (the fixed order of every sum).
  std::span<const int> out_edges(int zone) const;
  // The flows entering a zone, sorted by origin (the fixed order of the sum): a contiguous run of flows().
  std::span<const OdFlow> in_flows(int zone) const;
  // Those of them that carry a group (its own and the every-group flows), in the same order, as indexes into
  // flows(): the step's in-edges of a (zone, group) without a test of every in-flow of the zone.
  std::span<const int> in_flows_of_group(int zone, int group) const {
    const std::size_t k = uz(zone) * uz(groups_) + uz(group);
    return {in_group_idx_.data() + in_group_start_[k], uz(in_group_start_[k + 1] - in_group_start_[k])};
  }
  // Σ rate_per_year over the out-edges of a zone that carry the group, summed in out_edges() order.
  double out_rate_per_year(int zone, int group) const { return out_rate_[uz(zone) * uz(groups_) + uz(group)]; }
  // Whether no rate and no profile value is −0 (each is +0 or more): with populations free of −0 every in-flow term
  // z · rate · profile · P is then +0 or more, so a sum of them from +0 equals the sum from its first term.
  bool no_minus_zero() const { return no_minus_zero_; }

 private:
  std::vector<OdFlow> flows_;
  std::vector<double> profile_;
  std::size_t n_ages_ = 0;
  std::vector<int> out_start_, out_idx_, in_start_;
  std::vector<int> in_group_start_, in_group_idx_;  // [zone][group] runs of indexes into flows_ (in_flows_of_group)
  std::vector<double> out_rate_;  // [zone][group]
  int zones_ = 0, groups_ = 0;
  bool no_minus_zero_ = true;
};

// Annual transition rates between groups of the same zone (e.g. floating → registered on getting hukou):
// X[g→h][s][i] = z · rate_per_year[s][i] · zone_multiplier[zone] · P_g[s][i].
struct GroupTransition {
  int from_group = 0;
  int to_group = 0;
  std::vector<double> rate_per_year;    // [sex][age]
  std::vector<double> zone_multiplier;  // [zone]; empty: 1
};

// Persons of external_out at cell `from` that arrive as external_in at cell `to` in the same step (indexes
// [zone][group][sex][age]): OD rates by cell, OD counts and relocations, which a scenario gives as such a pair. Under
// `conserve` the destination receives them scaled as the origin's cell (B2), so the books still balance.
struct ExternalPair {
  std::size_t from = 0, to = 0;
  double persons = 0.0;
};

// A share of the births to mothers of one group assigned to another group (design note B3).
struct NewbornRule {
  int mother_group = 0;
  int child_group = 0;
  double share = 0.0;                // of the mother group's births, both sexes
  std::vector<double> zone_share;    // [zone]; overrides `share` when not empty
};

// The schedules of one step; a ScheduleProvider fills one of these per step (only one step is held at a time). Empty
// migration vectors mean "none of this kind". National mortality, asfr and srb: zone_shared_schedules.hpp.
struct StepSchedules {
  MortalityInput mortality_kind = MortalityInput::death_rates;
  LxLayout person_years_layout = LxLayout::abridged;  // for person_years on a five-year grid
  std::vector<double> mortality;   // [zone][group][sex][row]: rows = grid.life_table_rows() (mx, Lx) or n_ages (S)
  std::vector<double> radix_l0;    // person_years only: [zone][group][sex]
  // person_years only, may be empty: [zone][group][sex] l(65) of the same table, for e65 = T(65) / l(65) (the Lx
  // rows sum to T; l(65) is not recoverable from them). Empty: e65 is not known (NaN).
  std::vector<double> l65;
  // death_rates on a five-year grid only: [zone][group][sex] the given table's own rate of the group starting at the
  // grid's open age w when the rates went on past w (the mx row's open rate is then that table's l(w) / T(w)): the
  // Greville nax of the last closed group takes it as its upper neighbour (build_abridged_life_table_closed_above,
  // DemoTools' lt_abridged(OAnew = w) order). Empty, or NaN for one: the open rate, as a table that ends at w.
  std::vector<double> mortality_next;
  std::vector<double> asfr;        // [zone][group][age] births per woman per year (index convention of the grid)
  std::vector<double> srb;         // [zone] male births per female birth
  // Given net migration (design note A2), in any combination; all three add into the "net given" component:
  std::vector<double> net_migrants;            // counts: [zone][group][sex][age] persons over the whole step
  std::vector<double> net_migrants_per_person; // rates: [zone][group][sex][age], M = r · P at the step's start
  std::vector<double> net_migrants_total;      // totals: [zone][group] persons over the step, M ∝ start population
  std::vector<double> external_in;        // persons over the whole step
  std::vector<double> external_out;       // persons over the whole step
  std::vector<double> external_out_rate;  // per person per year
  std::vector<ExternalPair> external_pairs;  // parts of external_out/_in that are one flow (empty: none)
  // May be null. Not changed once handed to a step (a new object for new flows): while a step's OD is the same object
  // as the last step's, the run reuses what it derived from it (five-year out-rate sums, multistate factors).
  std::shared_ptr<const OdMigration> od;
  std::vector<GroupTransition> transitions;
  std::vector<NewbornRule> newborn_rules;
  // Migration timing of this step (A2: even or end); empty: ProjectionConfig::migration_timing. The UN's inputs
  // may change it from one period to the next.
  std::optional<MigrationTiming> migration_timing;
  // Hint from a provider that left `mortality`, `mortality_kind`, `person_years_layout`, `radix_l0` and `l65` exactly
  // as they were in the previous step (e.g. UN schedules that change by five-year period): the engine then reuses that
  // step's survival ratios and life-table results instead of rebuilding them. The engine clears it after every
  // step, so a hint cannot go stale.
  bool mortality_unchanged = false;
};

// Whether two steps' schedules hold the same mortality bit for bit (`mortality`, `mortality_kind`,
// `person_years_layout`, `radix_l0`, `l65`: what the life tables and survival ratios are built from).
bool same_mortality(const StepSchedules& a, const StepSchedules& b);

struct StepContext {
  int step = 0;        // 0-based
  int start_year = 0;  // population label at the start (end of this year, design note C)
  int end_year = 0;    // start_year + z
};

// Fills the schedules of one step. The object passed in still holds the previous step's schedules (empty before the
// first step), so a provider may change only what changes; it is validated after every call.
using ScheduleProvider = std::function<void(const StepContext&, StepSchedules&)>;
// The same, handing the schedules by reference instead of filling the engine's buffer: returns either `buffer`
// (filled as a ScheduleProvider fills it) or an object of the provider's own, which must stay unchanged and alive
// until the end of the run (e.g. a scenario's fixed schedules, shared with the engine instead of copied every step:
// 22.8 MB at 50,000 zones; the engine compares a step's mortality with the last step's object to reuse its life
// tables). The engine copies such an object into its buffer only when it would
// write into it (ProjectionConfig::mortality_in_place). Its mortality_unchanged hint is read as it is (the engine
// clears the hint of its own buffer only).
using ScheduleSource = std::function<const StepSchedules&(const StepContext&, StepSchedules& buffer)>;

// A cell that was changed to keep the books (B2): flows scaled down, or a floor applied.
struct AdjustedCell {
  int zone, group, sex, age;
  double persons;  // flows removed (scaling) or persons added (floor, migration override)
};

// Components of one step. Arrays by [zone][group][sex][age] unless said otherwise; a kind that the step did not have
// is left empty (reads as zero). Migration arrays are by age index at the start of the step (the input convention);
// deaths and floor adjustments by index at the end of the step (cohort convention, A3).
struct StepComponents {
  // [zone][group of mother][age]; both empty in a run with neither cell_components nor indicators.
  std::vector<double> births_by_mother_age;
  std::vector<double> women_exposure;        // [zone][group][age] person-years behind births_by_mother_age
  std::vector<double> births;                // [zone][group][sex] after newborn rules
  std::vector<double> newborn_transfer_in, newborn_transfer_out;  // [zone][group][sex]
  CohortArray deaths;             // cohort deaths D (A3 step 2, 5)
  CohortArray deaths_age_period;  // A4 (single-year grids with a life table)
  CohortArray od_in, od_out, external_in, external_out, net_given, transfer_in, transfer_out;
  CohortArray migration_override;  // wpp policy: M used − M computed
  CohortArray net_migrants;        // M used in the step
  CohortArray floor_adjustment;    // persons added by the floor
  // Persons added (+) or removed (−) at the end of the step by ProjectionConfig::step_adjuster (control totals,
  // capacity: planning.hpp), by index at the end of the step; empty without an adjuster.
  CohortArray planning_adjustment;
  std::vector<double> e0, e65;     // [zone][group][sex] from the step's life tables (NaN when unknown)
  // Sums over age of the cohort deaths D and of the net migrants M used, [zone][group][sex] (kept in every mode).
  std::vector<double> deaths_by_state, net_migrants_by_state;
  std::vector<AdjustedCell> scaled_flows;  // conserve policy
  std::vector<AdjustedCell> floored;       // floor
  std::vector<AdjustedCell> overridden;    // wpp override
};

struct StepResult {
  StepContext context;
  const CohortArray& start;
  const CohortArray& end;
  const StepComponents& components;
  const IndicatorTable* indicators;  // null when indicators are off
};

// Receives results as they are produced (memory: the engine keeps only the current step).
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void base(const CohortArray& /*population*/, int /*year*/) {}
  virtual void step(const StepResult& result) = 0;
};

// Worker threads of a run: 0 (all cores) or 1 to kMaxThreads. The cap keeps a typo (-j 100000) from asking the
// thread pool for more threads than the machine can create.
inline constexpr int kMaxThreads = 256;
// Throws InputError naming `option` unless 0 <= threads <= kMaxThreads.
void check_threads(int threads, const std::string& option = "threads");
// The worker threads a valid `threads` means: itself when positive, 0 every core oneTBB may use.
int resolve_threads(int threads);

struct ProjectionConfig {
  AgeGrid grid = AgeGrid::single_year();
  std::vector<std::string> zone_ids;     // one per zone (names errors and indicator rows)
  std::vector<std::string> group_names;  // one per group (default {"total"})
  int base_year = 2020;                  // the base population is the end of this year
  int steps = 1;
  MigrationTiming migration_timing = MigrationTiming::even;
  FlowPolicy flow_policy = FlowPolicy::conserve;
  LifeTableMethod life_table_method;
  // flows (docs/ccmpp.md Part B) or Rogers' multistate step over the groups of each zone (projection_method.hpp; group
  // transitions only: other migration forms are refused), with its open-age convention.
  ProjectionMethod method = ProjectionMethod::flows;
  OpenAgeSurvivors multistate_open_age = OpenAgeSurvivors::keep;
  int threads = 0;                       // 0: all cores; at most kMaxThreads
  bool indicators = true;
  // false: the per-cell component arrays of StepComponents (the CohortArrays: deaths, flows, net migrants, floor
  // adjustments) are not kept and stay empty; births, the per-state sums and the lists of adjusted cells still are.
  // For large runs that stream populations: it saves memory and a pass over memory per array and step.
  bool cell_components = true;
  // Lean runs (cell_components and indicators off) on single-year grids with death rates: the engine writes the
  // survival ratios it builds over the mx rows of the StepSchedules and sets mortality_kind = survival_ratios,
  // instead of keeping them in a cache of their own (a state-sized array). A provider that changes mortality must
  // then write every value and mortality_kind again (as one that rebuilds a period's schedules does); one that
  // leaves mortality alone gets the same survival ratios. Results are bit-identical either way.
  bool mortality_in_place = false;
  std::vector<ZoneAggregate> aggregates;  // the whole area is added as "total" unless one is named so
  std::vector<AgeBand> extra_age_bands;   // on top of the standard planning bands
  std::atomic<bool>* cancel = nullptr;    // set to true to stop between steps (ProjectionError "cancelled")
  std::function<void(int done_steps, int total_steps)> progress;
  // Called after each step's tentative end population, before indicators and the sink (planning.hpp): it may
  // change the end population and must record every change in components.planning_adjustment.
  StepAdjuster step_adjuster;
};

// The facade: one projection run from a base population and a schedule provider.
class Projection {
 public:
  Projection(ProjectionConfig config, CohortArray base_population);
  // Runs all steps; results go to the sink step by step. Returns the final population.
  const CohortArray& run(const ScheduleProvider& schedules, ResultSink& sink);
  // The same with schedules handed by reference (ScheduleSource): the same results, one copy of the schedules less.
  const CohortArray& run_shared(const ScheduleSource& schedules, ResultSink& sink);
  const ProjectionConfig& config() const { return config_; }
  const CohortLayout& layout() const { return layout_; }
  // The population the next step starts from: the base before run(), then each step's end population. While the
  // provider fills a step's schedules it is that step's start population (the same object all along, so a
  // reference taken before run() stays valid).
  const CohortArray& population() const { return population_; }
  // Steps of the last run that built their life tables and survival ratios; the others reused the previous step's
  // (mortality unchanged: the provider's hint, or the same rows handed by reference).
  int mortality_builds() const { return mortality_builds_; }
  // Whether the last step's survival ratios were one set for every zone: a flow step whose zones all have the same
  // death rates (the same bits, as a national schedule) builds the life tables once and keeps one zone's survival
  // ratios instead of every zone's (the same results, memory of one zone instead of a state-sized array).
  bool mortality_shared() const { return mortality_shared_; }

 private:
  ProjectionConfig config_;
  CohortLayout layout_;
  CohortArray population_, next_;
  int mortality_builds_ = 0;
  bool mortality_shared_ = false;
  // population_ holds no −0: the base population had none, and no step since had a step adjuster, so each was a flow
  // step whose end population is then free of −0 too (Q = (A − D) + E with A = P + E ≠ −0; age 0 from births summed
  // from +0), or a multistate step (which never reads it). Lets the fused step sum its in-flows from the first term
  // (step_kernels.hpp, fused_state_in_flows).
  bool no_minus_zero_ = true;
};

// Convenience sink that keeps every step's end population (for tests and small runs).
class KeepPopulationsSink : public ResultSink {
 public:
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  std::vector<int> years;
  std::vector<CohortArray> populations;
};

}  // namespace cohortgis
