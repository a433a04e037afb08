// SPDX-License-Identifier: Apache-2.0
// Content hashes of input files for run manifests.
#pragma once

#include <string>

namespace cohortgis::geodata {

// SHA-256 of the file's bytes as 64 lowercase hex digits (GDAL's CPL_SHA256). Throws InputError when unreadable.
std::string sha256_file(const std::string& path);

}  // namespace cohortgis::geodata
