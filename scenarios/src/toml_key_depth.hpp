// SPDX-License-Identifier: Apache-2.0
#pragma once
// Scenario text is untrusted: toml++ limits the nesting of arrays and inline tables but not of dotted keys
// (`a.a.a… = 1`, `[a.a.a…]`, `[[a.a.a…]]`), which it builds and frees recursively: 100,000 levels in a 200 kB file
// overflow the stack (SIGSEGV). Its own limit of 256 nested arrays and inline tables needs about 256 kB of stack
// (`ulimit -s 256` overflowed at 64 levels). This check runs on the text before the parser.
#include <string>
#include <string_view>

namespace cohortgis::scenarios {

// The deepest dotted key a scenario may hold (the deepest real key, e.g. `fertility.fit.cbr_per_1000`, has 3 parts).
inline constexpr int kMaxKeyParts = 64;
// The deepest nesting of arrays and inline tables (the shipped examples nest 4 deep): toml++ takes about 1 kB of stack
// a level, so 16 levels parse within a 64 kB stack.
inline constexpr int kMaxNesting = 16;

// Throws InputError "LABEL:LINE: key with more than 64 parts …" when a run of keys joined by dots (outside strings
// and comments) has more than kMaxKeyParts parts. Floats and dates have at most one dot, so they never trip it.
// Throws "LABEL:LINE: arrays or inline tables nested more than 16 deep" past kMaxNesting open brackets and braces.
void check_key_depth(std::string_view text, const std::string& label);

}  // namespace cohortgis::scenarios
