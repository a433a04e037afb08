// SPDX-License-Identifier: Apache-2.0
#include "output_dir.hpp"

#include <unistd.h>

#include <system_error>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

fs::path normalised(const fs::path& p) {
  fs::path a = fs::absolute(p).lexically_normal();
  if (a.filename().empty()) a = a.parent_path();  // "out/" → "out"
  return a;
}

fs::path sibling(const fs::path& target, const char* tag) {
  return target.parent_path() / (target.filename().string() + tag + std::to_string(::getpid()));
}

[[noreturn]] void fail(const fs::path& p, const std::string& what, const std::error_code& ec) {
  throw InputError("output folder " + p.string() + ": " + what + " (" + ec.message() + ")");
}

}  // namespace

StagedDirectory::StagedDirectory(const fs::path& target) {
  if (target.empty()) throw InputError("output folder: no path given");
  target_ = normalised(target);
  const std::string name = target_.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw InputError("output folder " + target.string() + ": expected a folder name (not the root, '.' or '..')");
  check_target();
  staging_ = sibling(target_, ".tmp-");
  std::error_code ec;
  fs::remove_all(staging_, ec);  // left over from an earlier process with the same id
  fs::create_directories(target_.parent_path(), ec);
  if (ec) fail(target_.parent_path(), "cannot be created", ec);
  if (!fs::create_directory(staging_, ec) || ec) fail(staging_, "cannot create the temporary folder", ec);
}

StagedDirectory::~StagedDirectory() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

// Refuse to replace something that does not look like our own results (e.g. --out pointing at a home folder).
void StagedDirectory::check_target() const {
  std::error_code ec;
  const auto st = fs::symlink_status(target_, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(st))
    throw InputError("output folder " + target_.string() + ": exists and is not a folder; choose another --out");
  const bool empty = fs::is_empty(target_, ec);
  if (ec) fail(target_, "cannot be read", ec);
  if (!empty && !fs::exists(target_ / "manifest.json"))
    throw InputError("output folder " + target_.string() +
                     ": exists and does not hold earlier cohortgis results (no manifest.json); choose another --out "
                     "or remove it");
}

void StagedDirectory::commit() {
  check_target();
  std::error_code ec;
  fs::path old;
  if (fs::exists(fs::symlink_status(target_, ec))) {
    old = sibling(target_, ".old-");
    fs::remove_all(old, ec);
    fs::rename(target_, old, ec);
    if (ec) fail(target_, "cannot move the previous results aside", ec);
  }
  fs::rename(staging_, target_, ec);
  if (ec) {
    std::error_code back;
    if (!old.empty()) fs::rename(old, target_, back);
    fail(target_, "cannot move the new results into place", ec);
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);  // best effort: the new results are already in place
}

}  // namespace cohortgis::app
