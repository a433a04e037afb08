// SPDX-License-Identifier: Apache-2.0
// Schedules and a random multi-zone case shared by the projection and multistate tests.
#pragma once

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "projection_fixture.hpp"

namespace cohortgis::test {

// Gompertz–Makeham death rates on abridged rows (0, 1–4, 5–9, …) or single years.
inline std::vector<double> makeham_mx(const AgeGrid& grid, double level) {
  std::vector<double> mx;
  auto m = [&](double x) { return level * (0.0005 + 0.00003 * std::exp(0.095 * x)); };
  if (grid.width_years == 1) {
    for (int i = 0; i < grid.n_ages; ++i) mx.push_back(i == 0 ? 0.02 * level : m(i + 0.5));
  } else {
    mx.push_back(0.02 * level);
    mx.push_back(m(3.0));
    for (int i = 1; i < grid.n_ages; ++i) mx.push_back(m(5.0 * i + 2.5));
  }
  return mx;
}

// A bell-shaped fertility schedule over ages 15–49 (births per woman per year), TFR ≈ tfr.
inline std::vector<double> fertility(const AgeGrid& grid, double tfr) {
  std::vector<double> f(uz(grid.n_ages), 0.0);
  double sum = 0.0;
  for (int i = 0; i < grid.n_ages; ++i) {
    const double a = grid.age_start(i) + grid.width_years / 2.0;
    if (a > 15 && a < 50) f[uz(i)] = std::exp(-0.5 * std::pow((a - 29.0) / 6.0, 2));
    sum += f[uz(i)];
  }
  for (double& v : f) v *= tfr / (sum * grid.width_years);
  return f;
}

// A random 50-zone, 2-group case with every kind of flow.

struct RandomCase {
  ProjectionConfig cfg;
  CohortArray base;
  std::vector<StepSchedules> steps;
};

// The case with every OD out-flow of `zone` at `rate_per_year` (the same age profiles), in every step: a zone whose
// out-rates can add up to 1, for the tests of the conserve factors' pass.
inline RandomCase with_zone_od_rate(const RandomCase& base, int zone, double rate_per_year) {
  RandomCase c = base;
  std::vector<OdFlow> flows = c.steps[0].od->flows();
  for (OdFlow& f : flows)
    if (f.origin == zone) f.rate_per_year = rate_per_year;
  const CohortLayout& L = c.base.layout();
  std::vector<double> profile;
  for (int g = 0; g < L.groups; ++g)
    for (int sx = 0; sx < static_cast<int>(kSexes); ++sx) {
      const auto row = c.steps[0].od->profile_row(g, sx);
      profile.insert(profile.end(), row.begin(), row.end());
    }
  const auto od = std::make_shared<const OdMigration>(flows, profile, L.zones, L.groups, L.grid.n_ages);
  for (StepSchedules& s : c.steps) s.od = od;
  return c;
}

inline RandomCase random_case(unsigned seed, int zones = 50, int n_steps = 4) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages, G = 2;
  RandomCase rc;
  rc.cfg.grid = grid;
  rc.cfg.steps = n_steps;
  rc.cfg.base_year = 2020;
  rc.cfg.group_names = {"registered", "floating"};
  for (int z = 0; z < zones; ++z) rc.cfg.zone_ids.push_back("Z" + std::to_string(z));
  rc.cfg.aggregates = {{"north", {0, 1, 2, 3, 4}}};
  if (zones > 12) rc.cfg.aggregates.push_back({"south", {10, 11, 12}});
  CohortLayout layout{zones, G, grid};
  rc.base = CohortArray(layout);
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i)
          rc.base.at(z, g, s, i) =
              (i < 90 ? 200.0 : 20.0) * U(rng) * (g == 0 ? 3.0 : 1.0) * (U(rng) < 0.03 ? 0.0 : 1.0);
  std::vector<OdFlow> flows;
  for (int o = 0; o < zones; ++o)
    for (int k = 1; k <= 8; ++k) {
      const int d = (o + k * 7) % zones;
      if (d != o) flows.push_back({o, d, k % 3 == 0 ? 1 : -1, 0.01 * U(rng)});
    }
  std::vector<double> profile(uz(G) * 2 * uz(A));
  for (double& p : profile) p = 0.5 + U(rng);
  auto od = std::make_shared<const OdMigration>(flows, profile, zones, G, A);
  for (int t = 0; t < n_steps; ++t) {
    StepSchedules s;
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < G; ++g)
        for (int sx = 0; sx < 2; ++sx) {
          auto mx = makeham_mx(grid, 0.6 + 0.8 * U(rng));
          s.mortality.insert(s.mortality.end(), mx.begin(), mx.end());
        }
    for (int z = 0; z < zones; ++z)
      for (int g = 0; g < G; ++g) {
        auto f = fertility(grid, 1.0 + U(rng));
        s.asfr.insert(s.asfr.end(), f.begin(), f.end());
      }
    for (int z = 0; z < zones; ++z) s.srb.push_back(1.03 + 0.1 * U(rng));
    s.net_migrants.resize(layout.cells());
    s.external_in.resize(layout.cells());
    s.external_out.resize(layout.cells());
    s.external_out_rate.resize(layout.cells());
    for (std::size_t c = 0; c < layout.cells(); ++c) {
      s.net_migrants[c] = 10.0 * (U(rng) - 0.55) * (U(rng) < 0.05 ? 40.0 : 1.0);  // some exceed their cell
      s.external_in[c] = 2.0 * U(rng);
      s.external_out[c] = U(rng) < 0.02 ? 500.0 : 1.0 * U(rng);
      s.external_out_rate[c] = 0.002 * U(rng);
    }
    s.od = od;
    GroupTransition tr{1, 0, std::vector<double>(2 * uz(A)), {}};
    for (double& r : tr.rate_per_year) r = 0.02 * U(rng);
    for (int z = 0; z < zones; ++z) tr.zone_multiplier.push_back(0.5 + U(rng));
    s.transitions.push_back(tr);
    s.newborn_rules.push_back({1, 0, 0.3, {}});
    rc.steps.push_back(std::move(s));
  }
  return rc;
}

// Runs a case (any struct with cfg, base and steps) with its schedules copied into each step.
template <class Case>
RecordingSink run_case(const Case& rc, int threads) {
  ProjectionConfig cfg = rc.cfg;
  cfg.threads = threads;
  Projection p(cfg, rc.base);
  RecordingSink sink;
  p.run([&](const StepContext& ctx, StepSchedules& s) { s = rc.steps[uz(ctx.step)]; }, sink);
  return sink;
}

// A base population falling with age, larger in later zones (by `per_zone` persons) and groups, a little more men.
inline CohortArray sloped_base(int zones, int groups, const AgeGrid& grid, double per_zone) {
  CohortArray b(CohortLayout{zones, groups, grid});
  for (int z = 0; z < zones; ++z)
    for (int g = 0; g < groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < grid.n_ages; ++i)
          b.at(z, g, s, i) = (1000.0 + per_zone * z + 300.0 * g + 7.0 * s) * std::exp(-0.02 * grid.age_start(i)) + i;
  return b;
}

// Names the zones "z0", "z1", … and the groups "g0", "g1", … of a test case's configuration.
inline void name_states(ProjectionConfig& cfg, int zones, int groups) {
  for (int z = 0; z < zones; ++z) cfg.zone_ids.push_back("z" + std::to_string(z));
  cfg.group_names.clear();
  for (int g = 0; g < groups; ++g) cfg.group_names.push_back("g" + std::to_string(g));
}

// Runs a case that makes its own schedules (any struct with zones, groups, base() and fill(StepSchedules&)) under
// `cfg`, its states named by name_states.
template <class Case>
RecordingSink run_filled(ProjectionConfig cfg, const Case& c) {
  name_states(cfg, c.zones, c.groups);
  Projection p(cfg, c.base());
  RecordingSink sink;
  p.run([&](const StepContext&, StepSchedules& s) { c.fill(s); }, sink);
  return sink;
}

}  // namespace cohortgis::test
