// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/text_escape.hpp"

namespace cohortgis::geodata {

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string xml_escape(std::string_view text) {
  std::string o;
  o.reserve(text.size());
  for (char c : text) {
    const char* entity = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : nullptr;
    if (entity)
      o += entity;
    else
      o += c;
  }
  return o;
}

}  // namespace cohortgis::geodata
