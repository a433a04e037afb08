// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <mutex>

namespace cohortgis::geodata {

// netCDF-C (4.9 in Debian 12) and the HDF5 it calls keep process-wide state without locks of their own, so two
// threads that open, read or write NetCDF files at once (Python threads running scenarios and writing results.nc,
// a run writing results.nc while another thread loads a NetCDF base population) can corrupt it. Every use of
// netCDF-C in cohortgis holds this lock for as long as it uses the library; it is recursive so that a function
// holding it may call another that takes it too.
std::unique_lock<std::recursive_mutex> lock_netcdf();

}  // namespace cohortgis::geodata
