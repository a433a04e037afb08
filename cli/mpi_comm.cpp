// SPDX-License-Identifier: Apache-2.0
// Loading the MPI module (mpi_comm.hpp) when an MPI launcher started the process.
#include "mpi_comm.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#ifndef COHORTGIS_MPI_MODULE_DIR
#define COHORTGIS_MPI_MODULE_DIR "../lib/cohortgis"
#endif

namespace cohortgis::cli {

std::string MpiComm::module_path(const std::string& exe_dir, bool installed) {
  const std::filesystem::path dir(exe_dir);
  return ((installed ? dir / COHORTGIS_MPI_MODULE_DIR : dir) / "libcohortgis_mpi.so").lexically_normal().string();
}

std::unique_ptr<MpiComm> MpiComm::from_launcher() {
  const char* ompi = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* pmi = std::getenv("PMI_SIZE");
  if (!(ompi && *ompi) && !(pmi && *pmi)) return nullptr;
  std::error_code ec;
  const std::string exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
  // RTLD_GLOBAL: Open MPI's own components (dlopen'ed by libmpi) resolve libmpi's symbols through the global scope.
  std::string tried;
  for (const bool installed : {false, true}) {
    const std::string path = module_path(exe_dir, installed);
    if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {  // never closed: MPI_Finalize runs at exit
      using Open = MpiComm* (*)();
      if (auto open = reinterpret_cast<Open>(dlsym(handle, "cohortgis_mpi_open")))
        return std::unique_ptr<MpiComm>(open());
      tried += (tried.empty() ? "" : "; ") + path + ": no cohortgis_mpi_open";
      continue;
    }
    const char* why = dlerror();
    tried += (tried.empty() ? "" : "; ") + (why ? std::string(why) : path);
  }
  throw std::runtime_error("started by an MPI launcher, but the MPI module (libcohortgis_mpi.so) cannot be loaded: " +
                           tried);
}

}  // namespace cohortgis::cli
