// SPDX-License-Identifier: Apache-2.0
// [stochastic]: the ensemble size, seed and the random deviations of fertility, mortality and migration
// (scenarios/README.md "Probabilistic projections"; the equations are in stochastic.hpp).
#include "cohortgis/scenarios/stochastic.hpp"

#include <cmath>

#include "scenario_build.hpp"
#include "stochastic_inputs.hpp"

namespace cohortgis::scenarios::detail {

void read_stochastic(const Doc& doc, const toml::table& root, const Scenario& sc, StochasticSpec& out) {
  const toml::node* sn = root.get("stochastic");
  if (!sn) return;
  const toml::table& s = doc.table(*sn, "stochastic");
  doc.allow(s, "stochastic", {"trajectories", "seed", "tfr", "lee_carter", "migration", "tfr_trajectories",
                                 "e0_trajectories"});
  out.life_table_method = sc.life_table_method;
  out.where = doc.where(sn);
  if (const toml::node* n = s.get("trajectories"))
    out.trajectories = doc.integer(*n, "stochastic.trajectories", 1, kMaxTrajectories, "a number of trajectories");
  if (const toml::node* n = s.get("seed"))
    out.seed = static_cast<std::uint64_t>(doc.integer(*n, "stochastic.seed", 0, 2'147'483'647, "a seed"));
  // Standard deviations of at most 10 (TFR units, k units per year, log multipliers): far above any published model,
  // low enough that exp(σX) stays finite.
  if (const toml::node* n = s.get("tfr")) {
    const toml::table& t = doc.table(*n, "stochastic.tfr");
    doc.allow(t, "stochastic.tfr", {"sd", "ar1"});
    // Without sd nothing is drawn: an ar1 alone would be accepted and change nothing.
    if (!t.get("sd"))
      doc.fail(n, "stochastic.tfr", "expected sd (the TFR deviation's standard deviation, children per woman)");
    if (t.get("sd")) out.tfr_sd = doc.number(*t.get("sd"), "stochastic.tfr.sd", 0.0, 10.0, "a standard deviation (children per woman)");
    if (t.get("ar1")) out.tfr_ar1 = doc.number(*t.get("ar1"), "stochastic.tfr.ar1", -1.0, 1.0, "an AR(1) coefficient");
  }
  if (const toml::node* n = s.get("lee_carter")) {
    const toml::table& t = doc.table(*n, "stochastic.lee_carter");
    doc.allow(t, "stochastic.lee_carter", {"k_sd", "bx", "fit"});
    // bx alone is read only by e0_trajectories; otherwise it would be accepted and change nothing.
    if (!t.get("k_sd") && !t.get("fit") && !s.get("e0_trajectories"))
      doc.fail(n, "stochastic.lee_carter",
               "expected k_sd (the standard deviation of k per year) or fit (a mortality history to fit); bx alone "
               "is used only by e0_trajectories");
    if (t.get("k_sd")) out.k_sd = doc.number(*t.get("k_sd"), "stochastic.lee_carter.k_sd", 0.0, 10.0, "a standard deviation of k per year");
    if (const toml::node* f = t.get("fit")) {
      // b_x and σ of k fitted to a mortality history; an explicit k_sd wins, an explicit bx is a contradiction.
      if (t.get("bx"))
        doc.fail(t.get("bx"), "stochastic.lee_carter.bx", "expected either bx or fit (which gives b_x), not both");
      const LeeCarterFit fit = read_lee_carter_fit(doc, *f, "stochastic.lee_carter.fit", sc);
      out.bx = fit.bx;
      if (!t.get("k_sd")) out.k_sd = fit.k_sd_per_year;
    }
    if (const toml::node* b = t.get("bx")) {
      const toml::array& a = doc.array(*b, "stochastic.lee_carter.bx");
      const int rows = sc.grid.life_table_rows();
      if (a.size() != uz(rows))
        doc.fail(b, "stochastic.lee_carter.bx", "expected " + std::to_string(rows) + " values (one per life-table row), got " + std::to_string(a.size()));
      for (std::size_t k = 0; k < a.size(); ++k)
        out.bx.push_back(doc.number(*a.get(k), "stochastic.lee_carter.bx[" + std::to_string(k) + "]", -10.0, 10.0, "an age response b_x"));
    }
  }
  if (const toml::node* n = s.get("migration")) {
    const toml::table& t = doc.table(*n, "stochastic.migration");
    doc.allow(t, "stochastic.migration", {"sd", "correlation"});
    if (!t.get("sd"))
      doc.fail(n, "stochastic.migration",
               "expected sd (the standard deviation of the log multiplier per zone and step)");
    if (t.get("sd")) out.migration_sd = doc.number(*t.get("sd"), "stochastic.migration.sd", 0.0, 10.0, "a standard deviation of the log multiplier");
    if (const toml::node* c = t.get("correlation"); c && !c->is_number()) {
      out.migration_correlation_matrix = read_correlation_matrix(doc, *c, "stochastic.migration.correlation", sc);
    } else if (c) {
      const double rho = doc.number(*c, "stochastic.migration.correlation", -1.0, 1.0, "a correlation");
      // The zones' correlation matrix (1 on the diagonal, ρ elsewhere) has eigenvalues 1 + (Z−1)ρ and 1 − ρ; a common
      // factor with zone noise gives exactly those with ρ ≥ 0, and no negative ρ can come from one.
      const double z = static_cast<double>(sc.zones.size());
      const double smallest = std::round((1.0 + (z - 1.0) * rho) * 1e9) / 1e9;  // 1e-9: enough for a message
      if (rho < 0.0)
        doc.fail(c, "stochastic.migration.correlation",
                 "expected a correlation from 0 to 1: the matrix with " + fmt(rho) + " between every pair of " +
                     std::to_string(sc.zones.size()) + " zones " +
                     (smallest < 0.0 ? std::string("is not positive semidefinite (eigenvalue ") + fmt(smallest) + ")"
                                                 : std::string("cannot come from a common factor with zone noise")));
      out.migration_correlation = rho;
    }
  }
  // Trajectories given as data replace the drawn deviation of the same quantity.
  if (const toml::node* n = s.get("tfr_trajectories")) {
    if (s.get("tfr"))  // even with sd = 0: the table replaces the drawn deviations
      doc.fail(n, "stochastic.tfr_trajectories", "expected either tfr (drawn deviations) or tfr_trajectories, not both");
    out.tfr_trajectories = read_external_trajectories(doc, *n, "stochastic.tfr_trajectories", sc, false, 0.0, 20.0,
                                                      "a total fertility rate (children per woman)");
  }
  if (const toml::node* n = s.get("e0_trajectories")) {
    if (out.k_sd > 0.0) {
      // A fit's k_sd is its σ unless k_sd is written: say how to keep only its b_x for the given trajectories.
      const toml::node* lc = s.get("lee_carter");
      const bool fitted_sd = lc && lc->is_table() && !lc->as_table()->get("k_sd");
      doc.fail(n, "stochastic.e0_trajectories",
               "expected either lee_carter (drawn deviations) or e0_trajectories, not both" +
                   std::string(fitted_sd ? "; lee_carter.fit sets k_sd to the fitted σ of k: write lee_carter.k_sd = 0 "
                                           "to use only its b_x with e0_trajectories"
                                         : ""));
    }
    out.e0_trajectories = read_external_trajectories(doc, *n, "stochastic.e0_trajectories", sc, true, 1.0, 120.0,
                                                     "a life expectancy at birth (years)");
  }
}

void check_stochastic_mortality(const Doc& doc, const toml::table& root, const ScenarioSet& set) {
  const StochasticSpec& spec = set.stochastic;
  if (!(spec.k_sd > 0.0) && !spec.e0_trajectories) return;
  for (const Scenario& sc : set.runs) {
    if (sc.schedules.empty() || sc.schedules.front().mortality_kind == MortalityInput::death_rates) continue;
    // qx and lx become person-years, a life table is read by its Lx, Sx or (only then death rates) mx column.
    const toml::table& s = *root.get("stochastic")->as_table();
    const bool e0 = spec.e0_trajectories != nullptr;
    const std::string key = e0 ? "stochastic.e0_trajectories" : "stochastic.lee_carter";
    doc.fail(s.get(e0 ? "e0_trajectories" : "lee_carter"), key,
             "moves death rates, so it needs mortality given as mx (or a life_table with an mx column and neither Lx "
             "nor Sx); " +
                 (sc.variant == "baseline" ? std::string("the scenario") : "variant \"" + sc.variant + "\"") +
                 " gives qx, lx, Lx, Sx or a life table read by its Lx or Sx column");
  }
}

}  // namespace cohortgis::scenarios::detail
