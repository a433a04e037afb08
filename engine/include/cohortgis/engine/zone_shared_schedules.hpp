// SPDX-License-Identifier: Apache-2.0
// Schedules given once for every zone (issue #16, memory).
//
// A scenario whose death rates, fertility rates or sex ratio at birth are national (one table, no zone column) used to
// hold them repeated for every zone: at 50,000 zones 15.2 MB of mx rows, 7.2 MB of ASFR and 0.4 MB of SRB, for the
// whole run, as many bytes as the two population arrays. A StepSchedules may instead hold such an array once:
//   mortality  [group][sex][row]  in place of [zone][group][sex][row]  (death rates only, without mortality_next)
//   asfr       [group][age]       in place of [zone][group][age]
//   srb        one value          in place of [zone]
// each read by every zone. An array's size says which it is (with one zone the two are the same). The flow step and
// the indicators read such an array where they read the zone's own; a run that cannot (the multistate method, other
// mortality inputs) gets a copy with every zone's values first (Projection::run_shared). The results are the same bits
// as with every zone's values written out: each zone reads the same numbers.
#pragma once

#include <cstddef>

#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/projection.hpp"

namespace cohortgis {

// Whether an array of `size` values holds one zone's `per_zone` values for all `zones` (zones > 1; an empty array or
// one of every zone's values: false).
inline bool given_once(std::size_t size, std::size_t per_zone, int zones) {
  return zones > 1 && per_zone > 0 && size == per_zone;
}

// Whether any of mortality, asfr and srb of `s` is given once for every zone of `layout`.
bool has_zone_shared_schedules(const StepSchedules& s, const CohortLayout& layout);

// Keeps one zone's values of each of mortality (death rates without mortality_next), asfr and srb whose every zone's
// values are the bits of zone 0's, and frees the rest. Returns the bytes given back (0 when no array changed).
std::size_t share_zone_schedules(StepSchedules& s, const CohortLayout& layout);

// Writes out every zone's values of the arrays given once (the inverse of share_zone_schedules): for the readers that
// index them by zone only (the multistate step).
void expand_zone_shared_schedules(StepSchedules& s, const CohortLayout& layout);

}  // namespace cohortgis
