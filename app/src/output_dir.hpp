// SPDX-License-Identifier: Apache-2.0
// Output folders that cohortgis may replace, and the file list of a results folder's manifest.json.
//
// A results folder is "ours" when its manifest.json carries the marker "cohortgis_results": {"format": 1}, lists
// every file cohortgis wrote into the folder with its size and SHA-256 (maps and charts that `map` and `report`
// add later included), and its seal ("manifest_sha256", the SHA-256 of the text before it) matches. `run --out`
// replaces only an empty folder or such a folder whose files are all listed and unchanged (docs/cli.md).
//
// Results are written to a sibling staging folder "<target>.tmp-<pid>" (with a marker file of its own) and renamed
// into place by commit(); without commit() the staging folder is removed and an existing target stays as it was.
// Staging folders of runs that died (kill -9) are removed by the next run when their marker says so; a folder with
// such a name but without our marker is never touched. Nothing here follows a symbolic link when deleting.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cohortgis::app {

inline constexpr int kResultsFormat = 1;
// The marker file of a staging folder (and of a previous results folder moved aside during commit).
inline constexpr const char* kStagingMarker = ".cohortgis-staging";

// One file of a results folder, as listed in manifest.json ("files").
struct ListedFile {
  std::string path;  // relative to the folder, '/' separated
  std::uintmax_t size = 0;
  std::string sha256;
};

// `p` made absolute against the working folder. Throws InputError naming `what` and `p` when that folder cannot be
// found (another process deleted it, so getcwd fails): fs::absolute threw filesystem_error, which the command line
// reported as an internal error (hostile probe of round 24).
std::filesystem::path absolute_path(const std::filesystem::path& p, const std::string& what);

// Every regular file below `dir` except manifest.json, the staging marker and the sidecars of SQLite files
// (results.gpkg-wal, -shm, -journal), sorted by path, with size and SHA-256. Throws InputError on a symbolic link
// or a special file inside the folder. The files named in `unhashed` (relative paths) are listed with an empty
// SHA-256 (a manifest only the run itself reads while that file is hashed on another thread, run.cpp).
std::vector<ListedFile> list_result_files(const std::filesystem::path& dir,
                                          const std::vector<std::string>& unhashed = {});

// Writes `text` to `file` through a temporary file next to it ("<name>.tmp-<pid>") renamed over it, so that `file`
// is either the old one or the whole new one; removes the temporary file and throws InputError when the rename fails.
void write_atomically(const std::filesystem::path& file, const std::string& text);

// manifest.json from its body (the JSON object's members before "outputs", each line ending ",\n", without the
// opening "{\n"): writes the marker first, then the body, "outputs", "files" and the seal; atomically (a temporary
// file renamed over manifest.json).
void write_manifest(const std::filesystem::path& dir, const std::string& body, const std::vector<ListedFile>& files);

// After `map` or `report` drew into a results folder: adds (or updates) the files `written` (relative paths) in
// manifest.json's "outputs" and "files", drops listed files that are gone, and seals it again; atomically. Files
// that are neither listed nor written stay unlisted. Does nothing for a manifest without the marker (an older
// version's results); throws InputError for one whose seal does not match (it is not re-sealed).
void refresh_manifest(const std::filesystem::path& dir, const std::vector<std::string>& written);

// What a results folder's manifest says about its own files, and what is there now.
struct FolderCheck {
  bool has_manifest = false;
  bool marked = false;  // "cohortgis_results" marker of a format this version knows
  bool sealed = false;  // the seal matches: manifest.json is as cohortgis wrote it
  std::vector<ListedFile> listed;
  std::vector<std::string> changed;   // listed files whose size or SHA-256 differ now ("path (what)")
  std::vector<std::string> missing;   // listed files that are gone
  std::vector<std::string> unlisted;  // files (links, folders of others …) that cohortgis did not write
  std::string problem;                // why the folder is not (verifiably) cohortgis's own results; "" when it is
  bool intact() const { return problem.empty() && changed.empty() && missing.empty() && unlisted.empty(); }
  bool lists(const std::string& rel) const;
};
// Reads dir/manifest.json and compares the folder with it. hash: also compare SHA-256 (else sizes only).
FolderCheck check_results_folder(const std::filesystem::path& dir, bool hash = true);

// The path of `rel` (relative, '/' separated) inside a results folder, for cohortgis to (over)write: creates its
// parent folders; refuses (InputError) a symbolic link at the path or at a parent folder inside the results
// folder, and an existing file that the folder's manifest (`c`) does not list. For the results of an older version
// (no marker) only links are refused.
std::filesystem::path writable_path(const std::filesystem::path& dir, const FolderCheck& c, const std::string& rel);

// Throws InputError (naming the folder and why) unless `target` is absent, an empty folder, or a results folder of
// cohortgis whose files are all listed in its manifest and unchanged.
void check_replaceable(const std::filesystem::path& target);

// `report DIR` redraws the maps, charts and report.html in place, each file renamed into place when done: a signal
// or an error part way left some figures new and manifest.json listing the old ones, a folder that report then
// refused as changed (hostile probe, round 16). The guard keeps hard links of DIR's files in a sibling DIR.old-PID
// (with the staging marker, so that a later run removes it should this process die) and, unless kept, puts every
// file back and removes those the redraw added. A staging folder (DIR.tmp-PID of run or backtest) needs none.
class RedrawGuard {
 public:
  explicit RedrawGuard(const std::filesystem::path& dir);
  ~RedrawGuard();
  RedrawGuard(const RedrawGuard&) = delete;
  RedrawGuard& operator=(const RedrawGuard&) = delete;
  void keep();  // the redraw is complete: the old files go with the backup

 private:
  friend void remove_runs_in_progress();  // a signal's watchdog puts the old files back when it cannot wait
  void restore_and_clean();               // under the guards' lock
  std::filesystem::path dir_, backup_;
  std::vector<std::filesystem::path> before_;  // DIR's regular files at the start, relative to DIR
  bool kept_ = false;
};

// A job stopped from outside (Python's Ctrl-C, another thread; `cancel` may be null): ProjectionError("WHAT
// cancelled") once *cancel is set, so that the job's StagedDirectory is dropped and its target left as it was.
void throw_if_cancelled(const std::atomic<bool>* cancel, const std::string& what);

class StagedDirectory {
 public:
  // Checks the target (check_replaceable), removes stale staging folders of dead runs, and creates a staging
  // folder next to it with its marker. Throws InputError.
  explicit StagedDirectory(const std::filesystem::path& target);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& target() const { return target_; }
  // Staging folders of earlier runs that had died, removed by the constructor.
  const std::vector<std::string>& removed_stale() const { return removed_; }
  // Checks the target again, moves it aside, renames the staging folder into place, then removes the old one.
  void commit();

 private:
  std::filesystem::path target_, staging_;
  std::vector<std::string> removed_;
  bool committed_ = false;
};

}  // namespace cohortgis::app
