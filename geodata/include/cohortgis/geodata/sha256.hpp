// SPDX-License-Identifier: Apache-2.0
// Content hashes of input files for run manifests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cohortgis::geodata {

// SHA-256 of the file's bytes as 64 lowercase hex digits (OpenSSL's libcrypto). Throws InputError when unreadable,
// ProjectionError("reading cancelled") between MiBs once this thread's ReadCancellation flag is set (read_cancel.hpp).
std::string sha256_file(const std::string& path);
// sha256_file of a file; of a folder (an OpenFileGDB .gdb, a folder of Shapefiles as a zone source), the SHA-256 of
// the lines "RELATIVE_PATH\0FILE_SHA256\n" of every regular file below it, in the order of their relative paths, so
// the digest changes when any file of it is added, removed, renamed or changed.
std::string sha256_file_or_folder(const std::string& path);
// SHA-256 of bytes in memory, the same form.
std::string sha256_text(std::string_view bytes);

// SHA-256 computed piece by piece as bytes go out (a writer hashes what it writes, so the file need not be read
// back for manifest.json); hex() gives the same digest as sha256_text of the concatenated pieces.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;
  void update(std::string_view bytes);
  std::string hex();  // ends the digest; update() afterwards starts nothing new (throws)

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cohortgis::geodata
