// SPDX-License-Identifier: Apache-2.0
// The temporary files of the drawings in progress (drawings.hpp).
#include "drawings.hpp"

#include <cstdio>

#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::geodata {

namespace detail {

std::mutex& drawings_mutex() {
  static std::mutex m;
  return m;
}

std::set<std::string>& drawings() {
  static std::set<std::string> s;
  return s;
}

}  // namespace detail

void abandon_drawings_in_progress() {
  detail::drawings_mutex().lock();  // held until the process exits: no canvas starts, commits or unregisters after this
  for (const auto& tmp : detail::drawings()) std::remove(tmp.c_str());
}

}  // namespace cohortgis::geodata
