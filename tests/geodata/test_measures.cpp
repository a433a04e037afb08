// SPDX-License-Identifier: Apache-2.0
// Measures against real figures: district areas (DATA.md), North Carolina county areas (the file's AREA attribute
// and published Census Bureau areas), known adjacency, and sparse centroid distances against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <numbers>
#include <set>
#include <string>

#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;

namespace {

std::string data_file(const std::string& rel) { return std::string(COHORTGIS_DATA) + "/" + rel; }

const Zones& beijing() {
  static const Zones z = load_zones({.path = data_file("geo/beijing_districts.gpkg"), .layer = "beijing_districts",
                                     .id_field = "code", .name_field = "name_zh"});
  return z;
}
const Zones& foshan() {
  static const Zones z = load_zones({.path = data_file("geo/foshan_districts.gpkg"), .layer = "foshan_districts",
                                     .id_field = "code", .name_field = "name_zh"});
  return z;
}
const Zones& nc() {
  static const Zones z = load_zones({.path = data_file("geo/nc_counties.gpkg"), .layer = "nc.gpkg",
                                     .id_field = "FIPS", .name_field = "NAME"});
  return z;
}

std::set<std::string> neighbour_names(const Zones& z, const std::vector<std::vector<Neighbour>>& adj,
                                      const std::string& name) {
  const auto& names = z.names();
  const std::size_t i = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  std::set<std::string> out;
  for (const Neighbour& nb : adj.at(i)) out.insert(names[nb.zone]);
  return out;
}

// 1 km squares on ETRS89-LAEA Europe (EPSG:3035, itself equal-area), nx × ny, ids "c<col>_<row>".
Zones grid(int nx, int ny) {
  std::vector<std::string> ids, wkt;
  for (int r = 0; r < ny; ++r)
    for (int c = 0; c < nx; ++c) {
      const double x = 4321000.0 + 1000.0 * c, y = 3210000.0 + 1000.0 * r;
      ids.push_back("c" + std::to_string(c) + "_" + std::to_string(r));
      char buf[256];
      std::snprintf(buf, sizeof buf, "POLYGON ((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x, y, x + 1000,
                    y, x + 1000, y + 1000, x, y + 1000, x, y);
      wkt.emplace_back(buf);
    }
  return Zones::from_wkt("grid", "EPSG:3035", ids, wkt);
}

}  // namespace

// DATA.md (shared/data/geo, copied into data/geo): geodesic areas on WGS 84 (pyproj Geod) per district.
TEST(Areas, BeijingAndFoshanDistrictsMatchDataMdWithinOnePercent) {
  const std::map<std::string, double> published = {
      {"110101", 41.8},   {"110102", 50.5},   {"110105", 463.4},  {"110106", 304.3},  {"110107", 83.9},
      {"110108", 430.9},  {"110109", 1447.7}, {"110111", 1997.0}, {"110112", 906.2},  {"110113", 1009.4},
      {"110114", 1342.7}, {"110115", 1034.3}, {"110116", 2123.4}, {"110117", 949.3},  {"110118", 2228.4},
      {"110119", 1995.9}, {"440604", 154.8},  {"440605", 1072.9}, {"440606", 806.4},  {"440607", 828.5},
      {"440608", 937.8}};
  for (const Zones* z : {&beijing(), &foshan()}) {
    const ZoneMeasures m = measure_zones(*z);
    for (std::size_t i = 0; i < z->size(); ++i) {
      const double want = published.at(z->id(i));
      EXPECT_NEAR(m.area_km2[i], want, 0.01 * want) << z->id(i) << " " << z->names()[i];
      // DATA.md: LAEA centred on each city gives the geodesic areas to 0.1 km² (rounding of the table adds 0.05).
      EXPECT_NEAR(m.area_km2[i], want, 0.16) << z->id(i);
    }
    std::cout << "[ measured ] " << z->source() << ": " << m.total_area_km2() << " km²\n";
  }
  const double bj = measure_zones(beijing()).total_area_km2();
  const double fs = measure_zones(foshan()).total_area_km2();
  EXPECT_NEAR(bj, 16410.0, 0.01 * 16410.0);  // Beijing's reference area ≈ 16,410 km² (issue 3, DATA.md)
  EXPECT_NEAR(bj, 16409.1, 1.0);             // DATA.md's geodesic total
  EXPECT_NEAR(fs, 3798.0, 0.01 * 3798.0);    // Foshan ≈ 3,798 km²
  EXPECT_NEAR(fs, 3800.4, 1.0);
}

TEST(Areas, NamedEqualAreaProjectionGivesTheSameAreas) {
  const double laea = measure_zones(beijing()).total_area_km2();
  // World cylindrical equal-area (EPSG:6933) and a PROJ string for Albers: equal-area too, other shapes.
  EXPECT_NEAR(measure_zones(beijing(), {.equal_area_crs = "EPSG:6933"}).total_area_km2(), laea, 0.5);
  EXPECT_NEAR(measure_zones(beijing(), {.equal_area_crs = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84"})
                  .total_area_km2(),
              laea, 0.5);
  const std::string wkt = equal_area_crs_for(beijing());
  EXPECT_NE(wkt.find("Lambert Azimuthal Equal Area"), std::string::npos) << wkt;
  // Centred on the extent: (39.4434 + 41.0615) / 2 and (115.4238 + 117.5146) / 2 with DATA.md's rounded extent.
  EXPECT_NE(wkt.find("\"Latitude of natural origin\",40.252"), std::string::npos) << wkt;
  EXPECT_NE(wkt.find("\"Longitude of natural origin\",116.469"), std::string::npos) << wkt;
}

// The file's AREA attribute is the county's planar area in square degrees of NAD27 longitude/latitude (3 decimals).
// A square degree at latitude φ covers M(φ)·N(φ)·cos φ·(π/180)² km² (M, N the radii of curvature of the Clarke 1866
// ellipsoid), so AREA × that factor at the county's centroid must give our area — to 1% plus AREA's rounding.
TEST(Areas, NcCountiesAgreeWithTheirAreaAttribute) {
  const Zones& z = nc();
  const ZoneMeasures m = measure_zones(z);
  // AREA from the file itself (read as a table through the same OGR layer).
  std::map<std::string, double> area_attr;
  {
    const auto t = cohortgis::geodata::read_table(data_file("geo/nc_counties.gpkg"), {{"FIPS"}, {"AREA"}}, "nc.gpkg");
    for (std::size_t r = 0; r < t.size(); ++r) area_attr[t.text(r, "FIPS")] = t.number(r, "AREA");
  }
  const double a = 6378206.4, inv_f = 294.978698213898, f = 1 / inv_f, e2 = f * (2 - f);
  double worst = 0.0, sum_attr = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double phi = m.centroid_lonlat[i].y * std::numbers::pi / 180.0;
    const double w = 1 - e2 * std::sin(phi) * std::sin(phi);
    const double M = a * (1 - e2) / std::pow(w, 1.5), N = a / std::sqrt(w);
    const double km2_per_sq_degree = M * N * std::cos(phi) * std::pow(std::numbers::pi / 180.0, 2) / 1e6;
    const double attr = area_attr.at(z.id(i));
    sum_attr += attr;
    const double expected = attr * km2_per_sq_degree;
    const double tol = 0.01 + 0.0005 / attr;  // 1% plus half a unit of AREA's third decimal
    EXPECT_NEAR(m.area_km2[i] / expected, 1.0, tol) << z.names()[i] << " AREA " << attr;
    worst = std::max(worst, std::abs(m.area_km2[i] / expected - 1.0) - 0.0005 / attr);
  }
  EXPECT_EQ(z.size(), 100u);
  EXPECT_NEAR(sum_attr, 12.626, 1e-9);
  std::cout << "[ measured ] NC: 100 counties " << m.total_area_km2() << " km²; worst deviation from AREA beyond "
            << "its rounding " << 100 * worst << "%\n";
}

// US Census Bureau 2020 gazetteer total areas (land + water), as quoted in each county's Wikipedia infobox:
// Durham 297.86 sq mi, Orange 400.96 sq mi, Guilford 657.63 sq mi, Alamance 434.24 sq mi (1 sq mi = 2.589988 km²).
// The SIDS file's boundaries are older and generalised: three agree within 1%; Alamance is 1.3% small, so it is held
// to 2% (kept to show the file's own accuracy rather than dropped).
TEST(Areas, NcCountiesMatchPublishedCensusAreas) {
  const Zones& z = nc();
  const ZoneMeasures m = measure_zones(z);
  const double sq_mi = 2.589988110336;
  const std::map<std::string, std::pair<double, double>> published = {
      {"Durham", {297.86, 0.01}}, {"Orange", {400.96, 0.01}}, {"Guilford", {657.63, 0.01}},
      {"Alamance", {434.24, 0.02}}};
  for (const auto& [name, want] : published) {
    const auto it = std::find(z.names().begin(), z.names().end(), name);
    ASSERT_NE(it, z.names().end()) << name;
    const double km2 = m.area_km2[static_cast<std::size_t>(it - z.names().begin())];
    EXPECT_NEAR(km2 / (want.first * sq_mi), 1.0, want.second) << name << ": " << km2 << " km²";
    std::cout << "[ measured ] " << name << " " << km2 << " km² vs Census " << want.first * sq_mi << " km² ("
              << 100 * (km2 / (want.first * sq_mi) - 1) << "%)\n";
  }
  // North Carolina: land 48,617.9 sq mi (125,920 km²), total 53,819.2 sq mi (139,391 km²) (Census 2010). The county
  // polygons hold the land and inland water but not the sounds, so their sum lies between the two.
  EXPECT_GT(m.total_area_km2(), 125920.0);
  EXPECT_LT(m.total_area_km2(), 139391.0);
}

TEST(Measures, CentroidsAndBoxes) {
  const Zones& z = beijing();
  const ZoneMeasures m = measure_zones(z);
  ASSERT_EQ(m.centroid.size(), 16u);
  for (std::size_t i = 0; i < z.size(); ++i) {
    EXPECT_GE(m.centroid[i].x, m.bbox[i].min_x);
    EXPECT_LE(m.centroid[i].x, m.bbox[i].max_x);
    EXPECT_GE(m.centroid[i].y, m.bbox[i].min_y);
    EXPECT_LE(m.centroid[i].y, m.bbox[i].max_y);
    EXPECT_NEAR(m.centroid[i].x, m.centroid_lonlat[i].x, 1e-9);  // the zones are already lon/lat
  }
  // Xicheng (西城区) lies just west of Tiananmen (116.397°E, 39.909°N).
  EXPECT_NEAR(m.centroid[1].x, 116.37, 0.03);
  EXPECT_NEAR(m.centroid[1].y, 39.915, 0.03);

  const ZoneMeasures g = measure_zones(grid(3, 3));
  for (double a : g.area_km2) EXPECT_NEAR(a, 1.0, 1e-6);  // both projections are equal-area
  EXPECT_NEAR(g.centroid[4].x, 4322500.0, 1e-3);          // the centre square's centre, back in EPSG:3035
  EXPECT_NEAR(g.centroid[4].y, 3211500.0, 1e-3);
  EXPECT_NEAR(g.centroid_lonlat[4].x, 10.0, 0.05);  // EPSG:3035 is centred on 52°N 10°E
  EXPECT_NEAR(g.centroid_lonlat[4].y, 52.0, 0.05);
}

TEST(Measures, Density) {
  const ZoneMeasures g = measure_zones(grid(2, 1));
  const auto d = density_per_km2({500.0, 0.0}, g);
  EXPECT_NEAR(d[0], 500.0, 1e-3);
  EXPECT_EQ(d[1], 0.0);
  EXPECT_THROW((void)density_per_km2({1.0}, g), InputError);
  EXPECT_THROW((void)density_per_km2({1.0, -2.0}, g), InputError);
}

// 西城区 borders 东城区, 海淀区, 丰台区 and 朝阳区 (Beijing's district map); it is nowhere near 延庆区.
TEST(Adjacency, XichengBordersItsFourNeighbours) {
  const auto adj = zone_adjacency(beijing());
  EXPECT_EQ(neighbour_names(beijing(), adj, "西城区"), (std::set<std::string>{"东城区", "海淀区", "丰台区", "朝阳区"}));
  EXPECT_EQ(neighbour_names(beijing(), adj, "东城区"), (std::set<std::string>{"西城区", "朝阳区", "丰台区"}));
  EXPECT_EQ(neighbour_names(beijing(), adj, "延庆区").count("西城区"), 0u);
  // Symmetric, no self, shared boundaries of real length (the overlaps of DATA.md do not make them zero).
  for (std::size_t i = 0; i < adj.size(); ++i)
    for (const Neighbour& nb : adj[i]) {
      EXPECT_NE(nb.zone, i);
      const auto& back = adj[nb.zone];
      const auto it = std::find_if(back.begin(), back.end(), [&](const Neighbour& x) { return x.zone == i; });
      ASSERT_NE(it, back.end());
      EXPECT_DOUBLE_EQ(it->shared_boundary_m, nb.shared_boundary_m);
    }
  for (const Neighbour& nb : adj[1]) EXPECT_GT(nb.shared_boundary_m, 1000.0) << beijing().names()[nb.zone];
}

// Durham County borders Person, Granville, Wake, Chatham and Orange counties (county's "Adjacent counties").
TEST(Adjacency, DurhamCountyNc) {
  const auto adj = zone_adjacency(nc(), {.min_shared_boundary_m = 100.0});
  EXPECT_EQ(neighbour_names(nc(), adj, "Durham"),
            (std::set<std::string>{"Person", "Granville", "Wake", "Chatham", "Orange"}));
}

TEST(Adjacency, QueenAndRookOnASquareGrid) {
  const Zones g = grid(4, 4);
  const auto queen = zone_adjacency(g);
  const auto rook = zone_adjacency(g, {.min_shared_boundary_m = 1.0});
  EXPECT_EQ(queen[0].size(), 3u);  // corner
  EXPECT_EQ(queen[5].size(), 8u);  // interior
  EXPECT_EQ(rook[0].size(), 2u);
  EXPECT_EQ(rook[5].size(), 4u);
  for (const Neighbour& nb : rook[5]) EXPECT_NEAR(nb.shared_boundary_m, 1000.0, 1.0);
  // A 30 m gap between two squares: no contact, unless the snap tolerance bridges it.
  const Zones gap = Zones::from_wkt("gap", "EPSG:3035", {"a", "b"},
                                    {"POLYGON ((0 0,1000 0,1000 1000,0 1000,0 0))",
                                     "POLYGON ((1030 0,2030 0,2030 1000,1030 1000,1030 0))"});
  EXPECT_TRUE(zone_adjacency(gap)[0].empty());
  const auto snapped = zone_adjacency(gap, {.snap_tolerance_m = 50.0});
  ASSERT_EQ(snapped[0].size(), 1u);
  EXPECT_NEAR(snapped[0][0].shared_boundary_m, 1000.0, 60.0);
}

TEST(Distances, KNearestAndCutoffMatchBruteForce) {
  const Zones& z = nc();
  const ZoneMeasures m = measure_zones(z);
  for (const DistanceOptions o : {DistanceOptions{.cutoff_km = 0, .k = 5}, DistanceOptions{.cutoff_km = 80, .k = 0},
                                  DistanceOptions{.cutoff_km = 60, .k = 3}}) {
    const SparseDistances d = centroid_distances(z, m, o);
    ASSERT_EQ(d.rows(), z.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
      std::vector<std::pair<double, std::size_t>> all;
      for (std::size_t j = 0; j < z.size(); ++j)
        if (j != i) all.emplace_back(geodesic_km(z, m.centroid_lonlat[i], m.centroid_lonlat[j]), j);
      std::sort(all.begin(), all.end());
      if (o.cutoff_km > 0)
        all.erase(std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.first > o.cutoff_km; }),
                  all.end());
      if (o.k > 0 && all.size() > o.k) all.resize(o.k);
      ASSERT_EQ(d.row_start[i + 1] - d.row_start[i], all.size()) << "zone " << i;
      for (std::size_t k = 0; k < all.size(); ++k) {
        EXPECT_EQ(d.col[d.row_start[i] + k], all[k].second);
        EXPECT_DOUBLE_EQ(d.km[d.row_start[i] + k], all[k].first);
      }
    }
  }
  // Geodesic on NAD27's Clarke 1866 ellipsoid, by Karney's method: one degree of latitude at 35°N is 110.95 km.
  EXPECT_NEAR(geodesic_km(z, {-79.0, 34.5}, {-79.0, 35.5}), 110.95, 0.02);
  EXPECT_THROW((void)centroid_distances(z, m, {}), InputError);
}

TEST(Distances, GridNeighboursAreOneKilometreAway) {
  const Zones g = grid(5, 5);
  const SparseDistances d = centroid_distances(g, measure_zones(g), {.cutoff_km = 0, .k = 4});
  const std::size_t centre = 12;
  ASSERT_EQ(d.row_start[centre + 1] - d.row_start[centre], 4u);
  std::set<std::size_t> got;
  for (std::size_t k = d.row_start[centre]; k < d.row_start[centre + 1]; ++k) {
    got.insert(d.col[k]);
    EXPECT_NEAR(d.km[k], 1.0, 0.002);  // EPSG:3035 keeps distances near its centre to a few parts in 10⁴
  }
  EXPECT_EQ(got, (std::set<std::size_t>{7, 11, 13, 17}));
}
