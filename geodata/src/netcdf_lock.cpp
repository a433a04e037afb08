// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/netcdf_lock.hpp"

#include <hdf5.h>

namespace cohortgis::geodata {

std::unique_lock<std::recursive_mutex> lock_netcdf() {
  static std::recursive_mutex m;
  // Once, before netCDF-C or cohortgis first calls HDF5 (every use holds this lock): HDF5 closes what is still open
  // at exit, and a results.nc whose write failed (a full disk, `ulimit -f`) is left half closed by nc_close, which
  // HDF5 1.10's exit handler then crashed on (SIGSEGV after the error message; hostile probe, round 10). cohortgis
  // closes every file it writes itself, so nothing is left for the exit handler. (Without effect, and harmless, when
  // something else in the process started HDF5 first.)
  static const bool no_exit_handler = H5dont_atexit() >= 0;
  // HDF5's error stack is not printed ("HDF5-DIAG: Error detected …", 40 lines before cohortgis's one-line error;
  // the error reaches the user through netCDF-C). The setting is per thread in Debian's thread-safe HDF5, and netCDF-C
  // makes it only on the thread that first used it, not on the writer threads of `cohortgis run`.
  thread_local const bool quiet = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)no_exit_handler;
  (void)quiet;
  return std::unique_lock<std::recursive_mutex>(m);
}

}  // namespace cohortgis::geodata
