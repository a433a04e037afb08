// SPDX-License-Identifier: Apache-2.0
// The MPI side of ensembles (built with COHORTGIS_MPI=ON): splits `cohortgis run --trajectories N` across the ranks of
// mpirun. The library and the Python module see the EnsembleComm interface; MPI itself lives in a module
// (libcohortgis_mpi.so, mpi_module.cpp) that the command loads only when an MPI launcher started it, so a plain
// `cohortgis run` neither loads nor relocates Open MPI's libraries (issue #16: their pages count in every run's RSS).
#pragma once

#include <memory>
#include <string>

#include "cohortgis/app/ensemble.hpp"

namespace cohortgis::cli {

class MpiComm : public app::EnsembleComm {
 public:
  // MPI_Init when the process was started by an MPI launcher (mpirun/mpiexec set OMPI_COMM_WORLD_SIZE or PMI_SIZE);
  // null otherwise, so a plain `cohortgis run` never loads MPI. Throws std::runtime_error naming the module when it
  // cannot be loaded.
  static std::unique_ptr<MpiComm> from_launcher();
  ~MpiComm() override = default;  // the module's: MPI_Finalize
  // Ends every rank (a rank that failed must not leave the others waiting in a gather).
  [[noreturn]] virtual void abort(int code) const = 0;
  // Called by a rank that failed: true when every rank reports a failure within `seconds` (an input error: each
  // rank read the same scenario), so that all can end with MPI_Finalize, without MPI_ABORT's banner; false when some
  // rank does not (it is computing, or waiting in a gather): then abort().
  virtual bool all_failed(double seconds) const = 0;
  // Where from_launcher() looks for the module, in order: next to the executable (the build tree), then
  // COHORTGIS_MPI_MODULE_DIR relative to it (the installed command: <libdir>/cohortgis).
  static std::string module_path(const std::string& exe_dir, bool installed);
};

}  // namespace cohortgis::cli

// The module's one entry point (mpi_module.cpp): MPI_Init, and the world communicator.
extern "C" cohortgis::cli::MpiComm* cohortgis_mpi_open();
