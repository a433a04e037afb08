// SPDX-License-Identifier: Apache-2.0
// indicators.csv kept in memory for the run's own report (written_indicators.hpp).
#include "written_indicators.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <system_error>

#include <netcdf.h>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/netcdf_contained.hpp"
#include "cohortgis/geodata/netcdf_lock.hpp"
#include "results_read.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {
// A value as indicators.csv's text reads back: append_number_cell writes nothing for a value that is not finite (read
// as NaN) and "0" for -0.
double as_read_back(double v) { return !std::isfinite(v) ? std::nan("") : v == 0.0 ? 0.0 : v; }
}  // namespace

void WrittenIndicators::add(const std::string& variant, int year, const IndicatorTable& t, bool stocks_only) {
  const std::size_t cells = t.unit_names.size() * t.group_names.size();
  std::vector<std::size_t> ks;  // the indicators written, in the table's order
  for (std::size_t k = 0; k < t.n_indicators(); ++k)
    if (!stocks_only || is_stock_indicator(t.indicator_names[k])) ks.push_back(k);
  const std::size_t n = cells * ks.size();
  rows_ += n;
  added_.push_back({variant, year, stocks_only, t.unit_names.size(), t.group_names.size(), t.n_indicators()});
  if (!decided_) {  // by the first table (the base year): every table as large as a full one
    decided_ = true;
    keep_ = cells * t.n_indicators() * expected_tables_ <= max_values_;
  }
  if (!keep_) return;
  if (values_ + n > max_values_) {  // more than the run said it would write
    release();
    return;
  }
  values_ += n;
  Table tab;
  tab.variant = variant;
  tab.year = year;
  const Names* last = tables_.empty() ? nullptr : tables_.back().names.get();
  if (last && last->units == t.unit_names && last->groups == t.group_names && last->indicators.size() == ks.size() &&
      std::equal(ks.begin(), ks.end(), last->indicators.begin(),
                 [&](std::size_t k, const std::string& name) { return t.indicator_names[k] == name; })) {
    tab.names = tables_.back().names;
  } else {
    auto names = std::make_shared<Names>();
    names->units = t.unit_names;
    names->groups = t.group_names;
    for (std::size_t k : ks) names->indicators.push_back(t.indicator_names[k]);
    tab.names = std::move(names);
  }
  tab.values.reserve(n);
  for (std::size_t u = 0; u < t.unit_names.size(); ++u)
    for (std::size_t g = 0; g < t.group_names.size(); ++g) {
      const double* x = t.row(u, g);
      for (std::size_t k : ks) tab.values.push_back(as_read_back(x[k]));
    }
  tables_.push_back(std::move(tab));
}

bool WrittenIndicators::describes(const fs::path& path) const {
  if (!closed_) return false;
  std::error_code ec;
  if (no_file_) return path == path_ && !fs::exists(fs::symlink_status(path, ec));
  if (!fs::equivalent(path, path_, ec) || ec) return false;
  const std::uintmax_t size = fs::file_size(path, ec);
  return !ec && size == bytes_;
}

namespace {

// The keys and values of load_results from tables in the order indicators.csv has their rows: names interned in the
// order the rows name them, each table's values sorted by indicator id within a (unit, group) (stable).
class IndicatorCollector {
 public:
  explicit IndicatorCollector(std::size_t total) { values_.reserve(total); }
  // One table: values [unit][group][names.indicators]. False when its year does not fit the packed keys.
  bool add(const std::string& variant, int year, const WrittenIndicators::Names& names, const double* x) {
    if (!detail::indicator_year_fits(year)) return false;  // the file's reader says why
    const std::uint32_t v = keys_[0].intern(variant);
    if (&names != names_) {
      names_ = &names;
      units_.clear(), groups_.clear(), inds_.clear();
      for (const auto& u : names.units) units_.push_back(keys_[1].intern(u));
      for (const auto& g : names.groups) groups_.push_back(keys_[2].intern(g));
      for (const auto& k : names.indicators) inds_.push_back(keys_[3].intern(k));
      order_.resize(inds_.size());
      std::iota(order_.begin(), order_.end(), std::size_t{0});
      std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return inds_[a] < inds_[b]; });
    }
    years_.insert(year);
    for (std::uint32_t u : units_)
      for (std::uint32_t g : groups_) {
        for (std::size_t j : order_) values_.emplace_back(detail::indicator_key(v, year, u, g, inds_[j]), x[j]);
        x += inds_.size();
      }
    return true;
  }
  bool finish(Results& r) {
    if (!detail::indicator_ids_fit(keys_[0].names.size(), keys_[1].names.size(), keys_[2].names.size(),
                                   keys_[3].names.size()))
      return false;
    detail::set_indicators(r, keys_, std::move(values_), years_);
    return true;
  }

 private:
  Results::IndicatorKeys keys_[4];  // variant, unit, group, indicator: ids in the order the file's rows name them
  std::set<int> years_;
  std::vector<std::pair<std::uint64_t, double>> values_;
  const WrittenIndicators::Names* names_ = nullptr;
  std::vector<std::uint32_t> units_, groups_, inds_;
  std::vector<std::size_t> order_;  // a block's indicators by id (the order sorting by key gives; stable)
};

// results.nc's names of a string coordinate.
bool nc_strings(int id, const char* name, std::vector<std::string>& out) {
  int v = -1, dim = -1;
  std::size_t n = 0;
  if (nc_inq_varid(id, name, &v) != NC_NOERR || nc_inq_vardimid(id, v, &dim) != NC_NOERR ||
      nc_inq_dimlen(id, dim, &n) != NC_NOERR)
    return false;
  return detail::read_netcdf_strings(id, v, n, out) == NC_NOERR;
}

// The tables `expected` lists, from the run's own results.nc, one year at a time (the values as indicators.csv's
// text reads back: WrittenIndicators::add); null: every variant's every year in the file, the first year of each
// with its stock indicators only (a folder without indicators.csv). False (nothing added) where the file does not
// hold exactly those tables.
bool take_cube_indicators(Results& r, const fs::path& path, const std::vector<WrittenIndicators::Added>* expected) {
  const auto nc_lock = geodata::lock_netcdf();
  int id = -1;
  if (nc_open(path.c_str(), NC_NOWRITE, &id) != NC_NOERR) return false;
  struct Close {
    int id;
    ~Close() { nc_close(id); }
  } close{id};
  std::vector<std::string> variants, units, groups, indicators;
  int v_ind = -1, v_year = -1, d_year = -1;
  std::size_t n_years = 0;
  if (!nc_strings(id, "variant", variants) || !nc_strings(id, "unit", units) ||
      !nc_strings(id, "indicator_group", groups) || !nc_strings(id, "indicator", indicators) ||
      nc_inq_varid(id, "indicators", &v_ind) != NC_NOERR || nc_inq_varid(id, "year", &v_year) != NC_NOERR ||
      nc_inq_dimid(id, "year", &d_year) != NC_NOERR || nc_inq_dimlen(id, d_year, &n_years) != NC_NOERR)
    return false;
  std::vector<int> years(n_years);
  if (n_years && nc_get_var_int(id, v_year, years.data()) != NC_NOERR) return false;
  WrittenIndicators::Names all, stocks;
  all.units = stocks.units = units;
  all.groups = stocks.groups = groups;
  all.indicators = indicators;
  std::vector<std::size_t> stock_ks;
  for (std::size_t k = 0; k < indicators.size(); ++k)
    if (is_stock_indicator(indicators[k])) (stocks.indicators.push_back(indicators[k]), stock_ks.push_back(k));
  std::vector<WrittenIndicators::Added> in_file;
  if (!expected) {
    for (const auto& v : variants)
      for (std::size_t y = 0; y < n_years; ++y)
        in_file.push_back({v, years[y], y == 0, units.size(), groups.size(), indicators.size()});
    expected = &in_file;
  }
  // Every table as results.nc has it: same sizes, its variant in the file, its year at the variant's next index.
  std::vector<std::size_t> next(variants.size(), 0);
  std::vector<std::pair<std::size_t, std::size_t>> at;  // (variant, year) index of each table
  std::size_t total = 0;
  for (const auto& t : *expected) {
    const auto v = std::find(variants.begin(), variants.end(), t.variant);
    if (v == variants.end() || t.units != units.size() || t.groups != groups.size() ||
        t.indicators != indicators.size())
      return false;
    const std::size_t vi = uz(v - variants.begin()), yi = next[vi]++;
    if (yi >= n_years || years[yi] != t.year || t.stocks_only != (yi == 0)) return false;
    at.emplace_back(vi, yi);
    total += units.size() * groups.size() * (t.stocks_only ? stock_ks.size() : indicators.size());
  }
  IndicatorCollector collect(total);
  const std::size_t row = indicators.size(), cells = units.size() * groups.size();
  std::vector<double> year(cells * row), picked;
  for (std::size_t k = 0; k < at.size(); ++k) {
    const std::size_t start[5] = {at[k].first, at[k].second, 0, 0, 0};
    const std::size_t count[5] = {1, 1, units.size(), groups.size(), row};
    if (nc_get_vara_double(id, v_ind, start, count, year.data()) != NC_NOERR) return false;
    for (double& x : year) x = as_read_back(x);  // as WrittenIndicators::add keeps them
    const WrittenIndicators::Added& t = (*expected)[k];
    const double* x = year.data();
    if (t.stocks_only) {
      picked.clear();
      for (std::size_t c = 0; c < cells; ++c)
        for (std::size_t j : stock_ks) picked.push_back(year[c * row + j]);
      x = picked.data();
    }
    if (!collect.add(t.variant, t.year, t.stocks_only ? stocks : all, x)) return false;
  }
  return collect.finish(r);
}

// A results.nc read back without indicators.csv may be any file (a folder of an older version is not sealed): checked
// as read_netcdf_population checks its population before anything is read by the sizes it claims — data inside the
// file, each coordinate along its own dimension, `indicators` along (variant, year, unit, indicator_group,
// indicator), and bounds well above any run (255 variants, 100,000 years, 2^28 values a year, 2^30 in all).
void check_cube_indicators(const fs::path& path) {
  const std::string file = path.string();
  const geodata::NetcdfContainment inside = geodata::check_netcdf_contained(file);
  if (!inside.outside.empty()) throw InputError(file + ": " + inside.outside);
  const auto nc_lock = geodata::lock_netcdf();
  int id = -1;
  if (const int status = nc_open(file.c_str(), NC_NOWRITE, &id); status != NC_NOERR)
    throw InputError(file + ": cannot be read as NetCDF (" + nc_strerror(status) + ")");
  struct Close {
    int id;
    ~Close() { nc_close(id); }
  } close{id};
  const auto refuse = [&](const std::string& what) {
    throw InputError(file + ": " + what + "; expected a results.nc of cohortgis");
  };
  if (inside.unchecked) refuse("HDF5 cannot open it to check that its data are inside it, yet netCDF-C can");
  const char* const names[5] = {"variant", "year", "unit", "indicator_group", "indicator"};
  int dims[5] = {-1, -1, -1, -1, -1};
  std::size_t len[5] = {0, 0, 0, 0, 0};
  for (int k = 0; k < 5; ++k) {
    int v = -1, ndims = 0, d = -1;
    if (nc_inq_dimid(id, names[k], &dims[k]) != NC_NOERR || nc_inq_dimlen(id, dims[k], &len[k]) != NC_NOERR)
      refuse(std::string("no dimension ") + names[k]);
    if (nc_inq_varid(id, names[k], &v) != NC_NOERR) refuse(std::string("no variable ") + names[k]);
    if (nc_inq_varndims(id, v, &ndims) != NC_NOERR || ndims != 1 || nc_inq_vardimid(id, v, &d) != NC_NOERR ||
        d != dims[k])
      refuse(std::string("variable ") + names[k] + ": expected the dimension " + names[k]);
  }
  const double year_values = double(len[2]) * double(len[3]) * double(len[4]);
  if (len[0] > 255 || len[1] > 100000 || year_values > double(std::size_t{1} << 28) ||
      double(len[0]) * double(len[1]) * year_values > double(std::size_t{1} << 30))
    throw InputError(file + ": dimensions too large for a results.nc (" + std::to_string(len[0]) + " variants, " +
                     std::to_string(len[1]) + " years, " + std::to_string(len[2]) + " units, " +
                     std::to_string(len[3]) + " groups, " + std::to_string(len[4]) + " indicators)");
  int v_ind = -1, ndims = 0, got[5] = {-1, -1, -1, -1, -1};
  if (nc_inq_varid(id, "indicators", &v_ind) != NC_NOERR) refuse("no variable indicators");
  if (nc_inq_varndims(id, v_ind, &ndims) != NC_NOERR || ndims != 5 || nc_inq_vardimid(id, v_ind, got) != NC_NOERR ||
      !std::equal(got, got + 5, dims))
    refuse("variable indicators does not have the dimensions (variant, year, unit, indicator_group, indicator)");
}

}  // namespace

bool take_written_indicators(Results& r, WrittenIndicators& written, const fs::path& path) {
  if (!written.describes(path)) return false;
  if (!written.kept()) {
    // r is set only once every table was read (IndicatorCollector::finish).
    if (written.cube().empty() || !take_cube_indicators(r, written.cube(), &written.added())) return false;
    written.set_taken_from("results.nc");
    return true;
  }
  std::size_t total = 0;
  for (const auto& tab : written.tables()) total += tab.values.size();
  IndicatorCollector collect(total);
  for (auto& tab : written.tables()) {
    if (!collect.add(tab.variant, tab.year, *tab.names, tab.values.data())) {
      written.release();
      return false;
    }
    tab.values = {};  // freed as they are taken
  }
  written.release();
  if (!collect.finish(r)) return false;
  written.set_taken_from("memory");
  return true;
}

void read_cube_indicators(Results& r, const fs::path& results_nc) {
  check_cube_indicators(results_nc);
  if (!take_cube_indicators(r, results_nc, nullptr))
    throw InputError(results_nc.string() +
                     ": its `indicators` variable could not be read as the folder's indicators (the folder has no "
                     "indicators.csv); expected the results.nc that cohortgis run wrote");
}

}  // namespace cohortgis::app
