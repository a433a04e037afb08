// SPDX-License-Identifier: Apache-2.0
// stream_table's parallel CSV reader (StreamOptions.threads > 1) against the one reader: every cell, first_row and
// error message the same, whatever the part size, line endings, encoding or where a bad cell falls; files it must
// not cut (quotes, a .csvt sidecar) read by the one reader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cohortgis/geodata/table.hpp"
#include "scratch_dir.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
namespace fs = std::filesystem;

namespace {

struct Read {
  std::vector<std::size_t> first_rows;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> where;  // where(0, last column) of each row, as a caller's message would name it
  std::string error;
  StreamReport report;
};

// Reads `p` with `threads` threads and parts of `chunk` bytes (threads 1: the one reader); `stop_at`: on_row throws
// at that data row (0-based; -1: never).
Read read(const fs::path& p, int threads, std::size_t chunk, const std::vector<ColumnSpec>& required = {},
          const std::string& encoding = {}, long stop_at = -1) {
  Read r;
  StreamOptions o;
  o.threads = threads;
  o.parallel_min_bytes = 0;
  o.chunk_bytes = chunk;
  o.report = &r.report;
  try {
    stream_table(
        p.string(), required, {}, encoding,
        [&](Table& t) {
          if (static_cast<long>(t.first_row) == stop_at) throw InputError("stopped at " + t.where(0, 0));
          r.first_rows.push_back(t.first_row);
          r.rows.push_back(t.rows[0]);
          r.where.push_back(t.where(0, t.columns.size() - 1));
        },
        o);
  } catch (const InputError& e) {
    r.error = e.what();
  }
  return r;
}

fs::path write_file(const std::string& name, const std::string& bytes) {
  static const cohortgis::test::ScratchDir dir("cohortgis_parallel");
  const fs::path p = dir.path() / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

const std::vector<ColumnSpec> kRequired = {{"zone", ColumnType::text}, {"population", ColumnType::number}};

// The one reader's result equals the parallel reader's at several part sizes and thread counts; returns the largest
// number of parts seen (the tests check the file was cut).
std::size_t expect_same(const fs::path& p, const std::vector<ColumnSpec>& required = kRequired,
                        const std::string& encoding = {}, long stop_at = -1) {
  const Read one = read(p, 1, 64, required, encoding, stop_at);
  EXPECT_EQ(one.report.parts, 0u);
  std::size_t most = 0;
  for (int threads : {2, 3, 8})
    for (std::size_t chunk : {1, 7, 40, 200, 5000}) {
      const Read par = read(p, threads, chunk, required, encoding, stop_at);
      SCOPED_TRACE(p.filename().string() + ": " + std::to_string(threads) + " threads, parts of " +
                   std::to_string(chunk) + " bytes");
      EXPECT_EQ(par.error, one.error);
      EXPECT_EQ(par.first_rows, one.first_rows);
      EXPECT_EQ(par.rows, one.rows);
      EXPECT_EQ(par.where, one.where);
      most = std::max(most, par.report.parts);
    }
  return most;
}

std::string rows_text(std::size_t n, const std::string& eol, std::size_t bad_row = 0, const std::string& bad = "n/a") {
  std::string s;
  for (std::size_t r = 1; r <= n; ++r) {
    s += "Z" + std::to_string(r / 3) + (r % 5 == 0 ? "区" : "") + "," + (r % 2 ? "female" : "male") + "," +
         std::to_string(r % 90) + "," + (r == bad_row ? bad : std::to_string(1000 + r) + ".25") + eol;
  }
  return s;
}

}  // namespace

TEST(TableParallel, SameRowsAsOneReaderAndCutIntoParts) {
  const fs::path p = write_file("plain.csv", "zone,sex,age,population\n" + rows_text(300, "\n"));
  EXPECT_GT(expect_same(p), 10u);
  const Read r = read(p, 4, 100, kRequired);
  EXPECT_FALSE(r.report.one_reader);
  EXPECT_EQ(r.rows.size(), 300u);
  EXPECT_EQ(r.first_rows.back(), 299u);
  EXPECT_EQ(r.rows[4][0], "Z1区");
  // The message names the real file and layer, never the part's in-memory name.
  EXPECT_NE(r.where.back().find(p.string() + ", layer 'plain', data row 300 (row 301"), std::string::npos)
      << r.where.back();
}

TEST(TableParallel, BomCrlfBlankLinesAndNoFinalLineBreak) {
  std::string body = rows_text(120, "\r\n");
  body.insert(body.find("Z10,"), "\r\n\r\n");  // blank lines inside
  body += "\r\n\r\nZ99,male,5,7";              // blank lines, then a last row without a line break
  const fs::path p = write_file("bom_crlf.csv", "\xEF\xBB\xBFzone,sex,age,population\r\n" + body);
  EXPECT_GT(expect_same(p), 10u);
  const Read r = read(p, 3, 50, kRequired);
  EXPECT_EQ(r.rows.size(), 121u);
  EXPECT_EQ(r.rows.back()[3], "7");
  EXPECT_EQ(read(p, 1, 50, kRequired).rows[0][0], "Z0");
}

TEST(TableParallel, OtherLineEndingsAndSeparators) {
  // LF CR pairs, bare CR (one line to a cut-finder looking for LF) and a semicolon separator GDAL detects from the
  // header line.
  std::string lfcr = rows_text(80, "\n\r");
  EXPECT_GT(expect_same(write_file("lfcr.csv", "zone,sex,age,population\n\r" + lfcr)), 0u);
  expect_same(write_file("cr.csv", "zone,sex,age,population\r" + rows_text(80, "\r")));
  std::string semi = "zone;sex;age;population\n" + rows_text(80, "\n");
  for (char& c : semi)
    if (c == ',') c = ';';
  EXPECT_GT(expect_same(write_file("semicolon.csv", semi)), 10u);
  // Short and long rows: GDAL fills and cuts them the same in a part.
  std::string ragged =
      "zone,sex,age,population\n" + rows_text(60, "\n") + "Z7,male\nZ8,male,3,4,extra,more\n" + rows_text(60, "\n");
  EXPECT_GT(expect_same(write_file("ragged.csv", ragged), {{"zone", ColumnType::text}}), 10u);
}

// The parts of a plain file are split by GDAL's CSV tokenizer (CSVReadParseLine3L) without OGR features: the same
// rows, blank lines, short and long rows, BOMs and line endings as the layer's features give.
TEST(TableParallel, PartsSplitByGdalsTokenizerAsTheLayerSplitsThem) {
  const auto tokens = [](const fs::path& p, const std::vector<ColumnSpec>& required = kRequired) {
    return read(p, 2, 40, required).report.tokens;
  };
  std::string body = rows_text(120, "\r\n");
  body.insert(body.find("Z10,"), "\r\n\r\n");
  EXPECT_TRUE(tokens(write_file("tok_crlf.csv", "\xEF\xBB\xBFzone,sex,age,population\r\n" + body)));
  EXPECT_TRUE(tokens(write_file("tok_lfcr.csv", "zone,sex,age,population\n\r" + rows_text(80, "\n\r"))));
  EXPECT_TRUE(tokens(write_file("tok_cr.csv", "zone,sex,age,population\r" + rows_text(80, "\r"))));
  // Tab and semicolon separators, found from the header line as GDAL finds them.
  for (const char sep : {'\t', ';'}) {
    std::string text = "zone,sex,age,population\n" + rows_text(80, "\n");
    for (char& c : text)
      if (c == ',') c = sep;
    const fs::path p = write_file("tok_sep.csv", text);
    SCOPED_TRACE(std::string("separator ") + sep);
    EXPECT_GT(expect_same(p), 10u);
    EXPECT_TRUE(tokens(p));
  }
  // A UTF-8 BOM at the start of data lines (GDAL's tokenizer skips it on every line it reads) and a line of only a
  // BOM; a line of spaces (one cell of spaces, not a blank line).
  std::string boms = "zone,sex,age,population\n" + rows_text(30, "\n") + "\xEF\xBB\xBFZ77,male,3,4\n\xEF\xBB\xBF\n" +
                     rows_text(30, "\n") + "   \n" + rows_text(30, "\n");
  const fs::path b = write_file("tok_bom.csv", boms);
  EXPECT_GT(expect_same(b, {{"zone", ColumnType::text}}), 10u);
  EXPECT_TRUE(tokens(b, {{"zone", ColumnType::text}}));
  // Short and long rows, empty cells.
  std::string ragged = "zone,sex,age,population\n" + rows_text(60, "\n") + "Z7,male\nZ8,,3,4,extra,more\nZ9\n,,,\n" +
                       rows_text(60, "\n");
  const fs::path r = write_file("tok_ragged.csv", ragged);
  EXPECT_GT(expect_same(r, {{"zone", ColumnType::text}}), 10u);
  EXPECT_TRUE(tokens(r, {{"zone", ColumnType::text}}));
  // Through OGR features instead: a header line with two kinds of separator (the names alone would not tell which
  // one GDAL chose).
  const fs::path m = write_file("tok_mixed.csv", "zone;code,sex,age,population\n" + rows_text(80, "\n"));
  EXPECT_GT(expect_same(m, {{"sex", ColumnType::text}}), 10u);
  EXPECT_FALSE(tokens(m, {{"sex", ColumnType::text}}));
}

// A line over GDAL's CSV line limit (10,000,000 bytes): the one reader's error, with the rows before it.
TEST(TableParallel, LineOverGdalsLimitGivesTheOneReadersError) {
#if defined(__SANITIZE_ADDRESS__)
  // Release pass only, as a release_only test (CONTRIBUTING.md "Keeping CI fast"): GDAL (not instrumented) reads the
  // 10 MB line growing its buffer as it goes, through AddressSanitizer's allocator and interceptors, so this test
  // took 100 s of CI's ASan pass (0.2 s in Release). That time is the sanitizer's runtime, not checks of our code:
  // the Release binary with only libasan preloaded (nothing of ours instrumented) took 1.5 s -> 450 s wall (load
  // 17). TSan skips it too (scripts/test.sh). Left to the Release pass: the tokenizer stopping at the long line and
  // the layer's read error after data row 50; the error hand-over between the readers stays under ASan in
  // BadCellAnywhereGivesTheOneReadersError below.
  GTEST_SKIP() << "Release pass only: under ASan the time is GDAL reading a 10 MB line through the ASan runtime";
#endif
  const std::string head = "zone,sex,age,population\n" + rows_text(50, "\n");
  const fs::path p =
      write_file("long_line.csv", head + "Z1,male,3," + std::string(10'000'001, '7') + "\n" + rows_text(50, "\n"));
  const Read one = read(p, 1, 64, {{"zone", ColumnType::text}});
  EXPECT_EQ(one.rows.size(), 50u);
  EXPECT_NE(one.error.find("read error after data row 50"), std::string::npos) << one.error;
  for (std::size_t chunk : {40, 5000}) {
    const Read par = read(p, 2, chunk, {{"zone", ColumnType::text}});
    EXPECT_TRUE(par.report.tokens);
    EXPECT_EQ(par.error, one.error);
    EXPECT_EQ(par.rows, one.rows);
    EXPECT_EQ(par.first_rows, one.first_rows);
  }
}

TEST(TableParallel, GbkCellsRecodedAsByOneReader) {
  // 北京 in GBK, and a GBK column name (人口, population).
  std::string s = "zone,name,\xC8\xCB\xBF\xDA\n", ascii_header = "zone,name,pop\n";
  std::string body;
  for (int r = 0; r < 150; ++r)
    body += "Z" + std::to_string(r) + ",\xB1\xB1\xBE\xA9" + std::to_string(r) + "," + std::to_string(r) + "\n";
  const fs::path p = write_file("gbk.csv", s + body);
  EXPECT_GT(expect_same(p, {{"zone", ColumnType::text}, {"人口", ColumnType::number}}, "GBK"), 10u);
  const Read r = read(p, 2, 64, {{"人口", ColumnType::number}}, "GBK");
  ASSERT_EQ(r.rows.size(), 150u) << r.error;
  EXPECT_EQ(r.rows[3][1], "北京3");
  // Read as UTF-8, the first GBK cell is an error naming its row, the same with parts.
  const fs::path u = write_file("gbk_undeclared.csv", ascii_header + body);
  EXPECT_GT(expect_same(u, {{"zone", ColumnType::text}}, {}), 0u);
  EXPECT_NE(read(u, 2, 64, {{"zone", ColumnType::text}})
                .error.find("data row 1 (row 2 counting the header row), column 'name'"),
            std::string::npos);
}

TEST(TableParallel, BadCellAnywhereGivesTheOneReadersError) {
  // Every row in turn holds the bad cell: at the start, the middle, the end and at every part boundary.
  for (const std::string bad : {"n/a", "1e400", "", "\xFF\xFE"}) {
    for (std::size_t bad_row = 1; bad_row <= 40; ++bad_row) {
      const fs::path p = write_file("bad.csv", "zone,sex,age,population\n" + rows_text(40, "\n", bad_row, bad));
      SCOPED_TRACE("bad row " + std::to_string(bad_row));
      expect_same(p);
      const Read r = read(p, 4, 30, kRequired);
      EXPECT_GE(r.report.parts, 1u);  // the error came through the parts
      EXPECT_EQ(r.rows.size(), bad_row - 1);
      EXPECT_NE(r.error.find("data row " + std::to_string(bad_row) + " (row " + std::to_string(bad_row + 1)),
                std::string::npos)
          << r.error;
      EXPECT_NE(r.error.find(p.string()), std::string::npos);
    }
  }
}

TEST(TableParallel, ErrorOfOnRowStopsTheReadingAtThatRow) {
  const fs::path p = write_file("stop.csv", "zone,sex,age,population\n" + rows_text(200, "\n"));
  for (long stop_at : {0L, 1L, 99L, 199L}) {
    expect_same(p, kRequired, {}, stop_at);
    const Read r = read(p, 8, 20, kRequired, {}, stop_at);
    EXPECT_GE(r.report.parts, 1u);
    EXPECT_EQ(r.rows.size(), static_cast<std::size_t>(stop_at));
    EXPECT_NE(r.error.find("stopped at"), std::string::npos);
  }
}

TEST(TableParallel, QuotesAndCsvtKeepTheOneReader) {
  // A quoted cell with a line break late in the file: the parts before it are parallel, the one reader takes over
  // at the part holding it.
  std::string late =
      "zone,sex,age,population\n" + rows_text(200, "\n") + "\"Z\nquoted\",male,3,4\n" + rows_text(5, "\n");
  const fs::path q = write_file("quoted.csv", late);
  expect_same(q);
  const Read r = read(q, 3, 200, kRequired);
  EXPECT_TRUE(r.report.one_reader);
  EXPECT_GT(r.report.one_reader_from, 0u);
  EXPECT_GT(r.report.parts, 1u);
  EXPECT_EQ(r.rows.size(), 206u);
  EXPECT_EQ(r.rows[200][0], "Z\nquoted");
  // A quote in the header line: nothing is cut.
  const fs::path h = write_file("quoted_header.csv", "\"zone\",sex,age,population\n" + rows_text(100, "\n"));
  expect_same(h);
  EXPECT_EQ(read(h, 3, 50, kRequired).report.parts, 0u);
  // A .csvt sidecar types the columns: the one reader, and its messages (a 0.5 in an Integer column).
  std::string typed = "zone,age\n";
  for (int i = 1; i <= 100; ++i) typed += "Z" + std::to_string(i) + "," + (i == 50 ? "0.5" : std::to_string(i)) + "\n";
  const fs::path c = write_file("typed.csv", typed);
  std::ofstream(fs::path(c).replace_extension(".csvt")) << "String,Integer\n";
  expect_same(c, {{"zone", ColumnType::text}, {"age", ColumnType::number}});
  const Read t = read(c, 3, 50, {{"zone", ColumnType::text}, {"age", ColumnType::number}});
  EXPECT_EQ(t.report.parts, 0u);
  EXPECT_TRUE(t.report.one_reader);
  EXPECT_EQ(t.rows.size(), 49u);
  EXPECT_NE(t.error.find("data row 50 (row 51"), std::string::npos) << t.error;
  fs::remove(fs::path(c).replace_extension(".csvt"));
}

// Memory: the parts read and not yet handed out (threads + 2) take at most held_bytes of the file, so parts are
// smaller than chunk_bytes when that many would exceed it, but not under 64 KiB. A 5 MiB file at 2 threads: parts
// of 2 MiB (3), of held_bytes / 4 (1 MiB by default: 6; 256 KiB: 21), and never under 64 KiB (held_bytes 1: 82).
TEST(TableParallel, PartsHoldAtMostHeldBytes) {
  const std::string text = "zone,sex,age,population\n" + rows_text(240'000, "\n");
  const fs::path p = write_file("held.csv", text);
  const Read one = read(p, 1, 64);
  auto parts = [&](std::size_t held) {
    Read r;
    StreamOptions o;
    o.threads = 2;
    o.parallel_min_bytes = 0;
    o.held_bytes = held;
    o.report = &r.report;
    stream_table(
        p.string(), kRequired, {}, {},
        [&](Table& t) {
          r.first_rows.push_back(t.first_row);
          r.rows.push_back(t.rows[0]);
        },
        o);
    EXPECT_EQ(r.rows, one.rows) << "held_bytes " << held;
    EXPECT_EQ(r.first_rows, one.first_rows);
    return r.report.parts;
  };
  const std::size_t size = text.size();
  EXPECT_EQ(parts(std::size_t{8} << 20), (size + (2u << 20) - 1) / (2u << 20));
  const std::size_t by_default = parts(StreamOptions{}.held_bytes);
  EXPECT_EQ(StreamOptions{}.held_bytes, std::size_t{4} << 20);
  EXPECT_GE(by_default, size / (1u << 20));
  EXPECT_LE(by_default, size / (1u << 20) + 1);
  EXPECT_GE(parts(std::size_t{1} << 20), size / (256u << 10));
  const std::size_t smallest = parts(1);
  EXPECT_GE(smallest, size / (64u << 10));
  EXPECT_LE(smallest, size / (64u << 10) + 1);
}

TEST(TableParallel, SmallFilesAndOneThreadKeepTheOneReader) {
  const fs::path p = write_file("small.csv", "zone,sex,age,population\n" + rows_text(100, "\n"));
  StreamReport report;
  StreamOptions o;
  o.threads = 4;
  o.chunk_bytes = 16;
  o.report = &report;  // parallel_min_bytes left at its default (8 MiB)
  stream_table(
      p.string(), kRequired, {}, {}, [](Table&) {}, o);
  EXPECT_EQ(report.parts, 0u);
  EXPECT_TRUE(report.one_reader);
  EXPECT_EQ(read(p, 1, 16, kRequired).report.parts, 0u);
}

TEST(TableParallel, EmptyTableGivesTheSameError) {
  const fs::path p = write_file("empty.csv", "zone,sex,age,population\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
  expect_same(p);
  EXPECT_NE(read(p, 2, 1, kRequired).error.find("the table is empty"), std::string::npos);
}

TEST(TableParallel, RowWithMoreCellsThanTheHeaderIsAnErrorInBothReaders) {
  // "1,000" unquoted: GDAL's CSV layer would drop the extra cell and read 1. Anywhere in the file, after blank lines
  // (not counted, as the layer skips them), with CRLF line ends and another separator.
  for (const std::string eol : {"\n", "\r\n"})
    for (const std::string sep : {",", ";"})
      for (std::size_t bad_row : {1u, 17u, 40u}) {
        std::string body = rows_text(40, eol, bad_row, "1" + sep + "000");
        body.insert(body.find(eol) + eol.size(), eol + eol);  // two blank lines after data row 1
        if (sep != ",") std::replace(body.begin(), body.end(), ',', ';');
        const std::string header = sep == "," ? "zone,sex,age,population" : "zone;sex;age;population";
        const fs::path p = write_file("extra.csv", header + eol + body);
        SCOPED_TRACE("bad row " + std::to_string(bad_row) + ", separator " + sep);
        expect_same(p);
        for (int threads : {1, 4}) {
          const Read r = read(p, threads, 30, kRequired);
          EXPECT_EQ(r.rows.size(), bad_row - 1);
          EXPECT_NE(r.error.find(p.string() + ", layer 'extra', data row " + std::to_string(bad_row) + " (row " +
                                 std::to_string(bad_row + 1) +
                                 " counting the header row): the row has 5 cells, "
                                 "the header has 4 (a thousands separator"),
                    std::string::npos)
              << r.error;
        }
        EXPECT_GE(read(p, 4, 30, kRequired).report.parts, 1u);
      }
  // Behind a quote (the parallel reader hands the rest to the one reader) and in a file the one reader reads alone.
  const fs::path q = write_file("extra_quoted.csv", "zone,sex,age,population\n" + rows_text(200, "\n") +
                                                        "\"Z,q\",male,3,4\n" + rows_text(5, "\n", 3, "1,000"));
  expect_same(q);
  const Read rq = read(q, 3, 200, kRequired);
  EXPECT_TRUE(rq.report.one_reader);
  EXPECT_EQ(rq.rows.size(), 203u);
  EXPECT_NE(rq.error.find("data row 204 (row 205 counting the header row): the row has 5 cells"), std::string::npos)
      << rq.error;
  // Empty cells past the header (a row ending in a separator, as spreadsheets save) are accepted, as before.
  const fs::path e = write_file("trailing.csv", "zone,sex,age,population\n" + rows_text(40, ",\n") + "Z,male,1,2,,\n");
  expect_same(e);
  for (int threads : {1, 4}) {
    const Read r = read(e, threads, 30, kRequired);
    EXPECT_EQ(r.error, "");
    ASSERT_EQ(r.rows.size(), 41u);
    EXPECT_EQ(r.rows[40], (std::vector<std::string>{"Z", "male", "1", "2"}));
  }
}

TEST(TableParallel, RowWithMoreCellsThanTheHeaderOverTheDefaultThreshold) {
  // Over StreamOptions' default parallel_min_bytes (8 MiB): the rows go through the parallel reader's parts.
  const StreamOptions defaults;
  std::string body = "zone,sex,age,population\n" + rows_text(350000, "\n");
  ASSERT_GT(body.size(), defaults.parallel_min_bytes);
  body += "Zlast,male,7,1,000\n" + rows_text(3, "\n");
  const fs::path p = write_file("extra_big.csv", body);
  for (int threads : {1, 2}) {
    StreamOptions o;
    StreamReport report;
    o.threads = threads;
    o.report = &report;
    std::size_t rows = 0;
    std::string error;
    try {
      stream_table(
          p.string(), kRequired, {}, {}, [&](Table&) { ++rows; }, o);
    } catch (const InputError& e) {
      error = e.what();
    }
    EXPECT_EQ(rows, 350000u);
    EXPECT_NE(error.find("data row 350001 (row 350002 counting the header row): the row has 5 cells, the header has 4"),
              std::string::npos)
        << error;
    EXPECT_EQ(report.parts > 0, threads > 1);
  }
  fs::remove(p);
}
