// SPDX-License-Identifier: Apache-2.0
// The guard before the TOML parser (scenarios/src/toml_key_depth.hpp): dotted keys of more than 64 parts are refused
// (100,000 parts overflowed toml++'s stack), while dots inside strings, comments, floats and dates never count.
#include <gtest/gtest.h>

#include <string>

#include "cohortgis/engine/types.hpp"
#include "toml_key_depth.hpp"

using cohortgis::InputError;
using cohortgis::scenarios::check_key_depth;

namespace {

std::string dotted(int parts, const std::string& part = "a") {
  std::string s = part;
  for (int i = 1; i < parts; ++i) s += "." + part;
  return s;
}

std::string message(const std::string& text) {
  try {
    check_key_depth(text, "sc.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(TomlKeyDepth, SixtyFourPartsPassSixtyFiveFail) {
  EXPECT_EQ(message(dotted(64) + " = 1\n"), "");
  EXPECT_NE(message(dotted(65) + " = 1\n").find("sc.toml:1: a key with more than 64 dotted parts"), std::string::npos);
}

TEST(TomlKeyDepth, HeadersArrayTablesQuotedPartsAndBlanksCount) {
  EXPECT_NE(message("x = 1\n[" + dotted(65) + "]\n").find("sc.toml:2:"), std::string::npos);
  EXPECT_NE(message("\n\n[[" + dotted(65) + "]]\n").find("sc.toml:3:"), std::string::npos);
  EXPECT_NE(message(dotted(65, "\"q.q\"") + " = 1\n"), "");
  EXPECT_NE(message(dotted(33, "a . 'b'") + " = 1\n"), "");  // 33 × 2 parts with blanks around dots
  EXPECT_NE(message("x = { " + dotted(65) + " = 1 }\n").find("sc.toml:1:"), std::string::npos);  // in an inline table
}

TEST(TomlKeyDepth, DotsInValuesStringsAndCommentsDoNotCount) {
  const std::string dots(10000, '.');
  EXPECT_EQ(message("name = \"" + dotted(1000) + dots + "\"\n"), "");
  EXPECT_EQ(message("name = '" + dotted(1000) + "'\n"), "");
  EXPECT_EQ(message("text = \"\"\"\n" + dotted(1000) + "\n\"\"\"\n"), "");
  EXPECT_EQ(message("text = '''\n" + dotted(1000) + "\n'''\n"), "");
  EXPECT_EQ(message("# " + dotted(1000) + "\nx = 1\n"), "");
  EXPECT_EQ(message("escaped = \"\\\"" + dotted(1000) + "\"\n"), "");
  EXPECT_EQ(message("xs = [1.5, 2.25, 1e-3, 3.0e5, 1979-05-27T07:32:00.999]\n" + dotted(64) + " = 1.5\n"), "");
  // Many short keys in a row never add up: each key starts its own run.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "a.b.c = " + std::to_string(i) + ".5\n";
  EXPECT_EQ(message("[t]\n" + many), "");
}

// Round 20: toml++'s own cap of 256 nested arrays and inline tables overflowed a 256 kB stack (`ulimit -s 256`) at 64
// levels; 16 are allowed, brackets inside strings and comments and table headers never count.
TEST(TomlKeyDepth, ArraysAndInlineTablesNestedMoreThanSixteenDeepAreRefused) {
  const auto arrays = [](int n) { return "x = " + std::string(n, '[') + std::string(n, ']') + "\n"; };
  std::string inl = "y = 1\nx = ";
  for (int i = 0; i < 17; ++i) inl += "{ a = ";
  inl += "1" + std::string(17, '}') + "\n";
  EXPECT_EQ(message(arrays(16)), "");
  EXPECT_NE(message(arrays(17)).find("sc.toml:1: arrays or inline tables nested more than 16 deep"), std::string::npos);
  EXPECT_NE(message(inl).find("sc.toml:2: arrays or inline tables nested more than 16 deep"), std::string::npos);
  EXPECT_NE(message("x = [\n" + std::string(17, '[') + std::string(17, ']') + "]\n").find("sc.toml:2:"),
            std::string::npos);
  EXPECT_EQ(message("s = \"" + std::string(100, '[') + "\" # " + std::string(100, '{') + "\n"), "");
  std::string headers;
  for (int i = 0; i < 100; ++i) headers += "[[t]]\nx = [[1, 2], [3]]\n[u" + std::to_string(i) + "]\n";
  EXPECT_EQ(message(headers), "");
}

}  // namespace
