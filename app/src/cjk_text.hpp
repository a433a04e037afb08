// SPDX-License-Identifier: Apache-2.0
// UTF-8 code points and CJK ideographs: the report's language guess and the spacing of Chinese figure titles
// (language.cpp).
#pragma once

#include <cstddef>
#include <string>

namespace cohortgis::app {

// The code point of the UTF-8 character that starts at s[i], and its length in bytes (1 for a byte that starts no
// complete character, whose value is then the byte's).
char32_t code_point_at(const std::string& s, std::size_t i, std::size_t& length);

// The code point of the last UTF-8 character of s (0 for an empty s).
char32_t last_code_point(const std::string& s);

// A CJK unified ideograph: U+3400–4DBF (extension A), U+4E00–9FFF, and planes 2 and 3 (extensions B on).
bool is_cjk_ideograph(char32_t c);

}  // namespace cohortgis::app
