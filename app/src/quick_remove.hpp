// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

namespace cohortgis::app {

// Removes the tree at DIR like std::filesystem::remove_all, errors ignored, but quickly: a regular file of at least
// MIN_BYTES keeps its data alive in a child process (a background /bin/sh) while its name is unlinked, so the
// kernel's freeing of its blocks and page cache (about 1 s per 6 GB on a busy machine: a 40,000-zone results.nc)
// happens in that child, not in this process (issue #16: a signal ends a run within 1 s). The child lets go within
// 0.1 s of this process's exit, or HOLD after the call, whichever comes first (a thread of this process may still
// have a file open: its close would otherwise free the data here). Without /bin/sh the files are simply unlinked.
// Returns the number of files handed to the child.
int remove_all_quickly(const std::filesystem::path& dir, std::uintmax_t min_bytes = std::uintmax_t{64} << 20,
                       std::chrono::milliseconds hold = std::chrono::seconds(10));

// Hands this process's open files that have no name left (unlinked) and hold at least MIN_BYTES to the same kind of
// child, so that this process's exit does not free them: libxlsxwriter's temporary files (tmpfile(), the sheets' XML
// until results.xlsx is zipped: 660 MB for a 540,000-row population sheet) were freed by the exit of a run stopped
// while results.xlsx was written, 1.3 s with ext4's discards, past a signal's second. Returns the number handed over.
int hold_unlinked_files(std::uintmax_t min_bytes = std::uintmax_t{64} << 20,
                        std::chrono::milliseconds hold = std::chrono::seconds(10));

}  // namespace cohortgis::app
