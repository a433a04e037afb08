// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/engine/types.hpp"
#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "large_arrays.hpp"

namespace cohortgis {

void AgeGrid::validate() const {
  if (width_years != 1 && width_years != 5)
    throw InputError("age grid: step and age width must be 1 or 5 years, got " + std::to_string(width_years));
  if (n_ages < 3)
    throw InputError("age grid: need at least 3 age indexes (two closed and the open group), got " +
                     std::to_string(n_ages));
}

CohortArray::CohortArray(const CohortLayout& layout, double fill) : layout_(layout) {
  detail::assign_large(data_, layout.cells(), fill);
}

double CohortArray::sum_zone(int zone) const {
  const std::size_t n = uz(layout_.groups) * kSexes * layout_.ages();
  const double* p = data_.data() + layout_.offset(zone, 0, 0);
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) s += p[k];
  return s;
}

}  // namespace cohortgis
