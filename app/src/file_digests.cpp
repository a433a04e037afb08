// SPDX-License-Identifier: Apache-2.0
#include "file_digests.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

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

// What stops a digest: its own flag (set when a BackgroundDigest is destroyed) or the run's stop flag (a stop signal,
// Python's Ctrl-C; may be null).
struct StopFlags {
  const std::atomic<bool>& own;
  const std::atomic<bool>* run = nullptr;
  bool operator()() const {
    return own.load(std::memory_order_relaxed) || (run && run->load(std::memory_order_relaxed));
  }
};

// Hashes bytes [from, size) of the file into `sha` through read-only mappings of 4 MiB, a MiB at a time (checking
// `stop` between them); `from` a multiple of the page size. results.nc (6.75 GB at 40,000 zones) is in the page cache
// as just written where it was not dropped: mapped, its pages are hashed where they lie instead of copied into a
// buffer first (0.84 -> 0.1-0.3 s of system CPU for that file, on the critical path of the run's end:
// bench/HISTORY.md "Round 13: command line"). The pages read count in the process's RSS until unmapped: 64 MiB
// windows made the 50,000-zone run's peak (bench/HISTORY.md "Round 13: the engine's arrays at 50,000 zones"). The
// file is this run's own output, closed and no longer written. False when it cannot be opened or mapped, or on stop.
bool hash_mapped(const std::filesystem::path& file, std::size_t from, off_t size, geodata::Sha256Stream& sha,
                 const StopFlags& stop) {
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
      if (stop()) {
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

std::atomic<long long> direct_reader_threads{0};

// Hashes bytes [0, until) of the file into `sha` read with O_DIRECT, not through the page cache: the stretch that
// DropBehind wrote back and dropped while results.nc was written. Read through the page cache (a mapping or read()),
// those gigabytes would come back as fresh page-cache pages, the cost the drop-behind saved in the write phase (on
// this VM ~2.5 s of system CPU a GB against ~0.4 s for pages just freed: bench/HISTORY.md "Round 23: results.nc write
// and finish phases").
//
// Pieces of kPiece, kReads of them read at once by kReads reader threads (started once, not one per piece) into a
// ring of kReads + 1 buffers while the calling thread hashes the oldest in file order: SHA-256 of a piece waits only
// for that piece. Idle, the digest is bound by the reads: this disk gave 1.0-1.25 GB/s with one 8 MiB read at a time
// and 1.05-1.57 GB/s (medians +15 %) with two or three, larger pieces no faster, against 1.89 GB/s of SHA-256 (SHA-NI)
// a core (bench/HISTORY.md "Round 24: results.nc digest and CLI write at W40k").
//
// Dirty pages in the stretch (HDF5's close rewrites the file's first bytes and the chunk-index nodes throughout it)
// are written back by the kernel before a direct read of them, so the bytes read are the file's. Returns how many
// bytes were hashed, a multiple of kPiece or `until`: fewer on stop, when the file system refuses direct reads or on
// a short read (the caller hashes the rest through mappings).
std::size_t hash_direct(const std::filesystem::path& file, std::size_t until, geodata::Sha256Stream& sha,
                        const StopFlags& stop) {
  constexpr std::size_t kPiece = std::size_t{8} << 20, kAlign = 4096;
  constexpr int kReads = 2, kBuffers = kReads + 1;
  until = until / kAlign * kAlign;  // direct reads in whole blocks (DropBehind drops whole 2 MiB blocks)
  if (until == 0) return 0;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0) return 0;  // e.g. a file system without O_DIRECT
  std::unique_ptr<char, FreeAligned> buffers[kBuffers];
  for (auto& b : buffers)
    if (!(b = std::unique_ptr<char, FreeAligned>(static_cast<char*>(std::aligned_alloc(kAlign, kPiece))))) {
      ::close(fd);
      return 0;
    }
  const std::size_t pieces = (until + kPiece - 1) / kPiece;
  // Piece k goes into buffers[k % kBuffers]; a reader claims the next piece once its buffer is free (the piece
  // kBuffers before it hashed). state[b]: 0 being read, 1 read whole, -1 short or failed.
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next_piece = 0, pieces_hashed = 0;
  int state[kBuffers] = {};
  std::size_t piece_in[kBuffers] = {};
  bool quit = false;
  const auto reader = [&] {
    for (;;) {
      std::size_t k = 0;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return quit || next_piece >= pieces || next_piece < pieces_hashed + kBuffers; });
        if (quit || next_piece >= pieces) return;
        k = next_piece++;
      }
      const std::size_t at = k * kPiece, len = std::min(kPiece, until - at);
      char* to = buffers[k % kBuffers].get();
      std::size_t got = 0;
      while (got < len) {
        const ssize_t n = ::pread(fd, to + got, len - got, static_cast<off_t>(at + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      {
        const std::lock_guard<std::mutex> lock(mutex);
        piece_in[k % kBuffers] = k;
        state[k % kBuffers] = got == len ? 1 : -1;
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < kReads && static_cast<std::size_t>(r) < pieces; ++r) {
    readers.emplace_back(reader);
    direct_reader_threads.fetch_add(1);
  }
  std::size_t hashed = 0;
  for (std::size_t k = 0; k < pieces; ++k) {
    const int b = static_cast<int>(k % kBuffers);
    bool ok = false;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return state[b] != 0 && piece_in[b] == k; });
      ok = state[b] == 1;
    }
    if (!ok || stop()) break;
    const std::size_t len = std::min(kPiece, until - hashed);
    for (std::size_t i = 0; i < len; i += std::size_t{1} << 20) {  // a MiB at a time, as hash_mapped
      if (stop()) break;
      sha.update(std::string_view(buffers[b].get() + i, std::min(std::size_t{1} << 20, len - i)));
    }
    if (stop()) break;
    hashed += len;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      state[b] = 0;
      pieces_hashed = k + 1;
    }
    changed.notify_all();
  }
  {
    const std::lock_guard<std::mutex> lock(mutex);
    quit = true;  // the reads in flight finish; none is started after
  }
  changed.notify_all();
  for (std::thread& t : readers) t.join();  // they use the buffers and the descriptor
  ::close(fd);
  return hashed;
}

// The SHA-256 of a large file that no digest was recorded for — an earlier run's results.nc when `run --out` replaces
// its folder (output_dir.cpp, check_replaceable), or checked by `info`, `validate --results`, `report` and `map`
// (check_results) — read with direct reads, not through the page cache: gigabytes that the earlier run had dropped
// from the cache (DropBehind) would otherwise come back as fresh page-cache pages (6.75 GB at 40,000 zones). The
// last partial block is read through the cache. Empty when the file is smaller than kDirectFrom, refuses direct
// reads, or did not read whole to the size it had: the caller then reads it with sha256_file, which names a read
// error.
std::string sha256_uncached(const std::filesystem::path& file, const FileStamp& stamp) {
  constexpr off_t kDirectFrom = off_t{64} << 20;
  if (stamp.size < kDirectFrom) return {};
  geodata::Sha256Stream sha;
  const std::atomic<bool> never{false};
  const auto size = static_cast<std::size_t>(stamp.size);
  const std::size_t direct = hash_direct(file, size, sha, StopFlags{never});
  if (direct != size / 4096 * 4096) return {};
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char tail[4096 + 1];
  const std::size_t want = size - direct;
  std::size_t got = 0;
  for (;;) {  // the tail, and nothing after it (a file that grew is read again by sha256_file)
    const ssize_t n = ::pread(fd, tail + got, sizeof tail - got, static_cast<off_t>(direct + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != want) return {};
  sha.update(std::string_view(tail, want));
  return sha.hex();
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
  std::string sha = sha256_uncached(file, before);
  if (sha.empty()) sha = geodata::sha256_file(file.string());
  FileStamp after;
  // Recorded only when nothing changed the file while it was read.
  if (stamp_of(file, after) && after == before) remember_digest(file, sha);
  return sha;
}

BackgroundDigest::BackgroundDigest(std::filesystem::path file, off_t dropped, const std::atomic<bool>* cancel)
    : cancel_(cancel) {
  done_ = std::async(std::launch::async, [this, file = std::move(file), dropped] {
    const StopFlags stop{stop_, cancel_};  // looked at every MiB: a run's flag set before it began reads nothing
    FileStamp before, after;
    if (!stamp_of(file, before)) {
      finished_.store(true);  // the manifest names the error
      return;
    }
    geodata::Sha256Stream sha;
    const std::size_t direct =
        dropped > 0 ? hash_direct(file, static_cast<std::size_t>(std::min(dropped, before.size)), sha, stop) : 0;
    if (stop() || !hash_mapped(file, direct, before.size, sha, stop)) {
      finished_.store(!stop());  // stopped, or a read error the manifest names
      return;
    }
    files_hashed.fetch_add(1);
    // Recorded only when nothing changed the file while it was read.
    if (stamp_of(file, after) && after == before) remember_digest(file, sha.hex());
    finished_.store(true);
  });
}

BackgroundDigest::~BackgroundDigest() {
  stop_.store(true);
  if (done_.valid()) done_.wait();
}

bool BackgroundDigest::wait() {
  if (done_.valid()) done_.get();
  return finished_.load();
}

long long output_files_hashed() { return files_hashed.load(); }

long long output_direct_reader_threads() { return direct_reader_threads.load(); }

}  // namespace cohortgis::app
