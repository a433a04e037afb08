// SPDX-License-Identifier: Apache-2.0
// The temporary files of the drawings in progress (drawings.cpp), in the library itself: the signal path calls
// abandon_drawings_in_progress (maps.hpp) without loading the drawing module, whose canvases register here.
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace cohortgis::geodata::detail {

// Held while a canvas registers, creates, commits or unregisters its temporary file; abandon_drawings_in_progress
// keeps it locked until the process exits.
std::mutex& drawings_mutex();
std::set<std::string>& drawings();  // under drawings_mutex()

}  // namespace cohortgis::geodata::detail
