// SPDX-License-Identifier: Apache-2.0
// Schedules given once for every zone (zone_shared_schedules.hpp).
#include "cohortgis/engine/zone_shared_schedules.hpp"

#include <cstring>
#include <vector>

namespace cohortgis {

namespace {

struct PerZone {
  std::size_t mortality = 0, asfr = 0, srb = 1;
};

// Values a zone has of each array. Mortality only as death rates without the rates above the open age
// (mortality_next): the only mortality the flow step and the indicators read from one zone's rows for every zone.
PerZone per_zone(const StepSchedules& s, const CohortLayout& L) {
  PerZone n;
  if (s.mortality_kind == MortalityInput::death_rates && s.mortality_next.empty())
    n.mortality = uz(L.groups) * kSexes * uz(L.grid.life_table_rows());
  n.asfr = uz(L.groups) * L.ages();
  return n;
}

// Keeps zone 0's block of v when each of the `zones` blocks holds its bits; returns the bytes given back.
std::size_t keep_once(std::vector<double>& v, std::size_t block, int zones) {
  if (zones < 2 || block == 0 || v.size() != block * uz(zones)) return 0;
  for (int z = 1; z < zones; ++z)
    if (std::memcmp(v.data(), v.data() + uz(z) * block, block * sizeof(double)) != 0) return 0;
  const std::size_t freed = (v.size() - block) * sizeof(double);
  std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(block)).swap(v);  // a new array: freed
  return freed;
}

void write_out(std::vector<double>& v, std::size_t block, int zones) {
  if (!given_once(v.size(), block, zones)) return;
  std::vector<double> all(block * uz(zones));
  for (int z = 0; z < zones; ++z) std::memcpy(all.data() + uz(z) * block, v.data(), block * sizeof(double));
  v.swap(all);
}

}  // namespace

bool has_zone_shared_schedules(const StepSchedules& s, const CohortLayout& L) {
  const PerZone n = per_zone(s, L);
  return given_once(s.mortality.size(), n.mortality, L.zones) || given_once(s.asfr.size(), n.asfr, L.zones) ||
         given_once(s.srb.size(), n.srb, L.zones);
}

std::size_t share_zone_schedules(StepSchedules& s, const CohortLayout& L) {
  const PerZone n = per_zone(s, L);
  return keep_once(s.mortality, n.mortality, L.zones) + keep_once(s.asfr, n.asfr, L.zones) +
         keep_once(s.srb, n.srb, L.zones);
}

void expand_zone_shared_schedules(StepSchedules& s, const CohortLayout& L) {
  const PerZone n = per_zone(s, L);
  write_out(s.mortality, n.mortality, L.zones);
  write_out(s.asfr, n.asfr, L.zones);
  write_out(s.srb, n.srb, L.zones);
}

}  // namespace cohortgis
