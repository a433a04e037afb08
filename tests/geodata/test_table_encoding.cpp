// SPDX-License-Identifier: Apache-2.0
// Tables saved by Chinese Excel are often GBK: read them when the encoding is declared, and say so when it is not.
#include <gtest/gtest.h>

#include "cohortgis/geodata/table.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;

namespace {
std::string table(const std::string& name) { return std::string(COHORTGIS_FIXTURES) + "/tables/" + name; }
}  // namespace

// beijing_gbk.csv is 北京人口.csv converted with `iconv -f UTF-8 -t GBK`.
TEST(TableEncoding, GbkDeclaredReadsLikeTheUtf8Original) {
  const Table utf8 = read_table(table("北京人口.csv"), {{"区名", ColumnType::text}, {"常住人口", ColumnType::number}});
  const Table gbk = read_table(table("beijing_gbk.csv"), {{"区名", ColumnType::text}, {"常住人口", ColumnType::number}},
                               {}, "GBK");
  EXPECT_EQ(gbk.columns, utf8.columns);
  EXPECT_EQ(gbk.rows, utf8.rows);
  EXPECT_EQ(gbk.text(0, "区名"), "东城区");
  EXPECT_EQ(gbk.number(1, "常住人口"), 1106214.0);
  // Declaring UTF-8 explicitly reads the UTF-8 file the same way.
  EXPECT_EQ(read_table(table("北京人口.csv"), {}, {}, "utf-8").rows, utf8.rows);
}

TEST(TableEncoding, GbkReadAsUtf8IsAnErrorThatSaysWhatToDo) {
  try {
    read_table(table("beijing_gbk.csv"), {});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("beijing_gbk.csv"), std::string::npos) << m;
    EXPECT_NE(m.find("not valid UTF-8"), std::string::npos) << m;
    EXPECT_NE(m.find("GBK"), std::string::npos) << m;
  }
}
