// SPDX-License-Identifier: Apache-2.0
// File names made from ids (zones, groups, variants): the per-zone charts, maps and tables of a results folder.
#pragma once

#include <string>
#include <vector>

namespace cohortgis::app {

// A file name made from an id (zone, group, variant …): the id itself when it is made only of ASCII letters,
// digits, '-', '_' and '.', does not start with '.', and is at most 80 bytes; else the id with every other byte
// replaced by '_' (cut to 80 bytes) plus "-" and the first 8 hex digits of the id's SHA-256. Stable across runs.
std::string file_stem(const std::string& id);
// file_stem of each id, with the hash appended also where two stems would be equal when case is ignored (file
// systems that do not tell "A" from "a").
std::vector<std::string> file_stems(const std::vector<std::string>& ids);

}  // namespace cohortgis::app
