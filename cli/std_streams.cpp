// SPDX-License-Identifier: Apache-2.0
#include "std_streams.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace cohortgis::cli {

void open_closed_standard_streams() {
  for (int fd = 0; fd <= 2; ++fd)
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      // open() returns the lowest free descriptor: fd itself, as the lower ones are open by now.
      const int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
      if (got >= 0 && got != fd) ::close(got);
    }
}

namespace {
// Whether standard output is a pipe or socket whose reader has gone (poll's POLLERR on a pipe's write end).
bool reader_gone() {
  pollfd p{STDOUT_FILENO, POLLOUT, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}
}  // namespace

int checked_standard_output(int rc, int argc, char** argv) {
  errno = 0;
  std::cout.flush();  // std::cout writes through stdout (synchronised with stdio): this flush fails first
  const bool flushed = std::fflush(stdout) == 0;
  const int e = errno;
  if (flushed && !std::ferror(stdout) && !std::cout.bad()) return rc;
  if (e == EPIPE || reader_gone() || rc != 0) return rc;  // a failed command has said why already
  bool summary = false;
  for (const char* c : {"run", "estimate", "backtest", "map", "report"})
    if (argc > 1 && std::strcmp(argv[1], c) == 0) summary = true;
  for (int i = 2; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) summary = false;
  const std::string why = e != 0 ? std::string(" (") + std::strerror(e) + ")" : std::string();
  if (summary) {
    std::cerr << "cohortgis: warning: cannot write to standard output" << why
              << "; the summary printed is incomplete (the files were written)\n";
    return rc;
  }
  std::cerr << "cohortgis: error: cannot write to standard output" << why << "; what it printed is incomplete\n";
  return 1;
}

}  // namespace cohortgis::cli
