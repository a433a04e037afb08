// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/hdf5_chunks.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <hdf5.h>

#include "hdf5_files.hpp"

namespace cohortgis::geodata {

Hdf5DirectChunks::~Hdf5DirectChunks() { close(); }

int Hdf5DirectChunks::open(const std::string& path, const std::string& name, const std::vector<std::size_t>& chunk) {
  const hid_t file = detail::open_hdf5_file(path);
  if (file < 0) return -1;
  // The dataset netCDF-C has open: a second id of it, sharing its state (extent, chunk index) inside HDF5.
  const hid_t set = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  if (set < 0) return -1;
  bool ok = false;
  const hid_t dcpl = H5Dget_create_plist(set), type = H5Dget_type(set), space = H5Dget_space(set);
  if (dcpl >= 0 && type >= 0 && space >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_nfilters(dcpl) == 0 &&
      H5Tequal(type, H5T_NATIVE_DOUBLE) > 0) {
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank > 0 && uz(rank) == chunk.size()) {
      std::vector<hsize_t> dims(chunk.size());
      ok = H5Pget_chunk(dcpl, rank, dims.data()) == rank;
      for (std::size_t k = 0; ok && k < dims.size(); ++k) ok = dims[k] == chunk[k];
    }
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (!ok) {
    H5Dclose(set);
    return -1;
  }
  std::size_t values = 1;
  for (const std::size_t c : chunk) values *= c;
  sets_.push_back({set, chunk, values * sizeof(double)});
  return static_cast<int>(sets_.size() - 1);
}

bool Hdf5DirectChunks::write(int dataset, const std::size_t* offset, const double* values) {
  if (dataset < 0 || uz(dataset) >= sets_.size()) return false;
  const Dataset& d = sets_[uz(dataset)];
  if (d.bytes > UINT32_MAX) return false;  // H5Dwrite_chunk takes a 32-bit size
  hsize_t at[H5S_MAX_RANK];
  for (std::size_t k = 0; k < d.chunk.size(); ++k) at[k] = offset[k];
  return H5Dwrite_chunk(d.id, H5P_DEFAULT, 0, at, d.bytes, values) >= 0;
}

void Hdf5DirectChunks::close() {
  for (const Dataset& d : sets_) H5Dclose(d.id);
  sets_.clear();
}

}  // namespace cohortgis::geodata
