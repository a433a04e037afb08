// SPDX-License-Identifier: Apache-2.0
// The MPI side of ensembles (built with COHORTGIS_MPI=ON): splits `cohortgis run --trajectories N` across the ranks of
// mpirun. Only the command line links MPI; the library and the Python module see the EnsembleComm interface.
#pragma once

#include <memory>
#include <vector>

#include "cohortgis/app/ensemble.hpp"

namespace cohortgis::cli {

class MpiComm : public app::EnsembleComm {
 public:
  // MPI_Init when the process was started by an MPI launcher (mpirun/mpiexec set OMPI_COMM_WORLD_SIZE or PMI_SIZE);
  // null otherwise, so a plain `cohortgis run` never starts MPI.
  static std::unique_ptr<MpiComm> from_launcher();
  ~MpiComm() override;  // MPI_Finalize
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::vector<double> gather(const std::vector<double>& mine, const std::vector<long long>& counts) const override;
  // Ends every rank (a rank that failed must not leave the others waiting in a gather).
  [[noreturn]] void abort(int code) const;

 private:
  MpiComm();
  int rank_ = 0, size_ = 1;
};

}  // namespace cohortgis::cli
