// SPDX-License-Identifier: Apache-2.0
#include "drop_behind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohortgis::app {

namespace {
constexpr off_t kBlock = off_t{2} << 20;  // drop whole 2 MiB blocks (large folios)
}

DropBehind::DropBehind(const std::filesystem::path& file) : fd_(::open(file.c_str(), O_RDONLY | O_CLOEXEC)) {}

DropBehind::~DropBehind() {
  if (fd_ >= 0) ::close(fd_);
}

void DropBehind::advance() {
  if (fd_ < 0) return;
  // What the previous call started has had a year's projection to reach the disk: wait for the rest, then drop it.
  const off_t drop_to = submitted_ / kBlock * kBlock;
  if (drop_to > dropped_) {
    ::sync_file_range(fd_, dropped_, drop_to - dropped_,
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(fd_, dropped_, drop_to - dropped_, POSIX_FADV_DONTNEED);
    dropped_ = drop_to;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size <= submitted_) return;
  ::sync_file_range(fd_, submitted_, st.st_size - submitted_, SYNC_FILE_RANGE_WRITE);
  submitted_ = st.st_size;
}

}  // namespace cohortgis::app
