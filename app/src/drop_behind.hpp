// SPDX-License-Identifier: Apache-2.0
// A large output streamed to the disk without filling the page cache: what a writer appended is written back and,
// one call later, dropped from the cache (issue #16: at 40,000 zones results.nc is 6.75 GB of fresh page-cache pages,
// which this VM pays for dearly, and dirty pages that throttle the writer under load; bench/HISTORY.md "Round 18:
// the command line after the projection at W40k, second part", "Round 21: the command line at W40k ...").
//
// For a file nothing reads back through the page cache soon: results.nc, whose SHA-256 for the manifest reads the
// dropped stretch with direct reads (BackgroundDigest; bench/HISTORY.md "Round 23: results.nc write and finish
// phases"). Writeback and dropping clean pages never change a file's bytes; a later read or partial write of a
// dropped page reads it back from the disk.
#pragma once

#include <sys/types.h>

#include <filesystem>

namespace cohortgis::app {

class DropBehind {
 public:
  // Opens `file` (which the writer has created) read-only for the hints; does nothing when it cannot.
  explicit DropBehind(const std::filesystem::path& file);
  ~DropBehind();
  DropBehind(const DropBehind&) = delete;
  DropBehind& operator=(const DropBehind&) = delete;

  // After a year is written: waits for the writeback started at the previous call and drops those pages (whole
  // 2 MiB blocks: the cache drops only folios wholly inside the range), then starts the writeback of what was
  // appended since, without waiting. So at most the last two calls' bytes stay cached.
  void advance();
  // Bytes dropped so far (from the start of the file).
  off_t dropped() const { return dropped_; }

 private:
  int fd_ = -1;
  off_t submitted_ = 0, dropped_ = 0;
};

}  // namespace cohortgis::app
