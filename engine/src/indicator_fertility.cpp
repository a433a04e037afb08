// SPDX-License-Identifier: Apache-2.0
// The optional fertility summaries (optional_indicator: mean_age_childbearing, grr, nrr) of every unit × group slot,
// computed after the units' other values and only where a scenario asks for one, so that other runs keep their
// tables (and the benchmark hashes) unchanged.
//
// For a step of z years, the slot's age-specific fertility rates f_i of the grid's age groups [x_i, x_i + z), the
// female share at birth s = 1 / (1 + SRB) of the step's sex ratio at birth (male births per female birth, the ratio
// the step splits its births by: known from the scenario whether the slot had births or not) and the female life
// table of the step (person-years nL_i lived in age group i, radix l_0):
//   mean age at childbearing  MAC = Σ (x_i + z/2)·f_i / Σ f_i   (the mean age of the period's fertility schedule,
//                                                                each group's births at its midpoint: UN World
//                                                                Population Prospects' "mean age at childbearing")
//   gross reproduction rate   GRR = z · Σ f_i · s                (daughters per woman surviving to the end of the
//                                                                childbearing ages)
//   net reproduction rate     NRR = s · Σ f_i · nL_i / l_0       (daughters per woman under the period's mortality)
// (Preston, Heuveline & Guillot 2001, Demography: Measuring and Modeling Population Processes, ch. 5, the period
// reproduction measures, there with the proportion female of births constant over the mother's age; their equation
// numbers are not cited here because they were not checked). The UN's ccmppWPP computes them so (R/
// fert_helper_functions_wpp.R fert_gross, fert_net, fert_mac: maternity rates f / (1 + srb) from the period's SRB, not
// from its births). A slot of several zones takes their shares weighted by the births to its mothers in each zone (its
// daughters over its births; where it has none, GRR and NRR are 0 or undefined anyway, the zones' plain mean); a
// slot's newborns moved to another group by [[newborn]] rules are still its mothers' daughters. The slot's schedule
// and tables follow the rules of its TFR and e0 (indicators.cpp finish_slot, pooled_life_tables.cpp pooled_tables):
//  - a slot of one state (a zone's group; an aggregate of one zone's group) with the step's schedule: that schedule,
//    and the state's female life table from its death rates (the table its e0 comes from: single-year, abridged, or
//    abridged closed above the grid's open age where rates are given past it) or from its given person-years Lx and
//    radix l0; none where the step's mortality is survival ratios (e0 is NaN there too);
//  - a slot of several states (a zone's "all groups", an aggregate's slots) or without a schedule: the pooled rates
//    f_i = Σ births by age of mother / Σ women's exposure (0 at an age nobody is exposed at; undefined where nobody
//    is exposed at any age, as the pooled TFR), and the pooled female table of its e0: each row's rate Σ m·w / Σ w
//    over its states with the mid-step persons w = (P0 + P1)/2 of the row's age (the members' plain mean where
//    nobody is exposed; add_mx and pooled_rates, the kernels of pooled_tables), from death rates only (with
//    person-years or survival ratios a pooled e0 is NaN, and so the NRR).
// NaN where undefined: MAC where Σ f_i is not > 0; GRR and NRR where the schedule is undefined (0 where Σ f_i = 0);
// NRR also where the female table is missing or cannot be built at an age with f_i > 0. A base year (no step) has
// none of the three (is_stock_indicator: its rows do not list them). compute_indicators, which is not handed the
// step's SRB, takes s as the female share of the slot's births (after the newborn rules; NaN without births).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "indicators_pass.hpp"
#include "parallel.hpp"

namespace cohortgis::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// nL_i / l_0 of the grid's age groups (the open group: T of its age) from person-years by life-table row: single-year
// rows 0, 1, …; abridged rows 0, 1–4, 5–9, … (the first two make the grid's 0–4); five-year rows 0–4, 5–9, …. Rows
// beyond the grid's open age add to the open group (survival_ratios' rule). Zero-width open rows hold T already.
void group_person_years(std::span<const double> Lx, LxLayout layout, double l0, const AgeGrid& grid,
                        std::vector<double>& out) {
  const std::size_t A = uz(grid.n_ages), open = A - 1;
  out.assign(A, 0.0);
  for (std::size_t r = 0; r < Lx.size(); ++r) {
    const std::size_t i = layout == LxLayout::abridged ? (r == 0 ? 0 : r - 1) : r;
    out[std::min(i, open)] += Lx[r];
  }
  for (double& x : out) x = l0 > 0.0 && std::isfinite(l0) ? x / l0 : kNaN;
}

// Reused across a block's units and slots: nothing is allocated per slot once sized.
struct FertilityScratch {
  std::vector<double> f, nL, mx, Lx;
  LifeTable lt;
};
}  // namespace

bool IndicatorPass::cells_read_in_zone_pass() const {
  return folds_.size() == aggregates_.size() &&
         std::none_of(extra_bands_.begin(), extra_bands_.end(),
                      [](const AgeBand& b) { return is_fertility_measure(b.measure); });
}

void IndicatorPass::fertility_measures() const {
  std::vector<std::size_t> ks;  // the fertility columns asked for
  for (std::size_t k = 0; k < extra_bands_.size(); ++k)
    if (is_fertility_measure(extra_bands_[k].measure)) ks.push_back(k);
  if (ks.empty()) return;
  const AgeGrid& grid = start_.layout().grid;
  const double z = grid.width_years;
  const std::size_t Z = uz(start_.layout().zones), G = uz(G_), A = A_;
  const bool events = !comp_.births.empty() && !comp_.births_by_mother_age.empty() && !comp_.women_exposure.empty();
  const std::size_t lx_rows = lx_.empty() ? 0 : lx_.size() / (uz(start_.layout().states()) * kSexes);
  const int units = static_cast<int>(out_.unit_names.size());
  parallel_blocks(units, 8, [&](int first, int last) {
    FertilityScratch sc;
    for (int un = first; un < last; ++un) {
      const std::size_t u = uz(un);
      int one_zone[1] = {un};
      const std::span<const int> zones = u < Z ? std::span<const int>(one_zone, 1) : aggregates_[u - Z].zones;
      for (std::size_t slot = 0; slot < NS_; ++slot) {  // one group: "all" is the group's slot, not stored
        const std::size_t g_lo = slot < G ? slot : 0, g_hi = slot < G ? slot + 1 : G;
        const std::size_t n_states = zones.size() * (g_hi - g_lo);
        double mac = kNaN, grr = kNaN, nrr = kNaN;
        if (events && n_states > 0) {
          // The schedule f_i.
          sc.f.assign(A, 0.0);
          bool defined = true;
          if (n_states == 1 && !asfr_.empty()) {
            const std::size_t st = uz(zones[0]) * G + g_lo;
            for (std::size_t i = 0; i < A; ++i) sc.f[i] = asfr_of(st)[i];
          } else {
            std::vector<double>& expo = sc.nL;  // scratch until the table
            expo.assign(A, 0.0);
            for (int zn : zones)
              for (std::size_t g = g_lo; g < g_hi; ++g) {
                const std::size_t o = (uz(zn) * G + g) * A;
                for (std::size_t i = 0; i < A; ++i) {
                  sc.f[i] += comp_.births_by_mother_age[o + i];
                  expo[i] += comp_.women_exposure[o + i];
                }
              }
            defined = false;
            for (std::size_t i = 0; i < A; ++i) {
              defined = defined || expo[i] > 0.0;
              sc.f[i] = expo[i] > 0.0 ? sc.f[i] / expo[i] : 0.0;
            }
          }
          double sum_f = 0.0, sum_xf = 0.0;
          for (std::size_t i = 0; i < A; ++i) {
            sum_f += sc.f[i];
            sum_xf += (grid.age_start(static_cast<int>(i)) + z / 2.0) * sc.f[i];
          }
          const double share_female = female_share_at_birth(zones, g_lo, g_hi);
          if (defined && sum_f > 0.0) mac = sum_xf / sum_f;
          if (defined && sum_f == 0.0) grr = nrr = 0.0;
          if (defined && sum_f != 0.0) {
            grr = z * sum_f * share_female;
            // The female table: nL_i / l_0 by age group (empty: none).
            bool table = false;
            if (!mx_.empty()) {
              std::span<const double> mx;
              double next = kNaN;
              if (n_states == 1) {
                const std::size_t st = uz(zones[0]) * G + g_lo;
                mx = std::span<const double>(mx_of(st), rows_);
                if (!mx_next_.empty()) next = mx_next_[st * kSexes];
              } else {  // the women's rates pooled as pooled_tables pools them (add_mx, pooled_rates)
                sc.mx.assign(4 * rows_, 0.0);
                double *num = sc.mx.data() + rows_, *den = num + rows_, *plain = den + rows_;
                double n = 0.0;
                for (int zn : zones)
                  for (std::size_t g = g_lo; g < g_hi; ++g) {
                    const std::size_t st = uz(zn) * G + g;
                    add_mx(num, den, plain, mx_of(st), start_.ages(zn, static_cast<int>(g), 0).data(),
                           end_.ages(zn, static_cast<int>(g), 0).data(), rows_, grid.width_years);
                    n += 1.0;
                  }
                (void)pooled_rates(num, den, plain, n, sc.mx.data(), rows_);  // checked below, as a state's
                mx = std::span<const double>(sc.mx.data(), rows_);
                if (!mx_next_.empty()) next = pooled_rate_above_open(slot, zones, 0);
              }
              bool finite = mx.back() > 0.0;
              for (double m : mx) finite = finite && std::isfinite(m);
              if (finite) {
                try {
                  if (z == 1)
                    build_single_year_life_table(mx, Sex::female, method_, sc.lt);
                  else if (!mx_next_.empty())
                    build_abridged_life_table_closed_above(mx, next, Sex::female, method_, sc.lt);
                  else
                    build_abridged_life_table(mx, Sex::female, method_, sc.lt);
                  // The table's rows below the grid's open age, then T of the open age (L of its open row).
                  const std::size_t first_open_row = z == 1 ? A - 1 : A;
                  std::vector<double>& Lx = sc.Lx;
                  Lx.assign(sc.lt.Lx.begin(), sc.lt.Lx.begin() + static_cast<std::ptrdiff_t>(first_open_row));
                  Lx.push_back(sc.lt.Tx[first_open_row]);
                  group_person_years(Lx, z == 1 ? LxLayout::single_year : LxLayout::abridged, sc.lt.lx[0], grid, sc.nL);
                  table = true;
                } catch (const InputError&) {
                  // A pooled table that cannot be built: NRR undefined (the states' own tables were built by the step).
                }
              }
            } else if (!lx_.empty() && n_states == 1) {
              const std::size_t st = uz(zones[0]) * G + g_lo;
              group_person_years(lx_.subspan(st * kSexes * lx_rows, lx_rows),
                                 z == 1 ? LxLayout::single_year : lx_layout_, radix_l0_[st * kSexes], grid, sc.nL);
              table = true;
            }
            if (table) {
              double sum = 0.0;
              for (std::size_t i = 0; i < A; ++i)
                if (sc.f[i] != 0.0) sum += sc.f[i] * sc.nL[i];
              nrr = share_female * sum;
            }
          }
        }
        double* v = out_.values.data() + (u * NS_ + slot) * NI_ + uz(kStandardIndicators);
        for (std::size_t k : ks) {
          const AgeBand::Measure m = extra_bands_[k].measure;
          v[k] = m == AgeBand::Measure::mean_age_childbearing     ? mac
                 : m == AgeBand::Measure::gross_reproduction_rate ? grr
                                                                  : nrr;
        }
      }
    }
  });
}

double IndicatorPass::female_share_at_birth(std::span<const int> zones, std::size_t g_lo, std::size_t g_hi) const {
  const std::size_t G = uz(G_), A = A_;
  if (srb_.empty()) {  // compute_indicators: the step's births of the slot (after the newborn rules)
    double births_f = 0.0, births_m = 0.0;
    for (int zn : zones)
      for (std::size_t g = g_lo; g < g_hi; ++g) {
        births_f += comp_.births[(uz(zn) * G + g) * kSexes];
        births_m += comp_.births[(uz(zn) * G + g) * kSexes + 1];
      }
    return births_f + births_m > 0.0 ? births_f / (births_f + births_m) : kNaN;
  }
  // The zones' 1 / (1 + SRB), the step's girls per birth (births_by_sex), weighted by the births to the slot's mothers
  // in each zone (their daughters over their births); one zone, or nobody's births: the zones' plain mean.
  if (zones.size() == 1) return 1.0 / (1.0 + srb_of(zones[0]));
  double girls = 0.0, births = 0.0, plain = 0.0;
  for (int zn : zones) {
    const double girl_share = 1.0 / (1.0 + srb_of(zn));
    double b = 0.0;
    for (std::size_t g = g_lo; g < g_hi; ++g)
      for (std::size_t i = 0; i < A; ++i) b += comp_.births_by_mother_age[(uz(zn) * G + g) * A + i];
    girls += girl_share * b, births += b, plain += girl_share;
  }
  return births > 0.0 ? girls / births : plain / static_cast<double>(zones.size());
}

}  // namespace cohortgis::detail
