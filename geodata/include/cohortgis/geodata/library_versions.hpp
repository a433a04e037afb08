// SPDX-License-Identifier: Apache-2.0
#pragma once
// The versions of the libraries geodata reads, writes and checks files with (GDAL, PROJ, HDF5), as loaded at run
// time: a run's manifest.json records them, since another GDAL may read a table or draw a boundary differently.
#include <string>
#include <utility>
#include <vector>

namespace cohortgis::geodata {

// {name, version}: GDAL (GDALVersionInfo("RELEASE_NAME")), PROJ (proj_info()), HDF5 (H5get_libversion).
std::vector<std::pair<std::string, std::string>> library_versions();

}  // namespace cohortgis::geodata
