// SPDX-License-Identifier: Apache-2.0
// The input sandbox under fuzzing (issue #17): the bytes are a small folder of hostile files — a scenario file and
// the tables, VRTs, spreadsheets and zones it may name — split at "\n==FILE==\n" and written, in order, as
// scenario.toml, t.csv, t.vrt, t.gpkg, t.xlsx, zones.geojson and t.csvt. Beside the folder lie a canary file and a link
// to it; the loader (with no --allow-read) must either load the scenario or throw InputError / ProjectionError, and
// no message may ever contain the canary's contents (it was read although it lies outside the folder).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "fuzz_input_file.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCanary = "CANARY_C0FFEE";

const fs::path& base() {
  static const cohortgis::fuzz::ScratchFolder folder("cohortgis-fuzz-sandbox-");
  static const fs::path b = [] {
    const fs::path& d = folder.path();
    fs::create_directories(d / "scenario");
    fs::create_directories(d / "outside");
    std::ofstream(d / "outside" / "secret.csv") << kCanary << ",zone,sex,age,population\n" << kCanary << ",A,f,0,1\n";
    std::error_code ec;
    fs::create_symlink(d / "outside" / "secret.csv", d / "scenario" / "link.csv", ec);
    return d;
  }();
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kNames[] = {"scenario.toml", "t.csv",         "t.vrt", "t.gpkg",
                                       "t.xlsx",        "zones.geojson", "t.csvt"};
  const fs::path dir = base() / "scenario";
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSep = "\n==FILE==\n";
  std::size_t at = 0;
  for (const char* name : kNames) {
    const std::size_t end = std::min(in.find(kSep, at), in.size());
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc)
        .write(in.data() + std::min(at, in.size()), static_cast<std::streamsize>(end - std::min(at, in.size())));
    at = end == in.size() ? in.size() : end + kSep.size();
  }
  // The canary in a message means the secret file was read, unless the fuzzer wrote the canary into the files
  // inside the folder itself (then messages may quote it from there).
  const bool planted = in.find(kCanary) != std::string_view::npos;
  const auto check = [&](const char* what) {
    if (!planted && std::string_view(what).find(kCanary) != std::string_view::npos) std::abort();
  };
  try {
    (void)cohortgis::scenarios::load_scenario_file((dir / "scenario.toml").string(), COHORTGIS_DATA);
  } catch (const cohortgis::InputError& e) {
    check(e.what());
  } catch (const cohortgis::ProjectionError& e) {
    check(e.what());
  }
  return 0;
}
