// SPDX-License-Identifier: Apache-2.0
// GDAL's Arrow batch reading (OGR_L_GetArrowStream, GDAL >= 3.6) of CSV tables with the open options of
// geodata::stream_table, every string column's bytes counted, nothing kept: compare its instructions with
// bench_gdal_csv_floor's GetNextFeature loop on the same files (bench/HISTORY.md "Round 9: loading").
//   bench_gdal_csv_arrow FILE.csv ...
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  GDALAllRegister();
  const char* drivers[] = {"CSV", nullptr};
  const char* options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", nullptr};
  char include_fid[] = "INCLUDE_FID=NO";
  char* stream_options[] = {include_fid, nullptr};
  std::size_t rows = 0, chars = 0;
  for (int a = 1; a < argc; ++a) {
    GDALDatasetH ds = GDALOpenEx(argv[a], GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr);
    ArrowArrayStream stream;
    if (!ds || !OGR_L_GetArrowStream(GDALDatasetGetLayer(ds, 0), &stream, stream_options)) {
      std::fprintf(stderr, "%s: cannot be read as CSV through an Arrow stream\n", argv[a]);
      return 1;
    }
    for (ArrowArray batch; stream.get_next(&stream, &batch) == 0 && batch.release; batch.release(&batch)) {
      rows += static_cast<std::size_t>(batch.length);
      for (std::int64_t c = 0; c < batch.n_children; ++c) {  // every column a string column: int32 offsets
        const ArrowArray* col = batch.children[c];
        const auto* offsets = static_cast<const std::int32_t*>(col->buffers[1]);
        chars += static_cast<std::size_t>(offsets[col->offset + col->length] - offsets[col->offset]);
      }
    }
    stream.release(&stream);
    GDALClose(ds);
  }
  std::printf("{\"rows\": %zu, \"chars\": %zu}\n", rows, chars);
  return 0;
}
