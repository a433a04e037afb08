// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/netcdf_lock.hpp"

namespace cohortgis::geodata {

std::unique_lock<std::recursive_mutex> lock_netcdf() {
  static std::recursive_mutex m;
  return std::unique_lock<std::recursive_mutex>(m);
}

}  // namespace cohortgis::geodata
