// SPDX-License-Identifier: Apache-2.0
// Test support: the host locale of a Python process after locale.setlocale(LC_ALL, "tr_TR.UTF-8"), where
// std::tolower('I') == 'I' and strcasecmp("ID", "id") != 0 (dotless ı is not one byte). Built with localedef into a
// temporary folder (LOCPATH) and set for the object's life; C again afterwards. active() is false where localedef or
// glibc's i18n sources are missing (the test then skips).
#pragma once

#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace cohortgis::test {

class TurkishLocale {
 public:
  TurkishLocale() : dir_(std::filesystem::temp_directory_path() / ("cohortgis_tr_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    const std::string make = "localedef -i tr_TR -f UTF-8 '" + (dir_ / "tr_TR.UTF-8").string() + "' >/dev/null 2>&1";
    const int made = std::system(make.c_str());
    ::setenv("LOCPATH", dir_.c_str(), 1);
    active_ = made == 0 && std::setlocale(LC_ALL, "tr_TR.UTF-8") != nullptr;
  }
  ~TurkishLocale() {
    std::setlocale(LC_ALL, "C");
    ::unsetenv("LOCPATH");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TurkishLocale(const TurkishLocale&) = delete;
  TurkishLocale& operator=(const TurkishLocale&) = delete;
  bool active() const { return active_; }

 private:
  std::filesystem::path dir_;
  bool active_ = false;
};

}  // namespace cohortgis::test
