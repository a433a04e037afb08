// SPDX-License-Identifier: Apache-2.0
// Women by parity beside the cohort-component step (parity.hpp, docs/parity.md).
#include "cohortgis/engine/parity.hpp"

#include <cmath>
#include <limits>

#include "engine_support.hpp"

namespace cohortgis {

using detail::fmt;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kFemale = 0;
// Parity p's births are of order min(p, 2) + 1 in the outputs: third and higher births are pooled.
constexpr int order_of_parity(int p) { return p < kBirthOrders ? p : kBirthOrders - 1; }
}  // namespace

std::string ParityProjection::where(int zone, int group, int age) const {
  std::string s = "zone '" + zone_ids_[uz(zone)] + "'";
  if (L_.groups > 1) s += ", group '" + group_names_[uz(group)] + "'";
  return s + ", sex female, age " + std::to_string(L_.grid.age_start(age));
}

ParityProjection::ParityProjection(const CohortLayout& layout, std::vector<std::string> zone_ids,
                                   std::vector<std::string> group_names, std::span<const double> women_by_parity,
                                   const CohortArray& base_population)
    : L_(layout), zone_ids_(std::move(zone_ids)), group_names_(std::move(group_names)) {
  const std::size_t nA = L_.ages(), states = L_.states();
  if (zone_ids_.size() != uz(L_.zones) || group_names_.size() != uz(L_.groups))
    throw InputError("parity: zone ids and group names must match the layout");
  if (women_by_parity.size() != states * kParityStates * nA)
    throw InputError(
        "parity: women by parity have " + std::to_string(women_by_parity.size()) +
        " values; expected zones × groups × 4 parities × ages = " + std::to_string(states * kParityStates * nA));
  if (!(base_population.layout() == L_)) throw InputError("parity: the base population's layout differs");
  // One birth of the next order per woman and step at most (docs/parity.md): only one-year steps keep that true.
  if (L_.grid.width_years != 1)
    throw InputError("parity needs one-year steps; got " + std::to_string(L_.grid.width_years) + "-year steps");
  shares_.assign(states * kParityStates * nA, 0.0);
  women_.assign(states * nA, 0.0);
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g)
      for (int i = 0; i < L_.grid.n_ages; ++i) {
        double sum = 0.0;
        for (int p = 0; p < kParityStates; ++p) {
          const double v = women_by_parity[at(z, g, p, i)];
          if (!(v >= 0.0 && std::isfinite(v)))
            throw InputError(where(z, g, i) + ", parity " + kParityStateLabels[p] + ": " + fmt(v) +
                             " women; expected a finite count >= 0");
          sum += v;
        }
        const double women = base_population.at(z, g, kFemale, i);
        women_[(uz(z) * uz(L_.groups) + uz(g)) * nA + uz(i)] = women;
        // The states are the women of the cell: a census table of another population (or a typo) would silently
        // change every birth by order.
        if (std::abs(sum - women) > 1e-6 * std::max(1.0, women))
          throw InputError(where(z, g, i) + ": women by parity sum to " + fmt(sum) +
                           "; expected the women of the base population, " + fmt(women));
        for (int p = 0; p < kParityStates; ++p)
          shares_[at(z, g, p, i)] = sum > 0.0 ? women_by_parity[at(z, g, p, i)] / sum : (p == 0 ? 1.0 : 0.0);
      }
}

void ParityProjection::set_fertility(const StepContext& ctx, std::span<const double> rates, std::vector<double>& asfr) {
  const std::size_t nA = L_.ages();
  const int A = L_.grid.n_ages, w = A - 1;
  const double zy = L_.grid.width_years;
  if (rates.size() != L_.states() * kParityStates * nA)
    throw InputError("parity rates have " + std::to_string(rates.size()) +
                     " values; expected zones × groups × 4 parities × ages");
  ctx_ = ctx;
  rates_.assign(rates.begin(), rates.end());
  asfr.assign(L_.states() * nA, 0.0);
  const std::string years = "year " + std::to_string(ctx.start_year) + "–" + std::to_string(ctx.end_year) + ", ";
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g) {
      for (int p = 0; p < kParityStates; ++p)
        for (int i = 0; i < A; ++i) {
          const double f = rates_[at(z, g, p, i)];
          if (!(f >= 0.0 && std::isfinite(f)))
            throw InputError(years + where(z, g, i) + ", parity " + kParityStateLabels[p] + ": fertility rate " +
                             fmt(f) + "; expected births per woman per year >= 0");
          // The probability that a woman of the cohort aged i at the start has a birth of this order during the step
          // (p = 3+ does not change state: its births need no probability).
          const double next = i < w ? rates_[at(z, g, p, i + 1)] : f;
          const double h = zy * (f + next) / 2.0;
          if (p < kParityStates - 1 && h > 1.0)
            throw InputError(years + where(z, g, i) + ", parity " + kParityStateLabels[p] + ": rates " + fmt(f) +
                             " and " + fmt(next) + " give a progression probability of " + fmt(h) +
                             " over the step (1 − probability of staying at parity " + kParityStateLabels[p] +
                             " would be negative); expected z·(f(i) + f(i+1))/2 <= 1");
        }
      double* F = asfr.data() + (uz(z) * uz(L_.groups) + uz(g)) * nA;
      for (int i = 1; i < A; ++i) {
        double sum = 0.0;
        for (int p = 0; p < kParityStates; ++p)
          sum += rates_[at(z, g, p, i)] * (shares_[at(z, g, p, i)] + shares_[at(z, g, p, i - 1)]) / 2.0;
        F[i] = sum;
      }
    }
}

void ParityProjection::set_srb(std::vector<double>& srb_per_zone) const {
  if (srb_by_order_[0] <= 0.0) return;
  const std::size_t nA = L_.ages();
  srb_per_zone.assign(uz(L_.zones), 0.0);
  for (int z = 0; z < L_.zones; ++z) {
    double expected[kBirthOrders] = {0.0, 0.0, 0.0};
    for (int g = 0; g < L_.groups; ++g) {
      const double* W = women_.data() + (uz(z) * uz(L_.groups) + uz(g)) * nA;
      for (int i = 1; i < L_.grid.n_ages; ++i)
        for (int p = 0; p < kParityStates; ++p)
          expected[order_of_parity(p)] += rates_[at(z, g, p, i)] *
                                          (shares_[at(z, g, p, i)] + shares_[at(z, g, p, i - 1)]) / 2.0 *
                                          (W[i] + W[i - 1]) / 2.0;
    }
    double boys = 0.0, girls = 0.0;
    for (int k = 0; k < kBirthOrders; ++k) {
      boys += expected[k] * srb_by_order_[uz(k)] / (1.0 + srb_by_order_[uz(k)]);
      girls += expected[k] / (1.0 + srb_by_order_[uz(k)]);
    }
    // No births expected: the first-order SRB (any value gives the same zero births).
    srb_per_zone[uz(z)] = girls > 0.0 ? boys / girls : srb_by_order_[0];
  }
}

void ParityProjection::advance(const StepResult& r) {
  const StepComponents& c = r.components;
  const std::size_t nA = L_.ages(), states = L_.states();
  const int A = L_.grid.n_ages, w = A - 1;
  const double zy = L_.grid.width_years;
  if (rates_.empty()) throw InputError("parity: advance() before set_fertility()");
  if (c.births_by_mother_age.size() != states * nA || c.women_exposure.size() != states * nA)
    throw InputError("parity: the step did not keep births by age of mother (indicators or cell components off)");
  if (!child_survival_.empty()) advance_kinship(r.start);  // before the shares move (parity_kinship.cpp)
  births_by_order_.assign(states * kBirthOrders * nA, 0.0);
  exposure_ = c.women_exposure;
  std::vector<double> next(shares_.size(), 0.0), progressed(kParityStates * nA, 0.0);
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g) {
      const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
      // Births by order: each age's births split by the parity mix of its exposure, f_p(i)·w_p(i) / F(i).
      for (int i = 1; i < A; ++i) {
        const double B = c.births_by_mother_age[st * nA + uz(i)];
        double terms[kParityStates], F = 0.0;
        for (int p = 0; p < kParityStates; ++p) {
          terms[p] = rates_[at(z, g, p, i)] * (shares_[at(z, g, p, i)] + shares_[at(z, g, p, i - 1)]) / 2.0;
          F += terms[p];
        }
        if (B == 0.0 || F == 0.0) continue;
        for (int p = 0; p < kParityStates; ++p)
          births_by_order_[(st * kBirthOrders + uz(order_of_parity(p))) * nA + uz(i)] += B * (terms[p] / F);
      }
      // Each cohort moves along the parities with h_p = z·(f_p(i) + f_p(i+1))/2 (births per woman of the cohort over
      // the step: half of the step at each of the two ages it occupies, the exposure convention of A3 step 4).
      for (int i = 0; i < A; ++i) {
        double h[kParityStates] = {0.0, 0.0, 0.0, 0.0};
        for (int p = 0; p < kParityStates - 1; ++p) {
          const double f = rates_[at(z, g, p, i)], f_next = i < w ? rates_[at(z, g, p, i + 1)] : f;
          h[p] = zy * (f + f_next) / 2.0;
        }
        for (int p = 0; p < kParityStates; ++p) {
          const double stay = shares_[at(z, g, p, i)] * (1.0 - h[p]);
          const double arrive = p > 0 ? shares_[at(z, g, p - 1, i)] * h[p - 1] : 0.0;
          progressed[uz(p) * nA + uz(i)] = stay + arrive;
        }
      }
      // Ages one step on; the open group pools the cohorts aged w − 1 and w, weighted by their women at the start.
      const double* Pf = r.start.ages(z, g, kFemale).data();
      const double Wa = Pf[w - 1], Wb = Pf[w];
      for (int p = 0; p < kParityStates; ++p) {
        next[at(z, g, p, 0)] = p == 0 ? 1.0 : 0.0;  // the step's newborns
        for (int i = 1; i < w; ++i) next[at(z, g, p, i)] = progressed[uz(p) * nA + uz(i - 1)];
        const double a = progressed[uz(p) * nA + uz(w - 1)], b = progressed[uz(p) * nA + uz(w)];
        next[at(z, g, p, w)] = Wa + Wb > 0.0 ? (Wa * a + Wb * b) / (Wa + Wb) : a;
      }
      const double* Pend = r.end.ages(z, g, kFemale).data();
      for (int i = 0; i < A; ++i) women_[st * nA + uz(i)] = Pend[i];
    }
  shares_ = std::move(next);
  // Boys by order: with order SRBs, B_k·s_k/(1 + s_k) scaled by the one factor per zone that makes them sum to the
  // step's boys (1 when the expected mix of set_srb was the actual one); without, every order at the zone's SRB.
  boys_by_order_.assign(uz(L_.zones) * kBirthOrders, 0.0);
  if (c.births.size() != states * kSexes) return;
  for (int z = 0; z < L_.zones; ++z) {
    double B[kBirthOrders] = {0.0, 0.0, 0.0}, boys = 0.0;
    for (int g = 0; g < L_.groups; ++g) {
      const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
      boys += c.births[st * kSexes + 1];
      for (int k = 0; k < kBirthOrders; ++k)
        for (int i = 0; i < A; ++i) B[k] += births_by_order_[(st * kBirthOrders + uz(k)) * nA + uz(i)];
    }
    double m[kBirthOrders], sum = 0.0;
    for (int k = 0; k < kBirthOrders; ++k) {
      const double s = srb_by_order_[0] > 0.0 ? srb_by_order_[uz(k)] : 1.0;
      m[k] = srb_by_order_[0] > 0.0 ? B[k] * s / (1.0 + s) : B[k];
      sum += m[k];
    }
    for (int k = 0; k < kBirthOrders; ++k)
      boys_by_order_[uz(z) * kBirthOrders + uz(k)] = sum > 0.0 ? m[k] * (boys / sum) : 0.0;
  }
}

std::vector<double> ParityProjection::women_by_parity() const {
  const std::size_t nA = L_.ages();
  std::vector<double> out(shares_.size());
  for (int z = 0; z < L_.zones; ++z)
    for (int g = 0; g < L_.groups; ++g)
      for (int p = 0; p < kParityStates; ++p)
        for (int i = 0; i < L_.grid.n_ages; ++i)
          out[at(z, g, p, i)] = shares_[at(z, g, p, i)] * women_[(uz(z) * uz(L_.groups) + uz(g)) * nA + uz(i)];
  return out;
}

std::vector<ParityIndicators> ParityProjection::indicators() const {
  std::vector<ParityIndicators> out;
  for (int z = 0; z < L_.zones; ++z) out.push_back(indicators_of(std::span<const int>(&z, 1)));
  return out;
}

ParityIndicators ParityProjection::indicators_of(std::span<const int> zones) const {
  const std::size_t nA = L_.ages();
  const int A = L_.grid.n_ages, zy = L_.grid.width_years;
  ParityIndicators ind;
  double first_weighted = 0.0;
  std::array<double, kBirthOrders> boys{};
  for (int z : zones)
    for (int k = 0; k < kBirthOrders; ++k)
      if (!boys_by_order_.empty()) boys[uz(k)] += boys_by_order_[uz(z) * kBirthOrders + uz(k)];
  for (int i = 0; i < A; ++i) {
    double X = 0.0, B[kBirthOrders] = {0.0, 0.0, 0.0};
    for (int z : zones)
      for (int g = 0; g < L_.groups; ++g) {
        const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
        if (!exposure_.empty()) X += exposure_[st * nA + uz(i)];
        for (int k = 0; k < kBirthOrders; ++k)
          if (!births_by_order_.empty()) B[k] += births_by_order_[(st * kBirthOrders + uz(k)) * nA + uz(i)];
        const double women = women_[st * nA + uz(i)];
        for (int p = 0; p < kParityStates; ++p) {
          const double v = shares_[at(z, g, p, i)] * women;
          if (L_.grid.age_start(i) >= 49) ind.women_49plus[uz(p)] += v;
          if (L_.grid.age_start(i) >= 60) ind.women_60plus[uz(p)] += v;
        }
        if (!child_lost_.empty()) {
          const double lost = child_lost_[st * nA + uz(i)] * women;
          if (L_.grid.age_start(i) >= 49) ind.mothers_lost_only_child_49plus += lost;
          if (L_.grid.age_start(i) >= 60) ind.mothers_lost_only_child_60plus += lost;
        }
      }
    for (int k = 0; k < kBirthOrders; ++k) {
      ind.births[uz(k)] += B[k];
      if (X > 0.0) ind.tfr[uz(k)] += zy * B[k] / X;  // X is person-years: B/X is the rate per year
    }
    first_weighted += (L_.grid.age_start(i) + zy / 2.0) * B[0];
  }
  const double all = ind.births[0] + ind.births[1] + ind.births[2];
  for (int k = 0; k < kBirthOrders; ++k) {
    ind.share_percent[uz(k)] = all > 0.0 ? 100.0 * ind.births[uz(k)] / all : kNaN;
    const double girls = ind.births[uz(k)] - boys[uz(k)];
    ind.srb_per_100[uz(k)] = girls > 0.0 ? 100.0 * boys[uz(k)] / girls : kNaN;
  }
  ind.mean_age_first_birth = ind.births[0] > 0.0 ? first_weighted / ind.births[0] : kNaN;
  if (child_lost_.empty()) ind.mothers_lost_only_child_49plus = ind.mothers_lost_only_child_60plus = kNaN;
  return ind;
}

}  // namespace cohortgis
