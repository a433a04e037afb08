// SPDX-License-Identifier: Apache-2.0
// Test support: the message of the InputError a call throws, for assertions on what a user is told.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::test {

// The InputError message of f(); "<no exception>" when it does not throw (so any find() on it fails), and
// "<other exception>" when something other than InputError escapes.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (...) {
    return "<other exception>";
  }
  return "<no exception>";
}

}  // namespace cohortgis::test

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)
