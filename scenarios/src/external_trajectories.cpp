// SPDX-License-Identifier: Apache-2.0
// Trajectories given as data (`[stochastic] tfr_trajectories`, `e0_trajectories`; scenarios/README.md "Probabilistic
// projections"): the tables the UN's probabilistic WPP and bayesTFR / bayesLife publish, one row per trajectory,
// year, [zone], [sex]. Checked whole when the scenario is read, so a run never starts on a table with holes.
#include <map>
#include <set>

#include "scenario_build.hpp"
#include "stochastic_inputs.hpp"

namespace cohortgis::scenarios {

void check_ensemble_size(const StochasticSpec& spec, long long n) {
  for (const auto* t : {spec.tfr_trajectories.get(), spec.e0_trajectories.get()})
    if (t && n > static_cast<long long>(t->ids.size()))
      throw InputError(t->file + ": " + std::to_string(n) + " trajectories requested but the table holds " +
                       std::to_string(t->ids.size()) +
                       "; expected at most as many trajectories as the table has (trajectories are used as given, "
                       "never drawn again)");
}

namespace detail {

std::shared_ptr<const ExternalTrajectories> read_external_trajectories(const Doc& doc, const toml::node& n,
                                                                       const std::string& key, const Scenario& sc,
                                                                       bool by_sex, double lo, double hi,
                                                                       const std::string& what) {
  // A TFR trajectory has no sex: a `sex` in its columns is an unknown logical name.
  const TableRef ref = by_sex ? table_ref(doc, n, key, {"trajectory", "year", "zone", "sex", "value"})
                              : table_ref(doc, n, key, {"trajectory", "year", "zone", "value"});
  // Values of one meaning, used at the steps' last years as given: a unit, per or between would change nothing.
  refuse_unit_and_per(doc, ref,
                      by_sex ? "life expectancies at birth in years" : "total fertility rates in children per woman");
  refuse_between(doc, ref);
  const Rows t = read_rows(doc, ref, {"trajectory", "year", "value"}, {"value"});
  auto out = std::make_shared<ExternalTrajectories>();
  out->file = ref.written;
  out->steps = sc.steps;
  // An optional column named in `columns` must be there (a misspelt name must not turn zones into one area).
  for (const char* c : {"zone", "sex"})
    if (ref.columns.count(c) && !t.has(c))
      doc.fail(ref.node, key, ref.written + ": no column '" + escape_cell(ref.column(c)) + "' (named for " + c + ")");
  const bool zoned = t.has("zone"), sexed = by_sex && t.has("sex");
  out->zones = zoned ? static_cast<int>(sc.zones.size()) : 1;
  out->sexes = sexed ? 2 : 1;
  std::map<std::string, int> zone_index;
  for (std::size_t i = 0; i < sc.zones.size(); ++i) zone_index[sc.zones[i].id] = static_cast<int>(i);
  // The year each step uses: its last year (as the drawn deviations, stochastic.hpp).
  std::map<int, int> step_of_year;
  for (int k = 0; k < sc.steps; ++k) step_of_year[sc.base_year + (k + 1) * sc.grid.width_years] = k;
  // trajectory → [zone][sex][step], NaN until read.
  std::map<long long, std::vector<double>> cells;
  const std::size_t per = uz(out->zones * out->sexes * out->steps);
  for (std::size_t r = 0; r < t.size(); ++r) {
    long long id = 0;
    try {
      id = t.whole(r, "trajectory", 0, 1'000'000'000, "a trajectory number");
    } catch (const InputError& e) {
      doc.fail(ref.node, key, e.what());
    }
    const int year = whole_number(doc, t, r, "year", key);
    auto sy = step_of_year.find(year);
    if (sy == step_of_year.end()) continue;  // years between the steps' last years are not used
    int zone = 0, sex = 0;
    if (zoned) {
      auto it = zone_index.find(t.text(r, "zone"));
      if (it == zone_index.end())
        doc.fail(ref.node, key, t.where(r, "zone") + ": expected a zone id of the geography, got " +
                                    quote_cell(t.text(r, "zone")));
      zone = it->second;
    }
    if (sexed) sex = sex_of(doc, t, r, key);
    const double v = t.number(r, "value");
    if (!(v >= lo && v <= hi))
      doc.fail(ref.node, key, t.where(r, "value") + ": expected " + what + " from " + fmt(lo) + " to " + fmt(hi) +
                                  ", got " + fmt(v));
    std::vector<double>& c = cells.try_emplace(id, per, kNaN).first->second;
    double& cell = c[(uz(zone) * uz(out->sexes) + uz(sex)) * uz(out->steps) + uz(sy->second)];
    if (!std::isnan(cell))
      doc.fail(ref.node, key, t.where(r, "trajectory") + ": a second row for trajectory " + std::to_string(id) +
                                  ", year " + std::to_string(year) + (zoned ? ", zone " + sc.zones[uz(zone)].id : "") +
                                  (sexed ? std::string(sex == 0 ? ", female" : ", male") : ""));
    cell = v;
  }
  if (cells.empty())
    doc.fail(ref.node, key, ref.written + ": no row for the years the projection uses (each step's last year, " +
                                std::to_string(sc.base_year + sc.grid.width_years) + " to " +
                                std::to_string(sc.end_year()) + ")");
  // Every trajectory needs every (zone, sex, step): a (zone, sex) with no year at all means the zones hold unequal
  // numbers of trajectories; a (zone, sex) with some years means years are missing.
  for (const auto& [id, c] : cells) {
    for (int zn = 0; zn < out->zones; ++zn)
      for (int sx = 0; sx < out->sexes; ++sx) {
        const std::string where = (zoned ? " zone " + sc.zones[uz(zn)].id : std::string()) +
                                  (sexed ? std::string(sx == 0 ? " female" : " male") : "");
        const double* p = c.data() + (uz(zn) * uz(out->sexes) + uz(sx)) * uz(out->steps);
        int missing = 0, first_missing = -1;
        for (int k = 0; k < out->steps; ++k)
          if (std::isnan(p[k])) {
            ++missing;
            if (first_missing < 0) first_missing = sc.base_year + (k + 1) * sc.grid.width_years;
          }
        if (missing == out->steps) {
          std::size_t have = 0;
          for (const auto& [id2, c2] : cells) have += std::isnan(c2[(uz(zn) * uz(out->sexes) + uz(sx)) * uz(out->steps)]) ? 0 : 1;
          doc.fail(ref.node, key, ref.written + ": unequal trajectory counts:" + where + " has " + std::to_string(have) +
                                      " trajectories, the table " + std::to_string(cells.size()) + " (trajectory " +
                                      std::to_string(id) + " has no row for" + (where.empty() ? " the area" : where) +
                                      "); expected every trajectory for every zone" + (sexed ? " and sex" : ""));
        }
        if (missing > 0)
          doc.fail(ref.node, key, ref.written + ": missing years: trajectory " + std::to_string(id) + where +
                                      " has no row for year " + std::to_string(first_missing) +
                                      " (expected every step's last year, " +
                                      std::to_string(sc.base_year + sc.grid.width_years) + " to " +
                                      std::to_string(sc.end_year()) + " by " + std::to_string(sc.grid.width_years) + ")");
      }
    out->ids.push_back(id);
    out->values.insert(out->values.end(), c.begin(), c.end());
  }
  return out;
}

}  // namespace detail

}  // namespace cohortgis::scenarios
