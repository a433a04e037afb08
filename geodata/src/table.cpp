// SPDX-License-Identifier: Apache-2.0
// read_table through OGR (GDALOpenEx, read-only vector access).
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/text_encoding.hpp"

#include "checked_files.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "csv_tokens.hpp"
#include "gdal_support.hpp"
#include "table_rows.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi_virtual.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

namespace cohortgis::geodata {

namespace {

std::string lower_extension(const std::string& path) {
  return ascii_lower(std::filesystem::path(path).extension().string());  // ".TIF" under tr_TR too (ascii_case.hpp)
}

// Column and layer names for messages: each escaped and cut (escape_cell), at most 50 listed.
std::string join(const std::vector<std::string>& v) { return quoted_list(v, 50); }

// ASCII text is valid UTF-8: most cells (ids, numbers) need no call to CPLIsUTF8. Eight bytes at a time: every
// cell of a large table passes here.
bool is_ascii(const std::string& s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t any = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    any |= w;
  }
  for (; n > 0; ++p, --n) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ull) == 0;
}

}  // namespace

bool parse_number(const std::string& text, double& out) {
  // The trimmed cell as a view: every number cell of every table passes here, and copying a cell longer than the
  // short-string buffer (a 17-digit rate) was a heap allocation per cell.
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return false;
  std::string_view t(text.data() + b, text.find_last_not_of(" \t\r\n") - b + 1);
  if (t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  double v = 0.0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool Table::has_column(const std::string& name) const {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

std::size_t Table::column(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end())
    throw InputError((in_memory ? path : path + ", layer '" + escape_cell(layer) + "'") + ": no column '" +
                     escape_cell(name) + "'; columns found: " + join(columns));  // a frame has no layer (as where())
  return uz(it - columns.begin());
}

std::string Table::where(std::size_t row, std::size_t col) const {
  const std::size_t n = first_row + row;  // 0-based data row in the file
  if (in_memory)
    return path + ", row " + std::to_string(n) + (col < columns.size() ? ", column '" + escape_cell(columns[col]) + "'" : "");
  std::string s = path + ", layer '" + escape_cell(layer) + "', data row " + std::to_string(n + 1);
  if (has_header_row) s += " (row " + std::to_string(n + 2) + " counting the header row)";
  else s += " (feature " + std::to_string(n + 1) + " in reading order)";
  if (col < columns.size()) s += ", column '" + escape_cell(columns[col]) + "'";
  return s;
}

const std::string& Table::text(std::size_t row, std::size_t col) const {
  if (row >= rows.size())
    throw InputError(path + ", layer '" + layer + "': data row " + std::to_string(row + 1) + " asked for; the table has " +
                     std::to_string(rows.size()) + " data rows");
  if (col >= columns.size()) throw InputError(path + ", layer '" + layer + "': column index out of range");
  return rows[row][col];
}

double Table::number(std::size_t row, std::size_t col) const {
  const std::string& cell = text(row, col);
  double v = 0.0;
  if (parse_number(cell, v)) return v;
  std::string t = trim(cell);
  if (t.empty()) throw InputError(where(row, col) + ": the cell is empty; expected a number");
  if (t.front() == '+') t.erase(0, 1);
  // A complete parse that still failed is NaN, infinity or out of range.
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ptr == t.data() + t.size() && r.ec == std::errc::result_out_of_range) {
    // Too small (1e-400) or too large (1e400) for a double: say which, rather than "not finite".
    const auto e = t.find_first_of("eE");
    const bool tiny = e != std::string::npos && e + 1 < t.size() && t[e + 1] == '-';
    throw InputError(where(row, col) + ": '" + escape_cell(cell) + "' is " +
                     (tiny ? "below the smallest number cohortgis represents (about 2.2e-308); write 0 or a larger value"
                           : "not a finite number (above the largest, about 1.8e308); expected a finite number"));
  }
  if (r.ptr == t.data() + t.size() && r.ec == std::errc())
    throw InputError(where(row, col) + ": '" + escape_cell(cell) + "' is not a finite number; expected a finite number");
  const std::string hint =
      t.find(',') != std::string::npos ? " (use '.' as the decimal mark and no thousands separators)" : "";
  throw InputError(where(row, col) + ": '" + escape_cell(cell) + "' is not a number; expected a number such as 1234 or 0.5" + hint);
}

namespace {
// A CSV whose .csvt sidecar declares a column Integer gets "0.5" as 0 with only GDAL warnings ("Value '0.5' of
// field L.age parsed incompletely to integer 0"): an age of 0.5 must be an error naming the cell, not age 0. The
// warnings are caught as they come (a later one replaces GDAL's last message).
class TruncationWatch {
 public:
  TruncationWatch() { CPLPushErrorHandlerEx(&TruncationWatch::handle, this); }
  ~TruncationWatch() { CPLPopErrorHandler(); }
  TruncationWatch(const TruncationWatch&) = delete;
  TruncationWatch& operator=(const TruncationWatch&) = delete;
  void check(const Table& t) {
    if (first_.empty()) return;
    const std::string m = first_;
    const auto v0 = m.find("Value '"), v1 = m.find("' of field "), p = m.find(" parsed incompletely");
    const std::string value = m.substr(v0 + 7, v1 - v0 - 7), field = m.substr(v1 + 11, p - v1 - 11);
    std::size_t col = t.columns.size();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const std::string dotted = "." + t.columns[c];
      if (field == t.columns[c] ||
          (field.size() > dotted.size() && field.compare(field.size() - dotted.size(), dotted.size(), dotted) == 0))
        col = c;
    }
    throw InputError(t.where(0, col) + ": '" + escape_cell(value) +
                     "' is not a whole number, but the file's .csvt declares the column Integer; expected a whole "
                     "number (or declare the column Real)");
  }

 private:
  static void CPL_STDCALL handle(CPLErr cls, CPLErrorNum, const char* msg) {
    auto* self = static_cast<TruncationWatch*>(CPLGetErrorHandlerUserData());
    const std::string m = msg ? msg : "";
    const auto v0 = m.find("Value '"), v1 = m.find("' of field "), p = m.find(" parsed incompletely");
    if (self && cls == CE_Warning && self->first_.empty() && v0 != std::string::npos && v1 != std::string::npos &&
        p != std::string::npos && v0 < v1 && v1 < p)
      self->first_ = m;
  }
  std::string first_;
};

// GDAL's CSV reader ends a line's text at a NUL byte, so "0.0<NUL>1" reads as 0.0 and the cells after it as empty:
// a silent wrong number. A text table has no NUL bytes; one means a binary file or a UTF-16 text (Excel's
// "Unicode text"). Scanned before GDAL opens the file (memchr, a few GB/s).
void check_no_nul_bytes(const std::string& path) {
  const FilePtr f = open_checked_file(path, path);
  if (!f) return;  // GDAL reports the unreadable file
  std::vector<char> buf(1 << 20);
  std::uint64_t offset = 0;
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0; offset += n) {
    const char* nul = static_cast<const char*>(std::memchr(buf.data(), '\0', n));
    if (!nul) continue;
    // The message's line: the line breaks before the NUL, counted only now (a pass over every byte of a large
    // table cost as much as the scan itself, on the thread that then reads it).
    const std::uint64_t at = offset + static_cast<std::uint64_t>(nul - buf.data());
    std::uint64_t line = 1, done = 0;
    std::rewind(f.get());
    for (std::size_t m; done < at && (m = std::fread(buf.data(), 1, buf.size(), f.get())) > 0; done += m) {
      const std::size_t upto = uz(std::min<std::uint64_t>(m, at - done));
      line += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + upto, '\n'));
    }
    throw InputError(path + ": a NUL byte at line " + std::to_string(line) + " (byte " + std::to_string(at + 1) +
                     "); expected a text table without NUL bytes (a binary file, or text saved as UTF-16 / "
                     "\"Unicode text\": save it as CSV UTF-8)");
  }
}
}  // namespace

void RowCells::text_cell(std::string& cell, std::size_t col, const Table& t) const {
  if (recode)
    cell = to_utf8(cell, encoding, t.where(0, col));
  else if (!is_ascii(cell) && !CPLIsUTF8(cell.c_str(), static_cast<int>(std::min<std::size_t>(cell.size(), INT_MAX))))
    throw InputError(t.where(0, col) + ": the text is not valid UTF-8; " + kDeclareEncoding);
}

void RowCells::check_cell_count(char** tokens, const Table& t) const {
  const std::size_t width = t.columns.size();
  std::size_t k = 0, last = 0;  // tokens, and 1 + the last non-empty one
  for (; tokens[k] != nullptr; ++k)
    if (tokens[k][0] != '\0') last = k + 1;
  if (last <= width) return;
  throw InputError(t.where(0, width) + ": the row has " + std::to_string(k) + " cells, the header has " +
                   std::to_string(width) +
                   " (a thousands separator or an unquoted separator in a value? write 1000, not 1,000, and quote a "
                   "text value that holds the separator); expected at most one cell per column");
}

void RowCells::extract_tokens(char** tokens, Table& t) const {
  check_cell_count(tokens, t);
  std::vector<std::string>& row = t.rows[0];
  std::size_t col = 0;
  // The CSV layer sets a text field from each token up to the column count (an empty token as ""), and leaves the
  // columns past a short line's last token unset.
  for (; col < row.size() && tokens[col] != nullptr; ++col) {
    row[col].assign(tokens[col]);
    text_cell(row[col], col, t);
  }
  for (; col < row.size(); ++col) row[col].clear();
}

void RowCells::extract(OGRFeature& f, Table& t) const {
  std::vector<std::string>& row = t.rows[0];
  for (auto& cell : row) cell.clear();
  const auto as_text = [&](std::string& cell, std::size_t col) { text_cell(cell, col, t); };
  const int nf = static_cast<int>(types.size());
  for (int i = 0; i < nf; ++i) {
    // The raw field, not IsFieldSetAndNotNull + GetFieldAsString: two calls, each looking up the field's
    // definition, per cell of a table of millions of cells.
    const OGRField* raw = f.GetRawFieldRef(i);
    if (OGR_RawField_IsUnset(raw) || OGR_RawField_IsNull(raw)) continue;
    const auto col = uz(i);
    std::string& cell = row[col];
    switch (types[col]) {
      case OFTString:
        cell.assign(raw->String);
        as_text(cell, col);
        break;
      case OFTInteger:
        cell = std::to_string(f.GetFieldAsInteger(i));
        break;
      case OFTInteger64:
        cell = std::to_string(f.GetFieldAsInteger64(i));
        break;
      case OFTReal:
        cell = shortest_number(f.GetFieldAsDouble(i));
        break;
      default:
        cell = f.GetFieldAsString(i);
        as_text(cell, col);
        break;
    }
  }
}

bool RowCells::numbers_ok(const Table& t) const {
  double v = 0.0;
  for (std::size_t col : number_cols)
    if (!parse_number(t.rows[0][col], v)) return false;
  return true;
}

namespace {
// The one reader's check of the cells per row (RowCells::check_cell_count) of a CSV file whose header line tells the
// separator for certain (csv_layer_separator): the file's lines split by GDAL's tokenizer in step with the layer's
// features, blank lines skipped as the layer skips them. Off (no check) for any other file, and once the tokenizer
// stops (an error of the layer's own then ends the reading too).
class CellCountCheck {
 public:
  CellCountCheck() = default;
  CellCountCheck(const std::string& path, const std::vector<std::string>& names) {
    if (CPLGetConfigOption("OGR_CSV_MAX_LINE_SIZE", nullptr) != nullptr) return;  // another line limit: not checked
    QuietGdalErrors quiet;
    VSILFILE* raw = VSIFOpenL(path.c_str(), "rb");
    if (!raw) return;
    // Buffered as the CSV layer buffers its file: GDAL's line reader reads small blocks and seeks back after each
    // line, a system call or two per line of a large table on a plain file handle.
    fp_.reset(reinterpret_cast<VSILFILE*>(VSICreateBufferedReaderHandle(reinterpret_cast<VSIVirtualHandle*>(raw))));
    const char* line = CPLReadLine2L(fp_.get(), static_cast<int>(kCsvMaxLine), nullptr);
    if (line) separator_ = csv_layer_separator(std::string(line) + "\n", names);
    if (separator_.empty() || VSIFSeekL(fp_.get(), 0, SEEK_SET) != 0 || !read_csv_tokens(fp_.get(), separator_))
      fp_.reset();
  }
  // Checks the next data row's line; t names the row in the error.
  void next(const RowCells& cells, const Table& t) {
    if (!fp_) return;
    Tokens line;
    {
      // The layer's own errors decide what read_rows reports: this reading leaves GDAL's error state as it was.
      CPLErrorStateBackuper state;
      CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
      do line = read_csv_tokens(fp_.get(), separator_);
      while (line && line.get()[0] == nullptr);
    }
    if (!line) {
      fp_.reset();
      return;
    }
    cells.check_cell_count(line.get(), t);
  }

 private:
  VsiFile fp_;
  std::string separator_;
};

// The one reader: rows of `layer` from data row `skip` on (the rows before were handed out by the parallel reader
// from the same bytes), each checked and handed to on_row. Returns the number of data rows in all.
std::size_t read_rows(OGRLayer& layer, Table& t, const RowCells& cells, std::size_t skip,
                      const std::function<void(Table&)>& on_row, CellCountCheck& cell_count) {
  {
    // A Shapefile's .prj is parsed with the first feature (GDAL reads it lazily): one it cannot parse failed the
    // table as a "read error after data row N". A table needs no CRS (load_zones names a bad .prj).
    CPLErrorStateBackuper state;
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    layer.GetSpatialRef();
  }
  layer.ResetReading();
  CPLErrorReset();
  std::size_t n_rows = 0;
  for (; n_rows < skip; ++n_rows) {
    if (!OGRFeatureUniquePtr(layer.GetNextFeature())) break;
    t.first_row = n_rows;
    cell_count.next(cells, t);  // rows handed out by the parallel reader: checked there only when it tokenized
  }
  TruncationWatch truncation;
  for (OGRFeatureUniquePtr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
    t.first_row = n_rows;
    truncation.check(t);
    cell_count.next(cells, t);
    cells.extract(*f, t);
    cells.check_numbers(t);  // throws on a bad cell, naming its row
    ++n_rows;
    on_row(t);
  }
  if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal)
    throw InputError(t.path + ", layer '" + t.layer + "': read error after data row " + std::to_string(n_rows) +
                     " (GDAL: " + QuietGdalErrors::last() + ")");
  return n_rows;
}

// A file the parallel reader may take: large enough, every column text (no .csvt typed it) and no geometry column
// (GDAL makes one of a column named WKT, and a .csvt can declare one).
bool parallel_csv_candidate(const std::string& path, const StreamOptions& opts, GDALDataset& ds, OGRLayer& layer) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size < opts.parallel_min_bytes || size < 2 * std::max<std::size_t>(opts.chunk_bytes, 1)) return false;
  if (!ds.GetDriver() || !ascii_iequals(ds.GetDriver()->GetDescription(), "CSV") || ds.GetLayerCount() != 1)
    return false;
  for (const char* ext : {"csvt", "CSVT"})
    if (std::filesystem::exists(std::filesystem::path(path).replace_extension(ext), ec)) return false;
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  if (defn->GetGeomFieldCount() != 0) return false;
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    if (defn->GetFieldDefn(i)->GetType() != OFTString) return false;
  return true;
}
// A CSV file of one column, which GDAL 3.6's CSV driver refuses (its header line must split into two fields or more):
// read with the tokenizer the CSV layer reads lines with (csv_tokens.hpp), as the layer would read it: the header
// line names the column, blank lines are skipped, a non-empty cell past the first is an error naming its row
// (check_cell_count). False, with nothing read, when the header line is not one name (the caller's error stands).
bool stream_one_column_csv(const std::string& path, const std::vector<ColumnSpec>& required,
                           const std::string& encoding, const std::function<void(Table&)>& on_row) {
  const std::string separator = ",";  // the header holds none of , ; TAB |: any of them splits the lines alike
  VsiFile fp;
  {
    QuietGdalErrors quiet;
    VSILFILE* raw = VSIFOpenL(path.c_str(), "rb");
    if (!raw) return false;
    fp.reset(reinterpret_cast<VSILFILE*>(VSICreateBufferedReaderHandle(reinterpret_cast<VSIVirtualHandle*>(raw))));
    const char* line = CPLReadLine2L(fp.get(), static_cast<int>(kCsvMaxLine), nullptr);
    if (!line || !*line || std::strpbrk(line, ",;\t|") != nullptr || VSIFSeekL(fp.get(), 0, SEEK_SET) != 0)
      return false;
  }
  const Tokens header = read_csv_tokens(fp.get(), separator);
  if (!header || header.get()[0] == nullptr || header.get()[1] != nullptr || !*header.get()[0]) return false;
  Table t;
  t.path = path;
  t.layer = CPLGetBasename(path.c_str());
  t.has_header_row = true;
  RowCells cells;
  cells.recode = !is_utf8_encoding(encoding);
  cells.encoding = encoding;
  const std::string name = header.get()[0], column = path + ", layer '" + t.layer + "': column 1";
  if (!cells.recode && !CPLIsUTF8(name.c_str(), -1))
    throw InputError(column + " has a name that is not valid UTF-8; " + kDeclareEncoding);
  t.columns.push_back(cells.recode ? to_utf8(name, encoding, column + " name") : name);
  cells.types.push_back(OFTString);
  cells.raw_names.push_back(name);
  for (const auto& c : required)
    if (!t.has_column(c.name))
      throw InputError(path + ", layer '" + t.layer + "': missing column " + c.name +
                       "; columns found: " + join(t.columns));
  for (const auto& c : required)
    if (c.type == ColumnType::number) cells.number_cols.push_back(t.column(c.name));
  t.rows.assign(1, std::vector<std::string>(1));
  std::size_t n_rows = 0;
  for (Tokens line = read_csv_tokens(fp.get(), separator); line; line = read_csv_tokens(fp.get(), separator)) {
    if (line.get()[0] == nullptr) continue;  // a blank line, as the layer skips it
    t.first_row = n_rows;
    cells.extract_tokens(line.get(), t);  // checks the cells past the first
    cells.check_numbers(t);
    ++n_rows;
    on_row(t);
  }
  if (n_rows == 0)
    throw InputError(path + ", layer '" + t.layer + "': the table is empty; expected at least one data row under the " +
                     "header row");
  return true;
}
}  // namespace

void stream_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer_name,
                  const std::string& encoding, const std::function<void(Table&)>& on_row) {
  stream_table(path, required, layer_name, encoding, on_row, StreamOptions{});
}

namespace {
thread_local const std::atomic<bool>* t_read_cancel = nullptr;  // ReadCancellation's flag for this thread
}  // namespace

ReadCancellation::ReadCancellation(const std::atomic<bool>* cancel) : previous_(t_read_cancel) {
  t_read_cancel = cancel;
}

ReadCancellation::~ReadCancellation() { t_read_cancel = previous_; }

void throw_if_read_cancelled() {
  if (t_read_cancel && t_read_cancel->load(std::memory_order_relaxed)) throw ProjectionError("reading cancelled");
}

void stream_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer_name,
                  const std::string& encoding, const std::function<void(Table&)>& each_row, const StreamOptions& opts) {
  throw_if_read_cancelled();
  // Every row reaches this thread (the parallel reader's too): a stopped reading looks every kRowsBetweenStops.
  std::size_t rows_seen = 0;
  const std::function<void(Table&)> on_row = [&](Table& row) {
    if (++rows_seen % kRowsBetweenStops == 0) throw_if_read_cancelled();
    each_row(row);
  };
  register_drivers();
  const bool database = path.size() > 3 && (path[0] == 'P' || path[0] == 'p') && (path[1] == 'G' || path[1] == 'g') &&
                        path[2] == ':';
  const bool virtual_path = path.rfind("/vsi", 0) == 0 || database;
  if (!virtual_path) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st))
      throw InputError(path + ": file not found; expected a table (CSV, XLSX, ODS or GeoPackage) at this path");
    if (std::filesystem::is_directory(st))
      throw InputError(path + ": is a folder; expected a table file (CSV, XLSX, ODS or GeoPackage)");
    if (const std::string kind = special_file_kind(path); !kind.empty())
      throw InputError(path + ": is " + kind +
                       ", not a file; expected a table file (pipes and devices are never read: they can block or "
                       "never end)");
    if (const std::string why = special_companion(path); !why.empty()) throw InputError(path + ": " + why);
  }

  // Drivers and open options by extension, so numbers in CSV arrive as text and spreadsheets always have a header.
  const std::string ext = lower_extension(path);
  CPLStringList options, drivers;
  bool header = false;
  if (ext == ".csv") {
    drivers.AddString("CSV");
    options.AddNameValue("HEADERS", "YES");
    options.AddNameValue("AUTODETECT_TYPE", "NO");
    options.AddNameValue("EMPTY_STRING_AS_NULL", "NO");
    header = true;
  } else if (ext == ".xlsx") {
    drivers.AddString("XLSX");
    options.AddNameValue("HEADERS", "FORCE");
    options.AddNameValue("FIELD_TYPES", "AUTO");
    header = true;
  } else if (ext == ".ods") {
    drivers.AddString("ODS");
    options.AddNameValue("HEADERS", "FORCE");
    options.AddNameValue("FIELD_TYPES", "AUTO");
    header = true;
  }

  if (drivers.empty()) drivers = input_drivers(path);
  if (!virtual_path && (ext == ".csv" || ext == ".tsv" || ext == ".txt")) check_no_nul_bytes(path);

  QuietGdalErrors quiet;
  // GDAL 3.6's XLSX/ODS drivers take the header choice as configuration options, not open options: without these a
  // sheet whose cells are all text (a typed-in table) gets Field1, Field2, … instead of its header row.
  struct SheetHeaders {
    SheetHeaders() {
      for (const char* k : {"OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"}) CPLSetThreadLocalConfigOption(k, "FORCE");
    }
    ~SheetHeaders() {
      for (const char* k : {"OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"}) CPLSetThreadLocalConfigOption(k, nullptr);
    }
  } sheet_headers;
  check_encoding(encoding, path);
  // The one check of a GeoPackage whose SQL computes rows, for scenario tables and those of `info`, `--observed` ….
  DatasetPtr ds = open_input(path, path, drivers.List(), options.empty() ? nullptr : options.List());
  // A DBF is recoded by GDAL's Shapefile driver when its encoding is declared (gdal_support.hpp).
  const bool recode = !reopen_shapefile_with_encoding(ds, path, encoding) && !is_utf8_encoding(encoding);
  if (!ds) {
    const std::string why = QuietGdalErrors::last();
    if (ext == ".csv" && !virtual_path && stream_one_column_csv(path, required, encoding, on_row)) return;
    throw InputError(path + ": cannot be read as a table" + (why.empty() ? std::string() : " (GDAL: " + why + ")") +
                     "; expected a readable CSV, XLSX, ODS or GeoPackage file");
  }
  refuse_encoding_of_utf8_format(*ds, path, encoding);
  std::vector<std::string> names;
  for (int i = 0; i < ds->GetLayerCount(); ++i) names.emplace_back(ds->GetLayer(i)->GetName());
  OGRLayer* layer = nullptr;
  if (!layer_name.empty()) {
    layer = ds->GetLayerByName(layer_name.c_str());
    if (!layer) throw InputError(path + ": no layer or sheet '" + layer_name + "'; layers found: " + join(names));
  } else {
    if (ds->GetLayerCount() < 1) throw InputError(path + ": holds no table (no layer or sheet)");
    layer = ds->GetLayer(0);
  }

  Table t;
  t.path = path;
  t.layer = layer->GetName();
  t.layers_in_file = std::move(names);
  t.has_header_row = header;
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  const int nf = defn->GetFieldCount();
  RowCells cells;
  cells.recode = recode;
  cells.encoding = encoding;
  for (int i = 0; i < nf; ++i) {
    const std::string name = defn->GetFieldDefn(i)->GetNameRef();
    const std::string column = path + ", layer '" + t.layer + "': column " + std::to_string(i + 1);
    if (!recode && !CPLIsUTF8(name.c_str(), -1))
      throw InputError(column + " has a name that is not valid UTF-8; " + kDeclareEncoding);
    t.columns.push_back(recode ? to_utf8(name, encoding, column + " name") : name);
    // GDAL keeps both of two columns of one name; the first would be read and the second ignored, silently.
    const auto same = std::find(t.columns.begin(), t.columns.end() - 1, t.columns.back());
    if (same != t.columns.end() - 1)
      throw InputError(column + " '" + escape_cell(t.columns.back()) + "' has the same name as column " +
                       std::to_string(same - t.columns.begin() + 1) + "; expected one column of each name");
    cells.types.push_back(defn->GetFieldDefn(i)->GetType());
    cells.raw_names.push_back(name);
  }

  std::vector<std::string> missing;
  for (const auto& c : required)
    if (!t.has_column(c.name)) missing.push_back(c.name);
  if (!missing.empty())
    throw InputError(path + ", layer '" + t.layer + "': missing column" + (missing.size() > 1 ? "s " : " ") +
                     join(missing) + "; columns found: " + join(t.columns));

  for (const auto& c : required)
    if (c.type == ColumnType::number) cells.number_cols.push_back(t.column(c.name));
  t.rows.assign(1, std::vector<std::string>(uz(nf)));

  // A large plain CSV file is parsed in parts on the run's threads (table_rows.hpp). GDAL's CSV driver reads a
  // .csvt sidecar and geometry columns by name: such files, and any type but text, keep the one reader.
  std::size_t n_rows = 0;
  bool complete = false;
  if (opts.report) *opts.report = StreamReport{};
  if (opts.threads > 1 && ext == ".csv" && !virtual_path && parallel_csv_candidate(path, opts, *ds, *layer)) {
    ParallelCsv csv{path, options.List(), drivers.List(), opts};
    csv.tokens = CPLGetConfigOption("OGR_CSV_MAX_LINE_SIZE", nullptr) == nullptr;
    for (int i = 0; i < nf; ++i) csv.tokens = csv.tokens && defn->GetFieldDefn(i)->GetWidth() == 0;
    n_rows = stream_csv_parallel(csv, t, cells, on_row, complete);
    if (opts.report) opts.report->one_reader = false;
  }
  if (!complete) {
    if (opts.report) {
      opts.report->one_reader = true;
      opts.report->one_reader_from = n_rows;
    }
    // GDAL's CSV layer drops the cells past the header's silently: a .csv file's rows are checked (RowCells::
    // check_cell_count). Other extensions may have no header row (the layer then counts no cells against one).
    CellCountCheck cell_count;
    if (ext == ".csv" && !virtual_path && ds->GetDriver() && ascii_iequals(ds->GetDriver()->GetDescription(), "CSV"))
      cell_count = CellCountCheck(path, cells.raw_names);
    n_rows = read_rows(*layer, t, cells, n_rows, on_row, cell_count);
  }
  if (n_rows == 0)
    throw InputError(path + ", layer '" + t.layer + "': the table is empty; expected at least one data row" +
                     (header ? " under the header row" : ""));
}

// Every member but the rows, by name from the first row: the size makes a member added to Table a compile error until
// it is copied here (x86-64, libstdc++; first_row and in_memory stay 0 and false for a whole table read from a file).
static_assert(sizeof(Table) == 160, "Table changed: copy the new member in read_table");
Table read_table(const std::string& path, const std::vector<ColumnSpec>& required, const std::string& layer_name,
                 const std::string& encoding) {
  Table out;
  stream_table(path, required, layer_name, encoding, [&](const Table& row) {
    if (out.rows.empty()) {
      out.path = row.path;
      out.layer = row.layer;
      out.layers_in_file = row.layers_in_file;
      out.has_header_row = row.has_header_row;
      out.columns = row.columns;
    }
    out.rows.push_back(row.rows[0]);
  });
  return out;
}

}  // namespace cohortgis::geodata
