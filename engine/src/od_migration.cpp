// SPDX-License-Identifier: Apache-2.0
// The origin–destination index of the projection (design note B1): flows validated and kept in destination order,
// with the out-edge index and per-origin rate sums the step reads.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "cohortgis/engine/projection.hpp"
#include "engine_support.hpp"

namespace cohortgis {

using detail::fmt;

OdMigration::OdMigration(std::vector<OdFlow> flows, std::vector<double> profile, int zones, int groups, int n_ages)
    : flows_(std::move(flows)), profile_(std::move(profile)), n_ages_(uz(n_ages)) {
  if (!profile_.empty() && profile_.size() != uz(groups) * kSexes * n_ages_)
    throw InputError("OD migration: the age-sex profile has " + std::to_string(profile_.size()) +
                     " values; expected groups × 2 sexes × ages = " + std::to_string(uz(groups) * kSexes * n_ages_));
  for (double p : profile_) {
    if (!std::isfinite(p) || p < 0.0)
      throw InputError("OD migration: the age-sex profile holds " + fmt(p) + "; expected a finite number ≥ 0");
    if (std::signbit(p)) no_minus_zero_ = false;  // −0 (p ≥ 0 here)
  }
  std::vector<double> out_rate(uz(zones) * uz(groups), 0.0);
  for (std::size_t k = 0; k < flows_.size(); ++k) {
    const OdFlow& f = flows_[k];
    // Built only for an error: a string per flow was most of the cost of indexing tens of thousands of flows.
    const auto where = [&] {
      return "OD migration flow " + std::to_string(k) + " (origin " + std::to_string(f.origin) + " → destination " +
             std::to_string(f.destination) + ")";
    };
    if (f.origin < 0 || f.origin >= zones || f.destination < 0 || f.destination >= zones)
      throw InputError(where() + ": zone index outside 0.." + std::to_string(zones - 1));
    if (f.origin == f.destination) throw InputError(where() + ": origin and destination are the same zone");
    if (f.group < -1 || f.group >= groups) throw InputError(where() + ": unknown group " + std::to_string(f.group));
    if (!std::isfinite(f.rate_per_year) || f.rate_per_year < 0.0)
      throw InputError(where() + ": rate " + fmt(f.rate_per_year) + " per person per year; expected a finite rate ≥ 0");
    if (std::signbit(f.rate_per_year)) no_minus_zero_ = false;
    for (int g = 0; g < groups; ++g)
      if (f.group < 0 || f.group == g) out_rate[uz(f.origin) * uz(groups) + uz(g)] += f.rate_per_year;
  }
  for (int o = 0; o < zones; ++o)
    for (int g = 0; g < groups; ++g)
      if (out_rate[uz(o) * uz(groups) + uz(g)] > 1.0)
        throw InputError("OD migration: the rates out of origin zone " + std::to_string(o) + " (group " +
                         std::to_string(g) + ") sum to " + fmt(out_rate[uz(o) * uz(groups) + uz(g)]) +
                         " per person per year; expected at most 1");
  // The flows are kept in the order the destinations sum them (by destination, then origin; stable), so a zone's
  // in-flows are one contiguous run; out-edges by origin, then destination, are an index into them.
  std::stable_sort(flows_.begin(), flows_.end(), [](const OdFlow& a, const OdFlow& b) {
    return a.destination != b.destination ? a.destination < b.destination : a.origin < b.origin;
  });
  in_start_.assign(uz(zones) + 1, 0);
  for (const OdFlow& f : flows_) ++in_start_[uz(f.destination) + 1];
  for (std::size_t z = 0; z < uz(zones); ++z) in_start_[z + 1] += in_start_[z];
  // Per (zone, group) the in-flows that carry the group, in the same order (4 bytes per flow and group it carries).
  in_group_start_.assign(uz(zones) * uz(groups) + 1, 0);
  for (const OdFlow& f : flows_)
    for (int g = 0; g < groups; ++g)
      if (f.group < 0 || f.group == g) ++in_group_start_[uz(f.destination) * uz(groups) + uz(g) + 1];
  for (std::size_t k = 0; k + 1 < in_group_start_.size(); ++k) in_group_start_[k + 1] += in_group_start_[k];
  in_group_idx_.resize(uz(in_group_start_.back()));
  {
    std::vector<int> next(in_group_start_.begin(), in_group_start_.end() - 1);
    for (std::size_t k = 0; k < flows_.size(); ++k)
      for (int g = 0; g < groups; ++g)
        if (flows_[k].group < 0 || flows_[k].group == g)
          in_group_idx_[uz(next[uz(flows_[k].destination) * uz(groups) + uz(g)]++)] = static_cast<int>(k);
  }
  out_idx_.resize(flows_.size());
  std::iota(out_idx_.begin(), out_idx_.end(), 0);
  std::stable_sort(out_idx_.begin(), out_idx_.end(), [&](int a, int b) {
    const OdFlow& fa = flows_[uz(a)];
    const OdFlow& fb = flows_[uz(b)];
    return fa.origin != fb.origin ? fa.origin < fb.origin : fa.destination < fb.destination;
  });
  out_start_.assign(uz(zones) + 1, 0);
  for (const OdFlow& f : flows_) ++out_start_[uz(f.origin) + 1];
  for (std::size_t z = 0; z < uz(zones); ++z) out_start_[z + 1] += out_start_[z];
  out_rate_.assign(uz(zones) * uz(groups), 0.0);
  for (int o = 0; o < zones; ++o)
    for (int g = 0; g < groups; ++g) {
      double R = 0.0;  // in out-edge order, as the step sums them
      for (int e : out_edges(o))
        if (flows_[uz(e)].group < 0 || flows_[uz(e)].group == g) R += flows_[uz(e)].rate_per_year;
      out_rate_[uz(o) * uz(groups) + uz(g)] = R;
    }
  zones_ = zones;
  groups_ = groups;
}

std::span<const OdFlow> OdMigration::in_flows(int zone) const {
  return {flows_.data() + in_start_[uz(zone)], uz(in_start_[uz(zone) + 1] - in_start_[uz(zone)])};
}

std::span<const int> OdMigration::out_edges(int zone) const {
  return {out_idx_.data() + out_start_[uz(zone)], uz(out_start_[uz(zone) + 1] - out_start_[uz(zone)])};
}

}  // namespace cohortgis
