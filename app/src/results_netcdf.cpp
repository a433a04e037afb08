// SPDX-License-Identifier: Apache-2.0
#include "results_read.hpp"

#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/netcdf_contained.hpp"
#include "cohortgis/geodata/netcdf_lock.hpp"

namespace cohortgis::app::detail {

namespace fs = std::filesystem;

int read_netcdf_strings(int id, int var, std::size_t n, std::vector<std::string>& out) {
  std::vector<char*> p(n, nullptr);
  if (n) {
    const int status = nc_get_var_string(id, var, p.data());
    if (status != NC_NOERR) return status;
  }
  out.clear();
  out.reserve(n);
  for (const char* s : p) out.emplace_back(s ? s : "");
  if (n) nc_free_string(n, p.data());
  return NC_NOERR;
}

void read_netcdf_population(const fs::path& path, Results& r) {
  const auto nc_lock = geodata::lock_netcdf();
  int id = -1;
  const std::string file = path.string();
  auto check = [&](int status, const std::string& what) {
    if (status == NC_NOERR) return;
    if (id >= 0) nc_close(id);
    throw InputError(file + ": " + what + " (" + nc_strerror(status) + ")");
  };
  auto refuse = [&](const std::string& what) {  // a file netCDF-C reads, but not one cohortgis wrote
    if (id >= 0) nc_close(id);
    throw InputError(file + ": " + what + "; expected a results.nc of cohortgis");
  };
  // Data in other files (external storage, external or soft links, virtual datasets): refused before netCDF-C
  // opens the file and follows them (netcdf_contained.hpp).
  const geodata::NetcdfContainment inside = geodata::check_netcdf_contained(file);
  if (!inside.outside.empty()) throw InputError(file + ": " + inside.outside);
  check(nc_open(file.c_str(), NC_NOWRITE, &id), "cannot be read as NetCDF");
  if (inside.unchecked) refuse("HDF5 cannot open it to check that its data are inside it, yet netCDF-C can");
  // Each coordinate variable lies along the dimension of its own name (population's dimensions are checked against
  // them below).
  auto strings = [&](const char* name) {
    int v = -1, dim = -1, own = -1;
    std::size_t n = 0;
    int ndims = 0;
    check(nc_inq_varid(id, name, &v), std::string("no variable ") + name);
    check(nc_inq_varndims(id, v, &ndims), std::string("variable ") + name);
    if (ndims != 1) refuse(std::string("variable ") + name + ": expected one dimension");
    check(nc_inq_vardimid(id, v, &dim), std::string("variable ") + name);
    check(nc_inq_dimid(id, name, &own), std::string("no dimension ") + name);
    if (dim != own) refuse(std::string("variable ") + name + ": expected the dimension " + name);
    check(nc_inq_dimlen(id, dim, &n), std::string("dimension of ") + name);
    if (n > 10'000'000) refuse(std::string("dimension of ") + name + ": over 10 million names");
    std::vector<std::string> out;
    check(read_netcdf_strings(id, v, n, out), std::string("reading ") + name);
    return out;
  };
  const std::vector<std::string> variants = strings("variant"), zones = strings("zone"), groups = strings("group"),
                                 sexes = strings("sex");
  int v_age = -1, v_year = -1, v_pop = -1, d_year = -1;
  std::size_t n_ages = 0, n_years = 0;
  if (nc_inq_varid(id, "population", &v_pop) != NC_NOERR) {  // [outputs] population = false
    nc_close(id);
    return;
  }
  check(nc_inq_varid(id, "age", &v_age), "no variable age");
  check(nc_inq_varid(id, "year", &v_year), "no variable year");
  check(nc_inq_dimid(id, "year", &d_year), "no dimension year");
  check(nc_inq_dimlen(id, d_year, &n_years), "dimension year");
  int d_age = -1;
  check(nc_inq_dimid(id, "age", &d_age), "no dimension age");
  check(nc_inq_dimlen(id, d_age, &n_ages), "dimension age");
  // A hand-made file can claim any length for a dimension: bounds well above any results.nc of cohortgis (1,000
  // ages, 100,000 years, a state of 2^28 values = 2 GiB, which one year's buffer below holds) are checked first.
  const double state = double(zones.size()) * double(groups.size()) * double(sexes.size()) * double(n_ages);
  if (n_ages > 1000 || n_years > 100000 || state > double(std::size_t{1} << 28)) {
    nc_close(id);
    throw InputError(file + ": dimensions too large for a results.nc (" + std::to_string(zones.size()) + " zones, " +
                     std::to_string(groups.size()) + " groups, " + std::to_string(sexes.size()) + " sexes, " +
                     std::to_string(n_ages) + " ages, " + std::to_string(n_years) + " years)");
  }
  // Whole-variable reads below write as many values as the variable has: each must be exactly its dimension, and
  // population six-dimensional, or a hand-made file would make them write past the buffers.
  auto one_dimension = [&](int var, int dim, const char* name) {
    int ndims = 0, d = -1;
    check(nc_inq_varndims(id, var, &ndims), std::string("variable ") + name);
    if (ndims == 1) check(nc_inq_vardimid(id, var, &d), std::string("variable ") + name);
    if (ndims != 1 || d != dim) refuse(std::string("variable ") + name + ": expected the dimension " + name);
  };
  one_dimension(v_age, d_age, "age");
  one_dimension(v_year, d_year, "year");
  // population's own dimensions, in order: one of another order or other dimensions (even of the same lengths) was
  // read as if it were (variant, year, zone, group, sex, age), a silent wrong pyramid (hostile probe, round 10).
  int pop_dims = 0, dims[6] = {-1, -1, -1, -1, -1, -1};
  check(nc_inq_varndims(id, v_pop, &pop_dims), "variable population");
  if (pop_dims == 6) check(nc_inq_vardimid(id, v_pop, dims), "variable population");
  bool in_order = pop_dims == 6;
  const char* const dim_names[6] = {"variant", "year", "zone", "group", "sex", "age"};
  for (int k = 0; k < 6 && in_order; ++k) {
    int want = -1;
    in_order = nc_inq_dimid(id, dim_names[k], &want) == NC_NOERR && dims[k] == want;
  }
  if (!in_order) refuse("variable population does not have the dimensions (variant, year, zone, group, sex, age)");
  std::vector<int> ages(n_ages), years(n_years);
  check(nc_get_var_int(id, v_age, ages.data()), "reading age");
  check(nc_get_var_int(id, v_year, years.data()), "reading year");
  for (std::size_t i = 0; i < ages.size(); ++i)
    if (ages[i] < 0 || ages[i] > kMaxResultsAge || (i > 0 && ages[i] <= ages[i - 1]))
      refuse("variable age holds " + std::to_string(ages[i]) + " at index " + std::to_string(i) +
             ", not an age from 0 to " + std::to_string(kMaxResultsAge) + " above the one before it");
  r.population_ages = ages;
  std::vector<double> year_values(zones.size() * groups.size() * sexes.size() * n_ages);
  if (variants.empty() || n_years == 0) {
    nc_close(id);
    return;
  }
  for (const std::size_t t : {std::size_t{0}, n_years - 1}) {
    const std::size_t start[6] = {0, t, 0, 0, 0, 0};
    const std::size_t count[6] = {1, 1, zones.size(), groups.size(), sexes.size(), n_ages};
    check(nc_get_vara_double(id, v_pop, start, count, year_values.data()), "reading population");
    std::size_t i = 0;
    for (const auto& z : zones)
      for (const auto& g : groups)
        for (const auto& x : sexes) {
          r.population_values[key({variants.front(), std::to_string(years[t]), z, g, x})].assign(
              year_values.begin() + static_cast<std::ptrdiff_t>(i),
              year_values.begin() + static_cast<std::ptrdiff_t>(i + n_ages));
          i += n_ages;
        }
  }
  nc_close(id);
}

}  // namespace cohortgis::app::detail
