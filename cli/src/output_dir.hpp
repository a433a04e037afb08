// SPDX-License-Identifier: Apache-2.0
// An output folder that appears complete or not at all: results go to a sibling temporary folder that is renamed
// into place by commit(); without commit() the temporary folder is removed and an existing target stays as it was.
#pragma once

#include <filesystem>

namespace cohortgis::app {

class StagedDirectory {
 public:
  // Checks the target (an existing target must be a folder that is empty or holds manifest.json) and creates
  // "<target>.tmp-<pid>" next to it. Throws InputError.
  explicit StagedDirectory(const std::filesystem::path& target);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& target() const { return target_; }
  // Moves an existing target aside, renames the staging folder into place, then removes the old one.
  void commit();

 private:
  void check_target() const;
  std::filesystem::path target_, staging_;
  bool committed_ = false;
};

}  // namespace cohortgis::app
