// SPDX-License-Identifier: Apache-2.0
// The age bands the standard indicators count persons in, and the grids they can be counted on (indicators.hpp).
#include <utility>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_ages.hpp"

namespace cohortgis {

namespace {
// {the ages as users read them, the lowest open age they can be counted on}; {"", 0}: no age band.
std::pair<const char*, int> ages_of(Indicator id) {
  switch (id) {
    case Indicator::share_0_14:
      return {"0-14", 15};
    case Indicator::share_15_64:
      return {"15-64", 65};
    case Indicator::share_65_plus:
    case Indicator::age_65_plus:
    case Indicator::e65_female:
    case Indicator::e65_male:
      return {"65+", 65};
    case Indicator::share_60_plus:
    case Indicator::age_60_plus:
      return {"60+", 60};
    case Indicator::old_age_dependency_ratio:
      return {"15-64 and 65+", 65};
    case Indicator::total_dependency_ratio:
      return {"0-14, 15-64 and 65+", 65};
    case Indicator::women_15_49:
      return {"15-49", 50};
    case Indicator::age_0_2:
      return {"0-2", 3};
    case Indicator::age_3_5:
      return {"3-5", 6};
    case Indicator::age_6_11:
      return {"6-11", 12};
    case Indicator::age_12_14:
      return {"12-14", 15};
    case Indicator::age_15_59:
      return {"15-59", 60};
    case Indicator::age_15_64:
      return {"15-64", 65};
    default:
      return {"", 0};
  }
}
}  // namespace

int indicator_min_open_age(Indicator id) { return ages_of(id).second; }

const char* indicator_age_band(Indicator id) { return ages_of(id).first; }

int band_min_open_age(const AgeBand& b) { return b.to_age < 0 ? b.from_age : b.to_age + 1; }

std::vector<std::size_t> indicators_off_grid(const AgeGrid& grid, const std::vector<AgeBand>& extra_bands) {
  std::vector<std::size_t> off;
  for (int k = 0; k < kStandardIndicators; ++k)
    if (indicator_min_open_age(static_cast<Indicator>(k)) > grid.open_age()) off.push_back(uz(k));
  for (std::size_t k = 0; k < extra_bands.size(); ++k)
    if (band_min_open_age(extra_bands[k]) > grid.open_age()) off.push_back(uz(kStandardIndicators) + k);
  return off;
}

}  // namespace cohortgis
