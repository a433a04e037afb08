// SPDX-License-Identifier: Apache-2.0
// Attribute tables (CSV, XLSX, ODS, GeoPackage, anything OGR reads as a vector layer) as rows of text cells.
// Errors are cohortgis::InputError naming the file, layer, row, column, the value and what was expected.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata {

enum class ColumnType {
  text,    // must exist; any content
  number,  // must exist; every cell a finite number (checked when the table is read)
};

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::text;
};

// Every cell is kept as text: numeric OGR fields (GeoPackage, typed spreadsheet cells, CSV with a .csvt sidecar)
// are written in the shortest form that reads back to the same double, so number() loses nothing.
// Rows are numbered like a spreadsheet user counts data rows: data row 1 is the first row under the header
// (row 2 of the sheet or file); GeoPackage layers have no header, so data row k is the k-th feature.
struct Table {
  std::string path;
  std::string layer;                           // layer or sheet name
  std::vector<std::string> layers_in_file;     // every layer or sheet of the file, in its order (cohortgis info)
  bool has_header_row = true;                  // CSV/XLSX/ODS: true; GeoPackage etc.: false
  std::vector<std::string> columns;            // every column, in file order
  std::vector<std::vector<std::string>> rows;  // [data row − 1 − first_row][column]; a null cell is ""
  std::size_t first_row = 0;                   // data rows before rows[0] (stream_table hands out one row at a time)
  bool in_memory = false;  // a table held in memory (a pandas frame): rows named by position 0, 1, …

  std::size_t size() const { return rows.size(); }
  bool has_column(const std::string& name) const;
  // Column index; throws InputError listing the columns found.
  std::size_t column(const std::string& name) const;

  const std::string& text(std::size_t row, const std::string& col) const { return text(row, column(col)); }
  const std::string& text(std::size_t row, std::size_t col) const;
  // The cell as a finite number ("1234", "-0.5", "1e-3"; surrounding blanks allowed); throws InputError otherwise,
  // also for numbers beyond a double's range: 1e400, and 1e-400 (an underflow is an error, never a silent 0). The
  // cell in the message is escaped and cut at 40 characters (escape_cell).
  double number(std::size_t row, const std::string& col) const { return number(row, column(col)); }
  double number(std::size_t row, std::size_t col) const;

  // "FILE, layer 'L', data row R (row R+1 counting the header), column 'C'" — for error messages of callers.
  std::string where(std::size_t row, std::size_t col) const;
  std::string where(std::size_t row, const std::string& col) const { return where(row, column(col)); }
};

// Reads the first layer (or the one named `layer`: a GeoPackage table, a spreadsheet sheet) of `path`, opened
// read-only. CSV cells arrive as text (no type guessing; a .csvt sidecar is honoured); XLSX/ODS take the first
// row as the header. Throws InputError when the file is missing or unreadable, a required column is missing,
// a number column holds text, NaN or infinity, or the table has no data rows.
// `encoding`: the text encoding of a CSV file, e.g. "GBK" or "GB18030" for tables saved by Chinese Excel; empty or
// "UTF-8": UTF-8, and text that is not valid UTF-8 is an error naming the cell (with a hint to declare the
// encoding). Cells and column names are recoded to UTF-8 with GDAL's CPLRecode (iconv).
Table read_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer = {},
                 const std::string& encoding = {});

// Streams the table row by row without holding it: `on_row` gets a Table whose `rows` holds only the current row
// (index 0; first_row tells its place, so where() names the right row). Same checks and errors as read_table; the
// number columns of `required` are checked on each row before on_row sees it. For tables of any size: memory stays
// that of one row. `on_row` may take the row's cells (swap them out) if it puts them back before it returns: the
// scenario loader reads a 16-million-row table without copying each row.
void stream_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer,
                  const std::string& encoding, const std::function<void(Table&)>& on_row);

// How stream_table may read a large CSV file. With threads > 1, a plain .csv file (a local file of at least
// parallel_min_bytes, no .csvt sidecar, no '"' in it) is cut into parts of about chunk_bytes after a line break;
// each part is parsed by GDAL's CSV tokenizer as the file's CSV layer parses its lines (or by the CSV driver with the
// same open options) on one of the threads (the calling one included) while on_row still runs on the calling thread,
// row by row in file order. Rows, first_row, errors and their messages are those of the one reader at any thread
// count; a few parts are held at a time, not the file.
// Anything else (other formats, a quote, a GDAL warning in a part, an unusual line ending) is read by one reader,
// from the row where the parts stopped. At most 8 threads parse. Memory: the parts read and not yet handed out
// (threads + 2 at most) take at most held_bytes of the file together, so a part is smaller than chunk_bytes when
// threads + 2 parts of chunk_bytes would exceed that (not under 64 KiB); a part keeps only its cells once parsed
// (about 1.5 × its bytes), and the threads' freed memory goes back to the system at the end (malloc_trim).
// What a stream_table call did (tests, benchmarks): parts parsed in parallel and where the one reader took over.
struct StreamReport {
  std::size_t parts = 0;            // byte-range parts parsed (0: the one reader read the whole table)
  bool one_reader = true;           // the one reader read rows (all of them, or from one_reader_from on)
  std::size_t one_reader_from = 0;  // the first data row (0-based) the one reader handed out
  bool tokens = false;              // the parts were split by GDAL's CSV tokenizer, without OGR features
};
struct StreamOptions {
  int threads = 1;                            // threads that parse, the caller's included; 1: one reader
  std::size_t parallel_min_bytes = 8u << 20;  // smaller files are read by one reader
  std::size_t chunk_bytes = 2u << 20;         // bytes per part at most (tests make it small)
  std::size_t held_bytes = 4u << 20;          // the file's bytes in parts read and not yet handed out, at most
  StreamReport* report = nullptr;             // filled in when given
};
void stream_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer,
                  const std::string& encoding, const std::function<void(Table&)>& on_row, const StreamOptions& options);

// Parses a number cell as number() does; returns false (and leaves `out` alone) when it is not a finite number.
bool parse_number(const std::string& text, double& out);

}  // namespace cohortgis::geodata
