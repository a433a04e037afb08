// SPDX-License-Identifier: Apache-2.0
// Internal pieces of reading a results folder back (load_results, results.cpp; results.nc in results_netcdf.cpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cohortgis/app/results.hpp"

namespace cohortgis::app::detail {

// Ages of population.csv and results.nc: far above any grid's open age (at most 130), and well inside int, so that
// the pyramids' labels (the width of each age group) cannot overflow.
constexpr int kMaxResultsAge = 1000;

// The key of Results::population_values: the parts joined by the unit separator (0x1F, in no name).
inline std::string key(std::initializer_list<std::string_view> parts) {
  std::string k;
  for (auto p : parts) {
    if (!k.empty()) k += '\x1f';
    k.append(p);
  }
  return k;
}

// The n values of a one-dimensional NC_STRING variable of an open NetCDF file (a missing one as ""), freed after the
// copy: netCDF-C's status (NC_NOERR = 0 when read). Called with the NetCDF lock held (geodata::lock_netcdf).
int read_netcdf_strings(int id, int var, std::size_t n, std::vector<std::string>& out);

// A results.nc without population.csv (--format netcdf): the pyramids' population, i.e. the first variant's (the
// baseline's) first and last years, read one year at a time (each is one state: bounded memory at any zone count).
// Throws InputError naming the file for anything cohortgis would not have written.
void read_netcdf_population(const std::filesystem::path& path, Results& r);

}  // namespace cohortgis::app::detail
