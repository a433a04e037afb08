// SPDX-License-Identifier: Apache-2.0
// Library versions for manifest.json (library_versions.hpp): each from the library's own version function where it
// has one (the library loaded, which may differ from the headers compiled against), else its version macros.
#include "library_versions.hpp"

#include <netcdf.h>

#include <oneapi/tbb/version.h>
#include <Eigen/Core>

#include "cohortgis/geodata/library_versions.hpp"
#include "cohortgis/scenarios/library_versions.hpp"

namespace cohortgis::app {

std::vector<std::pair<std::string, std::string>> library_versions() {
  std::vector<std::pair<std::string, std::string>> out = geodata::library_versions();  // GDAL, PROJ, HDF5
  // nc_inq_libvers(): "4.9.0 of Jan  1 2023 00:00:00 $": the version is its first word.
  const std::string netcdf = nc_inq_libvers();
  out.insert(out.begin() + 2, {"netCDF", netcdf.substr(0, netcdf.find(' '))});
  out.emplace_back("TBB", TBB_runtime_version());
  out.emplace_back("Eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                                std::to_string(EIGEN_MINOR_VERSION));
  out.emplace_back("toml++", scenarios::toml_library_version());
  return out;
}

}  // namespace cohortgis::app
