// SPDX-License-Identifier: Apache-2.0
#include "text_limits.hpp"

#include <algorithm>

namespace cohortgis::scenarios::detail {

std::size_t utf8_chars(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string bounded_text(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars) {
  std::string text = doc.string(n, key);
  const std::size_t chars = utf8_chars(text);
  if (chars > max_chars)
    doc.fail(
        &n, key,
        quote_cell(text) + ": " + std::to_string(chars) + " characters; expected at most " + std::to_string(max_chars));
  return text;
}

}  // namespace cohortgis::scenarios::detail
