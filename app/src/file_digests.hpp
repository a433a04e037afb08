// SPDX-License-Identifier: Apache-2.0
// SHA-256 digests of the files this process wrote or hashed, reused by manifest.json while a file is unchanged.
//
// manifest.json lists every output with its SHA-256 (output_dir.hpp). Reading the outputs back to hash them took a
// third of a large run's wall time (3.3 GB of CSV at 3,000 zones, bench/HISTORY.md "Issue 16"): a TextFile hashes its
// bytes as they go out and records the digest here when it is closed, and a file hashed once (results.nc, figures)
// is not hashed again by the run's second manifest. A digest is reused only while the file's device, inode, size,
// modification and status-change times (nanoseconds) are what they were when it was recorded: a write, truncation
// or rename since then changes the times, a replacement by another file the inode.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>

namespace cohortgis::app {

// Records the SHA-256 of `file` as it is now (call once nothing will write it any more). A file that cannot be
// examined is not recorded.
void remember_digest(const std::filesystem::path& file, const std::string& sha256);

// The SHA-256 of `file`: the recorded one while the file is unchanged, else computed now (and recorded; from 64 MiB up
// with direct reads, which leave the page cache as it was). Throws InputError when the file cannot be read.
std::string output_sha256(const std::filesystem::path& file);

// Hashes a large output that is final (results.nc once closed) on another thread while the run writes its other
// outputs, and records the digest (remember_digest) for the manifest. wait() before the manifest, or the file is read
// a second time; a read error is left to the manifest's own output_sha256, which reports it. Destroyed before
// wait() (the run failed or was cancelled), it stops reading at the next MiB instead of hashing to the end.
// `cancel` (the run's stop flag, may be null) is looked at with its own every MiB: set before the digest starts,
// nothing is read; set while it reads (wait() waiting, or the report being written), the reading stops at its next
// MiB and wait() returns false. A stop during the wait for 6.75 GB of results.nc
// (40,000 zones) came only after all of it had been read, or from the command's watchdog.
// `dropped`: the file's first bytes that were written back and dropped from the page cache while it was written
// (DropBehind::dropped): read with O_DIRECT, so that they do not come back into the page cache; the rest (and all of
// it where the file system refuses direct reads) through mappings of the cached pages.
class BackgroundDigest {
 public:
  explicit BackgroundDigest(std::filesystem::path file, off_t dropped = 0, const std::atomic<bool>* cancel = nullptr);
  ~BackgroundDigest();
  BackgroundDigest(const BackgroundDigest&) = delete;
  BackgroundDigest& operator=(const BackgroundDigest&) = delete;
  // True once the file was read to its end (its digest recorded) or a read error ended it (left to the manifest);
  // false when `cancel` stopped it.
  bool wait();

 private:
  const std::atomic<bool>* cancel_;
  std::atomic<bool> stop_{false}, finished_{false};
  std::future<void> done_;
};

// How many output_sha256 calls read the file (for tests).
long long output_files_hashed();
// How many threads the digests' direct reads started (for tests: a few a file, not one a piece).
long long output_direct_reader_threads();

}  // namespace cohortgis::app
