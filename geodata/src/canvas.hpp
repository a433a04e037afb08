// SPDX-License-Identifier: Apache-2.0
// Internal: a Cairo drawing surface for one output file (PNG, SVG or PDF) written through a temporary name, and
// Pango text helpers shared by maps and charts.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "canvas_text.hpp"
#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::geodata::detail {

class Canvas {
 public:
  // width, height: layout units (CSS pixels at 96 dpi); a PNG gets width·dpi/96 pixels.
  Canvas(ImageFormat format, const std::string& path, int width, int height, double dpi);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  cairo_t* cr() const { return cr_; }
  // Finishes the file and renames it into place; without commit() the temporary file is removed. A stop request
  // (`cancel`) while a PNG is encoded (write_png) or once the file is written leaves it out: a signal that came
  // during it must not end in a map put in place and exit 0.
  void commit(const std::atomic<bool>* cancel = nullptr);

 private:
  void release();  // the surface, the context and the temporary file closed (removed unless committed)

  ImageFormat format_;
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;  // the temporary file, created new (create_new_file) with the canvas
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  bool committed_ = false;
};

// ProjectionError("drawing cancelled") once *cancel is set (cancel may be null): the styles' cancel, between parts of
// a drawing.
void throw_if_cancelled(const std::atomic<bool>* cancel);

// Writes an image surface (ARGB32) to f as PNG; false on error, and when *cancel (may be null) is seen set, which is
// looked at every 64 rows while the pixels are converted and deflated (within milliseconds).
bool write_png(cairo_surface_t* surface, std::FILE* f, const std::atomic<bool>* cancel = nullptr);

struct TextBox {
  double width = 0, height = 0;
};

// Lays out UTF-8 text in `family` at `size_pt` (bold optional); draws it with its top-left at (x, y) unless
// measure_only. halo: a white outline under the text for labels over a map.
TextBox draw_text(cairo_t* cr, const std::string& text, const std::string& family, double size_pt, double x, double y,
                  bool bold = false, bool measure_only = false, bool halo = false, double r = 0.1, double g = 0.1,
                  double b = 0.1);
void set_rgb(cairo_t* cr, std::uint32_t rrggbb);

}  // namespace cohortgis::geodata::detail
