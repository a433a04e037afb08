// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/netcdf_lock.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include "hdf5_files.hpp"

#include <hdf5.h>
#include <malloc.h>

#include <algorithm>
#include <string>
#include <vector>

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

namespace cohortgis::geodata {

hid_t detail::open_hdf5_file(const std::string& path) {
  const ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE);
  std::vector<hid_t> ids(uz(std::max<ssize_t>(n, 0)));
  const ssize_t got = ids.empty() ? 0 : H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_FILE, ids.size(), ids.data());
  for (ssize_t k = 0; k < got; ++k) {
    const hid_t id = ids[uz(k)];
    const ssize_t len = H5Fget_name(id, nullptr, 0);
    if (len < 0 || uz(len) != path.size()) continue;
    std::string name(path.size() + 1, '\0');
    if (H5Fget_name(id, name.data(), name.size()) == len && name.compare(0, path.size(), path) == 0) return id;
  }
  return -1;
}

bool release_hdf5_memory(const std::string& path) {
  const auto lock = lock_netcdf();
  bool done = false;
  if (const hid_t id = detail::open_hdf5_file(path); id >= 0) {
    H5AC_cache_config_t config{};
    config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Fget_mdc_config(id, &config) < 0) return false;
    // The cache at its smallest size, fixed; the next use of an entry (the root group's header) evicts down to it.
    // Not the configuration's min_size (1 MiB by default): that kept 3.4 MB of the strings' global heaps at the peak
    // of the 50,000-zone run (bench/HISTORY.md "Round 16: memory at 50,000 zones, second part").
    H5AC_cache_config_t small = config;
    small.set_initial_size = true;
    small.min_size = small.max_size = small.initial_size = 1024;  // H5C__MIN_MAX_CACHE_SIZE (H5Cprivate.h)
    small.incr_mode = H5C_incr__off;
    small.flash_incr_mode = H5C_flash_incr__off;
    small.decr_mode = H5C_decr__off;
    H5O_info_t info;
    if (H5Fset_mdc_config(id, &small) >= 0 && H5Oget_info2(id, &info, H5O_INFO_BASIC) >= 0) {
      config.set_initial_size = true;  // back to the configuration it had, from its initial size
      done = H5Fset_mdc_config(id, &config) >= 0;
    }
  }
  if (!done) return false;
  // What the evicted entries left on HDF5's free lists, then the freed pages inside the heap.
  H5garbage_collect();
  malloc_trim(0);
  return true;
}

}  // namespace cohortgis::geodata
