// SPDX-License-Identifier: Apache-2.0
#include "toml_key_depth.hpp"

#include "cohortgis/engine/types.hpp"

namespace cohortgis::scenarios {

namespace {

bool bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+';
}

// Skips a string starting at text[i] (a quote); returns the index after it. Multi-line strings ("""/''') too.
std::size_t skip_string(std::string_view text, std::size_t i, long& line) {
  const char q = text[i];
  const bool multi = text.substr(i, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''");
  std::size_t k = i + (multi ? 3 : 1);
  while (k < text.size()) {
    const char c = text[k];
    if (c == '\n') {
      ++line;
      if (!multi) return k;  // an unterminated string: the parser reports it
    }
    if (c == '\\' && q == '"') {
      k += 2;
      continue;
    }
    if (c == q && (!multi || text.substr(k, 3) == std::string_view(q == '"' ? "\"\"\"" : "'''")))
      return k + (multi ? 3 : 1);
    ++k;
  }
  return k;
}

}  // namespace

void check_key_depth(std::string_view text, const std::string& label) {
  long line = 1;
  int parts = 0;          // parts of the current dotted run
  bool after_dot = true;  // a token here continues the run
  int nesting = 0;        // open '[' and '{' (a table header's too: at most 2)
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (c == '#') {  // comment to the end of the line
      while (i < text.size() && text[i] != '\n') ++i;
      parts = 0;
      after_dot = true;
      continue;
    }
    if (c == '"' || c == '\'' || bare_key_char(c)) {  // a token: a quoted or a bare key (or a value)
      if (c == '"' || c == '\'') {
        i = skip_string(text, i, line);
      } else {
        while (i < text.size() && bare_key_char(text[i])) ++i;
      }
      parts = after_dot ? parts + 1 : 1;
      after_dot = false;
      if (parts > kMaxKeyParts)
        throw InputError(label + ":" + std::to_string(line) + ": a key with more than " + std::to_string(kMaxKeyParts) +
                         " dotted parts (tables nested that deep); expected the keys of scenarios/README.md");
      continue;
    }
    if (c == '[' || c == '{') {
      if (++nesting > kMaxNesting)
        throw InputError(label + ":" + std::to_string(line) + ": arrays or inline tables nested more than " +
                         std::to_string(kMaxNesting) + " deep; expected the keys of scenarios/README.md (at most 4)");
    } else if ((c == ']' || c == '}') && nesting > 0) {
      --nesting;
    }
    if (c == '.') {
      after_dot = true;
    } else if (c != ' ' && c != '\t') {
      parts = 0;
      after_dot = true;
    }
    ++i;
  }
}

}  // namespace cohortgis::scenarios
