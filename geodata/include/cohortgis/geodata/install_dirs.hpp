// SPDX-License-Identifier: Apache-2.0
// Where an installed cohortgis keeps its data folder and example scenarios.
#pragma once

#include <string>

namespace cohortgis::geodata {

// The folder with data/ and examples/ of an installed cohortgis (e.g. /usr/share/cohortgis), found relative to the
// binary that holds this library (libcohortgis_geodata.so, or the executable or Python module it is linked into):
// COHORTGIS_RELATIVE_SHARE_DIR, set by the build from the install layout. "" when that folder does not exist (a
// build tree, where the folders baked in at build time are used).
std::string installed_share_dir();

}  // namespace cohortgis::geodata
