// SPDX-License-Identifier: Apache-2.0
// Internal to geodata/: a CSV file's lines split by GDAL's own CSV tokenizer (CSVReadParseLine3L, the function the
// CSV layer reads each line with), shared by the parallel reader (table_parallel.cpp) and the one reader's check of
// the cells per row (table.cpp): GDAL 3.6's CSV layer drops a row's cells past the header's silently.
#pragma once

#include "gdal_support.hpp"

#include <cpl_csv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace cohortgis::geodata {

// Bytes as a file for GDAL: /vsimem/ under a name of its own, removed when done.
class MemFile {
 public:
  explicit MemFile(std::string& bytes) {
    static std::atomic<unsigned long> counter{0};
    name_ = "/vsimem/cohortgis_csv_part_" + std::to_string(counter.fetch_add(1)) + "/part.csv";
    VSILFILE* f = VSIFileFromMemBuffer(name_.c_str(), reinterpret_cast<GByte*>(bytes.data()),
                                       static_cast<vsi_l_offset>(bytes.size()), FALSE);
    if (f)
      VSIFCloseL(f);
    else
      name_.clear();
  }
  ~MemFile() {
    if (!name_.empty()) VSIUnlink(name_.c_str());
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A line's tokens (CSLDestroy'd) and a VSI file (closed).
struct TokensFree {
  void operator()(char** tokens) const { CSLDestroy(tokens); }
};
using Tokens = std::unique_ptr<char*, TokensFree>;
struct VsiClose {
  void operator()(VSILFILE* f) const { VSIFCloseL(f); }
};
using VsiFile = std::unique_ptr<VSILFILE, VsiClose>;

// The CSV layer's line limit when neither its MAX_LINE_SIZE open option nor OGR_CSV_MAX_LINE_SIZE sets one
// (GDAL 3.6: 10,000,000 bytes).
constexpr std::size_t kCsvMaxLine = 10000000;

// One line's tokens as the CSV layer reads them (quotes honoured, no merged separators, a UTF-8 BOM skipped, GDAL's
// default line limit: callers leave files to OGR alone when a configuration option sets another); null at the end or
// on an error (GDAL's last error then says which).
inline Tokens read_csv_tokens(VSILFILE* fp, const std::string& separator) {
  return Tokens(CSVReadParseLine3L(fp, kCsvMaxLine, separator.c_str(), true, false, false, true));
}

// The separator the CSV layer splits the lines with, when the header line (its bytes, line break included) tells it
// for certain: the one of , ; TAB | that the header line holds, with none of the others, and that splits the header
// line into exactly the layer's column names `names` (two or more): no other separator could give those names. ""
// otherwise.
inline std::string csv_layer_separator(const std::string& header_line, const std::vector<std::string>& names) {
  if (names.size() < 2) return {};
  std::string separator;
  for (const char c : {',', ';', '\t', '|'}) {
    if (header_line.find(c) == std::string::npos) continue;
    if (!separator.empty()) return {};
    separator.assign(1, c);
  }
  if (separator.empty()) return {};
  std::string bytes = header_line;
  MemFile mem(bytes);
  if (mem.name().empty()) return {};
  QuietGdalErrors quiet;
  VsiFile fp(VSIFOpenL(mem.name().c_str(), "rb"));
  if (!fp) return {};
  const Tokens header = read_csv_tokens(fp.get(), separator);
  if (!header) return {};
  std::size_t k = 0;
  for (; header.get()[k] != nullptr; ++k)
    if (k >= names.size() || names[k] != header.get()[k]) return {};
  return k == names.size() ? separator : std::string();
}

}  // namespace cohortgis::geodata
