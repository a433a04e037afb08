// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the engine's projection sources (private to engine/src).
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

namespace cohortgis::detail {

inline std::size_t uz(int v) { return static_cast<std::size_t>(v); }

// A number for messages (10 significant digits).
inline std::string fmt(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

}  // namespace cohortgis::detail
