// SPDX-License-Identifier: Apache-2.0
// check_netcdf_contained: the HDF5 walk before netCDF-C opens a NetCDF-4 file (netcdf_contained.hpp). Links HDF5
// directly (Debian libhdf5-dev, the library netCDF-C itself uses), read-only, metadata only.
#include "cohortgis/geodata/netcdf_contained.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "cohortgis/geodata/netcdf_lock.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::geodata {

namespace {

// HDF5 looks for its superblock at byte 0, 512, 1024, 2048, … (a user block before it); netCDF-C does the same.
bool has_hdf5_signature(const std::string& path) {
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  if (!in.seekg(0, std::ios::end)) return false;
  const auto end = static_cast<std::uint64_t>(in.tellg());
  for (std::uint64_t at = 0; at + 8 <= end; at = at ? at * 2 : 512) {
    char b[8] = {};
    if (!in.seekg(static_cast<std::streamoff>(at)) || !in.read(b, 8)) return false;
    if (std::memcmp(b, kSignature, 8) == 0) return true;
  }
  return false;
}

// A file or object name a hostile file wrote, for a message (escape_cell's 40 characters would cut most paths).
std::string shown(const std::string& s) { return escape_cell(s, 300); }

// An HDF5 identifier closed when it goes out of scope.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id >= 0) close(id);
  }
};

// HDF5 prints its error stack to stderr by default; a hostile file is reported in cohortgis's words instead.
struct QuietErrors {
  H5E_auto2_t func = nullptr;
  void* data = nullptr;
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

// The first filter of a dataset's pipeline that is not one of HDF5's own, as "ID ('NAME')", or "". netCDF-C asks HDF5
// for such a filter when it opens the file, and HDF5 then loads every shared library in HDF5_PLUGIN_PATH (or its
// default plugin folder) to find it: code that the environment names would run. The pipeline is read from the
// dataset's header only (H5Pget_filter2 without the filter's configuration, which would look the filter up).
std::string plugin_filter(hid_t dcpl) {
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0;
    std::size_t values = 0;
    char name[64] = {};
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &values, nullptr, sizeof name, name, nullptr);
    if (id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_SHUFFLE || id == H5Z_FILTER_FLETCHER32 || id == H5Z_FILTER_SZIP ||
        id == H5Z_FILTER_NBIT || id == H5Z_FILTER_SCALEOFFSET)
      continue;
    name[sizeof name - 1] = '\0';
    return std::to_string(id) + (name[0] ? " ('" + shown(name) + "')" : std::string());
  }
  return {};
}

struct Walk {
  std::string outside;
  bool failed = false;
};

constexpr const char* kInside = "; expected every variable and group stored inside the file itself";

// One link of the file (H5Lvisit gives every link once, with its path from the root, and enters hard-linked groups
// only: soft and external links are reported here, never followed).
herr_t visit_link(hid_t root, const char* name, const H5L_info_t* info, void* op) {
  auto& w = *static_cast<Walk*>(op);
  const std::string what = "'" + escape_cell(name) + "'";
  if (info->type == H5L_TYPE_SOFT || info->type == H5L_TYPE_EXTERNAL) {
    std::vector<char> value(std::min<std::size_t>(info->u.val_size, 1 << 16) + 1, '\0');
    if (H5Lget_val(root, name, value.data(), value.size(), H5P_DEFAULT) < 0) value.assign(1, '\0');
    if (info->type == H5L_TYPE_SOFT) {
      w.outside = what + " is a soft link (to '" + shown(value.data()) + "')" + kInside + " (no soft links)";
    } else {
      const char* file = "";
      const char* object = "";
      unsigned flags = 0;
      if (H5Lunpack_elink_val(value.data(), value.size(), &flags, &file, &object) < 0) file = object = "";
      w.outside = what + " is an external link to object '" + shown(object) + "' of the file '" + shown(file) + "'" +
                  kInside + " (no links to other files)";
    }
    return 1;
  }
  if (info->type != H5L_TYPE_HARD) {
    w.outside = what + " is a user-defined HDF5 link (type " + std::to_string(static_cast<int>(info->type)) + ")" +
                kInside + " (hard links only)";
    return 1;
  }
  // A hard link: the object itself is in this file. Opening a dataset reads its header, not its data.
  const Id object(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
  if (object.id < 0) return (w.failed = true, -1);
  if (H5Iget_type(object.id) != H5I_DATASET) return 0;
  const Id dcpl(H5Dget_create_plist(object.id), H5Pclose);
  if (dcpl.id < 0) return (w.failed = true, -1);
  const std::string variable = "variable " + what;
  const H5D_layout_t layout = H5Pget_layout(dcpl.id);
  if (layout == H5D_VIRTUAL) {
    w.outside = variable + " is an HDF5 virtual dataset (its values are read from other files); expected the data " +
                "inside the file";
    return 1;
  }
  if (const int n = H5Pget_external_count(dcpl.id); n != 0) {
    char file[1024] = {};
    off_t offset = 0;
    hsize_t size = 0;
    if (n < 0 || H5Pget_external(dcpl.id, 0, sizeof file, file, &offset, &size) < 0) file[0] = '\0';
    w.outside = variable + " stores its data in an external file ('" + shown(file) + "'" +
                (n > 1 ? " and " + std::to_string(n - 1) + " more" : std::string()) +
                "); expected the data inside the file";
    return 1;
  }
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT) {
    w.outside = variable + " has an HDF5 storage layout cohortgis does not know (" +
                std::to_string(static_cast<int>(layout)) + "); expected contiguous, chunked or compact storage";
    return 1;
  }
  if (const std::string filter = plugin_filter(dcpl.id); !filter.empty()) {
    w.outside = variable + " is compressed with HDF5 filter " + filter +
                ", which only a plugin library decodes (cohortgis loads none); expected the data uncompressed or "
                "compressed with HDF5's own filters (deflate, shuffle, Fletcher-32, szip, N-bit, scale-offset)";
    return 1;
  }
  return 0;
}

}  // namespace

NetcdfContainment check_netcdf_contained(const std::string& path) {
  NetcdfContainment out;
  if (!has_hdf5_signature(path)) return out;  // NetCDF-3 (its own reader reads nothing else), or not NetCDF at all
  const auto lock = lock_netcdf();            // netCDF-C calls the same HDF5 library
  const QuietErrors quiet;
  // The POSIX (sec2) driver, whatever HDF5's defaults or environment say: a local file, no network driver.
  const Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (fapl.id < 0 || H5Pset_fapl_sec2(fapl.id) < 0 || H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG) < 0)
    return (out.unchecked = true, out);
  const Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id), H5Fclose);
  if (file.id < 0) return (out.unchecked = true, out);
  const Id root(H5Gopen2(file.id, "/", H5P_DEFAULT), H5Gclose);
  if (root.id < 0) return (out.unchecked = true, out);
  Walk w;
  const herr_t status = H5Lvisit(root.id, H5_INDEX_NAME, H5_ITER_NATIVE, visit_link, &w);
  out.outside = w.outside;
  out.unchecked = out.outside.empty() && (status < 0 || w.failed);
  return out;
}

}  // namespace cohortgis::geodata
