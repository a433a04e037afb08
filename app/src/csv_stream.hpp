// SPDX-License-Identifier: Apache-2.0
// Internal: the CSV files of a results folder (RFC 4180 quoting, as cohortgis writes them) streamed a block at a
// time: for load_results (results.cpp) and results.xlsx (xlsx_output.cpp). A W3k run's indicators.csv is 200 MB:
// read through GDAL's CSV driver, or cell by cell into new strings, it took seconds of the report (bench/HISTORY.md
// "Round 7: report and drawing").
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "cohortgis/app/results.hpp"
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
  const std::array<bool, 256>& special = csv_special();
  std::vector<std::string> row;
  std::size_t field = 0, index = 0;
  bool quoted = false, any = false, pending_quote = false;  // pending_quote: a '"' ended a block inside quotes
  auto cell = [&]() -> std::string& {
    if (row.size() <= field) row.resize(field + 1);
    return row[field];
  };
  auto start_row = [&] {
    field = 0;
    if (!row.empty()) row[0].clear();
  };
  auto next_field = [&] {
    cell();
    ++field;
    cell().clear();
  };
  auto end_row = [&] {
    cell();
    row.resize(field + 1);
    if (csv.header.empty()) {
      csv.header = row;
      if (!csv.header.empty() && csv.header[0].rfind("\xEF\xBB\xBF", 0) == 0) csv.header[0].erase(0, 3);
      for (const char* name : required) (void)csv.column(name);
    } else if (!(row.size() == 1 && row[0].empty())) {
      if (row.size() != csv.header.size())
        throw InputError(path + ": row " + std::to_string(index + 2) + " has " + std::to_string(row.size()) +
                         " fields; the header has " + std::to_string(csv.header.size()));
      visit(static_cast<const CsvData&>(csv), row, index++);
    }
    start_row();
    any = false;
  };
  std::vector<char> block(1 << 20);
  start_row();
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::size_t n = static_cast<std::size_t>(in.gcount());
    const char* b = block.data();
    std::size_t i = 0;
    while (i < n) {
      if (pending_quote) {  // the '"' before this character was inside quotes: "" is a quote, else the end
        pending_quote = false;
        if (b[i] == '"') {
          cell() += '"';
          ++i;
          continue;
        }
        quoted = false;
      }
      if (quoted) {
        const void* q = std::memchr(b + i, '"', n - i);
        const std::size_t end = q ? static_cast<std::size_t>(static_cast<const char*>(q) - b) : n;
        cell().append(b + i, end - i);
        i = end;
        if (q) {
          pending_quote = true;
          ++i;
        }
        continue;
      }
      std::size_t j = i;
      while (j < n && !special[static_cast<unsigned char>(b[j])]) ++j;
      if (j > i) {
        cell().append(b + i, j - i);
        any = true;
      }
      if (j == n) break;
      const char c = b[j];
      i = j + 1;
      any = true;
      if (c == '"')
        quoted = true;
      else if (c == ',')
        next_field();
      else if (c == '\n')
        end_row();
    }
  }
  if (pending_quote) quoted = false;
  if (any || (!row.empty() && !cell().empty())) end_row();
  if (csv.header.empty()) throw InputError(path + ": empty file; expected a header row");
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
    const std::size_t n = static_cast<std::size_t>(in.gcount());
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
        const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(q) - b);
        content = content || end > i;
        pending_quote = true;
        i = end + 1;
        continue;
      }
      // Plain text up to the end of the line: most rows hold no quote.
      const void* nl = std::memchr(b + i, '\n', n - i);
      const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) : n;
      const void* q = std::memchr(b + i, '"', end - i);
      if (q) {  // a quote before the end of the line: text up to it, then quoted text
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - b);
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
