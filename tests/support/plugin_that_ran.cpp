// SPDX-License-Identifier: Apache-2.0
// A shared library that says when it is loaded: its constructor appends a line to the file COHORTGIS_PLUGIN_MARK
// names. Copied as gdal_*.so / ogr_*.so (a GDAL driver in GDAL_DRIVER_PATH) and lib*.so (an HDF5 filter plugin in
// HDF5_PLUGIN_PATH) by tests/app/command_line_round25.sh: cohortgis must load neither (round 25's hostile probe).
#include <cstdio>
#include <cstdlib>

namespace {

__attribute__((constructor)) void say_loaded() {
  const char* mark = std::getenv("COHORTGIS_PLUGIN_MARK");
  if (!mark) return;
  if (std::FILE* f = std::fopen(mark, "a")) {
    std::fputs("a plugin was loaded\n", f);
    std::fclose(f);
  }
}

}  // namespace

// What HDF5 (a filter plugin: type 0, H5PL_TYPE_FILTER) and GDAL (a driver's registration) call once loaded.
extern "C" {
int H5PLget_plugin_type();
const void* H5PLget_plugin_info();
void GDALRegisterMe();
int H5PLget_plugin_type() { return 0; }
const void* H5PLget_plugin_info() { return nullptr; }
void GDALRegisterMe() {}
}
