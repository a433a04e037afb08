// SPDX-License-Identifier: Apache-2.0
// Indicators (docs/ccmpp.md Part C). Counts are summed over the cells of a unit first; rates come from the sums.
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/indicator_ages.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <tuple>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_kernels.hpp"
#include "indicators_pass.hpp"
#include "large_arrays.hpp"
#include "life_table_detail.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace cohortgis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A TFR from births and women's exposure (several groups, or no schedule) is undefined where no woman was exposed at
// any age: NaN (empty in indicators.csv, as an empty share), not the 0 of its empty sum; a group's TFR from its
// schedule stays the schedule's. The exposure is read only for a TFR of 0, so other zones pay nothing.
double tfr_of_exposure(double tfr, const double* expo, std::size_t n) {
  if (tfr != 0.0) return tfr;
  for (std::size_t i = 0; i < n; ++i)
    if (expo[i] > 0.0) return tfr;
  return kNaN;
}

const char* const kNames[] = {"population",
                              "population_female",
                              "population_male",
                              "births",
                              "births_female",
                              "births_male",
                              "deaths",
                              "net_migration",
                              "person_years",
                              "cbr_per_1000",
                              "cdr_per_1000",
                              "natural_growth_per_1000",
                              "tfr",
                              "srb_per_100_females",
                              "e0_female",
                              "e0_male",
                              "e65_female",
                              "e65_male",
                              "e0",
                              "share_0_14_percent",
                              "share_15_64_percent",
                              "share_65_plus_percent",
                              "share_60_plus_percent",
                              "old_age_dependency_ratio",
                              "total_dependency_ratio",
                              "median_age",
                              "women_15_49",
                              "age_0_2",
                              "age_3_5",
                              "age_6_11",
                              "age_12_14",
                              "age_15_59",
                              "age_15_64",
                              "age_60_plus",
                              "age_65_plus"};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kStandardIndicators);

double sum(std::span<const double> v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}
}  // namespace

const char* indicator_name(Indicator id) { return kNames[static_cast<int>(id)]; }

namespace {
bool is_stock(Indicator id) {
  switch (id) {
    case Indicator::population:
    case Indicator::population_female:
    case Indicator::population_male:
    case Indicator::share_0_14:
    case Indicator::share_15_64:
    case Indicator::share_65_plus:
    case Indicator::share_60_plus:
    case Indicator::old_age_dependency_ratio:
    case Indicator::total_dependency_ratio:
    case Indicator::median_age:
    case Indicator::women_15_49:
    case Indicator::age_0_2:
    case Indicator::age_3_5:
    case Indicator::age_6_11:
    case Indicator::age_12_14:
    case Indicator::age_15_59:
    case Indicator::age_15_64:
    case Indicator::age_60_plus:
    case Indicator::age_65_plus:
      return true;
    default:
      return false;
  }
}
}  // namespace

bool is_stock_indicator(std::string_view name) {
  for (int k = 0; k < kStandardIndicators; ++k)
    if (name == kNames[k]) return is_stock(static_cast<Indicator>(k));
  const std::optional<AgeBand> band = optional_indicator(std::string(name));
  return !band || !is_fertility_measure(band->measure);
}

void IndicatorTable::copy_units(std::size_t u0, std::size_t n, double* out) const {
  const std::size_t ni = n_indicators();
  for (std::size_t u = u0; u < u0 + n; ++u)
    for (std::size_t g = 0; g < group_names.size(); ++g) out = std::copy_n(row(u, g), ni, out);
}

std::size_t IndicatorTable::unit_index(const std::string& name) const {
  for (std::size_t u = 0; u < unit_names.size(); ++u)
    if (unit_names[u] == name) return u;
  throw InputError("indicator table: no unit named '" + name + "'");
}

double persons_in_band(const AgeGrid& grid, std::span<const double> persons, double from, double to) {
  const double z = grid.width_years;
  double total = 0.0;
  for (int i = 0; i < grid.n_ages; ++i) {
    const double a = i * z;
    const bool open = i == grid.open_index();
    const double b = a + z;
    if (open && to == kInf && from <= a) {
      total += persons[uz(i)];
      continue;
    }
    const double lo = std::max(a, from), hi = std::min(b, to);
    if (hi > lo) total += persons[uz(i)] * ((hi - lo) / z);
  }
  return total;
}

namespace {
// median_age with the total of persons (their sum in age order) already known.
double median_age_of_total(const AgeGrid& grid, std::span<const double> persons, double total) {
  if (!(total > 0.0)) return kNaN;
  const double half = total / 2.0;
  double cum = 0.0;
  for (int i = 0; i < grid.n_ages; ++i) {
    const double p = persons[uz(i)];
    if (p > 0.0 && cum + p >= half) return grid.age_start(i) + grid.width_years * ((half - cum) / p);
    cum += p;
  }
  return grid.open_age();
}
}  // namespace

double median_age(const AgeGrid& grid, std::span<const double> persons) {
  return median_age_of_total(grid, persons, sum(persons));
}

}  // namespace cohortgis

namespace cohortgis::detail {

namespace {
// Aggregates of at least this many zones have their sums split over age ranges across threads (one range per
// thread, at most kAggregateParts: each range costs a call per state and array).
constexpr std::size_t kSplitAggregateZones = 64;
constexpr std::size_t kAggregateParts = 8;
// Aggregates of at least this many zones (with ascending zones) are folded in the zone pass (IndicatorPass::fold).
constexpr std::size_t kFoldAggregateZones = 64;
}  // namespace

namespace {
// median_age_of_total from the running totals of slot_sums_single_year (the same bits): its scan stops at the first
// age i with persons p > 0 and cum + p ≥ half, and cum + p there is cum[i + 1], the same addition. A binary search
// gives n or an age i with cum[i + 1] ≥ half (every position it returns below n was compared, or lies right of one
// that was, and found ≥ half), the first such age when the totals never decrease. If also cum[0 … i] < half, then p > 0
// at i (cum[i] < half ≤ cum[i] + p) and no earlier age has cum[j + 1] ≥ half: i is where the scan stops. Checked on the
// ages up to i (about half the ages; a pass over all the totals to see that they never decrease cost 0.43 M
// instructions a year at 1,000 zones); otherwise (a negative count somewhere) the scan itself.
double median_age_of_prefix(const AgeGrid& grid, std::span<const double> persons, const double* cum) {
  const std::size_t n = persons.size();
  const double total = cum[n];
  if (!(total > 0.0)) return kNaN;
  const double half = total / 2.0;
  std::size_t i = 0;  // std::lower_bound over cum[1 … n], written out: defined for totals in any order
  for (std::size_t count = n; count > 0;) {
    const std::size_t step = count / 2;
    if (cum[i + step + 1] < half)
      i += step + 1, count -= step + 1;
    else
      count = step;
  }
  if (i == n || !all_below(cum, i + 1, half)) return median_age_of_total(grid, persons, total);
  return grid.age_start(static_cast<int>(i)) + grid.width_years * ((half - cum[i]) / persons[i]);
}

// median_age_of_prefix on one lane of slot_sums_zone_of_two's running totals (cum[4i]) and the lane's persons by age
// (persons(i)), its search's age i given (lane_medians_at), with its flag of no persons < 0 instead of all_below: then
// the totals never decrease (x + y ≥ x for y ≥ 0), so cum[0 … i] ≤ cum[i] < half at the search's age i (cum[0] = +0 <
// half; every age left of i has cum[j + 1] < half) and i < n (cum[n] = total ≥ half): median_age_of_prefix's answer.
// Otherwise the scan on a contiguous copy of the lane.
template <class Persons>
[[gnu::always_inline]] inline double median_age_of_lane(const AgeGrid& grid, const Persons& persons, const double* cum,
                                                        std::size_t n, std::size_t i, bool no_negative,
                                                        std::vector<double>& copy) {
  const double total = cum[4 * n];
  if (!(total > 0.0)) return kNaN;
  const double half = total / 2.0;
  if (i < n && no_negative)
    return grid.age_start(static_cast<int>(i)) + grid.width_years * ((half - cum[4 * i]) / persons(i));
  copy.resize(n);
  for (std::size_t k = 0; k < n; ++k) copy[k] = persons(k);
  return median_age_of_total(grid, copy, total);
}
}  // namespace

void IndicatorSums::reset(std::size_t A, std::size_t rows) {
  start.assign(2 * A, 0.0);
  end.assign(2 * A, 0.0);
  bma.assign(A, 0.0);
  expo.assign(A, 0.0);
  mx_num.assign(2 * rows, 0.0);
  mx_den.assign(2 * rows, 0.0);
  mx_sum.assign(2 * rows, 0.0);
  plain_deferred = false;
  start_given = false;
  n_mx = 0;
  n_states = 0;
  births_f = births_m = deaths = net = 0.0;
}

namespace {
SlotView view_of(const IndicatorSums& acc, std::size_t A) {
  return SlotView{acc.start.data(), acc.start.data() + A,
                  acc.end.data(),   acc.end.data() + A,
                  acc.bma.data(),   acc.expo.data(),
                  acc.births_f,     acc.births_m,
                  acc.deaths,       acc.net,
                  acc.n_states,     &acc};
}
}  // namespace

IndicatorPass::IndicatorPass(const CohortArray& start, const CohortArray& end, const StepComponents& comp,
                             std::span<const double> asfr, std::span<const double> mortality_mx,
                             const std::vector<std::string>& zone_ids, const std::vector<std::string>& group_names,
                             const std::vector<ZoneAggregate>& aggregates, const std::vector<AgeBand>& extra_bands,
                             const LifeTableMethod& method, IndicatorTable& out, bool named)
    : start_(start),
      end_(end),
      comp_(comp),
      asfr_(asfr),
      mx_(mortality_mx),
      aggregates_(aggregates),
      extra_bands_(extra_bands),
      method_(method),
      out_(out) {
  const CohortLayout& L = start.layout();
  G_ = L.groups;
  A_ = L.ages();
  asfr_once_ = given_once(asfr.size(), uz(G_) * A_, L.zones);
  mx_once_ = given_once(mortality_mx.size(), uz(G_) * kSexes * uz(L.grid.life_table_rows()), L.zones);
  rows_ = mortality_mx.empty() ? 0 : mortality_mx.size() / ((mx_once_ ? uz(G_) : L.states()) * kSexes);
  // The units' names (zones, then aggregates), kept where the table has them (the last step's): comparing costs half
  // of copying every name each step. Reserved first: pushed onto an exact copy, the aggregates' names would double its
  // capacity (3.2 MB instead of 1.6 at 50,000 zones, the whole run).
  std::vector<std::string>& names = out.unit_names;
  const std::size_t nz = zone_ids.size();
  bool same =
      named || (names.size() == nz + aggregates.size() && std::equal(zone_ids.begin(), zone_ids.end(), names.begin()));
  for (std::size_t a = 0; same && !named && a < aggregates.size(); ++a) same = names[nz + a] == aggregates[a].name;
  if (!same) {
    names.reserve(nz + aggregates.size());
    names.assign(zone_ids.begin(), zone_ids.end());
    for (const auto& a : aggregates) names.push_back(a.name);
  }
  out.group_names = group_names;
  out.group_names.push_back("all");
  out.indicator_names.assign(std::begin(kNames), std::end(kNames));
  for (const auto& b : extra_bands) out.indicator_names.push_back(b.name);
  NI_ = out.n_indicators();
  // One group: "all" is the group's slot (unit() sets the group's values only; the table reads them for "all").
  out.all_is_group = G_ == 1;
  NS_ = out.stored_slots();
  // Every slot's values start NaN (undefined until set): finish sets each of its slot's values, NaN where undefined,
  // in the units' parallel pass, so a table of the same shape as the last step's is not filled again here (a serial
  // pass over the whole table, 1.7 MB a step at W3k, while the other threads wait).
  if (out.values.size() != out.unit_names.size() * NS_ * NI_)
    assign_large(out.values, out.unit_names.size() * NS_ * NI_, kNaN);
  single_year_bands_ = L.grid.width_years == 1 && L.grid.open_index() >= 65;
  // finish reads the standard bands' weights only without single_year_bands_ (with it, the kernels make the bands with
  // the sums of persons): left empty there, not built each step (0.04 M instructions a year at 1,000 zones).
  for (const StandardAgeBand& b : kStandardAgeBands)
    single_year_bands_ ? band_.emplace_back() : band_.emplace_back(L.grid, b.from, b.to == 0 ? kInf : b.to);
  for (const AgeBand& b : extra_bands) band_.emplace_back(L.grid, b.from_age, b.to_age < 0 ? kInf : b.to_age + 1.0);
  off_grid_ = indicators_off_grid(L.grid, extra_bands);
  zone_of_two_ = G_ == 2 && single_year_bands_ && rows_ <= A_;
  static std::atomic<std::uint64_t> passes{0};
  id_ = ++passes;
  batch_tables_ = zone_of_two_ && pooled_tables_take(method, rows_);
  // Large aggregates with ascending zones are folded in the zone pass (fold); their sums start from +0 as in unit().
  for (std::size_t a = 0; a < aggregates.size(); ++a) {
    const std::vector<int>& zs = aggregates[a].zones;
    if (zs.size() < kFoldAggregateZones || !std::is_sorted(zs.begin(), zs.end()) ||
        std::adjacent_find(zs.begin(), zs.end()) != zs.end())
      continue;
    Fold& f = folds_.emplace_back();
    f.aggregate = a;
    f.per_group.resize(uz(G_));
    for (IndicatorSums& x : f.per_group) x.reset(A_, rows_);
    if (G_ != 1) f.all.reset(A_, rows_);  // one group: "all" is the group's slot, its sums not made (accumulate_zone)
  }
  if (zone_of_two_ && !folds_.empty()) {  // every age until unit() finds a zone's (births_ages_)
    births_ages_.assign(2 * uz(L.zones), static_cast<std::uint32_t>(A_));
    for (std::size_t z = 0; z < uz(L.zones); ++z) births_ages_[2 * z] = 0;
  }
  if (batch_tables_ && !folds_.empty() && zone_of_two_sums() && rows_ >= 4) make_weights_ring();
}

// The slot of one state: its own arrays, its deaths and migrants summed as accumulate sums them.
// Inlined into unit(), its only caller (a call per group slot, two a zone, and the view stored and read back).
[[gnu::always_inline]] inline SlotView IndicatorPass::single(int zn, int g) const {
  // The state's first cell in both populations (one layout): its offset once, not per array and sex.
  const std::size_t st = uz(zn) * uz(G_) + uz(g), o = st * kSexes * A_;
  const double *P0 = start_.data().data() + o, *P1 = end_.data().data() + o;
  SlotView v{
      P0, P0 + A_, P1, P1 + A_, comp_.births_by_mother_age.data() + st * A_, comp_.women_exposure.data() + st * A_};
  v.births_f = 0.0 + comp_.births[st * kSexes + 0];
  v.births_m = 0.0 + comp_.births[st * kSexes + 1];
  add_events(zn, g, v.deaths, v.net);
  v.n_states = 1;
  return v;
}

// The indicators of one unit × group slot from its sums.
// v with at least n elements: a zone of two groups needs twice a slot's scratch, and a vector that shrank back to one
// slot's would zero the second half again when it grows (no allocation either way once sized). Always inlined: unit
// is compiled for each vector width (COHORTGIS_KERNEL), and GCC inlines no plain function into a clone.
namespace {
[[gnu::always_inline]] inline double* at_least(std::vector<double>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}
}  // namespace

// The sums of persons of a single-year slot made before finish (a zone's two group slots in one pass).
struct PresummedSlot {
  const SlotSums* sums = nullptr;
  const double* both = nullptr;  // both sexes by age (at i · stride)
  const double* cum = nullptr;   // the running totals (slot_sums_single_year; at i · stride)
  bool asfr_sum = false;         // sums.asfr_sum is the sum of the slot's schedule
  std::size_t stride = 1;        // 4: a lane of slot_sums_zone_of_two's arrays
  bool no_negative = false;      // (stride 4) no age's persons < 0 (median_age_of_lane)
  std::size_t median_at = 0;     // (stride 4) the median's search's age (lane_medians_at)
  const double* tfr = nullptr;   // the sum of the TFR's terms of a slot of several states, made before (tfr_of_two)
  // (stride 4) The lane's persons by age from the zone's cells, as the kernel adds them (it stores none): women and
  // men of the lane's state, or of both states (fb, mb not null: the "all" lane, (fa + fb) + (ma + mb)).
  const double *fa = nullptr, *ma = nullptr, *fb = nullptr, *mb = nullptr;
  // Always inlined, as the median's lambda that calls it (finish_slot): GCC put both out of line in unit, whose three
  // slots then stayed on the stack for the calls (0.10 M instructions a year at 1,000 zones).
  [[gnu::always_inline]] double persons(std::size_t i) const {
    return fb ? (fa[i] + fb[i]) + (ma[i] + mb[i]) : fa[i] + ma[i];
  }
};

namespace {
// finish's values in lanes (GCC vectors, element-wise: each lane the same IEEE operations as its scalar).
using Quad = double __attribute__((vector_size(32)));
using Pair2 = double __attribute__((vector_size(16)));
constexpr Quad kNaNQuad = {kNaN, kNaN, kNaN, kNaN};
constexpr int id(Indicator i) { return static_cast<int>(i); }
// The runs of indicators stored together.
static_assert(id(Indicator::natural_growth_per_1000) == id(Indicator::cbr_per_1000) + 2 &&
              id(Indicator::tfr) == id(Indicator::cbr_per_1000) + 3);
static_assert(id(Indicator::e0_male) == id(Indicator::e0_female) + 1 &&
              id(Indicator::e65_male) == id(Indicator::e65_female) + 1);
static_assert(id(Indicator::share_60_plus) == id(Indicator::share_0_14) + 3 &&
              id(Indicator::total_dependency_ratio) == id(Indicator::old_age_dependency_ratio) + 1);
static_assert(id(Indicator::age_15_59) == id(Indicator::women_15_49) + 5);
}  // namespace

void IndicatorPass::finish(std::size_t unit, std::size_t slot, std::span<const int> zones, const SlotView& acc,
                           IndicatorScratch& sc, const PresummedSlot* pre) const {
  finish_slot<SlotKind::any>(unit, slot, zones, acc, sc, pre);
}

template <IndicatorPass::SlotKind K>
[[gnu::always_inline]] inline void IndicatorPass::finish_slot(std::size_t unit, std::size_t slot,
                                                              std::span<const int> zones, const SlotView& acc,
                                                              IndicatorScratch& sc, const PresummedSlot* pre) const {
  // What a lane kind fixes: its sums of persons made in a lane (pre, stride 4), one state (a group slot) or two.
  constexpr bool lane = K != SlotKind::any;
  const bool one_state = K == SlotKind::lane_group || (K == SlotKind::any && acc.n_states == 1);
  const AgeGrid& grid = start_.layout().grid;
  const double z = grid.width_years;
  // One group: "all" has the group's sums (each state added to both, in the same order) and so its values; the
  // table reads the group's slot for it.
  if (!lane && out_.all_is_group && slot == uz(G_)) return;
  const int g_lo = K == SlotKind::lane_all || (!lane && slot == uz(G_)) ? 0 : static_cast<int>(slot);
  double* v = out_.values.data() + (unit * NS_ + slot) * NI_;
  auto set = [&](Indicator id, double x) { v[static_cast<int>(id)] = x; };
  // The values set below only where defined start NaN (a table computed again holds last time's values); every other
  // value is set below whatever the numbers (a fill of the unit's rows cost 0.2 M instructions a year at 1,000 zones).
  // (The rates per 1,000, the shares and the ratios are stored below either way.)
  for (Indicator id : {Indicator::srb_per_100_females, Indicator::e0_female, Indicator::e0_male, Indicator::e65_female,
                       Indicator::e65_male, Indicator::e0})
    set(id, kNaN);
  std::span<const double> Pf(acc.end_f, A_), Pm(acc.end_m, A_);
  std::span<const double> both;  // both sexes by age
  const double* cum = nullptr;   // their running totals (single_year_bands_)
  // The sums of persons, the standard bands in band_'s order: the scratch's (each path below writes every field it
  // reads; a SlotSums of its own was value-initialised per call).
  SlotSums& own = sc.own;
  const SlotSums* sums = &own;
  if (lane || pre) {  // made before (slot_sums_single_year2, slot_sums_zone_of_two)
    sums = pre->sums;
    if (!lane && pre->stride == 1)
      both = std::span<const double>(pre->both, A_);  // else read in its lane (median, bands)
    cum = pre->cum;
  } else if (single_year_bands_) {  // the sums, the bands and the running totals of the median in one pass
    double* both_v = at_least(sc.both, A_);
    double* cum_v = at_least(sc.cum, A_ + 1);
    slot_sums_single_year(acc.start_f, acc.start_m, Pf.data(), Pm.data(), both_v, cum_v, A_, own);
    both = std::span<const double>(both_v, A_);
    cum = cum_v;
  } else {
    double* both_v = at_least(sc.both, A_);
    both = std::span<const double>(both_v, A_);
    // The sums of persons, each in age order from +0 (the same bits as a loop of its own), in one pass so that their
    // chains of additions overlap: the start population (female ages, then male), the end population of each sex,
    // both sexes by age and their total (for the median). Unrolled by four (less loop overhead per addition; each
    // chain still adds in age order), as the TFR's sum below.
    double start_total = 0.0, pop_f = 0.0, pop_m = 0.0, both_total = 0.0;
#pragma GCC unroll 4
    for (std::size_t i = 0; i < A_; ++i) {
      const double b = Pf[i] + Pm[i];
      both_v[i] = b;
      start_total += acc.start_f[i];
      pop_f += Pf[i];
      pop_m += Pm[i];
      both_total += b;
    }
#pragma GCC unroll 4
    for (std::size_t i = 0; i < A_; ++i) start_total += acc.start_m[i];
    own.start_total = start_total, own.pop_f = pop_f, own.pop_m = pop_m, own.both_total = both_total;
    for (std::size_t k = 0; k < 10; ++k) own.band[k] = band_[k].sum(k == 4 ? Pf : both);
  }
  const double start_total = sums->start_total, pop_f = sums->pop_f, pop_m = sums->pop_m;
  const double both_total = sums->both_total;
  const double* band = sums->band;
  const double pop = pop_f + pop_m;
  const double births = acc.births_f + acc.births_m;
  const double py = z * (start_total + pop) / 2.0;
  set(Indicator::population, pop);
  set(Indicator::population_female, pop_f);
  set(Indicator::population_male, pop_m);
  set(Indicator::births, births);
  set(Indicator::births_female, acc.births_f);
  set(Indicator::births_male, acc.births_m);
  set(Indicator::deaths, acc.deaths);
  set(Indicator::net_migration, acc.net);
  set(Indicator::person_years, py);
  // The three rates per 1,000 in two pairs, each lane its own value by the same operations (x / py · 1000); the
  // fourth lane lands on the TFR, set below. NaN where py is not > 0.
  if (py > 0.0) {
    const Pair2 k = {1000.0, 1000.0};
    store_vec(v + id(Indicator::cbr_per_1000), Pair2{births, acc.deaths} / py * k);
    store_vec(v + id(Indicator::natural_growth_per_1000), Pair2{births - acc.deaths, 0.0} / py * k);
  } else {
    store_vec(v + id(Indicator::cbr_per_1000), kNaNQuad);
  }
  if (one_state && !asfr_.empty()) {  // the schedule used in the step
    const std::size_t st = uz(zones[0]) * uz(G_) + uz(g_lo);
    double tfr = 0.0;
    if ((lane || pre) && pre->asfr_sum) {
      tfr = pre->sums->asfr_sum;
    } else {
#pragma GCC unroll 4
      for (std::size_t i = 0; i < A_; ++i) tfr += asfr_of(st)[i];
    }
    set(Indicator::tfr, z * tfr);
  } else if (K == SlotKind::lane_all || (!lane && pre && pre->tfr)) {
    set(Indicator::tfr, z * *pre->tfr);
  } else {
    std::vector<double>& q = sc.tfr_terms;
    q.resize(A_);
    tfr_terms(acc.bma, acc.expo, q.data(), A_);
    double tfr = 0.0;
#pragma GCC unroll 4
    for (std::size_t i = 0; i < A_; ++i) tfr += q[i];
    set(Indicator::tfr, z * tfr_of_exposure(tfr, acc.expo, A_));
  }
  if (acc.births_f > 0.0) set(Indicator::srb_per_100_females, acc.births_m / acc.births_f * 100.0);
  if (one_state) {
    const std::size_t st = uz(zones[0]) * uz(G_) + uz(g_lo);
    Pair2 e0, e65;  // each [female, male], as the indicators are ordered
    load_vec(e0, comp_.e0.data() + st * kSexes);
    load_vec(e65, comp_.e65.data() + st * kSexes);
    store_vec(v + id(Indicator::e0_female), e0);
    store_vec(v + id(Indicator::e65_female), e65);
  } else if (rows_ > 0 && (K != SlotKind::lane_all || (acc.rate_flags[0] | acc.rate_flags[1]) != 0)) {
    pooled_tables(v, acc, slot, zones, sc);  // (a zone's "all" slot with flags 0: its tables wait for a batch)
  }
  // Both sexes: a life table of the step's births, whose radix is split between the sexes in the ratio of its boys
  // to girls; its e0 is the radix-weighted mean e0 = (e0f + ρ·e0m) / (1 + ρ), ρ = male/female births (the same
  // rule as scenarios::life_expectancy_both_sexes, which the level fits use).
  if (acc.births_f > 0.0 && acc.births_m > 0.0 && std::isfinite(v[static_cast<int>(Indicator::e0_female)]) &&
      std::isfinite(v[static_cast<int>(Indicator::e0_male)])) {
    const double rho = acc.births_m / acc.births_f;
    set(Indicator::e0,
        (v[static_cast<int>(Indicator::e0_female)] + rho * v[static_cast<int>(Indicator::e0_male)]) / (1.0 + rho));
  }
  const double c0_14 = band[0], c15_64 = band[1], c65 = band[2], c60 = band[3];
  // The four shares (band[0 … 3] / pop · 100, the indicators' order) in one vector and the two ratios in another:
  // each lane its own value by the same operations; NaN where the denominator is not > 0.
  const Pair2 k100 = {100.0, 100.0};
  if (pop > 0.0) {
    Pair2 lo, hi;
    load_vec(lo, band);
    load_vec(hi, band + 2);
    store_vec(v + id(Indicator::share_0_14), lo / pop * k100);
    store_vec(v + id(Indicator::share_65_plus), hi / pop * k100);
  } else {
    store_vec(v + id(Indicator::share_0_14), kNaNQuad);
  }
  const Pair2 ratios = c15_64 > 0.0 ? Pair2{c65, c0_14 + c65} / c15_64 * k100 : Pair2{kNaN, kNaN};
  store_vec(v + id(Indicator::old_age_dependency_ratio), ratios);
  if (lane || (pre && pre->stride != 1))
    set(Indicator::median_age,
        median_age_of_lane(
            grid, [pre](std::size_t i) __attribute__((always_inline)) { return pre->persons(i); }, cum, A_,
            pre->median_at, pre->no_negative, sc.lane));
  else
    set(Indicator::median_age,
        single_year_bands_ ? median_age_of_prefix(grid, both, cum) : median_age_of_total(grid, both, both_total));
  // women_15_49 … age_15_59 are band[4 … 9] in order: copied in pairs.
  for (int k = 0; k < 6; k += 2) {
    Pair2 b;
    load_vec(b, band + 4 + k);
    store_vec(v + id(Indicator::women_15_49) + k, b);
  }
  set(Indicator::age_15_64, c15_64);
  set(Indicator::age_60_plus, c60);
  set(Indicator::age_65_plus, c65);
  if (!extra_bands_.empty() && (lane || (pre && pre->stride != 1))) {  // the lane, contiguous
    sc.lane.resize(A_);
    for (std::size_t i = 0; i < A_; ++i) sc.lane[i] = pre->persons(i);
    both = sc.lane;
  }
  for (std::size_t k = 0; k < extra_bands_.size(); ++k) {
    const AgeBand& b = extra_bands_[k];
    if (is_fertility_measure(b.measure)) continue;  // fertility_measures, after every unit
    std::span<const double> who = b.sex == 0 ? Pf : b.sex == 1 ? Pm : both;
    const double n = band_[10 + k].sum(who);
    // The same operations as the standard shares and ratios above (band / denominator · 100).
    const double of = b.measure == AgeBand::Measure::percent_of_population ? pop
                      : b.measure == AgeBand::Measure::per_100_aged_15_64  ? c15_64
                                                                           : 0.0;
    v[uz(kStandardIndicators) + k] = b.measure == AgeBand::Measure::persons ? n : of > 0.0 ? n / of * 100.0 : kNaN;
  }
  for (std::size_t k : off_grid_) v[k] = kNaN;  // bands reaching into the open group: after the sums, not in them
}

// Compiled for each vector width (COHORTGIS_KERNEL) though it has no loop of its own: its ≈ 900 instructions a zone of
// scalar glue take the three-operand AVX forms, with fewer register copies (0.935 → 0.901 M a year at 1,000 zones).
COHORTGIS_KERNEL void IndicatorPass::unit(int unit, IndicatorScratch& sc) const {
  const int G = G_;
  const std::size_t u = uz(unit);
  const std::size_t Z = uz(start_.layout().zones);
  int single_zone[1];
  std::span<const int> zones;
  if (u < Z) {
    single_zone[0] = unit;
    zones = std::span<const int>(single_zone, 1);
  } else {
    zones = aggregates_[u - Z].zones;
  }
  // Each slot's sums run over its states in the order zone, group, sex, age. A zone: each group's slot is its state;
  // "all" sums the groups (with one group, "all" is that group's state). An aggregate: one pass over its states adds
  // each into its group's sums and into those of "all".
  if (zones.size() == 1) {
    const int zn = zones[0];
    if (zone_of_two_) {
      // A zone of two groups on a single-year grid: its three slots' sums of persons in one pass, a lane each
      // (slot_sums_zone_of_two), their start totals carried from the last step where given.
      // all: the "all" slot's per-state numbers (no arrays), its view where its tables wait for a batch (below).
      SlotView v0, v1, all;
      zone_of_two_views(zn, v0, v1, all);
      // The scratch's (the kernel writes every field: no value-initialisation per zone, 53 stores).
      ZoneOfTwoOut& o = sc.zone_out;
      o.cum = at_least(sc.cum, 4 * (A_ + 1));
      o.scratch = at_least(sc.quads, 8 * A_);
      const bool asfr = !asfr_.empty();  // each group slot's TFR sums its state's schedule (finish: n_states == 1)
      const double* f0 = asfr ? asfr_of(uz(zn) * 2) : nullptr;
      ZoneCarry* carried = zone_carry_ ? zone_carry_ + zn : nullptr;
      const ZoneOfTwoIn in{v0.start_f, v0.start_m, v1.start_f,
                           v1.start_m, v0.end_f,   v0.end_m,
                           v1.end_f,   v1.end_m,   zone_totals_given_ ? carried->end_chain : nullptr};
      slot_sums_zone_of_two(in, A_, o);
      if (carried) {  // read above: this zone's only (three stores, not a call of memmove)
        carried->end_chain[0] = o.end_chain[0];
        carried->end_chain[1] = o.end_chain[1];
        carried->end_chain[2] = o.end_chain[2];
      }
      // The "all" slot's TFR straight from the two states' births and exposure; with the step's schedules the group
      // slots' sums of them in the same pass.
      const std::size_t sa = uz(zn) * 2 * A_;
      const double* bma = comp_.births_by_mother_age.data();
      const double* expo = comp_.women_exposure.data();
      double tfr = 0.0;
      if (asfr) {
        double t[3];
        tfr_zone_of_two(f0, f0 + A_, bma + sa, bma + sa + A_, expo + sa, expo + sa + A_, A_, t,
                        births_ages_.empty() ? nullptr : births_ages_.data() + 2 * uz(zn));
        o.sums[0].asfr_sum = t[0], o.sums[1].asfr_sum = t[1], tfr = t[2];
      } else {
        tfr = tfr_of_two(bma + sa, bma + sa + A_, expo + sa, expo + sa + A_, A_);
      }
      tfr = tfr_of_exposure(tfr, expo + sa, 2 * A_);  // the two states' exposure, one after the other
      std::size_t at[3];  // the three lanes' medians searched at once, from the last step's where carried
      lane_medians_at(o.cum, A_, at, carried ? carried->median_at : nullptr);
      if (carried)  // an age past 65,535 kept as a guess that fails (the search then)
        for (std::size_t k = 0; k < 3; ++k)
          carried->median_at[k] = static_cast<std::uint16_t>(std::min<std::size_t>(at[k], 0xFFFF));
      PresummedSlot p[3] = {
          {&o.sums[0], nullptr, o.cum, asfr, 4, o.no_negative[0], at[0], nullptr, v0.end_f, v0.end_m},
          {&o.sums[1], nullptr, o.cum + 1, asfr, 4, o.no_negative[1], at[1], nullptr, v1.end_f, v1.end_m},
          {&o.sums[2], nullptr, o.cum + 2, false, 4, o.no_negative[2], at[2], nullptr, v0.end_f, v0.end_m, v1.end_f,
           v1.end_m}};
      finish_slot<SlotKind::lane_group>(u, 0, zones, v0, sc, &p[0]);
      finish_slot<SlotKind::lane_group>(u, 1, zones, v1, sc, &p[1]);
      int flags[2] = {0, 0};
      // The "all" slot's end population only for the extra bands (its sums of persons are the kernel's); the pooled
      // rates straight into the thread's batch of life tables where it takes them.
      if (!batch_tables_ || !extra_bands_.empty()) {
        accumulate_two_groups(sc.all, sc.zone_rates, flags, zn, false, !batch_tables_);
        all = view_of(sc.all, A_);
      }
      const bool defer = batch_tables_ && rates_to_batch(zn, flags, sc);
      p[2].tfr = &tfr;
      // Deferred: rates that finish does not read (flags 0) but must have, or it would make them from the sums.
      all.rates = defer ? sc.batch->sc.lanes.data() : sc.zone_rates.data();
      // Rates that need no check: the tables wait for a batch of zones' (finish makes none with the flags 0).
      all.rate_flags[0] = defer ? 0 : flags[0];
      all.rate_flags[1] = defer ? 0 : flags[1];
      finish_slot<SlotKind::lane_all>(u, uz(G), zones, all, sc, &p[2]);
      if (defer) defer_life_table(u, all.births_f, all.births_m, sc);
      return;
    }
    if (G == 2 && single_year_bands_) {
      // The two group slots' sums of persons in one pass, so that their chains of additions overlap.
      const SlotView v0 = single(zn, 0), v1 = single(zn, 1);
      double* both = at_least(sc.both, 2 * A_);
      double* cum = at_least(sc.cum, 2 * (A_ + 1));
      // With the step's schedules, each group slot's TFR sums its state's (in finish: n_states == 1).
      const bool asfr = !asfr_.empty();
      const double* f0 = asfr ? asfr_of(uz(zn) * 2) : nullptr;
      SlotSums s0, s1;
      const PresummedSlot p0{&s0, both, cum, asfr}, p1{&s1, both + A_, cum + A_ + 1, asfr};
      slot_sums_single_year2(
          {v0.start_f, v0.start_m, v0.end_f, v0.end_m, both, cum, f0},
          {v1.start_f, v1.start_m, v1.end_f, v1.end_m, both + A_, cum + A_ + 1, asfr ? f0 + A_ : nullptr}, A_, s0, s1);
      finish(u, 0, zones, v0, sc, &p0);
      finish(u, 1, zones, v1, sc, &p1);
    } else {
      for (int g = 0; g < G; ++g) finish(u, uz(g), zones, single(zn, g), sc);
    }
    if (G != 1) {  // one group: "all" is the group's slot (the same inputs and operations), not stored again
      if (G == 2 && (rows_ == 0 || (start_.layout().grid.width_years == 1 && rows_ <= A_))) {
        int flags[2] = {0, 0};
        accumulate_two_groups(sc.all, sc.zone_rates, flags, zn, true);
        SlotView all = view_of(sc.all, A_);
        all.rates = sc.zone_rates.data();
        all.rate_flags[0] = flags[0];
        all.rate_flags[1] = flags[1];
        finish(u, uz(G), zones, all, sc);
      } else {
        sc.all.reset(A_, rows_);
        for (int g = 0; g < G; ++g) accumulate(sc.all, zn, g);
        finish(u, uz(G), zones, view_of(sc.all, A_), sc);
      }
    }
  } else {
    for (const Fold& f : folds_)
      if (f.aggregate == u - Z && f.next == zones.size()) {  // folded in the zone pass: only the indicators are left
        for (int g = 0; g < G; ++g) finish(u, uz(g), zones, view_of(f.per_group[uz(g)], A_), sc);
        finish(u, uz(G), zones, view_of(f.all, A_), sc);
        return;
      }
    sc.per_group.resize(uz(G));
    for (IndicatorSums& a : sc.per_group) a.reset(A_, rows_);
    // One group: "all" is the group's slot (finish makes nothing for it), so its sums are not made.
    IndicatorSums* const all = G == 1 ? nullptr : &sc.all;
    if (all) all->reset(A_, rows_);
    // One age range per thread of the arena (the bits do not depend on the ranges: the sums are element-wise).
    const int parts = static_cast<int>(
        std::min<std::size_t>({kAggregateParts, A_, uz(std::max(1, tbb::this_task_arena::max_concurrency()))}));
    if (zones.size() < kSplitAggregateZones || parts < 2) {
      for (int zn : zones) accumulate_zone(sc.per_group, sc.all, zn);
    } else {
      // A large aggregate (the "total" of every zone): its sums are element-wise over ages and rows, so they split
      // over age ranges across threads, each range adding every state in the same order (the same bits at any
      // thread count); the per-state numbers in one pass of their own.
      for (int zn : zones)
        for (int g = 0; g < G; ++g) accumulate2_events(sc.per_group[uz(g)], all, zn, g);
      const std::size_t A = A_, R = rows_;
      detail::parallel_blocks(parts, 1, [&](int first, int last) {
        for (int k = first; k < last; ++k) {
          const std::size_t a0 = A * uz(k) / uz(parts), a1 = A * uz(k + 1) / uz(parts);
          const std::size_t r0 = R * uz(k) / uz(parts), r1 = R * uz(k + 1) / uz(parts);
          for (int zn : zones)
            for (int g = 0; g < G; ++g) accumulate2_part(sc.per_group[uz(g)], all, zn, g, a0, a1, r0, r1);
        }
      });
    }
    for (int g = 0; g < G; ++g) finish(u, uz(g), zones, view_of(sc.per_group[uz(g)], A_), sc);
    finish(u, uz(G), zones, view_of(sc.all, A_), sc);
  }
}

void IndicatorPass::units_from(int first_unit) const {
  const int units = static_cast<int>(out_.unit_names.size());
  if (first_unit < units)
    detail::parallel_blocks(units - first_unit, 8, [&](int first, int last) {
      IndicatorScratch sc;
      for (int k = first; k < last; ++k) unit(first_unit + k, sc);
    });
  run_all_tables();  // the zones' tables left in the threads' batches, here or in the zone pass
  fertility_measures();
}

}  // namespace cohortgis::detail

namespace cohortgis {

void compute_indicators(const CohortArray& start, const CohortArray& end, const StepComponents& comp,
                        std::span<const double> asfr, std::span<const double> mortality_mx,
                        const std::vector<std::string>& zone_ids, const std::vector<std::string>& group_names,
                        const std::vector<ZoneAggregate>& aggregates, const std::vector<AgeBand>& extra_bands,
                        const LifeTableMethod& method, IndicatorTable& out) {
  detail::IndicatorPass(start, end, comp, asfr, mortality_mx, zone_ids, group_names, aggregates, extra_bands, method,
                        out)
      .units_from(0);
}

std::vector<ZoneAggregate> with_total_aggregate(std::vector<ZoneAggregate> aggregates, int zones) {
  for (const auto& a : aggregates)
    if (a.name == "total") return aggregates;
  ZoneAggregate all{"total", {}};
  all.zones.reserve(uz(std::max(zones, 0)));  // exactly: pushed alone, 65,536 ints' room for 50,000 zones
  for (int z = 0; z < zones; ++z) all.zones.push_back(z);
  aggregates.push_back(std::move(all));
  return aggregates;
}

void compute_population_indicators(const CohortArray& population, const std::vector<std::string>& zone_ids,
                                   const std::vector<std::string>& group_names,
                                   const std::vector<ZoneAggregate>& aggregates,
                                   const std::vector<AgeBand>& extra_bands, IndicatorTable& out) {
  // The population as the end of a step with no events.
  const CohortLayout& L = population.layout();
  StepComponents none;
  none.births.assign(L.states() * kSexes, 0.0);
  // Zeros that are only read: their pages given back once written (each before the next is written), so that the
  // reads map the kernel's zero page, +0.0 as written, instead of 14.4 MB of resident zeros at 50,000 zones beside the
  // base year's table (the command line's peak at one thread: bench/HISTORY.md "Round 30: memory at 50,000 zones
  // (h190)"). Where the kernel does not give them back the zeros stay: the same values either way.
  for (std::vector<double>* zeros : {&none.births_by_mother_age, &none.women_exposure}) {
    zeros->assign(L.states() * L.ages(), 0.0);
    detail::give_back_pages(zeros->data(), zeros->size() * sizeof(double));
  }
  // No deaths and no migrants as per-state sums (add_events reads them before any per-cell array): zeros of
  // states × 2 instead of a state-sized deaths array (14.4 MB at 50,000 zones), the same sums (+0.0 each).
  none.deaths_by_state.assign(L.states() * kSexes, 0.0);
  none.net_migrants_by_state.assign(L.states() * kSexes, 0.0);
  none.e0.assign(L.states() * kSexes, kNaN);
  none.e65.assign(L.states() * kSexes, kNaN);
  compute_indicators(population, population, none, {}, {}, zone_ids, group_names, aggregates, extra_bands,
                     LifeTableMethod{}, out);
  for (std::size_t k = 0; k < out.values.size(); ++k) {  // no events in a stock: flow indicators are undefined
    const std::size_t id = k % out.n_indicators();
    if (id == static_cast<std::size_t>(Indicator::tfr) || id == static_cast<std::size_t>(Indicator::person_years) ||
        (id >= static_cast<std::size_t>(Indicator::cbr_per_1000) &&
         id <= static_cast<std::size_t>(Indicator::natural_growth_per_1000)))
      out.values[k] = kNaN;
  }
}

}  // namespace cohortgis
