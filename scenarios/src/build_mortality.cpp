// SPDX-License-Identifier: Apache-2.0
// [mortality] of a scenario file: death-rate schedules and their paths (e0, gains, Lee–Carter), per step.
#include "scenario_build.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/sources.hpp"

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

// ---- mortality --------------------------------------------------------------------------------------------------

// mx rows from a table of (age, value) on the grid's life-table rows: abridged for z = 5 (closed at the grid's open
// age keeping its person-years, sources.hpp close_abridged_mx), single years for z = 1 (abridged input graduated).
std::vector<double> mx_on_grid(const Build& b, const std::map<int, double>& by_age, Sex sex, const toml::node* n,
                               const std::string& key, const LifeTableMethod& method) {
  std::vector<int> ages;
  std::vector<double> mx;
  for (const auto& [a, m] : by_age) (ages.push_back(a), mx.push_back(m));
  const bool abridged = ages.size() >= 4 && ages[0] == 0 && ages[1] == 1 && ages[2] == 5;
  try {
    if (abridged) {
      for (std::size_t k = 2; k < ages.size(); ++k)
        if (ages[k] != 5 * static_cast<int>(k - 1)) b.doc.fail(n, key, "abridged mx rows must be 0, 1, 5, 10, …; missing age " + std::to_string(5 * (k - 1)));
      const int open_in = ages.back();
      if (b.z == 5) {
        if (open_in < b.sc.grid.open_age())
          b.doc.fail(n, key, "the mx rows end at " + std::to_string(open_in) + "+, below the grid's open age " + std::to_string(b.sc.grid.open_age()));
        return open_in == b.sc.grid.open_age() ? mx : close_abridged_mx(mx, sex, b.sc.grid.open_age(), method);
      }
      return graduate_abridged_mx_to_single(mx, sex, b.sc.grid.open_age(), method);
    }
    if (b.z == 5) b.doc.fail(n, key, "a five-year grid needs abridged mx rows 0, 1, 5, 10, …");
    for (std::size_t k = 0; k < ages.size(); ++k)
      if (ages[k] != static_cast<int>(k)) b.doc.fail(n, key, "single-year mx rows must be 0, 1, 2, …; missing age " + std::to_string(k));
    const int w = b.sc.grid.open_age();
    if (ages.back() < w) b.doc.fail(n, key, "the mx rows end at " + std::to_string(ages.back()) + ", below the open age " + std::to_string(w));
    if (ages.back() == w) return mx;
    // Close at w keeping the person-years above it: m(w+) = l(w) / T(w) (as close_abridged_mx).
    const LifeTable lt = single_year_life_table(mx, sex, method);
    std::vector<double> out(mx.begin(), mx.begin() + w);
    out.push_back(lt.lx[uz(w)] / lt.Tx[uz(w)]);
    return out;
  } catch (const InputError& e) {
    if (std::string(e.what()).find(b.doc.file) == 0) throw;
    b.doc.fail(n, key, e.what());
  }
}

void build_mortality(const Build& b, const Layer& L, std::vector<StepSchedules>& steps) {
  const Doc& doc = b.doc;
  for (const toml::table* t : {L.section(L.base, "mortality"), L.section(L.over, "mortality")})
    if (t) doc.allow(*t, "mortality", {"mx", "e0", "e0_gain_per_year", "lee_carter"});
  auto [mn, mkey] = L.get("mortality", "mx");
  if (!mn) doc.fail(L.base, "mortality.mx", "missing; expected a table of death rates (age, sex, value)");
  const LifeTableMethod& method = b.sc.life_table_method;
  // Distinct base schedules and, per (zone, group, sex), which one applies.
  std::vector<std::vector<double>> schedules;
  std::vector<Sex> schedule_sex;
  std::vector<std::size_t> which(uz(b.Z * b.G * 2), SIZE_MAX);
  {
    const TableRef ref = table_ref(doc, *mn, mkey, {"age", "sex", "value", "zone"});
    const Rows rows = read_rows(doc, ref, {"age", "sex", "value"}, {"age", "value"});
    const bool by_zone = rows.has("zone");
    std::map<std::pair<int, int>, std::map<int, double>> got;  // (zone or −1, sex) → age → mx
    for (std::size_t r = 0; r < rows.size(); ++r) {
      int zi = -1;
      if (by_zone) {
        auto it = b.zone_index.find(rows.text(r, "zone"));
        if (it == b.zone_index.end()) doc.fail(mn, mkey, rows.where(r, "zone") + ": unknown zone \"" + rows.text(r, "zone") + "\"");
        zi = it->second;
      }
      const int s = sex_of(doc, rows, r, mkey);
      const double v = rows.number(r, "value");
      // A central death rate above 2 per person-year is not a human population's (and usually a value per 1000).
      if (!(v >= 0 && v <= 2))
        doc.fail(mn, mkey, rows.where(r, "value") + ": expected a death rate from 0 to 2 per person-year, got " + fmt(v) +
                               (v > 2 ? " (a rate per 1000? divide by 1000)" : ""));
      if (!got[{zi, s}].emplace(whole_number(doc, rows, r, "age", mkey), v).second)
        doc.fail(mn, mkey, rows.where(r, "age") + ": a second row for this age and sex");
    }
    for (const auto& [zs, by_age] : got) {
      schedules.push_back(mx_on_grid(b, by_age, static_cast<Sex>(zs.second), mn, mkey, method));
      schedule_sex.push_back(static_cast<Sex>(zs.second));
      for (int zi = 0; zi < b.Z; ++zi)
        if (zs.first < 0 || zs.first == zi)
          for (int g = 0; g < b.G; ++g) which[uz((zi * b.G + g) * 2 + zs.second)] = schedules.size() - 1;
    }
    for (int zi = 0; zi < b.Z; ++zi)
      for (int s = 0; s < 2; ++s)
        if (which[uz(zi * b.G * 2 + s)] == SIZE_MAX)
          doc.fail(mn, mkey, "no " + std::string(sex_name(static_cast<Sex>(s))) + " mx rows for zone " + b.sc.zones[uz(zi)].id);
  }
  // e0 paths (Brass logit against the base table), or a gain per year, or Lee–Carter; at most one.
  std::optional<YearPath> e0[2];
  auto [en, ekey] = L.get("mortality", "e0");
  auto [gn, gkey] = L.get("mortality", "e0_gain_per_year");
  auto [ln, lkey] = L.get("mortality", "lee_carter");
  if ((en != nullptr) + (gn != nullptr) + (ln != nullptr) > 1)
    doc.fail(en ? en : gn, en ? ekey : gkey, "give only one of e0, e0_gain_per_year and lee_carter");
  double lc_drift = 0.0;
  if (en) {
    const toml::table& t = doc.table(*en, ekey);
    doc.allow(t, ekey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        e0[s] = doc.path(*x, ekey + "." + sex_name(static_cast<Sex>(s)), 15.0, 100.0, b.base_year, b.horizon, "a life expectancy");
  }
  std::optional<double> gain[2];
  if (gn) {
    const toml::table& t = doc.table(*gn, gkey);
    doc.allow(t, gkey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        gain[s] = doc.number(*x, gkey + "." + sex_name(static_cast<Sex>(s)), -2.0, 2.0, "years per year");
  }
  if (ln) {
    const toml::table& t = doc.table(*ln, lkey);
    doc.allow(t, lkey, {"drift"});
    if (!t.get("drift")) doc.fail(ln, lkey, "expected 'drift' (change of k per year)");
    lc_drift = doc.number(*t.get("drift"), lkey + ".drift", -50.0, 50.0);
  }
  // Per base schedule and sex, the e0 of the base table (the path's value at the base year unless given).
  std::map<std::pair<std::size_t, double>, std::vector<double>> cache;  // (schedule, target e0) → mx
  for (int k = 0; k < b.steps; ++k) {
    StepSchedules& st = steps[uz(k)];
    st.mortality_kind = MortalityInput::death_rates;
    st.mortality.clear();
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g)
        for (int s = 0; s < 2; ++s) {
          const std::size_t w = which[uz((zi * b.G + g) * 2 + s)];
          const std::vector<double>& base = schedules[w];
          std::vector<double> mx = base;
          if (e0[s] || gain[s]) {
            const double e_base = life_expectancy_at_birth(base, b.sc.grid, static_cast<Sex>(s), method);
            YearPath p;
            if (e0[s]) {
              p = *e0[s];
              if (!p.points.count(b.base_year)) p.points[b.base_year] = e_base;  // start from the base table
            } else {
              p.points[b.base_year] = e_base;
              p.points[b.horizon] = e_base + *gain[s] * (b.horizon - b.base_year);
            }
            const double target = p.mean_over_years(y0, y1);
            auto key = std::make_pair(w, target);
            auto it = cache.find(key);
            if (it == cache.end()) {
              double alpha = 0.0;
              try {
                alpha = brass_alpha_for_e0(base, b.sc.grid, static_cast<Sex>(s), target, method);
              } catch (const InputError& e) {
                doc.fail(en ? en : gn, en ? ekey : gkey, std::string(e.what()) + " (years " + std::to_string(y0) + "-" + std::to_string(y1) + ")");
              }
              it = cache.emplace(key, brass_logit_mx(base, b.sc.grid, static_cast<Sex>(s), alpha, method)).first;
            }
            mx = it->second;
          } else if (ln) {
            // k_t at the mean calendar year of the step, relative to the base year.
            const double t = 0.5 * (y0 + y1) - b.base_year;
            mx = lee_carter_mx(base, {}, lc_drift, t);
          }
          st.mortality.insert(st.mortality.end(), mx.begin(), mx.end());
        }
  }
}

}  // namespace cohortgis::scenarios::detail
