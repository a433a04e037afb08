// SPDX-License-Identifier: Apache-2.0
// Hostile NetCDF-4 files for the tests of geodata/netcdf_contained.hpp: a copy of a valid file (a bad-input cube, a
// run's results.nc) whose variable VAR takes its values from outside the file, as HDF5 allows and netCDF-C follows
// without saying so. Written with the HDF5 API (netCDF-C cannot write any of these).
//   make_hostile_hdf5 MODE IN.nc OUT.nc VAR
// MODE: external-storage  VAR's bytes in OUT.nc.data, an external raw file named by its absolute path;
//       external-link     VAR an external link to /VAR of OUT.nc.target.nc (a copy of IN.nc);
//       soft-link         VAR a soft link to /VAR_data (VAR renamed);
//       virtual           VAR a virtual dataset mapping /VAR of OUT.nc.source.nc (a copy of IN.nc);
//       plugin-filter     VAR chunked through HDF5 filter 40000 ("probe", an identity filter registered here): a
//                         filter only a plugin library gives, which HDF5 looks for in HDF5_PLUGIN_PATH.
// The values, dimensions and attributes of VAR stay as in IN.nc, so netCDF-C reads the same numbers from outside.
#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "make_hostile_hdf5: %s\n", what.c_str());
  std::exit(2);
}

hid_t ok(hid_t id, const char* what) {
  if (id < 0) die(what);
  return id;
}

// Copies every attribute of `from` to `to` (DIMENSION_LIST included: its references point into the same file).
herr_t copy_attribute(hid_t from, const char* name, const H5A_info_t*, void* op) {
  const hid_t to = *static_cast<hid_t*>(op);
  const hid_t a = ok(H5Aopen(from, name, H5P_DEFAULT), "H5Aopen");
  const hid_t ftype = ok(H5Aget_type(a), "H5Aget_type");
  const hid_t mtype = ok(H5Tget_native_type(ftype, H5T_DIR_DEFAULT), "H5Tget_native_type");
  const hid_t space = ok(H5Aget_space(a), "H5Aget_space");
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<unsigned char> buf(std::max<std::size_t>(1, n) * H5Tget_size(mtype));
  ok(H5Aread(a, mtype, buf.data()), "H5Aread");
  const hid_t b = ok(H5Acreate2(to, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2");
  ok(H5Awrite(b, mtype, buf.data()), "H5Awrite");
  H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, buf.data());
  H5Aclose(b), H5Sclose(space), H5Tclose(mtype), H5Tclose(ftype), H5Aclose(a);
  return 0;
}

// Replaces dataset `var` by one of the same type, shape and attributes created with `dcpl`; `data` (the old values)
// is written to it when not empty.
void replace(hid_t file, const std::string& var, hid_t dcpl, bool write) {
  const hid_t old = ok(H5Dopen2(file, var.c_str(), H5P_DEFAULT), "H5Dopen2 VAR");
  const hid_t type = ok(H5Dget_type(old), "H5Dget_type");
  const hid_t mtype = ok(H5Tget_native_type(type, H5T_DIR_DEFAULT), "H5Tget_native_type");
  const hid_t space = ok(H5Dget_space(old), "H5Dget_space");
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  const hid_t fixed = ok(H5Screate_simple(rank, dims.data(), nullptr), "H5Screate_simple");
  std::vector<unsigned char> data;
  if (write) {
    data.resize(std::max<std::size_t>(1, static_cast<std::size_t>(H5Sget_simple_extent_npoints(space))) *
                H5Tget_size(mtype));
    ok(H5Dread(old, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dread");
  }
  const std::string tmp = var + "_new";
  const hid_t fresh = ok(H5Dcreate2(file, tmp.c_str(), type, fixed, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2");
  hid_t to = fresh;
  ok(H5Aiterate2(old, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, copy_attribute, &to), "copying the attributes");
  if (write) ok(H5Dwrite(fresh, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dwrite");
  H5Dclose(fresh), H5Sclose(fixed), H5Sclose(space), H5Tclose(mtype), H5Tclose(type), H5Dclose(old);
  ok(H5Ldelete(file, var.c_str(), H5P_DEFAULT), "H5Ldelete");
  ok(H5Lmove(file, tmp.c_str(), file, var.c_str(), H5P_DEFAULT, H5P_DEFAULT), "H5Lmove");
}

hid_t new_dcpl() {
  const hid_t dcpl = ok(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate");
  // As netCDF-C writes its variables (it lists attributes in creation order).
  H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  H5Pset_obj_track_times(dcpl, 0);
  return dcpl;
}

// Filter 40000 (in the range HDF5 leaves to third parties): passes the bytes through.
std::size_t same_bytes(unsigned, std::size_t, const unsigned[], std::size_t bytes, std::size_t*, void**) {
  return bytes;
}
const H5Z_class2_t kProbeFilter = {H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(40000), 1, 1, "probe", nullptr, nullptr,
                                   same_bytes};

hsize_t bytes_of(hid_t file, const std::string& var) {
  const hid_t d = ok(H5Dopen2(file, var.c_str(), H5P_DEFAULT), "H5Dopen2 VAR");
  const hid_t t = H5Dget_type(d), s = H5Dget_space(d);
  const auto n = static_cast<hsize_t>(H5Sget_simple_extent_npoints(s)) * H5Tget_size(t);
  H5Sclose(s), H5Tclose(t), H5Dclose(d);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5)
    die("usage: make_hostile_hdf5 external-storage|external-link|soft-link|virtual|plugin-filter IN.nc OUT.nc VAR");
  const std::string mode = argv[1], var = argv[4];
  const fs::path in = argv[2], out = fs::absolute(argv[3]);
  std::error_code ec;
  fs::copy_file(in, out, fs::copy_options::overwrite_existing, ec);
  if (ec) die("copying " + in.string() + ": " + ec.message());
  const hid_t file = ok(H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen OUT");
  if (mode == "external-storage") {
    const std::string raw = out.string() + ".data";
    fs::remove(raw, ec);
    const hid_t dcpl = new_dcpl();
    ok(H5Pset_layout(dcpl, H5D_CONTIGUOUS), "H5Pset_layout");
    ok(H5Pset_external(dcpl, raw.c_str(), 0, bytes_of(file, var)), "H5Pset_external");
    replace(file, var, dcpl, true);  // HDF5 writes the values into `raw`
    H5Pclose(dcpl);
  } else if (mode == "external-link") {
    const std::string target = out.string() + ".target.nc";
    fs::copy_file(in, target, fs::copy_options::overwrite_existing, ec);
    if (ec) die("copying to " + target + ": " + ec.message());
    ok(H5Ldelete(file, var.c_str(), H5P_DEFAULT), "H5Ldelete");
    ok(H5Lcreate_external(target.c_str(), ("/" + var).c_str(), file, var.c_str(), H5P_DEFAULT, H5P_DEFAULT),
       "H5Lcreate_external");
  } else if (mode == "soft-link") {
    ok(H5Lmove(file, var.c_str(), file, (var + "_data").c_str(), H5P_DEFAULT, H5P_DEFAULT), "H5Lmove");
    ok(H5Lcreate_soft(("/" + var + "_data").c_str(), file, var.c_str(), H5P_DEFAULT, H5P_DEFAULT), "H5Lcreate_soft");
  } else if (mode == "virtual") {
    const std::string source = out.string() + ".source.nc";
    fs::copy_file(in, source, fs::copy_options::overwrite_existing, ec);
    if (ec) die("copying to " + source + ": " + ec.message());
    const hid_t d = ok(H5Dopen2(file, var.c_str(), H5P_DEFAULT), "H5Dopen2 VAR");
    const hid_t s = H5Dget_space(d);
    const int rank = H5Sget_simple_extent_ndims(s);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
    H5Sget_simple_extent_dims(s, dims.data(), nullptr);
    const hid_t whole = ok(H5Screate_simple(rank, dims.data(), nullptr), "H5Screate_simple");
    H5Sclose(s), H5Dclose(d);
    const hid_t dcpl = new_dcpl();
    ok(H5Pset_virtual(dcpl, whole, source.c_str(), ("/" + var).c_str(), whole), "H5Pset_virtual");
    replace(file, var, dcpl, false);
    H5Pclose(dcpl), H5Sclose(whole);
  } else if (mode == "plugin-filter") {
    ok(H5Zregister(&kProbeFilter), "H5Zregister");
    const hid_t d = ok(H5Dopen2(file, var.c_str(), H5P_DEFAULT), "H5Dopen2 VAR");
    const hid_t s = H5Dget_space(d);
    const int rank = H5Sget_simple_extent_ndims(s);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
    H5Sget_simple_extent_dims(s, dims.data(), nullptr);
    H5Sclose(s), H5Dclose(d);
    const hid_t dcpl = new_dcpl();
    ok(H5Pset_chunk(dcpl, rank, dims.data()), "H5Pset_chunk");
    ok(H5Pset_filter(dcpl, 40000, H5Z_FLAG_MANDATORY, 0, nullptr), "H5Pset_filter");
    replace(file, var, dcpl, true);
    H5Pclose(dcpl);
  } else {
    die("unknown mode " + mode);
  }
  ok(H5Fclose(file), "H5Fclose");
  return 0;
}
