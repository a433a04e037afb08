// SPDX-License-Identifier: Apache-2.0
// results.nc: the run's cubes (population, components, indicators) as one chunked NetCDF-4 file that follows the CF
// conventions, written one year at a time as the engine delivers it (docs/results.md "results.nc").
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "component_selection.hpp"
#include "drop_behind.hpp"

namespace cohortgis {
class ParityProjection;  // cohortgis/engine/parity.hpp
namespace geodata {
class Hdf5DirectChunks;  // cohortgis/geodata/hdf5_chunks.hpp
}
}  // namespace cohortgis

namespace cohortgis::app {

// Which files hold the population and components: population.csv + components.csv, results.nc, or both.
enum class CubeFormat { csv, netcdf, both };

// Above this many population values (zones × groups × 2 sexes × age groups × years × variants) a run writes
// results.nc instead of population.csv and components.csv unless told otherwise (RunConfig::format): 5 million values
// are a population.csv of about 250 MB, and components.csv is up to six times that.
inline constexpr double kNetcdfDefaultAboveValues = 5e6;

// "csv", "netcdf", "both" (throws InputError naming `what` otherwise).
CubeFormat parse_cube_format(const std::string& text, const std::string& what);
// The format a run uses: `asked` if given, else by size (kNetcdfDefaultAboveValues).
CubeFormat choose_cube_format(const std::string& asked, const scenarios::Scenario& sc, std::size_t variants);
// The netcdf format writes the indicators to results.nc only; true when a run of `set` needs indicators.csv all the
// same (RunConfig::indicators_csv): it appends parity or household indicators that results.nc does not hold
// (parity_output.cpp, planning_output.cpp), or [monitoring] reads the file back (monitoring_output.cpp).
bool indicators_csv_needed(const scenarios::ScenarioSet& set);

class NetcdfWriter : public ResultSink {
 public:
  // variants: the names of the runs, in the order they come (baseline first). aggregates: as the engine reports them
  // (with "total"). deflate_level 0: no compression; 1–9: shuffle + deflate at that level.
  NetcdfWriter(const std::filesystem::path& path, const scenarios::ScenarioSet& set,
               const std::vector<ZoneAggregate>& aggregates, const std::vector<std::string>& variants,
               int deflate_level);
  ~NetcdfWriter() override;
  NetcdfWriter(const NetcdfWriter&) = delete;
  NetcdfWriter& operator=(const NetcdfWriter&) = delete;

  void begin_variant(const scenarios::Scenario& scenario);
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  void close();  // reports write errors as InputError naming the file

  // A run with parity: `women_by_parity` (variant, year, zone, group, parity, age) gets the women of each cell times
  // the projection's parity shares, the values of population.csv's parity rows; nullptr: that variant's are NaN.
  void set_parity(const ParityProjection* parity) { parity_ = parity; }
  // The component variables the file gets (--components; default all; planning_adjustment has none). Before base().
  void set_components(const ComponentSelection& on) { components_on_ = on; }
  // false: every chunk through netCDF-C (HDF5's chunk buffer), none straight into the file; the same bytes (the
  // direct writes' check: --no-direct-chunks). Before base().
  void set_direct_chunks(bool on) { direct_on_ = on; }
  // true: what each year appended is written back and dropped from the page cache a year later (drop_behind.hpp).
  // The same bytes. Before base().
  void set_drop_behind(bool on);
  // After close(): how many of the file's first bytes were dropped (BackgroundDigest reads them directly).
  off_t dropped_bytes() const { return dropped_; }

 private:
  void write_base(const CohortArray& population, int year);
  void write_step(const StepResult& result);
  void define(const IndicatorTable& table);
  void put_parity(const CohortArray& population);  // one year of women_by_parity
  void put_year(int year);
  // One year of a [zone][group][sex][age] cube (by_age false: a [zone][group][sex] cube); values nullptr: all 0.
  // Sparse variables (sparse_) are written a chunk of zones at a time, leaving out chunks of only +0.0; so are
  // missing arrays and those with suppressed small cells (through chunk_, not a state-sized buffer).
  // combined: values − minus + plus (a null term: 0.0), computed a chunk at a time (net migration less transfers).
  void put_state(int var, const double* values, bool by_age = true, bool combined = false,
                 const double* minus = nullptr, const double* plus = nullptr);
  // One chunk of `var` (start and count as nc_put_vara's; whole: not cut short by the end of the zones or units).
  void put_chunk(int var, const std::size_t* start, const std::size_t* count, bool whole, const double* values);
  int direct_index(int var) const;           // direct_'s dataset of `var`, or -1
  void extended(int var, std::size_t year);  // netCDF-C wrote `year` of `var`: its dataset holds that year
  void put_base_nan();  // the base year's NaN in the sparse variables
  void fill_sparse_year(int var, std::size_t variant, std::size_t year, double value);
  void extend_sparse();  // at close: every sparse variable as long as the year dimension
  void put_indicators(const IndicatorTable& table, bool stocks_only);
  void check(int status, const std::string& what) const;

  std::string path_;
  const scenarios::ScenarioSet& set_;
  const scenarios::Scenario* sc_ = nullptr;
  std::vector<ZoneAggregate> aggregates_;
  std::vector<std::string> variants_;
  int deflate_ = 0;
  int ncid_ = -1;
  bool defined_ = false;
  std::size_t variant_ = 0, year_index_ = 0;
  int zones_ = 0, groups_ = 0, ages_ = 0;
  std::size_t units_ = 0, indicator_groups_ = 0, indicators_ = 0;
  // Variable ids (-1: not in the file).
  int v_year_ = -1, v_population_ = -1, v_births_ = -1, v_nb_in_ = -1, v_nb_out_ = -1, v_indicators_ = -1;
  int v_deaths_ = -1, v_net_migration_ = -1, v_transfer_in_ = -1, v_transfer_out_ = -1, v_floor_ = -1;
  std::vector<double> migration_;             // one year of women by parity (reused)
  std::vector<int> sparse_;                   // variables whose fill value is 0 and whose zero chunks are not written
  std::vector<double> chunk_;                 // one chunk of a variable (indicators too)
  std::map<int, std::size_t> written_years_;  // per sparse variable: 1 + the last year index stored
  const ParityProjection* parity_ = nullptr;
  int v_women_by_parity_ = -1;
  ComponentSelection components_on_;
  std::vector<std::pair<int, std::vector<std::size_t>>> chunk_dims_;  // each data variable's chunk dimensions
  bool direct_on_ = true;
  std::unique_ptr<geodata::Hdf5DirectChunks> direct_;  // uncompressed files: whole chunks written direct
  std::vector<int> direct_of_;                         // by variable id: direct_'s dataset, or -1
  std::vector<std::size_t> extended_years_;            // by variable id: years its dataset holds
  std::unique_ptr<DropBehind> drop_behind_;
  off_t dropped_ = 0;  // drop_behind_'s, kept at close()
};

}  // namespace cohortgis::app
