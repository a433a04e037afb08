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
#include "../support/results_compare.hpp"
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

// A results folder with only what load_results reads; `name`: its folder under the test's temporary folder (each test
// its own: ctest runs the tests of this file in parallel).
std::string results_folder(const std::string& indicators, const std::string& name = "results_store") {
  const std::string dir = testing::TempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  write_file(name + "/manifest.json", R"({"scenario": {"name": "t", "variants": ["baseline", "high"]}})");
  write_file(name + "/zones.csv", "zone,name,name_en\nZ1,a,\nZ10,b,\n");
  write_file(name + "/plan_periods.csv", "variant,period,zone,births\n");
  write_file(name + "/targets.csv", "target\n");
  write_file(name + "/indicators.csv", "variant,year,zone,group,indicator,value\n" + indicators);
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

namespace {

// indicators.csv of 24 MB: variants, years, 3,000 units (one with a quoted name), three groups; the
// base year has stocks only and later years add flows (so each later block's indicators are out of id order), and
// one key is given twice far apart. Values are exact binary fractions written in full.
std::string big_indicators() {
  std::string t;
  const char* stocks[] = {"population", "share_65_plus_percent", "median_age"};
  const char* flows[] = {"births", "deaths", "tfr"};
  double x = 0.0;
  for (const char* v : {"baseline", "high"})
    for (int y = 2020; y <= 2024; ++y)
      for (int u = 0; u < 3000; ++u)
        for (const char* g : {"registered", "floating", "all"}) {
          const std::string unit = u == 7 ? "\"Z,7 \"\"old\"\"\"" : "Z" + std::to_string(u);
          for (std::size_t k = 0; k < 6; ++k) {
            if (y == 2020 && k % 2 == 1) continue;
            const char* ind = k % 2 == 0 ? stocks[k / 2] : flows[k / 2];
            x += 0.25;
            t += std::string(v) + "," + std::to_string(y) + "," + unit + "," + g + "," + ind + "," + std::to_string(x) +
                 "\n";
          }
        }
  t += "baseline,2020,Z5,all,population,-1.5\n";  // given again: the last value wins
  return t;
}

}  // namespace

// load_results(dir, threads) reads a large indicators.csv in parts on several threads: the same ids, keys and values
// as one reader, in key order, the duplicate keeping its last value.
TEST(ResultsIndicators, ReadInPartsEqualsOneReader) {
  const std::string text = big_indicators();
  ASSERT_GT(text.size(), 16u << 20);  // three parts at least (8 MiB each)
  const std::string dir = results_folder(text, "results_parts");
  const app::Results one = app::load_results(dir, 1);
  EXPECT_EQ(one.indicator("baseline", 2020, "Z5", "all", "population"), -1.5);
  EXPECT_FALSE(std::isnan(one.indicator("high", 2024, "Z,7 \"old\"", "floating", "tfr")));  // the quoted unit
  EXPECT_TRUE(std::is_sorted(one.indicator_values.begin(), one.indicator_values.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));
  for (int threads : {2, 3, 8}) {
    SCOPED_TRACE(threads);
    test::expect_same_indicators(app::load_results(dir, threads), one);
  }
}

// A part that would begin inside a quoted cell (its line break is not between rows): the file is read as one, with
// the same result; and an error in a later part names the row as one reader does.
TEST(ResultsIndicators, PartsFallBackToOneReader) {
  // One unit name of 20 MB with line breaks, so every cut lands inside its quotes.
  std::string name = "\"";
  for (int i = 0; i < 200000; ++i) name += "line " + std::to_string(i) + "\n" + std::string(90, 'n');
  name += "\"";
  const std::string text = "baseline,2020," + name + ",all,population,1\nbaseline,2020,Z1,all,population,2\n";
  const std::string dir = results_folder(text, "results_quoted_lines");
  const app::Results one = app::load_results(dir, 1);
  EXPECT_EQ(one.indicator("baseline", 2020, "Z1", "all", "population"), 2.0);
  test::expect_same_indicators(app::load_results(dir, 4), one);

  std::string bad = big_indicators();
  bad += "baseline,2021,Z1,all,births,many\n";
  const std::size_t row = static_cast<std::size_t>(std::count(bad.begin(), bad.end(), '\n')) + 1;  // header first
  const std::string bad_dir = results_folder(bad, "results_bad_value");
  for (int threads : {1, 4}) {
    try {
      app::load_results(bad_dir, threads);
      FAIL() << "expected an InputError";
    } catch (const InputError& e) {
      EXPECT_NE(
          std::string(e.what()).find("row " + std::to_string(row) + ", column 'value': expected a number, got 'many'"),
          std::string::npos)
          << e.what();
    }
  }
}

// Hostile probe, round 10: a results CSV made by hand may not make the reader hold gigabytes before its error (a
// row of 100 MB of commas is 10^8 strings; a 2 GB file of NUL bytes was one cell, read twice over by the parts'
// line search and the reader), nor quote a cell whole in the message.
TEST(ResultsCsv, RowsOverTheLimitsAreRefusedEarly) {
  const auto error_of = [](const std::string& dir, int threads) -> std::string {
    try {
      app::load_results(dir, threads);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  std::string commas = std::string(app::detail::kMaxCsvRowFields + 1, ',') + "\n";
  const std::string fields = results_folder(commas, "results_many_fields");
  EXPECT_NE(error_of(fields, 1).find("indicators.csv: row 2 holds more than 100000 fields"), std::string::npos)
      << error_of(fields, 1);
  // 80 MiB of NUL bytes after the header (a sparse file): read in parts and as one.
  const std::string sparse = results_folder("", "results_sparse");
  std::filesystem::resize_file(sparse + "/indicators.csv", std::uintmax_t{80} << 20);
  for (int threads : {1, 4})
    EXPECT_NE(error_of(sparse, threads).find("indicators.csv: row 2 holds more than 64 MiB"), std::string::npos)
        << error_of(sparse, threads);
  // The header itself that long (no line break at all).
  const std::string headless = results_folder("", "results_headless");
  write_file("results_headless/indicators.csv", "");
  std::filesystem::resize_file(headless + "/indicators.csv", std::uintmax_t{80} << 20);
  EXPECT_NE(error_of(headless, 4).find("indicators.csv: row 1 holds more than 64 MiB"), std::string::npos)
      << error_of(headless, 4);
}

TEST(ResultsIndicators, CellInAMessageIsEscapedAndCut) {
  const std::string dir =
      results_folder("baseline,2020,Z1,all,population,1" + std::string(1, '\0') + std::string(100000, 'x') + "\n",
                     "results_long_cell");
  try {
    app::load_results(dir, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("row 2, column 'value': expected a number, got '1\\x00xxx"), std::string::npos) << m;
    EXPECT_LT(m.size(), 400u);
  }
}

// An indicators.csv of a header only: `report` read the first of no years (SIGSEGV); now refused by load_results.
TEST(ResultsIndicators, NoRowsIsRefused) {
  try {
    app::load_results(results_folder("", "results_no_rows"), 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("indicators.csv: no rows; expected the indicators of every year"),
              std::string::npos)
        << e.what();
  }
}

// population.csv's ages within 0 … 1000 (2^31 − 1 overflowed the pyramids' age labels), and population.csv that is
// not a file (a FIFO was passed over: no pyramids, no error).
TEST(ResultsPopulation, AgesAndSpecialFilesAreRefused) {
  std::filesystem::remove_all(testing::TempDir() + "/results_population");  // a link and a folder of a run before
  const std::string dir = results_folder("baseline,2020,Z1,all,population,1\n", "results_population");
  const std::string head = "variant,year,zone,group,sex,age,population\n";
  write_file("results_population/population.csv", head +
                                                      "baseline,2020,Z1,total,female,0,1\n"
                                                      "baseline,2020,Z1,total,female,2147483647,1\n");
  try {
    app::load_results(dir, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("population.csv: row 3, column 'age': 2147483647; expected an age from 0 "
                                         "to 1000"),
              std::string::npos)
        << e.what();
  }
  std::filesystem::remove(dir + "/population.csv");
  std::filesystem::create_directory(dir + "/population.csv");
  try {
    app::load_results(dir, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("population.csv: a symbolic link or not a regular file"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(dir + "/population.csv");
  std::filesystem::create_symlink("/dev/zero", dir + "/results.nc");
  try {
    app::load_results(dir, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("results.nc: a symbolic link or not a regular file"), std::string::npos)
        << e.what();
  }
}
