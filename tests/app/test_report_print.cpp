// SPDX-License-Identifier: Apache-2.0
// report.html printed (issue #18): headless Chromium prints the default run's report to PDF (A4, the report's print
// style), poppler's pdftoppm turns every page into a grey image, and each page must be neither blank nor cut: some
// ink on it, and none in the band just inside the right edge of the printable area, where the browser clips what is
// too wide (a wide table, an image) — the print style keeps every box 6 mm inside that edge (report.cpp kCss).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "csv_fixture.hpp"
#include "cohortgis/app/run.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

struct Gray {
  int width = 0, height = 0;
  std::vector<unsigned char> px;
};

// A binary PGM (P5, maxval 255) as pdftoppm -gray writes it.
Gray read_pgm(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string magic;
  int maxval = 0;
  Gray g;
  in >> magic >> g.width >> g.height >> maxval;
  in.get();
  if (magic != "P5" || maxval != 255 || g.width <= 0 || g.height <= 0) return {};
  g.px.resize(static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height));
  in.read(reinterpret_cast<char*>(g.px.data()), static_cast<std::streamsize>(g.px.size()));
  if (!in) return {};
  return g;
}

int run_command(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST(ReportPrint, EveryPdfPageIsNeitherBlankNorCut) {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) GTEST_SKIP() << chromium << " is not installed (scripts/setup.sh installs it)";
  if (!fs::exists("/usr/bin/pdftoppm")) GTEST_SKIP() << "pdftoppm (poppler-utils) is not installed";
  const fs::path root = fs::temp_directory_path() / ("cohortgis_print_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "profile");
  app::RunConfig cfg;
  cfg.scenario = "default";
  cfg.out_dir = (root / "out").string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const fs::path pdf = root / "report.pdf", log = root / "chromium.log";
  const std::string print = "timeout 180 " + std::string(chromium) +
                            " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                            "--disable-background-networking --disable-component-update --disable-sync "
                            "--no-pdf-header-footer --user-data-dir=" + (root / "profile").string() +
                            " --print-to-pdf=" + pdf.string() + " file://" + (root / "out/report.html").string() +
                            " >" + log.string() + " 2>&1";
  ASSERT_EQ(run_command(print), 0) << test::slurp(log.string());
  ASSERT_TRUE(fs::exists(pdf)) << test::slurp(log.string());
  // 50 dpi: an A4 page is 413 × 585 pixels, 1 mm ≈ 2 pixels.
  ASSERT_EQ(run_command("pdftoppm -gray -r 50 " + pdf.string() + " " + (root / "page").string()), 0);
  std::vector<fs::path> pages;
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().extension() == ".pgm") pages.push_back(e.path());
  std::sort(pages.begin(), pages.end());
  ASSERT_GE(pages.size(), 3u) << "the report printed on fewer than 3 pages";
  const double px_per_mm = 50 / 25.4;
  for (const auto& p : pages) {
    const Gray g = read_pgm(p);
    ASSERT_GT(g.width, 0) << p;
    // A4 portrait, printable area from 10 mm to 200 mm (@page margin 10 mm).
    EXPECT_NEAR(g.width / px_per_mm, 210, 2) << p;
    std::size_t ink = 0, cut = 0;
    const int band_from = static_cast<int>(196 * px_per_mm), band_to = static_cast<int>(200 * px_per_mm);
    for (int y = 0; y < g.height; ++y)
      for (int x = 0; x < g.width; ++x) {
        const bool dark = g.px[static_cast<std::size_t>(y) * static_cast<std::size_t>(g.width) + static_cast<std::size_t>(x)] < 235;
        ink += dark;
        cut += dark && x >= band_from && x < band_to;
      }
    const double ink_share = static_cast<double>(ink) / static_cast<double>(g.px.size());
    EXPECT_GT(ink_share, 0.01) << p.filename() << " is blank (" << ink_share * 100 << "% ink)";
    EXPECT_EQ(cut, 0u) << p.filename() << ": content reaches the right edge of the printable area (cut off)";
  }
  fs::remove_all(root);
}
