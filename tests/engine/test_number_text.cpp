// SPDX-License-Identifier: Apache-2.0
// The one shortest round-trip number text (number_text.hpp) against hand-written cases.
#include "cohortgis/engine/number_text.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

using cohortgis::append_number_cell;
using cohortgis::append_shortest_number;
using cohortgis::number_cell;
using cohortgis::shortest_number;

namespace {

double read_back(const std::string& s) {
  double v = 0.0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(r.ec == std::errc() && r.ptr == s.data() + s.size()) << s;
  return v;
}

std::uint64_t bits(double v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

}  // namespace

TEST(NumberText, FiniteNumbersHand) {
  EXPECT_EQ(shortest_number(0.1), "0.1");
  EXPECT_EQ(shortest_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(shortest_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(shortest_number(1e-300), "1e-300");
  EXPECT_EQ(shortest_number(5e-324), "5e-324");  // the smallest subnormal
  EXPECT_EQ(shortest_number(2.2250738585072014e-308), "2.2250738585072014e-308");
  EXPECT_EQ(shortest_number(-2.2250738585072014e-308), "-2.2250738585072014e-308");  // the longest form (24)
  EXPECT_EQ(shortest_number(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(shortest_number(1e21), "1e+21");
  EXPECT_EQ(shortest_number(1e20), "1e+20");  // the shorter of the fixed and exponent forms (a tie: fixed)
  EXPECT_EQ(shortest_number(10000.0), "10000");
  EXPECT_EQ(shortest_number(100000.0), "1e+05");
  EXPECT_EQ(shortest_number(120000.0), "120000");
  EXPECT_EQ(shortest_number(123456.5), "123456.5");
  EXPECT_EQ(shortest_number(-0.5), "-0.5");
  EXPECT_EQ(shortest_number(0.0), "0");
  EXPECT_EQ(shortest_number(1.0), "1");
  EXPECT_EQ(shortest_number(100.0), "100");
  EXPECT_EQ(shortest_number(1e15), "1e+15");
  EXPECT_EQ(shortest_number(9007199254740991.0), "9007199254740991");  // 2^53 - 1
  EXPECT_EQ(shortest_number(9007199254740992.0), "9007199254740992");  // 2^53
  EXPECT_EQ(shortest_number(-9007199254740992.0), "-9007199254740992");
  EXPECT_EQ(shortest_number(9007199254740994.0), "9007199254740994");  // 2^53 + 2
}

TEST(NumberText, IntegersNearPowersOfTwoUpTo2To53AreTheirDigits) {
  for (int p = 0; p <= 53; ++p)
    for (double d : {-1.0, 0.0, 1.0}) {
      const double v = std::ldexp(1.0, p) + (p > 0 ? d : 0.0);  // 2^53 + 1 is 2^53 as a double
      EXPECT_EQ(shortest_number(v), std::to_string(static_cast<long long>(v))) << p;
      EXPECT_EQ(number_cell(-v), std::to_string(-static_cast<long long>(v))) << p;
    }
}

TEST(NumberText, ReadsBackToTheSameBits) {
  for (double v : {0.1, 1e-300, 5e-324, 1e21, -0.0, 0.0, 1.0 / 3.0, 2.5e-7, 6.02214076e23, 1e308, -123.456})
    EXPECT_EQ(bits(read_back(shortest_number(v))), bits(v)) << shortest_number(v);
}

TEST(NumberText, SpellingsOutsideTheFiniteNumbers) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(shortest_number(nan), "nan");
  EXPECT_EQ(shortest_number(-nan), "nan");  // to_chars alone writes "-nan"
  EXPECT_EQ(shortest_number(std::copysign(nan, -1.0)), "nan");
  EXPECT_EQ(shortest_number(inf), "inf");
  EXPECT_EQ(shortest_number(-inf), "-inf");
  EXPECT_EQ(shortest_number(-0.0), "-0");  // reads back as -0 (a table cell keeps its bits)
  EXPECT_TRUE(std::signbit(read_back(shortest_number(-0.0))));
}

TEST(NumberText, CellsOfWrittenFiles) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(number_cell(nan), "");  // a missing value is an empty cell
  EXPECT_EQ(number_cell(-nan), "");
  EXPECT_EQ(number_cell(inf), "");
  EXPECT_EQ(number_cell(-inf), "");
  EXPECT_EQ(number_cell(-0.0), "0");
  EXPECT_EQ(number_cell(0.0), "0");
  EXPECT_EQ(number_cell(0.1), "0.1");
  EXPECT_EQ(number_cell(5e-324), "5e-324");
  EXPECT_EQ(number_cell(1e21), "1e+21");
  EXPECT_EQ(number_cell(-2.5), "-2.5");
  EXPECT_EQ(number_cell(9007199254740992.0), "9007199254740992");
}

TEST(NumberText, AppendsAfterWhatIsThere) {
  std::string s = "a,";
  append_number_cell(s, 0.25);
  s += ',';
  append_number_cell(s, std::nan(""));
  s += ',';
  append_shortest_number(s, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(s, "a,0.25,,-inf");
}
