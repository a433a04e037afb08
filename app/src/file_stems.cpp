// SPDX-License-Identifier: Apache-2.0
#include "file_stems.hpp"

#include <map>

#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/sha256.hpp"

namespace cohortgis::app {

std::string file_stem(const std::string& id) {
  constexpr std::size_t kMax = 80;
  std::string s;
  bool escaped = id.empty() || id.size() > kMax || id.front() == '.';
  for (char ch : id) {
    const bool ok = geodata::is_ascii_alnum(ch) || ch == '-' || ch == '_' || ch == '.';
    s += ok ? ch : '_';
    escaped = escaped || !ok;
  }
  if (!s.empty() && s.front() == '.') s.front() = '_';
  if (s.size() > kMax) s.resize(kMax);
  if (!escaped) return s;
  return s + "-" + geodata::sha256_text(id).substr(0, 8);
}

std::vector<std::string> file_stems(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  std::map<std::string, int> count;
  // Stems that differ only in ASCII case (one file on a case-insensitive disk), whatever the host's locale
  // (ascii_case.hpp: under tr_TR.UTF-8 std::tolower kept "HIGH" and "high" apart).
  const auto lower = [](const std::string& s) { return geodata::ascii_lower(s); };
  for (const auto& id : ids) {
    out.push_back(file_stem(id));
    ++count[lower(out.back())];
  }
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (count[lower(out[i])] > 1 && out[i] == ids[i]) out[i] += "-" + geodata::sha256_text(ids[i]).substr(0, 8);
  return out;
}

}  // namespace cohortgis::app
