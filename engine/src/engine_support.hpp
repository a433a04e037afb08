// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the engine's projection sources (private to engine/src).
#pragma once

#include <cstddef>
#include <string>
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/number_text.hpp"

namespace cohortgis::detail {

// A number for messages: ten significant digits (the engine's short name for rounded_number, number_text.hpp).
inline std::string fmt(double v) { return rounded_number(v); }

}  // namespace cohortgis::detail
