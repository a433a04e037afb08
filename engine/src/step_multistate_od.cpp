// SPDX-License-Identifier: Apache-2.0
// Rogers' multistate step with moves between zones (ProjectionConfig::method = multistate with StepSchedules::od):
// the states are zone × group over all zones, M(x) is sparse (death rates and the moves out on the diagonal, minus
// the OD rate origin → destination and the group transition rates off it) and S(x) is applied to the population
// vector by sparse LU solves (multistate_od.hpp), one factorization per life-table row and sex.
//
// Per sex and index i at the end of the step, a = the persons at t of every state (as step_multistate.cpp: K(i−1), or
// K(w−1) + K(w) for the open group under `keep`), c = S(i)ᵀ·1 the survivors' share of each state of origin:
//   survivors Q = S(i)·a;  deaths D = (1 − c)·a;  net moves (in − out) = Q − c·a.
// With mortality given as Lx or survival ratios, c is the given survival ratio of the state and S only shares its
// survivors: Q = S(i)·(a·c/c'), c' = S(i)ᵀ·1 of the matrix. An OD rate enters M(x) as rate_per_year × the OD age–sex
// profile of the age group at the start of the step (the flows method's X = z·r·profile·P reads the same numbers).
// Gross moves (when the cell components are kept): as in the zone-local step (step_multistate.cpp), a move k → j is a
// survivor who was in state k at t and is in state j ≠ k at t+z: moves k → j = S_jk(i)·s_k, s = a (from mx) or
// a·c/c' (given mortality), column k of S(i) formed by applying S(i) to e_k, 64 columns of the identity at a time
// (N solves per age and sex: the cost is O(N · solve), kept out of runs that do not keep components). Then
//   out_k = Σ_{j≠k} S_jk·s_k = c_k·a_k − S_kk·s_k,  in_k = Σ_{j≠k} S_kj·s_j = Q_k − S_kk·s_k,  in_k − out_k = net_k,
// exactly up to rounding. A move to another zone (whatever the group at t+z) is od_out / od_in; a move to another
// group of the same zone is transfer_out / transfer_in. Recorded by index at the END of the step (like deaths and
// the zone-local step's transfers; index 0: the newborns by S(0)). Σ od_in = Σ od_out per age and sex, and
// Σ transfer_in = Σ transfer_out per zone, age and sex (each move counted once out, once in).
#include <algorithm>
#include <string>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/multistate_od.hpp"
#include "step_runner.hpp"

namespace cohortgis::detail {

void StepRunner::step_multistate_od() {
  const int G = L_.groups;
  const std::size_t nA = L_.ages(), w = nA - 1, N = uz(L_.zones) * uz(G);
  const bool keep_open = cfg_.multistate_open_age == OpenAgeSurvivors::keep;
  const bool given = sch_.mortality_kind != MortalityInput::death_rates;
  const bool abridged = !given && L_.grid.width_years == 5;
  const std::size_t rows = given ? nA : uz(L_.grid.life_table_rows());
  const std::size_t shift = abridged ? 1 : 0;
  const std::size_t mx_rows = sch_.mortality.size() / (L_.states() * kSexes);
  const double zy = L_.grid.width_years;
  const OdMigration& od = *sch_.od;

  // The single-state survival ratios (and e0, e65, φ) of every state, as the flow step builds them.
  for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& sc) {
    sc.size_for_zone(G, nA);
    zone_mortality(z, sc);
  });

  // Q, D and net moves of every cell ([zone][group][sex][age], L_.offset), filled by sex below.
  std::vector<double> Q(L_.cells()), D(L_.cells()), net(L_.cells());
  // The factors of the last step when the provider says mortality is unchanged and the OD and transitions are the
  // same objects and values (S(x) depends on nothing else); else rebuilt (and checked) below.
  std::vector<SparseMultistateSurvivorship>& S = ms_cache_.od_S;
  const bool reuse = plan_.reuse_mortality && S.size() == 2 && ms_cache_.od == sch_.od &&
                     same_transitions(ms_cache_.od_transitions, sch_.transitions);
  if (!reuse) {
    S.clear();
    ms_cache_.od = sch_.od;
    ms_cache_.od_transitions = sch_.transitions;
  }
  std::vector<double> a(N), y(N), c(N), col(N), scaled(N);
  // Gross moves by cell (the header's formulas), only when the components are kept.
  // Above kGrossMaxStates the N solves per age and sex would dominate the run (0.4 -> 3.2 s per year at 400 states):
  // the moves stay net (transfer/od in and out 0, the state's whole net in net_migrants), as documented.
  constexpr std::size_t kGrossMaxStates = 1000;
  const bool gross = plan_.keep_cells && (plan_.has_od || plan_.has_tr) && N <= kGrossMaxStates;
  const std::size_t gross_cells = gross ? L_.cells() : 0;
  std::vector<double> od_in(gross_cells), od_out(gross_cells), tr_in(gross_cells), tr_out(gross_cells);
  constexpr std::size_t kColumnBlock = 64;  // columns of S(i) formed per block of solves
  Eigen::MatrixXd S_cols;
  auto cell = [&](std::size_t st, int s) {
    return L_.offset(static_cast<int>(st / uz(G)), static_cast<int>(st % uz(G)), s);
  };
  // Applies S(i) of sex s to a: Q, D, net at index i of every state (the header's formulas).
  auto apply = [&](int s, std::size_t i, std::span<const double> given_c) {
    const SparseMultistateSurvivorship& Si = S[uz(s)];
    Si.survivors_share(i, col);
    for (std::size_t st = 0; st < N; ++st) {
      c[st] = given_c.empty() ? col[st] : given_c[st];
      scaled[st] = given_c.empty() ? a[st] : (col[st] > 0.0 ? a[st] * (c[st] / col[st]) : 0.0);
    }
    Si.apply(i, scaled, y);
    for (std::size_t st = 0; st < N; ++st) {
      const std::size_t o = cell(st, s) + i;
      Q[o] = y[st];
      D[o] = (1.0 - c[st]) * a[st];
      net[o] = y[st] - c[st] * a[st];
    }
    if (!gross) return;
    for (std::size_t k = 0; k < N; ++k) {
      if (k % kColumnBlock == 0) {
        S_cols.resize(static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(std::min(kColumnBlock, N - k)));
        Si.columns(i, k, S_cols);
      }
      if (scaled[k] == 0.0) continue;  // no one to move
      const auto S_col = S_cols.col(static_cast<Eigen::Index>(k % kColumnBlock));
      const std::size_t from = cell(k, s) + i;
      for (std::size_t j = 0; j < N; ++j) {
        if (j == k) continue;
        const double m = S_col(static_cast<Eigen::Index>(j)) * scaled[k];
        if (m == 0.0) continue;
        const std::size_t to = cell(j, s) + i;
        if (j / uz(G) == k / uz(G)) {
          tr_out[from] += m;
          tr_in[to] += m;
        } else {
          od_out[from] += m;
          od_in[to] += m;
        }
      }
    }
  };

  std::vector<double> given_c(given ? N : 0);
  for (int s = 0; s < 2; ++s) {
    // M(x) per life-table row over all states.
    std::vector<SparseStateMatrix> M(reuse ? 0 : rows);
    std::vector<Eigen::Triplet<double>> t;
    for (std::size_t r = 0; r < M.size(); ++r) {
      const std::size_t i = r < shift ? 0 : r - shift;  // grid index of the row
      t.clear();
      for (int z = 0; z < L_.zones; ++z)
        for (int g = 0; g < G; ++g) {
          const int st = z * G + g;
          const double mu = given ? linear_death_rate(survival(z, g, s)[std::min(i + 1, w)], zy)
                                  : multistate_death_rate(z, g, s, r, mx_rows);
          t.emplace_back(st, st, mu);
          for (const auto& tr : sch_.transitions) {
            if (tr.from_group != g) continue;
            const double m =
                tr.rate_per_year[uz(s) * nA + i] * (tr.zone_multiplier.empty() ? 1.0 : tr.zone_multiplier[uz(z)]);
            t.emplace_back(st, st, m);
            t.emplace_back(z * G + tr.to_group, st, -m);
          }
        }
      for (const OdFlow& f : od.flows())
        for (int g = 0; g < G; ++g) {
          if (f.group >= 0 && f.group != g) continue;
          const double m = f.rate_per_year * od.profile(g, s, static_cast<int>(i));
          t.emplace_back(f.origin * G + g, f.origin * G + g, m);
          t.emplace_back(f.destination * G + g, f.origin * G + g, -m);
        }
      M[r].resize(static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(N));
      M[r].setFromTriplets(t.begin(), t.end());  // duplicates summed: the diagonal holds death + every rate out
      // Linear integration needs z/2 · (death + rates out) < 1 (not checked for the open row under `keep`, which
      // uses M(w) without P(w)).
      if (r + 1 == rows && keep_open) continue;
      const double width = abridged && r == 0 ? 1.0 : abridged && r == 1 ? 4.0 : zy;
      const std::ptrdiff_t bad = first_state_with_negative_probability(M[r], width);
      if (bad >= 0) {
        const int z = static_cast<int>(uz(bad) / uz(G)), g = static_cast<int>(uz(bad) % uz(G));
        throw InputError(where(z, g, s, static_cast<int>(i)) +
                         ": the death, transition and origin-destination rates make the probability of staying in "
                         "the zone and group negative (z/2 · (death + rates out) = " +
                         fmt(width / 2.0 * M[r].coeff(bad, bad)) + "); linear integration needs it below 1");
      }
    }
    if (!reuse) {
      try {
        S.emplace_back(L_.grid, M, abridged, cfg_.multistate_open_age);
      } catch (const InputError& e) {
        throw InputError("year " + std::to_string(ctx_.start_year) + ", sex " + (s ? "male" : "female") + ": " +
                         e.what());
      }
    }
    for (std::size_t i = 1; i <= w; ++i) {
      for (std::size_t st = 0; st < N; ++st) {
        const std::size_t o = cell(st, s);
        const double* K = P_.data().data() + o;
        a[st] = i < w ? K[i - 1] : (keep_open ? K[w - 1] + K[w] : K[w - 1]);
        if (given)
          given_c[st] =
              (i < w || keep_open) ? survival(static_cast<int>(st / uz(G)), static_cast<int>(st % uz(G)), s)[i] : -1.0;
      }
      const bool use_given = given && (i < w || keep_open);
      apply(s, i, use_given ? std::span<const double>(given_c) : std::span<const double>());
      if (i == w && !keep_open)  // drop: the open group's persons at t leave the projection, counted as deaths
        for (std::size_t st = 0; st < N; ++st) D[cell(st, s) + w] += P_.data()[cell(st, s) + w];
    }
  }

  // A3 step 4: births from the women's exposure, then the newborn rules, per zone.
  std::vector<double> births(N * kSexes);
  for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& sc) {
    sc.size_for_zone(G, nA);
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        const auto b = buffers(z, g, s, sc);
        const auto P = P_.ages(z, g, s);
        const std::size_t o = L_.offset(z, g, s);
        std::copy(P.begin(), P.end(), b.A.begin());
        std::fill(b.E.begin(), b.E.end(), 0.0);
        std::copy(Q.begin() + static_cast<std::ptrdiff_t>(o), Q.begin() + static_cast<std::ptrdiff_t>(o + nA),
                  b.Q.begin());
        b.Q[0] = 0.0;
      }
    for (int g = 0; g < G; g += 2) births_of_groups(z, g, std::min(2, G - g), sc, false);
    apply_newborn_rules(z, sc);
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) births[(uz(z) * uz(G) + uz(g)) * kSexes + uz(s)] = sc.B[uz(g) * 2 + uz(s)];
  });

  // A3 step 5: newborns by S(0) over all states.
  for (int s = 0; s < 2; ++s) {
    for (std::size_t st = 0; st < N; ++st) {
      a[st] = births[st * kSexes + uz(s)];
      if (given) given_c[st] = survival(static_cast<int>(st / uz(G)), static_cast<int>(st % uz(G)), s)[0];
    }
    apply(s, 0, given ? std::span<const double>(given_c) : std::span<const double>());
  }

  // Step 7 and the components, per zone.
  const bool keep = plan_.keep_cells;
  for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& sc) {
    sc.size_for_zone(G, nA);
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        const std::size_t o = L_.offset(z, g, s);
        c_.births[(uz(z) * uz(G) + uz(g)) * kSexes + uz(s)] = births[(uz(z) * uz(G) + uz(g)) * kSexes + uz(s)];
        const auto b = buffers(z, g, s, sc);
        const auto mig = migrants(z, g, s, sc);
        if (gross && plan_.has_od) {
          std::copy_n(od_in.begin() + static_cast<std::ptrdiff_t>(o), nA, c_.od_in.ages(z, g, s).begin());
          std::copy_n(od_out.begin() + static_cast<std::ptrdiff_t>(o), nA, c_.od_out.ages(z, g, s).begin());
        }
        if (gross && plan_.has_tr) {
          std::copy_n(tr_in.begin() + static_cast<std::ptrdiff_t>(o), nA, c_.transfer_in.ages(z, g, s).begin());
          std::copy_n(tr_out.begin() + static_cast<std::ptrdiff_t>(o), nA, c_.transfer_out.ages(z, g, s).begin());
        }
        for (std::size_t i = 0; i <= w; ++i) {
          b.D[i] = D[o + i];
          b.Q[i] = Q[o + i];
          if (!mig.empty()) mig[i] = net[o + i];
        }
        floor_multistate_state(z, g, s, std::span<const double>(Q.data() + o, w + 1), next_.ages(z, g, s),
                               keep ? c_.floor_adjustment.ages(z, g, s) : std::span<double>());
        if (!c_.deaths_age_period.empty() && !cache_.phi.empty())
          age_period_deaths(b.D, std::span<double>(cache_.phi.data() + o, nA).first(nA - 1),
                            c_.deaths_age_period.ages(z, g, s));
      }
    sum_state_totals(z, sc);
  });
}

}  // namespace cohortgis::detail
