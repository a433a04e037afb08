// SPDX-License-Identifier: Apache-2.0
// geodata::release_hdf5_memory: the memory HDF5 keeps for a NetCDF-4 file being written (the global heaps of its
// string coordinates in the metadata cache) is given back, and the file is the same bytes as without it.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <netcdf.h>

#include <malloc.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cohortgis/geodata/netcdf_lock.hpp"

namespace fs = std::filesystem;
using cohortgis::geodata::release_hdf5_memory;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("cohortgis_h5mem_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

// The bytes HDF5's metadata cache of the open file `path` holds now (0 when no open file has that name).
std::size_t cache_bytes(const std::string& path) {
  std::vector<hid_t> ids(static_cast<std::size_t>(std::max<ssize_t>(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE), 0)));
  const ssize_t n = H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_FILE, ids.size(), ids.data());
  for (ssize_t k = 0; k < n; ++k) {
    std::string name(4096, '\0');
    const ssize_t len = H5Fget_name(ids[static_cast<std::size_t>(k)], name.data(), name.size());
    if (len < 0 || name.substr(0, static_cast<std::size_t>(len)) != path) continue;
    std::size_t max = 0, min_clean = 0, cur = 0;
    int entries = 0;
    if (H5Fget_mdc_size(ids[static_cast<std::size_t>(k)], &max, &min_clean, &cur, &entries) >= 0) return cur;
  }
  return 0;
}

struct Point {
  std::size_t cache = 0, heap = 0;  // HDF5's metadata cache, the bytes malloc has handed out
};
Point now(const std::string& path) { return {cache_bytes(path), mallinfo2().uordblks}; }

// A file as NetcdfWriter makes one: 50,000 zone ids as a string coordinate, then a year of doubles. `release`: give
// HDF5's memory back between the two; returns the memory before and after that point.
std::pair<Point, Point> write_file(const std::string& path, bool release) {
  const auto lock = cohortgis::geodata::lock_netcdf();
  const std::size_t zones = 50000;
  int id = -1, dim = -1, v_id = -1, v_x = -1;
  EXPECT_EQ(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id), NC_NOERR);
  EXPECT_EQ(nc_def_dim(id, "zone", zones, &dim), NC_NOERR);
  EXPECT_EQ(nc_def_var(id, "zone_id", NC_STRING, 1, &dim, &v_id), NC_NOERR);
  EXPECT_EQ(nc_def_var(id, "x", NC_DOUBLE, 1, &dim, &v_x), NC_NOERR);
  EXPECT_EQ(nc_enddef(id), NC_NOERR);
  std::vector<std::string> names;
  std::vector<const char*> p;
  for (std::size_t z = 0; z < zones; ++z) names.push_back("zone-" + std::to_string(z * 7919) + "-of-the-grid");
  for (const auto& s : names) p.push_back(s.c_str());
  const std::size_t start = 0, count = zones;
  EXPECT_EQ(nc_put_vara_string(id, v_id, &start, &count, p.data()), NC_NOERR);
  const Point before = now(path);
  if (release) {
    EXPECT_TRUE(release_hdf5_memory(path));
  }
  const Point after = now(path);
  std::vector<double> x(zones);
  for (std::size_t z = 0; z < zones; ++z) x[z] = 0.5 * static_cast<double>(z);
  EXPECT_EQ(nc_put_var_double(id, v_x, x.data()), NC_NOERR);
  EXPECT_EQ(nc_close(id), NC_NOERR);
  return {before, after};
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST(Hdf5Memory, ReleasesTheStringHeapsAndKeepsTheBytes) {
  TempDir dir;
  const std::string kept = (dir.path / "kept.nc").string(), released = (dir.path / "released.nc").string();
  const auto [kept_before, kept_after] = write_file(kept, false);
  const auto [before, after] = write_file(released, true);
  // 50,000 strings: 2 MB of metadata cache (its initial size) and 7 MB more of heap. The cache is shrunk below
  // HDF5's default minimum (1 MiB, which kept global heaps of strings at the peak) to its smallest size, 1 KiB:
  // nothing is left (at most 64 KiB checked) and at least 6 MB of heap given back
  // (7.8 MB when this test was written; about 4.3 with the cache at its default minimum).
  EXPECT_GT(before.cache, std::size_t{3} << 19);
  EXPECT_EQ(kept_after.cache, kept_before.cache);
  EXPECT_LE(after.cache, std::size_t{64} << 10) << after.cache;
  // Under ASan's allocator mallinfo2() reports nothing (0): there only the cache is checked.
  if (before.heap > 0) {
    EXPECT_GT(before.heap, after.heap + (std::size_t{6} << 20)) << before.heap << " -> " << after.heap;
  }
  const std::string a = bytes(kept), b = bytes(released);
  EXPECT_GT(a.size(), std::size_t{1} << 20);
  EXPECT_TRUE(a == b) << "the file changed: " << a.size() << " and " << b.size() << " bytes";
}

TEST(Hdf5Memory, NoOpenFileOfThatName) {
  TempDir dir;
  EXPECT_FALSE(release_hdf5_memory((dir.path / "none.nc").string()));
}
