// SPDX-License-Identifier: Apache-2.0
// The project's one count in messages (engine, app, CLI, Python): "1 zone", "2 zones", the noun's plural by an "s".
#pragma once

#include <string>
#include <string_view>

namespace cohortgis {

template <class Count>
std::string count_of(Count n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace cohortgis
