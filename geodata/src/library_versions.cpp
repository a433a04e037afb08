// SPDX-License-Identifier: Apache-2.0
// The run-time versions of GDAL, PROJ and HDF5 (library_versions.hpp).
#include "cohortgis/geodata/library_versions.hpp"

#include <gdal.h>
#include <hdf5.h>
#include <proj.h>

namespace cohortgis::geodata {

std::vector<std::pair<std::string, std::string>> library_versions() {
  unsigned major = 0, minor = 0, release = 0;
  const bool hdf5 = H5get_libversion(&major, &minor, &release) >= 0;
  const char* proj = proj_info().version;
  return {{"GDAL", GDALVersionInfo("RELEASE_NAME")},
          {"PROJ", proj ? proj : ""},
          {"HDF5", hdf5 ? std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release) : ""}};
}

}  // namespace cohortgis::geodata
