// SPDX-License-Identifier: Apache-2.0
// geodata::check_netcdf_contained: HDF5 (NetCDF-4) files that read data from outside themselves, found anywhere in
// the file (nested groups, coordinates, a user block before the superblock), and the files it leaves to the readers.
// The whole-command cases are bad_input_nc_hdf5_* and cli_hostile_results (tests/app).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cohortgis/geodata/netcdf_contained.hpp"

namespace fs = std::filesystem;
using cohortgis::geodata::check_netcdf_contained;

namespace {

const std::string kNetcdf = std::string(COHORTGIS_FIXTURES) + "/bad/netcdf/";

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("cohortgis_h5_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// A file with groups /g and /g/h and a dataset /g/h/values of 4 doubles, made by `edit` further.
template <class Edit>
std::string make_file(const fs::path& path, hsize_t user_block, Edit edit) {
  const hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (user_block) H5Pset_userblock(fcpl, user_block);
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  const hid_t g = H5Gcreate2(f, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t h = H5Gcreate2(g, "h", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t n = 4;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t d = H5Dcreate2(h, "values", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const double x[4] = {1, 2, 3, 4};
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
  edit(f, h, space);
  H5Dclose(d), H5Sclose(space), H5Gclose(h), H5Gclose(g), H5Fclose(f), H5Pclose(fcpl);
  return path.string();
}

}  // namespace

TEST(NetcdfContained, FilesOfTheCorpus) {
  // A NetCDF-4 cube of its own: nothing outside.
  const auto good = check_netcdf_contained(kNetcdf + "good.nc");
  EXPECT_EQ(good.outside, "");
  EXPECT_FALSE(good.unchecked);
  // HDF5's signature, but cut in half: left to netCDF-C's own error (which the caller keeps), marked unchecked.
  const auto cut = check_netcdf_contained(kNetcdf + "truncated.nc");
  EXPECT_EQ(cut.outside, "");
  EXPECT_TRUE(cut.unchecked);
  // NetCDF-3 and text: not HDF5, nothing to check.
  for (const char* f : {"truncated_classic.nc", "not_netcdf.nc", "no_such_file.nc"}) {
    const auto r = check_netcdf_contained(kNetcdf + f);
    EXPECT_EQ(r.outside, "") << f;
    EXPECT_FALSE(r.unchecked) << f;
  }
}

TEST(NetcdfContained, ExternalLinkInANestedGroup) {
  TempDir t;
  const auto file = make_file(t.path / "nested.nc", 0, [](hid_t, hid_t h, hid_t) {
    H5Lcreate_external("/etc/other.h5", "/secret", h, "elsewhere", H5P_DEFAULT, H5P_DEFAULT);
  });
  EXPECT_EQ(check_netcdf_contained(file).outside,
            "'g/h/elsewhere' is an external link to object '/secret' of the file '/etc/other.h5'; expected every "
            "variable and group stored inside the file itself (no links to other files)");
}

TEST(NetcdfContained, ExternalStorageBehindAUserBlock) {
  // The superblock at byte 512 (a user block before it): netCDF-C and HDF5 find it there, so must the check.
  TempDir t;
  const auto file = make_file(t.path / "userblock.nc", 512, [](hid_t f, hid_t, hid_t space) {
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_external(dcpl, "/etc/shadow", 0, 16);
    H5Pset_external(dcpl, "/etc/passwd", 0, 16);
    const hid_t d = H5Dcreate2(f, "zone", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dclose(d), H5Pclose(dcpl);
  });
  EXPECT_EQ(check_netcdf_contained(file).outside,
            "variable 'zone' stores its data in an external file ('/etc/shadow' and 1 more); expected the data inside "
            "the file");
}

TEST(NetcdfContained, HardLinksOnlyPassEvenInACycle) {
  // A hard link back to the root is still this file; the walk visits each group once and ends.
  TempDir t;
  const auto file = make_file(t.path / "cycle.nc", 0, [](hid_t f, hid_t h, hid_t) {
    H5Lcreate_hard(f, "/", h, "root_again", H5P_DEFAULT, H5P_DEFAULT);
  });
  const auto r = check_netcdf_contained(file);
  EXPECT_EQ(r.outside, "");
  EXPECT_FALSE(r.unchecked);
}

TEST(NetcdfContained, SoftLinkNamesItsTarget) {
  TempDir t;
  const auto file = make_file(t.path / "soft.nc", 0, [](hid_t f, hid_t, hid_t) {
    H5Lcreate_soft("/g/h/values", f, "population", H5P_DEFAULT, H5P_DEFAULT);
  });
  EXPECT_EQ(check_netcdf_contained(file).outside,
            "'population' is a soft link (to '/g/h/values'); expected every variable and group stored inside the "
            "file itself (no soft links)");
}
