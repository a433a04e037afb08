// SPDX-License-Identifier: Apache-2.0
// Whether a NetCDF file handed to cohortgis (a [base_population] cube, a results folder's results.nc) keeps its data
// inside itself. A NetCDF-4 file is HDF5, and HDF5 reads a dataset's bytes from other files without netCDF-C saying
// so: external storage (raw bytes of any local file, /etc/shadow read as doubles), external links (an object of
// another HDF5 file), soft links, virtual datasets. netCDF-C follows them as soon as it opens the file, so the check
// runs before nc_open.
#pragma once

#include <string>

namespace cohortgis::geodata {

struct NetcdfContainment {
  // Why the file would make netCDF-C read outside it ("variable 'population' stores its data in an external file
  // ('/etc/shadow'); expected the data inside the file"), without the file's name; empty when it would not.
  std::string outside;
  // The file is HDF5 but HDF5 could not open it to walk it (cut short, damaged): netCDF-C, which opens it with the
  // same library, fails too; should it open the file all the same, the caller refuses it (fail closed).
  bool unchecked = false;
};

// Walks every link of an HDF5 (NetCDF-4) file from its root without following any but hard links, and looks at the
// storage of every dataset; a NetCDF-3 file (or any file without the HDF5 signature) needs no check. Opens the file
// read-only with HDF5's POSIX driver, holding the netCDF lock (netcdf_lock.hpp). Reads no data, only metadata.
NetcdfContainment check_netcdf_contained(const std::string& path);

}  // namespace cohortgis::geodata
