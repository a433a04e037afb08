// SPDX-License-Identifier: Apache-2.0
#include "file_digests.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
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

// Hashes bytes [from, size) of the file into `sha` through read-only mappings of 4 MiB, a MiB at a time (checking
// `stop` between them); `from` a multiple of the page size. results.nc (6.75 GB at 40,000 zones) is in the page cache
// as just written where it was not dropped: mapped, its pages are hashed where they lie instead of copied into a
// buffer first (0.84 -> 0.1-0.3 s of system CPU for that file, on the critical path of the run's end:
// bench/HISTORY.md "Round 13: command line"). The pages read count in the process's RSS until unmapped: 64 MiB
// windows made the 50,000-zone run's peak (bench/HISTORY.md "Round 13: the engine's arrays at 50,000 zones"). The
// file is this run's own output, closed and no longer written. False when it cannot be opened or mapped, or on stop.
bool hash_mapped(const std::filesystem::path& file, std::size_t from, off_t size, geodata::Sha256Stream& sha,
                 const std::atomic<bool>& stop) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  constexpr std::size_t kWindow = std::size_t{4} << 20, kPiece = std::size_t{1} << 20;
  const auto total = static_cast<std::size_t>(size);
  bool ok = true;
  for (std::size_t at = from; ok && at < total; at += kWindow) {
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

struct FreeAligned {
  void operator()(char* p) const { std::free(p); }
};

// Hashes bytes [0, until) of the file into `sha` read with O_DIRECT, not through the page cache: the stretch that
// DropBehind wrote back and dropped while results.nc was written. Read through the page cache (a mapping or read()),
// those gigabytes would come back as fresh page-cache pages, the cost the drop-behind saved in the write phase (on
// this VM ~2.5 s of system CPU a GB against ~0.4 s for pages just freed: bench/HISTORY.md "Round 23: results.nc write
// and finish phases"); read directly they land in two buffers of kPiece, each read while the other is hashed.
// Dirty pages in the stretch (HDF5's close rewrites the file's first bytes and some index blocks) are written back
// by the kernel before a direct read of them, so the bytes read are the file's. Returns how many bytes were hashed,
// a multiple of kPiece or `until`: fewer on stop, when the file system refuses direct reads or on a short read (the
// caller hashes the rest through mappings).
std::size_t hash_direct(const std::filesystem::path& file, std::size_t until, geodata::Sha256Stream& sha,
                        const std::atomic<bool>& stop) {
  constexpr std::size_t kPiece = std::size_t{8} << 20, kAlign = 4096;
  until = until / kAlign * kAlign;  // direct reads in whole blocks (DropBehind drops whole 2 MiB blocks)
  if (until == 0) return 0;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0) return 0;  // e.g. a file system without O_DIRECT
  std::unique_ptr<char, FreeAligned> buffers[2] = {
      std::unique_ptr<char, FreeAligned>(static_cast<char*>(std::aligned_alloc(kAlign, kPiece))),
      std::unique_ptr<char, FreeAligned>(static_cast<char*>(std::aligned_alloc(kAlign, kPiece)))};
  if (!buffers[0] || !buffers[1]) {
    ::close(fd);
    return 0;
  }
  // The whole piece at `at` into buffer b: true when every byte came.
  const auto read_piece = [&](int b, std::size_t at) {
    const std::size_t len = std::min(kPiece, until - at);
    std::size_t got = 0;
    while (got < len) {
      const ssize_t n = ::pread(fd, buffers[b].get() + got, len - got, static_cast<off_t>(at + got));
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return false;
      }
      got += static_cast<std::size_t>(n);
    }
    return true;
  };
  std::size_t hashed = 0;
  int b = 0;
  std::future<bool> next = std::async(std::launch::async, read_piece, b, std::size_t{0});
  while (hashed < until) {
    const bool ok = next.get();
    if (!ok || stop.load(std::memory_order_relaxed)) break;
    const std::size_t len = std::min(kPiece, until - hashed);
    if (hashed + len < until) next = std::async(std::launch::async, read_piece, 1 - b, hashed + len);
    for (std::size_t i = 0; i < len; i += std::size_t{1} << 20) {  // a MiB at a time, as hash_mapped
      if (stop.load(std::memory_order_relaxed)) break;
      sha.update(std::string_view(buffers[b].get() + i, std::min(std::size_t{1} << 20, len - i)));
    }
    if (stop.load(std::memory_order_relaxed)) break;
    hashed += len;
    b = 1 - b;
  }
  if (next.valid()) next.wait();  // the read in flight uses the buffers and the descriptor
  ::close(fd);
  return hashed;
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

BackgroundDigest::BackgroundDigest(std::filesystem::path file, off_t dropped) {
  done_ = std::async(std::launch::async, [this, file = std::move(file), dropped] {
    FileStamp before, after;
    if (!stamp_of(file, before)) return;
    geodata::Sha256Stream sha;
    const std::size_t direct =
        dropped > 0 ? hash_direct(file, static_cast<std::size_t>(std::min(dropped, before.size)), sha, stop_) : 0;
    if (stop_.load() || !hash_mapped(file, direct, before.size, sha, stop_)) return;
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
