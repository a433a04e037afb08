// SPDX-License-Identifier: Apache-2.0
// Test support: a host locale that a Python process or a shell may hand cohortgis (locale.setlocale(LC_ALL, …),
// LC_ALL=…), built with localedef into a temporary folder (LOCPATH) and set for the object's life; C again afterwards.
// active() is false where localedef or glibc's i18n sources (Debian's `locales` package) are missing: the test then
// skips. tr_TR.UTF-8: std::tolower('I') == 'I' and strcasecmp("ID", "id") != 0 (dotless ı is not one byte).
// de_DE.ISO-8859-1 (Latin-1): a single-byte locale, where <cctype> calls bytes 0xC0-0xFF letters (0xC3 'Ã', 0xAA 'ª'),
// so half of a UTF-8 character passed std::isalnum.
#pragma once

#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace cohortgis::test {

class BuiltLocale {
 public:
  // source: glibc's locale definition (tr_TR, de_DE); charmap: UTF-8, ISO-8859-1, …
  BuiltLocale(const std::string& source, const std::string& charmap)
      : name_(source + "." + charmap),
        dir_(std::filesystem::temp_directory_path() / ("cohortgis_locale_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    const std::string make =
        "localedef -i " + source + " -f " + charmap + " '" + (dir_ / name_).string() + "' >/dev/null 2>&1";
    const int made = std::system(make.c_str());
    ::setenv("LOCPATH", dir_.c_str(), 1);
    active_ = made == 0 && std::setlocale(LC_ALL, name_.c_str()) != nullptr;
  }
  ~BuiltLocale() {
    std::setlocale(LC_ALL, "C");
    ::unsetenv("LOCPATH");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  BuiltLocale(const BuiltLocale&) = delete;
  BuiltLocale& operator=(const BuiltLocale&) = delete;
  bool active() const { return active_; }
  // For a skipped test's reason.
  std::string missing() const { return "no " + name_ + " locale (localedef and the i18n sources are needed)"; }

 private:
  std::string name_;
  std::filesystem::path dir_;
  bool active_ = false;
};

// The Python host of round 25's hostile probe: locale.setlocale(LC_ALL, "tr_TR.UTF-8").
class TurkishLocale : public BuiltLocale {
 public:
  TurkishLocale() : BuiltLocale("tr_TR", "UTF-8") {}
};

// A Latin-1 host (LC_ALL=de_DE.ISO-8859-1).
class Latin1Locale : public BuiltLocale {
 public:
  Latin1Locale() : BuiltLocale("de_DE", "ISO-8859-1") {}
};

}  // namespace cohortgis::test
