// SPDX-License-Identifier: Apache-2.0
#include "shared_steps.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace cohortgis::scenarios::detail {

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// A field added to these structs must be compared below (and a StepSchedules field copied in assign_step_schedules):
// the sizes make the compiler say so (x86-64, libstdc++).
static_assert(sizeof(GroupTransition) == 56, "GroupTransition changed: compare the new field in same_step_schedules");
static_assert(sizeof(NewbornRule) == 40, "NewbornRule changed: compare the new field in same_step_schedules");
static_assert(sizeof(ExternalPair) == 24, "ExternalPair changed: compare the new field in same_pair");
static_assert(sizeof(StepSchedules) == 400,
              "StepSchedules changed: compare the new field in same_step_schedules, copy it in assign_step_schedules");

bool same_transition(const GroupTransition& a, const GroupTransition& b) {
  return a.from_group == b.from_group && a.to_group == b.to_group && same_bits(a.rate_per_year, b.rate_per_year) &&
         same_bits(a.zone_multiplier, b.zone_multiplier);
}

bool same_newborn(const NewbornRule& a, const NewbornRule& b) {
  return a.mother_group == b.mother_group && a.child_group == b.child_group &&
         std::memcmp(&a.share, &b.share, sizeof(double)) == 0 && same_bits(a.zone_share, b.zone_share);
}

bool same_pair(const ExternalPair& a, const ExternalPair& b) {
  return a.from == b.from && a.to == b.to && std::memcmp(&a.persons, &b.persons, sizeof(double)) == 0;
}

template <class T, class Same>
bool same_all(const std::vector<T>& a, const std::vector<T>& b, Same same) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

}  // namespace

bool same_step_schedules(const StepSchedules& a, const StepSchedules& b) {
  return a.mortality_kind == b.mortality_kind && a.person_years_layout == b.person_years_layout &&
         same_bits(a.mortality, b.mortality) && same_bits(a.radix_l0, b.radix_l0) && same_bits(a.l65, b.l65) &&
         same_bits(a.mortality_next, b.mortality_next) && same_bits(a.asfr, b.asfr) && same_bits(a.srb, b.srb) &&
         same_bits(a.net_migrants, b.net_migrants) && same_bits(a.net_migrants_per_person, b.net_migrants_per_person) &&
         same_bits(a.net_migrants_total, b.net_migrants_total) && same_bits(a.external_in, b.external_in) &&
         same_bits(a.external_out, b.external_out) && same_bits(a.external_out_rate, b.external_out_rate) &&
         same_all(a.external_pairs, b.external_pairs, same_pair) && a.od == b.od &&
         same_all(a.transitions, b.transitions, same_transition) &&
         same_all(a.newborn_rules, b.newborn_rules, same_newborn) && a.migration_timing == b.migration_timing &&
         a.mortality_unchanged == b.mortality_unchanged;
}

void assign_step_schedules(StepSchedules& out, const StepSchedules& from, bool keep_mortality) {
  if (!keep_mortality) {
    out = from;
  } else {  // every field but the six of same_mortality (the static_asserts above catch a new one)
    out.asfr = from.asfr;
    out.srb = from.srb;
    out.net_migrants = from.net_migrants;
    out.net_migrants_per_person = from.net_migrants_per_person;
    out.net_migrants_total = from.net_migrants_total;
    out.external_in = from.external_in;
    out.external_out = from.external_out;
    out.external_out_rate = from.external_out_rate;
    out.external_pairs = from.external_pairs;
    out.od = from.od;
    out.transitions = from.transitions;
    out.newborn_rules = from.newborn_rules;
    out.migration_timing = from.migration_timing;
  }
  out.mortality_unchanged = keep_mortality;
}

void share_equal_steps(std::vector<StepSchedules>& steps) { FoldedSteps().finish(steps); }

void FoldedSteps::fold(std::vector<StepSchedules>& steps, std::size_t k, Field field) {
  if (k == 0 || k >= steps.size() || !same_bits(steps[0].*field, steps[k].*field)) return;
  std::vector<double>().swap(steps[k].*field);  // clear() would keep the capacity
  folded_.emplace_back(k, field);
}

void FoldedSteps::fold_equal(std::vector<StepSchedules>& steps, std::size_t k, Field field) {
  std::vector<double>().swap(steps[k].*field);
  folded_.emplace_back(k, field);
}

void AppendedLikeFirst::append(const double* v, std::size_t n) {
  if (like_ && n <= first_.size() - at_ && (n == 0 || std::memcmp(first_.data() + at_, v, n * sizeof(double)) == 0)) {
    at_ += n;  // bit for bit, as FoldedSteps::fold compares (same_bits)
    return;
  }
  if (like_) {
    out_.insert(out_.end(), first_.begin(), first_.begin() + static_cast<std::ptrdiff_t>(at_));
    like_ = false;
  }
  out_.insert(out_.end(), v, v + n);
}

bool AppendedLikeFirst::finish() {
  if (like_ && at_ == first_.size()) return true;
  if (like_) {  // fewer values than the first step's: those written out
    out_.insert(out_.end(), first_.begin(), first_.begin() + static_cast<std::ptrdiff_t>(at_));
    like_ = false;
  }
  return false;
}

void ZoneBlocksOnce::append(const double* v, std::size_t n) {
  while (once_ && n > 0) {
    const std::size_t in_zone = at_ % per_zone_, take = std::min(n, per_zone_ - in_zone);
    if (at_ < per_zone_) {
      zone0_.insert(zone0_.end(), v, v + take);
    } else if (std::memcmp(zone0_.data() + in_zone, v, take * sizeof(double)) != 0) {  // bits, as keep_once
      write_out();
      break;
    }
    at_ += take;
    v += take;
    n -= take;
  }
  if (!once_ && n > 0) to_.append(v, n);
}

void ZoneBlocksOnce::write_out() {
  once_ = false;
  for (std::size_t z = 0; z < at_ / per_zone_; ++z) to_.append(zone0_.data(), per_zone_);
  to_.append(zone0_.data(), at_ % per_zone_);
  std::vector<double>().swap(zone0_);
}

void ZoneBlocksOnce::finish() {
  if (!once_) return;
  if (at_ == per_zone_ * static_cast<std::size_t>(zones_)) {
    to_.append(zone0_.data(), per_zone_);
    once_ = false;
  } else {  // not every zone's values: as they came
    write_out();
  }
}

void FoldedSteps::finish(std::vector<StepSchedules>& steps) {
  bool all_same = true;
  for (std::size_t k = 1; k < steps.size() && all_same; ++k) {
    // The first step's folded fields are set aside (O(1) swaps) so that they compare equal with the empty ones of
    // step k, then put back.
    std::vector<std::pair<Field, std::vector<double>>> aside;
    for (const auto& [kk, field] : folded_)
      if (kk == k) {
        aside.emplace_back(field, std::vector<double>());
        std::swap(aside.back().second, steps[0].*field);
      }
    all_same = same_step_schedules(steps[0], steps[k]);
    for (auto& [field, v] : aside) std::swap(v, steps[0].*field);
  }
  if (all_same) {
    if (steps.size() > 1) {
      steps.resize(1);
      steps.shrink_to_fit();
    }
  } else {
    for (const auto& [k, field] : folded_) steps[k].*field = steps[0].*field;
  }
  folded_.clear();
}

}  // namespace cohortgis::scenarios::detail
