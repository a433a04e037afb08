// SPDX-License-Identifier: Apache-2.0
// Internal to geodata/: the cells of one OGR feature as stream_table hands them out, shared by the one-reader path
// (table.cpp) and the parallel CSV reader (table_parallel.cpp), so both check and convert every cell the same way.
#pragma once

#include "cohortgis/geodata/table.hpp"

#include <ogrsf_frmts.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace cohortgis::geodata {

struct RowCells {
  std::vector<OGRFieldType> types;       // per column, as the layer declares them
  std::vector<std::string> raw_names;    // the layer's column names before any recoding
  std::vector<std::size_t> number_cols;  // the required number columns
  bool recode = false;                   // cells are recoded from `encoding` to UTF-8
  std::string encoding;

  // Fills t.rows[0] from `f` (a null or unset cell is ""); throws InputError naming t.where(0, column) for text
  // that is not valid UTF-8 or cannot be recoded.
  void extract(OGRFeature& f, Table& t) const;
  // The same from a line's tokens as GDAL's CSV tokenizer gives them (null-terminated; every column text): cell k
  // is token k, "" past the last token, as the CSV layer's feature would give it.
  void extract_tokens(char** tokens, Table& t) const;
  // Throws InputError naming t's row when the line's tokens hold a non-empty cell past the header's columns (GDAL's
  // CSV layer drops those silently: "1,000" unquoted would read as 1). Empty cells past them are accepted: a sheet
  // saved as CSV ends rows with separators for columns left empty.
  void check_cell_count(char** tokens, const Table& t) const;
  // Throws InputError naming the cell when a required number column of t.rows[0] is not a finite number.
  void check_numbers(const Table& t) const {
    for (std::size_t col : number_cols) (void)t.number(0, col);
  }
  // The same decision without building the message (a worker only needs to know that a row fails).
  bool numbers_ok(const Table& t) const;

 private:
  // A text cell in UTF-8: recoded from `encoding`, else checked (ASCII is UTF-8 without a look).
  void text_cell(std::string& cell, std::size_t col, const Table& t) const;
};

struct ParallelCsv {
  std::string path;  // the real file (messages name it; the parts are parsed from memory)
  char** open_options = nullptr;
  char** drivers = nullptr;
  StreamOptions options;
  // The parts may be split by GDAL's CSV tokenizer without building OGR features (table_parallel.cpp): every
  // column of the layer is text of no declared width, and no configuration changes the CSV layer's line limit.
  bool tokens = false;
};

// Reads the data rows of a plain CSV file (path, open options and header already checked by stream_table, `t`
// holding path, layer, columns) in byte-range parts on options.threads threads, handing each row to `on_row` in file
// order with first_row counted from 0, exactly as the one reader would. Returns the number of rows handed out and
// sets `complete`; when not complete, the rest of the file from that row on must be read by the one reader (a part
// held something the parallel reader does not handle: a quote, a GDAL warning, an unusual line ending).
std::size_t stream_csv_parallel(const ParallelCsv& csv, Table& t, const RowCells& cells,
                                const std::function<void(Table&)>& on_row, bool& complete);

}  // namespace cohortgis::geodata
