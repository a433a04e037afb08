// SPDX-License-Identifier: Apache-2.0
#include "text_limits.hpp"

#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/scenario.hpp"

namespace cohortgis::scenarios::detail {

std::string bounded_text(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars) {
  std::string text = doc.string(n, key);
  const std::size_t chars = utf8_chars(text);
  if (chars > max_chars)
    doc.fail(
        &n, key,
        quote_cell(text) + ": " + std::to_string(chars) + " characters; expected at most " + std::to_string(max_chars));
  return text;
}

std::string one_line_label(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars,
                           bool may_be_empty) {
  std::string text = bounded_text(doc, n, key, max_chars);
  if (may_be_empty && text.empty()) return text;
  if (text.empty()) doc.fail(&n, key, "an empty name; expected a name (it tells this one apart in the outputs)");
  try {
    check_name(text, "the name");
  } catch (const InputError& e) {
    doc.fail(&n, key, e.what());
  }
  return text;
}

const std::string& bounded_name_cell(const Doc& doc, const toml::node* n, const std::string& key, const Rows& rows,
                                     std::size_t r, const std::string& logical) {
  const std::string& text = rows.text(r, logical);
  if (const std::size_t chars = utf8_chars(text); chars > kMaxNameChars)
    doc.fail(n, key,
             rows.where(r, logical) + ": " + quote_cell(text) + ": " + std::to_string(chars) +
                 " characters; expected at most " + std::to_string(kMaxNameChars));
  return text;
}

}  // namespace cohortgis::scenarios::detail
