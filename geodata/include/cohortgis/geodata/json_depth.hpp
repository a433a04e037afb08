// SPDX-License-Identifier: Apache-2.0
// JSON readers descend recursively: Boost.PropertyTree's on a manifest.json of 100,000 nested '[' overflowed the stack
// (SIGSEGV in `map`, `report`, `info`, `validate --results`; hostile probe 3), and json-c (GDAL's GeoJSON reader,
// which builds up to 1024 levels) frees a document recursively, which overflowed a 64 kB stack (`ulimit -s 64`) on
// coordinates nested 5000 deep (hostile probe of round 20). The depth is measured before parsing and a file nested
// deeper than kMaxJsonDepth is refused: cohortgis writes manifests 4 levels deep, GeoJSON nests about 8.
#pragma once

#include <cstddef>
#include <string_view>

namespace cohortgis::geodata {

inline constexpr std::size_t kMaxJsonDepth = 64;

// The deepest nesting of '[' and '{' outside strings (escapes skipped) of a text fed in pieces (a file read in
// blocks: a string or an escape may span two). Not a validator: the parser is.
class JsonDepthScan {
 public:
  void feed(std::string_view text) {
    for (const char c : text) {
      if (escaped_) {
        escaped_ = false;
      } else if (in_string_) {
        if (c == '\\')
          escaped_ = true;
        else if (c == '"')
          in_string_ = false;
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '[' || c == '{') {
        if (++depth_ > deepest_) deepest_ = depth_;
      } else if ((c == ']' || c == '}') && depth_ > 0) {
        --depth_;
      }
    }
  }
  std::size_t deepest() const { return deepest_; }

 private:
  std::size_t depth_ = 0, deepest_ = 0;
  bool in_string_ = false, escaped_ = false;
};

inline std::size_t json_nesting_depth(std::string_view text) {
  JsonDepthScan scan;
  scan.feed(text);
  return scan.deepest();
}

}  // namespace cohortgis::geodata
