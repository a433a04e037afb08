// SPDX-License-Identifier: Apache-2.0
#pragma once
// Names and titles end up in file names, table cells, report headings and every progress line: a 10 MB name was
// accepted and copied into each of them (hostile probe 2, round 4). They are capped, in characters (UTF-8 code points,
// so a Chinese name has the same room as an English one).
#include <cstddef>
#include <string>

#include "cohortgis/geodata/text_encoding.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

// scenario.name, variants[].name, zone ids and names, groups, aggregates, targets, service norms
inline constexpr std::size_t kMaxNameChars = geodata::kMaxNameChars;
inline constexpr std::size_t kMaxTitleChars = 500;  // scenario.title, title_en, variants[].title, title_en
// A scenario file is read whole into memory and parsed there: a 2 GB file (sparse, all NUL bytes) took 3.9 GB and
// a minute before its first byte was refused (hostile probe, round 16). Its tables go in files of their own; 200,000
// zones written inline are about 4 MB.
inline constexpr std::size_t kMaxScenarioFileBytes = std::size_t{64} << 20;

using geodata::utf8_chars;

// The string at `n`, or Doc::fail (file:line:column, key) when it has more than `max_chars` characters.
std::string bounded_text(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars);

// bounded_text for a label that names one thing in the outputs (a target, service, relocation or plan period): also
// Doc::fail when it is empty, only spaces, or breaks a line (a control character, U+0085, U+2028 …: check_name's rule
// for zone ids and variants). Such labels were taken as they came (round 27): a target named "a\nb" was two lines of
// targets.csv for readers that split lines, a service named "" a row no one could tell apart.
// `may_be_empty`: "" is taken (a plan period without a name, as the shipped examples have).
std::string one_line_label(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars,
                           bool may_be_empty = false);

// A name (zone id, zone name …) in cell (r, logical) of a table: its text, or Doc::fail at `n`/`key` naming the file,
// row and column when it has more than kMaxNameChars characters.
const std::string& bounded_name_cell(const Doc& doc, const toml::node* n, const std::string& key, const Rows& rows,
                                     std::size_t r, const std::string& logical);

}  // namespace cohortgis::scenarios::detail
