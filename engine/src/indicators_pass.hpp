// SPDX-License-Identifier: Apache-2.0
// The indicators of one step in parts (private to engine/src): the table's layout (the constructor), the slots of one
// unit (a zone or an aggregate) and every unit. The projection computes a zone's slots in the step's zone pass, right
// after the zone's step, while its populations and components are still in cache (StepRunner::set_indicators), and the
// aggregates after the step; compute_indicators runs every unit after the step. Each unit's values are computed by
// the same code from the same numbers either way, so the table has the same bits.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <oneapi/tbb/enumerable_thread_specific.h>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "indicator_kernels.hpp"
#include "pooled_life_tables.hpp"

namespace cohortgis::detail {

// Sums over the cells of one unit × group slot of several states (a zone's "all groups", an aggregate's slots).
struct IndicatorSums {
  std::vector<double> start, end;      // [sex][age]
  std::vector<double> bma, expo;       // [age]
  std::vector<double> mx_num, mx_den;  // [sex][life-table row]
  std::vector<double> mx_sum;          // [sex][row] plain sum, for rows nobody is exposed in
  // mx_sum left at +0: the states were added by accumulate_zone_of_two, which leaves the plain sums to finish (made
  // there from the slot's states only when a row has nobody exposed, which is where pooled_rates reads them).
  bool plain_deferred = false;
  // start given, not summed (accumulate_zone_of_two and accumulate2 leave it): a folded aggregate's start sums taken
  // from the last step's end sums (IndicatorPass::start_sums_from).
  bool start_given = false;
  double n_mx = 0;
  std::size_t n_states = 0;  // states summed
  double births_f = 0, births_m = 0, deaths = 0, net = 0;
  void reset(std::size_t ages, std::size_t rows);
};

// The weights of persons_in_band for one band (indicators.cpp).
struct BandWeights {
  std::size_t first = 0, last = 0;
  std::vector<double> w;
  BandWeights() = default;  // no ages (a band that is not read: IndicatorPass::band_)
  BandWeights(const AgeGrid& grid, double from, double to);
  double sum(std::span<const double> persons) const;
};

// What the indicators of one unit × group slot read: the sums of its states or, for a slot of one state (a zone's
// group; a zone's "all groups" when it has one group), that state's own arrays. The sums of one state from zero are
// its values (0 + x = x; only the sign of a zero may differ, and every sum below starts at +0), so a slot of one state
// reads them where they are, with no copy.
struct SlotView {
  const double *start_f, *start_m, *end_f, *end_m;  // persons by age
  const double *bma, *expo;                         // births by age of mother and women's exposure, by age
  double births_f = 0, births_m = 0, deaths = 0, net = 0;
  std::size_t n_states = 0;
  const IndicatorSums* pooled = nullptr;  // the pooled mx sums of a slot of several states
  const double* rates = nullptr;  // or its pooled rates [sex][row] already made, with their flags (pooled_rates)
  int rate_flags[2] = {0, 0};
};

// What a slot's indicators read made before (indicators.cpp).
struct PresummedSlot;

// What the unit of a zone of two groups carries to its next step's (IndicatorPass::carry_zone_start_totals): its
// three slots' end chains (their start totals there) and the ages of their medians (lane_medians_at's guesses there).
struct ZoneCarry {
  double end_chain[3] = {};
  std::uint16_t median_at[3] = {};
};

// Zones' "all" slots waiting for their life tables, run kTableUnits at a time (IndicatorPass::defer_life_table).
struct TableBatch {
  std::size_t n = 0;
  std::size_t unit[kTableUnits] = {};
  double births_f[kTableUnits] = {}, births_m[kTableUnits] = {};
  unsigned below2 = 0;     // a bit per unit whose rates are all below 2 (pooled_e0_e65_lanes)
  PooledTablesScratch sc;  // sc.lanes: the units' pooled rates [row][lane] (rates_to_batch)
};

// Per-thread scratch of the units' pass (no allocation per unit once sized).
struct IndicatorScratch {
  IndicatorSums all;
  std::vector<IndicatorSums> per_group;
  std::vector<double> both;        // both sexes' end population by age
  std::vector<double> cum;         // its running total before each age, then the total (median_age_of_prefix)
  std::vector<double> pooled_mx;   // pooled rates of one sex, by life-table row
  std::vector<double> plain;       // a slot's deferred plain mx sums [sex][row] (IndicatorSums::plain_deferred)
  std::vector<double> zone_rates;  // the pooled rates of a zone's "all" slot of two groups [sex][row]
  std::vector<double> tfr_terms;   // by age
  std::vector<double> quads;       // slot_sums_zone_of_two's scratch
  std::vector<double> lane;        // a slot's persons by age copied out of slot_sums_zone_of_two's lanes
  ZoneOfTwoOut zone_out;           // slot_sums_zone_of_two's sums (every field written by each call)
  SlotSums own;                    // finish's sums of persons where not made before (written before read)
  LifeTable lt;
  TableBatch* batch = nullptr;  // the thread's batch of the pass numbered batch_pass (IndicatorPass::defer_life_table)
  std::uint64_t batch_pass = 0;
};

class IndicatorPass {
 public:
  // Sizes `out` (names; every value NaN once its unit is computed: unit() sets each of its slots' values, NaN where
  // undefined); the arrays are read when a unit is computed, not before. named: out's unit names are zone_ids then
  // the aggregates' names already (the projection put them there: zone_ids may then be empty), not compared again (a
  // comparison per unit and step: 0.04 M instructions a year at 1,000 zones).
  IndicatorPass(const CohortArray& start, const CohortArray& end, const StepComponents& comp,
                std::span<const double> asfr, std::span<const double> mortality_mx,
                const std::vector<std::string>& zone_ids, const std::vector<std::string>& group_names,
                const std::vector<ZoneAggregate>& aggregates, const std::vector<AgeBand>& extra_bands,
                const LifeTableMethod& method, IndicatorTable& out, bool named = false);
  // The slots of unit u (zone 0 … Z−1, then the aggregates); units may run in parallel.
  void unit(int u, IndicatorScratch& sc) const;
  // Units [first_unit, end) in parallel (the aggregates: first_unit = zones; every unit: 0). unit() may leave a
  // zone's pooled life tables (its "all" slot's e0, e65 and e0 of both sexes) to a batch of its thread
  // (defer_life_table): units_from runs what is left of them at its end, so call it after the zone pass.
  void units_from(int first_unit) const;
  int zones() const { return start_.layout().zones; }
  // Folding the large aggregates in the zone pass: the sums of an aggregate whose zone list is ascending (the "total"
  // of every zone) are made while the zones' cells are still in cache, by fold(end) called at the end of each of
  // consecutive zone ranges in ascending order, adding the zones below `end` (the same sums, in the same order, as
  // unit() makes them); unit() then only finishes them. fold_zones() says whether any aggregate is folded; calls to
  // fold must not overlap (the caller orders them).
  bool fold_zones() const { return !folds_.empty(); }
  void fold(int end) const;
  // Whether nothing after the zone pass reads the cells of the start population or the births by age of mother and
  // their exposure, where that pass computed every zone's unit and folded the aggregates: every aggregate is folded
  // and no fertility measure is asked for (fertility_measures sums the aggregates' births by age after the pass).
  bool cells_read_in_zone_pass() const;
  // The folded aggregates' start sums are the bits of the last step's end sums: the start population of a step is the
  // end population of the last (Projection swaps them), summed over the same zones in the same order. keep_end_sums
  // hands them over after the step (`ends` emptied unless every folded aggregate was folded in this step's zone
  // pass); start_sums_from, before the next step's zone pass, makes its folds take them instead of adding the start
  // cells again (a third of the cells they read). Only for consecutive steps of one run.
  // The step's rates of the group above a five-year grid's open age (StepSchedules::mortality_next, [zone][group][sex];
  // empty: none), for the pooled units' life tables: read when a unit is computed, as the mx rows are.
  void set_mortality_next(std::span<const double> next) { mx_next_ = next; }
  // The step's person-years where its mortality is given so (MortalityInput::person_years: Lx by life-table row
  // [zone][group][sex][row], the last row T of its age; radix l0 [zone][group][sex]; the rows' layout on a five-year
  // grid): the female tables of a group slot's net reproduction rate, as its e0 is made from them (step_flows.cpp).
  void set_person_years(std::span<const double> lx, std::span<const double> radix_l0, LxLayout layout) {
    lx_ = lx, radix_l0_ = radix_l0, lx_layout_ = layout;
  }
  // The step's sex ratio at birth (StepSchedules::srb, male births per female birth, [zone]): the female share at
  // birth 1 / (1 + srb) of the fertility measures' GRR and NRR, known whether the slot had births or not (empty: the
  // female share of the step's births, all compute_indicators has).
  void set_sex_ratio_at_birth(std::span<const double> srb) {
    srb_ = srb;
    srb_once_ = given_once(srb.size(), 1, start_.layout().zones);
  }
  void keep_end_sums(std::vector<std::vector<double>>& ends) const;
  void start_sums_from(const std::vector<std::vector<double>>& ends);
  // The same for each zone's slots on the path of slot_sums_zone_of_two (a zone of two groups, single years): a
  // slot's start total (its start population's female ages, then its male ones, summed from +0) is the chain of the
  // last step's end population in that order. The pass writes each zone's three chains into `carry` (one a zone, sized
  // here) as it computes the zone, and reads them as the zone's start totals where `given` (the last step's pass wrote
  // them all, from the end population that is this step's start: carries_zone_start_totals() after it ran). With
  // them the ages of the zone's medians, its next step's first guesses (read whether given or not: any guess gives
  // the same medians).
  void carry_zone_start_totals(std::vector<ZoneCarry>& carry, bool given);
  bool carries_zone_start_totals() const { return zone_carry_ != nullptr; }

 private:
  // Adds the deaths and net migrants of state (zn, g) to `deaths` and `net`, each sex in turn. Its common case here
  // (the step's per-state sums, no planning adjustment; looked at per call, not when the pass is made: the step sizes
  // the components after that), inlined: a call per state and slot, eight a zone of two groups, cost 0.4 M
  // instructions a year at 1,000 zones; the rest in add_events_general (indicators_sums.cpp). Always: with the ring
  // of the fold's terms (weights_) GCC put it out of line again for unit's two calls (+0.06 M).
  [[gnu::always_inline]] void add_events(int zn, int g, double& deaths, double& net) const {
    const StepComponents& c = comp_;
    if (!c.deaths_by_state.empty() && !c.net_migrants_by_state.empty() && c.planning_adjustment.empty()) {
      const std::size_t st = (uz(zn) * uz(G_) + uz(g)) * kSexes;
      deaths += c.deaths_by_state[st];
      net += c.net_migrants_by_state[st];
      deaths += c.deaths_by_state[st + 1];
      net += c.net_migrants_by_state[st + 1];
      return;
    }
    add_events_general(zn, g, deaths, net);
  }
  void add_events_general(int zn, int g, double& deaths, double& net) const;
  void accumulate(IndicatorSums& acc, int zn, int g) const;
  // A zone's "all" slot of two groups: its sums in `acc` but the pooled-mx sums, its pooled rates in `rates` [sex][row]
  // with their flags (pooled_rates) when there are death rates.
  // persons: also the sums of the start and end populations and of the births by age of mother and exposure (else
  // left as they are: slot_sums_zone_of_two made the slot's sums of persons and tfr_of_two its TFR; the end population
  // is summed anyway when there are extra bands, which read it).
  // with_rates false: no pooled rates (rates_to_batch makes them).
  void accumulate_two_groups(IndicatorSums& acc, std::vector<double>& rates, int (&flags)[2], int zn, bool persons,
                             bool with_rates = true) const;
  // The views of a zone of two groups' slots: single(zn, 0), single(zn, 1) and, in `all`, the "all" slot's per-state
  // numbers alone (births, deaths, migrants, state count; no arrays: finish_slot<lane_all> reads none where no extra
  // band reads the end population), in one go (below the class).
  void zone_of_two_views(int zn, SlotView& v0, SlotView& v1, SlotView& all) const;
  void accumulate2(IndicatorSums& one, IndicatorSums& two, int zn, int g) const;
  // accumulate2(g0, all, zn, 0) then accumulate2(g1, all, zn, 1) for a zone of two groups, in one pass over its cells.
  void accumulate_zone_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn) const;
  // accumulate_zone_of_two of zones zn … zn + 3 in turn, in one pass over their cells: the sums read and written once
  // for four zones (an aggregate's fold, where its zones run in order); the births by age of mother at ages [bma[0],
  // bma[1]) only and the exposure at [expo[0], expo[1]) only (fold: the others ±0, or not read). All but the pooled-mx
  // sums, which add_mx_of_zones adds (the fold may add them eight zones at a time).
  void accumulate_four_zones_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn,
                                    const std::size_t (&bma)[2], const std::size_t (&expo)[2]) const;
  // The pooled-mx sums of accumulate_zone_of_two of zones zn … zn + n − 1 (n a multiple of 4, at most 16): from the
  // terms the zones' units kept where every zone's are in the ring, sixteen zones at once where there are sixteen in
  // consecutive slots (add_w3_sixteen: the sums read and written once for sixteen zones, 0.27 M instructions a year at
  // 1,000 zones fewer than four at a time), else four at a time (add_w3_four or, made again from the rates and
  // persons, add_mx3_four).
  void add_mx_of_zones(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn, int n) const;
  // The per-state numbers (events, counts, births) of zones zn … zn + nz − 1 for accumulate_zone_of_two and
  // accumulate_four_zones_of_two.
  void add_zones_events_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn, int nz) const;
  // accumulate_zone takes accumulate_zone_of_two (two groups; single-year rows, as many as ages, or no death rates).
  bool zone_of_two_sums() const {
    return G_ == 2 && (rows_ == 0 || (start_.layout().grid.width_years == 1 && rows_ == A_));
  }
  // Every group of zone zn into its group's sums and into `all` (accumulate2 of each group in turn); one group: into
  // its sums only (accumulate), `all` untouched.
  void accumulate_zone(std::vector<IndicatorSums>& per_group, IndicatorSums& all, int zn) const;
  // accumulate2 in parts: the cells of ages [a0, a1) and rows [r0, r1); the per-state numbers.
  // (two: null in a one-group run, whose "all" slot is the group's: `one` alone.)
  void accumulate2_part(IndicatorSums& one, IndicatorSums* two, int zn, int g, std::size_t a0, std::size_t a1,
                        std::size_t r0, std::size_t r1) const;
  void accumulate2_events(IndicatorSums& one, IndicatorSums* two, int zn, int g) const;
  SlotView single(int zn, int g) const;
  const double* deferred_plain(const IndicatorSums& pooled, std::size_t slot, std::span<const int> zones,
                               IndicatorScratch& sc) const;
  // pre: the slot's sums of persons, made before (single-year bands only); null: finish makes them.
  void finish(std::size_t unit, std::size_t slot, std::span<const int> zones, const SlotView& acc, IndicatorScratch& sc,
              const PresummedSlot* pre = nullptr) const;
  // finish for any slot (SlotKind::any), or inlined into unit for a zone of two groups' slot whose sums of persons are
  // a lane of slot_sums_zone_of_two's (pre: stride 4, single-year bands): a group slot (one state) or "all" (two
  // states, its TFR in pre), the tests that these fix folded away (finish and unit: 1.21 M instructions a year at 1,000
  // zones, then 0.90 M).
  enum class SlotKind { any, lane_group, lane_all };
  template <SlotKind K>
  void finish_slot(std::size_t unit, std::size_t slot, std::span<const int> zones, const SlotView& acc,
                   IndicatorScratch& sc, const PresummedSlot* pre) const;
  // finish's life tables of a slot of several states with death rates (its e0 and e65 of each sex into its values v):
  // from its pooled rates made before (acc.rates, with their flags) or from its pooled sums. Out of line
  // (pooled_life_tables.cpp): inlined into unit for a zone's "all" slot, whose tables wait for a batch, it crowded out
  // the inlining of the rest (0.08 M instructions a year).
  [[gnu::noinline]] void pooled_tables(double* v, const SlotView& acc, std::size_t slot, std::span<const int> zones,
                                       IndicatorScratch& sc) const;
  // A zone's "all" slot of two groups (batch_tables_): its pooled rates and their flags straight into the next lanes
  // of the thread's batch (rates_of_two_lanes). True where they are all within [0, DBL_MAX] (kRatesWithin of both
  // sexes): its tables may wait for the batch (defer_life_table); otherwise they are in sc.zone_rates [sex][row] for
  // finish, as accumulate_two_groups makes them.
  bool rates_to_batch(int zn, int (&flags)[2], IndicatorScratch& sc) const;
  // That zone's tables (their rates in the batch, finish having left its life-table values NaN) wait in the batch,
  // run with kTableUnits zones' (pooled_e0_e65_lanes; one unit at a time, e0_e65_both, took 1.9 M instructions a
  // year at 1,000 zones) when it is full.
  void defer_life_table(std::size_t unit, double births_f, double births_m, IndicatorScratch& sc) const;
  // The batch's tables and their values in the table (finish's: e0 and e65 of each sex, e0 of both sexes); empties it.
  void run_tables(TableBatch& b) const;
  void run_all_tables() const;  // every thread's batch (serial: no unit running)
  // The fertility measures asked for (AgeBand::Measure::mean_age_childbearing, gross_reproduction_rate,
  // net_reproduction_rate) of every unit × group slot, after the units' other values (indicator_fertility.cpp).
  void fertility_measures() const;
  // The rate of sex s above a five-year grid's open age (mortality_next) of a slot of several states, pooled as add_mx
  // pools a row's: Σ m·w / Σ w over the slot's states with the open group's mid-step persons w, the plain mean where
  // nobody is exposed there (pooled_life_tables.cpp; its e0 tables and the fertility measures' female table).
  double pooled_rate_above_open(std::size_t slot, std::span<const int> zones, int s) const;
  // The female share at birth s of a slot's GRR and NRR (indicator_fertility.cpp): 1 / (1 + srb) of its zone; over
  // several zones their shares weighted by the births to the slot's mothers (the plain mean where none); without the
  // step's srb (compute_indicators), the female share of the slot's births (NaN without births).
  double female_share_at_birth(std::span<const int> zones, std::size_t g_lo, std::size_t g_hi) const;

  const CohortArray& start_;
  const CohortArray& end_;
  const StepComponents& comp_;
  std::span<const double> asfr_, mx_;
  std::span<const double> mx_next_;  // set_mortality_next
  std::span<const double> lx_, radix_l0_;  // set_person_years
  std::span<const double> srb_;            // set_sex_ratio_at_birth
  LxLayout lx_layout_ = LxLayout::abridged;
  const std::vector<ZoneAggregate>& aggregates_;
  const std::vector<AgeBand>& extra_bands_;
  const LifeTableMethod& method_;
  IndicatorTable& out_;
  std::size_t A_ = 0, rows_ = 0, NI_ = 0, NS_ = 0;
  int G_ = 0;
  // Schedules given once for every zone (zone_shared_schedules.hpp): every zone reads zone 0's mx rows, fertility
  // rates or sex ratio at birth. asfr_of and mx_of: the rates and rows that state st ([zone][group]) reads.
  bool asfr_once_ = false, mx_once_ = false, srb_once_ = false;
  const double* asfr_of(std::size_t st) const { return asfr_.data() + (asfr_once_ ? st % uz(G_) : st) * A_; }
  const double* mx_of(std::size_t st) const { return mx_.data() + (mx_once_ ? st % uz(G_) : st) * kSexes * rows_; }
  double srb_of(int zn) const { return srb_[srb_once_ ? 0 : uz(zn)]; }
  std::vector<BandWeights> band_;   // the standard bands in the order finish uses them, then the extra bands
  std::vector<std::size_t> off_grid_;  // indicators_off_grid: NaN whatever the sums (none on a grid open at 65+)
  bool single_year_bands_ = false;  // sums, bands and median in one pass (slot_sums_single_year, indicator_kernels.cpp)
  bool zone_of_two_ = false;        // a zone's three slots in one pass (slot_sums_zone_of_two)
  ZoneCarry* zone_carry_ = nullptr;  // carry_zone_start_totals
  bool zone_totals_given_ = false;
  struct Fold {
    std::size_t aggregate = 0, next = 0;  // the aggregate; its first zone not yet added
    // Its first zone whose pooled-mx sums are not yet added: next, or 4, 8 or 12 zones before it where fold waits for
    // the zones to add the pooled-mx sums of kMxZones at once (consecutive zones from a zone number that is a multiple
    // of kMxZones: consecutive slots of the ring).
    std::size_t mx_next = 0;
    std::vector<IndicatorSums> per_group;
    IndicatorSums all;
    // The ages whose exposure sums hold every zone added (births_ages_: elsewhere no zone added has births, so the
    // TFR's terms there are +0 whatever the exposure; cover_exposure).
    std::size_t expo_lo = 0, expo_hi = 0;
  };
  static constexpr std::size_t kMxZones = 16;  // zones whose pooled-mx sums a fold adds at once (add_mx_of_zones)
  // Extends f's exposure ages to take in [lo, hi) (their hull): the ages new to it summed again from +0 over the zones
  // added so far (a zone of two groups' states, each sum as accumulate_zone_of_two adds them, in the zones' order).
  void cover_exposure(Fold& f, std::size_t lo, std::size_t hi) const;
  mutable std::vector<Fold> folds_;  // the folded aggregates (fold_zones)
  // Per zone of two groups, the ages {lo, hi} outside which its births by age of mother are ±0 (tfr_zone_of_two's, in
  // unit(); else every age), where the folds run (fold adds only those: adding ±0 to a sum from +0, never −0, leaves it
  // as it is; and the exposure only where a zone added has births, Fold::expo_lo).
  mutable std::vector<std::uint32_t> births_ages_;
  // The fold's terms of a zone's pooled-mx sums (wa, mx_a·wa, wb, mx_b·wb of each row: add_w3_four), kept by
  // rates_to_batch, which makes them for its rates, for the zone pass's fold a few zones later: a ring of
  // kWeightZones zones' (zone z's at slot z % kWeightZones). weight_zone_ is the slot's state: −1 empty, z ≥ 0 zone
  // z's terms complete (stored with release once written), −(z + 2) zone z's unit writing them. A unit claims its
  // slot (compare-exchange from an older zone's complete terms or −1) only where the zone kWeightZones before it is
  // folded and it is not (folded_, published by fold() when it returns): never while the fold reads the slot, and never
  // two units at once (a unit whose claim fails, e.g. one that checked folded_ before the fold passed its zone while a
  // unit kWeightZones later writes, keeps nothing). The fold makes the terms again for a zone whose slot holds
  // another's or is being written (a thread far ahead of the fold, a unit after the fold passed its zone).
  // The same terms from the same operations: the same sums at any thread count. Where batch_tables_, folds_ and
  // zone_of_two_sums() with rows_ ≥ 4; else empty.
  // The zones' terms interleaved (slot k's 16k after slot 0's, kKeptBlockStride's layout): four consecutive slots'
  // from one pointer (add_w3_four).
  static constexpr std::size_t kWeightZones = kKeptZones;
  std::unique_ptr<double[]> weights_;
  std::unique_ptr<std::atomic<int>[]> weight_zone_;
  mutable std::atomic<int> folded_{0};
  void make_weights_ring();  // sized, with no zone's terms in it
  // Zone zn's terms in the ring, or null (not kept: fold makes them).
  const double* kept_weights(int zn) const {
    const std::size_t slot = uz(zn) % kWeightZones;
    return weight_zone_ && weight_zone_[slot].load(std::memory_order_acquire) == zn ? weights_.get() + 16 * slot
                                                                                    : nullptr;
  }
  bool batch_tables_ = false;        // zones' pooled life tables run kTableUnits at a time (defer_life_table)
  std::uint64_t id_ = 0;             // this pass among all (IndicatorScratch::batch_pass: a pass at a reused address)
  mutable tbb::enumerable_thread_specific<TableBatch> batches_;
};

// single(zn, 0), single(zn, 1) and the per-state numbers of the "all" slot of a zone of two groups (unit, every zone a
// step: inlined), made together: the second state's arrays a state further than the first's (one offset, not one per
// array), and both states' events from the step's per-state sums (add_events' common case) looked at once for the
// three slots, not per slot (a call of its own and three tests: 0.07 M instructions a year at 1,000 zones). The same
// additions in the same order as single and add_events: a group slot's deaths and migrants (+0 + women) + men, births
// +0 + x; the "all" slot's go on from group 0's chains with group 1's women then men. So the same bits.
[[gnu::always_inline]] inline void IndicatorPass::zone_of_two_views(int zn, SlotView& v0, SlotView& v1,
                                                                    SlotView& all) const {
  const std::size_t A = A_, sa = uz(zn) * 2, o = sa * kSexes * A, state = kSexes * A;
  const double *P0 = start_.data().data() + o, *P1 = end_.data().data() + o;
  const double* bma = comp_.births_by_mother_age.data() + sa * A;
  const double* expo = comp_.women_exposure.data() + sa * A;
  v0 = SlotView{P0, P0 + A, P1, P1 + A, bma, expo};
  v1 = SlotView{P0 + state, P0 + state + A, P1 + state, P1 + state + A, bma + A, expo + A};
  const double* B = comp_.births.data() + sa * kSexes;  // [state][sex]: group 0's women, men, then group 1's
  v0.births_f = 0.0 + B[0];
  v0.births_m = 0.0 + B[1];
  v1.births_f = 0.0 + B[2];
  v1.births_m = 0.0 + B[3];
  v0.n_states = v1.n_states = 1;
  // "all": the numbers alone, its arrays null (a whole view from its values, not a cleared one written again).
  double deaths = 0.0, net = 0.0;
  const StepComponents& c = comp_;
  if (!c.deaths_by_state.empty() && !c.net_migrants_by_state.empty() && c.planning_adjustment.empty()) {
    const double* D = c.deaths_by_state.data() + sa * kSexes;
    const double* N = c.net_migrants_by_state.data() + sa * kSexes;
    v0.deaths = (0.0 + D[0]) + D[1];
    v0.net = (0.0 + N[0]) + N[1];
    v1.deaths = (0.0 + D[2]) + D[3];
    v1.net = (0.0 + N[2]) + N[3];
    deaths = (v0.deaths + D[2]) + D[3];
    net = (v0.net + N[2]) + N[3];
  } else {
    add_events_general(zn, 0, v0.deaths, v0.net);
    add_events_general(zn, 1, v1.deaths, v1.net);
    deaths = v0.deaths;
    net = v0.net;
    add_events_general(zn, 1, deaths, net);
  }
  all = SlotView{nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, v0.births_f + B[2], v0.births_m + B[3],
                 deaths,  net,     2};
}

// Inlined into unit, its only caller (a call per zone: 12 instructions a zone of its own at 1,000 zones, and the
// registers unit kept across it).
[[gnu::always_inline]] inline void IndicatorPass::defer_life_table(std::size_t unit, double births_f, double births_m,
                                                                   IndicatorScratch& sc) const {
  TableBatch& b = *sc.batch;
  b.unit[b.n] = unit;
  b.births_f[b.n] = births_f;
  b.births_m[b.n] = births_m;
  if (++b.n == kTableUnits) run_tables(b);
}

}  // namespace cohortgis::detail
