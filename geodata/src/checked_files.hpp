// SPDX-License-Identifier: Apache-2.0
// Internal to geodata/: the files a scenario's check approved stay the files that are read (checked_files.cpp).
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cohortgis::geodata {

// Records that check_input approved `path` (as the readers will open it, joined to its folder) for a scenario that
// may read inside `roots`. From then on every read of `path` or of a companion of it (same folder and stem:
// base.csv's base.csvt, zones.shp's .dbf) by cohortgis or by GDAL is bound to what it opens: the file opened must
// resolve inside `roots` and be a regular file, whatever the path leads to by then. A link swapped after the check
// (to /etc/passwd, say) would otherwise be read through: the check and the open resolve the path separately
// (hostile probe of round 26).
void approve_checked_file(const std::string& path, const std::vector<std::string>& roots);

// The roots `path` was approved for (approve_checked_file), if it is an approved file or a companion of one.
std::optional<std::vector<std::string>> approved_roots(const std::string& path);

// Installs GDAL's binding of approved files (a wrapper around its handler of local files). Once per process.
void bind_checked_files();

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// std::fopen(path, "rb") for cohortgis's own reads of a table: an approved path is opened once and refused (throws
// InputError naming `label`) when what it leads to is no longer inside its roots or not a regular file; others are
// opened as they are. nullptr when the file cannot be opened.
FilePtr open_checked_file(const std::string& path, const std::string& label);

// Throws the InputError of open_checked_file when `path` is an approved file that no longer leads to a regular file
// inside its roots; nothing for other paths (not even an open: a pipe of `cohortgis info` is refused elsewhere).
void refuse_changed_checked_file(const std::string& path, const std::string& label);

}  // namespace cohortgis::geodata
