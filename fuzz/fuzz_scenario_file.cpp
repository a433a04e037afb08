// SPDX-License-Identifier: Apache-2.0
// Any bytes as a scenario file: the loader either loads it or throws InputError / ProjectionError with a message;
// anything else (another exception, a crash, a sanitizer report, a hang) is a bug.
#include <cstdint>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = cohortgis::fuzz::write_input(data, size, "scenario.toml");
  try {
    (void)cohortgis::scenarios::load_scenario_file(path, COHORTGIS_DATA);
  } catch (const cohortgis::InputError&) {
  } catch (const cohortgis::ProjectionError&) {
  }
  return 0;
}
