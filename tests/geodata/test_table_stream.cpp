// SPDX-License-Identifier: Apache-2.0
// A table larger than 100 MB is streamed row by row, not slurped: memory stays flat, and a bad cell near its end is
// reported with its row number.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cohortgis/geodata/table.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
namespace fs = std::filesystem;

namespace {
long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// zone,sex,age,population rows; `bad_row` (1-based data row, 0: none) gets text in its population cell.
fs::path write_big_csv(std::size_t rows, std::size_t bad_row) {
  const fs::path p = fs::temp_directory_path() / ("cohortgis_big_" + std::to_string(::getpid()) + ".csv");
  std::FILE* f = std::fopen(p.c_str(), "wb");
  std::fputs("zone,sex,age,population\n", f);
  for (std::size_t r = 1; r <= rows; ++r) {
    if (r == bad_row) std::fprintf(f, "Z%07zu,male,%zu,n/a\n", r / 36, (r % 18) * 5);
    else std::fprintf(f, "Z%07zu,%s,%zu,%zu.25\n", r / 36, r % 2 ? "female" : "male", (r % 18) * 5, 1000 + r % 997);
  }
  std::fclose(f);
  return p;
}

// The 100 MB size is for the RSS bound, which AddressSanitizer's quarantine keeps from being checked: under ASan a
// tenth of the rows (still ten of the reader's 1 MiB reads) checks the rest: the two tests 43 → 4 CPU-s.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kBigRows = 400'000;
#else
constexpr std::size_t kBigRows = 4'000'000;
#endif
}  // namespace

TEST(TableStream, HundredMegabyteTableInConstantMemory) {
  const std::size_t rows = kBigRows;  // about 104 MB (10 MB under ASan)
  const fs::path p = write_big_csv(rows, 0);
  ASSERT_GT(fs::file_size(p), rows * 25);
  const long before = peak_rss_kib();
  std::size_t n = 0;
  double sum = 0.0, expected = 0.0;
  for (std::size_t r = 1; r <= rows; ++r) expected += static_cast<double>(1000 + r % 997) + 0.25;
  stream_table(p.string(), {{"zone", ColumnType::text}, {"population", ColumnType::number}}, {}, {},
               [&](const Table& t) {
                 ++n;
                 sum += t.number(0, "population");
               });
  const long grown_mib = (peak_rss_kib() - before) / 1024;
  EXPECT_EQ(n, rows);
  EXPECT_DOUBLE_EQ(sum, expected);
  // Slurping 104 MB of cells as strings would take several hundred MiB; streaming keeps one row. (AddressSanitizer's
  // quarantine keeps freed memory resident, so the bound is only checked without it.)
  (void)grown_mib;
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(grown_mib, 64) << "peak RSS grew by " << grown_mib << " MiB while streaming";
#endif
  fs::remove(p);
}

TEST(TableStream, BadCellNearTheEndNamesItsRow) {
  const std::size_t bad = kBigRows - 10;
  const fs::path p = write_big_csv(kBigRows, bad);
  try {
    stream_table(p.string(), {{"population", ColumnType::number}}, {}, {}, [](const Table&) {});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("data row " + std::to_string(bad) + " (row " + std::to_string(bad + 1) +
                     " counting the header row), column 'population': 'n/a'"),
              std::string::npos)
        << m;
  }
  fs::remove(p);
}

// A NUL byte is reported with its line (the line breaks before it, counted across the scan's 1 MiB reads) and byte.
TEST(TableStream, NulByteNamesItsLineAndByteAnywhereInTheFile) {
  const fs::path p = fs::temp_directory_path() / ("cohortgis_nul_" + std::to_string(::getpid()) + ".csv");
  std::string text = "zone,population\n";
  while (text.size() < (3u << 20)) text += "Z" + std::to_string(text.size()) + ",1000\n";
  for (const std::size_t at : {std::size_t{20}, std::size_t{(1u << 20) - 1}, std::size_t{1u << 20},
                               std::size_t{(2u << 20) + 77}, text.size() - 3}) {
    std::string bytes = text;
    bytes[at] = '\0';
    std::ofstream(p, std::ios::binary) << bytes;
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + at, '\n'));
    try {
      stream_table(p.string(), {}, {}, {}, [](const Table&) {});
      ADD_FAILURE() << "no error for a NUL byte at " << at;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(": a NUL byte at line " + std::to_string(line) + " (byte " +
                                           std::to_string(at + 1) + "); expected a text table"),
                std::string::npos)
          << e.what();
    }
  }
  fs::remove(p);
}

// A byte above 0x7F anywhere in a cell of any length (the ASCII test reads eight bytes at a time) sends the cell to
// the UTF-8 check: an invalid byte is an error naming the cell, a valid character is kept.
TEST(TableStream, NonAsciiByteAnywhereInACellIsChecked) {
  const fs::path p = fs::temp_directory_path() / ("cohortgis_ascii_" + std::to_string(::getpid()) + ".csv");
  for (std::size_t len = 1; len <= 20; ++len)
    for (std::size_t at = 0; at < len; ++at) {
      std::string cell(len, 'a');
      cell[at] = '\xFF';
      std::ofstream(p, std::ios::binary) << "zone,name\nZ1,ok\nZ2," + cell + "\n";
      std::string error;
      try {
        stream_table(p.string(), {}, {}, {}, [](const Table&) {});
      } catch (const InputError& e) {
        error = e.what();
      }
      EXPECT_NE(error.find("data row 2 (row 3 counting the header row), column 'name': the text is not valid UTF-8"),
                std::string::npos)
          << "length " << len << ", byte " << at << ": " << error;
      std::string good(len, 'a');
      good.replace(at, 1, "é");
      std::ofstream(p, std::ios::binary) << "zone,name\nZ1,ok\nZ2," + good + "\n";
      std::string last;
      stream_table(p.string(), {}, {}, {}, [&](const Table& t) { last = t.rows[0][1]; });
      EXPECT_EQ(last, good);
    }
  fs::remove(p);
}
