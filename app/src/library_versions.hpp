// SPDX-License-Identifier: Apache-2.0
#pragma once
// The libraries a run's numbers and files depend on, with their versions, for manifest.json's `libraries`
// (docs/results.md): GDAL, PROJ, netCDF, HDF5 and oneTBB as loaded at run time, Eigen and toml++ (header-only) as
// compiled in.
#include <string>
#include <utility>
#include <vector>

namespace cohortgis::app {

// {name, version} in the order GDAL, PROJ, netCDF, HDF5, TBB, Eigen, toml++.
std::vector<std::pair<std::string, std::string>> library_versions();

}  // namespace cohortgis::app
