// SPDX-License-Identifier: Apache-2.0
#include "file_digests.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string_view>
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
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return;
    geodata::Sha256Stream sha;
    std::vector<char> buf(std::size_t{1} << 20);
    std::size_t n = 0;
    while (!stop_.load(std::memory_order_relaxed) && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
      sha.update(std::string_view(buf.data(), n));
    const bool complete = std::feof(f) != 0 && std::ferror(f) == 0;
    std::fclose(f);
    if (!complete) return;
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
