// SPDX-License-Identifier: Apache-2.0
// The run's own report takes indicators.csv from memory (app/src/written_indicators.hpp): the same Results as reading
// the file the run wrote, bit for bit, and the file read back whenever it is not the one the tables describe.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "../../app/src/csv_stream.hpp"          // internal to the app library: count_csv_rows
#include "../../app/src/text_output.hpp"         // internal to the app library: the writer's number and field text
#include "../../app/src/written_indicators.hpp"  // internal to the app library
#include "../support/results_compare.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/types.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

struct Written {
  std::string variant;
  int year;
  IndicatorTable table;
  bool stocks_only;
};

// Tables as a run's writer makes them: the standard indicators and one age band, units with characters that need
// quoting, values that do not read back as written (NaN, infinities, -0) and some that are hard to (subnormal, 0.1).
std::vector<Written> tables() {
  std::vector<std::string> names;
  for (int k = 0; k < kStandardIndicators; ++k) names.push_back(indicator_name(static_cast<Indicator>(k)));
  names.push_back("age_80_plus");
  const std::vector<std::string> units{"Z1", "Z,2 \"quoted\"", "Z3\nline", "total"};
  const std::vector<std::string> groups{"registered", "floating", "all"};
  const double odd[] = {std::nan(""), std::numeric_limits<double>::infinity(), -0.0, 4.9e-324, 0.1, -1e300,
                        0.0,          -std::numeric_limits<double>::infinity()};
  std::vector<Written> out;
  double x = 1.0;
  for (const std::string variant : {"baseline", "high"})
    for (int year = 2020; year <= 2023; ++year) {
      IndicatorTable t{units, groups, names, {}};
      t.values.resize(units.size() * groups.size() * names.size());
      for (std::size_t i = 0; i < t.values.size(); ++i) {
        x = x * 1.37 + 0.011;
        if (x > 1e6) x /= 7e5;
        t.values[i] = i % 11 == 3 ? odd[(i / 11) % std::size(odd)] : x;
      }
      out.push_back({variant, year, std::move(t), year == 2020});
    }
  return out;
}

// indicators.csv as ResultsWriter::write_indicators writes it (the same helpers).
std::string csv_text(const std::vector<Written>& ts) {
  std::string s = "variant,year,zone,group,indicator,value\n";
  for (const auto& w : ts)
    for (std::size_t u = 0; u < w.table.unit_names.size(); ++u)
      for (std::size_t g = 0; g < w.table.group_names.size(); ++g)
        for (std::size_t k = 0; k < w.table.n_indicators(); ++k) {
          if (w.stocks_only && !is_stock_indicator(w.table.indicator_names[k])) continue;
          s += w.variant + "," + std::to_string(w.year) + ",";
          app::append_csv_field(s, w.table.unit_names[u]);
          s += ',';
          app::append_csv_field(s, w.table.group_names[g]);
          s += ',' + w.table.indicator_names[k] + ',';
          cohortgis::append_number_cell(s, w.table.get(u, g, k));
          s += '\n';
        }
  return s;
}

std::string results_folder(const std::string& name, const std::string& indicators) {
  const fs::path dir = fs::path(testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto put = [&](const char* file, const std::string& text) {
    std::ofstream(dir / file, std::ios::binary) << text;
  };
  put("manifest.json", R"({"scenario": {"name": "t", "variants": ["baseline", "high"]}})");
  put("zones.csv", "zone,name,name_en\nZ1,a,\n");
  put("plan_periods.csv", "variant,period,zone,births\n");
  put("targets.csv", "target\n");
  put("indicators.csv", indicators);
  return dir.string();
}

// The run's tables, as the writer hands them over, with the file's size once written.
app::WrittenIndicators hand_over(const std::vector<Written>& ts, const std::string& dir,
                                 std::size_t max_values = app::WrittenIndicators::kMaxValues) {
  app::WrittenIndicators w(ts.size(), max_values);
  for (const auto& t : ts) w.add(t.variant, t.year, t.table, t.stocks_only);
  const fs::path file = fs::path(dir) / "indicators.csv";
  w.set_file(file, fs::file_size(file));
  return w;
}

}  // namespace

// The tables handed over give the Results the file gives (ids in the order the rows name them, keys sorted, the
// values the text reads back as), and the file is not read for them: the same bytes changed in place (same size)
// do not change what the hand-over gives.
TEST(WrittenIndicators, SameResultsAsTheFileWithoutReadingIt) {
  const std::vector<Written> ts = tables();
  const std::string text = csv_text(ts);
  const std::string dir = results_folder("written_same", text);
  const app::Results from_file = app::load_results(dir, 1);
  ASSERT_EQ(from_file.years, (std::vector<int>{2020, 2021, 2022, 2023}));
  app::WrittenIndicators w = hand_over(ts, dir);
  ASSERT_TRUE(w.kept());
  // results.xlsx takes this count instead of counting the file's rows (quoted line breaks in "Z3\nline").
  EXPECT_EQ(w.rows(), app::detail::count_csv_rows(dir + "/indicators.csv"));
  {
    std::string garbage = text;  // same size: the values are no longer numbers
    for (std::size_t i = text.find('\n') + 1; i < garbage.size(); ++i)
      if (garbage[i] >= '0' && garbage[i] <= '9') garbage[i] = 'x';
    std::ofstream(fs::path(dir) / "indicators.csv", std::ios::binary) << garbage;
  }
  EXPECT_THROW(app::load_results(dir, 1), InputError);
  const app::Results handed = app::load_results(dir, 1, &w);
  test::expect_same_indicators(handed, from_file);
  EXPECT_FALSE(w.kept());  // the tables went into the Results
}

// Appended to after it was closed (households, parity rows: planning_output.cpp, parity_output.cpp): its size differs
// from the one handed over, so the file is read, appended rows and all.
TEST(WrittenIndicators, FileAppendedToIsReadBack) {
  const std::vector<Written> ts = tables();
  const std::string dir = results_folder("written_appended", csv_text(ts));
  app::WrittenIndicators w = hand_over(ts, dir);
  std::ofstream(fs::path(dir) / "indicators.csv", std::ios::binary | std::ios::app)
      << "baseline,2023,Z1,all,households,12.5\n";
  const app::Results handed = app::load_results(dir, 1, &w);
  EXPECT_EQ(handed.indicator("baseline", 2023, "Z1", "all", "households"), 12.5);
  test::expect_same_indicators(handed, app::load_results(dir, 1));
  // Another folder's file of the same size is not the one handed over either.
  const std::string other = results_folder("written_other", csv_text(ts));
  app::WrittenIndicators w2 = hand_over(ts, dir);
  EXPECT_FALSE(w2.describes(fs::path(other) / "indicators.csv"));
}

// Over the bound: nothing is kept (decided at the first table from the number of tables the run will write), or,
// when more tables come than said, what was kept is dropped; the report then reads the file. The rows are counted
// either way (results.xlsx).
TEST(WrittenIndicators, OverTheBoundNothingIsKept) {
  const std::vector<Written> ts = tables();
  const std::size_t full = ts[1].table.values.size();  // a table with every indicator
  const std::string dir = results_folder("written_bound", csv_text(ts));
  const app::Results from_file = app::load_results(dir, 1);
  {
    app::WrittenIndicators w = hand_over(ts, dir, full * ts.size() - 1);
    EXPECT_FALSE(w.kept());
    EXPECT_EQ(w.rows(), app::detail::count_csv_rows(dir + "/indicators.csv"));
    test::expect_same_indicators(app::load_results(dir, 1, &w), from_file);
  }
  {
    app::WrittenIndicators w = hand_over(ts, dir, full * ts.size());
    EXPECT_TRUE(w.kept());
    test::expect_same_indicators(app::load_results(dir, 1, &w), from_file);
  }
  {
    app::WrittenIndicators w(ts.size() - 2, full * (ts.size() - 2));  // two tables more than said
    for (const auto& t : ts) w.add(t.variant, t.year, t.table, t.stocks_only);
    EXPECT_FALSE(w.kept());
    EXPECT_TRUE(w.tables().empty());
  }
}

// Ids that do not fit the packed keys (more than 256 groups): the file is read, and its reader's message comes.
TEST(WrittenIndicators, IdsThatDoNotFitGiveTheFilesMessage) {
  std::vector<std::string> groups;
  for (int g = 0; g < 257; ++g) groups.push_back("g" + std::to_string(g));
  std::vector<Written> ts{{"baseline", 2021, IndicatorTable{{"Z1"}, groups, {"population"}, {}}, false}};
  ts[0].table.values.assign(groups.size(), 1.5);
  const std::string dir = results_folder("written_ids", csv_text(ts));
  app::WrittenIndicators w = hand_over(ts, dir);
  ASSERT_TRUE(w.kept());
  std::string from_file, handed;
  try {
    app::load_results(dir, 1);
  } catch (const InputError& e) {
    from_file = e.what();
  }
  try {
    app::load_results(dir, 1, &w);
  } catch (const InputError& e) {
    handed = e.what();
  }
  EXPECT_NE(from_file.find("more than 256 different groups"), std::string::npos) << from_file;
  EXPECT_EQ(handed, from_file);
}
