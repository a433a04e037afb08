// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/install_dirs.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

#ifndef COHORTGIS_RELATIVE_SHARE_DIR
#error "COHORTGIS_RELATIVE_SHARE_DIR must be defined by the build (cmake/Install.cmake)"
#endif

namespace cohortgis::geodata {

std::string installed_share_dir() {
  // dladdr names the file this function was loaded from: the shared library, or the executable / Python module
  // that a static build links it into.
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_share_dir), &info) == 0 || !info.dli_fname) return {};
  std::error_code ec;
  const std::filesystem::path binary = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) return {};
  const std::filesystem::path share = (binary.parent_path() / COHORTGIS_RELATIVE_SHARE_DIR).lexically_normal();
  if (!std::filesystem::is_directory(share / "data", ec)) return {};
  return share.string();
}

}  // namespace cohortgis::geodata
