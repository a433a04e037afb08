// SPDX-License-Identifier: Apache-2.0
// Women by parity (children ever born: 0, 1, 2, 3+) as a sub-state of each (zone, group, age) of women, projected
// beside the cohort-component step (docs/parity.md). The engine's array [zone][group][sex][age] is unchanged: the
// parity projection holds the shares of the women of each cell in the four parity states, sets the step's ASFR from
// the parity-specific rates before the step and, after it, splits the step's births by age of mother into births by
// order and moves the shares of each cohort along the parities.
//
// Assumptions (docs/parity.md): deaths and migrants of a cohort have the parity distribution of its women; a woman
// has at most one birth of a given cohort's step (exact on single-year grids up to twins; an approximation on
// five-year grids, where the progression probability z·f must stay at most 1).
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"

namespace cohortgis {

inline constexpr int kParityStates = 4;  // 0, 1, 2, 3+ children ever born
inline constexpr const char* kParityStateLabels[kParityStates] = {"0", "1", "2", "3+"};
inline constexpr int kBirthOrders = 3;  // first, second, third and higher
inline constexpr const char* kBirthOrderLabels[kBirthOrders] = {"1", "2", "3_plus"};

// Family-planning indicators of one zone (all groups pooled) and step.
struct ParityIndicators {
  std::array<double, kBirthOrders> births{};  // births of order 1, 2, 3+ over the step
  std::array<double, kBirthOrders> share_percent{};  // 一孩率, 二孩率, 多孩率: births of the order / all births × 100
  std::array<double, kBirthOrders> tfr{};            // TFR by order: z · Σ_age births of the order / women's exposure
  std::array<double, kBirthOrders> srb_per_100{};    // boys per 100 girls among the births of the order
  double mean_age_first_birth = 0.0;                 // Σ (age + z/2) · B₁(age) / Σ B₁ (NaN without first births)
  std::array<double, kParityStates> women_49plus{};  // women aged 49+ at the end of the step (50+ on 5-year grids)
  std::array<double, kParityStates> women_60plus{};  // women aged 60+ (the 奖励扶助 age)
  // 特别扶助 base (kinship, parity_kinship.cpp): expected women aged 49+ / 60+ at the end of the step who had exactly
  // one child and whose child has died (NaN when the run does not follow the children: no set_child_survival).
  double mothers_lost_only_child_49plus = 0.0;
  double mothers_lost_only_child_60plus = 0.0;
};

class ParityProjection {
 public:
  // women_by_parity: base women by [zone][group][parity][age]; every age's four states must sum to the women of the
  // base population's cell (relative tolerance 1e-6; InputError naming zone, group and age otherwise).
  ParityProjection(const CohortLayout& layout, std::vector<std::string> zone_ids, std::vector<std::string> group_names,
                   std::span<const double> women_by_parity, const CohortArray& base_population);

  // Before a step: rates [zone][group][parity][age] are births of order p + 1 per woman of parity p per year (p = 3:
  // births of the fourth and higher orders per woman at 3+). Writes the step's ASFR [zone][group][age] as
  // F(i) = Σ_p f_p(i) · w_p(i), w_p(i) = (π_p(i) + π_p(i−1)) / 2: the parity mix of the exposure of age i, half of
  // the women aged i at the start, half of the cohort that enters age i during the step (the UN's exposure
  // z·(A + Q)/2, docs/ccmpp.md A3 step 4). Throws InputError when a rate is negative or not finite, or when the
  // progression probability z·(f_p(i) + f_p(i+1))/2 of a cohort over the step exceeds 1 (naming zone, group, age).
  void set_fertility(const StepContext& ctx, std::span<const double> rates, std::vector<double>& asfr);

  // Sex ratios at birth by order (boys per girl: first, second, third and higher). Without them every order has the
  // zone's SRB.
  void set_srb_by_order(const std::array<double, kBirthOrders>& males_per_female) { srb_by_order_ = males_per_female; }
  // Before a step, after set_fertility (with set_srb_by_order only): writes each zone's SRB as the mix of the order
  // SRBs by the births by order expected from the women at the start, b_k ∝ Σ_i F_k(i)·(W(i) + W(i−1))/2, so that
  // boys = Σ_k b_k·s_k/(1 + s_k) (docs/parity.md "Sex ratio at birth by order").
  void set_srb(std::vector<double>& srb_per_zone) const;

  // 特别扶助 (docs/parity.md "Mothers who lost their only child"): before a step, after set_fertility and set_srb,
  // the survival ratios S[0..w] of the step's schedules for the children of parity-1 women (the mother's zone and
  // group; sons and daughters by the zone's SRB). The first call also sets the base's children by age and survival
  // (Goodman, Keyfitz & Pullum 1974, with the first step's rates and survival). Without it the kinship
  // indicators are NaN.
  void set_child_survival(const StepSchedules& schedules, const LifeTableMethod& method);

  // Before a step, the three calls above in their order (the run job and Python's cohortgis.run share it).
  void before_step(const StepContext& ctx, std::span<const double> rates, StepSchedules& schedules,
                   const LifeTableMethod& method) {
    set_fertility(ctx, rates, schedules.asfr);
    set_srb(schedules.srb);                 // with srb_by_order only
    set_child_survival(schedules, method);  // 特别扶助: the children of parity-1 women
  }

  // After the step: births by order from the step's births by age of mother (components.births_by_mother_age, which
  // must be kept: indicators or cell components on) and the shares of each cohort one step on.
  void advance(const StepResult& result);

  // Births of the last step by [zone][group][order][age of mother] (order 0: first births … 2: third and higher).
  const std::vector<double>& births_by_order() const { return births_by_order_; }
  // Women by [zone][group][parity][age] now (the base before the first step, then the end of the last step).
  std::vector<double> women_by_parity() const;
  // Shares of the women of each cell by [zone][group][parity][age].
  const std::vector<double>& shares() const { return shares_; }
  // The share of parity `parity` among the women of a cell (zone, group, age index) now.
  double share(int zone, int group, int parity, int age) const { return shares_[at(zone, group, parity, age)]; }
  // Expected mothers at parity 1 whose only child has died, by [zone][group][age] now (empty without
  // set_child_survival).
  std::vector<double> mothers_lost_only_child() const;
  // Indicators of the last step by zone (groups pooled).
  std::vector<ParityIndicators> indicators() const;
  // Indicators of the last step of a set of zones pooled (an aggregate such as the whole area).
  ParityIndicators indicators_of(std::span<const int> zones) const;

 private:
  std::size_t at(int zone, int group, int parity, int age) const {
    return ((uz(zone) * uz(L_.groups) + uz(group)) * kParityStates + uz(parity)) * L_.ages() + uz(age);
  }
  std::string where(int zone, int group, int age) const;
  // [zone][group][age of mother][sex of child][age of child]
  std::size_t kin_at(int zone, int group, int age, int sex, int child_age) const {
    return (((uz(zone) * uz(L_.groups) + uz(group)) * L_.ages() + uz(age)) * kSexes + uz(sex)) * L_.ages() +
           uz(child_age);
  }
  void init_kinship();                             // the base's children (set_child_survival's first call)
  void set_child_survival_ratios(const StepSchedules& s, const LifeTableMethod& method);  // child_survival_ made
  void advance_kinship(const CohortArray& start);  // from advance(), before the shares move
  // h_p of the cohort aged i at the start: z·(f_p(i) + f_p(i+1))/2 (docs/parity.md step 3).
  double progression(int zone, int group, int parity, int age) const {
    const double f = rates_[at(zone, group, parity, age)];
    const double next = age + 1 < L_.grid.n_ages ? rates_[at(zone, group, parity, age + 1)] : f;
    return L_.grid.width_years * (f + next) / 2.0;
  }

  CohortLayout L_;
  std::vector<std::string> zone_ids_, group_names_;
  std::vector<double> shares_;                       // [zone][group][parity][age]
  std::vector<double> women_;                        // women [zone][group][age] at the time of shares_
  std::vector<double> rates_;                        // the rates of the current step
  std::vector<double> births_by_order_;              // [zone][group][order][age]
  std::vector<double> exposure_;                     // women's person-years of the last step [zone][group][age]
  std::vector<double> boys_by_order_;                // [zone][order] of the last step
  std::array<double, kBirthOrders> srb_by_order_{};  // males per female; 0: not given
  StepContext ctx_;
  // Kinship of the parity-1 women (shares of the cell's women, like shares_): a living only child by sex and age
  // [zone][group][age][sex][child age], and the only child dead [zone][group][age]; they sum to π_1.
  std::vector<double> child_alive_, child_lost_;
  std::vector<double> child_survival_;  // S of the step [zone][group][sex][age]
  // The mortality (kind, layout, rows, radix: same_mortality) and method child_survival_ was made from: a step whose
  // schedules hold the same bits keeps it instead of building every state's life table again.
  StepSchedules survival_of_;
  LifeTableMethod survival_method_;
  bool survival_made_ = false;
  std::vector<double> child_girls_;     // share of girls among the births of the step, 1/(1 + srb), [zone]
};

}  // namespace cohortgis
