// SPDX-License-Identifier: Apache-2.0
// The PNG writer of maps and charts (geodata/src/canvas.cpp): unfiltered rows at zlib level 3 instead of cairo's
// writer, with the same pixels as cairo_surface_write_to_png for opaque and for translucent images.
#include <cairo.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace cohortgis::geodata::detail {
bool write_png(cairo_surface_t* surface, std::FILE* f, const std::atomic<bool>* cancel = nullptr);  // canvas.hpp
}

namespace {

std::vector<unsigned char> pixels_of(const std::string& path, int& width, int& height) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << path;
  width = cairo_image_surface_get_width(s);
  height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  std::vector<unsigned char> out;
  const unsigned char* d = cairo_image_surface_get_data(s);
  for (int y = 0; y < height; ++y) out.insert(out.end(), d + y * stride, d + y * stride + 4 * width);
  cairo_surface_destroy(s);
  return out;
}

// The PNG's colour type (IHDR byte 25): 2 RGB, 6 RGBA.
int colour_type(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(26, '\0');
  in.read(head.data(), 26);
  return static_cast<unsigned char>(head[25]);
}

void draw(cairo_t* cr, bool opaque) {
  if (opaque) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
  }
  cairo_set_source_rgba(cr, 0.2, 0.5, 0.7, opaque ? 1.0 : 0.6);
  cairo_arc(cr, 60, 40, 30, 0, 2 * M_PI);  // anti-aliased edge: many partial pixels
  cairo_fill(cr);
  cairo_set_source_rgba(cr, 0.9, 0.1, 0.1, opaque ? 1.0 : 0.3);
  cairo_set_line_width(cr, 2.5);
  cairo_move_to(cr, 3, 70);
  cairo_line_to(cr, 117, 7);
  cairo_stroke(cr);
}

}  // namespace

TEST(Png, SamePixelsAsCairosWriter) {
  for (bool opaque : {true, false}) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 120, 80);
    cairo_t* cr = cairo_create(s);
    draw(cr, opaque);
    cairo_surface_flush(s);
    const std::string ours = testing::TempDir() + "/ours.png", theirs = testing::TempDir() + "/cairo.png";
    std::FILE* f = std::fopen(ours.c_str(), "wb");
    ASSERT_TRUE(f);
    EXPECT_TRUE(cohortgis::geodata::detail::write_png(s, f));
    EXPECT_EQ(std::fclose(f), 0);
    ASSERT_EQ(cairo_surface_write_to_png(s, theirs.c_str()), CAIRO_STATUS_SUCCESS);
    int w1 = 0, h1 = 0, w2 = 0, h2 = 0;
    EXPECT_TRUE(pixels_of(ours, w1, h1) == pixels_of(theirs, w2, h2)) << (opaque ? "opaque" : "translucent");
    EXPECT_EQ(w1, 120);
    EXPECT_EQ(h1, 80);
    EXPECT_EQ(colour_type(ours), colour_type(theirs));
    EXPECT_EQ(colour_type(ours), opaque ? 2 : 6);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
  }
}

TEST(Png, WriteErrorIsReported) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 64);
  std::FILE* f = std::fopen("/dev/full", "wb");  // every write fails (ENOSPC)
  if (!f) GTEST_SKIP() << "no /dev/full";
  std::setvbuf(f, nullptr, _IONBF, 0);
  EXPECT_FALSE(cohortgis::geodata::detail::write_png(s, f));
  std::fclose(f);
  cairo_surface_destroy(s);
}

// A stop request while a PNG is encoded (Ctrl-C, SIGTERM): its rows were deflated to the end, seconds for a map at 600
// dpi, before the run looked at the request again (round 26 backlog). It is looked at every 64 rows now, also while
// the pixels are converted. The writes go to a stream that counts the bytes and sets the request at the first write
// (the PNG's signature, before any row): the writer stops there.
namespace {
struct CountingStream {
  std::size_t bytes = 0;
  std::atomic<bool>* cancel_at_first_write = nullptr;
};
ssize_t count_write(void* cookie, const char*, std::size_t n) {
  auto* c = static_cast<CountingStream*>(cookie);
  c->bytes += n;
  if (c->cancel_at_first_write) c->cancel_at_first_write->store(true);
  return static_cast<ssize_t>(n);
}
}  // namespace

TEST(Png, AStopRequestStopsTheEncoding) {
  const int side = 1024;
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, side, side);
  auto* px = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(s));
  std::uint32_t x = 12345;
  for (int i = 0; i < side * side; ++i) {  // opaque noise: deflate finds little to shorten, as in a dense map
    x = x * 1664525u + 1013904223u;
    px[i] = 0xff000000u | (x >> 8);
  }
  cairo_surface_mark_dirty(s);
  const auto encode = [&](CountingStream& c, const std::atomic<bool>* cancel) {
    std::FILE* f = fopencookie(&c, "wb", cookie_io_functions_t{nullptr, count_write, nullptr, nullptr});
    std::setvbuf(f, nullptr, _IONBF, 0);  // each of libpng's writes reaches the counter
    const bool ok = cohortgis::geodata::detail::write_png(s, f, cancel);
    std::fclose(f);
    return ok;
  };
  CountingStream whole;
  ASSERT_TRUE(encode(whole, nullptr));
  EXPECT_GT(whole.bytes, std::size_t{side} * side * 3 / 2);  // the noise's bytes

  std::atomic<bool> cancel{false};
  CountingStream stopped;
  stopped.cancel_at_first_write = &cancel;
  EXPECT_FALSE(encode(stopped, &cancel));
  EXPECT_LT(stopped.bytes, std::size_t{1024});  // the signature and header chunks: no row

  CountingStream before;  // asked before the call: not a byte (the conversion of the pixels looks too)
  EXPECT_FALSE(encode(before, &cancel));
  EXPECT_EQ(before.bytes, 0u);
  cairo_surface_destroy(s);
}
