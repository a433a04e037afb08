// SPDX-License-Identifier: Apache-2.0
// Text in written files: a CSV field and XML/HTML escaping, one helper each for every writer (app's CSV files and
// report.html, geodata's indicators.csv and QGIS styles). Geodata is the lowest library both link; the engine holds
// numbers only (number_text.hpp: the cells' numbers). Cells in error messages: escape_cell (read_policy.hpp).
#pragma once

#include <string>
#include <string_view>

namespace cohortgis::geodata {

// RFC 4180 field: quoted ("a""b") only when it holds a comma, quote or line break; otherwise as it is.
void append_csv_field(std::string& out, std::string_view text);

// Text for element content or a double-quoted attribute of XML (QML styles) or HTML (report.html): & < > " as entities.
// Every writer puts it only there, where an apostrophe needs no escape: it stays as it is (the report's bytes).
std::string xml_escape(std::string_view text);

}  // namespace cohortgis::geodata
