// SPDX-License-Identifier: Apache-2.0
#include "file_digests.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string_view>
#include <tuple>

#include "cohortgis/geodata/sha256.hpp"

namespace cohortgis::app {

namespace {

struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long modified_ns = 0, changed_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

bool stamp_of(const std::filesystem::path& file, FileStamp& s) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  s.device = st.st_dev;
  s.inode = st.st_ino;
  s.size = st.st_size;
  s.modified_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  s.changed_ns = static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  return true;
}

struct Registry {
  std::mutex mutex;
  std::map<std::pair<dev_t, ino_t>, std::pair<FileStamp, std::string>> digests;  // by device and inode
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: TextFiles may close during static destruction
  return *r;
}

std::atomic<long long> files_hashed{0};

// Hashes the file's `size` bytes into `sha` through read-only mappings of 4 MiB, a MiB at a time (checking `stop`
// between them). results.nc (6.75 GB at 40,000 zones) is in the page cache as just written: mapped, its pages are
// hashed where they lie instead of copied into a buffer first (0.84 -> 0.1-0.3 s of system CPU for that file, on
// the critical path of the run's end: bench/HISTORY.md "Round 13: command line"). The pages read count in the
// process's RSS until unmapped: 64 MiB windows made the 50,000-zone run's peak (bench/HISTORY.md "Round 13: the
// engine's arrays at 50,000 zones"). The file is this run's own output, closed and no longer written. False when it
// cannot be opened or mapped, or on stop.
bool hash_mapped(const std::filesystem::path& file, off_t size, geodata::Sha256Stream& sha,
                 const std::atomic<bool>& stop) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  constexpr std::size_t kWindow = std::size_t{4} << 20, kPiece = std::size_t{1} << 20;
  const auto total = static_cast<std::size_t>(size);
  bool ok = true;
  for (std::size_t at = 0; ok && at < total; at += kWindow) {
    const std::size_t len = std::min(kWindow, total - at);
    void* p = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(at));
    if (p == MAP_FAILED) {
      ok = false;
      break;
    }
    ::madvise(p, len, MADV_SEQUENTIAL);
    const char* bytes = static_cast<const char*>(p);
    for (std::size_t i = 0; i < len; i += kPiece) {
      if (stop.load(std::memory_order_relaxed)) {
        ok = false;
        break;
      }
      sha.update(std::string_view(bytes + i, std::min(kPiece, len - i)));
    }
    ::munmap(p, len);
  }
  ::close(fd);
  return ok;
}

}  // namespace

void remember_digest(const std::filesystem::path& file, const std::string& sha256) {
  FileStamp s;
  if (!stamp_of(file, s)) return;
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.digests[{s.device, s.inode}] = {s, sha256};
}

std::string output_sha256(const std::filesystem::path& file) {
  FileStamp before;
  if (stamp_of(file, before)) {
    Registry& r = registry();
    const std::lock_guard<std::mutex> lock(r.mutex);
    const auto it = r.digests.find({before.device, before.inode});
    if (it != r.digests.end() && it->second.first == before) return it->second.second;
  }
  files_hashed.fetch_add(1);
  const std::string sha = geodata::sha256_file(file.string());
  FileStamp after;
  // Recorded only when nothing changed the file while it was read.
  if (stamp_of(file, after) && after == before) remember_digest(file, sha);
  return sha;
}

BackgroundDigest::BackgroundDigest(std::filesystem::path file) {
  done_ = std::async(std::launch::async, [this, file = std::move(file)] {
    FileStamp before, after;
    if (!stamp_of(file, before)) return;
    geodata::Sha256Stream sha;
    if (!hash_mapped(file, before.size, sha, stop_)) return;
    files_hashed.fetch_add(1);
    // Recorded only when nothing changed the file while it was read.
    if (stamp_of(file, after) && after == before) remember_digest(file, sha.hex());
  });
}

BackgroundDigest::~BackgroundDigest() {
  stop_.store(true);
  if (done_.valid()) done_.wait();
}

void BackgroundDigest::wait() {
  if (done_.valid()) done_.get();
}

long long output_files_hashed() { return files_hashed.load(); }

}  // namespace cohortgis::app
