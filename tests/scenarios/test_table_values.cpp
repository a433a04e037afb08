// SPDX-License-Identifier: Apache-2.0
// The table-reading layer (scenarios/src/toml_doc.hpp): value maps, built-in sex spellings, age labels, and the UN's
// WPP 2022 files (tests/fixtures/wpp2022, made from the shared WPP data by make_fixture.py there).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"
#include "scratch_dir.hpp"
#include "toml_doc.hpp"

using namespace cohortgis;
using namespace cohortgis::scenarios::detail;
namespace fs = std::filesystem;

namespace {

const std::string kWpp = std::string(COHORTGIS_FIXTURES) + "/wpp2022";
const std::string kLife = kWpp + "/WPP2022_Life_Table_Abridged_Medium_1950-2021.csv";
const std::string kFert = kWpp + "/WPP2022_Fertility_by_Age5.csv";
const std::string kPop5 = kWpp + "/WPP2022_PopulationByAge5GroupSex_Medium.csv";
const std::string kPop1 = kWpp + "/WPP2022_PopulationBySingleAgeSex_Medium_1950-2021.csv";

fs::path temp_dir() {
  static const cohortgis::test::ScratchDir d("cohortgis_table_values");
  return d.path();
}

std::string write_file(const std::string& name, const std::string& text) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// One table reference `section.key = …` parsed from TOML text, with its document.
struct Ref {
  toml::table root;
  Doc doc;
  TableRef ref;
  Ref(const std::string& section, const std::string& key, const std::string& value,
      std::initializer_list<std::string_view> logical) {
    const std::string text = "[" + section + "]\n" + key + " = " + value + "\n";
    root = toml::parse(std::string_view(text), std::string_view("test.toml"));
    doc.file = "test.toml";
    doc.dir = temp_dir().string();
    doc.data_dir = temp_dir().string();
    doc.grant({{COHORTGIS_FIXTURES}, {}});  // the input sandbox: these folders and the fixtures (as --allow-read)
    ref = table_ref(doc, *root[section][key].node(), section + "." + key, logical);
  }
  Rows read(const std::vector<std::string>& required, const std::vector<std::string>& numbers) const {
    return read_rows(doc, ref, required, numbers);
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kCodes = write_file("codes.csv",
                                      "age,xb,hj,population\n"
                                      "0,1,户籍,10\n"
                                      "0,2,户籍,11\n"
                                      "5,1,流动,12\n"
                                      "5,2,流动,13\n");

}  // namespace

// Numbers in messages: −0 reads "0" (a relocation out of a zone set to -0.0 persons said "out of -0").
TEST(MessageNumbers, NegativeZeroIsZero) {
  EXPECT_EQ(fmt(-0.0), "0");
  EXPECT_EQ(fmt(-0.0, 6), "0");
  EXPECT_EQ(fmt(0.0), "0");
  EXPECT_EQ(fmt(-1e-300 * 1e-300), "0");  // a product that rounds to −0
  EXPECT_EQ(fmt(-2.5), "-2.5");
}

TEST(ValueMaps, CodesBecomeTheValuesBuildersExpect) {
  Ref t("base_population", "table",
        R"({ path = "codes.csv", columns = { sex = "xb", group = "hj" }, values = { sex = { "1" = "male", "2" = "female" }, group = { "户籍" = "registered", "流动" = "floating" } } })",
        {"zone", "group", "sex", "age", "population"});
  const Rows rows = t.read({"sex", "group", "age", "population"}, {"age", "population"});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.text(0, "sex"), "male");
  EXPECT_EQ(rows.text(1, "sex"), "female");
  EXPECT_EQ(rows.text(0, "group"), "registered");
  EXPECT_EQ(rows.text(3, "group"), "floating");
  EXPECT_EQ(rows.number(3, "population"), 13.0);
}

TEST(ValueMaps, StreamedRowsAreMappedToo) {
  Ref t("base_population", "table",
        R"({ path = "codes.csv", columns = { sex = "xb", group = "hj" }, values = { sex = { "1" = "male", "2" = "female" }, group = { "户籍" = "registered", "流动" = "floating" } } })",
        {"zone", "group", "sex", "age", "population"});
  std::vector<std::string> seen;
  stream_rows(t.doc, t.ref, {"sex", "group", "age"}, {"age"},
              [&](const Rows& r) { seen.push_back(r.text(0, "sex") + "/" + r.text(0, "group")); });
  EXPECT_EQ(seen, (std::vector<std::string>{"male/registered", "female/registered", "male/floating", "female/floating"}));
}

TEST(ValueMaps, UnknownCodeNamesValueFileRowColumnAndAcceptedValues) {
  write_file("codes3.csv", "age,xb,population\n0,1,10\n0,3,11\n");
  Ref t("mortality", "mx", R"({ path = "codes3.csv", columns = { sex = "xb" }, values = { sex = { "1" = "male", "2" = "female" } } })",
        {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"sex", "age"}, {"age"}); });
  EXPECT_NE(e.find("key 'mortality.mx'"), std::string::npos) << e;
  EXPECT_NE(e.find("codes3.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("data row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("column 'xb'"), std::string::npos) << e;
  EXPECT_NE(e.find("\"3\" is not one of the values mapped by values.sex"), std::string::npos) << e;
  EXPECT_NE(e.find("expected one of: \"1\", \"2\""), std::string::npos) << e;
  // Streamed: the same message.
  const std::string s = error_of([&] { stream_rows(t.doc, t.ref, {"sex", "age"}, {"age"}, [](const Rows&) {}); });
  EXPECT_NE(s.find("data row 2"), std::string::npos) << s;
  EXPECT_NE(s.find("\"3\" is not one of"), std::string::npos) << s;
}

TEST(ValueMaps, LongOrOddValuesAreEscapedAndCut) {
  // geodata::escape_cell in quotes: backslashes and control characters as \xNN, cut at 40 characters.
  EXPECT_EQ(quote_cell("a\"b\\c\td"), "\"a\"b\\x5cc\\x09d\"");
  EXPECT_EQ(quote_cell(std::string(45, 'x')), "\"" + std::string(40, 'x') + "…\"");
  EXPECT_EQ(quote_cell("女女"), "\"女女\"");
  EXPECT_EQ(quote_cell(std::string("\xff") + "a"), "\"\\xffa\"");  // a stray byte, not half a character
  std::string forty_two_han;
  for (int i = 0; i < 42; ++i) forty_two_han += "女";
  std::string forty_han;
  for (int i = 0; i < 40; ++i) forty_han += "女";
  EXPECT_EQ(quote_cell(forty_two_han), "\"" + forty_han + "…\"");  // cut between characters
}

TEST(ValueMaps, BuiltInSexSpellingsWithoutAMap) {
  write_file("sexes.csv", "age,sex,mx\n0,female,1\n0,male,1\n0,f,1\n0,m,1\n0,F,1\n0,M,1\n0,Female,1\n0,Male,1\n0,女,1\n0,男,1\n0,x,1\n");
  Ref t("mortality", "mx", R"("sexes.csv")", {"age", "sex", "value"});
  const Rows rows = t.read({"sex", "age"}, {"age"});
  const std::vector<std::string> want = {"female", "male", "female", "male", "female", "male",
                                         "female", "male", "female", "male", "x"};  // x: the builder's error
  ASSERT_EQ(rows.size(), want.size());
  for (std::size_t r = 0; r < want.size(); ++r) EXPECT_EQ(rows.text(r, "sex"), want[r]) << r;
}

TEST(ValueMaps, DeclarationErrors) {
  EXPECT_NE(error_of([] { Ref t("mortality", "mx", R"({ path = "codes.csv", values = { colour = { "1" = "red" } } })", {"age", "sex", "value"}); })
                .find("key 'mortality.mx.values.colour': unknown column role"),
            std::string::npos);
  EXPECT_NE(error_of([] { Ref t("mortality", "mx", R"({ path = "codes.csv", values = { sex = { "1" = "man" } } })", {"age", "sex", "value"}); })
                .find("key 'mortality.mx.values.sex.1': expected \"female\" or \"male\", got \"man\""),
            std::string::npos);
  EXPECT_NE(error_of([] { Ref t("mortality", "mx", R"({ path = "codes.csv", values = { sex = {} } })", {"age", "sex", "value"}); })
                .find("empty table"),
            std::string::npos);
  EXPECT_NE(error_of([] { Ref t("mortality", "mx", R"({ path = "codes.csv", ages = "words" })", {"age", "sex", "value"}); })
                .find("key 'mortality.mx.ages': expected \"labels\""),
            std::string::npos);
}

struct LabelCase {
  const char* label;
  int age;
};
// ASCII names for ctest (gtest_discover_tests shows the parameter): bytes outside ASCII as \xNN.
void PrintTo(const LabelCase& c, std::ostream* os) {
  std::string s;
  for (const char* p = c.label; *p; ++p) {
    const auto b = static_cast<unsigned char>(*p);
    char buf[8];
    std::snprintf(buf, sizeof buf, b < 0x80 && b >= 0x20 ? "%c" : "\\x%02X", b);
    s += buf;
  }
  *os << "'" << s << "' -> " << c.age;
}
class AgeLabel : public ::testing::TestWithParam<LabelCase> {};
TEST_P(AgeLabel, FirstAgeOfTheGroup) {
  int age = -1;
  EXPECT_TRUE(age_label_start(GetParam().label, age)) << GetParam().label;
  EXPECT_EQ(age, GetParam().age) << GetParam().label;
}
INSTANTIATE_TEST_SUITE_P(
    Forms, AgeLabel,
    ::testing::Values(LabelCase{"0岁", 0}, LabelCase{"1-4岁", 1}, LabelCase{"0-4岁", 0}, LabelCase{"5～9岁", 5},
                      LabelCase{"5~9岁", 5}, LabelCase{"5〜9岁", 5}, LabelCase{"10—14岁", 10}, LabelCase{"10–14", 10},
                      LabelCase{"15至19岁", 15}, LabelCase{"85岁及以上", 85}, LabelCase{"85岁以上", 85},
                      LabelCase{"100岁及以上", 100}, LabelCase{"100+", 100}, LabelCase{"85+", 85}, LabelCase{"0-4", 0},
                      LabelCase{"85 and over", 85}, LabelCase{"85 years and over", 85}, LabelCase{"7", 7},
                      LabelCase{" 20 - 24 岁 ", 20}, LabelCase{"２０－２４岁", 20}, LabelCase{"不满1岁", 0},
                      LabelCase{"95-99 years", 95}));

TEST(AgeLabels, UnreadableLabelsAreRefused) {
  for (const char* bad : {"", "合计", "abc", "5-", "-5", "9-5", "85 and under", "5-9-14", "12345", "1.5"}) {
    int age = -1;
    EXPECT_FALSE(age_label_start(bad, age)) << bad;
  }
}

TEST(AgeLabels, ReadAsTheFirstAgeWhenDeclared) {
  write_file("labels.csv", "年龄,sex,mx\n0岁,女,0.01\n1-4岁,女,0.001\n5～9岁,女,0.0005\n85岁及以上,女,0.1\n");
  Ref t("mortality", "mx", R"({ path = "labels.csv", ages = "labels", columns = { age = "年龄", value = "mx" } })",
        {"age", "sex", "value"});
  const Rows rows = t.read({"age", "sex", "value"}, {"age", "value"});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.number(0, "age"), 0.0);
  EXPECT_EQ(rows.number(1, "age"), 1.0);
  EXPECT_EQ(rows.number(2, "age"), 5.0);
  EXPECT_EQ(rows.number(3, "age"), 85.0);
  EXPECT_EQ(rows.text(3, "sex"), "female");
}

TEST(AgeLabels, UnreadableLabelNamesFileRowColumnAndForms) {
  write_file("labels_bad.csv", "年龄,sex,mx\n0岁,女,0.01\n合计,女,0.001\n");
  Ref t("mortality", "mx", R"({ path = "labels_bad.csv", ages = "labels", columns = { age = "年龄", value = "mx" } })",
        {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("labels_bad.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("data row 2"), std::string::npos) << e;
  EXPECT_NE(e.find("column '年龄'"), std::string::npos) << e;
  EXPECT_NE(e.find("\"合计\" is not an age label"), std::string::npos) << e;
  EXPECT_NE(e.find("85岁及以上"), std::string::npos) << e;  // the forms accepted
}

TEST(AgeLabels, WithoutTheDeclarationAgesAreNumbers) {
  write_file("labels_undeclared.csv", "age,sex,mx\n0-4,female,0.01\n");
  Ref t("mortality", "mx", R"({ path = "labels_undeclared.csv", columns = { value = "mx" } })", {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("'0-4' is not a number"), std::string::npos) << e;
}

// ---- the UN's WPP 2022 files ----

TEST(WppFiles, MortalityMxOfOneLocationVariantAndYear) {
  for (const char* loc : {R"("CHN")", "156", R"("China")"}) {
    Ref t("mortality", "mx",
          "{ path = \"" + kLife + "\", wpp = { location = " + loc + ", variant = \"Medium\" }, filter = { Time = 2012 } }",
          {"age", "sex", "value", "zone", "year"});
    EXPECT_TRUE(t.ref.wpp.on);
    EXPECT_EQ(t.ref.column("value"), "mx");
    EXPECT_EQ(t.ref.column("year"), "Time");
    EXPECT_EQ(t.ref.column("age"), "AgeGrpStart");
    EXPECT_EQ(t.ref.column("sex"), "Sex");
    EXPECT_EQ(t.ref.column("zone"), "zone");  // a national schedule is not tied to a zone
    const Rows rows = t.read({"age", "sex", "value"}, {"age", "value"});
    ASSERT_EQ(rows.size(), 44u) << loc;  // 22 age groups × 2 sexes; the Total rows are dropped
    std::map<std::string, int> sexes;
    for (std::size_t r = 0; r < rows.size(); ++r) ++sexes[rows.text(r, "sex")];
    EXPECT_EQ(sexes, (std::map<std::string, int>{{"female", 22}, {"male", 22}}));
    // wpp2022 mx5dt, China 2010-2015 (shared data mortality_mx_abridged_2010_2020.csv).
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (rows.text(r, "sex") != "female") continue;
      if (rows.number(r, "age") == 0) {
        EXPECT_EQ(rows.number(r, "value"), 0.01055509);
      } else if (rows.number(r, "age") == 1) {
        EXPECT_EQ(rows.number(r, "value"), 0.00055937);
      }
    }
    EXPECT_NE(rows.where(0, "value").find("column 'mx'"), std::string::npos);
    // Kept rows name their own row of the file: CHN 2010 and 2011 come first (2 × 66 rows).
    EXPECT_NE(rows.where(0, "value").find("data row 133 "), std::string::npos) << rows.where(0, "value");
  }
}

TEST(WppFiles, ValuesEqualTheSharedFigures) {
  // The product's copy of the UN figures (data/wpp, identical to the shared source the fixture was made from).
  const std::string data = std::string(COHORTGIS_DATA) + "/wpp";
  // Every mx of both locations and both periods, as written.
  const auto mx = test::read_csv(data + "/mortality_mx_abridged_2010_2020.csv");
  int checked = 0;
  for (const char* iso3 : {"CHN", "JPN"})
    for (int year : {2010, 2017}) {
      Ref t("mortality", "mx",
            "{ path = \"" + kLife + "\", wpp = { location = \"" + iso3 + "\" }, filter = { Time = " +
                std::to_string(year) + " } }",
            {"age", "sex", "value"});
      const Rows rows = t.read({"age", "sex", "value"}, {"age", "value"});
      ASSERT_EQ(rows.size(), 44u);
      for (std::size_t i = 0; i < mx.rows.size(); ++i) {
        if (mx.at(i, "iso3") != iso3 || std::stoi(mx.at(i, "period_start")) > year ||
            std::stoi(mx.at(i, "period_end")) < year)
          continue;
        for (std::size_t r = 0; r < rows.size(); ++r)
          if (rows.text(r, "sex") == mx.at(i, "sex") && rows.number(r, "age") == mx.num(i, "age_start")) {
            EXPECT_EQ(rows.number(r, "value"), mx.num(i, "mx"));
            ++checked;
          }
      }
    }
  EXPECT_EQ(checked, 2 * 2 * 44);
  // Population by single age, 1 July 2020, both locations: PopFemale and PopMale as written.
  const auto pop = test::read_csv(data + "/population_single_age_2010_2020.csv");
  for (const char* iso3 : {"CHN", "JPN"}) {
    Ref t("base_population", "table",
          "{ path = \"" + kPop1 + "\", wpp = { location = \"" + iso3 + "\" }, filter = { Time = 2020 } }",
          {"zone", "group", "sex", "age", "population"});
    const Rows rows = t.read({"zone", "sex", "age", "population"}, {"age", "population"});
    ASSERT_EQ(rows.size(), 200u);
    std::map<std::pair<std::string, int>, double> got;
    for (std::size_t r = 0; r < rows.size(); ++r)
      got[{rows.text(r, "sex"), static_cast<int>(rows.number(r, "age"))}] = rows.number(r, "population");
    int n = 0;
    for (std::size_t i = 0; i < pop.rows.size(); ++i)
      if (pop.at(i, "iso3") == iso3 && pop.at(i, "year") == "2020") {
        EXPECT_EQ((got[{pop.at(i, "sex"), std::stoi(pop.at(i, "age"))}]), pop.num(i, "pop_thousands"));
        ++n;
      }
    EXPECT_EQ(n, 200);
  }
  // ASFR per 1,000 women = pasfr_percent / 100 × tfr(year) / 5 × 1000 (README.md of the fixture).
  const auto fert = test::read_csv(data + "/fertility_asfr_5y_2010_2020.csv");
  const auto tfr = test::read_csv(data + "/tfr_annual_2010_2020.csv");
  double tfr_2013 = 0;
  for (std::size_t i = 0; i < tfr.rows.size(); ++i)
    if (tfr.at(i, "iso3") == "JPN" && tfr.at(i, "year") == "2013") tfr_2013 = tfr.num(i, "tfr");
  Ref t("fertility", "schedule", "{ path = \"" + kFert + "\", wpp = { location = \"Japan\" }, filter = { Time = 2013 } }",
        {"age", "value", "zone", "group"});
  const Rows rows = t.read({"age", "value"}, {"age", "value"});
  ASSERT_EQ(rows.size(), 9u);
  for (std::size_t i = 0; i < fert.rows.size(); ++i)
    if (fert.at(i, "iso3") == "JPN" && fert.at(i, "period") == "2010-2015")
      for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows.number(r, "age") == fert.num(i, "age_start")) {
          EXPECT_NEAR(rows.number(r, "value"), fert.num(i, "pasfr_percent") / 100 * tfr_2013 / 5 * 1000, 1e-8);
        }
}

TEST(WppFiles, LifeTableReadsEveryColumn) {
  Ref t("mortality", "life_table", "{ path = \"" + kLife + "\", wpp = { location = \"JPN\" }, filter = { Time = 2019 } }",
        {"age", "sex", "year"});
  for (const char* c : {"mx", "qx", "px", "lx", "dx", "Lx", "Sx", "Tx", "ex", "ax"}) EXPECT_EQ(t.ref.column(c), c);
  EXPECT_EQ(t.ref.wpp.value_columns.size(), 10u);
  const Rows rows = t.read({"age", "sex", "mx", "qx", "lx", "Lx", "ex"}, {"age", "mx", "qx", "lx", "Lx", "ex"});
  ASSERT_EQ(rows.size(), 44u);
  EXPECT_EQ(rows.number(0, "lx"), 100000.0);
  EXPECT_EQ(rows.number(21, "qx"), 1.0);  // the open group 100+
}

// The UN's abridged Sx (DemoTools' lt_id_Ll_S on the rows 0, 1, 5, …; the fixture's Sx the same) are the five-year
// grid's survival ratios one row earlier: rows 0, 1, 5, …, 95 are the groups 0, 5, …, 100+ (row 100+ a placeholder
// 0). So `Sx` on that file gives the survival ratios that `Lx` on the same file gives (A1), not a shifted or
// refused table.
TEST(WppFiles, AbridgedSxRowsAreTheFiveYearGridsRatios) {
  const std::string head =
      "[scenario]\nname = \"wpp-sx\"\n[geography]\nzones = [ { id = \"JPN\" } ]\n"
      "[projection]\nbase_year = 2019\nhorizon = 2024\nstep = 5\nopen_age = 100\n"
      "[base_population]\ntable = \"frame:base\"\n"
      "[fertility]\nschedule = { path = \"frame:asfr\", unit = \"per_woman\" }\nsrb = 105\n[mortality]\n";
  const scenarios::MemoryTables frames{{"base",
                                        {{"zone", "sex", "age", "population"},
                                         {{"JPN", "female", "20", "100"},
                                          {"JPN", "male", "20", "100"},
                                          {"JPN", "female", "100", "0"},
                                          {"JPN", "male", "100", "0"}}}},
                                       {"asfr", {{"age", "value"}, {{"20", "0.1"}}}}};
  const auto load = [&](const std::string& form) {
    return scenarios::load_scenario_text(head + form + " = { path = \"" + kLife.substr(kWpp.size() + 1) +
                                             "\", wpp = { location = \"JPN\" }, filter = { Time = 2019 } }\n",
                                         "wpp_sx", kWpp, COHORTGIS_DATA, frames)
        .runs.front();
  };
  const scenarios::Scenario by_sx = load("Sx");
  const scenarios::Scenario by_lx = load("Lx");
  const StepSchedules& s = by_sx.schedules.front();
  const StepSchedules& l = by_lx.schedules.front();
  ASSERT_EQ(s.mortality_kind, MortalityInput::survival_ratios);
  ASSERT_EQ(l.mortality_kind, MortalityInput::person_years);
  const std::size_t A = static_cast<std::size_t>(by_sx.grid.n_ages), R = 22;  // 0, 1, 5, …, 100+
  ASSERT_EQ(s.mortality.size(), 2 * A);
  ASSERT_EQ(l.mortality.size(), 2 * R);
  for (std::size_t sex = 0; sex < 2; ++sex) {
    std::vector<double> S(A);
    survival_ratios(std::span(l.mortality).subspan(sex * R, R), l.person_years_layout, l.radix_l0[sex], by_lx.grid, S);
    for (std::size_t i = 0; i < A; ++i)  // the file's Sx and Lx are written with 10 digits
      EXPECT_NEAR(s.mortality[sex * A + i], S[i], 2e-9 * S[i]) << "sex " << sex << ", group " << i;
  }
  // On an 85+ grid the file's rows past 80 cannot be folded into ratios: refused, naming both accepted layouts.
  std::string h85 = head;
  h85.replace(h85.find("open_age = 100"), 14, "open_age = 85");  // the base rows at 100 are summed into 85+
  const std::string e = error_of([&] {
    (void)scenarios::load_scenario_text(h85 + "Sx = { path = \"" + kLife.substr(kWpp.size() + 1) +
                                            "\", wpp = { location = \"JPN\" }, filter = { Time = 2019 } }\n",
                                        "wpp_sx", kWpp, COHORTGIS_DATA, frames);
  });
  EXPECT_NE(e.find("grid (0, 5, …, 85+); ratios past the open age cannot be folded"), std::string::npos) << e;
  EXPECT_NE(e.find("; the UN's abridged rows must be 0, 1, 5, …, 80 (and 85+) for this grid"), std::string::npos) << e;
}

TEST(WppFiles, FertilityAsfrIsPerThousandWomen) {
  Ref t("fertility", "schedule", "{ path = \"" + kFert + "\", wpp = { location = \"CHN\", variant = \"Medium\" } }",
        {"age", "value", "zone", "group", "year"});
  EXPECT_EQ(t.ref.column("value"), "ASFR");
  EXPECT_EQ(t.ref.unit, "per_1000_women");
  const Rows rows = t.read({"age", "value", "year"}, {"age", "value", "year"});
  EXPECT_EQ(rows.size(), 11u * 9);  // 2010–2020 × ages 10–14 … 50–54
  // A unit that contradicts the file's is refused.
  const std::string e = error_of([] {
    Ref u("fertility", "schedule", "{ path = \"" + kFert + "\", unit = \"per_woman\", wpp = { location = \"CHN\" } }",
          {"age", "value"});
  });
  EXPECT_NE(e.find("key 'fertility.schedule.unit'"), std::string::npos) << e;
}

TEST(WppFiles, PopulationRowsSplitIntoFemaleAndMale) {
  Ref t("base_population", "table", "{ path = \"" + kPop5 + "\", wpp = { location = \"CHN\" }, filter = { Time = 2010 } }",
        {"zone", "group", "sex", "age", "population"});
  EXPECT_EQ(t.ref.unit, "thousands");
  EXPECT_TRUE(t.ref.wpp.wide);
  EXPECT_EQ(t.ref.column("zone"), "ISO3_code");
  const Rows rows = t.read({"zone", "sex", "age", "population"}, {"age", "population"});
  ASSERT_EQ(rows.size(), 40u);  // 20 groups × 2 sexes
  EXPECT_EQ(rows.text(0, "zone"), "CHN");
  EXPECT_EQ(rows.text(0, "sex"), "female");
  EXPECT_EQ(rows.text(1, "sex"), "male");
  EXPECT_EQ(rows.number(0, "population"), 39501.794);  // fixture: sum of single ages 0–4 of the shared data
  EXPECT_EQ(rows.number(1, "population"), 46336.067);
  EXPECT_NE(rows.where(0, "population").find("data row 1 "), std::string::npos) << rows.where(0, "population");
  EXPECT_NE(rows.where(0, "population").find("column 'PopFemale'"), std::string::npos);
  EXPECT_NE(rows.where(1, "population").find("column 'PopMale'"), std::string::npos);
  // Streamed (the base-population reader streams): the same rows.
  std::vector<std::pair<std::string, double>> seen;
  stream_rows(t.doc, t.ref, {"zone", "sex", "age", "population"}, {"age", "population"},
              [&](const Rows& r) { seen.emplace_back(r.text(0, "sex"), r.number(0, "population")); });
  ASSERT_EQ(seen.size(), 40u);
  EXPECT_EQ(seen[0], (std::pair<std::string, double>{"female", 39501.794}));
  EXPECT_EQ(seen[1], (std::pair<std::string, double>{"male", 46336.067}));
}

TEST(WppFiles, MissingLocationNamesFileLocationAndSomeLocations) {
  Ref t("mortality", "mx", "{ path = \"" + kLife + "\", wpp = { location = \"NGA\" } }", {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("test.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("key 'mortality.mx.wpp.location'"), std::string::npos) << e;
  EXPECT_NE(e.find("WPP2022_Life_Table_Abridged_Medium_1950-2021.csv has no rows for location \"NGA\""), std::string::npos) << e;
  EXPECT_NE(e.find("China (CHN, LocID 156); Japan (JPN, LocID 392)"), std::string::npos) << e;
  const std::string s = error_of([&] { stream_rows(t.doc, t.ref, {"age", "sex", "value"}, {}, [](const Rows&) {}); });
  EXPECT_NE(s.find("no rows for location \"NGA\""), std::string::npos) << s;
}

TEST(WppFiles, MissingVariantNamesTheVariantsThere) {
  Ref t("mortality", "mx", "{ path = \"" + kLife + "\", wpp = { location = \"CHN\", variant = \"High\" } }",
        {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("key 'mortality.mx.wpp.variant'"), std::string::npos) << e;
  EXPECT_NE(e.find("no rows of variant \"High\" for location \"CHN\"; variants there: Medium"), std::string::npos) << e;
}

TEST(WppFiles, StreamedReadersGetTheSameErrors) {
  Ref t("base_population", "table", "{ path = \"" + kPop1 + "\", wpp = { location = \"JPN\", variant = \"Low\" } }",
        {"zone", "group", "sex", "age", "population"});
  const std::string e = error_of([&] { stream_rows(t.doc, t.ref, {"zone", "sex", "age", "population"}, {}, [](const Rows&) {}); });
  EXPECT_NE(e.find("key 'base_population.table.wpp.variant'"), std::string::npos) << e;
  EXPECT_NE(e.find("no rows of variant \"Low\" for location \"JPN\"; variants there: Medium"), std::string::npos) << e;
}

TEST(WppFiles, AFilterThatKeepsNothingSaysSo) {
  Ref t("mortality", "mx", "{ path = \"" + kLife + "\", wpp = { location = \"CHN\" }, filter = { Time = 1990 } }",
        {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("key 'mortality.mx': "), std::string::npos) << e;
  EXPECT_NE(e.find("no rows match the filter"), std::string::npos) << e;
}

// The filter compares the cell's text: `time_start = 2015` keeps no cell `2015.0` (a pandas float column). The error
// names the column, what it asked for and a few distinct cells the file held, read whole or streamed.
TEST(TableFilter, NoRowMatchingNamesTheColumnAndTheCellsItHeld) {
  const std::string path = write_file("float_years.csv",
                                      "time_start,sex,age,value\n"
                                      "2014.0,female,0,1\n2015.0,female,0,2\n2015.0,male,0,3\n2016.0,female,0,4\n"
                                      "2017.0,female,0,5\n2018.0,female,0,6\n2019.0,female,0,7\n");
  Ref t("mortality", "mx", "{ path = \"" + path + "\", filter = { time_start = 2015, sex = \"female\" } }",
        {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("no rows match the filter; expected at least one (no cell of column 'time_start' is \"2015\"; "
                   "it holds \"2014.0\", \"2015.0\", \"2016.0\", \"2017.0\", \"2018.0\", …; the filter compares "
                   "the cell's text as written in the file, not its number: for the cell \"2015.0\" write \"2015.0\" "
                   "or \"2015*\")"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("'sex'"), std::string::npos) << e;  // sex = "female" matched rows: not named
  const std::string s = error_of([&] { stream_rows(t.doc, t.ref, {"age", "sex", "value"}, {}, [](const Rows&) {}); });
  EXPECT_NE(s.find("no cell of column 'time_start' is \"2015\""), std::string::npos) << s;
  // Each column matches some row, no row matches both.
  Ref both("mortality", "mx", "{ path = \"" + path + "\", filter = { time_start = \"2016.0\", sex = \"male\" } }",
           {"age", "sex", "value"});
  const std::string b = error_of([&] { (void)both.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(b.find("(each filter column matches some row, but no row matches them all)"), std::string::npos) << b;
}

TEST(WppFiles, MissingColumnsNameTheColumnsExpected) {
  // The population file has no Sex and no mx: not a life table.
  Ref t("mortality", "mx", "{ path = \"" + kPop5 + "\", wpp = { location = \"CHN\" } }", {"age", "sex", "value"});
  const std::string e = error_of([&] { (void)t.read({"age", "sex", "value"}, {"age", "value"}); });
  EXPECT_NE(e.find("missing column"), std::string::npos) << e;
  EXPECT_NE(e.find("needs the columns LocID, ISO3_code, Location, Variant, Time, AgeGrpStart, AgeGrpSpan, Sex, mx"),
            std::string::npos)
      << e;
}

TEST(WppFiles, KeysThatCannotReadWppFiles) {
  const std::string e = error_of([] {
    Ref t("migration", "od", "{ path = \"" + kLife + "\", wpp = { location = \"CHN\" } }", {"origin"});
  });
  EXPECT_NE(e.find("key 'migration.od.wpp': the UN's WPP files can be read for mortality.mx"), std::string::npos) << e;
  EXPECT_NE(error_of([] { Ref t("mortality", "mx", "{ path = \"" + kLife + "\", wpp = { variant = \"Medium\" } }", {"age"}); })
                .find("expected a 'location'"),
            std::string::npos);
}

// Through the loader: a national scenario whose base population, fertility schedule and death rates all come from
// the UN's files, selected by location and year; the builders see canonical rows and need no change.
TEST(WppFiles, ScenarioReadsTheUnFilesThroughTheBuilders) {
  const std::string path = write_file("wpp_scenario.toml", R"(
[scenario]
name = "wpp"

[geography]
zones = [ { id = "CHN", name = "China" } ]

[projection]
base_year = 2010
horizon = 2020
step = 5
open_age = 95

[base_population]
table = { path = ")" + kPop5 + R"(", wpp = { location = "China" }, filter = { Time = 2010 } }

[fertility]
schedule = { path = ")" + kFert + R"(", wpp = { location = 156 }, filter = { Time = 2010 } }
tfr = 1.7
srb = 117

[mortality]
mx = { path = ")" + kLife + R"(", wpp = { location = "CHN", variant = "Medium" }, filter = { Time = 2010 } }
)");
  const auto set = scenarios::load_scenario_file(path, COHORTGIS_DATA, geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  ASSERT_EQ(set.runs.size(), 1u);
  const auto& sc = set.runs[0];
  // Female and male 0–4 from PopFemale and PopMale of the same file row (a ratio: free of the unit).
  const double f = sc.base_population.at(0, 0, 0, 0), m = sc.base_population.at(0, 0, 1, 0);
  EXPECT_NEAR(f / m, 39501.794 / 46336.067, 1e-12);
  // The female death rate at 5–9, 2010–2015 (wpp2022 mx5dt), reaches the schedule unchanged.
  const auto& mort = sc.schedules[0].mortality;
  EXPECT_NE(std::find(mort.begin(), mort.end(), 0.00045827), mort.end());
}

// Through the loader: a base population with Chinese codes and age labels, and death rates with sex codes 1/2 and
// labels, reach the builders as the plain tables of tests/fixtures/scenarios would (base 2020, ages 0–4 … 20+).
TEST(ValueMaps, ScenarioWithCodesAndLabelsBuildsLikeThePlainTables) {
  std::string base = "区县,性别,年龄,人数\n";
  const char* labels[] = {"0-4岁", "5～9岁", "10—14岁", "15至19岁", "20岁及以上"};
  int n = 0;
  for (const char* z : {"甲", "乙"})
    for (const char* s : {"女", "男"})
      for (const char* a : labels) base += std::string(z) + "," + s + "," + a + "," + std::to_string(1000 + n++) + "\n";
  write_file("base_zh.csv", base);
  std::string mx = "age,xb,mx\n";
  for (const char* s : {"2", "1"})
    for (const char* a : {"0岁", "1-4岁", "5-9岁", "10-14岁", "15-19岁", "20+"}) mx += std::string(a) + "," + s + ",0.01\n";
  write_file("mx_codes.csv", mx);
  const std::string path = write_file("zh_scenario.toml", R"(
[scenario]
name = "codes"

[geography]
zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]

[projection]
base_year = 2020
horizon = 2030
step = 5
open_age = 20

[base_population.table]
path = "base_zh.csv"
columns = { zone = "区县", sex = "性别", age = "年龄", population = "人数" }
values = { zone = { "甲" = "A", "乙" = "B" } }
ages = "labels"

[fertility]
schedule = { path = ")" + std::string(COHORTGIS_FIXTURES) + R"(/scenarios/asfr.csv" }
tfr = 1.5
srb = 105

[mortality]
mx = { path = "mx_codes.csv", columns = { sex = "xb", value = "mx" }, values = { sex = { "1" = "male", "2" = "female" } }, ages = "labels" }
)");
  const auto set = scenarios::load_scenario_file(path, COHORTGIS_DATA, geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  const auto& sc = set.runs.at(0);
  n = 0;
  for (int z = 0; z < 2; ++z)
    for (int s = 0; s < 2; ++s)
      for (int a = 0; a < 5; ++a) EXPECT_EQ(sc.base_population.at(z, 0, s, a), 1000 + n++) << z << s << a;
  for (double v : sc.schedules[0].mortality) EXPECT_EQ(v, 0.01);
  EXPECT_EQ(sc.schedules[0].mortality.size(), 2u * 2 * 6);
}

// A label names its group's width, which the first age alone loses (found by an outside author of the UN's cases,
// round 20): the WPP publication's "0-4", "5-9" on a one-year grid were read as the single ages 0, 5, … with 1–4
// empty, and an open "85+" on a grid open at 100 as everyone aged 85, without a word.
TEST(AgeLabels, GroupWidthAndOpenGroupsMustFitTheGrid) {
  int age = 0, years = 7;
  ASSERT_TRUE(age_label_start("5-9", age, &years));
  EXPECT_EQ(years, 5);
  ASSERT_TRUE(age_label_start("100+", age, &years));
  EXPECT_EQ(years, -1);
  ASSERT_TRUE(age_label_start("7岁", age, &years));
  EXPECT_EQ(years, 0);

  const auto scenario = [](const std::string& name, int step, int open_age, const std::string& base_labels,
                           const std::string& asfr_labels, const std::string& fert_extra) {
    std::string base = "sex,age,population\n", asfr = "age,value\n";
    for (const char* s : {"female", "male"}) {
      std::size_t p = 0;
      while (p < base_labels.size()) {
        const std::size_t q = base_labels.find(';', p);
        base += std::string(s) + "," + base_labels.substr(p, q - p) + ",100\n";
        p = q == std::string::npos ? base_labels.size() : q + 1;
      }
    }
    for (std::size_t p = 0; p < asfr_labels.size();) {
      const std::size_t q = asfr_labels.find(';', p);
      asfr += asfr_labels.substr(p, q - p) + ",0.05\n";
      p = q == std::string::npos ? asfr_labels.size() : q + 1;
    }
    write_file(name + "_base.csv", base);
    write_file(name + "_asfr.csv", asfr);
    std::string mx = "age,sex,value\n";
    for (const char* s : {"female", "male"})
      for (const char* a : {"0", "1-4", "5-9", "10-14", "15-19", "20+"}) mx += std::string(a) + "," + s + ",0.01\n";
    write_file(name + "_mx.csv", mx);
    return write_file(name + ".toml", "[scenario]\nname = \"" + name +
                                          "\"\n[geography]\nzones = [{ id = \"X\" }]\n"
                                          "[projection]\nbase_year = 2020\nhorizon = 2030\nstep = " +
                                          std::to_string(step) + "\nopen_age = " + std::to_string(open_age) +
                                          "\n[base_population]\ntable = { path = \"" + name +
                                          "_base.csv\", ages = \"labels\" }\n[fertility]\nschedule = { path = \"" +
                                          name + "_asfr.csv\", ages = \"labels\" }\nsrb = 105\n" + fert_extra +
                                          "[mortality]\nmx = { path = \"" + name + "_mx.csv\", ages = \"labels\" }\n");
  };
  const auto error_of = [](const std::string& path) {
    try {
      scenarios::load_scenario_file(path, COHORTGIS_DATA, geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // Five-year labels on a five-year grid, abridged life-table rows (0, 1-4) and an open group past the open age: fine.
  EXPECT_EQ(error_of(scenario("fit5", 5, 15, "0-4;5-9;10-14;15-19;20+", "10-14", "")), "");
  // The same population on a one-year grid: refused, naming the cell and the widths.
  const std::string e1 = error_of(scenario("wide1", 1, 10, "0-4;5-9;10+", "10", ""));
  EXPECT_NE(e1.find("wide1_base.csv"), std::string::npos) << e1;
  EXPECT_NE(e1.find("\"0-4\" is an age group of 5 years, but this table's age groups are 1 year wide"),
            std::string::npos)
      << e1;
  // An open group starting below the grid's open age.
  const std::string e2 = error_of(scenario("open1", 1, 10, "0;1;2;3;4;5;6+", "10", ""));
  EXPECT_NE(e2.find("\"6+\" is an open age group starting below the grid's open age 10"), std::string::npos) << e2;
  // Five-year ASFR labels on a one-year grid: only with schedule_age_width = 5 (graduated).
  std::string singles;
  for (int a = 0; a < 20; ++a) singles += std::to_string(a) + ";";
  singles += "20+";
  const std::string e3 = error_of(scenario("asfr1", 1, 20, singles, "15-19", ""));
  EXPECT_NE(e3.find("asfr1_asfr.csv"), std::string::npos) << e3;
  EXPECT_NE(e3.find("\"15-19\" is an age group of 5 years"), std::string::npos) << e3;
  EXPECT_EQ(error_of(scenario("asfr5", 1, 20, singles, "10-14;15-19", "schedule_age_width = 5\n")), "");
  // schedule_graduation: "natural" or "graduate_mono", and only where five-year rates are graduated.
  EXPECT_EQ(error_of(scenario("asfr5m", 1, 20, singles, "10-14;15-19",
                              "schedule_age_width = 5\nschedule_graduation = \"graduate_mono\"\n")),
            "");
  const std::string e4 = error_of(
      scenario("asfr5x", 1, 20, singles, "10-14;15-19", "schedule_age_width = 5\nschedule_graduation = \"fmm\"\n"));
  EXPECT_NE(e4.find("fertility.schedule_graduation"), std::string::npos) << e4;
  EXPECT_NE(e4.find("expected \"natural\" or \"graduate_mono\", got \"fmm\""), std::string::npos) << e4;
  const std::string e5 =
      error_of(scenario("asfr1m", 1, 20, singles, "15", "schedule_graduation = \"graduate_mono\"\n"));
  EXPECT_NE(e5.find("fertility.schedule_graduation"), std::string::npos) << e5;
  EXPECT_NE(e5.find("expected it only with schedule_age_width = 5"), std::string::npos) << e5;
}

// The same for the UN's WPP files: AgeGrpSpan is the label's width. The five-year population file on a one-year grid
// was read as the single ages 0, 5, 10, … (1–4 empty); the five-year ASFR file needs schedule_age_width = 5 there.
TEST(WppFiles, AgeGrpSpanMustFitTheGrid) {
  const auto scenario = [](const std::string& name, const std::string& base, const std::string& fert_extra) {
    return write_file(name + ".toml", R"(
[scenario]
name = "wpp"

[geography]
zones = [ { id = "CHN", name = "China" } ]

[projection]
base_year = 2010
horizon = 2011
step = 1
open_age = 95

[base_population]
table = { path = ")" + base + R"(", wpp = { location = "China" }, filter = { Time = 2010 } }

[fertility]
schedule = { path = ")" + kFert + R"(", wpp = { location = 156 }, filter = { Time = 2010 } }
tfr = 1.7
srb = 117
)" + fert_extra + R"(
[mortality]
mx = { path = ")" + kLife + R"(", wpp = { location = "CHN", variant = "Medium" }, filter = { Time = 2010 } }
)");
  };
  const auto error_of = [](const std::string& path) {
    try {
      scenarios::load_scenario_file(path, COHORTGIS_DATA, geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string e1 = error_of(scenario("wpp_span_pop", kPop5, "schedule_age_width = 5"));
  EXPECT_NE(e1.find("column 'AgeGrpSpan': the age group 0 spans 5 years, but this table's age groups are 1 year wide"),
            std::string::npos)
      << e1;
  const std::string e2 = error_of(scenario("wpp_span_fert", kPop1, ""));
  EXPECT_NE(e2.find("WPP2022_Fertility_by_Age5.csv"), std::string::npos) << e2;
  EXPECT_NE(e2.find("spans 5 years"), std::string::npos) << e2;
  // Single years and five-year ASFR graduated (abridged mx graduated too): the UN's files as a one-year projection.
  EXPECT_EQ(error_of(scenario("wpp_span_ok", kPop1, "schedule_age_width = 5")), "");
}
