// SPDX-License-Identifier: Apache-2.0
// results.xlsx with libxlsxwriter, and the CSVs' byte-order mark (xlsx_output.hpp).
#include "xlsx_output.hpp"

#include <locale.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/table.hpp"
#include "csv_stream.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// libxlsxwriter prints numbers (cells, column widths, margins) with snprintf, whose decimal mark follows LC_NUMERIC:
// a host process in a decimal-comma locale (Python after locale.setlocale(LC_ALL, "de_DE.UTF-8")) got <v>12,5</v>,
// which Excel refuses. The workbook is written in the "C" numeric locale of this thread only (uselocale); the
// process's own locale is left as it is.
class CNumericLocale {
 public:
  CNumericLocale() {
    locale_t base = duplocale(LC_GLOBAL_LOCALE);
    c_ = base ? newlocale(LC_NUMERIC_MASK, "C", base) : locale_t{};
    if (c_)
      previous_ = uselocale(c_);
    else if (base)
      freelocale(base);
  }
  ~CNumericLocale() {
    if (!c_) return;
    uselocale(previous_);
    freelocale(c_);
  }
  CNumericLocale(const CNumericLocale&) = delete;
  CNumericLocale& operator=(const CNumericLocale&) = delete;

 private:
  locale_t c_{}, previous_{};
};

// One CSV of the results folder and its sheet.
struct SheetSpec {
  const char* file;
  const char* name_zh;
  const char* name_en;
};

// Summary tables first (what a planner opens), population last (it may not fit).
constexpr SheetSpec kSheets[] = {
    {"indicators.csv", "指标", "indicators"},
    {"plan_periods.csv", "规划期", "plan_periods"},
    {"plan_periods_by_group.csv", "规划期（分组）", "plan_periods_by_group"},
    {"targets.csv", "规划目标", "targets"},
    {"service_demand.csv", "服务需求", "service_demand"},
    {"zones.csv", "区域", "zones"},
    {"population.csv", "人口", "population"},
};

// Columns of plan_periods*.csv and service_demand.csv that count persons (docs/results.md).
const std::set<std::string> kPersonColumns = {
    "population_start", "population_end",         "births", "deaths", "net_migration", "adjustments", "births_per_year",
    "deaths_per_year",  "net_migration_per_year", "basis"};
// Places of service_demand.csv: whole numbers with separators in both languages.
const std::set<std::string> kPlaceColumns = {"demand", "capacity", "gap"};

class Workbook {
 public:
  Workbook(const fs::path& file, Language l, const std::atomic<bool>* cancel)
      : path_(file.string()), zh_(l == Language::zh), cancel_(cancel) {
    lxw_workbook_options opts{};
    opts.constant_memory = LXW_TRUE;  // rows go to disk as written: population.csv may have a million rows
    wb_ = workbook_new_opt(path_.c_str(), &opts);
    if (!wb_) throw std::runtime_error(path_ + ": cannot create the workbook");
    // A fixed creation date: the same results give the same file (its SHA-256 is in manifest.json, which holds the
    // run's real time).
    lxw_doc_properties props{};
    props.title = const_cast<char*>(zh_ ? "人口预测结果" : "Population projection results");
    props.author = const_cast<char*>("cohortgis");
    props.created = 946684800;  // 2000-01-01T00:00:00Z
    workbook_set_properties(wb_, &props);
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    // 万人 with one decimal: the thousands scaling of the trailing comma and a literal point before the last digit
    // (1297110 → 1297.11 → "129.7万人"); the cell keeps the number of persons.
    persons_ = workbook_add_format(wb_);
    format_set_num_format(persons_, zh_ ? "0\\.0,\"万人\"" : "#,##0");
    whole_ = workbook_add_format(wb_);
    format_set_num_format(whole_, "#,##0");
  }
  ~Workbook() {
    if (wb_) workbook_close(wb_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  void close() {
    const lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    if (e != LXW_NO_ERROR) throw std::runtime_error(path_ + ": cannot write the workbook (" + lxw_strerror(e) + ")");
  }

  lxw_worksheet* sheet(const SheetSpec& s) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, zh_ ? s.name_zh : s.name_en);
    if (!ws) throw std::runtime_error(path_ + ": cannot add the sheet for " + s.file);
    return ws;
  }

  // A sheet filled a row at a time, each row's cells as the CSV's text: numbers as numbers.
  struct Sheet {
    lxw_worksheet* ws = nullptr;
    lxw_row_t row = 0;
    bool population_csv = false;
    std::vector<lxw_format*> column_format;
    std::vector<bool> label_column, value_column;
    std::size_t indicator_col = SIZE_MAX;
    std::string last_indicator;
    bool last_person = false;
  };

  Sheet begin(const SheetSpec& s, const std::vector<std::string>& header) {
    Sheet sh;
    sh.ws = sheet(s);
    worksheet_freeze_panes(sh.ws, 1, 0);
    sh.population_csv = std::string(s.file) == "population.csv";
    for (std::size_t c = 0; c < header.size(); ++c) {
      const std::string& name = header[c];
      worksheet_write_string(sh.ws, 0, static_cast<lxw_col_t>(c), name.c_str(), header_);
      lxw_format* f = nullptr;
      if (kPersonColumns.count(name)) f = persons_;
      if (kPlaceColumns.count(name)) f = whole_;
      if (sh.population_csv && name == "population") f = whole_;  // cells of one age: persons, not 万人
      sh.column_format.push_back(f);
      sh.label_column.push_back(is_label_column(name));
      sh.value_column.push_back(name == "value" || name == "min" || name == "max" || name == "margin");
      if (name == "indicator") sh.indicator_col = c;
      const double width = std::clamp(static_cast<double>(name.size()) + 2.0, 9.0, 28.0);
      worksheet_set_column(sh.ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr);
    }
    sh.row = 1;
    return sh;
  }

  void add_row(Sheet& sh, const std::vector<std::string>& cells) {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw ProjectionError("results.xlsx cancelled");
    // indicators.csv and targets.csv: the row's indicator says whether its values count persons (looked up again
    // only when the indicator changes).
    bool person_row = false;
    if (sh.indicator_col != SIZE_MAX) {
      if (cells[sh.indicator_col] != sh.last_indicator) {
        sh.last_indicator = cells[sh.indicator_col];
        sh.last_person = indicator_label(sh.last_indicator, zh_ ? Language::zh : Language::en).count;
      }
      person_row = sh.last_person;
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string& cell = cells[c];
      if (cell.empty()) continue;
      double v = 0.0;
      const auto col = static_cast<lxw_col_t>(c);
      if (!sh.label_column[c] && geodata::parse_number(cell, v)) {
        lxw_format* f = sh.column_format[c];
        if (person_row && sh.value_column[c]) f = persons_;
        worksheet_write_number(sh.ws, sh.row, col, v, f);
      } else {
        worksheet_write_string(sh.ws, sh.row, col, cell.c_str(), nullptr);
      }
    }
    ++sh.row;
  }

  // The CSV's rows.
  void copy(const fs::path& csv, const SheetSpec& s) {
    Sheet sh;
    CsvData table;
    detail::for_each_csv_row(csv.string(), table, {},
                             [&](const CsvData& t, const std::vector<std::string>& cells, std::size_t) {
                               if (!sh.ws) sh = begin(s, t.header);
                               add_row(sh, cells);
                             });
    if (!sh.ws) worksheet_freeze_panes(sheet(s), 1, 0);  // counted rows but none read: the sheet, empty, as before
  }

  // The rows indicators.csv would have (ResultsWriter::write_indicators: variant, year, zone, group, indicator and
  // the value as append_number_cell writes it), from the tables the run kept (their values are what that text reads
  // back as, so append_number_cell gives the file's text again): the same cells, so the same sheet.
  void copy_indicators(const std::vector<WrittenIndicators::Table>& tables, const SheetSpec& s) {
    Sheet sh = begin(s, {"variant", "year", "zone", "group", "indicator", "value"});
    std::vector<std::string> cells(6);
    for (const WrittenIndicators::Table& t : tables) {
      const WrittenIndicators::Names& n = *t.names;
      cells[0] = t.variant;
      cells[1] = std::to_string(t.year);
      const double* x = t.values.data();
      for (const std::string& unit : n.units)
        for (const std::string& group : n.groups)
          for (const std::string& indicator : n.indicators) {
            cells[2] = unit;
            cells[3] = group;
            cells[4] = indicator;
            cells[5].clear();
            append_number_cell(cells[5], *x++);
            add_row(sh, cells);
          }
    }
  }

  void note(const SheetSpec& s, const std::string& text) {
    lxw_worksheet* ws = sheet(s);
    worksheet_set_column(ws, 0, 0, 100.0, nullptr);
    worksheet_write_string(ws, 0, 0, text.c_str(), header_);
  }

  bool zh() const { return zh_; }

 private:
  // Ids and codes stay text even when they look like numbers (zone 110101, period 2021-2025, age 85).
  static bool is_label_column(const std::string& name) {
    // parity: 0, 1, 2, 3+ and all alike (population.csv)
    return name == "zone" || name == "id" || name == "code" || name == "period" || name == "group" ||
           name == "variant" || name == "parity";
  }

  std::string path_;
  bool zh_;
  const std::atomic<bool>* cancel_;
  lxw_workbook* wb_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* persons_ = nullptr;
  lxw_format* whole_ = nullptr;
};

}  // namespace

void write_results_xlsx(const fs::path& dir, Language language, std::size_t max_rows, const std::atomic<bool>* cancel,
                        const std::vector<KnownCsvRows>& known, const KeptIndicators* kept) {
  const CNumericLocale c_numbers;  // outlives the workbook, which writes its files when closed
  Workbook wb(dir / "results.xlsx", language, cancel);
  for (const SheetSpec& s : kSheets) {
    const fs::path csv = dir / s.file;
    std::error_code ec;
    if (!fs::is_regular_file(csv, ec)) {
      const bool indicators_sheet = std::string_view(s.file) == "indicators.csv";
      // A netcdf-format run keeps its indicators in results.nc only (docs/results.md "results.nc"); the run's own
      // tables, where it kept them, fill the sheet when they fit.
      if (indicators_sheet && kept && kept->rows > 0 && kept->rows + 1 <= max_rows) {
        wb.copy_indicators(*kept->tables, s);
        continue;
      }
      if (indicators_sheet && fs::is_regular_file(dir / "results.nc", ec))
        wb.note(s, wb.zh() ? std::string("指标在 results.nc 的 indicators 变量中（未写 indicators.csv）；需要 "
                                         "indicators.csv 时请用 --indicators-csv 运行")
                           : std::string("the indicators are in results.nc (variable `indicators`), not in an "
                                         "indicators.csv; run with --indicators-csv to have it"));
      continue;
    }
    // Counted without splitting cells: a W3k run's indicators.csv (3.3 million rows) only gets its note.
    const auto k = std::find_if(known.begin(), known.end(), [&](const KnownCsvRows& r) {
      return r.file == s.file && fs::file_size(csv, ec) == r.bytes && !ec;
    });
    const std::size_t rows = k != known.end() ? k->rows : detail::count_csv_rows(csv.string());
    if (rows + 1 > max_rows) {
      wb.note(s, wb.zh() ? std::string(s.file) + " 有 " + std::to_string(rows) + " 行，超过 Excel 的行数上限 " +
                               std::to_string(max_rows) + "；请打开 " + s.file
                         : std::string(s.file) + " has " + std::to_string(rows) + " rows, more than Excel's " +
                               std::to_string(max_rows) + "; open " + s.file + " instead");
    } else if (rows == 0) {
      wb.note(s, wb.zh() ? std::string(s.file) + " 没有数据行" : std::string(s.file) + " has no data rows");
    } else {
      wb.copy(csv, s);
    }
  }
  wb.close();
}

void add_csv_bom(const fs::path& dir) {
  static const std::string bom = "\xEF\xBB\xBF";
  std::vector<fs::path> csvs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".csv") csvs.push_back(e.path());
  std::sort(csvs.begin(), csvs.end());
  for (const auto& p : csvs) {
    std::string text;
    {
      std::ifstream in(p, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (text.rfind(bom, 0) == 0) continue;
    const fs::path tmp = p.string() + ".bom";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << bom << text;
      if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot be written");
    }
    fs::rename(tmp, p);
  }
}

}  // namespace cohortgis::app
