// SPDX-License-Identifier: Apache-2.0
// The step kernels' tests' random values (test_ccmpp_step's files).
#pragma once

#include <cstdint>

namespace cohortgis::test {

// A xorshift generator's next value in [0, 1): the kernels' tests draw their values from it, the same on every run.
inline double next_unit(std::uint64_t& seed) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return static_cast<double>(seed >> 11) / 9007199254740992.0;
}

}  // namespace cohortgis::test
