// SPDX-License-Identifier: Apache-2.0
// geodata::read_table over CSV, XLSX, ODS and GeoPackage, its error messages, and sha256_file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
using cohortgis::test::data_file;
using cohortgis::test::fixture;

namespace {

// The InputError message of f(), or "" when it does not throw one.
template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::vector<ColumnSpec> kDistrictColumns = {
    {"code", ColumnType::text}, {"population", ColumnType::number}, {"area_km2", ColumnType::number}};

void expect_districts(const Table& t) {
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.text(0, "code"), "110101");
  EXPECT_EQ(t.text(0, "name"), "Dongcheng");
  EXPECT_EQ(t.number(0, "population"), 708829.0);
  EXPECT_EQ(t.number(1, "population"), 1106214.0);
  EXPECT_EQ(t.number(2, "area_km2"), 463.4);
  EXPECT_EQ(t.text(0, "note"), "core, old city");
  EXPECT_EQ(t.text(1, "note"), "");
}

}  // namespace

TEST(ReadTable, CsvValuesArriveUnchanged) {
  const Table t = read_table(fixture("tables/districts.csv"), kDistrictColumns);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"code", "name", "population", "area_km2", "note"}));
  EXPECT_EQ(t.layer, "districts");
  expect_districts(t);
  EXPECT_EQ(t.text(2, "note"), "say \"hi\"");
  EXPECT_EQ(t.text(1, "area_km2"), "50.5");  // CSV cells are text, not guessed types
}

TEST(ReadTable, SpreadsheetsGiveTheSameValues) {
  expect_districts(read_table(fixture("tables/districts.xlsx"), kDistrictColumns));
  expect_districts(read_table(fixture("tables/districts.ods"), kDistrictColumns));
}

TEST(ReadTable, Utf8FileNameAndContent) {
  const Table t = read_table(fixture("tables/北京人口.csv"), {{"代码"}, {"区名"}, {"常住人口", ColumnType::number}});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.text(0, "区名"), "东城区");
  EXPECT_EQ(t.text(1, "区名"), "西城区");
  EXPECT_EQ(t.number(1, "常住人口"), 1106214.0);
  EXPECT_EQ(t.number(0, "外省人口比例"), 0.2);
}

TEST(ReadTable, GeoPackageAttributes) {
  const Table t = read_table(data_file("geo/beijing_districts.gpkg"), {{"code"}, {"name_zh"}, {"name_en"}});
  EXPECT_EQ(t.layer, "beijing_districts");
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t.text(1, "code"), "110102");
  EXPECT_EQ(t.text(1, "name_zh"), "西城区");
  EXPECT_EQ(t.text(1, "name_en"), "Xicheng");
  const std::string msg = input_error([&] { (void)t.number(1, "name_en"); });
  EXPECT_NE(msg.find("data row 2 (feature 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Xicheng' is not a number"), std::string::npos) << msg;
}

TEST(ReadTable, MissingColumnListsTheColumnsFound) {
  const std::string path = fixture("tables/districts.csv");
  const std::string msg = input_error([&] { read_table(path, {{"code"}, {"pop_total", ColumnType::number}}); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing column 'pop_total'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("columns found: 'code', 'name', 'population', 'area_km2', 'note'"), std::string::npos) << msg;
}

TEST(ReadTable, TextInANumberCellNamesFileRowColumnAndValue) {
  const std::string path = fixture("tables/text_in_number.csv");
  const std::string msg = input_error([&] { read_table(path, {{"code"}, {"population", ColumnType::number}}); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("layer 'text_in_number'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("data row 2 (row 3 counting the header row)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 'population'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'n/a' is not a number"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected a number"), std::string::npos) << msg;
  // Not required as a number: read fine, and number() reports the same.
  const Table t = read_table(path, {{"code"}});
  EXPECT_EQ(input_error([&] { (void)t.number(1, "population"); }), msg);
}

TEST(ReadTable, NanAndDecimalCommaAreRejected) {
  const std::string nan_msg = input_error(
      [&] { read_table(fixture("tables/nan_number.csv"), {{"population", ColumnType::number}}); });
  EXPECT_NE(nan_msg.find("'nan' is not a finite number"), std::string::npos) << nan_msg;
  const std::string comma_msg = input_error(
      [&] { read_table(fixture("tables/comma_number.csv"), {{"population", ColumnType::number}}); });
  EXPECT_NE(comma_msg.find("'1,234' is not a number"), std::string::npos) << comma_msg;
  EXPECT_NE(comma_msg.find("decimal mark"), std::string::npos) << comma_msg;
}

TEST(ReadTable, ParseNumber) {
  double v = 0;
  EXPECT_TRUE(parse_number(" 12.5 ", v));
  EXPECT_EQ(v, 12.5);
  EXPECT_TRUE(parse_number("+3", v));
  EXPECT_EQ(v, 3.0);
  EXPECT_TRUE(parse_number("-1e-3", v));
  EXPECT_EQ(v, -0.001);
  // Blanks and the sign around cells longer than a short string (the cell is parsed as a view, not copied).
  EXPECT_TRUE(parse_number("\t 0.013171353594557610123 \r\n", v));
  EXPECT_EQ(v, 0.013171353594557610123);
  EXPECT_TRUE(parse_number(" +1234567890123.25", v));
  EXPECT_EQ(v, 1234567890123.25);
  for (const char* bad : {"", "  ", "abc", "1.2.3", "inf", "-inf", "nan", "1e999", "0x10", "12abc", "+", " + ",
                          "+ 5", "++5", "5 5"})
    EXPECT_FALSE(parse_number(bad, v)) << bad;
  Table t;
  t.path = "mem.csv";
  t.layer = "mem";
  t.columns = {"x"};
  t.rows = {{"1e999"}, {"-inf"}, {" "}, {"12abc"}};
  EXPECT_NE(input_error([&] { (void)t.number(0, "x"); }).find("'1e999' is not a finite number"), std::string::npos);
  EXPECT_NE(input_error([&] { (void)t.number(1, "x"); }).find("'-inf' is not a finite number"), std::string::npos);
  EXPECT_NE(input_error([&] { (void)t.number(2, "x"); }).find("data row 3 (row 4 counting the header row), column 'x': "
                                                              "the cell is empty"),
            std::string::npos);
  EXPECT_NE(input_error([&] { (void)t.number(3, "x"); }).find("'12abc' is not a number"), std::string::npos);
}

// Underflow is not "not finite": 1e-400 is below the smallest double, and the message says so (issue #17).
TEST(ReadTable, UnderflowAndQuotedCells) {
  Table t;
  t.path = "mem.csv";
  t.layer = "mem";
  t.columns = {"x"};
  t.rows = {{"1e-400"}, {std::string("ab\x01\x1b[31m") + std::string(60, 'z')}};
  const std::string under = input_error([&] { (void)t.number(0, "x"); });
  EXPECT_NE(under.find("'1e-400' is below the smallest number cohortgis represents"), std::string::npos) << under;
  // A cell is quoted escaped and cut at 40 characters: no terminal escape sequences, no walls of text.
  const std::string quoted = input_error([&] { (void)t.number(1, "x"); });
  EXPECT_NE(quoted.find("'ab\\x01\\x1b[31m"), std::string::npos) << quoted;
  EXPECT_EQ(quoted.find('\x1b'), std::string::npos) << quoted;
  EXPECT_EQ(quoted.find(std::string(40, 'z')), std::string::npos) << quoted;
  EXPECT_NE(quoted.find("…'"), std::string::npos) << quoted;
}

TEST(ReadTable, MissingEmptyAndUnreadableFiles) {
  const std::string missing = fixture("tables/does_not_exist.csv");
  std::string msg = input_error([&] { read_table(missing, {}); });
  EXPECT_NE(msg.find(missing), std::string::npos) << msg;
  EXPECT_NE(msg.find("file not found"), std::string::npos) << msg;

  msg = input_error([&] { read_table(fixture("tables/header_only.csv"), {{"code"}}); });
  EXPECT_NE(msg.find("header_only.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the table is empty"), std::string::npos) << msg;

  msg = input_error([&] { read_table(fixture("tables/not_a_table.gpkg"), {}); });
  EXPECT_NE(msg.find("not_a_table.gpkg: cannot be read as a table"), std::string::npos) << msg;

  msg = input_error([&] { read_table(fixture("tables"), {}); });
  EXPECT_NE(msg.find("is a folder"), std::string::npos) << msg;

  msg = input_error([&] { read_table(data_file("geo/beijing_districts.gpkg"), {}, "no_such_layer"); });
  EXPECT_NE(msg.find("no layer or sheet 'no_such_layer'; layers found: 'beijing_districts'"), std::string::npos)
      << msg;
}

// A CSV file of one column could not be read at all ("cannot be read as a table": GDAL's CSV driver needs two
// columns in the header line): read as the CSV layer reads a wider file, a UTF-8 BOM and quotes taken off, blank
// lines skipped; a cell past the first column, a text in a number column, a missing column and a header without rows
// are errors naming the file and row as for any table.
TEST(ReadTable, OneColumnCsvIsATable) {
  const auto write = [](const char* name, const std::string& text) {
    const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                    ("cohortgis_one_column_" + std::to_string(::getpid()) + "_" + name + ".csv");
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  };
  const std::string zones = write("zones", "\xEF\xBB\xBF\"zone\"\nA\n\n\"B, the second\"\nC\n");
  const Table t = read_table(zones, {{"zone", ColumnType::text}});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.columns, std::vector<std::string>{"zone"});
  EXPECT_EQ(t.text(1, "zone"), "B, the second");
  EXPECT_EQ(t.text(2, "zone"), "C");
  const std::string values = write("values", "persons\n12\n3.5\n");
  EXPECT_EQ(read_table(values, {{"persons", ColumnType::number}}).number(1, "persons"), 3.5);
  std::string msg = input_error([&] { read_table(write("extra", "zone\nA\nB,7\n"), {{"zone"}}); });
  EXPECT_NE(msg.find("data row 2"), std::string::npos) << msg;
  msg = input_error([&] { read_table(write("text", "persons\n12\nmany\n"), {{"persons", ColumnType::number}}); });
  EXPECT_NE(msg.find("data row 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'many'"), std::string::npos) << msg;
  msg = input_error([&] { read_table(values, {{"zone"}}); });
  EXPECT_NE(msg.find("missing column zone; columns found: 'persons'"), std::string::npos) << msg;
  msg = input_error([&] { read_table(write("empty", "zone\n\n"), {{"zone"}}); });
  EXPECT_NE(msg.find("the table is empty"), std::string::npos) << msg;
}

TEST(Sha256File, KnownDigests) {
  // Digests from coreutils sha256sum and data/geo/DATA.md.
  EXPECT_EQ(sha256_file(fixture("tables/districts.csv")),
            "4423ec448d891ac4e8d3f16a62410c63614775ef67d6064eda67fb3d5db629d7");
  EXPECT_EQ(sha256_file(data_file("geo/beijing_districts.gpkg")),
            "c123df7830d3c7de475b6082d53ad5f48a11ac090f6e47c234538f0364a47d03");
  const auto empty = std::filesystem::temp_directory_path() / ("cohortgis_empty_" + std::to_string(::getpid()));
  std::ofstream(empty).close();
  EXPECT_EQ(sha256_file(empty.string()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Longer than one read buffer (1 MiB): 3,000,000 'a' (digest from coreutils sha256sum).
  std::ofstream(empty, std::ios::binary) << std::string(3000000, 'a');
  EXPECT_EQ(sha256_file(empty.string()), "2a152c894398719c0570f83fac34ac03a0f6e8e474b995c2403aa5434f7b9dd4");
  // FIPS 180-2, appendix B.1: SHA-256("abc").
  EXPECT_EQ(sha256_text("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::filesystem::remove(empty);
  const std::string msg = input_error([&] { sha256_file(fixture("tables/does_not_exist.csv")); });
  EXPECT_NE(msg.find("does_not_exist.csv: cannot be opened"), std::string::npos) << msg;
}
