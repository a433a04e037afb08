// SPDX-License-Identifier: Apache-2.0
// Content hashes of input files for run manifests.
#pragma once

#include <string>
#include <string_view>

namespace cohortgis::geodata {

// SHA-256 of the file's bytes as 64 lowercase hex digits (OpenSSL's libcrypto). Throws InputError when unreadable.
std::string sha256_file(const std::string& path);
// SHA-256 of bytes in memory, the same form.
std::string sha256_text(std::string_view bytes);

}  // namespace cohortgis::geodata
