// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version of toml++, which reads scenario files (header-only: the version compiled into cohortgis), for
// manifest.json's `libraries` (docs/results.md).
#include <string>

namespace cohortgis::scenarios {

// "3.3.0": TOML_LIB_MAJOR.TOML_LIB_MINOR.TOML_LIB_PATCH.
std::string toml_library_version();

}  // namespace cohortgis::scenarios
