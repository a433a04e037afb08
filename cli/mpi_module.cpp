// SPDX-License-Identifier: Apache-2.0
// libcohortgis_mpi.so: the MPI communicator of ensembles, loaded by the command only under an MPI launcher
// (mpi_comm.hpp).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "cohortgis/engine/index_cast.hpp"
#include "mpi_comm.hpp"

namespace cohortgis::cli {
namespace {

class MpiWorld final : public MpiComm {
 public:
  MpiWorld() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);  // MPI calls from the main thread only
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiWorld() override { MPI_Finalize(); }
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::vector<double> gather(const std::vector<double>& mine, const std::vector<long long>& counts) const override;
  [[noreturn]] void abort(int code) const override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }
  bool all_failed(double seconds) const override {
    // A collective that only failing ranks join: it completes when every rank has failed. A rank that did not fail
    // never joins it, and the failing ones give up after `seconds` (then abort, which ends that rank too).
    int one = 1, all = 0, done = 0;
    MPI_Request request;
    MPI_Iallreduce(&one, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request);
    const double end = MPI_Wtime() + seconds;
    while (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done && MPI_Wtime() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return done != 0;
  }

 private:
  int rank_ = 0, size_ = 1;
};

std::vector<double> MpiWorld::gather(const std::vector<double>& mine, const std::vector<long long>& counts) const {
  // MPI counts are int: blocks are sent in pieces of at most 2^30 doubles (8 GiB), each rank in turn to rank 0, so
  // rank 0 places every block at its offset and the result is the same bits as one process.
  constexpr long long kPiece = 1LL << 30;
  if (rank_ != 0) {
    for (long long off = 0; off < static_cast<long long>(mine.size()); off += kPiece) {
      const int n = static_cast<int>(std::min<long long>(kPiece, static_cast<long long>(mine.size()) - off));
      MPI_Send(mine.data() + off, n, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
    }
    return {};
  }
  long long total = 0;
  for (long long c : counts) total += c;
  std::vector<double> all(uz(total));
  std::copy(mine.begin(), mine.end(), all.begin());
  long long at = counts.front();
  for (int r = 1; r < size_; ++r) {
    const long long count = counts[uz(r)];
    for (long long off = 0; off < count; off += kPiece) {
      const int n = static_cast<int>(std::min<long long>(kPiece, count - off));
      MPI_Recv(all.data() + at + off, n, MPI_DOUBLE, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    at += count;
  }
  return all;
}

}  // namespace
}  // namespace cohortgis::cli

extern "C" __attribute__((visibility("default"))) cohortgis::cli::MpiComm* cohortgis_mpi_open() {
  return new cohortgis::cli::MpiWorld();
}
