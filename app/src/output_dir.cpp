// SPDX-License-Identifier: Apache-2.0
#include "output_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/json_depth.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "file_digests.hpp"
#include "quick_remove.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

constexpr const char* kMarkerLine = "  \"cohortgis_results\": {\"format\": 1},\n";
constexpr const char* kOutputsKey = "\n  \"outputs\": [";
constexpr const char* kSealKey = "  \"manifest_sha256\": \"";

fs::path normalised(const fs::path& p) {
  fs::path a = absolute_path(p, "output folder").lexically_normal();
  if (a.filename().empty()) a = a.parent_path();  // "out/" → "out"
  // The folder it goes into as the system resolves it: "l/../out" with l a link to far/deep is far/out, where a
  // lexical ".." put it beside l and replaced the results there (hostile probe of round 22). The name itself is
  // not resolved (a link there is refused, not followed).
  const fs::path raw = absolute_path(p, "output folder"), last = raw.filename().empty() ? raw.parent_path() : raw;
  const fs::path name = last.filename();
  // Without a ".." the two agree, and messages keep the path as typed (/proc/self/fd/1, not /proc/PID/fd/1).
  if (std::none_of(raw.begin(), raw.end(), [](const fs::path& part) { return part == ".."; })) return a;
  if (name.empty() || name == "." || name == "..") return a;  // refused or named as before
  std::error_code ec;
  const fs::path parent = fs::weakly_canonical(last.parent_path(), ec);
  return ec || parent.empty() ? a : parent / name;
}

[[noreturn]] void fail(const fs::path& p, const std::string& what, const std::error_code& ec) {
  throw InputError("output folder " + p.string() + ": " + what + " (" + ec.message() + ")");
}

bool is_sidecar_name(const std::string& rel, std::string& base) {
  for (const char* s : {"-wal", "-shm", "-journal"}) {
    const std::string suffix = s;
    if (rel.size() > suffix.size() && rel.compare(rel.size() - suffix.size(), suffix.size(), suffix) == 0) {
      base = rel.substr(0, rel.size() - suffix.size());
      return true;
    }
  }
  return false;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return geodata::is_ascii_digit(c); });
}

// Temporary files cohortgis writes next to a file and renames over it ("manifest.json.tmp-PID").
bool is_own_temporary(const std::string& rel) {
  for (const char* stem : {"manifest.json.tmp-", "report.html.tmp-"}) {
    const std::string s = stem;
    if (rel.rfind(s, 0) == 0 && all_digits(rel.substr(s.size()))) return true;
  }
  return false;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(p.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The seal of a manifest's text: the SHA-256 of everything before the "manifest_sha256" line. Empty when absent.
std::string seal_in(const std::string& text, std::size_t& seal_line) {
  seal_line = text.rfind(std::string("\n") + kSealKey);
  if (seal_line == std::string::npos) return "";
  ++seal_line;
  const std::size_t a = seal_line + std::string(kSealKey).size(), b = text.find('"', a);
  return b == std::string::npos ? "" : text.substr(a, b - a);
}

std::string files_json(const std::vector<ListedFile>& files) {
  std::string j = "  \"outputs\": [";
  for (std::size_t i = 0; i < files.size(); ++i) j += (i ? ",\n    " : "\n    ") + json_string(files[i].path);
  j += std::string(files.empty() ? "" : ",\n    ") + json_string("manifest.json") + "\n  ],\n";
  j += "  \"files\": [";
  for (std::size_t i = 0; i < files.size(); ++i)
    j += std::string(i ? ",\n" : "\n") + "    {\"path\": " + json_string(files[i].path) +
         ", \"size\": " + std::to_string(files[i].size) + ", \"sha256\": " + json_string(files[i].sha256) + "}";
  j += std::string(files.empty() ? "" : "\n  ") + "],\n";
  return j;
}

}  // namespace

fs::path absolute_path(const fs::path& p, const std::string& what) {
  if (p.empty()) throw InputError(what + ": an empty path; expected a file or folder");
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec)
    throw InputError(what + " '" + geodata::escape_cell(p.string()) +
                     "': a relative path, and the working folder cannot be found (" + ec.message() +
                     ": another process may have deleted it); expected an absolute path, or run "
                     "cohortgis from an existing folder");
  return a;
}

void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.parent_path() / (file.filename().string() + ".tmp-" + std::to_string(::getpid()));
  {
    // Created new: "manifest.json.tmp-PID" and "report.html.tmp-PID" pass a results folder's check unlisted, so one
    // made beforehand (a shell that then execs cohortgis) as a hard link to a user's file had that file overwritten,
    // and as a named pipe hung `report` and `map` (hostile probe of round 23).
    TextFile f(tmp.string(), true);
    try {
      f.write(text);
      f.close();
    } catch (...) {  // a full disk: the temporary file was left beside manifest.json (hostile probe of round 22)
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw;
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw InputError(file.string() + ": cannot be written (" + ec.message() + ")");
  }
}

namespace {

ListedFile describe_file(const fs::path& dir, const std::string& rel, bool hash = true) {
  const fs::path p = dir / rel;
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) throw InputError(p.string() + ": cannot be read (" + ec.message() + ")");
  return {rel, size, hash ? output_sha256(p) : std::string()};
}

// describe_file of each path, on up to 4 threads (files not hashed while written — results.nc, figures — are read
// back; two large ones then take the time of one). Same result, and the same first error, as one by one.
std::vector<ListedFile> describe_files(const fs::path& dir, const std::vector<std::string>& rels,
                                       const std::vector<std::string>& unhashed = {}) {
  std::vector<ListedFile> out(rels.size());
  std::vector<std::exception_ptr> errors(rels.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < rels.size(); i = next++) try {
        out[i] = describe_file(dir, rels[i], std::find(unhashed.begin(), unhashed.end(), rels[i]) == unhashed.end());
      } catch (...) {
        errors[i] = std::current_exception();
      }
  };
  const std::size_t workers =
      std::min<std::size_t>({rels.size(), 4, std::size_t{std::max(1u, std::thread::hardware_concurrency())}});
  std::vector<std::jthread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joins
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

// ---- processes ----

// Start time of a process (field 22 of /proc/PID/stat, clock ticks since boot); "" when unknown.
std::string process_start(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int k = 3; k <= 22 && rest >> field; ++k)
    if (k == 22) return field;
  return "";
}

bool process_alive(long pid, const std::string& start) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  const std::string now = process_start(pid);
  return start.empty() || now.empty() || now == start;  // another start time: the id was reused
}

struct StagingMarker {
  long pid = 0;
  std::string start;
};

// Reads a staging folder's marker; false when the folder is not a real folder with our marker file.
bool read_marker(const fs::path& folder, StagingMarker& m) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(folder, ec))) return false;
  const fs::path file = folder / kStagingMarker;
  if (!fs::is_regular_file(fs::symlink_status(file, ec))) return false;
  std::ifstream in(file);
  std::string first, key;
  if (!std::getline(in, first) || first != "cohortgis staging folder") return false;
  while (in >> key) {
    if (key == "pid")
      in >> m.pid;
    else if (key == "start")
      in >> m.start;
    else
      in.ignore(1 << 12, '\n');
  }
  return m.pid > 0;
}

void write_marker(const fs::path& folder) {
  // Created new: the previous results moved aside may hold a ".cohortgis-staging" that their check lets pass, and a
  // hard link of that name to a user's file had the file overwritten by the marker, a named pipe hung the run
  // (hostile probe of round 23). Whatever is there in a folder about to be removed is unlinked first (an unlink
  // leaves a hard-linked file's content as it is).
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(folder / kStagingMarker, ec))) fs::remove(folder / kStagingMarker, ec);
  TextFile f((folder / kStagingMarker).string(), true);
  f.write("cohortgis staging folder\npid " + std::to_string(::getpid()) + "\nstart " + process_start(::getpid()) +
          "\n");
  f.close();
}

// "<name><tag><pid>[-<n>]": the first such sibling of target that does not exist yet.
fs::path free_sibling(const fs::path& target, const std::string& tag) {
  const std::string stem = target.filename().string() + tag + std::to_string(::getpid());
  std::error_code ec;
  for (int n = 0; n < 1000; ++n) {
    const fs::path p = target.parent_path() / (n == 0 ? stem : stem + "-" + std::to_string(n));
    if (!fs::exists(fs::symlink_status(p, ec))) return p;
  }
  throw InputError("output folder " + target.string() + ": no free name for a temporary folder next to it (" + stem +
                   "-1 … -999 all exist)");
}

// "<name><tag>PID[-N]" (free_sibling's names), tag ".tmp-" or ".old-".
bool is_sibling_named(const std::string& n, const std::string& name, const std::string& tag) {
  if (n.rfind(name + tag, 0) != 0) return false;
  const std::string rest = n.substr(name.size() + tag.size());
  const std::size_t dash = rest.find('-');
  return all_digits(rest.substr(0, dash)) && (dash == std::string::npos || all_digits(rest.substr(dash + 1)));
}

// Removes "<name>.tmp-PID[-N]" and "<name>.old-PID[-N]" folders next to target that carry our marker and whose
// process is gone. Anything else with such a name stays.
std::vector<std::string> remove_stale(const fs::path& target) {
  std::vector<std::string> removed;
  const std::string name = target.filename().string();
  std::error_code ec;
  fs::directory_iterator it(target.parent_path(), ec), end;
  if (ec) return removed;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string n = it->path().filename().string();
    if (!is_sibling_named(n, name, ".tmp-") && !is_sibling_named(n, name, ".old-")) continue;
    StagingMarker m;
    if (!read_marker(it->path(), m) || m.pid == static_cast<long>(::getpid()) || process_alive(m.pid, m.start))
      continue;
    std::error_code rec;
    fs::remove_all(it->path(), rec);  // does not follow symbolic links
    if (!rec) removed.push_back(it->path().string() + " (process " + std::to_string(m.pid) + " is gone)");
  }
  return removed;
}

// The process id of another cohortgis redrawing target in place (`report`, or `map` into it: RedrawGuard's backup
// "<name>.old-PID" beside it, with the marker of a live process), or 0.
long redrawing_process(const fs::path& target) {
  std::error_code ec;
  const fs::path t = fs::weakly_canonical(target, ec);
  if (ec) return 0;
  const std::string name = t.filename().string();
  fs::directory_iterator it(t.parent_path(), ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    StagingMarker m;
    if (is_sibling_named(it->path().filename().string(), name, ".old-") && read_marker(it->path(), m) &&
        m.pid != static_cast<long>(::getpid()) && process_alive(m.pid, m.start))
      return m.pid;
  }
  return 0;
}

std::string list_some(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > 8) out += ", … (" + std::to_string(v.size()) + " in all)";
  return out;
}

}  // namespace

// ---- the file list ----

std::vector<ListedFile> list_result_files(const fs::path& dir, const std::vector<std::string>& unhashed) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) throw InputError(dir.string() + ": cannot be read (" + ec.message() + ")");
  for (; it != end; it.increment(ec)) {
    if (ec) throw InputError(dir.string() + ": cannot be read (" + ec.message() + ")");
    const auto st = it->symlink_status(ec);
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    if (fs::is_directory(st)) continue;
    if (fs::is_symlink(st) || !fs::is_regular_file(st))
      throw InputError(it->path().string() + ": a symbolic link or special file in a results folder");
    if (rel == "manifest.json" || rel == kStagingMarker || is_own_temporary(rel)) continue;
    names.push_back(rel);
  }
  std::sort(names.begin(), names.end());
  const std::set<std::string> all(names.begin(), names.end());
  std::vector<std::string> listed;
  for (const auto& rel : names) {
    std::string base;
    if (is_sidecar_name(rel, base) && all.count(base)) continue;  // SQLite's -wal/-shm/-journal
    listed.push_back(rel);
  }
  return describe_files(dir, listed, unhashed);
}

void write_manifest(const fs::path& dir, const std::string& body, const std::vector<ListedFile>& files) {
  std::string text = std::string("{\n") + kMarkerLine + body + files_json(files);
  const std::string seal = geodata::sha256_text(text);
  text += std::string(kSealKey) + seal + "\"\n}\n";
  write_atomically(dir / "manifest.json", text);
}

bool FolderCheck::lists(const std::string& rel) const {
  return std::any_of(listed.begin(), listed.end(), [&](const ListedFile& f) { return f.path == rel; });
}

FolderCheck check_results_folder(const fs::path& dir, bool hash) {
  FolderCheck c;
  std::error_code ec;
  const fs::path mf = dir / "manifest.json";
  const auto mst = fs::symlink_status(mf, ec);
  if (!fs::exists(mst)) {
    c.problem = "no manifest.json of cohortgis";
  } else if (!fs::is_regular_file(mst)) {
    c.problem = "manifest.json is a symbolic link or not a file";
  } else if (fs::file_size(mf, ec) > (std::uintmax_t{64} << 20)) {
    c.has_manifest = true;
    c.problem = "manifest.json is larger than 64 MiB, far larger than cohortgis writes";
  } else {
    c.has_manifest = true;
    std::string text;
    pt::ptree tree;
    try {
      text = read_text(mf);
      if (geodata::json_nesting_depth(text) > geodata::kMaxJsonDepth) {
        c.problem = "manifest.json is nested more than " + std::to_string(geodata::kMaxJsonDepth) +
                    " levels deep, far deeper than cohortgis writes";
      } else {
        std::istringstream in(text);
        pt::read_json(in, tree);
      }
    } catch (const std::exception&) {
      c.problem = "manifest.json is not valid JSON";
    }
    if (c.problem.empty()) {
      const auto format = tree.get_optional<std::string>("cohortgis_results.format");
      if (!format) {
        c.problem =
            "manifest.json has no \"cohortgis_results\" marker (results of an older cohortgis, or not "
            "written by cohortgis), so its files cannot be told from others";
      } else if (*format != std::to_string(kResultsFormat)) {
        c.problem = "manifest.json is of results format " + *format + ", which this version (format " +
                    std::to_string(kResultsFormat) + ") does not know";
      } else {
        c.marked = true;
        std::size_t seal_line = 0;
        const std::string seal = seal_in(text, seal_line);
        c.sealed = !seal.empty() && geodata::sha256_text(std::string_view(text).substr(0, seal_line)) == seal;
        if (!c.sealed)
          c.problem = "manifest.json was edited after cohortgis wrote it (its manifest_sha256 does not match)";
        if (const auto files = tree.get_child_optional("files"))
          for (const auto& [k, v] : *files) {
            ListedFile f{v.get("path", ""), 0, v.get("sha256", "")};
            try {
              f.size = std::stoull(v.get("size", "0"));
            } catch (const std::exception&) {
              f.size = 0;
            }
            c.listed.push_back(std::move(f));
          }
      }
    }
  }
  // Without our marker nothing in the folder can be ours: no need to walk it (it may be a home folder).
  if (!c.marked) return c;
  std::map<std::string, const ListedFile*> by_path;
  for (const auto& f : c.listed) by_path[f.path] = &f;
  std::set<std::string> seen;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) {
    c.problem = "cannot be read (" + ec.message() + ")";
    return c;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      c.problem = "cannot be read (" + ec.message() + ")";
      return c;
    }
    const auto st = it->symlink_status(ec);
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    // A listed file that is now a folder, a link or not a file (a FIFO passed the check, and `report` then ignored
    // it; a link or a folder was called "gone"; hostile probe, round 10).
    const bool listed = by_path.count(rel) > 0;
    if (listed && !fs::is_regular_file(st)) {
      seen.insert(rel);
      c.changed.push_back(rel + (fs::is_symlink(st)     ? " (now a symbolic link)"
                                 : fs::is_directory(st) ? " (now a folder)"
                                                        : " (now not a regular file: a pipe or device)"));
      if (fs::is_directory(st)) it.disable_recursion_pending();
      continue;
    }
    if (fs::is_directory(st)) continue;  // a folder holds nothing of its own; its files are checked
    if (fs::is_symlink(st)) {
      c.unlisted.push_back(rel + " (a symbolic link)");
      continue;
    }
    if (rel == "manifest.json" || rel == kStagingMarker || is_own_temporary(rel)) continue;
    const auto f = by_path.find(rel);
    std::string base;
    if (f == by_path.end()) {
      if (!(is_sidecar_name(rel, base) && by_path.count(base)) || !fs::is_regular_file(st)) c.unlisted.push_back(rel);
      continue;
    }
    seen.insert(rel);
    if (!fs::is_regular_file(st)) {
      c.unlisted.push_back(rel + " (not a file)");
      continue;
    }
    std::error_code sec;
    const auto size = fs::file_size(it->path(), sec);
    if (sec || size != f->second->size) {
      c.changed.push_back(rel + " (" + std::to_string(f->second->size) + " bytes then, " +
                          (sec ? std::string("unreadable") : std::to_string(size)) + " now)");
      continue;
    }
    // Listed without a SHA-256 (run --no-results-nc-hash): its size is all there is to compare.
    if (hash && !f->second->sha256.empty()) {
      std::string now;
      try {
        now = output_sha256(it->path());  // a second check in the same run (commit) reuses the first's
      } catch (const InputError&) {
        now = "unreadable";
      }
      if (now != f->second->sha256)
        c.changed.push_back(rel + " (sha256 " + f->second->sha256.substr(0, 12) + "… then, " + now.substr(0, 12) +
                            "… now)");
    }
  }
  for (const auto& f : c.listed)
    if (!seen.count(f.path)) c.missing.push_back(f.path);
  return c;
}

void refresh_manifest(const fs::path& dir, const std::vector<std::string>& written) {
  const fs::path mf = dir / "manifest.json";
  const FolderCheck c = check_results_folder(dir, false);
  if (!c.marked) return;  // an older version's results: left as they are
  if (!c.sealed) throw InputError(mf.string() + ": " + c.problem + "; not updated");
  const std::string text = read_text(mf);
  const std::size_t a = std::string("{\n").size() + std::string(kMarkerLine).size();
  const std::size_t b = text.find(kOutputsKey);
  if (text.compare(0, a, std::string("{\n") + kMarkerLine) != 0 || b == std::string::npos)
    throw InputError(mf.string() + ": not in the form cohortgis writes; not updated");
  const std::string body = text.substr(a, b + 1 - a);
  std::map<std::string, ListedFile> files;
  std::error_code ec;
  for (const auto& f : c.listed)
    if (fs::is_regular_file(fs::symlink_status(dir / f.path, ec))) files[f.path] = f;
  for (const auto& rel : written) files[rel] = describe_file(dir, rel);
  std::vector<ListedFile> list;
  for (auto& [k, f] : files) list.push_back(std::move(f));
  write_manifest(dir, body, list);
}

fs::path writable_path(const fs::path& dir, const FolderCheck& c, const std::string& rel) {
  const fs::path r = fs::path(rel).lexically_normal();
  if (r.empty() || r.is_absolute() || *r.begin() == "..")
    throw InputError(rel + ": not a path inside the results folder " + dir.string());
  std::error_code ec;
  fs::path at = dir;
  for (auto part = r.begin(); part != r.end(); ++part) {
    at /= *part;
    const auto st = fs::symlink_status(at, ec);
    if (fs::is_symlink(st))
      throw InputError(at.string() + ": a symbolic link in the results folder; cohortgis does not write through links");
    const bool last = std::next(part) == r.end();
    if (!last && !fs::exists(st)) {
      fs::create_directory(at, ec);
      if (ec) throw InputError(at.string() + ": cannot be created (" + ec.message() + ")");
    } else if (!last && !fs::is_directory(st)) {
      throw InputError(at.string() + ": is not a folder");
    } else if (last && fs::exists(st) && c.marked && !c.lists(r.generic_string())) {
      throw InputError(at.string() +
                       ": exists and was not written by cohortgis (manifest.json does not list it); "
                       "not overwritten. Move it away, or draw into another file (--out)");
    } else if (last && fs::exists(st) && !fs::is_regular_file(st)) {
      throw InputError(at.string() + ": exists and is not a file; not overwritten");
    }
  }
  return at;
}

void check_replaceable(const fs::path& target) {
  std::error_code ec;
  const auto st = fs::symlink_status(target, ec);
  if (!fs::exists(st)) return;
  const std::string what = "output folder " + target.string() + ": ";
  const std::string keep = "; nothing was changed. Give another --out, or move the folder away yourself";
  if (fs::is_symlink(st))
    throw InputError(what + "is a symbolic link (to " + fs::read_symlink(target, ec).string() +
                     "); cohortgis does not replace links or write through them" + keep);
  if (!fs::is_directory(st)) throw InputError(what + "exists and is not a folder" + keep);
  const bool empty = fs::is_empty(target, ec);
  if (ec) fail(target, "cannot be read", ec);
  if (empty) return;
  const FolderCheck c = check_results_folder(target, true);
  if (!c.problem.empty()) {
    std::vector<std::string> some;
    for (fs::directory_iterator it(target, ec), end; !ec && it != end && some.size() < 4; it.increment(ec))
      some.push_back(it->path().filename().string());
    throw InputError(what + "exists and is not a results folder that cohortgis may replace: " + c.problem +
                     " (it holds " + list_some(some) + (some.size() >= 4 ? ", …" : "") + ")" + keep);
  }
  // A `report` or `map` drawing into the folder adds its files before manifest.json lists them: they are not the
  // user's (hostile probe of round 25 blamed them on the user).
  if (!c.unlisted.empty() || !c.changed.empty())
    if (const long pid = redrawing_process(target); pid != 0)
      throw InputError(what + "another cohortgis (process " + std::to_string(pid) +
                       ") is drawing into it (report or map); nothing was changed. Wait until it ends, or give "
                       "another --out");
  if (!c.unlisted.empty())
    throw InputError(what + "holds files that cohortgis did not write: " + list_some(c.unlisted) + keep);
  if (!c.changed.empty())
    throw InputError(what + "files changed since cohortgis wrote them: " + list_some(c.changed) + keep);
  // Replacing moves the folder aside, then removes it: a folder in it without write permission kept its files, and
  // the previous results stayed behind as OUT.old-PID without a word (hostile probe, round 16).
  std::vector<std::string> read_only;
  if (::access(target.c_str(), W_OK | X_OK) != 0) read_only.push_back(".");
  for (fs::recursive_directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec))
    if (!it->is_symlink(ec) && it->is_directory(ec) && ::access(it->path().c_str(), W_OK | X_OK) != 0)
      read_only.push_back(fs::relative(it->path(), target, ec).string());
  if (!read_only.empty())
    throw InputError(what + "read-only (no write permission on " + list_some(read_only) +
                     "): the previous results could not be removed" + keep);
}

// ---- a redraw in place ----

namespace {
// The redraw in progress, for remove_runs_in_progress: a signal's watchdog exits 0.5 s after the signal, and when the
// main thread's unwinding has not put the old files back by then (a loaded machine), the watchdog does it, or the
// backup DIR.old-PID was left beside the folder (cli_signal_drawing under ASan). The lock keeps the two from
// interleaving.
std::mutex g_redraw_mutex;
RedrawGuard* g_redraw = nullptr;
}  // namespace

void RedrawGuard::keep() {
  const std::lock_guard<std::mutex> lock(g_redraw_mutex);
  kept_ = true;
}

RedrawGuard::RedrawGuard(const fs::path& dir) : dir_(dir) {
  geodata::require_owner_access_umask("results folder " + dir.string());  // before the backup is made
  std::error_code ec;
  StagingMarker m;
  const fs::path target = fs::weakly_canonical(dir, ec);
  if (ec || target.filename().empty() || read_marker(dir, m)) return;
  // Held while the backup is made: a signal's watchdog arriving meanwhile found no redraw registered and exited,
  // leaving DIR.old-PID (hostile probe 19, SIGHUP 0.3 s into `report` on a loaded machine); it now waits the few
  // milliseconds and removes it.
  const std::lock_guard<std::mutex> lock(g_redraw_mutex);
  try {
    backup_ = free_sibling(target, ".old-");
    if (!fs::create_directory(backup_, ec) || ec) throw InputError("");
    write_marker(backup_);
    for (fs::recursive_directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code fe;
      if (it->is_symlink(fe) || !it->is_regular_file(fe)) continue;
      const fs::path rel = it->path().lexically_relative(dir_);
      fs::create_directories((backup_ / rel).parent_path(), fe);
      fs::create_hard_link(it->path(), backup_ / rel, fe);
      if (fe) throw InputError("");
      before_.push_back(rel);
    }
    if (ec) throw InputError("");
  } catch (const InputError&) {  // no backup (a read-only parent, no hard links): redrawn in place as before
    if (!backup_.empty()) fs::remove_all(backup_, ec);
    backup_.clear();
    before_.clear();
  }
  if (!backup_.empty()) g_redraw = this;
}

RedrawGuard::~RedrawGuard() {
  const std::lock_guard<std::mutex> lock(g_redraw_mutex);
  if (g_redraw == this) g_redraw = nullptr;
  restore_and_clean();
}

void RedrawGuard::restore_and_clean() {
  if (backup_.empty()) return;
  std::error_code ec;
  if (!kept_) {
    const std::set<fs::path> before(before_.begin(), before_.end());
    std::vector<fs::path> added;
    // Only regular files, which is all a redraw writes: a link, pipe or other entry there at the start (not in the
    // backup, which holds the regular files) was removed as "added" when the redraw failed (hostile probe of round
    // 23: a link at report.html.tmp-PID).
    for (fs::recursive_directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
      if (std::error_code fe;
          fs::is_regular_file(it->symlink_status(fe)) && !before.count(it->path().lexically_relative(dir_)))
        added.push_back(it->path());
    for (const auto& p : added) fs::remove(p, ec);
    for (const auto& rel : before_) fs::rename(backup_ / rel, dir_ / rel, ec);  // the old file back, atomically
  }
  fs::remove_all(backup_, ec);
  backup_.clear();  // done once: by the watchdog or by the destructor
}

// ---- the staging folder ----

namespace {
// Staging folders of the runs in progress, for remove_runs_in_progress (a signal watchdog's thread). The lock also
// keeps a commit and a removal from interleaving.
std::mutex g_staging_mutex;
std::vector<fs::path> g_staging;
// Files from this size on are freed by a child process (remove_all_quickly): a stopped or replaced 40,000-zone run's
// results.nc (6.75 GB) took 1.1-1.8 s to unlink, past issue #16's second for a signal.
constexpr std::uintmax_t kQuickRemoveBytes = std::uintmax_t{64} << 20;
}  // namespace

void remove_runs_in_progress() {
  // Held until the process exits (the watchdog calls _Exit next): no redraw is kept or restored after this.
  g_redraw_mutex.lock();
  if (g_redraw) g_redraw->restore_and_clean();
  const std::lock_guard<std::mutex> lock(g_staging_mutex);
  // Unlinked temporary files first (results.xlsx's sheets while it is zipped): freed by a child, not by the exit.
  if (!g_staging.empty()) hold_unlinked_files(kQuickRemoveBytes);
  for (const auto& dir : g_staging) {
    StagingMarker m;
    if (!read_marker(dir, m) || m.pid != static_cast<long>(::getpid())) continue;  // only our own folder
    // Another thread may still be writing into it: a few passes until it is gone.
    for (int pass = 0; pass < 5; ++pass) {
      std::error_code ec;
      remove_all_quickly(dir, kQuickRemoveBytes);
      if (!fs::exists(fs::symlink_status(dir, ec))) break;
    }
  }
  g_staging.clear();
}

namespace {
// Two runs into one --out at once (hostile probe of round 20): each checked the folder, moved it aside and renamed its
// own into place; the later one found the other's results there, failed, and left the previous results behind as
// OUT.old-PID, and a check meeting a half-done swap reported files "changed since cohortgis wrote them". The check
// and the swap hold an advisory lock (flock) on the parent folder's descriptor, so cohortgis processes and Python
// threads do them one at a time; nothing is written for it. A holder that never lets go (a run stopped with
// SIGSTOP mid-swap) is waited for 10 s, then the swap goes ahead as before.
class ParentFolderLock {
 public:
  explicit ParentFolderLock(const fs::path& target) {
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int tries = 0; fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0 && tries < 2000; ++tries)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~ParentFolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  ParentFolderLock(const ParentFolderLock&) = delete;
  ParentFolderLock& operator=(const ParentFolderLock&) = delete;

 private:
  int fd_ = -1;
};
}  // namespace

void throw_if_cancelled(const std::atomic<bool>* cancel, const std::string& what) {
  if (cancel && cancel->load()) throw ProjectionError(what + " cancelled");
}

StagedDirectory::StagedDirectory(const fs::path& target) {
  if (target.empty()) throw InputError("output folder: no path given");
  target_ = normalised(target);
  const std::string name = target_.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw InputError("output folder " + target.string() + ": expected a folder name (not the root, '.' or '..')");
  // Room beside it for "NAME.tmp-PID-N" and "NAME.old-PID-N" (a pid of at most 7 digits, N up to 999): a valid name
  // of 250 bytes failed with ENAMETOOLONG naming the temporary folder instead of what to change.
  geodata::require_room_for_staging("output folder " + target.string(), name, 16, "folder");
  geodata::require_local_output("output folder " + target.string(), target_.string());
  geodata::require_owner_access_umask("output folder " + target.string());
  {
    const ParentFolderLock swap(target_);  // not while another run swaps its results in
    check_replaceable(target_);
  }
  std::error_code ec;
  fs::create_directories(target_.parent_path(), ec);
  if (ec) fail(target_.parent_path(), "cannot be created", ec);
  removed_ = remove_stale(target_);
  staging_ = free_sibling(target_, ".tmp-");
  if (!fs::create_directory(staging_, ec) || ec) fail(staging_, "cannot create the temporary folder", ec);
  try {
    write_marker(staging_);
  } catch (...) {
    fs::remove_all(staging_, ec);
    throw;
  }
  const std::lock_guard<std::mutex> lock(g_staging_mutex);
  g_staging.push_back(staging_);
}

StagedDirectory::~StagedDirectory() {
  const std::lock_guard<std::mutex> lock(g_staging_mutex);
  std::erase(g_staging, staging_);
  if (committed_) return;
  StagingMarker m;
  // Only our own folder (still with our marker) is removed.
  if (read_marker(staging_, m) && m.pid == static_cast<long>(::getpid()))
    remove_all_quickly(staging_, kQuickRemoveBytes);
}

void StagedDirectory::commit() {
  const ParentFolderLock swap(target_);  // first: the watchdog's removal must not wait for it (g_staging_mutex)
  const std::lock_guard<std::mutex> lock(g_staging_mutex);  // not while a watchdog removes the staging folder
  if (std::find(g_staging.begin(), g_staging.end(), staging_) == g_staging.end())
    throw ProjectionError("the run was stopped: its temporary folder " + staging_.string() + " is gone");
  check_replaceable(target_);
  std::error_code ec;
  fs::path old;
  if (fs::exists(fs::symlink_status(target_, ec))) {
    old = free_sibling(target_, ".old-");
    fs::rename(target_, old, ec);
    if (ec) fail(target_, "cannot move the previous results aside", ec);
    try {
      write_marker(old);  // so that a later run removes it should this one die before it does
    } catch (const InputError&) {
    }
  }
  fs::rename(staging_, target_, ec);
  if (ec) {
    std::error_code back;
    if (!old.empty()) {
      fs::rename(old, target_, back);
      if (!back) {
        fs::remove(target_ / kStagingMarker, back);
      } else {
        // Something else took the name meanwhile (cohortgis runs wait for the lock): the previous results stay
        // where they were moved, without the marker that would let a later run remove them, and the message says
        // where they are. Nothing the user had is lost.
        fs::remove(old / kStagingMarker, back);
        fail(target_, "cannot move the new results into place; the previous results are kept in " + old.string(), ec);
      }
    }
    fail(target_, "cannot move the new results into place", ec);
  }
  committed_ = true;
  fs::remove(target_ / kStagingMarker, ec);
  if (!old.empty()) remove_all_quickly(old, kQuickRemoveBytes);  // best effort: the new results are already in place
}

}  // namespace cohortgis::app
