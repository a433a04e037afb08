// SPDX-License-Identifier: Apache-2.0
// HDF5's id of a file that netCDF-C has open (netCDF-C exposes no HDF5 handle): for the HDF5 calls of
// netcdf_lock.cpp and hdf5_chunks.cpp. The caller holds lock_netcdf().
#pragma once
#include <hdf5.h>

#include <string>

namespace cohortgis::geodata::detail {

// The open HDF5 file whose name is `path` (not a counted reference: not to be closed), or -1.
hid_t open_hdf5_file(const std::string& path);

}  // namespace cohortgis::geodata::detail
