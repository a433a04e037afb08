// SPDX-License-Identifier: Apache-2.0
// The text encoding a scenario declares for a source (`encoding = "GBK"`): checked when the scenario is read, used to
// turn the source's text into UTF-8 (GDAL's CPLRecode, i.e. iconv). Older Chinese data often comes as GBK/GB18030
// without saying so (a Shapefile without .cpg, a CSV saved by Chinese Excel).
#pragma once

#include <cstddef>
#include <string>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata {

// An `encoding` declared for a source whose text is UTF-8 by its format (a GeoPackage, GeoJSON, XLSX …: read_table,
// load_zones): the declaration is what is wrong, so a scenario's message names its `<table>.encoding` key, not the
// table's.
class DeclaredEncodingError : public InputError {
 public:
  using InputError::InputError;
};

// True for "", "UTF-8", "utf8", "UTF_8" …: text that needs no recoding.
bool is_utf8_encoding(const std::string& encoding);

// Throws InputError "<what>: unknown text encoding '…'; expected …" unless iconv can convert `encoding` to UTF-8.
void check_encoding(const std::string& encoding, const std::string& what);

// `text` in `encoding` → UTF-8. Throws InputError naming `what` when the bytes are not valid in that encoding.
std::string to_utf8(const std::string& text, const std::string& encoding, const std::string& what);

// Characters of UTF-8 text: the bytes that do not continue a sequence (10xxxxxx).
std::size_t utf8_chars(const std::string& text);

// Names (zone ids and names, groups, aggregates, targets, variants, the scenario) end up in file names, table cells,
// report headings and progress lines: at most this many characters (a Chinese name has the room of an English one).
inline constexpr std::size_t kMaxNameChars = 200;

// Throws InputError '<where>: "nnn…": N characters; expected at most 200' when `name` is longer than
// kMaxNameChars (`where` names the file, row and field).
void check_name_length(const std::string& name, const std::string& where);

// Names are compared byte for byte (a zone id in a table must be written as in the geography). Two names that differ
// only in Unicode normalisation (é as U+00E9, NFC, or as e + U+0301, NFD, as macOS and some exports write it) or in
// spaces at their ends (without_spaces_around) read alike in every message and output; these name the difference instead:
// "" when `a` and `b` are the same bytes or differ otherwise; else what tells them apart, e.g. "they differ only in
// Unicode normalisation (Caf<U+00E9> against Cafe<U+0301>)" or "they differ only in spaces at their ends".
std::string twin_difference(const std::string& a, const std::string& b);
// The key twins share: `name` without the spaces around it (without_spaces_around), in NFC (invalid UTF-8 as it is).
std::string twin_key(const std::string& name);
// `s` without the spaces around it: ASCII blanks, tabs, CR/LF, U+00A0 (no-break) and U+3000 (ideographic), as
// spreadsheets and census exports leave them.
std::string without_spaces_around(const std::string& s);

// The advice given with every "not valid UTF-8" error.
inline constexpr const char* kDeclareEncoding =
    "if the file was saved as GBK/GB18030 (Chinese Excel, older Shapefiles without .cpg), declare its encoding "
    "(e.g. encoding = \"GBK\")";

}  // namespace cohortgis::geodata
