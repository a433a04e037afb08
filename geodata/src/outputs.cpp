// SPDX-License-Identifier: Apache-2.0
// GeoPackage / GeoJSON / CSV outputs, written to a temporary name beside the target and renamed when complete.
#include "cohortgis/geodata/outputs.hpp"
#include "cohortgis/geodata/ascii_case.hpp"

#include <climits>
#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <fcntl.h>
#include <gdal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_escape.hpp"
#include "gdal_support.hpp"

namespace cohortgis::geodata {

void require_room_for_staging(const std::string& label, const std::string& name, std::size_t suffix_bytes,
                              const char* kind) {
  constexpr std::size_t kNameMaxBytes = NAME_MAX;
  if (name.size() + suffix_bytes > kNameMaxBytes)
    throw InputError(label + ": a " + kind + " name of " + std::to_string(name.size()) +
                     " bytes leaves no room for the temporary " + kind +
                     " NAME.tmp-PID written beside it; expected at most " +
                     std::to_string(kNameMaxBytes - suffix_bytes) + " bytes");
}

std::FILE* create_new_file(const std::string& label, const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int e = errno;
    if (e == EEXIST)
      throw InputError((label == path ? path : label + ": " + path) +
                       " is already there (a file, folder, link or pipe this run did not make); it is left as it is "
                       "and nothing was written through it: remove or rename it, or choose another output name");
    errno = e;
    return nullptr;
  }
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    const int e = errno;
    ::close(fd);
    ::unlink(path.c_str());
    errno = e;
  }
  return f;
}

void require_owner_access_umask(const std::string& label) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) != 0) continue;
    const unsigned long mask = std::strtoul(line.c_str() + 6, nullptr, 8);
    if ((mask & 0700) != 0) {
      char octal[32];
      std::snprintf(octal, sizeof octal, "%04lo", mask & 0777);
      throw InputError(label + ": the umask " + octal +
                       " takes the owner's read, write or search permission from the files and folders cohortgis "
                       "creates (its results would be unreadable, a failed run's temporary folder could not be "
                       "removed); expected a umask that keeps them, such as 0022 or 0077 (run `umask 022` first)");
    }
    return;
  }
}

void require_local_output(const std::string& label, const std::string& path) {
  if (path.rfind("/vsi", 0) == 0 && !non_local_reason(path).empty())
    throw InputError(label + ": a GDAL virtual file system path (/vsi…); expected a local folder or file");
}

namespace {

namespace fs = std::filesystem;

// "<dir>/<stem>.tmp-<pid><ext>": same folder (so rename is atomic on POSIX), same extension (drivers check it).
fs::path temporary_beside(const fs::path& target) {
  fs::path tmp = target;
  tmp.replace_filename(target.stem().string() + ".tmp-" + std::to_string(::getpid()) + target.extension().string());
  return tmp;
}

void remove_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
  fs::remove(fs::path(p.string() + "-journal"), ec);
  fs::remove(fs::path(p.string() + "-wal"), ec);
  fs::remove(fs::path(p.string() + "-shm"), ec);
}

void commit(const fs::path& tmp, const fs::path& target) {
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    remove_quietly(tmp);
    throw InputError(target.string() + ": cannot be written (renaming the finished temporary file failed: " +
                     ec.message() + ")");
  }
}

// Removes the temporary file unless commit() ran.
class TempFile {
 public:
  explicit TempFile(fs::path target) : target_(std::move(target)), tmp_(temporary_beside(target_)) {
    std::error_code ec;
    if (!target_.parent_path().empty() && !fs::is_directory(target_.parent_path(), ec))
      throw InputError(target_.string() + ": cannot be written (folder '" + target_.parent_path().string() +
                       "' does not exist)");
    remove_quietly(tmp_);
  }
  ~TempFile() {
    if (!done_) remove_quietly(tmp_);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return tmp_; }
  void commit() {
    geodata::commit(tmp_, target_);
    done_ = true;
  }

 private:
  fs::path target_, tmp_;
  bool done_ = false;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError(path + ": cannot be written (" + what + ")" + QuietGdalErrors::because());
}

// ASCII letters, digits and '_' (ascii_case.hpp: std::isalnum under a Latin-1 host kept the first byte of a UTF-8
// character, and the name was not UTF-8).
std::string layer_name_for(const std::string& prefix, const std::string& period) {
  std::string s = prefix + period;
  for (char& c : s)
    if (!(is_ascii_alnum(c) || c == '_')) c = '_';
  return s;
}

DatasetPtr create(const std::string& driver_name, const fs::path& path, const std::string& target) {
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name.c_str());
  if (!driver) fail(target, "GDAL has no " + driver_name + " driver");
  DatasetPtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail(target, "creating the " + driver_name + " file failed");
  return ds;
}

void add_field(OGRLayer* layer, const char* name, OGRFieldType type, const std::string& target, int width = 0,
               const std::map<std::string, std::string>* aliases = nullptr) {
  OGRFieldDefn f(name, type);
  if (width) f.SetWidth(width);
  if (aliases)
    if (const auto it = aliases->find(name); it != aliases->end()) f.SetAlternativeName(it->second.c_str());
  if (layer->CreateField(&f) != OGRERR_NONE) fail(target, std::string("adding field '") + name + "' failed");
}

void set_value(OGRFeature& f, int field, double v) {
  if (std::isfinite(v)) f.SetField(field, v);
  else f.SetFieldNull(field);
}

// (period, group) → unit → indicator → value, and the indicator order of first appearance.
struct Pivot {
  std::vector<std::string> indicators;
  std::map<std::string, std::map<std::string, double>> by_unit;
};

Pivot pivot(const std::vector<IndicatorRow>& rows, const std::string& period, const std::string& group,
            const std::string& variant = {}) {
  Pivot p;
  std::set<std::string> seen;
  for (const auto& r : rows) {
    if (r.period != period || r.group != group || r.variant != variant) continue;
    if (seen.insert(r.indicator).second) p.indicators.push_back(r.indicator);
    p.by_unit[r.unit][r.indicator] = r.value;
  }
  return p;
}

// Zone features with id, name, parent and the pivoted indicators of one period.
// The fields of a zone layer in order: id, name, parent, [area_km2], the pivoted indicators.
std::vector<std::string> zone_layer_fields(const Pivot* p, bool with_area) {
  std::vector<std::string> f{"id", "name", "parent"};
  if (with_area) f.emplace_back("area_km2");
  if (p) f.insert(f.end(), p->indicators.begin(), p->indicators.end());
  return f;
}

void write_zone_layer(GDALDataset& ds, const std::string& name, const Zones& zones, const Pivot* p,
                      const std::vector<double>& area_km2, const std::string& target, CSLConstList layer_options,
                      const std::map<std::string, std::string>* aliases = nullptr) {
  OGRSpatialReference srs = zones.impl().srs;
  OGRLayer* layer = ds.CreateLayer(name.c_str(), &srs, wkbMultiPolygon, const_cast<char**>(layer_options));
  if (!layer) fail(target, "creating layer '" + name + "' failed");
  for (const auto& field : zone_layer_fields(p, !area_km2.empty())) {
    const bool text = field == "id" || field == "name" || field == "parent";
    add_field(layer, field.c_str(), text ? OFTString : OFTReal, target, 0, aliases);
  }
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  for (std::size_t i = 0; i < zones.size(); ++i) {
    OGRFeature f(defn);
    f.SetField("id", zones.id(i).c_str());
    f.SetField("name", zones.names()[i].c_str());
    f.SetField("parent", zones.parents()[i].c_str());
    if (!area_km2.empty()) f.SetField("area_km2", area_km2[i]);
    if (p) {
      const auto it = p->by_unit.find(zones.id(i));
      for (const auto& ind : p->indicators) {
        const int k = defn->GetFieldIndex(ind.c_str());
        if (it == p->by_unit.end() || !it->second.count(ind)) f.SetFieldNull(k);
        else set_value(f, k, it->second.at(ind));
      }
    }
    f.SetGeometry(zones.impl().geoms[i].get());
    if (layer->CreateFeature(&f) != OGRERR_NONE) fail(target, "writing zone '" + zones.id(i) + "' failed");
  }
}


// SQL text literal.
std::string sql_text(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// Field aliases as GeoPackage's schema extension (gpkg_data_columns.name/title, GeoPackage 1.2.1 §F.9), which GIS
// (GDAL's alternative names, QGIS) show instead of the column name; GDAL 3.6 does not write them itself.
void write_data_columns(GDALDataset& ds, const std::map<std::string, std::string>& aliases, const std::string& path,
                        const std::atomic<bool>* cancel) {
  if (aliases.empty()) return;
  std::vector<std::string> sql{
      "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, "
      "title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
      "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))",
      "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
      "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
      "extension_name))",
      "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT "
      "NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, "
      "description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"};
  // The extension covers both tables (Requirement 141: exactly two gpkg_schema rows).
  for (const char* table : {"gpkg_data_columns", "gpkg_data_column_constraints"})
    sql.push_back(std::string("INSERT OR IGNORE INTO gpkg_extensions VALUES ('") + table +
                  "', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write')");
  for (int l = 0; l < ds.GetLayerCount(); ++l) {
    OGRLayer* layer = ds.GetLayer(l);
    if (std::string(layer->GetName()) == "layer_styles") continue;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int f = 0; f < defn->GetFieldCount(); ++f)
      if (const auto it = aliases.find(defn->GetFieldDefn(f)->GetNameRef()); it != aliases.end())
        sql.push_back("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title) VALUES (" +
                      sql_text(layer->GetName()) + ", " + sql_text(it->first) + ", " + sql_text(it->second) + ", " +
                      sql_text(it->second) + ")");
  }
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const std::string& q = sql[i];
    // A statement each (about 0.7 ms): the default scenario's thousand aliases took 0.7 s.
    if (cancel && i % 64 == 0 && cancel->load(std::memory_order_relaxed))
      throw ProjectionError("results.gpkg cancelled");
    CPLErrorReset();
    ds.ExecuteSQL(q.c_str(), nullptr, nullptr);
    if (CPLGetLastErrorType() == CE_Failure) fail(path, "writing the field aliases (gpkg_data_columns) failed");
  }
}

}  // namespace

std::vector<IndicatorRow> indicator_rows(const IndicatorTable& t, const std::string& period) {
  std::vector<IndicatorRow> rows;
  rows.reserve(t.unit_names.size() * t.group_names.size() * t.n_indicators());
  for (std::size_t u = 0; u < t.unit_names.size(); ++u)
    for (std::size_t g = 0; g < t.group_names.size(); ++g)
      for (std::size_t k = 0; k < t.n_indicators(); ++k)
        rows.push_back({t.unit_names[u], period, t.group_names[g], t.indicator_names[k], t.get(u, g, k)});
  return rows;
}

// Graduated fill: the quantile classes and sequential colours of the PNG maps (maps.hpp), one QML writer.
std::string graduated_style_qml(const std::string& field, const std::vector<double>& values, int classes) {
  MapStyle map;
  map.classes = std::clamp(classes, 1, 9);
  QgisLayerStyle st;
  st.field = field;
  st.breaks = choropleth_breaks(values, map);
  if (st.breaks.empty()) st.breaks = {0.0, 0.0};
  st.colours = choropleth_colours(st.breaks, map);
  st.decimals = map.legend_decimals;
  st.label_field.clear();
  return qgis_style_qml(st, {});
}

namespace {

// Byte-identical GeoPackages from the same inputs: GDAL stamps gpkg_contents.last_change with the wall clock unless
// the configuration option OGR_CURRENT_DATE is set, and layer_styles.update_time is ours. Both get one fixed time,
// the Unix epoch (docs/results.md), set for this thread only while the file is written.
constexpr const char* kGpkgTimestamp = "1970-01-01T00:00:00.000Z";
class FixedGpkgTimestamp {
 public:
  FixedGpkgTimestamp() {
    if (const char* v = CPLGetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr)) previous_ = v;
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", kGpkgTimestamp);
  }
  ~FixedGpkgTimestamp() {
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", previous_ ? previous_->c_str() : nullptr);
  }
  FixedGpkgTimestamp(const FixedGpkgTimestamp&) = delete;
  FixedGpkgTimestamp& operator=(const FixedGpkgTimestamp&) = delete;

 private:
  std::optional<std::string> previous_;
};

}  // namespace

void write_zone_indicators_gpkg(const std::string& path, const Zones& zones, const std::vector<IndicatorRow>& rows,
                                const GpkgOutputOptions& o) {
  register_drivers();
  FixedGpkgTimestamp fixed_timestamp;
  if (!o.area_km2.empty() && o.area_km2.size() != zones.size())
    throw InputError(path + ": " + std::to_string(o.area_km2.size()) + " areas given for " +
                     std::to_string(zones.size()) + " zones");
  std::vector<std::string> periods = o.wide_periods;
  if (periods.empty() && !rows.empty()) periods.push_back(rows.back().period);
  // (variant, layer prefix) of every set of wide layers.
  std::vector<std::pair<std::string, std::string>> wide_sets{{o.wide_variant, o.wide_prefix}};
  for (const auto& v : o.more_wide_variants) wide_sets.emplace_back(v, o.wide_prefix + v + "_");
  for (const auto& [variant, prefix] : wide_sets) {
    std::set<std::string> present;
    for (const auto& r : rows)
      if (r.variant == variant) present.insert(r.period);
    std::vector<std::string> absent;
    for (const auto& p : periods)
      if (!present.count(p)) absent.push_back(p);
    if (!absent.empty())
      throw InputError(path + ": wide layers asked for period(s) " + quoted_list(absent) + " that no indicator row" +
                       (variant.empty() ? std::string() : " of variant '" + variant + "'") + " has");
  }
  const bool with_variants =
      std::any_of(rows.begin(), rows.end(), [](const IndicatorRow& r) { return !r.variant.empty(); });

  TempFile tmp{fs::path(path)};
  QuietGdalErrors quiet;
  {
    DatasetPtr ds = create("GPKG", tmp.path(), path);
    if (ds->StartTransaction() != OGRERR_NONE) fail(path, "starting a transaction failed");
    const char* const spatial_opts[] = {"GEOMETRY_NAME=geom", "FID=fid", nullptr};
    write_zone_layer(*ds, o.zones_layer, zones, nullptr, o.area_km2, path, spatial_opts, &o.field_aliases);

    // Long table: an attribute table (gpkg_contents data_type 'attributes'), related to the zones by unit = id.
    const char* const table_opts[] = {"FID=fid", nullptr};
    OGRLayer* lt = ds->CreateLayer(o.long_table.c_str(), nullptr, wkbNone, const_cast<char**>(table_opts));
    if (!lt) fail(path, "creating table '" + o.long_table + "' failed");
    const auto* al = &o.field_aliases;
    if (with_variants) add_field(lt, "variant", OFTString, path, 0, al);
    add_field(lt, "unit", OFTString, path, 0, al);
    add_field(lt, "period", OFTString, path, 0, al);
    add_field(lt, "pop_group", OFTString, path, 0, al);
    add_field(lt, "indicator", OFTString, path, 0, al);
    add_field(lt, "value", OFTReal, path, 0, al);
    const int k = with_variants ? 1 : 0;
    // A Python write_outputs stops only here (the command line's watchdog exits 0.5 s after a signal): the default
    // scenario's file took over a second, Ctrl-C waited for it (hostile probe, round 16).
    const auto stop_if_cancelled = [&o] {
      if (o.cancel && o.cancel->load(std::memory_order_relaxed)) throw ProjectionError("results.gpkg cancelled");
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const IndicatorRow& r = rows[i];
      if (i % kRowsBetweenStops == 0) stop_if_cancelled();
      OGRFeature f(lt->GetLayerDefn());
      if (with_variants) f.SetField(0, r.variant.c_str());
      f.SetField(k + 0, r.unit.c_str());
      f.SetField(k + 1, r.period.c_str());
      f.SetField(k + 2, r.group.c_str());
      f.SetField(k + 3, r.indicator.c_str());
      set_value(f, k + 4, r.value);
      if (lt->CreateFeature(&f) != OGRERR_NONE) fail(path, "writing the indicator table failed");
    }

    // Wide layers and their default styles, in QGIS's layer_styles table (the fields QGIS itself creates there).
    OGRLayer* styles = nullptr;
    for (const auto& [variant, prefix] : wide_sets)
    for (const auto& period : periods) {
      stop_if_cancelled();
      const Pivot p = pivot(rows, period, o.wide_group, variant);
      const std::string name = layer_name_for(prefix, period);
      write_zone_layer(*ds, name, zones, &p, o.area_km2, path, spatial_opts, &o.field_aliases);
      const auto has = [&](const std::string& f) {
        return std::find(p.indicators.begin(), p.indicators.end(), f) != p.indicators.end();
      };
      std::string qml, description;
      if (const auto ps = o.period_styles.find(period); ps != o.period_styles.end() && has(ps->second.field)) {
        qml = qgis_style_qml(ps->second, zone_layer_fields(&p, !o.area_km2.empty()));
        description = ps->second.description;
      } else {
        const std::string field =
            has(o.style_indicator) ? o.style_indicator : (p.indicators.empty() ? std::string() : p.indicators.front());
        if (field.empty()) continue;
        std::vector<double> values;
        for (std::size_t i = 0; i < zones.size(); ++i) {
          const auto it = p.by_unit.find(zones.id(i));
          if (it != p.by_unit.end() && it->second.count(field)) values.push_back(it->second.at(field));
        }
        qml = graduated_style_qml(field, values);
        description = "cohortgis default: " + field + " (" + o.wide_group + "), " + period + ", quantiles";
      }
      if (!styles) {
        const char* const style_opts[] = {"FID=id", nullptr};
        styles = ds->CreateLayer("layer_styles", nullptr, wkbNone, const_cast<char**>(style_opts));
        if (!styles) fail(path, "creating table 'layer_styles' failed");
        for (const char* f : {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column"})
          add_field(styles, f, OFTString, path, 256);
        add_field(styles, "styleName", OFTString, path, 30);
        add_field(styles, "styleQML", OFTString, path);
        add_field(styles, "styleSLD", OFTString, path);
        {
          OGRFieldDefn b("useAsDefault", OFTInteger);
          b.SetSubType(OFSTBoolean);
          if (styles->CreateField(&b) != OGRERR_NONE) fail(path, "adding field 'useAsDefault' failed");
        }
        add_field(styles, "description", OFTString, path);
        add_field(styles, "owner", OFTString, path, 30);
        add_field(styles, "ui", OFTString, path, 30);
        add_field(styles, "update_time", OFTDateTime, path);
      }
      OGRFeature f(styles->GetLayerDefn());
      f.SetField("f_table_catalog", "");
      f.SetField("f_table_schema", "");
      f.SetField("f_table_name", name.c_str());
      f.SetField("f_geometry_column", "geom");
      f.SetField("styleName", name.c_str());
      f.SetField("styleQML", qml.c_str());
      f.SetField("styleSLD", "");
      f.SetField("useAsDefault", 1);
      f.SetField("description", description.c_str());
      f.SetField("owner", "");
      f.SetField("ui", "");
      f.SetField("update_time", 1970, 1, 1, 0, 0, 0.0f, 100);  // kGpkgTimestamp
      if (styles->CreateFeature(&f) != OGRERR_NONE) fail(path, "writing the style of '" + name + "' failed");
    }
    write_data_columns(*ds, o.field_aliases, path, o.cancel);
    if (ds->CommitTransaction() != OGRERR_NONE) fail(path, "committing failed");
    CPLErrorReset();
    ds.reset();  // GDALClose flushes; it reports failure only through CPLGetLastErrorType
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
      fail(path, "closing the GeoPackage failed");
  }
  tmp.commit();
}

void write_zone_indicators_geojson(const std::string& path, const Zones& zones, const std::vector<IndicatorRow>& rows,
                                   const std::string& period, const std::string& group, const std::string& variant) {
  register_drivers();
  TempFile tmp{fs::path(path)};
  QuietGdalErrors quiet;
  {
    DatasetPtr ds = create("GeoJSON", tmp.path(), path);
    // RFC7946=YES: the driver reprojects to WGS 84 longitude/latitude and writes right-hand-rule rings.
    const char* const opts[] = {"RFC7946=YES", "WRITE_NAME=NO", nullptr};
    const Pivot p = pivot(rows, period, group, variant);
    write_zone_layer(*ds, "zones", zones, &p, {}, path, opts);
    CPLErrorReset();
    ds.reset();  // GDALClose flushes; it reports failure only through CPLGetLastErrorType
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
      fail(path, "closing the GeoJSON file failed");
  }
  tmp.commit();
}

void write_indicators_csv(const std::string& path, const std::vector<IndicatorRow>& rows) {
  TempFile tmp{fs::path(path)};
  {
    std::ofstream out(tmp.path(), std::ios::binary);
    if (!out) throw InputError(path + ": cannot be written (" + std::strerror(errno) + ")");
    auto cell = [](const std::string& s) {  // RFC 4180 quoting where needed
      std::string q;
      append_csv_field(q, s);
      return q;
    };
    const bool with_variants =
        std::any_of(rows.begin(), rows.end(), [](const IndicatorRow& r) { return !r.variant.empty(); });
    out << (with_variants ? "variant," : "") << "unit,period,group,indicator,value\n";
    for (const auto& r : rows)
      out << (with_variants ? cell(r.variant) + "," : std::string()) << cell(r.unit) << ',' << cell(r.period) << ','
          << cell(r.group) << ',' << cell(r.indicator) << ',' << number_cell(r.value) << '\n';
    out.close();
    if (!out) throw InputError(path + ": cannot be written (write error)");
  }
  tmp.commit();
}

}  // namespace cohortgis::geodata
