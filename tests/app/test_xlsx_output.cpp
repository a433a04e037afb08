// SPDX-License-Identifier: Apache-2.0
// results.xlsx (issue #18): one sheet per summary table, numbers as numbers, 万人 formats on counts of persons only,
// frozen header rows, Chinese sheet names in a Chinese run, a note instead of a sheet beyond Excel's row limit; and
// the CSVs' byte-order mark (--csv-bom). The workbook is read back with GDAL's XLSX driver and its XML parts.
#include <gtest/gtest.h>

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "../../app/src/xlsx_output.hpp"  // internal to the app library
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir()
      : path(fs::temp_directory_path() / ("cohortgis_xlsx_" + std::to_string(::getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A member of the xlsx (a zip) as text.
std::string member(const fs::path& xlsx, const std::string& name) {
  const std::string path = "/vsizip/" + xlsx.string() + "/" + name;
  VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
  if (!f) return {};
  std::string out;
  char buf[4096];
  for (size_t n; (n = VSIFReadL(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  VSIFCloseL(f);
  return out;
}

// A small results folder: two indicators (one a count of persons), a plan period, the zones, four population rows.
void results_folder(const fs::path& dir) {
  write(dir / "indicators.csv",
        "variant,year,zone,group,indicator,value\n"
        "baseline,2020,110101,all,population,1297110\n"
        "baseline,2020,110101,all,tfr,0.87\n");
  write(dir / "plan_periods.csv",
        "variant,period,plan,zone,population_start,population_end,growth_rate_percent\n"
        "baseline,2021-2025,14th Five-Year Plan,total,21893095,21800000,-0.085\n");
  write(dir / "zones.csv", "id,name\n110101,东城区\n");
  write(dir / "population.csv",
        "variant,year,zone,group,sex,age,parity,population\n"
        "baseline,2020,110101,total,female,15,0,100\nbaseline,2020,110101,total,female,15,3+,10\n"
        "baseline,2020,110101,total,male,0,all,105\nbaseline,2020,110101,total,male,5,all,116\n");
}

}  // namespace

TEST(ResultsXlsx, SheetsNumbersAndFormatsInAChineseRun) {
  TempDir t;
  results_folder(t.path);
  app::write_results_xlsx(t.path, app::Language::zh);
  const fs::path xlsx = t.path / "results.xlsx";
  ASSERT_TRUE(fs::exists(xlsx));

  GDALAllRegister();
  const char* const drivers[] = {"XLSX", nullptr};
  const char* const options[] = {"HEADERS=FORCE", "FIELD_TYPES=AUTO", nullptr};
  struct Closer {
    void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
  };
  std::unique_ptr<GDALDataset, Closer> ds(
      GDALDataset::FromHandle(GDALOpenEx(xlsx.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr)));
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->GetLayerCount(), 4);
  EXPECT_STREQ(ds->GetLayer(0)->GetName(), "指标");
  EXPECT_STREQ(ds->GetLayer(1)->GetName(), "规划期");
  EXPECT_STREQ(ds->GetLayer(2)->GetName(), "区域");
  EXPECT_STREQ(ds->GetLayer(3)->GetName(), "人口");

  // Numbers are numeric cells with the CSV's values; zone codes stay text.
  OGRLayer* ind = ds->GetLayer(0);
  OGRFeatureDefn* d = ind->GetLayerDefn();
  EXPECT_EQ(d->GetFieldDefn(d->GetFieldIndex("value"))->GetType(), OFTReal);
  EXPECT_EQ(d->GetFieldDefn(d->GetFieldIndex("zone"))->GetType(), OFTString);
  ind->ResetReading();
  OGRFeatureUniquePtr f(ind->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->GetFieldAsDouble("value"), 1297110.0);
  EXPECT_STREQ(f->GetFieldAsString("zone"), "110101");
  f.reset(ind->GetNextFeature());
  EXPECT_EQ(f->GetFieldAsDouble("value"), 0.87);
  OGRLayer* pp = ds->GetLayer(1);
  pp->ResetReading();
  f.reset(pp->GetNextFeature());
  EXPECT_EQ(f->GetFieldAsDouble("growth_rate_percent"), -0.085);
  EXPECT_STREQ(f->GetFieldAsString("period"), "2021-2025");

  // population.csv's parity column stays text (0, 1, 2, 3+, all), its population is a number.
  OGRLayer* pop = ds->GetLayer(3);
  OGRFeatureDefn* pd = pop->GetLayerDefn();
  EXPECT_EQ(pd->GetFieldDefn(pd->GetFieldIndex("parity"))->GetType(), OFTString);
  pop->ResetReading();
  f.reset(pop->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->GetFieldAsString("parity"), "0");
  EXPECT_EQ(f->GetFieldAsDouble("population"), 100.0);

  // The 万人 format exists and is used by the population row's value (E2 → F2), not by the TFR row (F3).
  const std::string styles = member(xlsx, "xl/styles.xml");
  EXPECT_NE(styles.find("formatCode=\"0\\.0,&quot;万人&quot;\""), std::string::npos) << styles;
  const std::string sheet1 = member(xlsx, "xl/worksheets/sheet1.xml");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sheet1, m, std::regex("<c r=\"F2\" s=\"([0-9]+)\"><v>1297110</v>"))) << sheet1;
  EXPECT_TRUE(std::regex_search(sheet1, std::regex("<c r=\"F3\"><v>0.87</v>"))) << sheet1;
  // Frozen header row on every sheet.
  for (int s = 1; s <= 4; ++s)
    EXPECT_NE(member(xlsx, "xl/worksheets/sheet" + std::to_string(s) + ".xml").find("ySplit=\"1\""), std::string::npos)
        << "sheet" << s;
  // plan_periods: population_start carries the same 万人 style as the indicator value.
  EXPECT_TRUE(std::regex_search(member(xlsx, "xl/worksheets/sheet2.xml"),
                                std::regex("<c r=\"E2\" s=\"" + m[1].str() + "\"><v>21893095</v>")));
}

TEST(ResultsXlsx, EnglishNamesAndANoteBeyondTheRowLimit) {
  TempDir t;
  results_folder(t.path);
  // A limit of 4 rows (header included) stands for Excel's 1,048,576: population.csv has 4 data rows + header.
  app::write_results_xlsx(t.path, app::Language::en, 4);
  // The fourth sheet (indicators, plan_periods, zones, population) holds only the note.
  const std::string note = member(t.path / "results.xlsx", "xl/worksheets/sheet4.xml");
  EXPECT_NE(note.find("population.csv has 4 rows, more than Excel's 4; open population.csv instead"), std::string::npos)
      << note;
  EXPECT_EQ(note.find("<c r=\"A2\""), std::string::npos) << note;
  EXPECT_EQ(geodata::read_table((t.path / "results.xlsx").string(), {}, "indicators").text(1, "indicator"), "tfr");
  // At the limit (4 data rows + header = 5 rows) the sheet is written.
  app::write_results_xlsx(t.path, app::Language::en, 5);
  const geodata::Table pop = geodata::read_table((t.path / "results.xlsx").string(), {}, "population");
  EXPECT_EQ(pop.size(), 4u);
  EXPECT_EQ(pop.number(3, "population"), 116.0);
}

// A run hands over the rows of indicators.csv it wrote (known): taken instead of counting the file while the file has
// the size given, counted again otherwise.
TEST(ResultsXlsx, KnownRowsTakenWhileTheFileHasTheirSize) {
  TempDir t;
  results_folder(t.path);
  const auto size = fs::file_size(t.path / "indicators.csv");
  app::write_results_xlsx(t.path, app::Language::en, 4, nullptr, {{"indicators.csv", size, 3000000}});
  const std::string note = member(t.path / "results.xlsx", "xl/worksheets/sheet1.xml");
  EXPECT_NE(note.find("indicators.csv has 3000000 rows, more than Excel's 4"), std::string::npos) << note;
  // Another size: the file's own 2 rows, copied.
  app::write_results_xlsx(t.path, app::Language::en, 4, nullptr, {{"indicators.csv", size + 1, 3000000}});
  EXPECT_EQ(geodata::read_table((t.path / "results.xlsx").string(), {}, "indicators").size(), 2u);
}

// A netcdf-format run writes no indicators.csv and hands over its tables kept in memory: the indicators sheet is
// made from them, the same workbook as from the indicators.csv they stand for; beyond the row limit the note that
// the indicators are in results.nc.
TEST(ResultsXlsx, IndicatorSheetFromKeptTables) {
  TempDir t;
  results_folder(t.path);
  app::write_results_xlsx(t.path, app::Language::zh);
  const std::string from_csv = read(t.path / "results.xlsx");
  fs::remove(t.path / "indicators.csv");
  write(t.path / "results.nc", "");  // only its presence matters here
  auto names = std::make_shared<app::WrittenIndicators::Names>();
  names->units = {"110101"};
  names->groups = {"all"};
  names->indicators = {"population", "tfr"};
  std::vector<app::WrittenIndicators::Table> tables(1);
  tables[0] = {"baseline", 2020, names, {1297110.0, 0.87}};
  const app::KeptIndicators kept{&tables, 2};
  app::write_results_xlsx(t.path, app::Language::zh, app::kXlsxMaxRows, nullptr, {}, &kept);
  EXPECT_EQ(read(t.path / "results.xlsx"), from_csv);
  // Not a value (NaN): an empty cell, as indicators.csv's empty field.
  tables[0].values[1] = std::nan("");
  app::write_results_xlsx(t.path, app::Language::en, app::kXlsxMaxRows, nullptr, {}, &kept);
  const std::string sheet1 = member(t.path / "results.xlsx", "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet1.find("<c r=\"E3\""), std::string::npos) << sheet1;
  EXPECT_EQ(sheet1.find("<c r=\"F3\""), std::string::npos) << sheet1;
  // 2 data rows + header over a limit of 2 rows: the note.
  app::write_results_xlsx(t.path, app::Language::en, 2, nullptr, {}, &kept);
  const std::string note = member(t.path / "results.xlsx", "xl/worksheets/sheet1.xml");
  EXPECT_NE(note.find("the indicators are in results.nc"), std::string::npos) << note;
}

TEST(CsvBom, AddedOnceAndReadersStillSeeTheSameTable) {
  TempDir t;
  results_folder(t.path);
  const std::string before = read(t.path / "zones.csv");
  app::add_csv_bom(t.path);
  app::add_csv_bom(t.path);  // idempotent
  EXPECT_EQ(read(t.path / "zones.csv"), "\xEF\xBB\xBF" + before);
  const geodata::Table z = geodata::read_table((t.path / "zones.csv").string(), {{"id"}, {"name"}});
  EXPECT_EQ(z.text(0, "name"), "东城区");
}

// Through a whole run (--csv-bom): every CSV starts with the mark, and manifest.json holds the SHA-256 of the files
// as they end up (the mark is added before the manifest is sealed).
TEST(CsvBom, WholeRunMarksEveryCsvAndTheManifestMatches) {
  TempDir t;
  app::RunConfig cfg;
  cfg.scenario = "default";
  cfg.out_dir = (t.path / "out").string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.csv_bom = true;
  cfg.data_dir = COHORTGIS_DATA;
  (void)app::run(cfg);
  const std::string manifest = read(t.path / "out" / "manifest.json");
  int csvs = 0;
  for (const auto& e : fs::directory_iterator(t.path / "out")) {
    if (e.path().extension() != ".csv") continue;
    ++csvs;
    EXPECT_EQ(read(e.path()).rfind("\xEF\xBB\xBF", 0), 0u) << e.path();
    const std::string entry = "\"path\": \"" + e.path().filename().string() + "\"";
    const auto at = manifest.find(entry);
    ASSERT_NE(at, std::string::npos) << entry;
    EXPECT_EQ(manifest.substr(manifest.find("\"sha256\": \"", at) + 11, 64), geodata::sha256_file(e.path().string()))
        << e.path();
  }
  EXPECT_GE(csvs, 7);
}

// results.xlsx is written on a thread of its own during the report (run.cpp): a stop signal ends it too.
TEST(ResultsXlsx, StopsWhenCancelled) {
  TempDir t;
  results_folder(t.path);
  std::atomic<bool> stop{true};
  EXPECT_THROW(app::write_results_xlsx(t.path, app::Language::en, app::kXlsxMaxRows, &stop), ProjectionError);
}
