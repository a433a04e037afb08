// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <mutex>
#include <string>

namespace cohortgis::geodata {

// netCDF-C (4.9 in Debian 12) and the HDF5 it calls keep process-wide state without locks of their own, so two
// threads that open, read or write NetCDF files at once (Python threads running scenarios and writing results.nc,
// a run writing results.nc while another thread loads a NetCDF base population) can corrupt it. Every use of
// netCDF-C in cohortgis holds this lock for as long as it uses the library; it is recursive so that a function
// holding it may call another that takes it too.
std::unique_lock<std::recursive_mutex> lock_netcdf();

// Gives back the memory HDF5 keeps for the open file `path` (written through netCDF-C, which exposes no HDF5 handle):
// its metadata cache is evicted down to HDF5's smallest size, 1 KiB (the global heaps of string variables: 7.9 MB for
// the zone ids and names of 50,000 zones) and set back to the configuration it had, then HDF5's free lists and the
// freed pages are released. No byte of the file changes: the cache only decides when metadata already placed in the
// file is written. False when no open HDF5 file has that name (nothing is done).
bool release_hdf5_memory(const std::string& path);

}  // namespace cohortgis::geodata
