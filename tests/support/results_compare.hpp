// SPDX-License-Identifier: Apache-2.0
// Comparison of two app::Results' indicator tables for tests: the names in id order, the years, every key, and every
// value bit for bit (NaN included, -0 told from 0), so two ways of reading the same indicators.csv can be held equal.
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "cohortgis/app/results.hpp"

namespace cohortgis::test {

inline void expect_same_indicators(const app::Results& a, const app::Results& b) {
  EXPECT_EQ(a.years, b.years);
  EXPECT_EQ(a.indicator_variants.names, b.indicator_variants.names);
  EXPECT_EQ(a.indicator_units.names, b.indicator_units.names);
  EXPECT_EQ(a.indicator_groups.names, b.indicator_groups.names);
  EXPECT_EQ(a.indicator_names.names, b.indicator_names.names);
  ASSERT_EQ(a.indicator_values.size(), b.indicator_values.size());
  for (std::size_t i = 0; i < a.indicator_values.size(); ++i) {
    ASSERT_EQ(a.indicator_values[i].first, b.indicator_values[i].first) << i;
    ASSERT_EQ(std::memcmp(&a.indicator_values[i].second, &b.indicator_values[i].second, sizeof(double)), 0)
        << i << ": " << a.indicator_values[i].second << " " << b.indicator_values[i].second;
  }
}

}  // namespace cohortgis::test
