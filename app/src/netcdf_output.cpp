// SPDX-License-Identifier: Apache-2.0
#include "netcdf_output.hpp"

#include <netcdf.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/parity.hpp"
#include "cohortgis/engine/planning.hpp"
#include "cohortgis/geodata/hdf5_chunks.hpp"
#include "cohortgis/geodata/netcdf_lock.hpp"

namespace cohortgis::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Chunks of about 1 MiB along the zone (or unit) axis, one year and one variant each: a year is written in whole
// chunks, and a reader of one zone's time series touches one chunk per year.
std::size_t chunk_rows(std::size_t rows, std::size_t row_values) {
  const std::size_t target = (std::size_t{1} << 20) / (8 * std::max<std::size_t>(row_values, 1));
  return std::clamp<std::size_t>(target, 1, std::max<std::size_t>(rows, 1));
}

// Every value +0.0, bit for bit (a -0.0 or NaN is written). Eight values' bits OR-ed before one test: a branch per
// eight values, not per value (this scan was 60 % of put_state's samples on the results.nc writer's thread at W40k:
// three state-sized arrays a year, the transfers and floor adjustments).
bool all_plus_zero(const double* values, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t bits = 0;
    for (std::size_t k = 0; k < 8; ++k) bits |= std::bit_cast<std::uint64_t>(values[i + k]);
    if (bits != 0) return false;
  }
  for (; i < n; ++i)
    if (std::bit_cast<std::uint64_t>(values[i]) != 0) return false;
  return true;
}

}  // namespace

CubeFormat parse_cube_format(const std::string& text, const std::string& what) {
  if (text == "csv") return CubeFormat::csv;
  if (text == "netcdf") return CubeFormat::netcdf;
  if (text == "both") return CubeFormat::both;
  throw InputError(what + ": '" + text + "'; expected csv, netcdf or both");
}

CubeFormat choose_cube_format(const std::string& asked, const scenarios::Scenario& sc, std::size_t variants) {
  if (!asked.empty()) return parse_cube_format(asked, "--format");
  const double values = static_cast<double>(sc.zones.size()) * static_cast<double>(sc.group_names.size()) * 2.0 *
                        sc.grid.n_ages * (sc.steps + 1) * static_cast<double>(variants);
  return values > kNetcdfDefaultAboveValues ? CubeFormat::netcdf : CubeFormat::csv;
}

bool indicators_csv_needed(const scenarios::ScenarioSet& set) {
  if (set.monitoring.enabled()) return true;
  return std::any_of(set.runs.begin(), set.runs.end(), [](const scenarios::Scenario& r) {
    return r.parity || (r.planning && !r.planning->headship.empty());
  });
}

void NetcdfWriter::check(int status, const std::string& what) const {
  if (status != NC_NOERR) throw InputError(path_ + ": " + what + " failed (" + nc_strerror(status) + ")");
}

NetcdfWriter::NetcdfWriter(const std::filesystem::path& path, const scenarios::ScenarioSet& set,
                           const std::vector<ZoneAggregate>& aggregates, const std::vector<std::string>& variants,
                           int deflate_level)
    : path_(path.string()),
      set_(set),
      sc_(&set.runs.front()),
      aggregates_(aggregates),
      variants_(variants),
      deflate_(deflate_level) {
  if (deflate_ < 0 || deflate_ > 9)
    throw InputError("--compress: deflate level " + std::to_string(deflate_) + "; expected 0 (off) to 9");
  const auto nc_lock = geodata::lock_netcdf();  // every use of netCDF-C holds it (geodata/netcdf_lock.hpp)
  check(nc_create(path_.c_str(), NC_NETCDF4 | NC_CLOBBER, &ncid_), "creating the file");
}

NetcdfWriter::~NetcdfWriter() {
  const auto nc_lock = geodata::lock_netcdf();
  direct_.reset();  // its datasets closed before the file
  if (ncid_ >= 0) nc_close(ncid_);
}

void NetcdfWriter::begin_variant(const scenarios::Scenario& scenario) {
  sc_ = &scenario;
  parity_ = nullptr;  // the variant's ParityRecorder sets it (run.cpp)
  for (std::size_t v = 0; v < variants_.size(); ++v)
    if (variants_[v] == scenario.variant) variant_ = v;
  year_index_ = 0;
}

// Dimensions, coordinates and variables, from the first (base-year) indicator table; then data mode for good.
void NetcdfWriter::define(const IndicatorTable& t) {
  const scenarios::Scenario& sc = *sc_;
  zones_ = static_cast<int>(sc.zones.size());
  groups_ = static_cast<int>(sc.group_names.size());
  ages_ = sc.grid.n_ages;
  units_ = t.unit_names.size();
  indicator_groups_ = t.group_names.size();
  indicators_ = t.n_indicators();
  const int id = ncid_;
  auto text_att = [&](int var, const char* name, const std::string& value) {
    check(nc_put_att_text(id, var, name, value.size(), value.c_str()), std::string("writing attribute ") + name);
  };
  text_att(NC_GLOBAL, "Conventions", "CF-1.8");
  text_att(NC_GLOBAL, "title", sc.title.empty() ? sc.name : sc.title);
  text_att(NC_GLOBAL, "source",
           std::string("cohortgis ") + COHORTGIS_VERSION + " multi-regional cohort-component projection");
  text_att(NC_GLOBAL, "scenario", sc.name);
  text_att(NC_GLOBAL, "comment",
           "population at the end of each year; components of the period ending with the year (NaN in the base "
           "year); layout and conventions in docs/results.md (results.nc) and manifest.json");

  int d_variant, d_year, d_zone, d_group, d_sex, d_age, d_unit, d_igroup, d_indicator, d_parity = -1;
  check(nc_def_dim(id, "variant", variants_.size(), &d_variant), "defining dimension variant");
  check(nc_def_dim(id, "year", NC_UNLIMITED, &d_year), "defining dimension year");
  check(nc_def_dim(id, "zone", uz(zones_), &d_zone), "defining dimension zone");
  check(nc_def_dim(id, "group", uz(groups_), &d_group), "defining dimension group");
  check(nc_def_dim(id, "sex", kSexes, &d_sex), "defining dimension sex");
  check(nc_def_dim(id, "age", uz(ages_), &d_age), "defining dimension age");
  check(nc_def_dim(id, "unit", units_, &d_unit), "defining dimension unit");
  check(nc_def_dim(id, "indicator_group", indicator_groups_, &d_igroup), "defining dimension indicator_group");
  check(nc_def_dim(id, "indicator", indicators_, &d_indicator), "defining dimension indicator");
  // [fertility] parity_rates in any run of the set: women by children ever born (docs/results.md "results.nc").
  const bool parity = std::any_of(set_.runs.begin(), set_.runs.end(), [](const auto& r) { return bool(r.parity); });
  if (parity && set_.outputs.population)
    check(nc_def_dim(id, "parity", kParityStates, &d_parity), "defining dimension parity");

  // Coordinates: names as string variables, years and ages as integers.
  std::vector<std::pair<int, std::vector<std::string>>> strings;
  auto string_var = [&](const char* name, int dim, std::vector<std::string> values, const std::string& long_name) {
    int v;
    check(nc_def_var(id, name, NC_STRING, 1, &dim, &v), std::string("defining variable ") + name);
    text_att(v, "long_name", long_name);
    strings.emplace_back(v, std::move(values));
    return v;
  };
  string_var("variant", d_variant, variants_, "scenario variant");
  {
    std::vector<std::string> ids, names, names_en;
    for (const auto& z : sc.zones) (ids.push_back(z.id), names.push_back(z.name), names_en.push_back(z.name_en));
    string_var("zone", d_zone, ids, "zone id");
    string_var("zone_name", d_zone, names, "zone name");
    string_var("zone_name_en", d_zone, names_en, "zone name in English");
  }
  string_var("group", d_group, sc.group_names, "population group");
  string_var("sex", d_sex, {sex_name(Sex::female), sex_name(Sex::male)}, "sex");
  string_var("unit", d_unit, t.unit_names, "zone id or aggregate name ('total' = the whole area)");
  string_var("indicator_group", d_igroup, t.group_names, "population group ('all' = every group)");
  string_var("indicator", d_indicator, t.indicator_names, "indicator (names as in indicators.csv)");
  if (d_parity >= 0)
    string_var("parity", d_parity,
               std::vector<std::string>(std::begin(kParityStateLabels), std::end(kParityStateLabels)),
               "children ever born (3+ = three or more)");
  int v_age;
  check(nc_def_var(id, "age", NC_INT, 1, &d_age, &v_age), "defining variable age");
  text_att(v_age, "long_name", "first age of the age group (the last group is open-ended)");
  text_att(v_age, "units", "years");
  check(nc_def_var(id, "year", NC_INT, 1, &d_year, &v_year_), "defining variable year");
  text_att(v_year_, "long_name", "year (populations at the end of the year)");
  text_att(v_year_, "axis", "T");

  // Data variables: doubles, NaN where not defined, one chunk per variant, year and ~1 MiB of zones.
  const double fill = kNaN;
  // sparse: a component that is mostly exactly 0 (transfers, floor adjustments): its chunks (one group each) of only
  // +0.0 are never written (put_state) and read as HDF5's fill value, set to 0 here. The `_FillValue` attribute is
  // then removed: a reader that masks it (xarray) would turn every 0 into NaN; netCDF-C still reads unwritten chunks,
  // and years past the variable's last written one, as the dataset's fill value 0 (docs/results.md "results.nc").
  const double zero = 0.0;
  auto data_var = [&](const char* name, std::vector<int> dims, std::vector<std::size_t> chunks,
                      const std::string& long_name, const char* units, bool sparse = false) {
    int v;
    check(nc_def_var(id, name, NC_DOUBLE, static_cast<int>(dims.size()), dims.data(), &v),
          std::string("defining variable ") + name);
    check(nc_def_var_chunking(id, v, NC_CHUNKED, chunks.data()), std::string("chunking variable ") + name);
    if (deflate_ > 0) check(nc_def_var_deflate(id, v, 1, 1, deflate_), std::string("compressing variable ") + name);
    check(nc_def_var_fill(id, v, 0, sparse ? &zero : &fill), std::string("setting the fill value of ") + name);
    if (sparse) {
      check(nc_del_att(id, v, "_FillValue"), std::string("removing the _FillValue attribute of ") + name);
      sparse_.push_back(v);
    }
    text_att(v, "long_name", long_name);
    if (units) text_att(v, "units", units);
    chunk_dims_.emplace_back(v, chunks);
    if (set_.outputs.min_cell > 0 && std::string(units ? units : "") == "1")
      text_att(v, "comment",
               "values above 0 and below min_cell = " + std::to_string(set_.outputs.min_cell) +
                   " are suppressed (NaN), as in the CSV files");
    return v;
  };
  const std::size_t state = uz(groups_) * kSexes * uz(ages_);
  const std::size_t zc = chunk_rows(uz(zones_), state);
  const std::vector<int> cell_dims{d_variant, d_year, d_zone, d_group, d_sex, d_age};
  const std::vector<std::size_t> cell_chunks{1, 1, zc, uz(groups_), kSexes, uz(ages_)};
  // The sparse variables: one group per chunk (a transfer is non-zero in the groups it moves persons into or out of).
  const std::vector<std::size_t> sparse_cell_chunks{1, 1,      chunk_rows(uz(zones_), kSexes * uz(ages_)),
                                                    1, kSexes, uz(ages_)};
  if (set_.outputs.population)
    v_population_ = data_var("population", cell_dims, cell_chunks, "persons at the end of the year", "1");
  if (d_parity >= 0)
    v_women_by_parity_ =
        data_var("women_by_parity", {d_variant, d_year, d_zone, d_group, d_parity, d_age},
                 {1, 1, zc, uz(groups_), kParityStates, uz(ages_)},
                 "women at the end of the year by children ever born (NaN: a variant without parity)", "1");
  if (components_on_.any()) {
    const std::vector<int> sdims{d_variant, d_year, d_zone, d_group, d_sex};
    const std::vector<std::size_t> schunks{1, 1, chunk_rows(uz(zones_), uz(groups_) * kSexes), uz(groups_), kSexes};
    const std::vector<std::size_t> sparse_schunks{1, 1, chunk_rows(uz(zones_), kSexes), 1, kSexes};
    // --components: the variables of the components asked for (-1: left out; put_state skips them).
    const auto on = [this](Component k) { return components_on_.has(k); };
    if (on(Component::births))
      v_births_ =
          data_var("births", sdims, schunks, "births of the period ending with the year, by sex of the child", "1");
    if (on(Component::newborn_transfer_in))
      v_nb_in_ = data_var("newborn_transfer_in", sdims, sparse_schunks,
                          "newborns moved into the group by the newborn rules", "1", true);
    if (on(Component::newborn_transfer_out))
      v_nb_out_ = data_var("newborn_transfer_out", sdims, sparse_schunks,
                           "newborns moved out of the group by the newborn rules", "1", true);
    if (on(Component::deaths))
      v_deaths_ = data_var("deaths", cell_dims, cell_chunks, "deaths of the period by age at its end", "1");
    if (on(Component::net_migration))
      v_net_migration_ =
          data_var("net_migration", cell_dims, cell_chunks,
                   "net migrants of the period by age at its start (transfers between groups left out)", "1");
    if (on(Component::transfer_in))
      v_transfer_in_ =
          data_var("transfer_in", cell_dims, sparse_cell_chunks, "persons moved in from other groups", "1", true);
    if (on(Component::transfer_out))
      v_transfer_out_ =
          data_var("transfer_out", cell_dims, sparse_cell_chunks, "persons moved out to other groups", "1", true);
    if (on(Component::floor_adjustment))
      v_floor_ = data_var("floor_adjustment", cell_dims, sparse_cell_chunks,
                          "persons added by the non-negativity floor", "1", true);
  }
  v_indicators_ = data_var("indicators", {d_variant, d_year, d_unit, d_igroup, d_indicator},
                           {1, 1, chunk_rows(units_, indicator_groups_ * indicators_), indicator_groups_, indicators_},
                           "indicator values (as in indicators.csv; NaN = not defined)", nullptr);
  check(nc_enddef(id), "ending the definitions");
  // Every chunk is written whole, once (one year at a time): no chunk cache. Set after nc_enddef, when the HDF5
  // datasets exist: set in define mode, netCDF-C 4.9.0 still created them with its default of 16 MiB per variable
  // (heaptrack: 148 MB of dirty chunks at 50,000 zones, bench/HISTORY.md "Round 5").
  for (const int v : {v_population_, v_women_by_parity_, v_births_, v_nb_in_, v_nb_out_, v_deaths_, v_net_migration_,
                      v_transfer_in_, v_transfer_out_, v_floor_, v_indicators_})
    if (v >= 0) check(nc_set_var_chunk_cache(id, v, 0, 0, 1.0f), "setting the chunk cache");
  // Uncompressed: whole chunks go straight into the file (put_chunk), not through HDF5's chunk buffer.
  if (deflate_ == 0 && direct_on_) {
    direct_ = std::make_unique<geodata::Hdf5DirectChunks>();
    for (const auto& [v, chunks] : chunk_dims_) {
      char name[NC_MAX_NAME + 1] = {};
      check(nc_inq_varname(id, v, name), "reading a variable's name");
      direct_of_.resize(std::max(direct_of_.size(), uz(v) + 1), -1);
      direct_of_[uz(v)] = direct_->open(path_, name, chunks);
    }
  }

  for (auto& [v, values] : strings) {
    std::vector<const char*> p;
    for (const auto& s : values) p.push_back(s.c_str());
    const std::size_t start = 0, count = p.size();
    if (count) check(nc_put_vara_string(id, v, &start, &count, p.data()), "writing coordinate names");
  }
  // The strings went into HDF5 global heaps, which HDF5's metadata cache keeps for the whole run (7.9 MB of the 50,000
  // zones' ids and names, bench/HISTORY.md "Round 12: memory at 50,000 zones"); no string is written after them.
  if (!strings.empty()) geodata::release_hdf5_memory(path_);
  std::vector<int> ages;
  for (int i = 0; i < ages_; ++i) ages.push_back(sc.grid.age_start(i));
  check(nc_put_var_int(id, v_age, ages.data()), "writing variable age");
  defined_ = true;
}

void NetcdfWriter::put_year(int year) {
  const std::size_t start = year_index_, count = 1;
  check(nc_put_vara_int(ncid_, v_year_, &start, &count, &year), "writing variable year");
}

int NetcdfWriter::direct_index(int var) const {
  return var >= 0 && uz(var) < direct_of_.size() ? direct_of_[uz(var)] : -1;
}

void NetcdfWriter::extended(int var, std::size_t year) {
  extended_years_.resize(std::max(extended_years_.size(), uz(var) + 1), 0);
  extended_years_[uz(var)] = std::max(extended_years_[uz(var)], year + 1);
}

// A whole chunk of a variable whose dataset already holds the year (netCDF-C extended it on an earlier write) goes
// straight into the file; a chunk cut short by the end of the zones (HDF5 fills the rest with the fill value) or a
// year's first one through netCDF-C. Either way the chunks are written in the same order, so the same bytes.
void NetcdfWriter::put_chunk(int var, const std::size_t* start, const std::size_t* count, bool whole,
                             const double* values) {
  const int direct = direct_index(var);
  if (direct >= 0 && whole && uz(var) < extended_years_.size() && start[1] < extended_years_[uz(var)]) {
    if (!direct_->write(direct, start, values)) throw InputError(path_ + ": writing a chunk failed");
    return;
  }
  check(nc_put_vara_double(ncid_, var, start, count, values), "writing a year");
  extended(var, start[1]);
}

void NetcdfWriter::put_state(int var, const double* values, bool by_age, bool combined, const double* minus,
                             const double* plus) {
  if (var < 0) return;
  const bool sparse = std::find(sparse_.begin(), sparse_.end(), var) != sparse_.end();
  if (sparse && !values) return;  // all 0: the fill value
  const std::size_t count[6] = {1, 1, uz(zones_), uz(groups_), kSexes, by_age ? uz(ages_) : 1};
  const double min_cell = set_.outputs.min_cell;
  // A by-sex cube (births) is the by-age layout with one "age": rank 5, the last count dropped.
  if (!sparse && values && min_cell <= 0 && !combined) {
    if (direct_index(var) < 0) {
      const std::size_t start[6] = {variant_, year_index_, 0, 0, 0, 0};
      check(nc_put_vara_double(ncid_, var, start, count, values), "writing a year");
      return;
    }
    // Chunk by chunk from the array itself: no copy of ours, none of HDF5's for whole chunks.
    const std::size_t zone_row = uz(groups_) * count[4] * count[5];
    const std::size_t block = chunk_rows(uz(zones_), zone_row);
    for (std::size_t z0 = 0; z0 < uz(zones_); z0 += block) {
      const std::size_t at[6] = {variant_, year_index_, z0, 0, 0, 0};
      const std::size_t len[6] = {1, 1, std::min(block, uz(zones_) - z0), uz(groups_), count[4], count[5]};
      put_chunk(var, at, len, len[2] == block, values + z0 * zone_row);
    }
    return;
  }
  // Through chunk_, one chunk of the variable at a time (not a state-sized copy: 14.4 MB at 50,000 zones): a missing
  // array is all 0, values − minus + plus when combined (the same operations, 0.0 for a missing term), and suppressed
  // small cells (as append_published: 0 < v < min_cell) are NaN. Each case is its own loop (no test per value): this
  // runs on the results.nc writer's thread, which the projection waits for at every year of a large run
  // (bench/HISTORY.md "Round 14: the command line after the projection").
  auto copy = [&](std::size_t from, std::size_t n, double* to) {
    if (!values) {
      std::fill_n(to, n, 0.0);
      return;
    }
    const double* v = values + from;
    const double* m = minus ? minus + from : nullptr;
    const double* p = plus ? plus + from : nullptr;
    if (!combined)
      std::copy_n(v, n, to);
    else if (m && p)
      for (std::size_t i = 0; i < n; ++i) to[i] = v[i] - m[i] + p[i];
    else if (m)
      for (std::size_t i = 0; i < n; ++i) to[i] = v[i] - m[i] + 0.0;
    else if (p)
      for (std::size_t i = 0; i < n; ++i) to[i] = v[i] - 0.0 + p[i];
    else
      for (std::size_t i = 0; i < n; ++i) to[i] = v[i] - 0.0 + 0.0;
    if (min_cell > 0)
      for (std::size_t i = 0; i < n; ++i)
        if (to[i] > 0.0 && to[i] < min_cell) to[i] = kNaN;
  };
  const std::size_t group_row = count[4] * count[5];  // sexes × ages of one zone and group
  // Not sparse: chunks of whole zones and every group (data_var's zc).
  if (!sparse) {
    const std::size_t zone_row = uz(groups_) * group_row;
    const std::size_t block = chunk_rows(uz(zones_), zone_row);
    for (std::size_t z0 = 0; z0 < uz(zones_); z0 += block) {
      const std::size_t n = std::min(block, uz(zones_) - z0);
      chunk_.resize(n * zone_row);
      copy(z0 * zone_row, n * zone_row, chunk_.data());
      const std::size_t at[6] = {variant_, year_index_, z0, 0, 0, 0};
      const std::size_t len[6] = {1, 1, n, uz(groups_), count[4], count[5]};
      put_chunk(var, at, len, n == block, chunk_.data());
    }
    return;
  }
  // One chunk (a block of zones, one group) at a time, those of only +0.0 left unwritten (read as the fill value 0).
  const std::size_t block = chunk_rows(uz(zones_), group_row);
  for (std::size_t z0 = 0; z0 < uz(zones_); z0 += block) {
    const std::size_t n = std::min(block, uz(zones_) - z0);
    for (std::size_t g = 0; g < uz(groups_); ++g) {
      // Not combined, a chunk of only +0.0 is decided on the array itself (suppression keeps +0.0): the chunks left
      // unwritten, most of them (a transfer is 0 in all but the groups it moves persons into or out of), are not
      // copied. A missing array is all +0.0 (as copy's fill).
      bool zero = !combined;
      for (std::size_t z = 0; z < n && zero && values; ++z)
        zero = all_plus_zero(values + ((z0 + z) * uz(groups_) + g) * group_row, group_row);
      if (zero) continue;
      chunk_.resize(n * group_row);
      for (std::size_t z = 0; z < n; ++z)
        copy(((z0 + z) * uz(groups_) + g) * group_row, group_row, chunk_.data() + z * group_row);
      if (combined && all_plus_zero(chunk_.data(), chunk_.size())) continue;
      const std::size_t at[6] = {variant_, year_index_, z0, g, 0, 0};
      const std::size_t len[6] = {1, 1, n, 1, count[4], count[5]};
      put_chunk(var, at, len, n == block, chunk_.data());
      written_years_[var] = std::max(written_years_[var], year_index_ + 1);
    }
  }
}

// Writes `value` into every cell of one year of a sparse variable, a block of zones at a time (a state-sized buffer
// would add to the run's peak memory).
void NetcdfWriter::fill_sparse_year(int var, std::size_t variant, std::size_t year, double value) {
  const bool by_age = var != v_nb_in_ && var != v_nb_out_;
  const std::size_t group_row = kSexes * (by_age ? uz(ages_) : 1);
  const std::size_t block = chunk_rows(uz(zones_), group_row);
  written_years_[var] = std::max(written_years_[var], year + 1);
  if (direct_index(var) >= 0) {
    // Chunk by chunk (one group each, in the order one nc_put_vara of them all writes them): every chunk is the
    // same `value`s, so one chunk's buffer serves them all.
    chunk_.assign(block * group_row, value);
    for (std::size_t z0 = 0; z0 < uz(zones_); z0 += block)
      for (std::size_t g = 0; g < uz(groups_); ++g) {
        const std::size_t start[6] = {variant, year, z0, g, 0, 0};
        const std::size_t count[6] = {1, 1, std::min(block, uz(zones_) - z0), 1, kSexes, by_age ? uz(ages_) : 1};
        put_chunk(var, start, count, count[2] == block, chunk_.data());
      }
    return;
  }
  chunk_.assign(block * uz(groups_) * group_row, value);
  for (std::size_t z0 = 0; z0 < uz(zones_); z0 += block) {
    const std::size_t start[6] = {variant, year, z0, 0, 0, 0};
    const std::size_t count[6] = {1, 1, std::min(block, uz(zones_) - z0), uz(groups_), kSexes, by_age ? uz(ages_) : 1};
    check(nc_put_vara_double(ncid_, var, start, count, chunk_.data()), "writing a year");
  }
}

// The base year's components are NaN (no period ends with it): the sparse variables' fill value is 0, so their NaN
// is written.
void NetcdfWriter::put_base_nan() {
  for (const int var : sparse_) fill_sparse_year(var, variant_, year_index_, kNaN);
}

// A sparse variable whose last years hold only zeros in every variant was not extended to them. netCDF-C 4.9.0 reads
// a variable shorter than the unlimited year dimension wrongly when year is not its first dimension (the stored
// years of every variant land at the start of the buffer: found by cli_netcdf_output), so the first variant's last
// year is written as zeros (its value: nothing was stored there) to give the variable the file's length.
void NetcdfWriter::extend_sparse() {
  std::size_t years = 0;
  int d_year = -1;
  check(nc_inq_dimid(ncid_, "year", &d_year), "finding dimension year");
  check(nc_inq_dimlen(ncid_, d_year, &years), "reading the length of year");
  for (const int var : sparse_)
    if (years > 0 && written_years_[var] < years) fill_sparse_year(var, 0, years - 1, 0.0);
}

// The women of each cell times the parity shares (the product population.csv writes), [zone][group][parity][age].
void NetcdfWriter::put_parity(const CohortArray& population) {
  if (v_women_by_parity_ < 0 || !parity_) return;
  std::vector<double>& w = migration_;  // scratch of one year
  w.assign(uz(zones_) * uz(groups_) * kParityStates * uz(ages_), 0.0);
  std::size_t k = 0;
  for (int z = 0; z < zones_; ++z)
    for (int g = 0; g < groups_; ++g)
      for (int p = 0; p < kParityStates; ++p)
        for (int i = 0; i < ages_; ++i, ++k) {
          const double v = population.at(z, g, static_cast<int>(Sex::female), i) * parity_->share(z, g, p, i);
          w[k] = set_.outputs.min_cell > 0 && v > 0.0 && v < set_.outputs.min_cell ? kNaN : v;
        }
  const std::size_t start[6] = {variant_, year_index_, 0, 0, 0, 0};
  const std::size_t count[6] = {1, 1, uz(zones_), uz(groups_), kParityStates, uz(ages_)};
  check(nc_put_vara_double(ncid_, v_women_by_parity_, start, count, w.data()), "writing women_by_parity");
}

void NetcdfWriter::put_indicators(const IndicatorTable& t, bool stocks_only) {
  const std::size_t row = indicator_groups_ * indicators_;
  if (stocks_only || t.all_is_group) {
    // One chunk of units at a time, not a copy of the whole table (28 MB at 50,000 zones, at the run's peak): the
    // base year has indicators of the population itself only (as indicators.csv), masked here; a table of one group
    // holds each unit's values once, written out for the group and "all". Through chunk_, the buffer of put_state
    // (one of about 1 MB for both, not two, held through the run).
    const std::size_t block = chunk_rows(units_, row);
    std::vector<std::size_t> flows;  // the base year's columns masked (once a table: is_stock_indicator reads names)
    for (std::size_t k = 0; k < indicators_ && stocks_only; ++k)
      if (!is_stock_indicator(t.indicator_names[k])) flows.push_back(k);
    for (std::size_t u0 = 0; u0 < units_; u0 += block) {
      const std::size_t n = std::min(block, units_ - u0);
      chunk_.resize(n * row);
      t.copy_units(u0, n, chunk_.data());
      if (stocks_only)
        for (std::size_t r = 0; r < n * indicator_groups_; ++r)
          for (std::size_t k : flows) chunk_[r * indicators_ + k] = kNaN;
      const std::size_t start[5] = {variant_, year_index_, u0, 0, 0};
      const std::size_t count[5] = {1, 1, n, indicator_groups_, indicators_};
      put_chunk(v_indicators_, start, count, n == block, chunk_.data());
    }
    return;
  }
  if (direct_index(v_indicators_) < 0) {
    const std::size_t start[5] = {variant_, year_index_, 0, 0, 0};
    const std::size_t count[5] = {1, 1, units_, indicator_groups_, indicators_};
    check(nc_put_vara_double(ncid_, v_indicators_, start, count, t.values.data()), "writing indicators");
    return;
  }
  const std::size_t block = chunk_rows(units_, row);
  for (std::size_t u0 = 0; u0 < units_; u0 += block) {
    const std::size_t start[5] = {variant_, year_index_, u0, 0, 0};
    const std::size_t count[5] = {1, 1, std::min(block, units_ - u0), indicator_groups_, indicators_};
    put_chunk(v_indicators_, start, count, count[2] == block, t.values.data() + u0 * row);
  }
}

void NetcdfWriter::set_drop_behind(bool on) {
  drop_behind_.reset();
  if (on) drop_behind_ = std::make_unique<DropBehind>(path_);
}

void NetcdfWriter::base(const CohortArray& population, int year) {
  write_base(population, year);
  if (drop_behind_) drop_behind_->advance();  // outside netCDF-C's lock: it may wait for the disk
}

void NetcdfWriter::step(const StepResult& r) {
  write_step(r);
  if (drop_behind_) drop_behind_->advance();
}

void NetcdfWriter::write_base(const CohortArray& population, int year) {
  const auto nc_lock = geodata::lock_netcdf();
  IndicatorTable table;
  compute_population_indicators(population, sc_->zone_ids(), sc_->group_names, aggregates_, sc_->indicator_bands,
                                table);
  if (!defined_) define(table);
  put_year(year);
  put_state(v_population_, population.data().data());
  put_parity(population);
  put_base_nan();
  put_indicators(table, true);
  ++year_index_;
}

void NetcdfWriter::write_step(const StepResult& r) {
  const auto nc_lock = geodata::lock_netcdf();
  put_year(r.context.end_year);
  put_state(v_population_, r.end.data().data());
  put_parity(r.end);
  if (components_on_.any()) {
    const StepComponents& c = r.components;
    for (auto [var, v] : {std::pair{v_births_, &c.births}, std::pair{v_nb_in_, &c.newborn_transfer_in},
                          std::pair{v_nb_out_, &c.newborn_transfer_out}})
      put_state(var, v->empty() ? nullptr : v->data(), false);
    auto cube = [](const CohortArray& a) { return a.empty() ? nullptr : a.data().data(); };
    put_state(v_deaths_, cube(c.deaths));
    // Net migration without the transfers between groups (as components.csv): M − transfer_in + transfer_out, a
    // chunk at a time (no state-sized array for it).
    if (c.net_migrants.empty())
      put_state(v_net_migration_, nullptr);
    else
      put_state(v_net_migration_, c.net_migrants.data().data(), true, true,
                c.transfer_in.empty() ? nullptr : c.transfer_in.data().data(),
                c.transfer_out.empty() ? nullptr : c.transfer_out.data().data());
    put_state(v_transfer_in_, cube(c.transfer_in));
    put_state(v_transfer_out_, cube(c.transfer_out));
    put_state(v_floor_, cube(c.floor_adjustment));
  }
  if (r.indicators) put_indicators(*r.indicators, false);
  ++year_index_;
}

void NetcdfWriter::close() {
  const auto nc_lock = geodata::lock_netcdf();
  if (ncid_ < 0) return;
  if (defined_) extend_sparse();
  direct_.reset();  // its datasets closed before the file
  if (drop_behind_) dropped_ = drop_behind_->dropped();
  drop_behind_.reset();
  const int id = ncid_;
  ncid_ = -1;
  check(nc_close(id), "closing the file");
}

}  // namespace cohortgis::app
