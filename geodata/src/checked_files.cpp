// SPDX-License-Identifier: Apache-2.0
// The files check_input approved, bound to what is read (checked_files.hpp). The check resolves a path and the
// readers open it again, each resolving it anew: between the two a link (or a folder on the way) can be swapped. So
// an approved path is opened once, the opened file's own path is read back from /proc/self/fd (what the kernel
// opened, links resolved) and checked against the roots, and the reader goes on with that open file
// (/proc/self/fd/N reopens the same file, not the path).
#include "checked_files.hpp"

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_error.h>
#include <cpl_vsi_virtual.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

namespace cohortgis::geodata {

namespace fs = std::filesystem;

namespace {

std::mutex approved_mutex;
// Approved path (lexically normal) → the roots of its scenario. Companions are found by folder and stem.
std::map<std::string, std::vector<std::string>>& approved() {
  static auto* m = new std::map<std::string, std::vector<std::string>>();  // never freed: used until exit
  return *m;
}

std::string folder_and_stem(const fs::path& p) { return (p.parent_path() / p.stem()).string(); }

// The roots an open of `path` is bound to, if it is an approved file or a companion of one.
std::optional<std::vector<std::string>> roots_of(const std::string& path) {
  if (path.empty() || path.rfind("/vsi", 0) == 0 || path.rfind("/proc/self/fd/", 0) == 0) return std::nullopt;
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) return std::nullopt;
  std::lock_guard<std::mutex> lock(approved_mutex);
  const auto& m = approved();
  if (auto it = m.find(p.string()); it != m.end()) return it->second;
  // A companion: same folder, and its stem (base.csvt → base; zones.shp.xml → zones.shp → zones) that of an
  // approved file.
  for (fs::path q = p; !q.stem().empty() && q.has_extension(); q = q.parent_path() / q.stem()) {
    const std::string key = folder_and_stem(q);
    for (auto it = m.lower_bound(key); it != m.end() && it->first.rfind(key, 0) == 0; ++it)
      if (folder_and_stem(it->first) == key) return it->second;
  }
  return std::nullopt;
}

// Opens `path` read-only (never blocking on a pipe swapped in) and checks the file opened: "" and fd ≥ 0, or the
// reason it is refused (fd closed, -1).
std::string open_bound(const std::string& path, const std::vector<std::string>& roots, int& fd) {
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return {};  // not there, or not readable: the reader reports it as it does
  char link[64], target[PATH_MAX + 1];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, target, PATH_MAX);
  if (n < 0 && errno == ENOENT) {  // no /proc (a chroot without it): the readers open the path as before
    ::close(fd);
    fd = -1;
    return {};
  }
  struct stat st {};
  std::string why;
  if (n <= 0 || ::fstat(fd, &st) != 0)
    why = "it could not be checked again when opened";
  else if (!S_ISREG(st.st_mode))
    why = "it is no longer a regular file";
  else if (!inside_roots(std::string(target, static_cast<std::size_t>(n)), roots))
    why = "it now leads outside the folders this scenario may read";
  if (!why.empty()) {
    ::close(fd);
    fd = -1;
  }
  return why;
}

std::string changed_text(const std::string& label, const std::string& why) {
  return label + ": changed after it was checked (" + why +
         "); expected the file to stay as it was while cohortgis reads it (another program, or a link swapped in)";
}

// GDAL's handler of local files, with the reads of approved files bound (the file opened is the file checked).
class BoundLocalFiles final : public VSIFilesystemHandler {
 public:
  explicit BoundLocalFiles(VSIFilesystemHandler* local) : local_(local) {}

  VSIVirtualHandle* Open(const char* name, const char* access, bool set_error, CSLConstList options) override {
    const std::string a = access ? access : "";
    const auto roots = name && a.find_first_of("wa+") == std::string::npos ? roots_of(name) : std::nullopt;
    if (!roots) return local_->Open(name, access, set_error, options);
    int fd = -1;
    const std::string why = open_bound(name, *roots, fd);
    if (!why.empty()) {
      errno = EACCES;
      CPLError(CE_Failure, CPLE_OpenFailed, "%s", changed_text(escape_cell(name, 200), why).c_str());
      return nullptr;
    }
    if (fd < 0) return local_->Open(name, access, set_error, options);
    const std::string same = "/proc/self/fd/" + std::to_string(fd);
    VSIVirtualHandle* h = local_->Open(same.c_str(), access, set_error, options);
    ::close(fd);
    return h;
  }
  int Stat(const char* n, VSIStatBufL* b, int f) override { return local_->Stat(n, b, f); }
  int Unlink(const char* n) override { return local_->Unlink(n); }
  int* UnlinkBatch(CSLConstList f) override { return local_->UnlinkBatch(f); }
  int Mkdir(const char* n, long m) override { return local_->Mkdir(n, m); }
  int Rmdir(const char* n) override { return local_->Rmdir(n); }
  int RmdirRecursive(const char* n) override { return local_->RmdirRecursive(n); }
  char** ReadDir(const char* n) override { return local_->ReadDir(n); }
  char** ReadDirEx(const char* n, int m) override { return local_->ReadDirEx(n, m); }
  char** SiblingFiles(const char* n) override { return local_->SiblingFiles(n); }
  int Rename(const char* a, const char* b) override { return local_->Rename(a, b); }
  int IsCaseSensitive(const char* n) override { return local_->IsCaseSensitive(n); }
  GIntBig GetDiskFreeSpace(const char* n) override { return local_->GetDiskFreeSpace(n); }
  int SupportsSparseFiles(const char* n) override { return local_->SupportsSparseFiles(n); }
  int HasOptimizedReadMultiRange(const char* n) override { return local_->HasOptimizedReadMultiRange(n); }
  const char* GetActualURL(const char* n) override { return local_->GetActualURL(n); }
  const char* GetOptions() override { return local_->GetOptions(); }
  char* GetSignedURL(const char* n, CSLConstList o) override { return local_->GetSignedURL(n, o); }
  bool Sync(const char* s, const char* t, const char* const* o, GDALProgressFunc p, void* d, char*** out) override {
    return local_->Sync(s, t, o, p, d, out);
  }
  VSIDIR* OpenDir(const char* n, int depth, const char* const* o) override { return local_->OpenDir(n, depth, o); }
  char** GetFileMetadata(const char* n, const char* d, CSLConstList o) override {
    return local_->GetFileMetadata(n, d, o);
  }
  bool SetFileMetadata(const char* n, CSLConstList m, const char* d, CSLConstList o) override {
    return local_->SetFileMetadata(n, m, d, o);
  }
  bool AbortPendingUploads(const char* n) override { return local_->AbortPendingUploads(n); }
  std::string GetStreamingFilename(const std::string& n) const override { return local_->GetStreamingFilename(n); }
  bool IsLocal(const char* n) override { return local_->IsLocal(n); }
  bool SupportsSequentialWrite(const char* n, bool t) override { return local_->SupportsSequentialWrite(n, t); }
  bool SupportsRandomWrite(const char* n, bool t) override { return local_->SupportsRandomWrite(n, t); }
  bool SupportsRead(const char* n) override { return local_->SupportsRead(n); }

 private:
  VSIFilesystemHandler* local_;
};

}  // namespace

void approve_checked_file(const std::string& path, const std::vector<std::string>& roots) {
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) return;
  std::lock_guard<std::mutex> lock(approved_mutex);
  approved()[p.string()] = roots;
}

std::optional<std::vector<std::string>> approved_roots(const std::string& path) { return roots_of(path); }

void bind_checked_files() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The handler of paths no prefix claims: GDAL's local files. It lives as long as the process, as GDAL's own.
    VSIFilesystemHandler* local = VSIFileManager::GetHandler("");
    static auto* bound = new BoundLocalFiles(local);
    VSIFileManager::InstallHandler("", bound);
  });
}

FilePtr open_checked_file(const std::string& path, const std::string& label) {
  const auto roots = roots_of(path);
  if (!roots) return FilePtr(std::fopen(path.c_str(), "rb"), &std::fclose);
  int fd = -1;
  if (const std::string why = open_bound(path, *roots, fd); !why.empty()) throw InputError(changed_text(label, why));
  if (fd < 0) return FilePtr(std::fopen(path.c_str(), "rb"), &std::fclose);  // not there, or no /proc
  // Blocking reads again (O_NONBLOCK only kept a swapped-in pipe from blocking the open).
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* f = ::fdopen(fd, "rb");
  if (!f) ::close(fd);
  return FilePtr(f, &std::fclose);
}

void refuse_changed_checked_file(const std::string& path, const std::string& label) {
  const auto roots = roots_of(path);
  if (!roots) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return;  // a folder of Shapefiles: its files are bound as GDAL opens them
  int fd = -1;
  if (const std::string why = open_bound(path, *roots, fd); !why.empty()) throw InputError(changed_text(label, why));
  if (fd >= 0) ::close(fd);
}

}  // namespace cohortgis::geodata
