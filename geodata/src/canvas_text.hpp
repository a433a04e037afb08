// SPDX-License-Identifier: Apache-2.0
// Number formats of maps, charts and QGIS styles (map_breaks.cpp): no drawing library behind them.
#pragma once

#include <string>

namespace cohortgis::geodata::detail {

// "12,345.6"-style number with thousands separators.
std::string format_number(double v, int decimals);
// Round step for an axis or scale bar: 1, 2 or 5 × 10^k not above `approx`.
double nice_step(double approx);

}  // namespace cohortgis::geodata::detail
