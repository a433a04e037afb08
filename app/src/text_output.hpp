// SPDX-License-Identifier: Apache-2.0
// Writing CSV and JSON text: quoting and escaping, checked file output.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/text_escape.hpp"
#include "drop_behind.hpp"

namespace cohortgis::app {

// Numbers: cohortgis::number_cell / append_number_cell for files, shortest_number for messages (number_text.hpp).

// RFC 4180 field: quoted only when it holds a comma, quote or line break (geodata's, the one for every CSV writer).
using geodata::append_csv_field;
// The fields as one CSV line (append_csv_field each, then a line break).
void append_csv_row(std::string& out, const std::vector<std::string>& cells);

// JSON string literal with quotes; control characters escaped, UTF-8 passed through.
std::string json_string(std::string_view text);
// JSON number (shortest round-trip) or null for NaN and infinities.
std::string json_number(double v);
// The time now in UTC through strftime: manifest.json's "%Y-%m-%dT%H:%M:%SZ", the report's "%Y-%m-%d %H:%M UTC".
std::string utc_now(const char* strftime_format);

// A text file written through a buffer; close() reports write errors (disk full …) as InputError naming the file.
// The bytes are hashed as they are written, and close() records the file's SHA-256 for manifest.json
// (file_digests.hpp), which then need not read the file back.
class TextFile {
 public:
  // must_be_new: created with O_EXCL and O_NOFOLLOW (geodata::create_new_file), for the names beside a user's files
  // that cohortgis writes and renames ("manifest.json.tmp-PID", a staging marker): an entry already there is left as
  // it is and named in the InputError.
  explicit TextFile(std::string path, bool must_be_new = false);
  ~TextFile();
  TextFile(const TextFile&) = delete;
  TextFile& operator=(const TextFile&) = delete;

  void write(std::string_view text);
  void close();
  const std::string& path() const { return path_; }
  // For a large file nothing reads back soon (population.csv, components.csv: GBs from 3,000 zones with --format
  // csv): written back and dropped from the page cache behind the writer every `bytes` (drop_behind.hpp); the last
  // stretch at close(). Fresh page-cache pages cost this VM ~2.5 s of system CPU a GB, pages just dropped and reused
  // ~0.4 s (bench/HISTORY.md "Round 23: results.nc write and finish phases").
  void drop_behind_every(std::size_t bytes);

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  geodata::Sha256Stream sha256_;
  std::unique_ptr<DropBehind> behind_;
  std::size_t behind_every_ = 0, behind_pending_ = 0;  // bytes between drops; written since the last one
};

}  // namespace cohortgis::app
