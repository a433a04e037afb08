// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohortgis::geodata {

// Whole chunks of uncompressed double variables written straight into a NetCDF-4 file that netCDF-C has open for
// writing (H5Dwrite_chunk), without HDF5's per-chunk buffer: through nc_put_vara, HDF5 clears a chunk-sized buffer,
// copies the values into it and writes it (two passes over every byte: bench/HISTORY.md "Round 14: the command line
// after the projection"). A direct write allocates the chunk's file space, writes it and adds it to the chunk index in
// the order HDF5's own write does, so a file written in the same chunk order is the same bytes.
// The caller keeps to what HDF5 checks only in part: the chunk lies inside the dataset's current extent (netCDF-C
// extends it on nc_put_vara: write a year's first chunk that way), it is the chunk's whole data, and nothing else is
// written to the file at the same time. Every call holds lock_netcdf() (netcdf_lock.hpp).
class Hdf5DirectChunks {
 public:
  Hdf5DirectChunks() = default;
  ~Hdf5DirectChunks();
  Hdf5DirectChunks(const Hdf5DirectChunks&) = delete;
  Hdf5DirectChunks& operator=(const Hdf5DirectChunks&) = delete;

  // The dataset `name` of the open file `path` (as netCDF-C was given it) when it can take direct writes: chunked,
  // no filter, native doubles, chunk dimensions `chunk`. Returns its index for write(), or -1 (write it through
  // netCDF-C instead).
  int open(const std::string& path, const std::string& name, const std::vector<std::size_t>& chunk);
  // The chunk whose first element is at `offset` (one index per dimension, multiples of the chunk dimensions):
  // `values` holds the chunk's whole data. False when HDF5 refused it (nothing written).
  bool write(int dataset, const std::size_t* offset, const double* values);
  // Closes the datasets (before nc_close, which would otherwise leave the file open).
  void close();

 private:
  struct Dataset {
    std::int64_t id;
    std::vector<std::size_t> chunk;
    std::size_t bytes;
  };
  std::vector<Dataset> sets_;
};

}  // namespace cohortgis::geodata
