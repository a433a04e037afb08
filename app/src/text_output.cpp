// SPDX-License-Identifier: Apache-2.0
#include "text_output.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "file_digests.hpp"

namespace cohortgis::app {

void append_csv_row(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    append_csv_field(out, cells[i]);
  }
  out += '\n';
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += ch;  // UTF-8 bytes pass through
        }
    }
  }
  out += '"';
  return out;
}

std::string json_number(double v) { return std::isfinite(v) ? number_cell(v) : "null"; }

std::string utc_now(const char* strftime_format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  return std::strftime(buf, sizeof buf, strftime_format, &tm) ? buf : "";
}

TextFile::TextFile(std::string path, bool must_be_new) : path_(std::move(path)) {
  f_ = must_be_new ? geodata::create_new_file(path_, path_) : std::fopen(path_.c_str(), "wb");
  if (!f_) throw InputError(path_ + ": cannot be created (" + std::strerror(errno) + ")");
}

TextFile::~TextFile() {
  if (f_) std::fclose(f_);
}

void TextFile::write(std::string_view text) {
  if (!f_) throw InputError(path_ + ": written after it was closed");
  if (std::fwrite(text.data(), 1, text.size(), f_) != text.size())
    throw InputError(path_ + ": write failed (" + std::strerror(errno) + ")");
  sha256_.update(text);
  if (!behind_ || (behind_pending_ += text.size()) < behind_every_) return;
  behind_->advance();
  behind_pending_ = 0;
}

void TextFile::drop_behind_every(std::size_t bytes) {
  behind_ = std::make_unique<DropBehind>(path_);
  behind_every_ = bytes;
}

void TextFile::close() {
  if (!f_) return;
  const bool bad = std::ferror(f_) != 0;
  const int rc = std::fclose(f_);
  f_ = nullptr;
  if (bad || rc != 0) throw InputError(path_ + ": write failed (" + std::strerror(errno) + ")");
  remember_digest(path_, sha256_.hex());
  if (behind_) {  // the last stretch submitted, the one before dropped
    behind_->advance();
    behind_.reset();
  }
}

}  // namespace cohortgis::app
