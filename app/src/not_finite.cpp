// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/not_finite.hpp"

#include <cmath>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::app {

// A net rate may be any finite number and multiplies the population it applies to every step
// (scenarios::net_rate_row_behind), so its row is the first thing to check.
void throw_not_finite(const scenarios::Scenario& sc, const CohortArray& population, const std::string& unit_name,
                      int zone, int year) {
  const CohortLayout& L = population.layout();
  const auto check = [&](int z) {
    const std::string row = scenarios::net_rate_row_behind(sc, z);
    return "; check the inputs' magnitudes" + (row.empty() ? std::string() : ", first " + row);
  };
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      for (int x = 0; x < 2; ++x)
        for (int i = 0; i < L.grid.n_ages; ++i)
          if (!std::isfinite(population.at(z, g, x, i)))
            throw ProjectionError("year " + std::to_string(year) + ": the population of zone '" + sc.zones[uz(z)].id +
                                  "', group '" + sc.group_names[uz(g)] + "', sex " + sex_name(static_cast<Sex>(x)) +
                                  ", age " + std::to_string(L.grid.age_start(i)) +
                                  " is not a finite number (it overflowed)" + check(z));
  throw ProjectionError("year " + std::to_string(year) + ": the sums of '" + unit_name +
                        "' are not finite numbers (they overflowed)" + check(zone));
}

}  // namespace cohortgis::app
