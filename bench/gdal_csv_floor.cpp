// SPDX-License-Identifier: Apache-2.0
// The floor of reading tables through OGR: GDAL's CSV driver alone, with the open options of geodata::stream_table
// (HEADERS=YES, AUTODETECT_TYPE=NO, EMPTY_STRING_AS_NULL=NO), every feature and every field asked as a string, nothing
// kept. Compare its CPU time with `cohortgis validate` of the same scenario folder (bench/HISTORY.md, "loading and
// writing of the command line").
//   bench_gdal_csv_floor FILE.csv ...
#include <gdal.h>
#include <ogr_api.h>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  GDALAllRegister();
  const char* drivers[] = {"CSV", nullptr};
  const char* options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", nullptr};
  std::size_t rows = 0, chars = 0;
  for (int a = 1; a < argc; ++a) {
    GDALDatasetH ds = GDALOpenEx(argv[a], GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr);
    if (!ds) {
      std::fprintf(stderr, "%s: cannot be opened as CSV\n", argv[a]);
      return 1;
    }
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    const int fields = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(layer));
    for (OGRFeatureH f = OGR_L_GetNextFeature(layer); f; f = OGR_L_GetNextFeature(layer)) {
      for (int i = 0; i < fields; ++i) chars += std::strlen(OGR_F_GetFieldAsString(f, i));
      OGR_F_Destroy(f);
      ++rows;
    }
    GDALClose(ds);
  }
  std::printf("{\"rows\": %zu, \"chars\": %zu}\n", rows, chars);
  return 0;
}
