// SPDX-License-Identifier: Apache-2.0
// Helpers for engine tests: run a projection and keep everything a test wants to look at.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"

namespace cohortgis::test {

// How many values differ bit for bit (NaN payloads and -0 told from +0): 0 when two runs made the same numbers.
inline std::size_t differing_bits(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t n = a.size() == b.size() ? 0 : 1;
  for (std::size_t k = 0; k < a.size() && k < b.size(); ++k)
    n += std::bit_cast<std::uint64_t>(a[k]) == std::bit_cast<std::uint64_t>(b[k]) ? 0 : 1;
  return n;
}

// Whether two arrays hold the same bits (NaN equals the same NaN, -0 differs from 0): two ways of computing one
// result (a fast path and the general one, a shared schedule and a copy) held to the same bits, not to a tolerance.
inline bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

// Keeps every step's components, populations and indicators.
class RecordingSink : public ResultSink {
 public:
  void base(const CohortArray& population, int year) override {
    years.push_back(year);
    populations.push_back(population);
  }
  void step(const StepResult& r) override {
    years.push_back(r.context.end_year);
    populations.push_back(r.end);
    components.push_back(r.components);
    if (r.indicators) indicators.push_back(*r.indicators);
  }
  std::vector<int> years;
  std::vector<CohortArray> populations;
  std::vector<StepComponents> components;
  std::vector<IndicatorTable> indicators;
};

// Keeps each step's end population and the per-state sums of its births, deaths and net migrants (what a run without
// cell components still has; RecordingSink keeps every component).
struct StateSumsSink : ResultSink {
  void step(const StepResult& r) override {
    pops.push_back(r.end);
    births.push_back(r.components.births);
    deaths.push_back(r.components.deaths_by_state);
    net.push_back(r.components.net_migrants_by_state);
  }
  std::vector<CohortArray> pops;
  std::vector<std::vector<double>> births, deaths, net;
};

// One zone, one group, explicit survival ratios: the single-population step of the design note Part A.
struct OneStateCase {
  AgeGrid grid;
  std::vector<double> P_f, P_m, S_f, S_m, F, M_f, M_m;  // M empty: no migration
  double srb = 1.05;
  MigrationTiming timing = MigrationTiming::even;
  FlowPolicy policy = FlowPolicy::conserve;

  RecordingSink run(int steps = 1) const {
    CohortLayout layout{1, 1, grid};
    CohortArray base(layout);
    for (int i = 0; i < grid.n_ages; ++i) {
      base.at(0, 0, 0, i) = P_f[static_cast<std::size_t>(i)];
      base.at(0, 0, 1, i) = P_m[static_cast<std::size_t>(i)];
    }
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = steps;
    cfg.migration_timing = timing;
    cfg.flow_policy = policy;
    cfg.threads = 1;
    Projection projection(cfg, base);
    RecordingSink sink;
    projection.run(
        [&](const StepContext&, StepSchedules& s) {
          s.mortality_kind = MortalityInput::survival_ratios;
          s.mortality = S_f;
          s.mortality.insert(s.mortality.end(), S_m.begin(), S_m.end());
          s.asfr = F;
          s.srb = {srb};
          s.net_migrants.clear();
          if (!M_f.empty()) {
            s.net_migrants = M_f;
            s.net_migrants.insert(s.net_migrants.end(), M_m.begin(), M_m.end());
          }
        },
        sink);
    return sink;
  }
};

// Every step's results of a run under `cfg` on the same death rates, fertility and sex ratios at birth each step
// (the layouts of StepSchedules).
inline RecordingSink run_fixed_rates(const ProjectionConfig& cfg, const CohortArray& base,
                                     const std::vector<double>& mx, const std::vector<double>& asfr,
                                     const std::vector<double>& srb) {
  Projection projection(cfg, base);
  RecordingSink sink;
  projection.run(
      [&](const StepContext&, StepSchedules& s) {
        s.mortality_kind = MortalityInput::death_rates;
        s.mortality = mx;
        s.asfr = asfr;
        s.srb = srb;
      },
      sink);
  return sink;
}

// The per-state arrays compute_indicators reads, sized for `states` states (zone × group) of `ages` ages: births,
// deaths and net migrants per state and sex, births by mother's age and women's exposure zero, e0 and e65 as given.
inline StepComponents state_components(int states, int ages, double e0, double e65) {
  StepComponents c;
  const auto n = static_cast<std::size_t>(states);
  c.births.assign(n * 2, 0.0);
  c.births_by_mother_age.assign(n * static_cast<std::size_t>(ages), 0.0);
  c.women_exposure.assign(n * static_cast<std::size_t>(ages), 0.0);
  c.deaths_by_state.assign(n * 2, 0.0);
  c.net_migrants_by_state.assign(n * 2, 0.0);
  c.e0.assign(n * 2, e0);
  c.e65.assign(n * 2, e65);
  return c;
}

// A projection's inputs on death rates, Z zones × G groups on a single-year `grid`: the base population pop(z, g, s,
// i), mx(z, g, s, i) in the step's [state][sex][age] layout, the ASFR fert(z, g) at ages 15–49 of every state (0
// elsewhere), one SRB `srb` in every zone and the zone ids "Z0", "Z1", ….
struct RateInputs {
  CohortArray base;
  std::vector<double> mx, asfr, srb;
  std::vector<std::string> ids;
};
template <class Pop, class Mx, class Fert>
RateInputs rate_inputs(const AgeGrid& grid, int Z, int G, double srb, Pop pop, Mx mx, Fert fert) {
  const int A = grid.n_ages;
  const auto A_ = static_cast<std::size_t>(A);
  const CohortLayout L{Z, G, grid};
  RateInputs in{CohortArray(L),
                std::vector<double>(L.cells()),
                std::vector<double>(static_cast<std::size_t>(Z * G) * A_, 0.0),
                std::vector<double>(static_cast<std::size_t>(Z), srb),
                {}};
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g) {
      const auto st = static_cast<std::size_t>(z * G + g);
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          in.base.at(z, g, s, i) = pop(z, g, s, i);
          in.mx[(st * 2 + static_cast<std::size_t>(s)) * A_ + static_cast<std::size_t>(i)] = mx(z, g, s, i);
        }
      for (int i = 15; i < 50; ++i) in.asfr[st * A_ + static_cast<std::size_t>(i)] = fert(z, g);
    }
  for (int z = 0; z < Z; ++z) in.ids.push_back("Z" + std::to_string(z));
  return in;
}

}  // namespace cohortgis::test
