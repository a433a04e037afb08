// SPDX-License-Identifier: Apache-2.0
// geodata at planning scale (issue 3, "Done when"): 40,000 square zones (a 200 × 200 grid of 1 km cells on
// ETRS89-LAEA Europe, EPSG:3035) written to a temporary GeoPackage, then load + areas + adjacency + k nearest.
// Run: build/bench/bench_geodata [--benchmark_filter=…]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "cohortgis/geodata/zones.hpp"

namespace {

using namespace cohortgis::geodata;

constexpr int kSide = 200;

Zones make_grid(int side) {
  std::vector<std::string> ids, wkt;
  ids.reserve(static_cast<std::size_t>(side) * side);
  wkt.reserve(ids.capacity());
  char buf[256];
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c) {
      const double x = 4221000.0 + 1000.0 * c, y = 3110000.0 + 1000.0 * r;
      std::snprintf(buf, sizeof buf, "POLYGON ((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x, y, x + 1000,
                    y, x + 1000, y + 1000, x, y + 1000, x, y);
      ids.push_back("z" + std::to_string(r * side + c));
      wkt.emplace_back(buf);
    }
  return Zones::from_wkt("synthetic grid", "EPSG:3035", ids, wkt);
}

// The grid as a GeoPackage on disk, written once per process and removed at exit.
std::string g_grid_path;

const std::string& grid_gpkg() {
  if (g_grid_path.empty()) {
    const auto p = std::filesystem::temp_directory_path() /
                   ("cohortgis_bench_geodata_" + std::to_string(::getpid()) + ".gpkg");
    write_zone_indicators_gpkg(p.string(), make_grid(kSide), {});
    g_grid_path = p.string();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove(g_grid_path, ec);
    });
  }
  return g_grid_path;
}

Zones load_grid() { return load_zones({.path = grid_gpkg(), .layer = "zones", .id_field = "id"}); }

void BM_LoadZones(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(load_grid());
  state.counters["zones"] = kSide * kSide;
}

void BM_Areas(benchmark::State& state) {
  const Zones z = load_grid();
  for (auto _ : state) benchmark::DoNotOptimize(measure_zones(z));
}

void BM_Adjacency(benchmark::State& state) {
  const Zones z = load_grid();
  std::size_t links = 0;
  for (auto _ : state) {
    const auto adj = zone_adjacency(z, {.min_shared_boundary_m = 1.0});
    links = 0;
    for (const auto& a : adj) links += a.size();
  }
  state.counters["links"] = static_cast<double>(links);  // rook: 4·200·199 ordered pairs = 159,200
}

void BM_KNearest(benchmark::State& state) {
  const Zones z = load_grid();
  const ZoneMeasures m = measure_zones(z);
  for (auto _ : state) benchmark::DoNotOptimize(centroid_distances(z, m, {.cutoff_km = 0, .k = 8}));
}

// The figure the issue asks for: everything from the file to the k-nearest matrix.
void BM_LoadAreasAdjacencyKNearest(benchmark::State& state) {
  (void)grid_gpkg();
  for (auto _ : state) {
    const Zones z = load_grid();
    const ZoneMeasures m = measure_zones(z);
    const auto adj = zone_adjacency(z, {.min_shared_boundary_m = 1.0});
    const SparseDistances d = centroid_distances(z, m, {.cutoff_km = 0, .k = 8});
    benchmark::DoNotOptimize(adj.data());
    benchmark::DoNotOptimize(d.km.data());
  }
}

}  // namespace

BENCHMARK(BM_LoadZones)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Areas)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Adjacency)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_KNearest)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_LoadAreasAdjacencyKNearest)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
