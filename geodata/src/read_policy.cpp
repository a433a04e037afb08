// SPDX-License-Identifier: Apache-2.0
// The input sandbox (read_policy.hpp): path checks, OGR VRT and zip inspection before GDAL opens a file, and the
// process-wide network switch-off.
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/ascii_case.hpp"

#include "checked_files.hpp"
#include "cohortgis/geodata/json_depth.hpp"
#include "gdal_support.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <cpl_conv.h>
#include <cpl_http.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <cpl_vsi_virtual.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

namespace cohortgis::geodata {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxVrtDepth = 8;                        // a VRT naming a VRT naming … (and loops) stop here
constexpr std::uintmax_t kMaxVrtBytes = 16u << 20;     // an OGR VRT is a short description, never a data file
constexpr std::size_t kMaxZipMembers = 100000;

bool contains_ci(const std::string& s, const char* needle) { return ascii_lower(s).find(needle) != std::string::npos; }

fs::path canonical_or_empty(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  if (ec) return {};
  return c;
}

// Components of `root` are a prefix of those of `p` (both canonical), so /data/x is not inside /dat.
bool is_within(const fs::path& p, const fs::path& root) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri) {
    if (ri->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *ri) return false;
    ++pi;
  }
  return true;
}

// The folders, in full: they come from the command line (trusted), and a cut path would not help.
std::string roots_text(const std::vector<std::string>& roots) {
  std::string s;
  for (const auto& r : roots) {
    const fs::path c = canonical_or_empty(r);
    s += (s.empty() ? "'" : ", '") + (c.empty() ? r : c.string()) + "'";
  }
  return s.empty() ? "none" : s;
}

// A PostgreSQL service name (a [section] of pg_service.conf).
bool is_service_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return is_ascii_alnum(ch) || ch == '_' || ch == '-' || ch == '.';
  });
}

std::string q(const std::string& written) { return "'" + escape_cell(written) + "'"; }

// A path component that names a GDAL virtual file system ("vsicurl", "vsizip", "vsis3_streaming", "vsicurl?url=…").
bool names_vsi(const std::string& component) {
  const std::string c = ascii_lower(component);
  if (c.rfind("vsi", 0) != 0) return false;
  std::size_t i = 3;
  while (i < c.size() && (is_ascii_alnum(c[i]) || c[i] == '_')) ++i;
  static const char* const kKnown[] = {"vsicurl", "vsicurl_streaming", "vsis3", "vsis3_streaming", "vsigs",
                                       "vsigs_streaming", "vsiaz", "vsiaz_streaming", "vsiadls", "vsioss",
                                       "vsioss_streaming", "vsiswift", "vsiswift_streaming", "vsihdfs", "vsiwebhdfs",
                                       "vsizip", "vsitar", "vsigzip", "vsi7z", "vsirar", "vsimem", "vsistdin",
                                       "vsistdout", "vsistdout_redirect", "vsisubfile", "vsisparse", "vsicrypt",
                                       "vsicached", "vsiaz_streaming"};
  const std::string head = c.substr(0, i);
  for (const char* k : kKnown)
    if (head == k) return true;
  return false;
}

void refuse_non_local(const std::string& s, const std::string& label) {
  const std::string why = non_local_reason(s);
  if (!why.empty()) throw InputError(label + ": " + why);
}

// MapInfo is left out on purpose: its seamless and view tables name other files.
constexpr const char* kInputDrivers[] = {"CSV",     "XLSX",       "ODS",            "GPKG",       "GeoJSON",
                                          "GeoJSONSeq", "ESRI Shapefile", "FlatGeobuf", "OpenFileGDB", "OGR_VRT"};

bool allowed_driver(const std::string& name) {
  for (const char* a : kInputDrivers)
    if (name == a) return true;
  return false;
}

std::string read_head(const fs::path& p, std::size_t n) {
  std::ifstream in(p, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(uz(in.gcount()));
  return s;
}

// JSON (GeoJSON, GeoJSONSeq, TopoJSON, Esri JSON: a file whose first character past a BOM, spaces and record
// separators is '{') nested deeper than kMaxJsonDepth: GDAL's reader builds up to 1024 levels and json-c frees them
// recursively, which overflowed a 64 kB stack (`ulimit -s 64`, a host program's thread) on coordinates nested 5000
// deep (hostile probe of round 20). Read in blocks from the heap; a pipe is never opened here.
void refuse_deep_json(const std::string& path, const std::string& label) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> block(std::size_t{1} << 20);
  JsonDepthScan scan;
  bool first = true;
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    std::string_view text(block.data(), static_cast<std::size_t>(in.gcount()));
    if (first) {
      if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
      const std::size_t b = text.find_first_not_of(" \t\r\n\x1e");
      if (b == std::string_view::npos || text[b] != '{') return;
      first = false;
    }
    scan.feed(text);
    if (scan.deepest() > kMaxJsonDepth)
      throw InputError(label + ": JSON nested more than " + std::to_string(kMaxJsonDepth) +
                       " levels deep; expected GeoJSON, whose features and coordinates nest about 8 levels (deeper "
                       "nesting, in coordinates or properties, is not read: its parser could run out of stack)");
  }
}

// Name of the first element of an XML text ("" when the text does not start like XML).
std::string xml_root(const std::string& head) {
  std::size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size()) {
    while (i < head.size() && is_ascii_space(head[i])) ++i;
    if (i >= head.size() || head[i] != '<') return {};
    if (head.compare(i, 2, "<?") == 0 || head.compare(i, 2, "<!") == 0) {  // declaration, comment, DOCTYPE
      const std::size_t e = head.find('>', i);
      if (e == std::string::npos) return {};
      i = e + 1;
      continue;
    }
    std::size_t j = i + 1;
    while (j < head.size() &&
           (is_ascii_alnum(head[j]) || head[j] == '_' || head[j] == ':' || head[j] == '-' || head[j] == '.'))
      ++j;
    return head.substr(i + 1, j - i - 1);
  }
  return {};
}

void check_zip(const fs::path& p, const std::string& label) {
  const std::string base = "/vsizip/" + p.string();
  std::unique_ptr<char*, void (*)(char**)> entries(VSIReadDirRecursive(base.c_str()), [](char** l) { CSLDestroy(l); });
  std::error_code ec;
  const std::uintmax_t packed = std::max<std::uintmax_t>(fs::file_size(p, ec), 1);
  std::uint64_t total = 0;
  std::size_t n = 0;
  for (char** e = entries.get(); e && *e; ++e, ++n) {
    if (n >= kMaxZipMembers)
      throw InputError(label + ": a zip archive (XLSX/ODS) with more than " +
                       std::to_string(kMaxZipMembers) + " members; refused before decompressing");
    VSIStatBufL st;
    if (VSIStatL((base + "/" + *e).c_str(), &st) == 0 && !VSI_ISDIR(st.st_mode))
      total += static_cast<std::uint64_t>(st.st_size);
  }
  const bool too_big = total > kMaxZipUncompressed;
  const bool absurd = total > (16ull << 20) && total / packed > kMaxZipRatio;
  if (too_big || absurd)
    throw InputError(label + ": a zip archive (XLSX/ODS) whose members would decompress to " +
                     std::to_string(total >> 20) + " MiB from " + std::to_string(packed >> 10) + " KiB (" +
                     (too_big ? "above the limit of " + std::to_string(kMaxZipUncompressed >> 20) + " MiB"
                              : "more than " + std::to_string(kMaxZipRatio) + " times its size") +
                     "); refused before decompressing (a zip bomb?)");
}

// A Shapefile's .shx indexes N shapes and its .dbf holds M records: GDAL reads min(N, M) features and drops the rest
// without a word, so a zone whose polygon (or attributes) was cut off vanished (hostile probe of round 22). Counts
// from the headers (.shx: its length in 16-bit words at byte 24, big-endian, 100 bytes of header and 8 a shape;
// .dbf: the record count at byte 4, little-endian); a companion that is missing or too short is GDAL's to refuse.
void refuse_mismatched_shapefile(const fs::path& shp, const std::string& label) {
  fs::path shx, dbf;  // as GDAL finds them (read_companions: lower case, then upper)
  for (const std::string& c : read_companions(shp.string())) {
    const std::string e = ascii_lower(fs::path(c).extension().string());
    if (e == ".shx") shx = c;
    if (e == ".dbf") dbf = c;
  }
  if (shx.empty() || dbf.empty()) return;
  const std::string h = read_head(shx, 28), d = read_head(dbf, 8);
  if (h.size() < 28 || d.size() < 8) return;
  const auto byte = [](const std::string& s, std::size_t i) {
    return static_cast<std::uint64_t>(static_cast<unsigned char>(s[i]));
  };
  const std::uint64_t words = byte(h, 24) << 24 | byte(h, 25) << 16 | byte(h, 26) << 8 | byte(h, 27);
  const std::uint64_t shapes = words * 2 > 100 ? (words * 2 - 100) / 8 : 0;
  const std::uint64_t records = byte(d, 4) | byte(d, 5) << 8 | byte(d, 6) << 16 | byte(d, 7) << 24;
  if (shapes != records)
    throw InputError(label + ": " + escape_cell(shx.filename().string(), 100) + " indexes " + std::to_string(shapes) +
                     " shapes but " + escape_cell(dbf.filename().string(), 100) + " holds " + std::to_string(records) +
                     " records; expected one record per shape (a file of the Shapefile was cut or replaced: export "
                     "it again)");
}

// GDAL's spatial index of a GeoPackage: CREATE VIRTUAL TABLE "rtree_T_G" USING rtree(id, minx, …) (rtree_i32 too),
// with one USING and no comment that could hide another module.
bool is_rtree_index(const std::string& sql) {
  const std::string l = ascii_lower(sql);
  const std::size_t u = l.find("using");
  if (u == std::string::npos || l.find("using", u + 5) != std::string::npos || l.find("/*") != std::string::npos ||
      l.find("--") != std::string::npos)
    return false;
  std::size_t i = u + 5;
  while (i < l.size() && is_ascii_space(l[i])) ++i;
  for (const char* m : {"rtree_i32", "rtree"}) {
    std::size_t j = i + std::strlen(m);
    if (l.compare(i, std::strlen(m), m) != 0) continue;
    while (j < l.size() && is_ascii_space(l[j])) ++j;
    return j < l.size() && l[j] == '(';
  }
  return false;
}

bool is_companion(const std::string& lower_stem, const fs::path& q) {
  return ascii_lower(q.stem().string()) == lower_stem ||
         ascii_lower(q.filename().string()).rfind(lower_stem + ".", 0) == 0;
}

// "its companion file x.dbf is a named pipe (FIFO) …" when q is not a regular file, else "".
std::string special_companion_text(const fs::path& q) {
  const std::string kind = special_file_kind(q.string());
  return kind.empty() ? kind
                      : "its companion file " + escape_cell(q.filename().string()) + " is " + kind +
                            ", not a file; expected regular files only";
}

// A regular file with several names (hard links): another name may be outside the roots (a link to /etc/passwd made
// inside the folder), which no path check can see, and the reader's messages would quote its header. Refused, with
// how to make a copy of one's own (hostile probe of round 4, ln_hard_passwd).
std::string hard_link_text(const fs::path& canonical, const std::string& what) {
  std::error_code ec;
  const std::uintmax_t n = fs::hard_link_count(canonical, ec);
  if (ec || n <= 1 || !fs::is_regular_file(canonical, ec)) return "";
  return what + " has " + std::to_string(n) +
         " hard links (names of the same data), and another name may be outside the folders this scenario may "
         "read; expected a file of its own (copy it: cp FILE FILE.copy && mv FILE.copy FILE)";
}

// Sidecars (x.dbf, x.prj, x.csvt, x.gpkg-wal …) that are symlinks must stay inside the roots too.
void check_sidecars(const fs::path& p, const std::string& label, const ReadPolicy& policy) {
  const std::string stem = ascii_lower(p.stem().string());
  std::error_code ec;
  for (fs::directory_iterator it(p.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path q = it->path();
    if (!is_companion(stem, q)) continue;
    // GDAL opens some companions (.csvt, .prj, .dbf …) by itself: a pipe or device there would block it.
    if (const std::string why = special_companion_text(q); !why.empty()) throw InputError(label + ": " + why);
    if (const std::string why = hard_link_text(q, "its companion file " + escape_cell(q.filename().string()));
        !why.empty())
      throw InputError(label + ": " + why);
    std::error_code ec2;
    if (!fs::is_symlink(it->symlink_status(ec2))) continue;
    const fs::path c = canonical_or_empty(q);
    if (c.empty() || !inside_roots(c.string(), policy.roots))
      throw InputError(label + ": its companion file " + q.filename().string() +
                       " is a link to a file outside the folders this scenario may read (" + roots_text(policy.roots) +
                       ")");
  }
}

void check_at(const fs::path& full, const std::string& label, const ReadPolicy& policy, int depth,
              CheckedInput& out, bool is_source);

void check_vrt(const fs::path& vrt, const std::string& label, const ReadPolicy& policy, int depth,
               CheckedInput& out) {
  if (depth >= kMaxVrtDepth)
    throw InputError(label + ": VRT files nested more than " + std::to_string(kMaxVrtDepth) +
                     " deep (a loop?)");
  std::error_code ec;
  if (fs::file_size(vrt, ec) > kMaxVrtBytes)
    throw InputError(label + ": an OGR VRT file larger than " + std::to_string(kMaxVrtBytes >> 20) +
                     " MiB; expected a short description of its sources");
  QuietGdalErrors quiet;
  std::unique_ptr<CPLXMLNode, void (*)(CPLXMLNode*)> tree(CPLParseXMLFile(vrt.string().c_str()), CPLDestroyXMLNode);
  if (!tree) throw InputError(label + ": an OGR VRT file that is not well-formed XML");
  // Every element, depth first: sources must be local files inside the roots; SQL could attach other databases.
  std::vector<const CPLXMLNode*> stack{tree.get()};
  while (!stack.empty()) {
    const CPLXMLNode* n = stack.back();
    stack.pop_back();
    for (; n; n = n->psNext) {
      if (n->eType != CXT_Element) continue;
      // GDAL finds a VRT's elements whatever their case (CPLGetXMLNode): <srcdatasource> is a <SrcDataSource>.
      const std::string name = n->pszValue;
      const std::string lname = ascii_lower(name);
      if (lname == "srcsql")
        throw InputError(label + ": an OGR VRT with <SrcSQL> is not allowed as a scenario input "
                         "(SQL can open other files); expected <SrcDataSource> and <SrcLayer> only");
      if (lname == "openoptions")
        throw InputError(label + ": an OGR VRT with <" + name +
                         "> is not allowed as a scenario input (open options can run SQL on a GeoPackage or switch "
                         "off a driver's checks); expected <SrcDataSource> and <SrcLayer> only");
      if (lname.size() >= 3 && lname.compare(lname.size() - 3, 3, "srs") == 0) {
        // LayerSRS, TargetSRS, GeometryField/SRS: GDAL would read a file or fetch a URL named there.
        const std::string srs = trim(CPLGetXMLValue(n, nullptr, ""));
        std::error_code ec2;
        if (!srs.empty() && (srs[0] == '/' || srs[0] == '.' || srs[0] == '~' || srs.find("://") != std::string::npos ||
                             ascii_lower(srs).rfind("file:", 0) == 0 || fs::exists(vrt.parent_path() / srs, ec2) ||
                             fs::exists(srs, ec2)))
          throw InputError(label + ": an OGR VRT whose <" + name +
                           "> names a file or URL; expected the CRS itself (EPSG:4326, WKT or a PROJ string)");
      }
      if (lname == "sourcefilename" || lname == "srcdatasource") {
        const std::string src = trim(CPLGetXMLValue(n, nullptr, ""));
        const std::string src_label = q(src) + " (a source named in the VRT " + label + ")";
        refuse_non_local(src, src_label);
        if (src.empty()) throw InputError(label + ": an OGR VRT with an empty <" + name + ">");
        // GDAL takes a source that starts with '<' as an inline VRT: its own sources would go unchecked.
        if (src[0] == '<') throw InputError(src_label + ": an inline VRT as a source is not allowed");
        const bool relative = std::strcmp(CPLGetXMLValue(n, "relativeToVRT", "0"), "1") == 0;
        const fs::path full = relative && fs::path(src).is_relative() ? vrt.parent_path() / src : fs::path(src);
        check_at(full, src_label, policy, depth + 1, out, true);
      }
      if (n->psChild) stack.push_back(n->psChild);
    }
  }
}

void check_at(const fs::path& full, const std::string& label, const ReadPolicy& policy, int depth,
              CheckedInput& out, bool is_source) {
  const fs::path c = canonical_or_empty(full);
  // A link loop cannot be resolved: say so, not "outside the folders" (hostile probe of round 18).
  if (std::error_code loop;
      c.empty() && fs::canonical(full, loop).empty() && loop == std::errc::too_many_symbolic_link_levels)
    throw InputError(label + ": a loop of symbolic links (a link that leads back to itself); expected a file");
  // Nor for a path the system cannot resolve for its length: a scenario in a folder deeper than PATH_MAX had its own
  // tables "outside the folders" (hostile probe of round 22).
  if (std::error_code len; c.empty()) {
    (void)fs::weakly_canonical(fs::absolute(full, len), len);
    if (len == std::errc::filename_too_long)
      throw InputError(label + ": its full path is longer than the system allows (PATH_MAX, " +
                       std::to_string(PATH_MAX) + " bytes); expected the files in a folder nearer the root");
  }
  if (c.empty() || !inside_roots(c.string(), policy.roots))
    throw InputError(label + " is outside the folders this scenario may read (" +
                     roots_text(policy.roots) +
                     "); move the file there, or let the scenario read its folder with --allow-read DIR "
                     "(allow_read=[…] in Python)");
  if (is_source) out.pulls.push_back(c.string());
  std::error_code ec;
  const fs::file_status st = fs::status(c, ec);
  if (!fs::exists(st)) {
    if (is_source) throw InputError(label + ": file not found");
    return;
  }
  if (fs::is_directory(st)) {
    // A folder (of Shapefiles, a .gdb) is read file by file: none of its entries may be a link out of the roots, nor
    // a pipe, device or socket (GDAL opens every .shp of a folder it lists: a FIFO there would block it for ever).
    std::error_code ec2;
    for (fs::directory_iterator it(c, ec2), end; !ec2 && it != end; it.increment(ec2)) {
      if (const std::string kind = special_file_kind(it->path().string()); !kind.empty())
        throw InputError(label + ": the folder's entry " + it->path().filename().string() + " is " + kind +
                         ", not a file; expected regular files only");
      std::error_code ec3;
      if (!fs::is_symlink(it->symlink_status(ec3))) continue;
      const fs::path t = canonical_or_empty(it->path());
      if (t.empty() || !inside_roots(t.string(), policy.roots))
        throw InputError(label + ": the folder's entry " + it->path().filename().string() +
                         " is a link to a file outside the folders this scenario may read (" + roots_text(policy.roots) +
                         ")");
    }
    return;
  }
  if (!fs::is_regular_file(st))
    throw InputError(label + " is " + special_file_kind(c.string()) +
                     ", not a file; expected a regular file (pipes and devices are never read: they can block or "
                     "never end)");
  if (const std::string why = hard_link_text(c, "the file"); !why.empty()) throw InputError(label + ": " + why);
  check_sidecars(c, label, policy);
  const std::string head = read_head(c, 4096);
  if (head.rfind("PK\x03\x04", 0) == 0) check_zip(c, label);
  // A VRT's source is opened by GDAL's VRT driver, not by cohortgis's readers (open_input): checked here.
  if (is_source) {
    refuse_computed_geopackage(c.string(), label);
    refuse_deep_json(c.string(), label);
  }
  const std::string root = xml_root(head);
  // By the root element, or anywhere in the head as GDAL's own VRT detection looks (after a long comment, say).
  if (root == "OGRVRTDataSource" || contains_ci(head, "<ogrvrtdatasource")) {
    check_vrt(c, label, policy, depth, out);
  } else if (root == "VRTDataset" || root == "OGRWFSDataSource" || root == "GDAL_WMS" || root == "GDAL_WMTS" ||
             root == "WCS_GDAL" || root == "OGRGMLASDataSource" || root == "PAMDataset") {
    throw InputError(label + ": a <" + root +
                     "> description that points at other data is not allowed as a scenario input");
  }
  if (is_source) {
    // A VRT opens its sources with any driver; only the formats cohortgis reads may answer.
    QuietGdalErrors quiet;
    GDALDriverH d = GDALIdentifyDriverEx(c.string().c_str(), GDAL_OF_VECTOR, nullptr, nullptr);
    if (!d) {  // not one of the formats registered for reading: every driver, to name the format in the message
      register_all_drivers();
      d = GDALIdentifyDriverEx(c.string().c_str(), GDAL_OF_VECTOR, nullptr, nullptr);
    }
    const std::string name = d ? GDALGetDriverShortName(d) : "";
    if (!allowed_driver(name))
      throw InputError(label + ": " +
                       (name.empty() ? std::string("not a vector format GDAL recognises")
                                     : "a " + name + " source, which a scenario input may not use") +
                       "; expected CSV, XLSX, ODS, GeoPackage, GeoJSON, Shapefile, FlatGeobuf or an OGR VRT of them");
  }
}

// The network file systems: every prefix refuses (no request is made).
class RefuseNetwork final : public VSIFilesystemHandler {
 public:
  VSIVirtualHandle* Open(const char* name, const char*, bool set_error, CSLConstList) override {
    errno = EACCES;
    if (set_error)
      VSIError(VSIE_AWSError, "%s: network access is disabled in cohortgis (inputs are local files only)",
               name ? name : "");
    CPLError(CE_Failure, CPLE_AppDefined, "network access is disabled in cohortgis (inputs are local files only)");
    return nullptr;
  }
  int Stat(const char*, VSIStatBufL*, int) override {
    errno = EACCES;
    return -1;
  }
  bool IsLocal(const char*) override { return false; }
  bool SupportsRead(const char*) override { return false; }
  bool SupportsSequentialWrite(const char*, bool) override { return false; }
  bool SupportsRandomWrite(const char*, bool) override { return false; }
};

CPLHTTPResult* refuse_http(const char* url, CSLConstList, GDALProgressFunc, void*, CPLHTTPFetchWriteFunc, void*, void*) {
  auto* r = static_cast<CPLHTTPResult*>(CPLCalloc(1, sizeof(CPLHTTPResult)));
  r->nStatus = 1;
  r->pszErrBuf = CPLStrdup("network access is disabled in cohortgis (inputs are local files only)");
  CPLError(CE_Failure, CPLE_AppDefined, "%s: network access is disabled in cohortgis", url ? url : "");
  return r;
}

}  // namespace

std::string special_file_kind(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st) || fs::is_regular_file(st) || fs::is_directory(st)) return "";
  if (fs::is_fifo(st)) return "a named pipe (FIFO)";
  if (fs::is_character_file(st)) return "a character device";
  if (fs::is_block_file(st)) return "a block device";
  if (fs::is_socket(st)) return "a socket";
  return "not a regular file";
}

bool on_kernel_file_system(const std::string& path) {
  struct statfs s {};
  if (::statfs(path.c_str(), &s) != 0) return false;
  constexpr unsigned long kKernel[] = {PROC_SUPER_MAGIC,   SYSFS_MAGIC,        DEBUGFS_MAGIC,       TRACEFS_MAGIC,
                                       SECURITYFS_MAGIC,   CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC,
                                       DEVPTS_SUPER_MAGIC, EFIVARFS_MAGIC,     PSTOREFS_MAGIC};
  return std::find(std::begin(kKernel), std::end(kKernel), static_cast<unsigned long>(s.f_type)) != std::end(kKernel);
}

std::string special_companion(const std::string& path) {
  const fs::path p(path);
  const std::string stem = ascii_lower(p.stem().string());
  std::error_code ec;
  for (fs::directory_iterator it(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec), end; !ec && it != end;
       it.increment(ec))
    if (is_companion(stem, it->path()))
      if (std::string why = special_companion_text(it->path()); !why.empty()) return why;
  return {};
}

std::vector<std::string> read_companions(const std::string& path) {
  const fs::path p(path);
  const std::string ext = ascii_lower(p.extension().string());
  std::vector<std::string> sides;
  if (ext == ".shp" || ext == ".dbf") sides = {"shp", "shx", "dbf", "prj", "cpg"};
  if (ext == ".csv" || ext == ".tsv" || ext == ".txt") sides = {"csvt"};
  std::vector<std::string> out;
  for (const std::string& side : sides) {
    for (const std::string& e : {side, ascii_upper(side)}) {
      fs::path q = p;
      q.replace_extension(e);
      std::error_code ec;
      if (q == p) break;  // the file itself (x.dbf among a DBF's companions)
      if (fs::is_regular_file(q, ec)) {
        out.push_back(q.string());
        break;
      }
    }
  }
  return out;
}

std::string non_local_reason(const std::string& s) {
  bool vsi = false;
  std::size_t b = 0;
  while (b <= s.size()) {
    const std::size_t e = std::min(s.find_first_of("/\\", b), s.size());
    vsi = vsi || names_vsi(s.substr(b, e - b));
    b = e + 1;
  }
  const bool url = s.find("://") != std::string::npos || contains_ci(s, "%2f") || contains_ci(s, "%3a") ||
                   contains_ci(s, "%5c");
  bool scheme = false;
  if (!s.empty() && is_ascii_alpha(s[0])) {
    std::size_t i = 1;
    while (i < s.size() && (is_ascii_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '+' || s[i] == '.')) ++i;
    scheme = i < s.size() && s[i] == ':';
  }
  if (!vsi && !url && !scheme) return {};
  return std::string(vsi   ? "GDAL virtual file systems (/vsi…) are not allowed"
                     : url ? "URLs (and URL-encoded paths) are not allowed"
                           : "connection strings are not allowed") +
         "; expected a local file (scenario inputs are never fetched over a network)";
}

namespace {
// Only a regular file's head is read (a pipe would block the open).
bool is_sqlite_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && read_head(path, 16) == std::string("SQLite format 3\0", 16);
}

// GDAL opens a GeoPackage with a write-ahead log beside it for writing, even to read it: the log was folded into the
// user's file and deleted (a change to an input, hostile probe of round 18). Left to the program that wrote it; so
// checked before any open.
void refuse_unfolded_wal(const fs::path& p, const std::string& label) {
  std::error_code ec;
  const fs::path wal = p.string() + "-wal";
  if (fs::exists(wal, ec) && fs::file_size(wal, ec) > 0 && !ec)
    throw InputError(label + ": a GeoPackage with changes not yet written into it (its write-ahead log " +
                     wal.filename().string() +
                     " is beside it: a program has it open, or stopped while writing); close that program, or open "
                     "and close the file in QGIS, so that the log is folded in");
}

// A GeoPackage (an SQLite database) holds SQL that runs when its rows are read: a view (a recursive one yields rows
// without end), a column GENERATED … VIRTUAL (zeroblob(800000000) in every row: 7 GB from a 77 kB file) and a virtual
// table, whose module may read other files (SpatiaLite's VirtualText, which GDAL loads, reads /etc/passwd as rows).
// Only tables and GDAL's R-tree indexes pass. The whole file is checked, not only the layer cohortgis reads: GDAL's
// driver itself reads tables the file names (gpkg_contents, gpkg_ogr_contents, gpkg_extensions, the mapping tables
// of gpkgext_relations, the R-tree of a layer …), any of which a hostile file may make a view or a virtual table;
// which of them a GDAL version touches on open and on read is not ours to enumerate. So a GeoPackage that merely
// holds an unrelated view (ArcGIS's st_* views, say) is refused too, with the way out in the message.
void refuse_computed_sql(GDALDataset& ds, const fs::path& p, const std::string& label) {
  const auto refuse = [&](const std::string& what) {
    throw InputError(label + ": a GeoPackage holding " + what +
                     ", whose rows SQL stored in the file computes when they are read (it can read other files or "
                     "never end); expected plain tables: save the layer as a table (ogr2ogr -f GPKG new.gpkg " +
                     p.filename().string() + " LAYER)");
  };
  const auto each_row = [&](const char* sql, const std::function<void(OGRFeature&)>& row) {
    OGRLayer* r = ds.ExecuteSQL(sql, nullptr, nullptr);
    if (!r) refuse("a schema SQLite cannot list" + QuietGdalErrors::because());
    std::unique_ptr<OGRLayer, std::function<void(OGRLayer*)>> rows(r, [&](OGRLayer* l) { ds.ReleaseResultSet(l); });
    for (auto& f : *rows) row(*f);
  };
  each_row("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')", [&](OGRFeature& f) {
    const std::string type = f.GetFieldAsString(0), name = f.GetFieldAsString(1), sql = f.GetFieldAsString(2);
    if (type == "view") refuse("the view '" + escape_cell(name) + "'");
    if (ascii_lower(sql).rfind("create virtual table", 0) == 0 && !is_rtree_index(sql))
      refuse("the virtual table '" + escape_cell(name) + "'");
  });
  // One query for every table (a GeoPackage of 2000 layers): hidden = 2 marks a column GENERATED … VIRTUAL.
  each_row(
      "SELECT m.name AS table_name, x.name AS column_name FROM sqlite_master AS m, pragma_table_xinfo(m.name) AS x "
      "WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND x.hidden = 2 LIMIT 1",
      [&](OGRFeature& f) {
        refuse("the generated column '" + escape_cell(f.GetFieldAsString(1)) + "' of table '" +
               escape_cell(f.GetFieldAsString(0)) + "'");
      });
}
}  // namespace

DatasetPtr open_input(const std::string& path, const std::string& label, const char* const* drivers,
                      const char* const* options) {
  // A checked file that leads elsewhere by now is named here; GDAL's opens are bound too (checked_files.hpp), but a
  // refused open reaches the user as GDAL's "not recognized as a supported file format".
  refuse_changed_checked_file(path, label);
  refuse_deep_json(path, label);
  // What check_input checks of a scenario's inputs, for files opened without it (`cohortgis info`): an XLSX of 1 GB
  // zipped to 1 MB took `info` 40 s (hostile probe of round 22).
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && read_head(path, 4) == "PK\x03\x04") check_zip(path, label);
  if (fs::is_directory(path, ec)) {
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
      if (ascii_lower(it->path().extension().string()) == ".shp") refuse_mismatched_shapefile(it->path(), label);
  } else if (ascii_lower(fs::path(path).extension().string()) == ".shp") {
    refuse_mismatched_shapefile(path, label);
  }
  const bool sqlite = is_sqlite_file(path);
  if (sqlite) refuse_unfolded_wal(path, label);
  // A DBF that declares no encoding (no .cpg, no language byte) is recoded by GDAL from SHAPE_ENCODING when the
  // environment sets it: an undeclared GBK file was read as Latin-1, valid UTF-8 of the wrong characters, where
  // without it the names are refused with the advice to declare `encoding` (hostile probe of round 26). "" is GDAL's
  // word for no recoding; a declared .cpg still applies, and so does `encoding` (reopen_shapefile_with_encoding).
  struct NoShapeEncodingFromEnvironment {
    NoShapeEncodingFromEnvironment() : had(CPLGetThreadLocalConfigOption("SHAPE_ENCODING", "\x01")) {
      CPLSetThreadLocalConfigOption("SHAPE_ENCODING", "");
    }
    ~NoShapeEncodingFromEnvironment() {
      CPLSetThreadLocalConfigOption("SHAPE_ENCODING", had == "\x01" ? nullptr : had.c_str());
    }
    std::string had;
  } no_shape_encoding;
  DatasetPtr ds(
      GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr)));
  if (ds && sqlite) refuse_computed_sql(*ds, path, label);
  // GDAL's SQLite driver is not among the input drivers (it would run the file's SQL, and SpatiaLite's): a plain
  // SQLite database (`.sqlite`, `.db`) is named as such instead of "cannot be read". A GeoPackage says so in its
  // header's application_id (offset 68: "GPKG", or "GP10"/"GP11" before version 1.2); one GDAL could not open keeps
  // GDAL's message.
  if (!ds && sqlite) {
    const std::string id = read_head(path, 72).substr(68);
    if (id != "GPKG" && id != "GP10" && id != "GP11")
      throw InputError(label +
                       ": an SQLite database that is not a GeoPackage (plain SQLite is not read); expected a "
                       "GeoPackage: save its table as a layer of one with ogr2ogr -f GPKG NEW.gpkg " +
                       fs::path(path).filename().string() + " TABLE");
  }
  return ds;
}

void refuse_computed_geopackage(const std::string& path, const std::string& label) {
  if (!is_sqlite_file(path)) return;
  QuietGdalErrors quiet;
  const char* const drivers[] = {"GPKG", nullptr};
  (void)open_input(path, label, drivers, nullptr);  // GDAL refuses a file it cannot open with its own message later
}

CPLStringList input_drivers(const std::string& path) {
  CPLStringList d;
  if (ascii_lower(path.substr(0, 3)) == "pg:") {
    d.AddString("PostgreSQL");
  } else {
    for (const char* a : kInputDrivers) d.AddString(a);
  }
  return d;
}

bool inside_roots(const std::string& canonical, const std::vector<std::string>& roots) {
  for (const auto& r : roots) {
    const fs::path c = canonical_or_empty(r);
    if (!c.empty() && is_within(fs::path(canonical), c)) return true;
  }
  return false;
}

void check_path_length(const std::string& path, const std::string& label) {
  // The system names no file by a path of PATH_MAX bytes or more, nor by a part of over NAME_MAX bytes: such a path
  // is too long, not "outside the folders" or "not found" (what opening it would report). Limits of Linux, limits.h.
  constexpr std::size_t kPathMaxBytes = PATH_MAX, kNameMaxBytes = NAME_MAX;
  if (path.size() >= kPathMaxBytes)
    throw InputError(label + ": a path of " + std::to_string(path.size()) + " bytes is too long; expected at most " +
                     std::to_string(kPathMaxBytes - 1) + " bytes (PATH_MAX)");
  for (const auto& part : fs::path(path))
    if (part.native().size() > kNameMaxBytes)
      throw InputError(label + ": a file or folder name of " + std::to_string(part.native().size()) +
                       " bytes is too long; expected at most " + std::to_string(kNameMaxBytes) + " bytes (NAME_MAX)");
}

CheckedInput check_input(const std::string& path, const std::string& written, const ReadPolicy& policy) {
  register_drivers();
  CheckedInput out;
  // A NUL cuts the path for the system ("base.csv\0.txt" would read base.csv); a line break or other control
  // character is never part of a real file name and would split the error message.
  for (const std::string* s : {&written, &path})
    if (std::any_of(s->begin(), s->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
      throw InputError(q(written) + ": a path with a control character (NUL, line break, tab …); expected a file name");
  check_path_length(written, q(written));
  if (path != written) check_path_length(path, q(written));
  // "data:" is cohortgis's own prefix for the data folder; what follows it must be a local path too.
  refuse_non_local(written.rfind("data:", 0) == 0 ? written.substr(5) : written, q(written));
  if (path.rfind("/vsi", 0) == 0) refuse_non_local(path, q(written));
  check_at(fs::path(path), q(written), policy, 0, out, false);
  out.path = canonical_or_empty(path).string();
  // Read only as checked: a link swapped from now on is not followed out of the roots (checked_files.hpp).
  approve_checked_file(path, policy.roots);
  for (const auto& pulled : out.pulls) approve_checked_file(pulled, policy.roots);
  // The same file twice (two layers of one source) is hashed once.
  std::sort(out.pulls.begin(), out.pulls.end());
  out.pulls.erase(std::unique(out.pulls.begin(), out.pulls.end()), out.pulls.end());
  return out;
}

ReadPolicy granted(const std::vector<std::string>& allow_read, const std::vector<std::string>& allow_db,
                   const std::string& read_option, const std::string& db_option) {
  ReadPolicy p;
  for (const auto& d : allow_read) {
    std::error_code ec;
    if (d.empty() || !fs::is_directory(d, ec))
      throw InputError(read_option + ": '" + d + "' is not a folder; expected a folder whose files the scenario may read");
    p.roots.push_back(d);
  }
  for (const auto& name : allow_db) {
    if (!is_service_name(name))
      throw InputError(db_option + ": '" + escape_cell(name) + "'; expected the name of a PostgreSQL service (a [section] "
                       "of your pg_service file: letters, digits, _ - .)");
    p.databases.push_back(name);
  }
  return p;
}

std::string database_service(const std::string& written, const ReadPolicy& policy) {
  std::string name;
  if (written.rfind("db:", 0) == 0) {
    name = written.substr(3);
  } else if (ascii_lower(written.substr(0, 3)) == "pg:") {
    const std::string rest = trim(written.substr(3));
    if (rest.rfind("service=", 0) != 0 || rest.find_first_of(" \t") != std::string::npos)
      throw InputError("'" + escape_cell(written) +
                       "': a scenario may name a database only as PG:service=NAME or db:NAME (a service of your "
                       "pg_service file); a host, user, password or other connection setting is never taken from a "
                       "scenario file");
    name = rest.substr(8);
  } else {
    return {};
  }
  if (!is_service_name(name))
    throw InputError("'" + escape_cell(written) + "': expected a database service name (letters, digits, _ - .)");
  if (std::find(policy.databases.begin(), policy.databases.end(), name) == policy.databases.end())
    throw InputError("'" + escape_cell(written) + "': the database service '" + name +
                     "' is not allowed; a scenario reads a database only when the command line names it (--allow-db " +
                     name + ", allow_db=[…] in Python)");
  return name;
}

void disable_network() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Known network prefixes, their streaming forms, and any other handler that says it is not local.
    std::vector<std::string> prefixes;
    for (const char* p : {"/vsicurl/", "/vsicurl?", "/vsis3/", "/vsigs/", "/vsiaz/", "/vsiadls/", "/vsioss/",
                          "/vsiswift/", "/vsihdfs/", "/vsiwebhdfs/"}) {
      prefixes.emplace_back(p);
      if (p[std::strlen(p) - 1] == '/') prefixes.push_back(std::string(p).substr(0, std::strlen(p) - 1) + "_streaming/");
    }
    std::unique_ptr<char*, void (*)(char**)> have(VSIFileManager::GetPrefixes(), [](char** l) { CSLDestroy(l); });
    for (char** p = have.get(); p && *p; ++p) {
      VSIFilesystemHandler* h = VSIFileManager::GetHandler(*p);
      if (h && !h->IsLocal(*p)) prefixes.emplace_back(*p);
    }
    static RefuseNetwork refuse;  // lives as long as the process, as GDAL's own handlers do
    // GDAL does not delete a handler that another replaces; the replaced ones stay reachable from here (for the
    // process's life, as GDAL's own would) instead of becoming leaks that LeakSanitizer reports at exit.
    // (A heap vector that is never freed: a static one would be destroyed before LeakSanitizer looks at exit.)
    static auto* replaced = new std::vector<VSIFilesystemHandler*>();
    for (const auto& p : prefixes) {
      if (VSIFilesystemHandler* old = VSIFileManager::GetHandler(p.c_str()); old && old != &refuse)
        replaced->push_back(old);
      VSIFileManager::InstallHandler(p, &refuse);
    }
    CPLHTTPSetFetchCallback(refuse_http, nullptr);
    OSRSetPROJEnableNetwork(FALSE);
  });
}

}  // namespace cohortgis::geodata
