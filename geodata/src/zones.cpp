// SPDX-License-Identifier: Apache-2.0
// load_zones through OGR (GDALOpenEx, read-only), checks with GEOS (through OGR), reprojection with PROJ.
#include "cohortgis/geodata/zones.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/ascii_case.hpp"

#include <cpl_string.h>
#include <gdal.h>
#include <geos_c.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "checked_files.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "gdal_support.hpp"

namespace cohortgis::geodata {

// ---- Zones ----

Zones::Zones() : impl_(std::make_unique<Impl>()) {}
Zones::~Zones() = default;
Zones::Zones(Zones&&) noexcept = default;
Zones& Zones::operator=(Zones&&) noexcept = default;

Zones::Zones(const Zones& o)
    : source_(o.source_), ids_(o.ids_), names_(o.names_), parents_(o.parents_), repairs_(o.repairs_),
      impl_(std::make_unique<Impl>()) {
  impl_->srs = o.impl_->srs;
  impl_->srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl_->geoms.reserve(o.impl_->geoms.size());
  for (const auto& g : o.impl_->geoms) impl_->geoms.emplace_back(g->clone());
  impl_->by_id = o.impl_->by_id;
}

Zones& Zones::operator=(const Zones& o) {
  if (this != &o) {
    Zones copy(o);
    *this = std::move(copy);
  }
  return *this;
}

// By binary search over the ids' order (a linear search made the callers quadratic: `validate` of 50,000 zones spent
// 75 % of its 7.4 s here); the first zone of an id, as a search in file order.
std::optional<std::size_t> Zones::find(const std::string& id) const {
  const auto& order = impl_->by_id;
  const auto it = std::lower_bound(order.begin(), order.end(), id,
                                   [&](std::size_t i, const std::string& key) { return ids_[i] < key; });
  if (it == order.end() || ids_[*it] != id) return std::nullopt;
  return *it;
}

std::size_t Zones::index(const std::string& id) const {
  if (auto i = find(id)) return *i;
  throw InputError(source_ + ": no zone with id '" + id + "'");
}

std::string Zones::crs_wkt() const {
  char* wkt = nullptr;
  const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
  impl_->srs.exportToWkt(&wkt, opts);
  std::string s = wkt ? wkt : "";
  CPLFree(wkt);
  return s;
}

std::string Zones::crs_name() const {
  const char* n = impl_->srs.GetName();
  return n ? n : "";
}

bool Zones::crs_is_geographic() const { return impl_->srs.IsGeographic(); }

Envelope Zones::extent() const {
  OGREnvelope all;
  for (const auto& g : impl_->geoms) {
    OGREnvelope e;
    g->getEnvelope(&e);
    all.Merge(e);
  }
  return {all.MinX, all.MinY, all.MaxX, all.MaxY};
}

std::string Zones::wkt(std::size_t i) const { return impl_->geoms.at(i)->exportToWkt(); }

std::vector<std::uint8_t> Zones::wkb(std::size_t i) const {
  const OGRGeometry& g = *impl_->geoms.at(i);
  std::vector<std::uint8_t> out(g.WkbSize());
  g.exportToWkb(wkbNDR, out.data(), wkbVariantIso);
  return out;
}

Zones Zones::select(const std::vector<std::string>& ids, const std::vector<std::string>& names,
                    const std::vector<std::string>& parents) const {
  if ((!names.empty() && names.size() != ids.size()) || (!parents.empty() && parents.size() != ids.size()))
    throw InputError(source_ + ": ids, names and parents differ in length");
  std::vector<std::string> n, p;
  std::vector<GeometryPtr> geoms;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::size_t i = index(ids[k]);
    n.push_back(names.empty() ? names_.at(i) : names[k]);
    p.push_back(parents.empty() ? parents_.at(i) : parents[k]);
    geoms.emplace_back(impl_->geoms[i]->clone());
  }
  return ZonesBuilder::make(source_, ids, std::move(n), std::move(p), repairs_, impl_->srs, std::move(geoms));
}

Zones ZonesBuilder::make(std::string source, std::vector<std::string> ids, std::vector<std::string> names,
                         std::vector<std::string> parents, std::vector<std::string> repairs, OGRSpatialReference srs,
                         std::vector<GeometryPtr> geoms) {
  Zones z;
  z.source_ = std::move(source);
  z.ids_ = std::move(ids);
  z.names_ = std::move(names);
  z.parents_ = std::move(parents);
  z.repairs_ = std::move(repairs);
  z.impl_->srs = std::move(srs);
  z.impl_->srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  z.impl_->geoms = std::move(geoms);
  auto& order = z.impl_->by_id;
  order.resize(z.ids_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return z.ids_[a] < z.ids_[b]; });
  return z;
}

namespace {

// One feature as read, before the checks.
struct RawZone {
  std::string feature;  // "feature 12" (FID), for zones whose id is missing
  std::string id, name, parent;
  GeometryPtr geom;     // may be null
};

// GEOS's reason for invalidity ("Self-intersection[116.1 39.9]"); OGR has no wrapper for it in GDAL 3.6.
std::string invalid_reason(const OGRGeometry& g) {
  // GEOS refuses an unclosed ring (a GeoJSON ring whose last point is not its first): the reason was "invalid".
  if (wkbFlatten(g.getGeometryType()) == wkbMultiPolygon)
    for (const OGRPolygon* p : *g.toMultiPolygon())
      for (const OGRLinearRing* r : *p)
        if (r->getNumPoints() > 0 && !r->get_IsClosed())
          return "Ring not closed: it ends at " + shortest_number(r->getX(r->getNumPoints() - 1)) + " " +
                 shortest_number(r->getY(r->getNumPoints() - 1)) + ", not at its first point " +
                 shortest_number(r->getX(0)) + " " + shortest_number(r->getY(0));
  GEOSContextHandle_t ctx = OGRGeometry::createGEOSContext();
  std::string reason = "invalid";
  if (GEOSGeometry* gg = g.exportToGEOS(ctx)) {
    if (char* r = GEOSisValidReason_r(ctx, gg)) {
      reason = r;
      GEOSFree_r(ctx, r);
    }
    GEOSGeom_destroy_r(ctx, gg);
  }
  OGRGeometry::freeGEOSContext(ctx);
  return reason;
}

// The polygons of g as one MultiPolygon (2D, linear), or null when g has a non-polygonal part. `dropped` counts
// non-polygonal parts that were skipped when `drop_others` is set (MakeValid can collapse slivers to lines).
GeometryPtr as_multipolygon(const OGRGeometry& g, bool drop_others, int* dropped) {
  GeometryPtr lin(g.hasCurveGeometry() ? g.getLinearGeometry() : g.clone());
  lin->flattenTo2D();
  auto out = std::make_unique<OGRMultiPolygon>();
  bool ok = true;
  auto add = [&](auto&& self, const OGRGeometry& part) -> void {
    switch (wkbFlatten(part.getGeometryType())) {
      case wkbPolygon: out->addGeometry(&part); break;
      case wkbMultiPolygon:
      case wkbGeometryCollection:
        for (const OGRGeometry* sub : *part.toGeometryCollection()) self(self, *sub);
        break;
      default:
        if (drop_others && dropped) ++*dropped;
        else ok = false;
    }
  };
  add(add, *lin);
  if (!ok) return nullptr;
  return GeometryPtr(out.release());
}

std::string feature_ref(GIntBig fid) { return "feature " + std::to_string(fid); }

// All checks of load_zones/from_wkt; builds the Zones or throws one InputError listing every problem.
Zones finish(const std::string& label, OGRSpatialReference srs, std::vector<RawZone> raw, bool make_valid) {
  std::vector<std::string> problems;
  // Items arrive formatted ("'110101' (feature 3)"); lists are cut at 20 items.
  auto report = [&](const std::string& what, const std::vector<std::string>& items) {
    if (items.empty()) return;
    std::string s = what + " (" + std::to_string(items.size()) + "): ";
    const std::size_t n = std::min<std::size_t>(items.size(), 20);
    for (std::size_t k = 0; k < n; ++k) s += (k ? ", " : "") + items[k];
    if (items.size() > n) s += " … and " + std::to_string(items.size() - n) + " more";
    problems.push_back(s);
  };
  auto q = [](const std::string& s) { return "'" + escape_cell(s) + "'"; };  // a line break in an id written \x0a

  std::vector<std::string> empty_ids, dups, no_geom, empty_geom, not_polygon, invalid, collapsed, repairs;
  std::map<std::string, std::vector<std::string>> where;
  for (const auto& r : raw) {
    if (r.id.empty()) empty_ids.push_back(r.feature);
    else where[r.id].push_back(r.feature);
  }
  for (const auto& [id, features] : where)
    if (features.size() > 1) {
      // At most 5 features an id: an id repeated in 1000 features (an OGR VRT union of one source) was a 27 kB list.
      std::string s = q(id) + " (";
      const std::size_t n = std::min<std::size_t>(features.size(), 5);
      for (std::size_t k = 0; k < n; ++k) s += (k ? ", " : "") + features[k];
      if (features.size() > n) s += " … and " + std::to_string(features.size() - n) + " more";
      dups.push_back(s + ")");
    }

  QuietGdalErrors quiet;
  std::vector<GeometryPtr> geoms(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    RawZone& r = raw[i];
    const std::string who = r.id.empty() ? r.feature : q(r.id);
    if (!r.geom) {
      no_geom.push_back(who);
      continue;
    }
    if (r.geom->IsEmpty()) {
      empty_geom.push_back(who);
      continue;
    }
    GeometryPtr mp = as_multipolygon(*r.geom, false, nullptr);
    if (!mp) {
      not_polygon.push_back(who + " (" + OGRGeometryTypeToName(r.geom->getGeometryType()) + ")");
      continue;
    }
    if (!mp->IsValid()) {
      const std::string reason = invalid_reason(*mp);
      if (!make_valid) {
        invalid.push_back(who + " (" + reason + ")");
        continue;
      }
      // GEOS (MakeValid) cannot read an unclosed ring: closed first, by repeating its first point.
      mp->closeRings();
      GeometryPtr fixed(mp->IsValid() ? mp->clone() : mp->MakeValid());
      int dropped = 0;
      GeometryPtr fixed_mp = fixed ? as_multipolygon(*fixed, true, &dropped) : nullptr;
      if (!fixed_mp || fixed_mp->IsEmpty() || !fixed_mp->IsValid()) {
        collapsed.push_back(who + " (" + reason + ")");
        continue;
      }
      const double before = mp->toMultiPolygon()->get_Area();
      const double after = fixed_mp->toMultiPolygon()->get_Area();
      std::string note = "zone " + who + ": " + reason + "; repaired by MakeValid into " +
                         std::to_string(fixed_mp->toMultiPolygon()->getNumGeometries()) + " polygon(s)";
      if (dropped) note += ", dropping " + std::to_string(dropped) + " non-polygonal part(s)";
      note += "; planar area in CRS units " + shortest_number(before) + " → " + shortest_number(after);
      repairs.push_back(note);
      mp = std::move(fixed_mp);
    }
    geoms[i] = std::move(mp);
  }

  report("features with an empty id", empty_ids);
  report("duplicate ids", dups);
  report("zones without a geometry", no_geom);
  report("zones with an empty geometry", empty_geom);
  report("zones whose geometry is not a polygon or multipolygon", not_polygon);
  report("zones with an invalid geometry (load with make_valid to repair)", invalid);
  report("zones whose geometry MakeValid could not repair into polygons", collapsed);
  if (raw.empty()) problems.push_back("the layer holds no features; expected at least one zone");
  if (!problems.empty()) {
    std::string msg = label + ": ";
    for (std::size_t k = 0; k < problems.size(); ++k) msg += (k ? "; " : "") + problems[k];
    throw InputError(msg);
  }

  std::vector<std::string> ids, names, parents;
  for (auto& r : raw) {
    ids.push_back(std::move(r.id));
    names.push_back(std::move(r.name));
    parents.push_back(std::move(r.parent));
  }
  return ZonesBuilder::make(label, std::move(ids), std::move(names), std::move(parents), std::move(repairs),
                            std::move(srs), std::move(geoms));
}

// The text of field i as UTF-8: recoded from `encoding` when `recode`, else it must already be UTF-8.
std::string field_text(OGRFeature& f, int i, const std::string& label, const std::vector<std::string>& fields,
                       bool recode, const std::string& encoding) {
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return {};
  switch (f.GetFieldDefnRef(i)->GetType()) {
    case OFTInteger: return std::to_string(f.GetFieldAsInteger(i));
    case OFTInteger64: return std::to_string(f.GetFieldAsInteger64(i));
    case OFTReal: return shortest_number(f.GetFieldAsDouble(i));
    default: break;
  }
  const std::string raw = f.GetFieldAsString(i);
  const std::string where = label + ", " + feature_ref(f.GetFID()) + ", field '" + escape_cell(fields[uz(i)]) + "'";
  if (recode) return trim(to_utf8(raw, encoding, where));
  if (!CPLIsUTF8(raw.c_str(), -1))
    throw InputError(where + ": '" + escape_cell(raw) + "' is not valid UTF-8 text; " + kDeclareEncoding +
                     " in [geography.source]");
  return trim(raw);
}

// The .prj beside a Shapefile (either case of the extension); empty for other sources or without one.
std::string shapefile_prj(GDALDataset& ds, const std::string& path) {
  if (!ds.GetDriver() || !ascii_iequals(ds.GetDriver()->GetDescription(), "ESRI Shapefile")) return {};
  std::error_code ec;
  for (const char* ext : {".prj", ".PRJ"}) {
    const std::filesystem::path prj = std::filesystem::path(path).replace_extension(ext);
    if (std::filesystem::is_regular_file(prj, ec)) return prj.string();
  }
  return {};
}
}  // namespace

Zones load_zones(const ZoneSource& src) {
  register_drivers();
  if (src.id_field.empty()) throw InputError(src.path + ": no id field given for the zones");
  check_encoding(src.encoding, src.path);
  // Plain paths get a clear "not found"; connection strings and /vsi paths go straight to GDAL.
  const bool looks_like_file = src.path.find(':') == std::string::npos && src.path.rfind("/vsi", 0) != 0;
  if (looks_like_file) {
    std::error_code ec;
    if (!std::filesystem::exists(src.path, ec))
      throw InputError(src.path + ": file not found; expected a vector source with the zones (GeoPackage, "
                                  "Shapefile, GeoJSON, FlatGeobuf …)");
  }
  // A source a scenario's check approved is checked again as it is now: Python's maps and zones() read it long after
  // the load, and a file rewritten meanwhile as an OGR VRT naming a file outside the folders was read through (the
  // binding of approved files follows the path, not what the file names; hostile Python probe of round 27).
  if (const auto roots = approved_roots(src.path)) {
    refuse_changed_checked_file(src.path, src.path);  // a link swapped or a pipe: said as such first
    (void)check_input(src.path, src.path, ReadPolicy{*roots, {}});
  }

  QuietGdalErrors quiet;
  DatasetPtr ds = open_input(src.path, src.path, input_drivers(src.path).List(), nullptr);
  // A Shapefile's DBF is recoded by GDAL when the encoding is declared; other sources are recoded here.
  const bool recode = !reopen_shapefile_with_encoding(ds, src.path, src.encoding) && !is_utf8_encoding(src.encoding);
  if (!ds)
    throw InputError(src.path + ": cannot be opened as vector data" + QuietGdalErrors::because() +
                     "; expected a GDAL vector source with the zones");
  refuse_encoding_of_utf8_format(*ds, src.path, src.encoding);

  std::vector<std::string> layer_names;
  for (int i = 0; i < ds->GetLayerCount(); ++i) layer_names.emplace_back(ds->GetLayer(i)->GetName());
  OGRLayer* layer = nullptr;
  if (!src.layer.empty()) {
    layer = ds->GetLayerByName(src.layer.c_str());
    if (!layer)
      throw InputError(src.path + ": no layer '" + src.layer + "'; layers found: " + quoted_list(layer_names));
  } else {
    if (layer_names.size() != 1)
      throw InputError(src.path + ": holds " + std::to_string(layer_names.size()) +
                       " layers; name the zones layer (layers found: " + quoted_list(layer_names) + ")");
    layer = ds->GetLayer(0);
  }
  const std::string label = src.path + ", layer '" + layer->GetName() + "'";

  // An empty layer (a GeoJSON with "features": []) has no fields either: say what is really wrong.
  if (layer->GetFeatureCount(TRUE) == 0) throw InputError(label + ": has no features; expected at least one zone");

  OGRFeatureDefn* defn = layer->GetLayerDefn();
  std::vector<std::string> fields;
  bool names_utf8 = true;
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    const char* raw = defn->GetFieldDefn(i)->GetNameRef();
    names_utf8 = names_utf8 && (recode || CPLIsUTF8(raw, -1));
    fields.emplace_back(recode ? to_utf8(raw, src.encoding, label + ", field " + std::to_string(i + 1)) : raw);
  }
  std::vector<std::string> missing;
  auto field_index = [&](const std::string& name) {
    if (name.empty()) return -1;
    // Case-insensitive, as OGR's GetFieldIndex, in ASCII whatever the host's locale (ascii_case.hpp: "ID" for "id").
    const auto it =
        std::find_if(fields.begin(), fields.end(), [&](const std::string& f) { return ascii_iequals(f, name); });
    if (it == fields.end()) missing.push_back(name);
    return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
  };
  const int id_i = field_index(src.id_field);
  const int name_i = field_index(src.name_field);
  const int parent_i = field_index(src.parent_field);
  if (!missing.empty())
    throw InputError(label + ": missing field" + (missing.size() > 1 ? "s " : " ") + quoted_list(missing) +
                     "; fields found: " + quoted_list(fields, 1000) +
                     (names_utf8 ? "" : std::string("; some field names are not valid UTF-8: ") + kDeclareEncoding));
  if (defn->GetGeomFieldCount() < 1) throw InputError(label + ": has no geometry column; expected zone polygons");

  OGRSpatialReference srs;
  CPLErrorReset();
  const OGRSpatialReference* layer_srs = layer->GetSpatialRef();
  const std::string srs_error = QuietGdalErrors::because();  // a .prj GDAL cannot read ("missing CONVERSION node")
  if (const OGRSpatialReference* s = layer_srs) {
    // Not silently ignored: a user naming a CRS for a layer that has one expects it to count.
    if (!src.assume_crs.empty())
      throw InputError(label + ": has its own coordinate reference system (" +
                       std::string(s->GetName() ? s->GetName() : "unnamed") + "); a CRS to assume ('" + src.assume_crs +
                       "') is only for a layer without one: leave it out, or change the file's CRS "
                       "(ogr2ogr -a_srs)");
    srs = *s;
  } else if (!src.assume_crs.empty()) {
    srs = parse_crs(src.assume_crs, label + ", assumed CRS");
  } else if (const std::string prj = shapefile_prj(*ds, src.path); !srs_error.empty() && !prj.empty()) {
    // The .prj is there but unreadable: "no coordinate reference system … a .prj beside a Shapefile" misled.
    throw InputError(label + ": its .prj " + prj + " cannot be read as a coordinate reference system" + srs_error +
                     "; replace it with a valid one (e.g. ogr2ogr -a_srs EPSG:4326, or the .prj of the data's "
                     "source), or remove it and name the CRS to assume (a scenario's [geography.source] crs)");
  } else {
    throw InputError(
        label + ": has no coordinate reference system" + srs_error +
        "; set one in the file (e.g. ogr2ogr -a_srs "
        "EPSG:4326; a .prj beside a Shapefile) or name the CRS to assume for it (a scenario's [geography.source] "
        "crs)");
  }
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);

  std::vector<RawZone> raw;
  layer->ResetReading();
  CPLErrorReset();
  for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
    RawZone r;
    r.feature = feature_ref(f->GetFID());
    r.id = field_text(*f, id_i, label, fields, recode, src.encoding);
    r.name = field_text(*f, name_i, label, fields, recode, src.encoding);
    r.parent = field_text(*f, parent_i, label, fields, recode, src.encoding);
    // Names of at most 200 characters (text_encoding.hpp), with the feature and field of a longer one.
    for (const auto& [text, field] : {std::pair{&r.id, &src.id_field}, std::pair{&r.name, &src.name_field},
                                      std::pair{&r.parent, &src.parent_field}})
      check_name_length(*text, label + ", " + r.feature + ", field '" + escape_cell(*field) + "'");
    if (OGRGeometry* g = f->StealGeometry()) r.geom.reset(g);
    raw.push_back(std::move(r));
  }
  if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
    throw InputError(label + ": read error after " + std::to_string(raw.size()) + " features" +
                     QuietGdalErrors::because());
  return finish(label, std::move(srs), std::move(raw), src.make_valid);
}

Zones Zones::from_wkt(const std::string& label, const std::string& crs, const std::vector<std::string>& ids,
                      const std::vector<std::string>& wkt, const std::vector<std::string>& names,
                      const std::vector<std::string>& parents, bool make_valid) {
  if (ids.size() != wkt.size() || (!names.empty() && names.size() != ids.size()) ||
      (!parents.empty() && parents.size() != ids.size()))
    throw InputError(label + ": ids, geometries, names and parents differ in length");
  OGRSpatialReference srs = parse_crs(crs, label);
  std::vector<RawZone> raw(ids.size());
  QuietGdalErrors quiet;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    raw[i].feature = "geometry " + std::to_string(i + 1);
    raw[i].id = trim(ids[i]);
    if (!names.empty()) raw[i].name = names[i];
    if (!parents.empty()) raw[i].parent = parents[i];
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkt(wkt[i].c_str(), nullptr, &g) != OGRERR_NONE)
      throw InputError(label + ", zone '" + ids[i] + "': not a WKT geometry" + QuietGdalErrors::because());
    raw[i].geom.reset(g);
  }
  return finish(label, std::move(srs), std::move(raw), make_valid);
}

Zones reproject(const Zones& zones, const std::string& crs) {
  register_drivers();
  OGRSpatialReference to = parse_crs(crs, zones.source() + ", reprojection target");
  TransformPtr t = make_transform(zones.impl().srs, to, zones.source() + ", reprojection");
  QuietGdalErrors quiet;
  std::vector<GeometryPtr> geoms;
  geoms.reserve(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i) {
    GeometryPtr g(zones.impl().geoms[i]->clone());
    if (g->transform(t.get()) != OGRERR_NONE)
      throw InputError(zones.source() + ", zone '" + zones.id(i) + "': cannot be reprojected to '" + crs + "'" +
                       QuietGdalErrors::because());
    geoms.push_back(std::move(g));
  }
  return ZonesBuilder::make(zones.source(), zones.ids(), zones.names(), zones.parents(), zones.repairs(),
                            std::move(to), std::move(geoms));
}

std::vector<XY> reproject_points(const std::vector<XY>& points, const std::string& from_crs,
                                 const std::string& to_crs) {
  register_drivers();
  const OGRSpatialReference a = parse_crs(from_crs, "source CRS");
  const OGRSpatialReference b = parse_crs(to_crs, "target CRS");
  TransformPtr t = make_transform(a, b, "point reprojection");
  std::vector<double> x(points.size()), y(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) x[i] = points[i].x, y[i] = points[i].y;
  std::vector<int> ok(points.size(), 0);
  QuietGdalErrors quiet;
  if (!points.empty() && !t->Transform(static_cast<int>(points.size()), x.data(), y.data(), nullptr, ok.data()))
    for (std::size_t i = 0; i < points.size(); ++i)
      if (!ok[i])
        throw InputError("point " + std::to_string(i + 1) + " (" + shortest_number(points[i].x) + ", " +
                         shortest_number(points[i].y) + ") cannot be transformed from '" + from_crs + "' to '" +
                         to_crs + "'" + QuietGdalErrors::because());
  std::vector<XY> out(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) out[i] = {x[i], y[i]};
  return out;
}

}  // namespace cohortgis::geodata
