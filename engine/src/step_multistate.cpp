// SPDX-License-Identifier: Apache-2.0
// Rogers' multistate step of one zone (ProjectionConfig::method = multistate): the groups of the zone are the states;
// deaths and group transitions compete within the step through the survivorship matrices S(x) of the multistate life
// table (multistate.hpp), instead of flows X = z·r·P at the start of the step (docs/ccmpp.md B1).
//
// Per sex and index i at the end of the step, with K the population at t (a = K(i−1), or K(w−1) + K(w) for the open
// group under `keep`), column g of S(i) says where the survivors of state g are at t+z:
//   deaths D_g = (1 − c_g)·a_g, c_g = Σ_k S_kg (the survivors' share);  moves g→k = S_kg·a_g (k ≠ g);
//   Q_k = a_k − D_k − Σ moves out of k + Σ moves into k      (start = deaths + moves out + stayers, exactly).
// With mortality given as Lx or survival ratios, c_g is the given survival ratio of the state (its own life table,
// docs/ccmpp.md A1) and S only shares its survivors among the states (S_kg / c'_g, c'_g the matrix's column sum);
// with no moves this is the flow method's step operation for operation (A3 steps 2–3, 5), so the same bits.
// Births come from the women's exposure z·(K_f(i) + Q_f(i))/2 (A3 step 4, Rogers 1975 ch. 5); newborns of state g
// are spread by S(0) = L(0)·l(0)^-1 / z. Moves are recorded as transfer_in / transfer_out by index at the END of the
// step (cohort convention, like deaths), and net_migrants = transfer_in − transfer_out.
#include <algorithm>
#include <cmath>

#include "cohortgis/engine/index_cast.hpp"
#include "step_runner.hpp"

namespace cohortgis::detail {

namespace {
// Probabilities below this are taken as negative (rounding of a zero entry stays far above it).
constexpr double kNegativeProbability = -1e-12;

// A3 steps 2–3 as competing risks for one sex of a zone, indices 1 … w (the header's formulas).
struct CompetingRisks {
  const double* S = nullptr;  // [age][G·G] column-major: S[i·G·G + k + g·G] = S_kg of index i
  std::size_t w = 0;
  bool keep_open = false, given = false;
  SexStepBuffers bufs[kMaxMultistateStates];
  double* mig[kMaxMultistateStates];
  const double* given_S[kMaxMultistateStates];
  double *tr_out[kMaxMultistateStates], *tr_in[kMaxMultistateStates];
};

// kG > 0: the number of groups fixed at compile time; 0: G at run time. The same operations in the same order.
template <int kG>
void competing_risks(int G_runtime, const CompetingRisks& x) {
  const int G = kG > 0 ? kG : G_runtime;
  const std::size_t GG = uz(G) * uz(G), w = x.w;
  constexpr int kN = kG > 0 ? kG : kMaxMultistateStates;
  double a[kN], dead[kN], out[kN], in[kN];
  for (std::size_t i = 1; i <= w; ++i) {
    const double* Si = x.S + i * GG;
    for (int g = 0; g < G; ++g) {
      const auto& b = x.bufs[g];
      a[g] = i < w ? b.A[i - 1] : (x.keep_open ? b.A[w - 1] + b.A[w] : b.A[w - 1]);
      out[g] = in[g] = 0.0;
    }
    for (int g = 0; g < G; ++g) {
      double col = 0.0;
      for (int k = 0; k < G; ++k) col += Si[k + g * G];
      const double c = x.given && (i < w || x.keep_open) ? x.given_S[g][i] : col;
      dead[g] = (1.0 - c) * a[g];
      for (int k = 0; k < G; ++k) {
        if (k == g) continue;
        const double Skg = Si[k + g * G];
        const double m = x.given ? (col > 0.0 ? c * (Skg / col) * a[g] : 0.0) : Skg * a[g];
        out[g] += m;
        in[k] += m;
      }
    }
    for (int g = 0; g < G; ++g) {
      const auto& b = x.bufs[g];
      // drop: the open group's persons at t leave the projection; they are counted with its deaths.
      b.D[i] = i == w && !x.keep_open ? dead[g] + b.A[w] : dead[g];
      const double top = i == w && !x.keep_open ? b.A[w - 1] + b.A[w] : a[g];
      b.Q[i] = top - b.D[i] - out[g] + in[g];
      if (x.mig[g]) x.mig[g][i] = in[g] - out[g];
      if (x.tr_out[g]) {
        x.tr_out[g][i] = out[g];
        x.tr_in[g][i] = in[g];
      }
    }
  }
}
}  // namespace

void StepRunner::validate_multistate() const {
  const std::string when = "year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year);
  auto refuse = [&](const std::string& form) {
    throw InputError(when + ": method 'multistate' moves people only by group transitions given as rates; " + form +
                     " has no multistate meaning (use method 'flows')");
  };
  if (!sch_.net_migrants.empty()) refuse("net migration given as counts");
  if (!sch_.net_migrants_per_person.empty()) refuse("net migration given as rates");
  if (!sch_.net_migrants_total.empty()) refuse("net migration given as totals");
  if (!sch_.external_in.empty()) refuse("in-migration given as counts");
  if (!sch_.external_out.empty()) refuse("out-migration given as counts");
  if (!sch_.external_out_rate.empty()) refuse("external out-migration rates");
  // OD rates between zones: the states are zone × group over all zones (step_multistate_od.cpp).
  if (L_.groups > kMaxMultistateStates)
    throw InputError(when + ": method 'multistate' takes at most " + std::to_string(kMaxMultistateStates) +
                     " groups per zone, got " + std::to_string(L_.groups));
}

// Under "drop" the open row stands for the closed interval [w, w+z) (P(w) = (I + z/2·M(w))^-1 (I − z/2·M(w)),
// scenarios/README.md "Multistate projection (Rogers)"): where the rates went on past the grid's open age its rate is
// the given table's own rate of the group starting at w, as the flows method's tables take it (DemoTools'
// lt_abridged(OAnew = w): the table is built on the given rows, then cut at w), not l(w)/T(w) of the whole open group.
// Without a next rate (a table that ends at w, a one-year grid) the open row's rate, as before.
double StepRunner::multistate_death_rate(int z, int g, int s, std::size_t r, std::size_t mx_rows) const {
  const std::size_t table = (uz(z) * uz(L_.groups) + uz(g)) * kSexes + uz(s);
  if (r + 1 == mx_rows && cfg_.multistate_open_age == OpenAgeSurvivors::drop && L_.grid.width_years == 5 &&
      !sch_.mortality_next.empty() && !std::isnan(sch_.mortality_next[table]))
    return sch_.mortality_next[table];
  return sch_.mortality[table * mx_rows + r];
}

bool same_transitions(const std::vector<GroupTransition>& a, const std::vector<GroupTransition>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].from_group != b[k].from_group || a[k].to_group != b[k].to_group ||
        a[k].rate_per_year != b[k].rate_per_year || a[k].zone_multiplier != b[k].zone_multiplier)
      return false;
  return true;
}

void StepRunner::prepare_multistate_cache() {
  const auto& same = same_transitions;
  const std::size_t n = uz(L_.zones) * kSexes * L_.ages() * uz(L_.groups) * uz(L_.groups);
  reuse_multistate_ = plan_.reuse_mortality && ms_cache_.valid && ms_cache_.S.size() == n &&
                      same(ms_cache_.transitions, sch_.transitions);
  if (reuse_multistate_) return;
  ms_cache_.valid = false;
  ms_cache_.S.resize(n);
  ms_cache_.transitions = sch_.transitions;
}

void StepRunner::floor_multistate_state(int z, int g, int s, std::span<const double> Q, std::span<double> end,
                                        std::span<double> adj) {
  for (std::size_t i = 0; i < Q.size(); ++i) {
    const double q = Q[i];
    end[i] = q >= 0.0 ? q : kFloorPersons;
    if (!adj.empty()) adj[i] = q >= 0.0 ? 0.0 : kFloorPersons - q;
    if (!(q >= 0.0)) {
      if (cfg_.flow_policy == FlowPolicy::error)
        throw ProjectionError(where(z, g, s, static_cast<int>(i)) + ": the population would fall to " + fmt(q) +
                              " persons (flow policy 'error')");
      floored_.add({z, g, s, static_cast<int>(i), kFloorPersons - q});
    }
  }
}

void StepRunner::step_zone_multistate(int z, Scratch& sc) {
  const int A = L_.grid.n_ages, G = L_.groups;
  const std::size_t nA = uz(A), w = nA - 1;
  const bool keep = plan_.keep_cells;
  const bool keep_open = cfg_.multistate_open_age == OpenAgeSurvivors::keep;
  const double zy = L_.grid.width_years;
  sc.size_for_zone(G, nA);
  auto cached = [&](std::vector<double>& v, int g, int s) {
    return v.empty() ? std::span<double>() : std::span<double>(v.data() + L_.offset(z, g, s), nA);
  };
  // The single-state survival ratios (and e0, e65, φ) of every state, as the flow step builds them.
  zone_mortality(z, sc);

  const bool given = sch_.mortality_kind != MortalityInput::death_rates;
  const bool abridged = !given && L_.grid.width_years == 5;  // mx rows 0, 1–4, 5–9, … (life_table_rows)
  const std::size_t rows = given ? nA : uz(L_.grid.life_table_rows());
  const std::size_t shift = abridged ? 1 : 0;
  const std::size_t mx_rows = sch_.mortality.size() / (L_.states() * kSexes);
  sc.ms_M.resize(rows);
  sc.ms_P.resize(nA);
  sc.ms_S.resize(2 * nA);

  const std::size_t GG = uz(G) * uz(G);
  for (int s = 0; s < 2; ++s) {
    std::span<StateMatrix> S(sc.ms_S.data() + uz(s) * nA, nA);
    double* flat = ms_cache_.S.data() + ((uz(z) * kSexes + uz(s)) * nA) * GG;  // [age][G·G] of this zone and sex
    if (!reuse_multistate_) {  // else the cache's S(x), read below straight from `flat`
      // M(x) per row: death rates on the diagonal, then every transition g → h: + m on (g, g), − m on (h, g).
      for (std::size_t r = 0; r < rows; ++r) {
        StateMatrix& M = sc.ms_M[r];
        M.setZero(G, G);
        const std::size_t i = r < shift ? 0 : r - shift;  // grid index of the row
        for (int g = 0; g < G; ++g) {
          if (given) {
            // The rate of the one-state linear table with the given survival over the interval (index i → i+1;
            // the open group and the one below it use S[w]).
            const double Sx = survival(z, g, s)[std::min(i + 1, w)];
            M(g, g) = linear_death_rate(Sx, zy);
          } else {
            M(g, g) = multistate_death_rate(z, g, s, r, mx_rows);
          }
        }
        for (const auto& t : sch_.transitions) {
          const double m =
              t.rate_per_year[uz(s) * nA + i] * (t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)]);
          M(t.from_group, t.from_group) += m;
          M(t.to_group, t.from_group) -= m;
        }
      }
      try {
        multistate_survivorship(L_.grid, sc.ms_M, abridged, cfg_.multistate_open_age, S, sc.ms_P);
      } catch (const InputError& e) {
        throw InputError(where(z, -1, s, -1) + ": " + e.what());
      }
      // Transition rates so high that linear integration gives a negative probability (h·M's diagonal above 1).
      for (std::size_t i = 0; i < nA; ++i)
        for (int from = 0; from < G; ++from)
          for (int to = 0; to < G; ++to) {
            const double p = sc.ms_P[i](to, from), q = S[i](to, from);
            if (p < kNegativeProbability || q < kNegativeProbability)
              throw InputError(
                  where(z, from, s, static_cast<int>(i)) + ": the death and transition rates make the " +
                  (p < kNegativeProbability ? std::string("probability P(x)") : std::string("survivorship S(x)")) +
                  (to == from ? " of staying in group '" + cfg_.group_names[uz(from)] + "'"
                              : " of moving to group '" + cfg_.group_names[uz(to)] + "'") +
                  " negative (" + fmt(p < kNegativeProbability ? p : q) +
                  "); linear integration needs (death + transition rates out of the group) · z/2 < 1 per age group");
          }
      for (std::size_t i = 0; i < nA; ++i) std::copy(S[i].data(), S[i].data() + GG, flat + i * GG);
    }

    // A3 steps 2–3 as competing risks. Step 1 without migrants: A = K(t), E = 0.
    for (int g = 0; g < G; ++g) {
      const auto b = buffers(z, g, s, sc);
      const auto P = P_.ages(z, g, s);
      std::copy(P.begin(), P.end(), b.A.begin());
      std::fill(b.E.begin(), b.E.end(), 0.0);
      b.D[0] = 0.0;
      b.Q[0] = 0.0;
    }
    // The buffers, net migrants, given survival ratios and transfer arrays of every group, looked up once per sex.
    CompetingRisks x;
    x.S = flat;
    x.w = w;
    x.keep_open = keep_open;
    x.given = given;
    for (int g = 0; g < G; ++g) {
      x.bufs[g] = buffers(z, g, s, sc);
      x.mig[g] = plan_.any_migration ? migrants(z, g, s, sc).data() : nullptr;
      x.given_S[g] = survival(z, g, s).data();
      x.tr_out[g] = keep && plan_.has_tr ? c_.transfer_out.ages(z, g, s).data() : nullptr;
      x.tr_in[g] = keep && plan_.has_tr ? c_.transfer_in.ages(z, g, s).data() : nullptr;
    }
    switch (G) {  // the group count fixed at compile time for the common sizes: unrolled loops, no memset per age
      case 1:
        competing_risks<1>(G, x);
        break;
      case 2:
        competing_risks<2>(G, x);
        break;
      case 3:
        competing_risks<3>(G, x);
        break;
      case 4:
        competing_risks<4>(G, x);
        break;
      default:
        competing_risks<0>(G, x);
    }
  }

  for (int g = 0; g < G; g += 2) births_of_groups(z, g, std::min(2, G - g), sc, false);  // A3 step 4 from K_f and Q_f
  apply_newborn_rules(z, sc);

  // A3 step 5 (newborns spread by S(0)), then the floor of step 7 and the components at index 0.
  for (int s = 0; s < 2; ++s) {
    const double* S0 = ms_cache_.S.data() + ((uz(z) * kSexes + uz(s)) * nA) * GG;  // S(0), column-major
    double dead[kMaxMultistateStates], out[kMaxMultistateStates], in[kMaxMultistateStates];
    for (int g = 0; g < G; ++g) out[g] = in[g] = 0.0;
    for (int g = 0; g < G; ++g) {
      const double Bg = sc.B[uz(g) * 2 + uz(s)];
      double col = 0.0;
      for (int k = 0; k < G; ++k) col += S0[k + g * G];
      const double c = given ? survival(z, g, s)[0] : col;
      dead[g] = (1.0 - c) * Bg;
      for (int k = 0; k < G; ++k) {
        if (k == g) continue;
        const double Skg = S0[k + g * G];
        const double x = given ? (col > 0.0 ? c * (Skg / col) * Bg : 0.0) : Skg * Bg;
        out[g] += x;
        in[k] += x;
      }
    }
    for (int g = 0; g < G; ++g) {
      const double Bg = sc.B[uz(g) * 2 + uz(s)];
      c_.births[(uz(z) * uz(G) + uz(g)) * kSexes + uz(s)] = Bg;
      const auto b = buffers(z, g, s, sc);
      b.D[0] = dead[g];
      b.Q[0] = Bg - b.D[0] - out[g] + in[g];
      if (plan_.any_migration) migrants(z, g, s, sc)[0] = in[g] - out[g];
      if (keep && plan_.has_tr) {
        c_.transfer_out.at(z, g, s, 0) = out[g];
        c_.transfer_in.at(z, g, s, 0) = in[g];
      }
      // Step 7. (c042b14's member function for this loop was backed out for wrong numbers under GCC 12 -O2
      // -fsanitize=address,undefined: the miscompilation of competing_risks' a[g] that later changes met too and
      // cmake/CompileFlags.cmake's -fno-ivopts now avoids.)
      floor_multistate_state(z, g, s, b.Q.first(w + 1), next_.ages(z, g, s),
                             keep ? c_.floor_adjustment.ages(z, g, s) : std::span<double>());
      if (!c_.deaths_age_period.empty())
        age_period_deaths(b.D, cached(cache_.phi, g, s).first(nA - 1), c_.deaths_age_period.ages(z, g, s));
    }
  }
  sum_state_totals(z, sc);
}

}  // namespace cohortgis::detail
