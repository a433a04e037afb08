// SPDX-License-Identifier: Apache-2.0
#pragma once
// Names and titles end up in file names, table cells, report headings and every progress line: a 10 MB name was
// accepted and copied into each of them (hostile probe 2, round 4). They are capped, in characters (UTF-8 code points,
// so a Chinese name has the same room as an English one).
#include <cstddef>
#include <string>

#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

inline constexpr std::size_t kMaxNameChars = 200;   // scenario.name, variants[].name
inline constexpr std::size_t kMaxTitleChars = 500;  // scenario.title, title_en, variants[].title, title_en

// Characters of UTF-8 text: the bytes that do not continue a sequence (10xxxxxx).
std::size_t utf8_chars(const std::string& text);

// The string at `n`, or Doc::fail (file:line:column, key) when it has more than `max_chars` characters.
std::string bounded_text(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars);

}  // namespace cohortgis::scenarios::detail
