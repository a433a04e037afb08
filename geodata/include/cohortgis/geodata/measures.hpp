// SPDX-License-Identifier: Apache-2.0
// Measures of zones with PROJ (through OGR): areas on an equal-area projection, centroids, bounding boxes,
// neighbours by shared boundary (GEOS), centroid distances as a sparse matrix, and density.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::geodata {

// The Lambert azimuthal equal-area projection centred on the zones' extent, on the zones' own geographic datum
// (so no datum shift is involved), as WKT. LAEA is equal-area everywhere (Snyder 1987, *Map Projections — A
// Working Manual*, USGS PP 1395, pp. 182–190); centring it keeps shapes and distances near the zones true.
std::string equal_area_crs_for(const Zones& zones);

struct MeasureOptions {
  // Equal-area CRS for the areas (EPSG code, WKT or PROJ string, e.g. "EPSG:6933" or "+proj=cea"); empty: the
  // LAEA of equal_area_crs_for. The caller answers for naming a projection that really is equal-area.
  std::string equal_area_crs{};
};

struct ZoneMeasures {
  std::string equal_area_crs{};        // WKT of the projection used for areas and centroids
  std::vector<double> area_km2{};      // per zone, holes excluded, on the equal-area projection
  std::vector<XY> centroid{};          // area centroid (computed on the equal-area plane), in the zones' CRS
  std::vector<XY> centroid_lonlat{};   // the same point as longitude, latitude on the zones' geographic datum
  std::vector<Envelope> bbox{};        // bounding box in the zones' CRS
  double total_area_km2() const;
};

ZoneMeasures measure_zones(const Zones& zones, const MeasureOptions& options = {});

// Persons per km² for each zone: persons[i] / area_km2[i]. Throws InputError when the sizes differ, a count is
// negative or not finite, or an area is not positive.
std::vector<double> density_per_km2(const std::vector<double>& persons, const ZoneMeasures& measures);

// ---- neighbours ----

struct AdjacencyOptions {
  // Two zones are neighbours when they touch or overlap (within snap_tolerance_m) and share at least this much
  // boundary. 0 counts any contact, corners included ("queen" contiguity); a positive length drops corner and
  // sliver contacts ("rook" contiguity with a minimum shared length).
  double min_shared_boundary_m = 0.0;
  // Gaps up to this width (metres) still count as contact: digitised neighbours rarely share vertices exactly.
  double snap_tolerance_m = 0.0;
  std::string equal_area_crs{};  // metric CRS for lengths; empty: the LAEA of equal_area_crs_for
};

struct Neighbour {
  std::size_t zone = 0;             // index into Zones
  double shared_boundary_m = 0.0;   // boundary length the two share (mean of both directions, see .cpp)
};

// neighbours[i] lists i's neighbours by increasing index; the relation is symmetric. Candidate pairs come from an
// envelope grid (not all n² pairs); the exact tests run in GEOS (through OGR's GEOS export), in parallel.
std::vector<std::vector<Neighbour>> zone_adjacency(const Zones& zones, const AdjacencyOptions& options = {});

// ---- distances ----

// Distances between zone centroids, kept sparse: either every pair within `cutoff_km`, or each zone's `k` nearest
// (ties by lower index), or — with both — the k nearest within the cutoff. A zone is never its own neighbour.
struct DistanceOptions {
  double cutoff_km = 0.0;  // > 0 to use a cutoff
  std::size_t k = 0;       // > 0 for k nearest
};

// Compressed sparse rows: row i's entries are col[row_start[i] … row_start[i+1]) by increasing distance.
// Distances are geodesic on the zones' ellipsoid (Karney 2013, "Algorithms for geodesics", J. Geodesy 87:43–55,
// through PROJ's geodesic.h), between the centroids of measure_zones.
struct SparseDistances {
  std::vector<std::size_t> row_start{};  // size n + 1
  std::vector<std::size_t> col{};
  std::vector<double> km{};
  std::size_t rows() const { return row_start.empty() ? 0 : row_start.size() - 1; }
  std::size_t nonzeros() const { return col.size(); }
};

SparseDistances centroid_distances(const Zones& zones, const ZoneMeasures& measures, const DistanceOptions& options);

// Geodesic distance in km between two points given as longitude/latitude degrees on the ellipsoid of `zones`.
double geodesic_km(const Zones& zones, XY lonlat_a, XY lonlat_b);

}  // namespace cohortgis::geodata
