// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/mortality_checks.hpp"

#include <cmath>
#include <cstring>
#include <set>
#include <string>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios {

using detail::fmt;

// Greville's nax at 5–9 is kept wherever it falls (DemoTools' lt_abridged with mod = TRUE; the guard starts at 10–14),
// and k = ln(m_10 / m_1) / 9.5 takes a rate of 0 at 1–4 or 10–14 as DBL_MIN: nax ≈ ±150 years. DemoTools then goes on
// with the table as it comes out, unless its person-years fail lt_id_Ll_S's check (DemoTools 806cdc3 R/lt_id.R:298:
// every nLx ≥ 0 and every closed nLx < 5 × radix), where it stops: a rate of 0 at 1–4 (nax ≈ +156, 5L5 above five
// years a person) does, a rate of 0 at 10–14 with few deaths at 5–9 (nax ≈ −151) does not, and gives survival ratios
// above 1, as the UN's code projects them (conformance case un-abridged-isolated-zero-rates). Refused exactly where
// DemoTools stops, with the rates that cause it.
std::string greville_person_years_refusal(std::span<const double> mx, Sex sex, const LifeTableMethod& method,
                                          double next_mx) {
  if (method.ax_method != AxMethod::greville || !method.greville_from_age_5 || mx.size() < 4) return {};
  LifeTable lt;
  try {
    build_abridged_life_table_closed_above(mx, next_mx, sex, method, lt);
  } catch (const InputError&) {
    return {};  // rates the table refuses: its own message, where it is built for the projection
  }
  const double radix = lt.lx[0];
  bool stops = false;
  for (std::size_t r = 0; r < lt.Lx.size(); ++r)
    if (lt.Lx[r] < 0.0 || (r + 1 < lt.Lx.size() && lt.Lx[r] >= 5.0 * radix)) stops = true;
  if (!stops) return {};
  return "the death rate is " + fmt(mx[1]) + " at ages 1-4 and " + fmt(mx[3]) +
         (mx.size() == 4 ? " at ages 10+" : " at ages 10-14") +
         ", which gives ages 5-9 Greville's nax = " + fmt(lt.ax[2], 6) +
         " years, outside the group's 0-5, and person-years outside 0 to 5 years a person (DemoTools' lt_id_Ll_S "
         "stops on such a table); expected a death rate > 0 there";
}

namespace {
bool bits_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
}  // namespace

void check_death_rate_schedules(const Scenario& sc) {
  const LifeTableMethod& method = sc.life_table_method;
  if (sc.grid.width_years != 5 || method.ax_method != AxMethod::greville || !method.greville_from_age_5) return;
  const std::size_t rows = uz(sc.grid.life_table_rows()), tables = sc.zones.size() * sc.group_names.size() * kSexes;
  // A step whose rates are the last step's (the steps of a period, a set held for every step) is not checked again,
  // nor within a step a table that another state has (a standard schedule of many zones): by its rows, next rate and
  // sex as bytes (NaN, −0: no order of doubles tells them apart).
  const StepSchedules* last = nullptr;
  for (std::size_t k = 0; k < sc.schedules.size(); ++k) {
    const StepSchedules& s = sc.schedules[k];
    if (s.mortality_kind != MortalityInput::death_rates || s.mortality.size() != tables * rows) continue;
    const bool with_next = s.mortality_next.size() == tables;
    if (last && bits_equal(last->mortality, s.mortality) && bits_equal(last->mortality_next, s.mortality_next))
      continue;
    last = &s;
    std::set<std::string> seen;
    for (std::size_t t = 0; t < tables; ++t) {
      const std::span<const double> mx(s.mortality.data() + t * rows, rows);
      const double next = with_next ? s.mortality_next[t] : std::nan("");
      const Sex sex = t % kSexes == 0 ? Sex::female : Sex::male;
      std::string key(reinterpret_cast<const char*>(mx.data()), rows * sizeof(double));
      key.append(reinterpret_cast<const char*>(&next), sizeof next);
      key.push_back(static_cast<char>(sex));
      if (!seen.insert(std::move(key)).second) continue;
      const std::string why = greville_person_years_refusal(mx, sex, method, next);
      if (why.empty()) continue;
      const std::size_t state = t / kSexes, z = state / sc.group_names.size(), g = state % sc.group_names.size();
      const int width = sc.grid.width_years;
      const std::string step = sc.schedules.size() == 1
                                   ? "every step"
                                   : "step " + std::to_string(k) + " (" +
                                         std::to_string(sc.base_year + static_cast<int>(k) * width + 1) + "-" +
                                         std::to_string(sc.base_year + (static_cast<int>(k) + 1) * width) + ")";
      throw InputError("scenario '" + sc.name + "' (variant '" + sc.variant + "'): " + step + ", zone '" +
                       sc.zones[z].id + "', group '" + sc.group_names[g] + "', " + sex_name(sex) +
                       ": StepSchedules.mortality: " + why);
    }
  }
}

}  // namespace cohortgis::scenarios
