// SPDX-License-Identifier: Apache-2.0
// read_csv_file reads a block (1 MiB) at a time (app/src/results.cpp): cells, quotes, doubled quotes and line breaks
// inside quotes must read the same wherever a block ends. The expected cells are written here, not read back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../app/src/csv_stream.hpp"  // internal to the app library
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

// results.xlsx counts a CSV's rows without splitting its cells (csv_stream.hpp): the count is the number of rows the
// reader hands out, wherever a block ends, with blank lines, CRLF, quoted line breaks and a byte-order mark.
TEST(ResultsCsv, RowCountMatchesTheRowsRead) {
  constexpr std::size_t kBlock = 1 << 20;
  const std::string tricky = "\"a \"\"b\"\", c\r\nd\",x";
  for (std::size_t shift = 0; shift < tricky.size() + 2; ++shift) {
    const std::string head = "\xEF\xBB\xBFname,value\n";
    const std::size_t pad = kBlock - head.size() - 3 - shift;
    const std::string text = head + "p," + std::string(pad, 'y') + "\n" + tricky + "\r\n\n\r\n\"\"\n,\n" + tricky;
    const std::string path = write_file("count.csv", text);
    app::CsvData csv;
    std::size_t rows = 0;
    app::detail::for_each_csv_row(path, csv, {"name"},
                                  [&](const app::CsvData&, std::vector<std::string>&, std::size_t) { ++rows; });
    EXPECT_EQ(csv.header[0], "name") << shift;  // the byte-order mark is not part of the name
    EXPECT_EQ(rows, 4u) << shift;               // p, tricky, ",", tricky; the blank lines and "" are skipped
    EXPECT_EQ(app::detail::count_csv_rows(path), rows) << shift;
  }
  EXPECT_EQ(app::detail::count_csv_rows(write_file("header.csv", "a,b\n")), 0u);
  EXPECT_EQ(app::detail::count_csv_rows(write_file("blank_first.csv", "\na,b\n1,2\n")), 2u);  // as the reader: a
  // blank first line is the header, then "a,b" and "1,2" are rows (which the reader refuses: 2 fields, header 1)
}

namespace {

// A results folder with only what load_results reads.
std::string results_folder(const std::string& indicators) {
  const std::string dir = testing::TempDir() + "/results_store";
  std::filesystem::create_directories(dir);
  write_file("results_store/manifest.json", R"({"scenario": {"name": "t", "variants": ["baseline", "high"]}})");
  write_file("results_store/zones.csv", "zone,name,name_en\nZ1,a,\nZ10,b,\n");
  write_file("results_store/plan_periods.csv", "variant,period,zone,births\n");
  write_file("results_store/targets.csv", "target\n");
  write_file("results_store/indicators.csv", "variant,year,zone,group,indicator,value\n" + indicators);
  return dir;
}

}  // namespace

// indicators.csv is kept as packed keys (results.cpp): lookups, a key given twice (the last value wins, as the map of
// strings had it), rows in any order, and every value in the order of the keys joined as text (results.gpkg's).
TEST(ResultsIndicators, LookupsDuplicatesAndTextOrder) {
  const app::Results r =
      app::load_results(results_folder("high,2025,Z10,all,tfr,1.6\n"
                                       "baseline,2020,Z10,all,population,100\n"
                                       "baseline,2020,Z1,all,population,50\n"
                                       "baseline,2020,Z1,all,population,55\n"
                                       "baseline,2020,Z1,all,tfr,\n"
                                       "baseline,999,total,registered,population,7\n"));
  EXPECT_EQ(r.years, (std::vector<int>{999, 2020, 2025}));
  EXPECT_EQ(r.indicator("baseline", 2020, "Z1", "all", "population"), 55.0);
  EXPECT_EQ(r.indicator("baseline", 2020, "Z10", "all", "population"), 100.0);
  EXPECT_EQ(r.indicator("high", 2025, "Z10", "all", "tfr"), 1.6);
  EXPECT_EQ(r.indicator("baseline", 999, "total", "registered", "population"), 7.0);
  EXPECT_TRUE(std::isnan(r.indicator("baseline", 2020, "Z1", "all", "tfr")));     // empty cell
  EXPECT_TRUE(std::isnan(r.indicator("baseline", 2025, "Z10", "all", "tfr")));    // no such row
  EXPECT_TRUE(std::isnan(r.indicator("nope", 2020, "Z1", "all", "population")));  // unknown variant
  EXPECT_TRUE(std::isnan(r.indicator("baseline", 100000, "Z1", "all", "population")));
  EXPECT_TRUE(r.has_indicator("tfr"));
  EXPECT_FALSE(r.has_indicator("e0"));
  std::vector<std::string> order;
  r.for_each_indicator(
      [&](const std::string& v, int y, const std::string& u, const std::string& g, const std::string& k, double) {
        order.push_back(v + "\x1f" + std::to_string(y) + "\x1f" + u + "\x1f" + g + "\x1f" + k);
      });
  std::vector<std::string> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);
  EXPECT_EQ(order.size(), 5u);
  EXPECT_EQ(order.front(), std::string("baseline\x1f") + "2020\x1fZ1\x1f" + "all\x1fpopulation");  // "2020" < "999"
}
