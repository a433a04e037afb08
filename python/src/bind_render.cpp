// SPDX-License-Identifier: Apache-2.0
// Maps and charts for notebooks: the same geodata renderers (Cairo/Pango) as the command line's outputs, returned
// as image bytes so the Python layer can display them inline (_repr_png_ / _repr_svg_).
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

namespace fs = std::filesystem;
using geodata::ImageFormat;

ImageFormat format_of(const std::string& f) {
  if (const auto format = geodata::image_format_named(f)) return *format;
  throw InputError("image format '" + f + "'; expected png, svg or pdf");
}

// Text drawn by Pango, which reads it as a C string: a title "A\0B" was drawn as "A", silently (the package's
// text_arg refuses a NUL first; these functions can be called directly, docs/python-maps.md).
const std::string& drawn_text(const std::string& text, const std::string& what) {
  if (text.find('\0') != std::string::npos)
    throw InputError(what + ": text holding a NUL character; expected text without one");
  return text;
}
const std::vector<std::string>& drawn_texts(const std::vector<std::string>& texts, const std::string& what) {
  for (const std::string& t : texts) drawn_text(t, what);
  return texts;
}

// The (name, first, second) series of a chart (render_lines: x and y; render_pyramid: female and male), each read
// by its items (elements_of), named by `what`, its index and the part: pybind11's list caster made room for the
// len() a list subclass says ("vector::reserve") and drew a list saying 0 as no series ("no finite values to draw").
using Series = std::tuple<std::string, std::vector<double>, std::vector<double>>;
std::vector<Series> series_of(const py::handle& value, const std::string& what, const std::string& first,
                              const std::string& second) {
  const std::string expected = "(name, " + first + ", " + second + ")";
  std::vector<Series> out;
  const std::vector<py::object> items = elements_of(value, what, "a list of " + expected + " series");
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string row = what + " " + std::to_string(k);
    const std::vector<py::object> p = elements_of(items[k], row, expected);
    if (p.size() != 3) throw py::value_error(row + ": " + std::to_string(p.size()) + " items; expected " + expected);
    out.emplace_back(text_of(p[0], row + ", name"), reals_of(p[1], row + ", " + first),
                     reals_of(p[2], row + ", " + second));
  }
  return out;
}

geodata::ClassMethod method_of(const std::string& m) {
  if (const auto method = geodata::class_method_named(m)) return *method;
  throw InputError("class method '" + m + "'; expected quantile, equal_interval or natural_breaks");
}

// The renderers write files (through a temporary name); a private temporary folder per call keeps concurrent
// calls apart, and is removed whatever happens.
class ScratchDir {
 public:
  // In the folder TMPDIR names (else /tmp), as Python's tempfile: a TMPDIR that is no folder or not writable is named
  // with what to do, not as std::filesystem's "temp_directory_path: Not a directory".
  ScratchDir() {
    const char* env = std::getenv("TMPDIR");
    const std::string named = env && *env ? "TMPDIR '" + std::string(env) + "'" : std::string("/tmp");
    const std::string fix = "; set TMPDIR to a folder you can write to (figures are drawn into a temporary file)";
    std::error_code ec;
    const fs::path base = env && !*env ? fs::path("/tmp") : fs::temp_directory_path(ec);
    if (ec)
      throw std::runtime_error("cannot draw the figure: " + named + " is not a folder (" + ec.message() + ")" + fix);
    std::string tmpl = (base / "cohortgis-py-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      const std::string why = std::error_code(errno, std::generic_category()).message();
      throw std::runtime_error("cannot draw the figure: cannot create a folder in " + named + " (" + why + ")" + fix);
    }
    dir_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string file(const std::string& ext) const { return (dir_ / ("image." + ext)).string(); }

 private:
  fs::path dir_;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("image " + path + ": cannot read it back");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `message` with the scratch file `path` left out: the renderers name the file they write ("chart PATH: no finite
// values to draw", "image PATH: cannot create PATH.tmp-PID (…)"), which for a figure drawn from Python is a private
// temporary file the user never named (Figure.save names the user's own path before such a message).
std::string without_scratch_path(std::string message, const std::string& path) {
  const std::string temporary = path + ".tmp-";
  for (std::size_t at; (at = message.find(temporary)) != std::string::npos;) {
    std::size_t end = at + temporary.size();
    while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
    message.replace(at, end - at, "its temporary file");
  }
  for (std::size_t at; (at = message.find(" " + path)) != std::string::npos;) message.erase(at, path.size() + 1);
  for (std::size_t at; (at = message.find(path)) != std::string::npos;) message.replace(at, path.size(), "the image");
  return message;
}

// The image `draw(path)` writes to a file of a private scratch folder, as bytes; drawn with the GIL released on a
// thread of its own while this one looks for Ctrl-C (run_interruptibly): a map of thousands of zones took seconds
// with KeyboardInterrupt held until it was done. `cancel` is set then; a choropleth stops within 256 zones
// (MapStyle::cancel), a pyramid before its next age row, a line chart within geodata::kRowsBetweenStops points
// (their styles' cancel).
template <class Draw>
py::bytes rendered(const std::string& format, std::atomic<bool>& cancel, Draw&& draw) {
  std::string bytes;
  run_interruptibly(cancel, [&] {
    const ForkSensitiveWork drawing;  // Cairo, Pango, fontconfig; GDAL and PROJ for a map's zones
    ScratchDir tmp;
    const std::string path = tmp.file(format);
    try {
      draw(path);
      bytes = read_all(path);
    } catch (const InputError& e) {
      throw InputError(without_scratch_path(e.what(), path));
    } catch (const ProjectionError& e) {
      throw ProjectionError(without_scratch_path(e.what(), path));
    } catch (const std::runtime_error& e) {  // std::filesystem's errors among them
      throw std::runtime_error(without_scratch_path(e.what(), path));
    }
  });
  return py::bytes(bytes);
}

}  // namespace

void bind_render(py::module_& m) {
  // The zones of a loaded set's [geography.source] for the notebook's maps and zones(): read by geodata::load_zones
  // as the command line's maps read them, with the source's encoding, crs and make_valid (geopandas.read_file knew
  // none of them: a GBK Shapefile's ids were not found, a source without a CRS had none, a repaired bow-tie was
  // refused as invalid), and through the file binding its load approved (a link swapped since is refused).
  m.def(
      "zone_geometry",
      [](const py::object& set_arg, const py::object& ids_arg) {
        if (!py::isinstance<scenarios::ScenarioSet>(set_arg))
          throw py::type_error("scenario_set: expected the compiled ScenarioSet of load_scenario_file, got " +
                               type_name(set_arg));
        const scenarios::ScenarioSet& set = set_arg.cast<const scenarios::ScenarioSet&>();
        const std::vector<std::string> ids = texts_of(ids_arg, "ids");
        if (set.zones_source_path.empty())
          throw InputError("the scenario has no zone geometry (no [geography.source])");
        geodata::ZoneSource source = set.zones_source;
        source.path = set.zones_source_path;
        source.layer = set.zones_source_layer;
        const auto out = std::make_shared<std::optional<geodata::Zones>>();
        run_detachable([out, source, ids](const std::atomic<bool>& cancel) {
          const ForkSensitiveWork reading;  // GDAL and PROJ
          const geodata::ReadCancellation stoppable(&cancel);
          out->emplace(geodata::load_zones(source).select(ids));
        });
        const geodata::Zones& zones = **out;
        py::list wkb;
        for (std::size_t i = 0; i < zones.size(); ++i) {
          const std::vector<std::uint8_t> bytes = zones.wkb(i);
          wkb.append(py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        }
        return py::make_tuple(wkb, zones.crs_wkt());
      },
      py::arg("scenario_set"), py::arg("ids"),
      "The zones `ids` of a loaded set's [geography.source], in that order, as the command line's maps read them\n"
      "(encoding, crs, make_valid): (ISO WKB of each zone, the CRS as WKT2). ValueError when it cannot be read.");

  m.def(
      "render_choropleth",
      [](const py::object& ids_arg, const py::object& wkt_arg, const py::object& crs_arg, const py::object& values_arg,
         const py::object& labels_arg, const py::object& title_arg, const py::object& subtitle_arg,
         const py::object& legend_title_arg, const py::object& source_note_arg, const py::object& classes,
         const py::object& method_arg, const py::object& width_px_arg, const py::object& height_px_arg,
         const py::object& legend_decimals, const py::object& map_crs_arg, const py::object& diverging,
         const py::object& format_arg) {
        // Each named when of another type (text_of, int_of): pybind11's listing named none.
        const std::string crs = text_of(crs_arg, "crs"), title = text_of(title_arg, "title"),
                          subtitle = text_of(subtitle_arg, "subtitle"),
                          legend_title = text_of(legend_title_arg, "legend_title"),
                          source_note = text_of(source_note_arg, "source_note"), method = text_of(method_arg, "method"),
                          map_crs = text_of(map_crs_arg, "map_crs"), format = text_of(format_arg, "format");
        const int width_px = static_cast<int>(int_of(width_px_arg, "width_px")),
                  height_px = static_cast<int>(int_of(height_px_arg, "height_px"));
        const ImageFormat fmt = format_of(format);
        const std::vector<std::string> ids = texts_of(ids_arg, "ids"), wkt = texts_of(wkt_arg, "wkt"),
                                       labels = texts_of(labels_arg, "labels");
        const std::vector<double> values = reals_of(values_arg, "values");
        geodata::MapStyle style;
        style.diverging = flag_of(diverging, "diverging");
        drawn_texts(ids, "ids");
        drawn_texts(labels, "labels");
        style.title = drawn_text(title, "title");
        style.subtitle = drawn_text(subtitle, "subtitle");
        style.legend_title = drawn_text(legend_title, "legend_title");
        style.source_note = drawn_text(source_note, "source_note");
        // 1 to 9 as docs/python-maps.md says (the palettes have 9 colours: 100 classes were drawn without a word), and
        // 0 to 20 digits as Results.map takes, what the legend's number format prints (-3 was taken).
        style.classes = static_cast<int>(int_of(classes, "classes", 1, 9));
        style.method = method_of(method);
        style.width_px = width_px;
        style.height_px = height_px;
        style.legend_decimals = static_cast<int>(int_of(legend_decimals, "legend_decimals", 0, 20));
        std::atomic<bool> cancel{false};
        style.cancel = &cancel;
        std::vector<double> breaks;
        py::bytes image = rendered(format, cancel, [&](const std::string& path) {
          const geodata::Zones zones = geodata::Zones::from_wkt("zones", crs, ids, wkt, labels);
          const std::vector<geodata::MapZone> shapes = geodata::map_zones(zones, values, labels, map_crs);
          breaks = geodata::render_choropleth(shapes, style, fmt, path);
        });
        return std::make_tuple(std::move(image), breaks);
      },
      py::arg("ids"), py::arg("wkt"), py::arg("crs"), py::arg("values"), py::arg("labels") = py::list(),
      py::arg("title") = "", py::arg("subtitle") = "", py::arg("legend_title") = "", py::arg("source_note") = "",
      py::arg("classes") = 5, py::arg("method") = "quantile", py::arg("width_px") = 1200, py::arg("height_px") = 900,
      py::arg("legend_decimals") = 1, py::arg("map_crs") = "", py::arg("diverging") = false, py::arg("format") = "png",
      "Choropleth of zones given as WKT polygons in `crs` (geodata map_zones + render_choropleth, as the CLI).\n"
      "NaN values are drawn as 'no data'; diverging: a break at 0, reds below and blues above (changes). Returns "
      "(image bytes, class breaks).");

  m.def(
      "render_pyramid",
      [](const py::object& stacked_arg, const py::object& outline_arg, const py::object& title_arg,
         const py::object& age_labels_arg, const py::object& persons_label_arg, const py::object& axis_divisor_arg,
         const py::object& width_px_arg, const py::object& height_px_arg, const py::object& format_arg) {
        const std::string title = text_of(title_arg, "title"),
                          persons_label = text_of(persons_label_arg, "persons_label"),
                          format = text_of(format_arg, "format");
        const double axis_divisor = real_of(axis_divisor_arg, "axis_divisor");
        const int width_px = static_cast<int>(int_of(width_px_arg, "width_px")),
                  height_px = static_cast<int>(int_of(height_px_arg, "height_px"));
        const ImageFormat fmt = format_of(format);
        const std::vector<Series> stacked = series_of(stacked_arg, "stacked", "female", "male"),
                                  outline = series_of(outline_arg, "outline", "female", "male");
        const std::vector<std::string> age_labels = texts_of(age_labels_arg, "age_labels");
        const auto series = [](const auto& v) {
          std::vector<geodata::PyramidSeries> out;
          for (const auto& [name, f, mm] : v) out.push_back({drawn_text(name, "series name"), f, mm});
          return out;
        };
        geodata::PyramidStyle style;
        style.title = drawn_text(title, "title");
        style.age_labels = drawn_texts(age_labels, "age_labels");
        style.persons_label = drawn_text(persons_label, "persons_label");
        style.axis_divisor = axis_divisor;
        style.width_px = width_px;
        style.height_px = height_px;
        const auto st = series(stacked), ol = series(outline);
        std::atomic<bool> cancel{false};
        style.cancel = &cancel;
        return rendered(format, cancel,
                        [&](const std::string& path) { geodata::render_pyramid(st, ol, style, fmt, path); });
      },
      py::arg("stacked"), py::arg("outline") = py::list(), py::arg("title") = "", py::arg("age_labels") = py::list(),
      py::arg("persons_label") = "persons", py::arg("axis_divisor") = 1.0, py::arg("width_px") = 900,
      py::arg("height_px") = 900, py::arg("format") = "png",
      "Population pyramid (geodata render_pyramid): stacked [(name, female, male)] bars, outline series drawn as\n"
      "outlines. Returns the image bytes.");

  m.def(
      "render_lines",
      [](const py::object& series_arg, const py::object& title_arg, const py::object& x_label_arg,
         const py::object& y_label_arg, const py::object& width_px_arg, const py::object& height_px_arg,
         const py::object& format_arg) {
        const std::string title = text_of(title_arg, "title"), x_label = text_of(x_label_arg, "x_label"),
                          y_label = text_of(y_label_arg, "y_label"), format = text_of(format_arg, "format");
        const int width_px = static_cast<int>(int_of(width_px_arg, "width_px")),
                  height_px = static_cast<int>(int_of(height_px_arg, "height_px"));
        const ImageFormat fmt = format_of(format);
        const std::vector<Series> series = series_of(series_arg, "series", "x", "y");
        std::vector<geodata::LineSeries> lines;
        for (const auto& [name, x, y] : series) lines.push_back({drawn_text(name, "series name"), x, y});
        geodata::LineStyle style;
        style.title = drawn_text(title, "title");
        style.x_label = drawn_text(x_label, "x_label");
        style.y_label = drawn_text(y_label, "y_label");
        style.width_px = width_px;
        style.height_px = height_px;
        std::atomic<bool> cancel{false};
        style.cancel = &cancel;
        return rendered(format, cancel,
                        [&](const std::string& path) { geodata::render_lines(lines, style, fmt, path); });
      },
      py::arg("series"), py::arg("title") = "", py::arg("x_label") = "", py::arg("y_label") = "",
      py::arg("width_px") = 900, py::arg("height_px") = 600, py::arg("format") = "png",
      "Indicator over time, one line per (name, x, y) series (geodata render_lines). Returns the image bytes.");
}

}  // namespace cohortgis::python
