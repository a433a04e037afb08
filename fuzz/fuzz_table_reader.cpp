// SPDX-License-Identifier: Apache-2.0
// Any bytes as a CSV table: read_table either returns rows or throws InputError naming the problem.
#include <cstdint>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/table.hpp"
#include "fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cohortgis::geodata::ColumnType;
  const std::string path = cohortgis::fuzz::write_input(data, size, "table.csv");
  try {
    const auto t = cohortgis::geodata::read_table(path, {{"zone", ColumnType::text}, {"population", ColumnType::number}});
    for (std::size_t r = 0; r < t.size(); ++r) (void)t.number(r, "population");
  } catch (const cohortgis::InputError&) {
  }
  try {
    (void)cohortgis::geodata::read_table(path, {}, {}, "GBK");
  } catch (const cohortgis::InputError&) {
  }
  return 0;
}
