// SPDX-License-Identifier: Apache-2.0
// results.xlsx: the summary tables of a results folder as one workbook for Excel users (docs/results.md
// "results.xlsx"), written with libxlsxwriter from the CSVs already in the folder; and the optional UTF-8 byte-order
// mark of the CSVs (--csv-bom) that Chinese-locale Excel needs to open them as UTF-8.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cohortgis/app/language.hpp"
#include "written_indicators.hpp"

namespace cohortgis::app {

// Excel's row limit (1,048,576 rows, the header row included).
inline constexpr std::size_t kXlsxMaxRows = 1048576;

// Writes `dir`/results.xlsx: one sheet per summary table present in `dir` (indicators, plan periods and plan periods
// by group, targets, service demand, zones) and population.csv when its rows fit kXlsxMaxRows (else a sheet with a
// note pointing to the CSV). Numbers are stored as numbers; counts of persons in summaries carry a 万人 number format
// in a Chinese run (#,##0 in English); the header row is bold and frozen; sheet names are Chinese in a Chinese run.
// `max_rows` is for tests (the limit is kXlsxMaxRows). Throws std::runtime_error when the file cannot be written.
// cancel: set to true (SIGINT/SIGTERM) stops it with ProjectionError within a row.
// known: CSVs whose rows the caller counted as it wrote them (a run's indicators.csv): taken instead of counting them
// again while the file has that size.
struct KnownCsvRows {
  std::string file;  // name in `dir`
  std::uintmax_t bytes = 0;
  std::size_t rows = 0;
};
// kept: a run's indicators where it wrote no indicators.csv (the netcdf format) and kept them in memory
// (written_indicators.hpp): the indicators sheet is made from them, the sheet indicators.csv would have given, when
// their rows fit max_rows (else the note that they are in results.nc).
struct KeptIndicators {
  const std::vector<WrittenIndicators::Table>* tables = nullptr;
  std::size_t rows = 0;  // indicators.csv's data rows
};
void write_results_xlsx(const std::filesystem::path& dir, Language language, std::size_t max_rows = kXlsxMaxRows,
                        const std::atomic<bool>* cancel = nullptr, const std::vector<KnownCsvRows>& known = {},
                        const KeptIndicators* kept = nullptr);

// Puts a UTF-8 byte-order mark (EF BB BF) at the start of every *.csv directly in `dir` that has none.
void add_csv_bom(const std::filesystem::path& dir);

}  // namespace cohortgis::app
