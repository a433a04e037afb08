// SPDX-License-Identifier: Apache-2.0
// Where the files an untrusted scenario names may come from (the input sandbox, scenarios/README.md "Where inputs
// may come from"). Paths on the command line are trusted; every file a scenario names must resolve (symlinks
// resolved first) inside one of the roots, is checked before GDAL reads a byte of it, and is never fetched over a
// network: cohortgis turns GDAL's and PROJ's network access off for the whole process (see disable_network).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata {

struct ReadPolicy {
  // Folders whose files may be read (the scenario's folder, the data folder, --allow-read folders); any spelling,
  // canonicalised when checked.
  std::vector<std::string> roots;
  // PostgreSQL services (names in the user's pg_service file) a scenario may name as PG:service=NAME or db:NAME.
  std::vector<std::string> databases;
};

// The policy a command line grants: folders (--allow-read; each must be an existing folder, so a typo does not
// silently grant nothing) and PostgreSQL service names (--allow-db). `read_option`/`db_option` name the options in
// errors ("--allow-read", or "allow_read" in Python). Throws InputError.
ReadPolicy granted(const std::vector<std::string>& allow_read, const std::vector<std::string>& allow_db,
                   const std::string& read_option, const std::string& db_option);

// Largest total uncompressed size of the members of a zip-based input (XLSX, ODS, zipped data): 200 MiB, and at most
// kMaxZipRatio times the archive's own size once the members pass 16 MiB (zip bombs fail before decompressing).
inline constexpr std::uint64_t kMaxZipUncompressed = 200ull << 20;
inline constexpr std::uint64_t kMaxZipRatio = 100;

// The result of check_input: the canonical file, and every further file that reading it pulls in (the sources of an
// OGR VRT), canonical, for the manifest.
struct CheckedInput {
  std::string path;
  std::vector<std::string> pulls;
};

// Checks `path` (already joined to its folder) before anything reads it; throws InputError with a message that
// names `written` (the path as the user wrote it) and never quotes the file's contents:
// - it must resolve, symlinks resolved, inside one of policy.roots (existence is not probed outside them);
// - GDAL virtual file systems (/vsi…), URLs and connection strings are refused;
// - a file whose content is an OGR VRT (whatever its extension) must name only local sources inside the roots,
//   recursively, without SrcSQL; other indirection formats (GDAL raster VRT, WFS/WMS descriptions) are refused;
// - a zip archive (XLSX, ODS) whose members would decompress beyond kMaxZipUncompressed or kMaxZipRatio is refused;
// - sidecar files (same name, other extension: .dbf, .prj, .csvt …) must resolve inside the roots too.
// A missing file passes (the reader reports it as not found).
CheckedInput check_input(const std::string& path, const std::string& written, const ReadPolicy& policy);

// Throws InputError "<label>: a path of N bytes is too long …" when `path` has PATH_MAX (4096) bytes or more, or a
// part (file or folder name) of more than NAME_MAX (255) bytes. check_input applies it; the command line applies it
// to every path option (--out, the scenario, --observed …) before anything is opened or created.
void check_path_length(const std::string& path, const std::string& label);

// Throws InputError "<label>: a GeoPackage holding the view 'v' …" when `path` is an SQLite file (a GeoPackage) holding
// a view, a column GENERATED … VIRTUAL or a virtual table other than GDAL's R-tree index (SQL in the file computes
// their rows when read: SpatiaLite's VirtualText reads other files, a recursive view never ends), or with a non-empty
// write-ahead log beside it (GDAL would fold it into the file). The whole file is checked, not only the layer read
// (read_policy.cpp says why). It runs once per file opened: the readers (stream_table, load_zones) apply it where they
// open a file, check_input to the sources a VRT names (GDAL opens those itself). Other files pass.
void refuse_computed_geopackage(const std::string& path, const std::string& label);

// "" when `path` (links followed) is a regular file, a folder, or does not exist; otherwise what it is ("a named pipe
// (FIFO)", "a character device", …). Such a file is never opened: reading a pipe or /dev/zero blocks or never ends.
std::string special_file_kind(const std::string& path);
// Whether the path (a link followed) is on a file system of the kernel's (procfs, sysfs, debugfs, cgroup …), whose
// "regular files" are no data: /proc/self/pagemap reads 256 GB, /proc/kcore the machine's memory.
bool on_kernel_file_system(const std::string& path);

// "" when no companion of `path` (x.dbf, x.prj, x.csvt … beside x.shp) is a pipe, device or socket; otherwise a
// phrase naming it ("its companion file x.dbf is a named pipe (FIFO), not a file; …"): GDAL opens companions by
// itself, and a FIFO among them would block it.
std::string special_companion(const std::string& path);

// The files beside `path` that GDAL reads with it and that change what is read, so inputs of a run like the file
// itself (manifest.json): a Shapefile's or DBF's .shp, .shx, .dbf, .prj and .cpg (the rows, the CRS, the text
// encoding), a CSV's .csvt (the column types); each as GDAL finds it, the lower-case extension first, then the
// upper-case one (BOUNDARY.SHP's BOUNDARY.DBF). Only regular files that exist; `path` itself never.
std::vector<std::string> read_companions(const std::string& path);

// True when `canonical` (an absolute, symlink-free path) lies inside one of the roots (canonicalised here).
bool inside_roots(const std::string& canonical, const std::vector<std::string>& roots);

// Why `path` (as written) is not a local file path: a GDAL virtual file system at any depth ("/vsicurl/…",
// "x/../vsizip/…"), a URL or URL-encoded path, or a connection string ("PG:…", "http:…"); "" when it is one.
std::string non_local_reason(const std::string& path);

// "PG:service=NAME" or "db:NAME" → NAME after checking that the policy allows it; "" when `written` is neither form.
// Throws InputError for any other connection string (host, user, password …) and for a service not allowed.
std::string database_service(const std::string& written, const ReadPolicy& policy);

// Turns network access off for the whole process: GDAL's network file systems (/vsicurl/, /vsis3/, /vsigs/, /vsiaz/,
// /vsiadls/, /vsioss/, /vsiswift/, /vsiwebhdfs/, /vsihdfs/ and their _streaming forms) refuse every path, GDAL's
// HTTP fetches (drivers that download) fail without a request, and PROJ's network (grids on the CDN) is off. Idempotent;
// called by every geodata entry point that opens data.
void disable_network();

// Text of a cell or name for an error message: at most `max_chars` characters (UTF-8 kept whole; 40 for a cell, more
// for a file name), control characters, backslashes and bytes that are not UTF-8 as \xnn, "…" when cut. The one
// cell-escaping helper of cohortgis (scenarios' escape_cell is this one).
std::string escape_cell(const std::string& text, std::size_t max_chars = 40);
// The cell in double quotes, escaped and cut as escape_cell does: "A\x0aB". Names in messages too.
std::string quote_cell(std::string_view cell);
// A whole message or report for a terminal: line breaks and every printable character kept, backslashes too (what
// escape_cell wrote stays readable), other control bytes, invisible or reordering characters (escape_cell's) and
// bytes that are not UTF-8 as \xnn. What the command line prints of what it read or was given.
std::string terminal_text(const std::string& text);

}  // namespace cohortgis::geodata
