// SPDX-License-Identifier: Apache-2.0
// GeoPackage / GeoJSON / CSV outputs, written to a temporary name beside the target and renamed when complete.
#include "cohortgis/geodata/outputs.hpp"

#include <cpl_minixml.h>
#include <cpl_string.h>
#include <gdal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <system_error>

#include "gdal_support.hpp"

namespace cohortgis::geodata {

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

std::string layer_name_for(const std::string& prefix, const std::string& period) {
  std::string s = prefix + period;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return s;
}

DatasetPtr create(const std::string& driver_name, const fs::path& path, const std::string& target) {
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name.c_str());
  if (!driver) fail(target, "GDAL has no " + driver_name + " driver");
  DatasetPtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail(target, "creating the " + driver_name + " file failed");
  return ds;
}

void add_field(OGRLayer* layer, const char* name, OGRFieldType type, const std::string& target, int width = 0) {
  OGRFieldDefn f(name, type);
  if (width) f.SetWidth(width);
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
void write_zone_layer(GDALDataset& ds, const std::string& name, const Zones& zones, const Pivot* p,
                      const std::vector<double>& area_km2, const std::string& target, CSLConstList layer_options) {
  OGRSpatialReference srs = zones.impl().srs;
  OGRLayer* layer = ds.CreateLayer(name.c_str(), &srs, wkbMultiPolygon, const_cast<char**>(layer_options));
  if (!layer) fail(target, "creating layer '" + name + "' failed");
  add_field(layer, "id", OFTString, target);
  add_field(layer, "name", OFTString, target);
  add_field(layer, "parent", OFTString, target);
  if (!area_km2.empty()) add_field(layer, "area_km2", OFTReal, target);
  if (p)
    for (const auto& ind : p->indicators) add_field(layer, ind.c_str(), OFTReal, target);
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

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string label_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
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

// Graduated fill in QGIS's QML: quantile classes, colours ColorBrewer YlOrRd (Brewer 2002, colorbrewer2.org),
// 5-class scheme; fewer classes take its first colours. QGIS reads both <Option> maps (3.16+) and <prop> (older).
std::string graduated_style_qml(const std::string& field, const std::vector<double>& values, int classes) {
  static const char* colours[] = {"255,255,178,255", "254,204,92,255", "253,141,60,255", "240,59,32,255",
                                  "189,0,38,255"};
  classes = std::clamp(classes, 1, 5);
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  std::sort(v.begin(), v.end());
  // Breaks at the k/classes quantiles (nearest rank), equal breaks merged.
  std::vector<double> breaks;
  if (v.empty()) {
    breaks = {0.0, 0.0};
  } else {
    breaks.push_back(v.front());
    for (int k = 1; k < classes; ++k) {
      const std::size_t idx = std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(
                                                         static_cast<double>(k) * static_cast<double>(v.size()) /
                                                         static_cast<double>(classes))) -
                                                         1);
      if (v[idx] > breaks.back()) breaks.push_back(v[idx]);
    }
    if (v.back() > breaks.back() || breaks.size() == 1) breaks.push_back(v.back());
  }
  const std::size_t n = breaks.size() - 1;
  std::string q = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                  "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
                  " <renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(field) +
                  "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                  "  <ranges>\n";
  for (std::size_t k = 0; k < n; ++k)
    q += "   <range lower=\"" + shortest_number(breaks[k]) + "\" upper=\"" + shortest_number(breaks[k + 1]) +
         "\" symbol=\"" + std::to_string(k) + "\" label=\"" + label_number(breaks[k]) + " – " +
         label_number(breaks[k + 1]) + "\" render=\"true\"/>\n";
  q += "  </ranges>\n  <symbols>\n";
  for (std::size_t k = 0; k < n; ++k) {
    const char* c = colours[n == 1 ? 2 : k * 4 / std::max<std::size_t>(n - 1, 1)];
    q += std::string("   <symbol type=\"fill\" name=\"") + std::to_string(k) +
         "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
         "    <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
         "     <Option type=\"Map\">\n"
         "      <Option name=\"color\" type=\"QString\" value=\"" + c + "\"/>\n"
         "      <Option name=\"outline_color\" type=\"QString\" value=\"80,80,80,255\"/>\n"
         "      <Option name=\"outline_style\" type=\"QString\" value=\"solid\"/>\n"
         "      <Option name=\"outline_width\" type=\"QString\" value=\"0.26\"/>\n"
         "      <Option name=\"outline_width_unit\" type=\"QString\" value=\"MM\"/>\n"
         "      <Option name=\"style\" type=\"QString\" value=\"solid\"/>\n"
         "     </Option>\n"
         "     <prop k=\"color\" v=\"" + c + "\"/>\n"
         "     <prop k=\"outline_color\" v=\"80,80,80,255\"/>\n"
         "     <prop k=\"outline_style\" v=\"solid\"/>\n"
         "     <prop k=\"outline_width\" v=\"0.26\"/>\n"
         "     <prop k=\"outline_width_unit\" v=\"MM\"/>\n"
         "     <prop k=\"style\" v=\"solid\"/>\n"
         "    </layer>\n"
         "   </symbol>\n";
  }
  q += "  </symbols>\n  <mode name=\"quantile\"/>\n  <classificationMethod id=\"Quantile\"/>\n"
       " </renderer-v2>\n</qgis>\n";
  return q;
}

void write_zone_indicators_gpkg(const std::string& path, const Zones& zones, const std::vector<IndicatorRow>& rows,
                                const GpkgOutputOptions& o) {
  register_drivers();
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
    write_zone_layer(*ds, o.zones_layer, zones, nullptr, o.area_km2, path, spatial_opts);

    // Long table: an attribute table (gpkg_contents data_type 'attributes'), related to the zones by unit = id.
    const char* const table_opts[] = {"FID=fid", nullptr};
    OGRLayer* lt = ds->CreateLayer(o.long_table.c_str(), nullptr, wkbNone, const_cast<char**>(table_opts));
    if (!lt) fail(path, "creating table '" + o.long_table + "' failed");
    if (with_variants) add_field(lt, "variant", OFTString, path);
    add_field(lt, "unit", OFTString, path);
    add_field(lt, "period", OFTString, path);
    add_field(lt, "pop_group", OFTString, path);
    add_field(lt, "indicator", OFTString, path);
    add_field(lt, "value", OFTReal, path);
    const int k = with_variants ? 1 : 0;
    for (const auto& r : rows) {
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
      const Pivot p = pivot(rows, period, o.wide_group, variant);
      const std::string name = layer_name_for(prefix, period);
      write_zone_layer(*ds, name, zones, &p, o.area_km2, path, spatial_opts);
      const std::string field = std::find(p.indicators.begin(), p.indicators.end(), o.style_indicator) !=
                                        p.indicators.end()
                                    ? o.style_indicator
                                    : (p.indicators.empty() ? std::string() : p.indicators.front());
      if (field.empty()) continue;
      std::vector<double> values;
      for (std::size_t i = 0; i < zones.size(); ++i) {
        const auto it = p.by_unit.find(zones.id(i));
        if (it != p.by_unit.end() && it->second.count(field)) values.push_back(it->second.at(field));
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
      f.SetField("styleQML", graduated_style_qml(field, values).c_str());
      f.SetField("styleSLD", "");
      f.SetField("useAsDefault", 1);
      f.SetField("description", ("cohortgis default: " + field + " (" + o.wide_group + "), " + period +
                                 ", quantiles")
                                    .c_str());
      f.SetField("owner", "");
      f.SetField("ui", "");
      const time_t now = time(nullptr);
      struct tm utc {};
      gmtime_r(&now, &utc);
      f.SetField("update_time", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 static_cast<float>(utc.tm_sec), 100);
      if (styles->CreateFeature(&f) != OGRERR_NONE) fail(path, "writing the style of '" + name + "' failed");
    }
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
    // RFC 4180 quoting where needed.
    auto cell = [](const std::string& s) {
      if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    const bool with_variants =
        std::any_of(rows.begin(), rows.end(), [](const IndicatorRow& r) { return !r.variant.empty(); });
    out << (with_variants ? "variant," : "") << "unit,period,group,indicator,value\n";
    for (const auto& r : rows)
      out << (with_variants ? cell(r.variant) + "," : std::string()) << cell(r.unit) << ',' << cell(r.period) << ','
          << cell(r.group) << ',' << cell(r.indicator) << ','
          << (std::isfinite(r.value) ? shortest_number(r.value) : std::string()) << '\n';
    out.close();
    if (!out) throw InputError(path + ": cannot be written (write error)");
  }
  tmp.commit();
}

}  // namespace cohortgis::geodata
