// SPDX-License-Identifier: Apache-2.0
// Zones and tables as older Chinese data comes: a GBK Shapefile without .cpg is refused with the advice to declare
// its encoding, and read like the UTF-8 original when the encoding is declared (issue #18).
#include <gtest/gtest.h>

#include <cstdlib>

#include <string>

#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "error_of.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;

using cohortgis::test::error_of;

namespace {

std::string data_file(const std::string& rel) { return std::string(COHORTGIS_DATA) + "/" + rel; }
// beijing_gbk.shp: data/geo/beijing_districts.gpkg written with ogr2ogr -lco ENCODING=GBK, the .cpg removed
// (tests/fixtures/geo/README.md); fields code, name_zh (GBK text), 区名 (a GBK field name), name_en.
std::string gbk_shp() { return std::string(COHORTGIS_FIXTURES) + "/geo/beijing_gbk.shp"; }

Zones utf8_original() {
  return load_zones({.path = data_file("geo/beijing_districts.gpkg"), .id_field = "code", .name_field = "name_zh"});
}

}  // namespace

TEST(ZoneEncoding, GbkWithoutCpgIsRefusedWithTheAdvice) {
  const std::string m =
      error_of([] { (void)load_zones({.path = gbk_shp(), .id_field = "code", .name_field = "name_zh"}); });
  EXPECT_NE(m.find("beijing_gbk.shp"), std::string::npos) << m;
  EXPECT_NE(m.find("feature 0, field 'name_zh'"), std::string::npos) << m;
  EXPECT_NE(m.find("not valid UTF-8"), std::string::npos) << m;
  EXPECT_NE(m.find("encoding = \"GBK\""), std::string::npos) << m;
  // Raw GBK bytes are quoted escaped (东 is B6 AB in GBK), never as they are.
  EXPECT_NE(m.find("\\xb6"), std::string::npos) << m;
}

TEST(ZoneEncoding, GbkFieldNameWithoutDeclarationSaysWhy) {
  const std::string m =
      error_of([] { (void)load_zones({.path = gbk_shp(), .id_field = "code", .name_field = "区名"}); });
  EXPECT_NE(m.find("missing field '区名'"), std::string::npos) << m;
  EXPECT_NE(m.find("field names are not valid UTF-8"), std::string::npos) << m;
}

// SHAPE_ENCODING in the environment made GDAL recode an undeclared DBF (here from Latin-1): the GBK names became
// valid UTF-8 of the wrong characters and were taken without a word (hostile probe of round 26).
TEST(ZoneEncoding, ShapeEncodingInTheEnvironmentDoesNotRecodeAnUndeclaredDbf) {
  for (const char* env : {"CP1252", "ISO-8859-1"}) {
    ::setenv("SHAPE_ENCODING", env, 1);
    const std::string m =
        error_of([] { (void)load_zones({.path = gbk_shp(), .id_field = "code", .name_field = "name_zh"}); });
    ::unsetenv("SHAPE_ENCODING");
    EXPECT_NE(m.find("not valid UTF-8"), std::string::npos) << env << ": " << m;
  }
  // A declared encoding is still read as declared.
  ::setenv("SHAPE_ENCODING", "CP1252", 1);
  const Zones z = load_zones({.path = gbk_shp(), .id_field = "code", .name_field = "name_zh", .encoding = "GBK"});
  ::unsetenv("SHAPE_ENCODING");
  EXPECT_EQ(z.names(), utf8_original().names());
}

TEST(ZoneEncoding, DeclaredGbkReadsLikeTheUtf8Original) {
  const Zones want = utf8_original();
  for (const char* field : {"name_zh", "区名"}) {
    const Zones z = load_zones({.path = gbk_shp(), .id_field = "code", .name_field = field, .encoding = "GBK"});
    EXPECT_EQ(z.ids(), want.ids()) << field;
    EXPECT_EQ(z.names(), want.names()) << field;
  }
  // GB18030 is a superset of GBK: the same text.
  EXPECT_EQ(load_zones({.path = gbk_shp(), .id_field = "code", .name_field = "name_zh", .encoding = "gb18030"}).names(),
            want.names());
  EXPECT_EQ(want.names()[0], "东城区");
}

TEST(ZoneEncoding, UnknownEncodingNamesTheSource) {
  const std::string m =
      error_of([] { (void)load_zones({.path = gbk_shp(), .id_field = "code", .encoding = "GBX-2312"}); });
  EXPECT_NE(m.find("beijing_gbk.shp: unknown text encoding 'GBX-2312'"), std::string::npos) << m;
  // iconv's suffixes (//TRANSLIT, //IGNORE) would silently drop or replace text: not an encoding name.
  EXPECT_NE(error_of([] { check_encoding("GBK//IGNORE", "x"); }).find("unknown text encoding"), std::string::npos);
  EXPECT_NO_THROW(check_encoding("", "x"));
  EXPECT_NO_THROW(check_encoding("utf_8", "x"));
  EXPECT_NO_THROW(check_encoding("CP936", "x"));
}

TEST(ZoneEncoding, DbfTableWithDeclaredEncoding) {
  // The same DBF read as a table: GDAL's Shapefile driver recodes it once (not a second time by cohortgis).
  const std::string dbf = std::string(COHORTGIS_FIXTURES) + "/geo/beijing_gbk.dbf";
  const Table t = read_table(dbf, {{"区名", ColumnType::text}}, {}, "GBK");
  EXPECT_EQ(t.text(0, "区名"), "东城区");
  EXPECT_EQ(t.text(1, "name_zh"), "西城区");
  const std::string m = error_of([&] { (void)read_table(dbf, {}); });
  EXPECT_NE(m.find("not valid UTF-8"), std::string::npos) << m;
}

TEST(ZoneEncoding, RecodingChecksTheBytes) {
  // 东 is GB 2312 row 22, column 11, so B6 AB in GBK (0xA0 + 22, 0xA0 + 11).
  EXPECT_EQ(to_utf8("\xb6\xab", "GBK", "x"), "东");
  // A lone lead byte is not GBK text.
  const std::string m = error_of([] { (void)to_utf8("A\xb6", "GBK", "somewhere"); });
  EXPECT_NE(m.find("somewhere: 'A\\xb6' is not valid GBK text"), std::string::npos) << m;
}
