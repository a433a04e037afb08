// SPDX-License-Identifier: Apache-2.0
// Internal: the CSV files of a results folder (RFC 4180 quoting, as cohortgis writes them) streamed a block at a
// time: for load_results (results.cpp) and results.xlsx (xlsx_output.cpp). A W3k run's indicators.csv is 200 MB:
// read through GDAL's CSV driver, or cell by cell into new strings, it took seconds of the report (bench/HISTORY.md
// "Round 7: report and drawing").
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis::app::detail {

// Characters that end a run of plain text outside quotes.
inline const std::array<bool, 256>& csv_special() {
  static const std::array<bool, 256> t = [] {
    std::array<bool, 256> s{};
    for (unsigned char c : {',', '\n', '\r', '"'}) s[c] = true;
    return s;
  }();
  return t;
}

// Opens a results file: one cohortgis wrote, so not a link (indicators.csv -> /etc/passwd was read, and its first
// line quoted in the error; hostile probe 3), not a pipe or device.
inline std::ifstream open_results_csv(const std::string& path) {
  std::error_code link_ec;
  const auto st = std::filesystem::symlink_status(path, link_ec);
  if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    throw InputError(path + ": a symbolic link or not a regular file; expected the file cohortgis wrote");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot be read (missing file?)");
  return in;
}

// What one row of a results CSV may hold: cohortgis writes a few dozen fields of names (at most 200 characters) and
// numbers. A row of 100 MB of commas (10^8 empty fields, 3 GB of strings) or a 2 GB file of NUL bytes without a
// line break (one cell, held twice over) took gigabytes before the row's error (hostile probe, round 10).
inline constexpr std::size_t kMaxCsvRowBytes = std::size_t{64} << 20, kMaxCsvRowFields = 100000;

// The RFC 4180 state machine of for_each_csv_row, fed a block at a time: each data row goes to `visit(csv, row,
// index)` (see for_each_csv_row). The first row is the header unless `csv.header` is set already (a part of a file
// that starts after the header: for_each_csv_row_part).
template <class Visit>
class CsvRowParser {
 public:
  CsvRowParser(CsvData& csv, std::initializer_list<const char*> required, Visit& visit)
      : csv_(csv), required_(required), visit_(visit), special_(csv_special()) {
    start_row();
  }

  void feed(const char* b, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
      if (pending_quote_) {  // the '"' before this character was inside quotes: "" is a quote, else the end
        pending_quote_ = false;
        if (b[i] == '"') {
          append("\"", 1);
          ++i;
          continue;
        }
        quoted_ = false;
      }
      if (quoted_) {
        const void* q = std::memchr(b + i, '"', n - i);
        const std::size_t end = q ? uz(static_cast<const char*>(q) - b) : n;
        append(b + i, end - i);
        i = end;
        if (q) {
          pending_quote_ = true;
          ++i;
        }
        continue;
      }
      std::size_t j = i;
      while (j < n && !special_[static_cast<unsigned char>(b[j])]) ++j;
      if (j > i) {
        append(b + i, j - i);
        any_ = true;
      }
      if (j == n) break;
      const char c = b[j];
      i = j + 1;
      any_ = true;
      if (c == '"')
        quoted_ = true;
      else if (c == ',')
        next_field();
      else if (c == '\n')
        end_row();
    }
  }

  // True when what was fed ends inside a quoted cell (a '"' just before the end may still close it).
  bool inside_quotes() const { return quoted_; }

  void finish() {
    if (pending_quote_) quoted_ = false;
    if (any_ || (!row_.empty() && !cell().empty())) end_row();
    if (csv_.header.empty()) throw InputError(csv_.path + ": empty file; expected a header row");
  }

 private:
  std::string& cell() {
    if (row_.size() <= field_) row_.resize(field_ + 1);
    return row_[field_];
  }
  void start_row() {
    field_ = 0;
    row_bytes_ = 0;
    if (!row_.empty()) row_[0].clear();
  }
  void append(const char* p, std::size_t n) {
    row_bytes_ += n;
    if (row_bytes_ > kMaxCsvRowBytes) too_long("more than 64 MiB");
    cell().append(p, n);
  }
  void next_field() {
    cell();
    if (++field_ >= kMaxCsvRowFields) too_long("more than " + std::to_string(kMaxCsvRowFields) + " fields");
    cell().clear();
  }
  [[noreturn]] void too_long(const std::string& what) const {
    throw InputError(csv_.path + ": row " + std::to_string(index_ + (csv_.header.empty() ? 1 : 2)) + " holds " + what +
                     "; a results file of cohortgis has rows of a few dozen short fields");
  }
  void end_row() {
    cell();
    row_.resize(field_ + 1);
    if (csv_.header.empty()) {
      csv_.header = row_;
      if (!csv_.header.empty() && csv_.header[0].rfind("\xEF\xBB\xBF", 0) == 0) csv_.header[0].erase(0, 3);
      for (const char* name : required_) (void)csv_.column(name);
    } else if (!(row_.size() == 1 && row_[0].empty())) {
      if (row_.size() != csv_.header.size())
        throw InputError(csv_.path + ": row " + std::to_string(index_ + 2) + " has " + std::to_string(row_.size()) +
                         " fields; the header has " + std::to_string(csv_.header.size()));
      visit_(static_cast<const CsvData&>(csv_), row_, index_++);
    }
    start_row();
    any_ = false;
  }

  CsvData& csv_;
  std::initializer_list<const char*> required_;
  Visit& visit_;
  const std::array<bool, 256>& special_;
  std::vector<std::string> row_;
  std::size_t field_ = 0, index_ = 0, row_bytes_ = 0;
  bool quoted_ = false, any_ = false, pending_quote_ = false;  // pending_quote_: a '"' ended a block inside quotes
};

// Reads a CSV file a block at a time and hands each data row to `visit(csv, row, index)`: `csv` has the path and the
// header only (for column() and messages), `index` counts the data rows from 0. Blank lines are skipped; a UTF-8
// byte-order mark (--csv-bom) is not part of the first column's name. `row` may be moved from (its strings are
// reused for the next row otherwise, so a row costs no allocation). `required`: columns the header must have
// (InputError naming the file and the header otherwise).
template <class Visit>
void for_each_csv_row(const std::string& path, CsvData& csv, std::initializer_list<const char*> required,
                      Visit&& visit) {
  std::ifstream in = open_results_csv(path);
  csv.path = path;
  CsvRowParser<Visit> parser(csv, required, visit);
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    parser.feed(block.data(), uz(in.gcount()));
  }
  parser.finish();
}

// Bytes [begin, end) of a CSV file, read as for_each_csv_row reads a whole file: the first row is the header when
// `csv.header` is empty (begin 0), data otherwise; `index` counts from 0 within the part. Returns false when the part
// ends inside a quoted cell (so `end` did not fall between rows, and the parts must be read as one file instead).
// For reading one file in parts on several threads (load_results): a part that starts after a line break read
// inside quotes sees wrong rows, which only its predecessor's false tells.
template <class Visit>
bool for_each_csv_row_part(const std::string& path, CsvData& csv, std::size_t begin, std::size_t end, Visit&& visit) {
  std::ifstream in = open_results_csv(path);
  csv.path = path;
  if (!in.seekg(static_cast<std::streamoff>(begin)))
    throw InputError(path + ": cannot be read (shorter than expected)");
  CsvRowParser<Visit> parser(csv, {}, visit);
  std::vector<char> block(1 << 20);
  for (std::size_t left = end - begin; left > 0 && in;) {
    in.read(block.data(), static_cast<std::streamsize>(std::min(left, block.size())));
    const std::size_t n = uz(in.gcount());
    parser.feed(block.data(), n);
    left -= n;
  }
  const bool between_rows = !parser.inside_quotes();
  parser.finish();
  return between_rows;
}

// The number of data rows for_each_csv_row hands out (blank lines not counted), without splitting the cells.
inline std::size_t count_csv_rows(const std::string& path) {
  std::ifstream in = open_results_csv(path);
  std::size_t rows = 0;
  // header: the first line is read (for_each_csv_row takes it as the header even when blank); content: the line has
  // a comma or text (else it is a blank line, skipped).
  bool header = false, quoted = false, pending_quote = false, content = false;
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::size_t n = uz(in.gcount());
    const char* b = block.data();
    for (std::size_t i = 0; i < n;) {
      if (pending_quote) {
        pending_quote = false;
        if (b[i] == '"') {
          content = true;
          ++i;
          continue;
        }
        quoted = false;
      }
      if (quoted) {
        const void* q = std::memchr(b + i, '"', n - i);
        if (!q) {
          content = content || i < n;
          break;
        }
        const std::size_t end = uz(static_cast<const char*>(q) - b);
        content = content || end > i;
        pending_quote = true;
        i = end + 1;
        continue;
      }
      // Plain text up to the end of the line: most rows hold no quote.
      const void* nl = std::memchr(b + i, '\n', n - i);
      const std::size_t end = nl ? uz(static_cast<const char*>(nl) - b) : n;
      const void* q = std::memchr(b + i, '"', end - i);
      if (q) {  // a quote before the end of the line: text up to it, then quoted text
        const std::size_t at = uz(static_cast<const char*>(q) - b);
        for (std::size_t k = i; k < at && !content; ++k) content = b[k] != '\r';
        quoted = true;
        i = at + 1;
        continue;
      }
      for (std::size_t k = i; k < end && !content; ++k) content = b[k] != '\r';
      if (!nl) break;
      if (header) rows += content ? 1 : 0;
      header = true;
      content = false;
      i = end + 1;
    }
  }
  if (content && header) ++rows;
  return rows;
}

}  // namespace cohortgis::app::detail
