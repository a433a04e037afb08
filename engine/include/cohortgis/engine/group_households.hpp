// SPDX-License-Identifier: Apache-2.0
// Households of one population group (registered, floating …) of a zone, beside planning.hpp's zone_households (all
// groups). A header of its own: planning.hpp is included by projection.hpp, hence by nearly every file.
#pragma once

#include "cohortgis/engine/planning.hpp"

namespace cohortgis {

// Σ over sexes and ages of headship[zone][sex][age] × the persons of `group` in `zone`: the households headed by the
// group's persons. The groups' values add up to zone_households (to rounding).
double group_households(const CohortArray& population, const HeadshipRates& headship, int zone, int group);

}  // namespace cohortgis
