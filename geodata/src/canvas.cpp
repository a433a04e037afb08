// SPDX-License-Identifier: Apache-2.0
#include "canvas.hpp"

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "drawings.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <png.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata::detail {

namespace {

void png_write_data(png_structp png, png_bytep data, std::size_t length) {
  if (std::fwrite(data, 1, length, static_cast<std::FILE*>(png_get_io_ptr(png))) != length)
    png_error(png, "cannot write");
}
void png_flush_data(png_structp) {}

// Rows between looks at a stop request while a PNG is converted and deflated: a few milliseconds of a 6,000-pixel-wide
// map at 600 dpi, whose whole encoding took seconds.
constexpr int kRowsPerCancelCheck = 64;

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(std::memory_order_relaxed); }

// libpng's part, apart so that its error exit (longjmp) crosses no C++ object: the rows as 8-bit RGB or RGBA, with
// the white background chunk (bKGD) cairo writes, one at a time so that `cancel` is looked at every
// kRowsPerCancelCheck rows (png_write_image deflated them all unstopped). Returns false on any libpng or write error
// and when stopped.
bool write_png_rows(std::FILE* f, png_bytep* rows, int width, int height, bool alpha, int filters, int level,
                    const std::atomic<bool>* cancel) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return false;
  }
  png_set_write_fn(png, f, png_write_data, png_flush_data);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
  png_set_compression_level(png, level);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_color_16 white{};
  white.red = white.green = white.blue = white.gray = 255;
  png_set_bKGD(png, info, &white);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) {
    if (y % kRowsPerCancelCheck == 0 && cancelled(cancel)) {
      png_destroy_write_struct(&png, &info);
      return false;
    }
    png_write_row(png, rows[y]);
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

// The image surface as a PNG with the pixels cairo_surface_write_to_png writes (RGB when every pixel is opaque, else
// RGBA unpremultiplied as cairo does), but unfiltered rows at zlib level 3: cairo leaves libpng's adaptive filter on
// (all five filters tried on every row) at level 6. Maps and charts are flat colours, which deflate finds in earlier
// rows: the default scenario's 41 images are 10 % smaller with the same pixels, and `cohortgis report` on its folder
// takes 40 % less CPU (bench/HISTORY.md "Round 7: report and drawing").
bool write_png(cairo_surface_t* surface, std::FILE* f, const std::atomic<bool>* cancel) {
  const int width = cairo_image_surface_get_width(surface), height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  if (!data || width <= 0 || height <= 0) return false;
  bool opaque = true;
  for (int y = 0; y < height && opaque; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < width; ++x)
      if ((row[x] >> 24) != 0xff) {
        opaque = false;
        break;
      }
  }
  const std::size_t channels = opaque ? 3 : 4, row_bytes = channels * uz(width);
  std::vector<unsigned char> pixels(row_bytes * uz(height));
  std::vector<png_bytep> rows(uz(height));
  for (int y = 0; y < height; ++y) {
    if (y % kRowsPerCancelCheck == 0 && cancelled(cancel)) return false;
    const auto* in = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    unsigned char* out = pixels.data() + uz(y) * row_bytes;
    rows[uz(y)] = out;
    for (int x = 0; x < width; ++x, out += channels) {
      const std::uint32_t p = in[x], a = p >> 24;
      std::uint32_t r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
      if (!opaque) {  // cairo's unpremultiply_data
        if (a == 0)
          r = g = b = 0;
        else {
          r = (r * 255 + a / 2) / a;
          g = (g * 255 + a / 2) / a;
          b = (b * 255 + a / 2) / a;
        }
        out[3] = static_cast<unsigned char>(a);
      }
      out[0] = static_cast<unsigned char>(r);
      out[1] = static_cast<unsigned char>(g);
      out[2] = static_cast<unsigned char>(b);
    }
  }
  return write_png_rows(f, rows.data(), width, height, !opaque, PNG_FILTER_NONE, 3, cancel);
}

Canvas::Canvas(ImageFormat format, const std::string& path, int width, int height, double dpi)
    : format_(format), path_(path), tmp_(path + ".tmp-" + std::to_string(::getpid())) {
  if (width <= 0 || height <= 0 || !(dpi > 0))
    throw InputError("image " + path + ": width, height and dpi must be positive");
  // Room for ".tmp-PID" (a pid of at most 7 digits): a valid name of 251 bytes failed as "error while writing to
  // output stream" once drawn (`map --out`, hostile probe of round 17).
  require_room_for_staging("image " + path, std::filesystem::path(path).filename().string(), 12, "file");
  require_local_output("image " + path, path);
  require_owner_access_umask("image " + path);
  // The temporary file created new, registered and its surface made under one lock: after
  // abandon_drawings_in_progress none of it happens, and the watchdog removes only a file this canvas made. Created
  // new (O_EXCL, O_NOFOLLOW): "m.png.tmp-PID" made beforehand by a shell that then execs cohortgis was a link
  // written through to the user's file, a hard link whose file was overwritten, a named pipe that hung the run, or
  // a user's file renamed into place or removed (hostile probe of round 23).
  const std::lock_guard<std::mutex> lock(drawings_mutex());
  file_ = create_new_file("image " + path, tmp_);
  if (!file_) throw InputError("image " + path + ": cannot create " + tmp_ + " (" + std::strerror(errno) + ")");
  drawings().insert(tmp_);
  const auto write_out = [](void* closure, const unsigned char* data, unsigned int length) {
    return std::fwrite(data, 1, length, static_cast<std::FILE*>(closure)) == length ? CAIRO_STATUS_SUCCESS
                                                                                    : CAIRO_STATUS_WRITE_ERROR;
  };
  switch (format) {
    case ImageFormat::png: {
      const double scale = dpi / 96.0;
      surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(std::lround(width * scale)),
                                            static_cast<int>(std::lround(height * scale)));
      break;
    }
    case ImageFormat::svg:  // 1 layout unit = 1 pt in the SVG's user space
      surface_ = cairo_svg_surface_create_for_stream(write_out, file_, width, height);
      break;
    case ImageFormat::pdf:
      surface_ = cairo_pdf_surface_create_for_stream(write_out, file_, width, height);
      // A fixed creation date (cairo writes the time of drawing otherwise), so the same results give the same file,
      // as results.xlsx's and results.gpkg's fixed dates do.
      cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
      break;
  }
  cr_ = cairo_create(surface_);
  if (format == ImageFormat::png) cairo_scale(cr_, dpi / 96.0, dpi / 96.0);
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface_));
    release();  // the destructor does not run for a constructor that throws
    throw InputError("image " + path + ": cannot create the drawing surface (" + why + ")");
  }
  set_rgb(cr_, 0xffffff);
  cairo_paint(cr_);
}

// Called with drawings_mutex held.
void Canvas::release() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);  // a stream surface finishes into file_ first
  cr_ = nullptr;
  surface_ = nullptr;
  if (file_) std::fclose(file_);
  file_ = nullptr;
  if (drawings().erase(tmp_) && !committed_) std::remove(tmp_.c_str());
}

Canvas::~Canvas() {
  const std::lock_guard<std::mutex> lock(drawings_mutex());
  release();
}

void throw_if_cancelled(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed)) throw ProjectionError("drawing cancelled");
}

void Canvas::commit(const std::atomic<bool>* cancel) {
  cairo_status_t status = cairo_status(cr_);
  if (format_ == ImageFormat::png) {
    cairo_surface_flush(surface_);
    if (status == CAIRO_STATUS_SUCCESS && !write_png(surface_, file_, cancel)) {
      throw_if_cancelled(cancel);  // stopped while encoding: the temporary file is removed with the canvas
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  } else {
    cairo_surface_finish(surface_);
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface_);
  }
  {
    const std::lock_guard<std::mutex> lock(drawings_mutex());
    const bool bad = std::ferror(file_) != 0;
    if (std::fclose(file_) != 0 || bad)
      if (status == CAIRO_STATUS_SUCCESS) status = CAIRO_STATUS_WRITE_ERROR;
    file_ = nullptr;
  }
  if (status != CAIRO_STATUS_SUCCESS)
    throw InputError("image " + path_ + ": cannot write it (" + cairo_status_to_string(status) + ")");
  throw_if_cancelled(cancel);
  std::error_code ec;
  const std::lock_guard<std::mutex> lock(drawings_mutex());  // not after abandon_drawings_in_progress
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw InputError("image " + path_ + ": cannot move it into place (" + ec.message() + ")");
  committed_ = true;
}

void set_rgb(cairo_t* cr, std::uint32_t c) {
  cairo_set_source_rgb(cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0, (c & 0xff) / 255.0);
}

TextBox draw_text(cairo_t* cr, const std::string& text, const std::string& family, double size_pt, double x, double y,
                  bool bold, bool measure_only, bool halo, double r, double g, double b) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, family.c_str());
  pango_font_description_set_absolute_size(font, size_pt * PANGO_SCALE);
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout, font);
  pango_layout_set_text(layout, text.c_str(), -1);
  int w = 0, h = 0;
  pango_layout_get_pixel_size(layout, &w, &h);
  if (!measure_only) {
    cairo_save(cr);
    cairo_move_to(cr, x, y);
    if (halo) {  // white outline so labels stay legible on any fill
      pango_cairo_layout_path(cr, layout);
      cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
      cairo_set_line_width(cr, 3.0);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke(cr);
      cairo_move_to(cr, x, y);
    }
    cairo_set_source_rgb(cr, r, g, b);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);
  }
  pango_font_description_free(font);
  g_object_unref(layout);
  return {static_cast<double>(w), static_cast<double>(h)};
}

}  // namespace cohortgis::geodata::detail

namespace cohortgis::geodata {

int missing_glyphs(const std::string& text, const std::string& family) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
  cairo_t* cr = cairo_create(s);
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_from_string(family.c_str());
  pango_font_description_set_absolute_size(font, 12 * PANGO_SCALE);
  pango_layout_set_font_description(layout, font);
  pango_layout_set_text(layout, text.c_str(), -1);
  const int unknown = pango_layout_get_unknown_glyphs_count(layout);
  pango_font_description_free(font);
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return unknown;
}

}  // namespace cohortgis::geodata
