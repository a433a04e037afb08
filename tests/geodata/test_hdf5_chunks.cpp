// SPDX-License-Identifier: Apache-2.0
// geodata::Hdf5DirectChunks: whole chunks written straight into a NetCDF-4 file that netCDF-C is writing give the
// same bytes as nc_put_vara of the same chunks in the same order, and read back through netCDF-C as written; what
// it cannot take (filters, other chunk dimensions, a chunk past the dataset's extent) is refused.
#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/geodata/hdf5_chunks.hpp"
#include "cohortgis/geodata/netcdf_lock.hpp"

namespace fs = std::filesystem;
using cohortgis::geodata::Hdf5DirectChunks;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("cohortgis_h5chunks_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// x(variant = 1, year unlimited, zone = 10, age = 3), chunks of 4 zones (4, 4 and a shorter 2), fill NaN, as
// NetcdfWriter defines its variables; three years of values, each year chunk by chunk in zone order. direct: a
// year's whole chunks after its first straight into the file. Returns the values written.
constexpr std::size_t kZones = 10, kAges = 3, kRows = 4, kYears = 3;
double value_at(std::size_t year, std::size_t zone, std::size_t age) {
  return static_cast<double>(year * 1000 + zone * 10 + age) + 0.25;
}

void write_file(const std::string& path, bool direct) {
  const auto lock = cohortgis::geodata::lock_netcdf();
  int id = -1, d[4], v = -1;
  ASSERT_EQ(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "variant", 1, &d[0]), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "year", NC_UNLIMITED, &d[1]), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "zone", kZones, &d[2]), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "age", kAges, &d[3]), NC_NOERR);
  ASSERT_EQ(nc_def_var(id, "x", NC_DOUBLE, 4, d, &v), NC_NOERR);
  const std::size_t chunks[4] = {1, 1, kRows, kAges};
  ASSERT_EQ(nc_def_var_chunking(id, v, NC_CHUNKED, chunks), NC_NOERR);
  const double fill = std::numeric_limits<double>::quiet_NaN();
  ASSERT_EQ(nc_def_var_fill(id, v, 0, &fill), NC_NOERR);
  ASSERT_EQ(nc_enddef(id), NC_NOERR);
  ASSERT_EQ(nc_set_var_chunk_cache(id, v, 0, 0, 1.0f), NC_NOERR);
  Hdf5DirectChunks writer;
  const int set = direct ? writer.open(path, "x", {1, 1, kRows, kAges}) : -1;
  if (direct) {
    ASSERT_GE(set, 0);
  }
  for (std::size_t y = 0; y < kYears; ++y)
    for (std::size_t z0 = 0; z0 < kZones; z0 += kRows) {
      const std::size_t n = std::min(kRows, kZones - z0);
      std::vector<double> chunk;
      for (std::size_t z = z0; z < z0 + n; ++z)
        for (std::size_t a = 0; a < kAges; ++a) chunk.push_back(value_at(y, z, a));
      const std::size_t start[4] = {0, y, z0, 0}, count[4] = {1, 1, n, kAges};
      if (direct && z0 > 0 && n == kRows)
        ASSERT_TRUE(writer.write(set, start, chunk.data()));
      else
        ASSERT_EQ(nc_put_vara_double(id, v, start, count, chunk.data()), NC_NOERR);
    }
  writer.close();
  ASSERT_EQ(nc_close(id), NC_NOERR);
}

}  // namespace

TEST(Hdf5DirectChunks, WholeChunksGiveTheBytesOfNetcdfsOwnWrites) {
  TempDir dir;
  const std::string through = (dir.path / "through.nc").string(), direct = (dir.path / "direct.nc").string();
  write_file(through, false);
  write_file(direct, true);
  const std::string one = bytes_of(through), two = bytes_of(direct);
  ASSERT_GT(one.size(), kYears * kZones * kAges * sizeof(double));
  EXPECT_TRUE(one == two) << "direct.nc differs from through.nc";
  // Read back through netCDF-C: every value of every year, the shorter last chunk included.
  const auto lock = cohortgis::geodata::lock_netcdf();
  int id = -1, v = -1;
  ASSERT_EQ(nc_open(direct.c_str(), NC_NOWRITE, &id), NC_NOERR);
  ASSERT_EQ(nc_inq_varid(id, "x", &v), NC_NOERR);
  std::vector<double> got(kYears * kZones * kAges);
  ASSERT_EQ(nc_get_var_double(id, v, got.data()), NC_NOERR);
  ASSERT_EQ(nc_close(id), NC_NOERR);
  for (std::size_t y = 0, k = 0; y < kYears; ++y)
    for (std::size_t z = 0; z < kZones; ++z)
      for (std::size_t a = 0; a < kAges; ++a, ++k) EXPECT_EQ(got[k], value_at(y, z, a)) << y << " " << z << " " << a;
}

TEST(Hdf5DirectChunks, RefusesWhatItCannotWriteStraight) {
  TempDir dir;
  const std::string path = (dir.path / "refused.nc").string();
  const auto lock = cohortgis::geodata::lock_netcdf();
  int id = -1, d[2], plain = -1, packed = -1, ints = -1;
  ASSERT_EQ(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "year", NC_UNLIMITED, &d[0]), NC_NOERR);
  ASSERT_EQ(nc_def_dim(id, "zone", 8, &d[1]), NC_NOERR);
  const std::size_t chunks[2] = {1, 4};
  for (auto [name, type, var] : {std::tuple{"plain", NC_DOUBLE, &plain}, std::tuple{"packed", NC_DOUBLE, &packed},
                                 std::tuple{"ints", NC_INT, &ints}}) {
    ASSERT_EQ(nc_def_var(id, name, type, 2, d, var), NC_NOERR);
    ASSERT_EQ(nc_def_var_chunking(id, *var, NC_CHUNKED, chunks), NC_NOERR);
  }
  ASSERT_EQ(nc_def_var_deflate(id, packed, 1, 1, 1), NC_NOERR);
  ASSERT_EQ(nc_enddef(id), NC_NOERR);
  Hdf5DirectChunks writer;
  EXPECT_EQ(writer.open((dir.path / "other.nc").string(), "plain", {1, 4}), -1);  // no such open file
  EXPECT_EQ(writer.open(path, "none", {1, 4}), -1);                               // no such dataset
  EXPECT_EQ(writer.open(path, "packed", {1, 4}), -1);                             // a filter
  EXPECT_EQ(writer.open(path, "ints", {1, 4}), -1);                               // not doubles
  EXPECT_EQ(writer.open(path, "plain", {1, 8}), -1);                              // other chunk dimensions
  EXPECT_EQ(writer.open(path, "plain", {4}), -1);                                 // other rank
  const int set = writer.open(path, "plain", {1, 4});
  ASSERT_GE(set, 0);
  const double values[4] = {1, 2, 3, 4};
  const std::size_t year0[2] = {0, 4};
  EXPECT_FALSE(writer.write(set, year0, values));  // the year is not in the dataset yet (netCDF-C extends it)
  const std::size_t start[2] = {0, 0}, count[2] = {1, 4};
  ASSERT_EQ(nc_put_vara_double(id, plain, start, count, values), NC_NOERR);
  EXPECT_TRUE(writer.write(set, year0, values));
  EXPECT_FALSE(writer.write(set + 1, year0, values));  // no such dataset index
  writer.close();
  ASSERT_EQ(nc_close(id), NC_NOERR);
}
