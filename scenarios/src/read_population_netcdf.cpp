// SPDX-License-Identifier: Apache-2.0
// [base_population] format = "netcdf": the base population as a NetCDF cube population([variant,] [year,] zone,
// group, sex, age), the layout of the project's own results.nc (docs/results.md), so that a run can start from a
// previous run's results. Read with netCDF-C in blocks of zones: a 40,000-zone base is 130 MB of doubles, read in
// about the time of reading its bytes, where the same numbers as CSV take GDAL minutes (bench/HISTORY.md, issue 16).
// The file comes from a scenario (untrusted): every size a header claims is checked against what the projection
// expects before anything of that size is allocated. Documented in scenarios/README.md "Base population as a
// NetCDF cube".
#include "scenario_build.hpp"
#include "schedule_time.hpp"

#include <netcdf.h>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/netcdf_contained.hpp"
#include "cohortgis/geodata/netcdf_lock.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

namespace {

constexpr double kPlausibleCellPersons = 1e8;  // as read_base_population.cpp's long tables
constexpr std::size_t kMaxLeading = 100000;    // values of a variant or year dimension read to pick one
constexpr std::size_t kMaxNames = 200;         // characters of a zone id or group name (scenarios/README.md "Names")
constexpr std::size_t kBlockValues = std::size_t{1} << 17;  // doubles read at a time (1 MiB)

struct NcFile {
  int id = -1;
  ~NcFile() {
    if (id >= 0) nc_close(id);
  }
};

// A list for messages: at most 20 entries, then the count.
std::string listed(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < 20; ++i) out += (i ? ", " : "") + escape_cell(v[i]);
  return v.size() > 20 ? out + ", … (" + std::to_string(v.size()) + " in all)" : out;
}

// A coordinate's labels matched to the scenario's (`index`: label → position; `n` positions, `name(i)` the label of
// position i): index_of[k] is label k's position (-1 when the scenario has no such label); `twice(label)` is called
// (and must throw) for a label given twice; unknown: the coordinate's labels not in the scenario; missing: the
// scenario's labels not in the coordinate, in the scenario's order.
struct LabelMatch {
  std::vector<int> index_of;
  std::vector<std::string> unknown, missing;
};
template <class Name, class Twice>
LabelMatch match_labels(const std::vector<std::string>& labels, const std::unordered_map<std::string, int>& index,
                        std::size_t n, Name&& name, Twice&& twice) {
  LabelMatch m;
  m.index_of.assign(labels.size(), -1);
  std::vector<char> seen(n, 0);
  for (std::size_t k = 0; k < labels.size(); ++k) {
    const auto it = index.find(labels[k]);
    if (it == index.end()) {
      m.unknown.push_back(labels[k]);
      continue;
    }
    if (seen[uz(it->second)]++) twice(labels[k]);
    m.index_of[k] = it->second;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!seen[i]) m.missing.push_back(name(i));
  return m;
}

// A NetCDF-3 file (CDF-1, CDF-2, CDF-5) cut short opens, and netCDF-C reads the missing bytes as 0: the header's
// variables must fit in the file (the classic format's header, docs of netCDF "File Format Specifications").
// Returns the bytes the header says the data need, 0 when the file is not a NetCDF-3 file, kDamaged when the header
// cannot be read.
constexpr std::uint64_t kDamaged = ~std::uint64_t{0};
std::uint64_t classic_data_end(const std::string& path, std::uint64_t file_size) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4) || magic[0] != 'C' || magic[1] != 'D' || magic[2] != 'F') return 0;
  const int version = magic[3];
  if (version != 1 && version != 2 && version != 5) return 0;
  const bool cdf5 = version == 5;
  bool bad = false;
  auto u32 = [&]() -> std::uint64_t {
    unsigned char b[4] = {};
    if (!in.read(reinterpret_cast<char*>(b), 4)) bad = true;
    return (std::uint64_t{b[0]} << 24) | (std::uint64_t{b[1]} << 16) | (std::uint64_t{b[2]} << 8) | b[3];
  };
  auto u64 = [&]() -> std::uint64_t {
    const std::uint64_t hi = u32();
    return (hi << 32) | u32();
  };
  auto count = [&]() { return cdf5 ? u64() : u32(); };
  auto skip = [&](std::uint64_t n) {
    if (n > file_size)
      bad = true;
    else
      in.seekg(static_cast<std::streamoff>((n + 3) / 4 * 4), std::ios::cur);
  };
  auto type_size = [](std::uint64_t t) -> std::uint64_t {
    switch (t) {
      case NC_BYTE:
      case NC_CHAR:
      case NC_UBYTE:
        return 1;
      case NC_SHORT:
      case NC_USHORT:
        return 2;
      case NC_INT:
      case NC_UINT:
      case NC_FLOAT:
        return 4;
      case NC_DOUBLE:
      case NC_INT64:
      case NC_UINT64:
        return 8;
      default:
        return 0;
    }
  };
  auto atts = [&]() {
    const std::uint64_t tag = u32(), n = count();
    if (tag != 0 && tag != 0x0C) bad = true;
    for (std::uint64_t i = 0; i < n && !bad; ++i) {
      skip(count());  // name
      const std::uint64_t ts = type_size(u32());
      const std::uint64_t k = count();
      if (ts == 0 || k > file_size)
        bad = true;
      else
        skip(k * ts);
    }
  };
  const std::uint64_t numrecs = count();
  std::vector<std::uint64_t> dims;
  const std::uint64_t dtag = u32(), ndims = count();
  if ((dtag != 0 && dtag != 0x0A) || ndims > file_size) return kDamaged;
  for (std::uint64_t i = 0; i < ndims && !bad; ++i) (skip(count()), dims.push_back(count()));
  atts();
  const std::uint64_t vtag = u32(), nvars = count();
  if (bad || (vtag != 0 && vtag != 0x0B) || nvars > file_size) return kDamaged;
  struct Var {
    std::uint64_t begin, size;
    bool record;
  };
  std::vector<Var> vars;
  std::uint64_t recsize = 0;
  for (std::uint64_t i = 0; i < nvars && !bad; ++i) {
    skip(count());
    const std::uint64_t nd = count();
    if (nd > 1024) return kDamaged;
    // Sizes past 2^63 are absurd: saturate and let the comparison with the file size refuse them.
    std::uint64_t n = 1;
    bool record = false;
    for (std::uint64_t k = 0; k < nd; ++k) {
      const std::uint64_t d = count();
      if (d >= dims.size()) return kDamaged;
      if (k == 0 && dims[d] == 0)
        record = true;
      else
        n = dims[d] && n > (std::uint64_t{1} << 62) / dims[d] ? (std::uint64_t{1} << 62) : n * dims[d];
    }
    atts();
    const std::uint64_t ts = type_size(u32());
    (void)(cdf5 ? u64() : u32());  // vsize (may be clipped in the header): computed from the dimensions instead
    const std::uint64_t begin = version == 1 ? u32() : u64();
    if (ts == 0) return kDamaged;
    const std::uint64_t bytes = n > (std::uint64_t{1} << 59) ? (std::uint64_t{1} << 62) : n * ts;
    vars.push_back({begin, bytes, record});
    if (record) recsize += (bytes + 3) / 4 * 4;
  }
  // One record variable alone is not padded to 4 bytes per record.
  if (std::count_if(vars.begin(), vars.end(), [](const Var& v) { return v.record; }) == 1)
    for (const Var& v : vars)
      if (v.record) recsize = v.size;
  if (bad) return kDamaged;
  std::uint64_t end = 0;
  const std::uint64_t records = numrecs == 0xFFFFFFFFu ? 0 : numrecs;
  for (const Var& v : vars) {
    if (v.record && records == 0) continue;
    const std::uint64_t last = v.record ? (records - 1) * recsize : 0;
    end = std::max(end, v.begin + last + v.size);
  }
  return end;
}

struct Reader {
  const Doc& doc;
  const Build& b;
  const toml::node& tn;
  const std::string& key;
  std::string path, var;
  NcFile nc;

  [[noreturn]] void fail(const std::string& what) const { doc.fail(&tn, key, path + ": " + what); }
  void check(int status, const std::string& what) const {
    if (status != NC_NOERR) fail(what + " failed (" + nc_strerror(status) + "); the file may be cut short or damaged");
  }
  std::string dim_name(int dim) const {
    char name[NC_MAX_NAME + 1] = {};
    check(nc_inq_dimname(nc.id, dim, name), "reading a dimension's name");
    return name;
  }
  std::size_t dim_len(int dim) const {
    std::size_t n = 0;
    check(nc_inq_dimlen(nc.id, dim, &n), "reading the length of dimension " + dim_name(dim));
    return n;
  }

  // The coordinate variable of dimension `dim` (named `name`): one dimension (`dim`), or two for characters
  // (`dim`, string length). Returns its id and type.
  std::pair<int, nc_type> coordinate(int dim, const std::string& name, const std::string& what) const {
    int v = -1;
    if (nc_inq_varid(nc.id, name.c_str(), &v) != NC_NOERR)
      fail("no coordinate variable '" + name + "' (" + what + " along dimension " + name + " of variable '" + var +
           "'); expected a variable " + name + "(" + name + ")");
    int nd = 0;
    nc_type type = NC_NAT;
    check(nc_inq_varndims(nc.id, v, &nd), "reading variable " + name);
    check(nc_inq_vartype(nc.id, v, &type), "reading variable " + name);
    int dims[NC_MAX_VAR_DIMS] = {};
    if (nd >= 1 && nd <= 2) check(nc_inq_vardimid(nc.id, v, dims), "reading variable " + name);
    if (nd < 1 || nd > 2 || dims[0] != dim || (nd == 2) != (type == NC_CHAR))
      fail("coordinate variable '" + name + "' has " + std::to_string(nd) + " dimension" + (nd == 1 ? "" : "s") +
           "; expected one, " + name + " (or " + name + " and a string length for characters)");
    return {v, type};
  }

  // Names along a dimension: strings, characters or whole numbers (zone codes written as integers).
  std::vector<std::string> names(int dim, const std::string& name, const std::string& what) const {
    const auto [v, type] = coordinate(dim, name, what);
    const std::size_t n = dim_len(dim);
    std::vector<std::string> out;
    out.reserve(n);
    if (type == NC_STRING) {
      std::vector<char*> p(n, nullptr);
      if (n) check(nc_get_var_string(nc.id, v, p.data()), "reading coordinate " + name);
      for (char* s : p) out.emplace_back(s ? s : "");
      if (n) nc_free_string(n, p.data());
    } else if (type == NC_CHAR) {
      int dims[2] = {};
      check(nc_inq_vardimid(nc.id, v, dims), "reading coordinate " + name);
      const std::size_t width = dim_len(dims[1]);
      if (width > kMaxNames * 4)
        fail("coordinate '" + name + "' holds names of " + std::to_string(width) + " characters; expected at most " +
             std::to_string(kMaxNames));
      std::vector<char> chars(n * width);
      if (!chars.empty()) check(nc_get_var_text(nc.id, v, chars.data()), "reading coordinate " + name);
      for (std::size_t i = 0; i < n; ++i) {
        std::string s(chars.data() + i * width, width);
        s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out.push_back(std::move(s));
      }
    } else if (type == NC_BYTE || type == NC_UBYTE || type == NC_SHORT || type == NC_USHORT || type == NC_INT ||
               type == NC_UINT || type == NC_INT64 || type == NC_UINT64) {
      std::vector<long long> x(n);
      if (n) check(nc_get_var_longlong(nc.id, v, x.data()), "reading coordinate " + name);
      for (long long i : x) out.push_back(std::to_string(i));
    } else {
      fail("coordinate '" + name + "' is not text; expected strings (" + what + ")");
    }
    for (const auto& s : out)
      if (s.size() > kMaxNames * 4)
        fail("coordinate '" + name + "' holds a name of " + std::to_string(s.size()) + " bytes; expected at most " +
             std::to_string(kMaxNames) + " characters");
    return out;
  }

  // Whole numbers along a dimension (years, ages), any numeric type.
  std::vector<long long> numbers(int dim, const std::string& name, const std::string& what, long long lo,
                                 long long hi) const {
    const auto [v, type] = coordinate(dim, name, what);
    if (type == NC_CHAR || type == NC_STRING || type > NC_STRING)
      fail("coordinate '" + name + "' is not numeric; expected whole numbers (" + what + ")");
    const std::size_t n = dim_len(dim);
    std::vector<double> x(n);
    if (n) check(nc_get_var_double(nc.id, v, x.data()), "reading coordinate " + name);
    std::vector<long long> out;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(x[i] == std::floor(x[i]) && x[i] >= static_cast<double>(lo) && x[i] <= static_cast<double>(hi)))
        fail("coordinate '" + name + "', entry " + std::to_string(i) + ": " + fmt(x[i]) + "; expected " + what +
             " from " + std::to_string(lo) + " to " + std::to_string(hi));
      out.push_back(static_cast<long long>(x[i]));
    }
    return out;
  }
};

}  // namespace

void read_population_netcdf(const Doc& doc, const Build& b, const toml::node& tn, const std::string& key,
                            CohortArray& out) {
  // Of a table reference, a cube takes the path, the variable (`layer`), `filter` on its variant and year
  // dimensions and `unit`.
  if (const toml::table* t = tn.as_table()) doc.allow(*t, key, {"path", "layer", "filter", "unit"});
  const TableRef ref = table_ref(doc, tn, key, {});
  if (ref.frame || !ref.database.empty())
    doc.fail(&tn, key, "format = \"netcdf\" reads a NetCDF file; expected a local file path");
  const auto nc_lock = geodata::lock_netcdf();  // held until r's file is closed (declared before it)
  Reader r{doc, b, tn, key, ref.path, ref.layer.empty() ? "population" : ref.layer, {}};
  // table_ref checked the folders, links and special files (/dev/zero, pipes); a missing path and a folder pass
  // those checks (GDAL reads folders of Shapefiles), not here.
  std::error_code ec;
  const fs::file_status st = fs::status(ref.path, ec);
  if (!fs::exists(st)) r.fail("file not found; expected a NetCDF file");
  if (fs::is_directory(st)) r.fail("is a folder; expected a NetCDF file (format = \"netcdf\")");
  const std::uint64_t bytes = fs::file_size(ref.path, ec);
  if (const std::uint64_t end = classic_data_end(ref.path, bytes); end == kDamaged)
    r.fail("the NetCDF-3 header is cut short or damaged; expected a NetCDF file such as a run's results.nc");
  else if (end > bytes)
    r.fail("the file is cut short or damaged: its NetCDF-3 header places data up to byte " + std::to_string(end) +
           " but the file has " + std::to_string(bytes) + " bytes");
  // A NetCDF-4 (HDF5) file whose data live in other files (external storage, external or soft links, virtual
  // datasets) is refused before netCDF-C opens it: opening follows links to other files already.
  const geodata::NetcdfContainment inside = geodata::check_netcdf_contained(ref.path);
  if (!inside.outside.empty()) r.fail(inside.outside);
  if (const int s = nc_open(ref.path.c_str(), NC_NOWRITE, &r.nc.id); s != NC_NOERR) {
    r.nc.id = -1;
    r.fail(
        std::string("cannot be read as NetCDF (") + nc_strerror(s) +
        "): not a NetCDF-3 or NetCDF-4 file, or one cut short or damaged; expected a file such as a run's results.nc");
  }
  if (inside.unchecked)
    r.fail(
        "HDF5 cannot open this NetCDF-4 file to check that its data are inside it, yet netCDF-C can; expected a "
        "NetCDF-4 file that HDF5 opens read-only");
  const int id = r.nc.id;

  // The variable: numeric, not packed, dimensions [variant,] [year,] zone, group, sex, age.
  int v = -1;
  if (nc_inq_varid(id, r.var.c_str(), &v) != NC_NOERR) {
    int nvars = 0;
    r.check(nc_inq_nvars(id, &nvars), "listing the variables");
    std::vector<std::string> found;
    for (int i = 0; i < nvars && i < 1000; ++i) {
      char name[NC_MAX_NAME + 1] = {};
      if (nc_inq_varname(id, i, name) == NC_NOERR) found.emplace_back(name);
    }
    r.fail("no variable '" + r.var + "'" + (found.empty() ? "" : " (variables found: " + listed(found) + ")") +
           "; expected population(zone, group, sex, age) or population(variant, year, zone, group, sex, age)" +
           (ref.layer.empty() ? " (another name: table = { path = …, layer = \"NAME\" })" : ""));
  }
  const std::string vq = "variable '" + r.var + "'";
  nc_type type = NC_NAT;
  r.check(nc_inq_vartype(id, v, &type), "reading " + vq);
  if (type < NC_BYTE || type > NC_UINT64 || type == NC_CHAR)
    r.fail(vq + " is not numeric; expected persons as doubles");
  for (const char* packed : {"scale_factor", "add_offset"})
    if (nc_inq_att(id, v, packed, nullptr, nullptr) == NC_NOERR)
      r.fail(vq + " is packed (attribute " + packed + "); expected the persons themselves (unpacked doubles)");
  int nd = 0;
  r.check(nc_inq_varndims(id, v, &nd), "reading " + vq);
  std::vector<int> dims(uz(std::clamp(nd, 0, NC_MAX_VAR_DIMS)));
  if (!dims.empty()) r.check(nc_inq_vardimid(id, v, dims.data()), "reading " + vq);
  std::vector<std::string> dn;
  for (int d : dims) dn.push_back(r.dim_name(d));
  const std::vector<std::string> tail = {"zone", "group", "sex", "age"};
  bool shape = nd >= 4 && nd <= 6 && std::equal(tail.begin(), tail.end(), dn.end() - 4);
  const std::size_t lead = shape ? dn.size() - 4 : 0;
  if (shape && lead == 2) shape = dn[0] == "variant" && dn[1] == "year";
  if (shape && lead == 1) shape = dn[0] == "variant" || dn[0] == "year";
  if (!shape) {
    std::string got;
    for (const auto& n : dn) got += (got.empty() ? "" : ", ") + n;
    r.fail(vq + " has the dimensions (" + got +
           "); expected (zone, group, sex, age) in that order, optionally "
           "after variant and year as in results.nc: (variant, year, zone, group, sex, age)");
  }
  std::vector<std::size_t> len;
  for (int d : dims) len.push_back(r.dim_len(d));
  auto wrong_len = [&](std::size_t k, const std::string& expected) {
    r.fail("dimension " + dn[k] + " of " + vq + " has length " + std::to_string(len[k]) + "; expected " + expected);
  };

  // Leading dimensions: one value each, chosen by `filter` (or the only one).
  for (const auto& [col, value] : ref.filter)
    if (std::find(dn.begin(), dn.begin() + static_cast<std::ptrdiff_t>(lead), col) ==
        dn.begin() + static_cast<std::ptrdiff_t>(lead))
      doc.fail(&tn, key + ".filter." + col,
               ref.path +
                   ": a NetCDF cube is filtered on its variant and year "
                   "dimensions only; " +
                   vq + " has no dimension " + col + " to choose from");
  std::vector<std::size_t> pick(lead, 0);
  std::string picked;
  for (std::size_t k = 0; k < lead; ++k) {
    if (len[k] == 0 || len[k] > kMaxLeading) wrong_len(k, "1 to " + std::to_string(kMaxLeading));
    const bool year = dn[k] == "year";
    std::vector<std::string> values;
    if (year)
      for (long long y : r.numbers(dims[uz(k)], "year", "years", -100000, 100000)) values.push_back(std::to_string(y));
    else
      values = r.names(dims[uz(k)], "variant", "variant names");
    std::vector<std::string> wanted;
    for (const auto& [col, value] : ref.filter)
      if (col == dn[k]) wanted.push_back(value);
    if (wanted.size() > 1)
      doc.fail(&tn, key + ".filter." + dn[k], ref.path + ": expected one " + dn[k] + " of the cube, got a list");
    if (wanted.empty() && len[k] > 1)
      r.fail("dimension " + dn[k] + " of " + vq + " has " + std::to_string(len[k]) + " values (" + listed(values) +
             "); choose one with filter = { " + dn[k] + " = " + (year ? values.back() : "\"" + values.front() + "\"") +
             " }");
    if (!wanted.empty()) {
      const auto it = std::find(values.begin(), values.end(), wanted.front());
      if (it == values.end())
        doc.fail(&tn, key + ".filter." + dn[k],
                 ref.path + ": no " + dn[k] + " " + escape_cell(wanted.front()) + " in coordinate '" + dn[k] + "' (" +
                     listed(values) + ")");
      pick[k] = uz(it - values.begin());
    }
    picked += ", " + dn[k] + " " + escape_cell(values[pick[k]]);
  }

  // Sizes against what the projection expects, before reading any coordinate of that size.
  const std::size_t Z = uz(b.Z), G = uz(b.G), A = uz(b.A);
  const std::size_t kz = lead, kg = lead + 1, ks = lead + 2, ka = lead + 3;
  if (len[ks] != 2) wrong_len(ks, "2 (female, male)");
  if (len[kg] != G && len[kg] > G + 1000) wrong_len(kg, std::to_string(G) + " (the groups of projection.groups)");
  if (len[ka] == 0 || len[ka] > 151) wrong_len(ka, "at most 151 (ages 0 to 150)");
  if (len[kz] != Z && len[kz] > 2 * Z + 1000) wrong_len(kz, std::to_string(Z) + " (the zones of the geography)");

  // Zones: the geography's ids, in any order, each once.
  const std::vector<std::string> zones = r.names(dims[kz], "zone", "the zone ids");
  const LabelMatch zone_match = match_labels(
      zones, b.zone_index, Z, [&](std::size_t z) { return b.sc.zones[z].id; },
      [&](const std::string& label) { r.fail("coordinate 'zone': zone " + escape_cell(label) + " appears twice"); });
  const std::vector<int>& zone_of = zone_match.index_of;
  if (!zone_match.unknown.empty() || !zone_match.missing.empty()) {
    const auto& unknown = zone_match.unknown;
    const auto& missing = zone_match.missing;
    r.fail("coordinate 'zone' does not hold the zones of the geography: " +
           (missing.empty() ? std::string() : "zones of the geography not in the cube: " + listed(missing)) +
           (missing.empty() || unknown.empty() ? "" : "; ") +
           (unknown.empty() ? std::string() : "zones of the cube not in the geography: " + listed(unknown)));
  }
  // Groups: those of projection.groups, in any order, each once.
  const std::vector<std::string> groups = r.names(dims[kg], "group", "the population groups");
  const LabelMatch group_match = match_labels(
      groups, b.group_index, G, [&](std::size_t g) { return b.sc.group_names[g]; },
      [&](const std::string& g) { r.fail("coordinate 'group': group " + escape_cell(g) + " appears twice"); });
  const std::vector<int>& group_of = group_match.index_of;
  if (!group_match.unknown.empty() || !group_match.missing.empty())
    r.fail("coordinate 'group' (" + listed(groups) + ") does not hold the groups of projection.groups (" +
           listed(b.sc.group_names) + ")" +
           (group_match.missing.empty() ? "" : "; missing: " + listed(group_match.missing)) +
           (group_match.unknown.empty() ? "" : "; not in projection.groups: " + listed(group_match.unknown)));
  // Sexes: female and male, in either order.
  const std::vector<std::string> sexes = r.names(dims[ks], "sex", "female, male");
  int sex_of[2] = {-1, -1};
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& s = sexes[i];
    sex_of[i] = s == "female" || s == "f" || s == "F" ? 0 : s == "male" || s == "m" || s == "M" ? 1 : -1;
    if (sex_of[i] < 0)
      r.fail("coordinate 'sex', entry " + std::to_string(i) + ": \"" + escape_cell(s) + "\"; expected female or male");
  }
  if (sex_of[0] == sex_of[1]) r.fail("coordinate 'sex' holds " + sexes[0] + " twice; expected female and male");
  // Ages: every age group start of the grid (0, z, …, w); ages past w (multiples of z) are summed into w+ as the
  // long table's rows are (scenarios/README.md "Rows past the open age").
  const std::vector<long long> ages = r.numbers(dims[ka], "age", "the first age of each age group", 0, 150);
  std::vector<int> age_of(ages.size(), -1);
  {
    std::vector<char> seen(A, 0);
    std::set<long long> all;
    for (std::size_t i = 0; i < ages.size(); ++i) {
      const int a = static_cast<int>(ages[i]);
      age_of[i] = b.age_index_folded(a);
      if (age_of[i] < 0)
        r.fail("coordinate 'age': age " + std::to_string(a) + " is not the start of an age group of the grid (0, " +
               std::to_string(b.z) + ", …, " + std::to_string(b.sc.grid.open_age()) + "+)");
      if (!all.insert(a).second) r.fail("coordinate 'age': age " + std::to_string(a) + " appears twice");
      seen[uz(age_of[i])] = 1;
    }
    const long long last = *all.rbegin();
    if (last < b.sc.grid.open_age())
      r.fail("coordinate 'age' ends at " + std::to_string(last) + ", below the grid's open age " +
             std::to_string(b.sc.grid.open_age()) + "; if " + std::to_string(last) +
             " is the cube's open group, set "
             "open_age = " +
             std::to_string(last));
    for (std::size_t i = 0; i < A; ++i)
      if (!seen[i])
        r.fail("coordinate 'age' has no age " + std::to_string(b.sc.grid.age_start(static_cast<int>(i))) +
               "; expected every age group of the grid from 0 to the open age " + std::to_string(b.sc.grid.open_age()));
  }

  // The unit: `unit` on the reference (persons by default); a `units` attribute naming another is a mistake.
  const double factor = persons_per_unit(doc, ref);
  std::size_t units_len = 0;
  if (nc_inq_attlen(id, v, "units", &units_len) == NC_NOERR && units_len < 100) {
    std::string units(units_len, '\0');
    nc_type at = NC_NAT;
    if (nc_inq_atttype(id, v, "units", &at) == NC_NOERR && at == NC_CHAR &&
        nc_get_att_text(id, v, "units", units.data()) == NC_NOERR) {
      units.erase(std::find(units.begin(), units.end(), '\0'), units.end());
      const std::string declared = ref.unit.empty() ? "persons" : ref.unit;
      const bool known = units == "persons" || units == "thousands" || units == "10k" || units == "万人";
      if (known && units != declared && !(units == "万人" && declared == "10k") &&
          !(units == "10k" && declared == "万人"))
        r.fail(vq + " has units = \"" + units + "\" but the table is read as \"" + declared +
               "\"; declare it: table = { path = …, unit = \"" + units + "\" }");
    }
  }

  // Values, in blocks of whole zones of the cube, each checked and put in its cell (the open group summed).
  const std::size_t per_zone = len[kg] * 2 * len[ka];
  const std::size_t block = std::max<std::size_t>(1, kBlockValues / per_zone);
  std::vector<double> buf(std::min(block, zones.size()) * per_zone);
  std::vector<std::size_t> start(lead + 4, 0), count(lead + 4, 1);
  for (std::size_t k = 0; k < lead; ++k) start[k] = pick[k];
  count[kg] = len[kg], count[ks] = 2, count[ka] = len[ka];
  CohortLayout L = out.layout();
  std::vector<char> open_seen;
  for (std::size_t z0 = 0; z0 < zones.size(); z0 += block) {
    const std::size_t nz = std::min(block, zones.size() - z0);
    start[kz] = z0, count[kz] = nz;
    r.check(nc_get_vara_double(id, v, start.data(), count.data(), buf.data()), "reading " + vq);
    const double* p = buf.data();
    for (std::size_t zi = 0; zi < nz; ++zi)
      for (std::size_t g = 0; g < len[kg]; ++g)
        for (int s = 0; s < 2; ++s)
          for (std::size_t i = 0; i < len[ka]; ++i, ++p) {
            const double x = *p;
            if (!(x >= 0.0) || x * factor > kPlausibleCellPersons) {
              const std::string cell = "zone " + escape_cell(zones[z0 + zi]) + ", group " + escape_cell(groups[g]) +
                                       ", " + sex_name(static_cast<Sex>(sex_of[s])) + ", age " +
                                       std::to_string(ages[i]) + picked;
              if (!(x >= 0.0)) r.fail(vq + ", " + cell + ": " + fmt(x) + "; expected persons >= 0");
              const std::string unit = ref.unit.empty() ? "persons" : ref.unit;
              r.fail(vq + ", " + cell + ": " + fmt(x) + " in unit \"" + unit + "\" is " + fmt(x * factor) +
                     " persons; expected at most " + fmt(kPlausibleCellPersons) +
                     " here (is the cube in another "
                     "unit? declare it with unit = \"persons\", \"thousands\" or \"10k\")");
            }
            const std::size_t c = L.index(zone_of[z0 + zi], group_of[g], sex_of[s], age_of[i]);
            // As the long table: a cell of the grid is its value, the open group the sum of the ages from w on.
            if (age_of[i] == b.A - 1)
              out.data()[c] += x * factor;
            else
              out.data()[c] = x * factor;
          }
  }
  doc.record(key, ref.path, ref.written);
}

}  // namespace cohortgis::scenarios::detail
