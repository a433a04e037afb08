// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the engine's projection sources (private to engine/src).
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::detail {


// A number for messages (10 significant digits).
inline std::string fmt(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

}  // namespace cohortgis::detail
