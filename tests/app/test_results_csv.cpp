// SPDX-License-Identifier: Apache-2.0
// read_csv_file reads a block (1 MiB) at a time (app/src/results.cpp): cells, quotes, doubled quotes and line breaks
// inside quotes must read the same wherever a block ends. The expected cells are written here, not read back.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/types.hpp"

using namespace cohortgis;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST(ResultsCsv, QuotedCellsAcrossEveryBlockBoundary) {
  constexpr std::size_t kBlock = 1 << 20;
  // A padding cell moves the tricky row so that the block boundary falls on each of its characters in turn.
  const std::string tricky = "\"a \"\"b\"\", c\r\nd\",x";  // cells: a "b", c\r\nd | x
  for (std::size_t shift = 0; shift < tricky.size() + 2; ++shift) {
    const std::string head = "name,value\n";
    const std::size_t pad = kBlock - head.size() - 3 - shift;  // "p,<pad>\n": the block ends `shift` into the row
    const std::string text = head + "p," + std::string(pad, 'y') + "\n" + tricky + "\r\n\n";
    const app::CsvData csv = app::read_csv_file(write_file("blocks.csv", text));
    ASSERT_EQ(csv.header, (std::vector<std::string>{"name", "value"}));
    ASSERT_EQ(csv.rows.size(), 2u) << shift;
    EXPECT_EQ(csv.rows[0][1].size(), pad) << shift;
    EXPECT_EQ(csv.rows[1][0], "a \"b\", c\r\nd") << shift;
    EXPECT_EQ(csv.rows[1][1], "x") << shift;
  }
}

TEST(ResultsCsv, RowWithTooManyFieldsNamesItsRow) {
  const std::string path = write_file("fields.csv", "a,b\n1,2\n3,4,5\n");
  try {
    app::read_csv_file(path);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 3 has 3 fields; the header has 2"), std::string::npos) << e.what();
  }
}

TEST(ResultsCsv, QuoteAtTheEndOfTheFile) {
  const app::CsvData csv = app::read_csv_file(write_file("end.csv", "a\n\"q\"\"\""));
  ASSERT_EQ(csv.rows.size(), 1u);
  EXPECT_EQ(csv.rows[0][0], "q\"");
}
