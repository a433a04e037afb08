// SPDX-License-Identifier: Apache-2.0
// Zone maps with indicators: GeoPackage (styled for QGIS), GeoJSON and CSV. Every writer writes to a temporary
// name beside the target and renames it into place only when the file is complete, so a reader never sees half a
// file and a failed run leaves any earlier file untouched.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/geodata/qgis_style.hpp"
#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::geodata {

// Refuses (InputError) an output `name` with no room beside it for its staging name (NAME plus up to `suffix_bytes`,
// e.g. ".tmp-PID-N") within NAME_MAX: the rename would otherwise fail with ENAMETOOLONG naming the temporary name
// instead of what to change. `kind`: "file" or "folder"; `label` starts the message ("image PATH").
void require_room_for_staging(const std::string& label, const std::string& name, std::size_t suffix_bytes,
                              const char* kind);

// A temporary file cohortgis writes and then renames into place ("NAME.tmp-PID"), created new: open with O_EXCL and
// O_NOFOLLOW, so a name someone else made first (a shell that creates "m.png.tmp-$$" and then execs cohortgis hands it
// that process id) is never written through (a link or hard link to a user's file), waited on (a named pipe),
// replaced or removed: InputError "<label>: …" names what is in the way, which is left as it is. Other failures
// (no such folder, no permission) return nullptr with errno set, for the caller's own message.
std::FILE* create_new_file(const std::string& label, const std::string& path);

// Refuses (InputError "<label>: the umask 0777 takes …") a umask that takes the owner's read, write or search
// permission (0700) from what cohortgis creates: under `umask 0777` a run left its staging folder (mode 000, which its
// owner cannot list to remove) and `report` its backup folder and figures nobody could read (hostile probe of round
// 23). The umask is read from /proc/self/status (umask() would change it for a moment under other threads); where
// that cannot be read nothing is refused.
void require_owner_access_umask(const std::string& label);

// Refuses (InputError "<label>: a GDAL virtual file system path …") an output path starting with one of GDAL's own
// file systems (/vsimem/, /vsizip/ …): the files written through GDAL (results.gpkg, figures) would go there while
// the others went to a real folder of that name, and the run would end as if all were written.
void require_local_output(const std::string& label, const std::string& path);

// One value of the long indicator table: a zone (or aggregate), a period, a population group, an indicator.
struct IndicatorRow {
  std::string unit{};       // zone id, or an aggregate's name
  std::string period{};     // "2025", or a plan period such as "2021-2025"
  std::string group{};      // population group, "all" for all groups
  std::string indicator{};  // machine name, e.g. "population", "cbr_per_1000"
  double value = 0.0;     // NaN is written as NULL
  std::string variant{};  // scenario variant ("baseline", "low", …); empty when the rows come from one run
};

// Rows for one period from the engine's table (every unit, every group slot, every indicator).
std::vector<IndicatorRow> indicator_rows(const IndicatorTable& table, const std::string& period);

struct GpkgOutputOptions {
  std::string zones_layer = "zones";            // the zones with id, name, parent, area_km2
  std::string long_table = "indicators";  // attribute table: unit, period, pop_group, indicator, value
  // Wide layers: one per period listed here, named "<wide_prefix><period>", holding the zone geometry and one
  // column per indicator of group `wide_group`. Empty: one wide layer for the last period in the rows.
  std::vector<std::string> wide_periods{};
  std::string wide_prefix = "zones_";
  std::string wide_group = "all";
  // Variants: the wide layers above hold the rows of `wide_variant` (empty: rows without a variant); each variant of
  // `more_wide_variants` gets the same periods as layers "<wide_prefix><variant>_<period>". When any row has a
  // variant, the long table has a `variant` column.
  std::string wide_variant{};
  std::vector<std::string> more_wide_variants{};
  // The indicator the default QGIS style colours the wide layers by (graduated, quantiles, 5 classes), for periods
  // without an entry in `period_styles`.
  std::string style_indicator = "population";
  // The default style of every wide layer of a period (all variants alike, so their classes are shared), e.g. the
  // PNG maps' classes and colours (app/). A style whose field the layer lacks falls back to `style_indicator`.
  std::map<std::string, QgisLayerStyle> period_styles{};
  // Field aliases (e.g. Chinese names) of the zones and wide layers: GeoPackage gpkg_data_columns (GDAL's alternative
  // field names), which QGIS shows as aliases.
  std::map<std::string, std::string> field_aliases{};
  // Measured areas to store with the zones (e.g. from measure_zones); empty: no area column.
  std::vector<double> area_km2{};
  // Set to true (SIGINT/SIGTERM, Ctrl-C in Python) to stop: checked every kRowsBetweenStops rows of the long
  // table (read_cancel.hpp) and before each wide layer; ProjectionError, and no file is left.
  const std::atomic<bool>* cancel = nullptr;
};

// Writes a GeoPackage: the zones layer, the long indicator table (related to the zones by unit = zone id; it also
// holds aggregate rows) and the wide layers, plus a graduated style for each wide layer in `layer_styles` (the table
// QGIS reads and writes, with the QML in styleQML, useAsDefault = true) so QGIS opens the map styled. Rows whose
// unit is not a zone (aggregates) go to the long table only. Throws InputError naming the path (and GDAL's reason)
// when a wide period has no rows (of a wide variant), the areas do not match the zones, or the file cannot be
// written; an earlier file at `path` is then left as it was.
void write_zone_indicators_gpkg(const std::string& path, const Zones& zones, const std::vector<IndicatorRow>& rows,
                                const GpkgOutputOptions& options = {});

// GeoJSON (RFC 7946: WGS 84 longitude/latitude, so the zones are reprojected) with one feature per zone: id, name,
// parent and one property per indicator of `group` and `variant` (empty: rows without one) for `period`.
void write_zone_indicators_geojson(const std::string& path, const Zones& zones, const std::vector<IndicatorRow>& rows,
                                   const std::string& period, const std::string& group = "all",
                                   const std::string& variant = {});

// The long table as CSV (UTF-8, header unit,period,group,indicator,value, preceded by variant when any row has one;
// shortest round-trip numbers, NaN empty).
void write_indicators_csv(const std::string& path, const std::vector<IndicatorRow>& rows);

// The QML of the default graduated style: quantile classes (class_breaks) and the sequential colours of the PNG maps
// (choropleth_colours), labels as on their legends (exposed for tests and for writing .qml sidecars).
std::string graduated_style_qml(const std::string& field, const std::vector<double>& values, int classes = 5);

}  // namespace cohortgis::geodata
