// SPDX-License-Identifier: Apache-2.0
// Areas, centroids and boxes with PROJ (through OGRCoordinateTransformation), adjacency with GEOS, geodesic
// centroid distances with PROJ's geodesic.h, candidate pairs from uniform grids (no n² loops).
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <geodesic.h>
#include <geos_c.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "gdal_support.hpp"

namespace cohortgis::geodata {

namespace {

OGRSpatialReference geographic_of(const OGRSpatialReference& srs) {
  OGRSpatialReference g;
  g.CopyGeogCSFrom(&srs);
  g.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return g;
}

// LAEA centred on (lon0, lat0) on the datum of `srs`. PROJ's refusal (a centre beyond the poles: zones whose
// latitudes pass ±90°) is this call's InputError, not a line "ERROR 1: PROJ: laea: …" on stderr before another
// error about the same zones.
OGRSpatialReference laea_on(const OGRSpatialReference& srs, double lon0, double lat0, const std::string& what) {
  OGRSpatialReference p = geographic_of(srs);
  // Rounded centre: the same zones give the same WKT, and 1e-4° (~10 m) makes no difference to equal-area-ness.
  lon0 = std::round(lon0 * 1e4) / 1e4;
  lat0 = std::round(lat0 * 1e4) / 1e4;
  p.SetProjCS(("Lambert azimuthal equal-area centred on " + shortest_number(lat0) + "N " + shortest_number(lon0) +
               "E")
                  .c_str());
  QuietGdalErrors quiet;
  if (p.SetLAEA(lat0, lon0, 0.0, 0.0) != OGRERR_NONE || CPLGetLastErrorType() >= CE_Failure)
    throw InputError(what + ": no equal-area plane centred on latitude " + shortest_number(lat0) + ", longitude " +
                     shortest_number(lon0) + QuietGdalErrors::because() +
                     "; expected zones on the earth (latitudes from -90 to 90 degrees) in their coordinate "
                     "reference system");
  p.SetLinearUnits(SRS_UL_METER, 1.0);
  p.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return p;
}

// Centre of the zones' extent as longitude/latitude on their datum.
XY extent_centre_lonlat(const Zones& zones) {
  const Envelope e = zones.extent();
  XY c{(e.min_x + e.max_x) / 2, (e.min_y + e.max_y) / 2};
  const OGRSpatialReference& srs = zones.impl().srs;
  if (srs.IsGeographic()) return c;
  TransformPtr t = make_transform(srs, geographic_of(srs), zones.source() + ", extent centre");
  if (!t->Transform(1, &c.x, &c.y))
    throw InputError(zones.source() + ": the centre of the zones' extent cannot be transformed to longitude/latitude");
  return c;
}

OGRSpatialReference equal_area_srs(const Zones& zones, const std::string& user_crs) {
  if (!user_crs.empty()) return parse_crs(user_crs, zones.source() + ", equal-area CRS");
  const XY c = extent_centre_lonlat(zones);
  return laea_on(zones.impl().srs, c.x, c.y, zones.source() + ", the zones' extent centre");
}

std::string to_wkt(const OGRSpatialReference& srs) {
  char* wkt = nullptr;
  const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
  srs.exportToWkt(&wkt, opts);
  std::string s = wkt ? wkt : "";
  CPLFree(wkt);
  return s;
}

// The zones' geometries on another CRS (serial: one OGRCoordinateTransformation is not thread-safe).
std::vector<GeometryPtr> transformed(const Zones& zones, const OGRSpatialReference& to) {
  TransformPtr t = make_transform(zones.impl().srs, to, zones.source() + ", projection for measures");
  std::vector<GeometryPtr> out;
  out.reserve(zones.size());
  QuietGdalErrors quiet;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    GeometryPtr g(zones.impl().geoms[i]->clone());
    if (g->transform(t.get()) != OGRERR_NONE)
      throw InputError(zones.source() + ", zone '" + zones.id(i) + "': cannot be projected for measuring" +
                       QuietGdalErrors::because());
    out.push_back(std::move(g));
  }
  return out;
}

// One GEOS context per thread (GEOS's reentrant API); geometries may be created in one and read in another.
struct GeosContext {
  GEOSContextHandle_t h = GEOS_init_r();
  GeosContext() = default;
  GeosContext(const GeosContext&) : h(GEOS_init_r()) {}
  GeosContext& operator=(const GeosContext&) = delete;
  ~GeosContext() { GEOS_finish_r(h); }
};

// Uniform grid over boxes: each box is filed under every cell it overlaps. Cell side ≈ the typical box size, so a
// box meets O(1) cells and a query O(1) boxes when zones are of similar size.
class BoxGrid {
 public:
  BoxGrid(const std::vector<OGREnvelope>& boxes, double cell_hint) {
    for (const auto& b : boxes) all_.Merge(b);
    const double w = std::max(all_.MaxX - all_.MinX, 1e-9), h = std::max(all_.MaxY - all_.MinY, 1e-9);
    cell_ = std::max(cell_hint, std::sqrt(w * h / (4.0 * static_cast<double>(boxes.size()) + 1.0)));
    nx_ = static_cast<std::size_t>(w / cell_) + 1;
    ny_ = static_cast<std::size_t>(h / cell_) + 1;
    std::vector<std::size_t> count(nx_ * ny_ + 1, 0);
    for (const auto& b : boxes) for_cells(b, [&](std::size_t c) { ++count[c + 1]; });
    for (std::size_t c = 0; c < nx_ * ny_; ++c) count[c + 1] += count[c];
    start_ = count;
    items_.resize(start_.back());
    for (std::size_t i = 0; i < boxes.size(); ++i) for_cells(boxes[i], [&](std::size_t c) { items_[count[c]++] = i; });
  }
  // Calls f(item) for every item filed in a cell that `b` overlaps (an item may come more than once).
  template <class F>
  void query(const OGREnvelope& b, F&& f) const {
    for_cells(b, [&](std::size_t c) {
      for (std::size_t k = start_[c]; k < start_[c + 1]; ++k) f(items_[k]);
    });
  }

 private:
  template <class F>
  void for_cells(const OGREnvelope& b, F&& f) const {
    const std::size_t x0 = cx(b.MinX), x1 = cx(b.MaxX), y0 = cy(b.MinY), y1 = cy(b.MaxY);
    for (std::size_t y = y0; y <= y1; ++y)
      for (std::size_t x = x0; x <= x1; ++x) f(y * nx_ + x);
  }
  std::size_t cx(double x) const { return clamp_cell((x - all_.MinX) / cell_, nx_); }
  std::size_t cy(double y) const { return clamp_cell((y - all_.MinY) / cell_, ny_); }
  static std::size_t clamp_cell(double v, std::size_t n) {
    if (!(v > 0)) return 0;
    return std::min(static_cast<std::size_t>(v), n - 1);
  }
  OGREnvelope all_;
  double cell_ = 1.0;
  std::size_t nx_ = 1, ny_ = 1;
  std::vector<std::size_t> start_, items_;
};

double geos_length(GEOSContextHandle_t h, const GEOSGeometry* g) {
  double len = 0.0;
  if (!g || GEOSLength_r(h, g, &len) != 1) return 0.0;
  return len;
}

}  // namespace

std::string equal_area_crs_for(const Zones& zones) {
  register_drivers();
  return to_wkt(equal_area_srs(zones, {}));
}

double ZoneMeasures::total_area_km2() const {
  double s = 0.0;
  for (double a : area_km2) s += a;
  return s;
}

ZoneMeasures measure_zones(const Zones& zones, const MeasureOptions& options) {
  register_drivers();
  ZoneMeasures m;
  const std::size_t n = zones.size();
  const OGRSpatialReference ea = equal_area_srs(zones, options.equal_area_crs);
  m.equal_area_crs = to_wkt(ea);
  const std::vector<GeometryPtr> projected = transformed(zones, ea);
  TransformPtr back = make_transform(ea, zones.impl().srs, zones.source() + ", centroids");
  TransformPtr to_geo = make_transform(ea, geographic_of(zones.impl().srs), zones.source() + ", centroids");

  m.area_km2.resize(n);
  m.centroid.resize(n);
  m.centroid_lonlat.resize(n);
  m.bbox.resize(n);
  std::vector<double> cx(n), cy(n);
  QuietGdalErrors quiet;
  for (std::size_t i = 0; i < n; ++i) {
    const OGRMultiPolygon* mp = projected[i]->toMultiPolygon();
    m.area_km2[i] = mp->get_Area() / 1e6;
    OGRPoint c;
    if (mp->Centroid(&c) != OGRERR_NONE)
      throw InputError(zones.source() + ", zone '" + zones.id(i) + "': no centroid" + QuietGdalErrors::because());
    cx[i] = c.getX();
    cy[i] = c.getY();
    OGREnvelope e;
    zones.impl().geoms[i]->getEnvelope(&e);
    m.bbox[i] = {e.MinX, e.MinY, e.MaxX, e.MaxY};
  }
  std::vector<double> bx = cx, by = cy, gx = cx, gy = cy;
  const int count = static_cast<int>(n);  // OGR takes an int count
  if (n && (!back->Transform(count, bx.data(), by.data()) || !to_geo->Transform(count, gx.data(), gy.data())))
    throw InputError(zones.source() + ": centroids cannot be transformed back from the equal-area projection" +
                     QuietGdalErrors::because());
  for (std::size_t i = 0; i < n; ++i) {
    m.centroid[i] = {bx[i], by[i]};
    m.centroid_lonlat[i] = {gx[i], gy[i]};
  }
  return m;
}

std::vector<double> density_per_km2(const std::vector<double>& persons, const ZoneMeasures& measures) {
  if (persons.size() != measures.area_km2.size())
    throw InputError("density: " + std::to_string(persons.size()) + " population counts for " +
                     std::to_string(measures.area_km2.size()) + " zones");
  std::vector<double> d(persons.size());
  for (std::size_t i = 0; i < persons.size(); ++i) {
    if (!std::isfinite(persons[i]) || persons[i] < 0)
      throw InputError("density: zone " + std::to_string(i + 1) + " has population " + shortest_number(persons[i]) +
                       "; expected a finite count ≥ 0");
    if (!(measures.area_km2[i] > 0))
      throw InputError("density: zone " + std::to_string(i + 1) + " has area " +
                       shortest_number(measures.area_km2[i]) + " km²; expected a positive area");
    d[i] = persons[i] / measures.area_km2[i];
  }
  return d;
}

// ---- adjacency ----

std::vector<std::vector<Neighbour>> zone_adjacency(const Zones& zones, const AdjacencyOptions& options) {
  register_drivers();
  const std::size_t n = zones.size();
  const double tol = std::max(0.0, options.snap_tolerance_m);
  const OGRSpatialReference ea = equal_area_srs(zones, options.equal_area_crs);
  const std::vector<GeometryPtr> projected = transformed(zones, ea);

  std::vector<OGREnvelope> boxes(n);
  double mean_side = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    projected[i]->getEnvelope(&boxes[i]);
    boxes[i].MinX -= tol, boxes[i].MinY -= tol, boxes[i].MaxX += tol, boxes[i].MaxY += tol;
    mean_side += std::max(boxes[i].MaxX - boxes[i].MinX, boxes[i].MaxY - boxes[i].MinY);
  }
  mean_side /= static_cast<double>(std::max<std::size_t>(n, 1));
  const BoxGrid grid(boxes, mean_side);

  // GEOS copies of each zone, its boundary and (with a tolerance) its buffer, made once.
  tbb::enumerable_thread_specific<GeosContext> contexts;
  struct GeosZone {
    GEOSGeometry* geom = nullptr;
    GEOSGeometry* boundary = nullptr;
    GEOSGeometry* grown = nullptr;  // geom buffered by tol, or geom itself
    const GEOSPreparedGeometry* prepared = nullptr;
  };
  std::vector<GeosZone> gz(n);
  auto release = [&] {
    GEOSContextHandle_t h = contexts.local().h;
    for (auto& z : gz) {
      if (z.prepared) GEOSPreparedGeom_destroy_r(h, z.prepared);
      if (z.grown && z.grown != z.geom) GEOSGeom_destroy_r(h, z.grown);
      if (z.boundary) GEOSGeom_destroy_r(h, z.boundary);
      if (z.geom) GEOSGeom_destroy_r(h, z.geom);
    }
  };
  std::vector<std::vector<Neighbour>> out(n);
  try {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
      GEOSContextHandle_t h = contexts.local().h;
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        GeosZone& z = gz[i];
        z.geom = projected[i]->exportToGEOS(h);
        if (z.geom) z.boundary = GEOSBoundary_r(h, z.geom);
        if (z.geom) z.grown = tol > 0 ? GEOSBuffer_r(h, z.geom, tol, 8) : z.geom;
        if (z.geom) z.prepared = GEOSPrepare_r(h, z.grown);
        if (!z.geom || !z.boundary || !z.grown || !z.prepared)
          throw InputError(zones.source() + ", zone '" + zones.id(i) + "': GEOS cannot process the geometry");
      }
    });

    // Pairs i < j whose boxes overlap, tested exactly. Shared boundary = mean of length(∂A ∩ B⁺) and
    // length(∂B ∩ A⁺), X⁺ = X grown by the tolerance: for zones that share an edge exactly both are the edge's
    // length; where neighbours overlap slightly (digitised boundaries, DATA.md) each counts its own side.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
      GEOSContextHandle_t h = contexts.local().h;
      std::vector<std::size_t> cand;
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        cand.clear();
        grid.query(boxes[i], [&](std::size_t j) {
          if (j > i && boxes[i].Intersects(boxes[j])) cand.push_back(j);
        });
        std::sort(cand.begin(), cand.end());
        cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
        for (std::size_t j : cand) {
          const char touch = GEOSPreparedIntersects_r(h, gz[i].prepared, gz[j].geom);
          if (touch == 2)
            throw InputError(zones.source() + ": GEOS failed testing zones '" + zones.id(i) + "' and '" +
                             zones.id(j) + "'");
          if (!touch) continue;
          GEOSGeometry* a = GEOSIntersection_r(h, gz[i].boundary, gz[j].grown);
          GEOSGeometry* b = GEOSIntersection_r(h, gz[j].boundary, gz[i].grown);
          const double shared = 0.5 * (geos_length(h, a) + geos_length(h, b));
          if (a) GEOSGeom_destroy_r(h, a);
          if (b) GEOSGeom_destroy_r(h, b);
          if (options.min_shared_boundary_m > 0 && shared < options.min_shared_boundary_m) continue;
          out[i].push_back({j, shared});
        }
      }
    });
  } catch (...) {
    release();
    throw;
  }
  release();

  // Mirror i < j into j's list; lists end sorted by index because i runs upwards.
  std::vector<std::vector<Neighbour>> sym(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const Neighbour& nb : out[i]) sym[nb.zone].push_back({i, nb.shared_boundary_m});
  for (std::size_t i = 0; i < n; ++i) {
    sym[i].insert(sym[i].end(), out[i].begin(), out[i].end());
    std::sort(sym[i].begin(), sym[i].end(), [](const Neighbour& a, const Neighbour& b) { return a.zone < b.zone; });
  }
  return sym;
}

// ---- distances ----

double geodesic_km(const Zones& zones, XY a, XY b) {
  const OGRSpatialReference& srs = zones.impl().srs;
  const double inv_f = srs.GetInvFlattening();
  geod_geodesic g;
  geod_init(&g, srs.GetSemiMajor(), inv_f > 0 ? 1.0 / inv_f : 0.0);
  double s12 = 0.0;
  geod_inverse(&g, a.y, a.x, b.y, b.x, &s12, nullptr, nullptr);
  return s12 / 1000.0;
}

SparseDistances centroid_distances(const Zones& zones, const ZoneMeasures& measures, const DistanceOptions& o) {
  register_drivers();
  const std::size_t n = zones.size();
  if (measures.centroid_lonlat.size() != n)
    throw InputError(zones.source() + ": measures are for " + std::to_string(measures.centroid_lonlat.size()) +
                     " zones, not " + std::to_string(n));
  if (!(o.cutoff_km > 0) && o.k == 0)
    throw InputError("centroid distances: give a cutoff in km, a number k of nearest zones, or both");
  const OGRSpatialReference& srs = zones.impl().srs;
  const double inv_f = srs.GetInvFlattening();
  geod_geodesic geod;
  geod_init(&geod, srs.GetSemiMajor(), inv_f > 0 ? 1.0 / inv_f : 0.0);

  // Candidates are searched on an LAEA plane centred on the centroids; exact distances are geodesic. On the
  // sphere LAEA's scale factors are h = cos(c/2) along and k = 1/cos(c/2) across radii, c the angular distance
  // from the centre (Snyder 1987, p. 186), so within a cap of radius c_max planar and geodesic lengths differ by at
  // most the factor s = cos(c_max/2) either way; 1% more covers the ellipsoid. Searching planar radii divided by s
  // (cutoff) or by s² (k nearest) therefore finds every zone the exact rule needs.
  double lon0 = 0, lat0 = 0;
  {
    double lo_min = 1e300, lo_max = -1e300, la_min = 1e300, la_max = -1e300;
    for (const XY& p : measures.centroid_lonlat) {
      lo_min = std::min(lo_min, p.x), lo_max = std::max(lo_max, p.x);
      la_min = std::min(la_min, p.y), la_max = std::max(la_max, p.y);
    }
    if (n) lon0 = (lo_min + lo_max) / 2, lat0 = (la_min + la_max) / 2;
  }
  const OGRSpatialReference plane = laea_on(srs, lon0, lat0, zones.source() + ", the centroids' centre");
  TransformPtr t = make_transform(geographic_of(srs), plane, zones.source() + ", distance plane");
  std::vector<double> px(n), py(n);
  for (std::size_t i = 0; i < n; ++i) px[i] = measures.centroid_lonlat[i].x, py[i] = measures.centroid_lonlat[i].y;
  if (n && !t->Transform(static_cast<int>(n), px.data(), py.data()))
    throw InputError(zones.source() + ": centroids cannot be projected for the distance search");
  const double radius = srs.GetSemiMajor();
  double rho_max = 0.0;
  for (std::size_t i = 0; i < n; ++i) rho_max = std::max(rho_max, std::hypot(px[i], py[i]));
  const double c_max = 2.0 * std::asin(std::min(1.0, rho_max / (2.0 * radius)));
  const double s = std::max(1e-3, std::cos(c_max / 2.0) * 0.99);

  // Point grid (cell lists in CSR form).
  std::vector<OGREnvelope> pts(n);
  for (std::size_t i = 0; i < n; ++i) pts[i].MinX = pts[i].MaxX = px[i], pts[i].MinY = pts[i].MaxY = py[i];
  OGREnvelope all;
  for (const auto& e : pts) all.Merge(e);
  const double w = std::max(all.MaxX - all.MinX, 1.0), hgt = std::max(all.MaxY - all.MinY, 1.0);
  const double cell = std::sqrt(w * hgt / std::max<double>(1.0, static_cast<double>(n) / 2.0));
  const long nx = static_cast<long>(w / cell) + 1, ny = static_cast<long>(hgt / cell) + 1;
  auto cell_of = [&](double v, double lo, long nc) {
    return std::clamp(static_cast<long>((v - lo) / cell), 0L, nc - 1);
  };
  std::vector<std::size_t> start(uz(nx * ny) + 1, 0), items(n);
  std::vector<long> ix(n), iy(n);
  for (std::size_t i = 0; i < n; ++i) {
    ix[i] = cell_of(px[i], all.MinX, nx), iy[i] = cell_of(py[i], all.MinY, ny);
    ++start[uz(iy[i] * nx + ix[i]) + 1];
  }
  for (std::size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) items[fill[uz(iy[i] * nx + ix[i])]++] = i;
  }
  // Cells at Chebyshev ring r around (cx, cy).
  auto ring = [&](long cx0, long cy0, long r, auto&& f) {
    for (long y = cy0 - r; y <= cy0 + r; ++y) {
      if (y < 0 || y >= ny) continue;
      const bool edge = (y == cy0 - r || y == cy0 + r);
      for (long x = cx0 - r; x <= cx0 + r; x += (edge || r == 0) ? 1 : 2 * r) {
        if (x < 0 || x >= nx) continue;
        const std::size_t c = uz(y * nx + x);
        for (std::size_t k = start[c]; k < start[c + 1]; ++k) f(items[k]);
      }
    }
  };
  const long max_ring = std::max(nx, ny);

  std::vector<std::vector<std::pair<double, std::size_t>>> rows(n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& range) {
    std::vector<std::pair<double, std::size_t>> cand;  // (planar m, j)
    for (std::size_t i = range.begin(); i < range.end(); ++i) {
      cand.clear();
      auto take = [&](std::size_t j) {
        if (j != i) cand.emplace_back(std::hypot(px[j] - px[i], py[j] - py[i]), j);
      };
      double need = std::numeric_limits<double>::infinity();  // planar radius that must be covered
      if (o.cutoff_km > 0) need = o.cutoff_km * 1000.0 / s;
      for (long r = 0; r <= max_ring; ++r) {
        ring(ix[i], iy[i], r, take);
        if (o.k > 0 && cand.size() >= o.k) {
          std::nth_element(cand.begin(), cand.begin() + static_cast<long>(o.k - 1), cand.end());
          need = std::min(need, cand[o.k - 1].first / (s * s));
        }
        if (static_cast<double>(r) * cell >= need) break;  // every uncollected point is farther than `need`
      }
      auto& row = rows[i];
      for (const auto& [planar, j] : cand) {
        if (planar > need) continue;
        double s12 = 0.0;
        geod_inverse(&geod, measures.centroid_lonlat[i].y, measures.centroid_lonlat[i].x,
                     measures.centroid_lonlat[j].y, measures.centroid_lonlat[j].x, &s12, nullptr, nullptr);
        const double km = s12 / 1000.0;
        if (o.cutoff_km > 0 && km > o.cutoff_km) continue;
        row.emplace_back(km, j);
      }
      std::sort(row.begin(), row.end());
      if (o.k > 0 && row.size() > o.k) row.resize(o.k);
    }
  });

  SparseDistances d;
  d.row_start.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) d.row_start[i + 1] = d.row_start[i] + rows[i].size();
  d.col.reserve(d.row_start[n]);
  d.km.reserve(d.row_start[n]);
  for (const auto& row : rows)
    for (const auto& [km, j] : row) d.col.push_back(j), d.km.push_back(km);
  return d;
}

}  // namespace cohortgis::geodata
