// SPDX-License-Identifier: Apache-2.0
// Boost.PropertyTree's JSON reader descends recursively: a manifest.json of 100,000 nested '[' overflowed the stack
// (SIGSEGV in `map`, `report`, `info`, `validate --results`; hostile probe 3). cohortgis writes manifests 4 levels
// deep; the depth is measured before parsing and a file nested deeper than kMaxJsonDepth is refused.
#pragma once

#include <cstddef>
#include <string_view>

namespace cohortgis::app {

inline constexpr std::size_t kMaxJsonDepth = 64;

// The deepest nesting of '[' and '{' in `text`, outside strings (escapes skipped). Not a validator: the parser is.
inline std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace cohortgis::app
