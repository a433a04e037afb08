// SPDX-License-Identifier: Apache-2.0
// The project's one index cast. Counts and ids are int in the engine's structs (as scenario files give them);
// containers are indexed by std::size_t. Callers have checked the value is not negative.
#pragma once

#include <concepts>
#include <cstddef>

namespace cohortgis {

template <std::integral T>
constexpr std::size_t uz(T v) noexcept {
  return static_cast<std::size_t>(v);
}

}  // namespace cohortgis
