// SPDX-License-Identifier: Apache-2.0
// 特别扶助 base: mothers whose only child has died (parity.hpp, docs/parity.md "Mothers who lost their only child").
//
// A kinship count in the manner of Caswell's matrix kinship model (Caswell 2019, "The formal demography of kinship",
// Demographic Research 41(24), the children of Focal a(x+1) = U·a(x) + F·e_x: new children from Focal's fertility,
// then each child survives by its own survival ratio; time-varying rates as in Caswell & Song 2021) restricted to the
// women of parity 1: besides the parity shares π_p of every cell, the projection follows the parity-1 women by the
// sex and age of their living child, and the share whose only child has died. The base's children come from Goodman,
// Keyfitz & Pullum (1974, "Family formation and the frequency of various kinship relationships", Theoretical
// Population Biology 5(1): a woman aged a has Σ_x l(a − x)·m(x) daughters alive), with the first-birth timing of the
// first step's rates.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/parity.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "engine_support.hpp"

namespace cohortgis {


namespace {
constexpr int kFemale = 0;
constexpr int kSexCount = static_cast<int>(kSexes);
constexpr int kFallbackAgeAtFirstBirth = 25;  // base women at parity 1 with no first-birth rate below their age

// Whether two methods build the same tables: every field, the numbers by their bits.
bool same_method(const LifeTableMethod& a, const LifeTableMethod& b) {
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  return a.a0_rule == b.a0_rule && a.region == b.region && a.ax_method == b.ax_method &&
         a.greville_from_age_5 == b.greville_from_age_5 && bits(a.radix) == bits(b.radix) &&
         a.infant_mortality_q0.has_value() == b.infant_mortality_q0.has_value() &&
         (!a.infant_mortality_q0 || bits(*a.infant_mortality_q0) == bits(*b.infant_mortality_q0));
}
}  // namespace

void ParityProjection::set_child_survival(const StepSchedules& s, const LifeTableMethod& method) {
  if (rates_.empty()) throw InputError("parity: set_child_survival() before set_fertility()");
  if (has_zone_shared_schedules(s, L_)) {  // given once for every zone: written out, as the tables below read them
    StepSchedules every_zone = s;
    expand_zone_shared_schedules(every_zone, L_);
    set_child_survival(every_zone, method);
    return;
  }
  // A step that reuses the last one's mortality (UN schedules by five-year period, a constant schedule) keeps its
  // survival ratios: the same tables from the same bits (a table per state and sex a step otherwise).
  const bool same = survival_made_ && same_mortality(s, survival_of_) && same_method(method, survival_method_);
  if (!same) set_child_survival_ratios(s, method);
  child_girls_.assign(uz(L_.zones), 1.0 / 2.05);
  for (int z = 0; z < L_.zones && uz(z) < s.srb.size(); ++z) child_girls_[uz(z)] = 1.0 / (1.0 + s.srb[uz(z)]);
  if (child_lost_.empty()) init_kinship();
}

void ParityProjection::set_child_survival_ratios(const StepSchedules& s, const LifeTableMethod& method) {
  const std::size_t nA = L_.ages(), states = L_.states();
  survival_made_ = false;  // until every state's ratios are made (a table may throw)
  child_survival_.assign(states * kSexes * nA, 1.0);
  const std::size_t rows = s.mortality.size() / (states * kSexes);
  LifeTable lt;
  for (std::size_t st = 0; st < states * kSexes; ++st) {
    std::span<const double> row(s.mortality.data() + st * rows, rows);
    std::span<double> S(child_survival_.data() + st * nA, nA);
    // The engine's own conversion of each mortality form to survival ratios (step_flows.cpp, design note A1).
    switch (s.mortality_kind) {
      case MortalityInput::survival_ratios:
        std::copy(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(nA), S.begin());
        break;
      case MortalityInput::person_years:
        survival_ratios(row, LxLayout::single_year, s.radix_l0[st], L_.grid, S);
        break;
      case MortalityInput::death_rates:
        build_single_year_life_table(row, st % kSexes == 0 ? Sex::female : Sex::male, method, lt);
        survival_ratios(lt, L_.grid, S);
        break;
    }
  }
  survival_of_.mortality_kind = s.mortality_kind;
  survival_of_.person_years_layout = s.person_years_layout;
  survival_of_.mortality = s.mortality;
  survival_of_.radix_l0 = s.radix_l0;
  survival_of_.l65 = s.l65;  // same_mortality compares it
  survival_method_ = method;
  survival_made_ = true;
}

// Goodman–Keyfitz–Pullum at the base: a woman aged i at parity 1 had her first birth in the step from age x to x + 1
// with weight P_0(x)·h_0(x)·Π_{y=x+1}^{i−1} (1 − h_1(y)) (P_0: the share still at parity 0 at x under the same rates);
// her child is then aged c = i − 1 − x and alive with probability l_s(c) = Π_{k=0}^{c} S_s(k).
void ParityProjection::init_kinship() {
  const int A = L_.grid.n_ages;
  child_alive_.assign(L_.states() * uz(A) * kSexes * uz(A), 0.0);
  child_lost_.assign(L_.states() * uz(A), 0.0);
  std::vector<double> weight(uz(A)), alive(uz(A) * kSexes);
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g) {
      const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
      // l_s(c) for both sexes
      for (int s = 0; s < kSexCount; ++s) {
        const double* S = child_survival_.data() + (st * kSexes + uz(s)) * uz(A);
        double l = 1.0;
        for (int c = 0; c < A; ++c) alive[uz(s) * uz(A) + uz(c)] = l *= S[c];
      }
      for (int i = 1; i < A; ++i) {
        const double pi1 = shares_[at(z, g, 1, i)];
        if (pi1 == 0.0) continue;
        double P0 = 1.0, total = 0.0;
        for (int x = 0; x < i; ++x) {
          double stay = 1.0;
          for (int y = x + 1; y < i; ++y) stay *= 1.0 - progression(z, g, 1, y);
          const double h0 = progression(z, g, 0, x);
          weight[uz(x)] = P0 * h0 * stay;
          total += weight[uz(x)];
          P0 *= 1.0 - h0;
        }
        if (total == 0.0) {
          std::fill(weight.begin(), weight.end(), 0.0);
          weight[uz(std::clamp(kFallbackAgeAtFirstBirth, 0, i - 1))] = total = 1.0;
        }
        double lost = 0.0;  // summed as the dead, not π_1 less the living: exactly 0 without deaths
        for (int x = 0; x < i; ++x) {
          const int c = i - 1 - x;
          for (int s = 0; s < kSexCount; ++s) {
            const double sex_share = s == kFemale ? child_girls_[uz(z)] : 1.0 - child_girls_[uz(z)];
            const double mothers = pi1 * weight[uz(x)] / total * sex_share, l = alive[uz(s) * uz(A) + uz(c)];
            child_alive_[kin_at(z, g, i, s, c)] = mothers * l;
            lost += mothers * (1.0 - l);
          }
        }
        child_lost_[st * uz(A) + uz(i)] = lost;
      }
    }
}

// One step, with the moves of advance(): the parity-1 women stay with probability 1 − h_1 (whether or not the child
// lives: the progression to a second birth is taken as independent of the child's survival), each living child
// survives by S_s of its index one step on (the open group's S for children in it), and the women who have their
// first birth in the step (π_0·h_0) enter with a newborn that survives to the end of the step by S_s(0). The open
// group of mothers pools the cohorts aged w − 1 and w, weighted by their women at the start.
void ParityProjection::advance_kinship(const CohortArray& start) {
  const int A = L_.grid.n_ages, w = A - 1;
  const std::size_t nA = uz(A);
  std::vector<double> alive(child_alive_.size(), 0.0), lost(child_lost_.size(), 0.0);
  std::vector<double> moved_alive(nA * kSexes * nA), moved_lost(nA);  // one (zone, group): by start age of mother
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g) {
      const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
      std::fill(moved_alive.begin(), moved_alive.end(), 0.0);
      for (int i = 0; i < A; ++i) {
        const double stay = 1.0 - progression(z, g, 1, i);
        const double first = shares_[at(z, g, 0, i)] * progression(z, g, 0, i);
        double died = child_lost_[st * nA + uz(i)] * stay;
        for (int s = 0; s < kSexCount; ++s) {
          const double* S = child_survival_.data() + (st * kSexes + uz(s)) * nA;
          double* to = moved_alive.data() + (uz(i) * kSexes + uz(s)) * nA;
          for (int c = 0; c < A; ++c) {
            const double v = child_alive_[kin_at(z, g, i, s, c)] * stay;
            if (v == 0.0) continue;
            const int c_next = std::min(c + 1, w);
            to[c_next] += v * S[c_next];
            died += v * (1.0 - S[c_next]);
          }
          const double born = first * (s == kFemale ? child_girls_[uz(z)] : 1.0 - child_girls_[uz(z)]);
          to[0] += born * S[0];
          died += born * (1.0 - S[0]);
        }
        moved_lost[uz(i)] = died;
      }
      const double* Pf = start.ages(z, g, kFemale).data();
      const double Wa = Pf[w - 1], Wb = Pf[w];
      const double a = Wa + Wb > 0.0 ? Wa / (Wa + Wb) : 1.0, b = 1.0 - a;
      for (int i = 1; i <= w; ++i) {
        // end index i holds the cohort aged i − 1 at the start; the open group also the one aged w
        lost[st * nA + uz(i)] = i < w ? moved_lost[uz(i - 1)] : a * moved_lost[uz(w - 1)] + b * moved_lost[uz(w)];
        for (int s = 0; s < kSexCount; ++s)
          for (int c = 0; c < A; ++c) {
            const auto m = [&](int age) { return moved_alive[(uz(age) * kSexes + uz(s)) * nA + uz(c)]; };
            alive[kin_at(z, g, i, s, c)] = i < w ? m(i - 1) : a * m(w - 1) + b * m(w);
          }
      }
    }
  child_alive_ = std::move(alive);
  child_lost_ = std::move(lost);
}

std::vector<double> ParityProjection::mothers_lost_only_child() const {
  if (child_lost_.empty()) return {};
  std::vector<double> out(child_lost_.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = child_lost_[k] * women_[k];
  return out;
}

}  // namespace cohortgis
