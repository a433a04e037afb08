// SPDX-License-Identifier: Apache-2.0
// SHA-256 of outputs for manifest.json without reading them back (issue #16): a TextFile hashes its bytes as they go
// out; the digest is reused only while the file is unchanged; the folder listing hashes on several threads.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "../../app/src/drop_behind.hpp"
#include "../../app/src/file_digests.hpp"  // internal to the app library
#include "../../app/src/output_dir.hpp"
#include "../../app/src/text_output.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "proc_status.hpp"

namespace fs = std::filesystem;
using namespace cohortgis;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("cohortgis-digests-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_raw(const fs::path& p, const std::string& text, const char* mode) {
  std::FILE* f = std::fopen(p.c_str(), mode);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
  std::fclose(f);
}

}  // namespace

// FIPS 180-2 appendix B.1 and B.2: "abc" and the two-block message, fed in pieces of every size.
TEST(OutputDigests, StreamEqualsPublishedVectors) {
  EXPECT_EQ(geodata::sha256_text("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (std::size_t piece = 1; piece <= msg.size(); ++piece) {
    geodata::Sha256Stream s;
    for (std::size_t at = 0; at < msg.size(); at += piece) s.update(std::string_view(msg).substr(at, piece));
    EXPECT_EQ(s.hex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") << piece;
  }
  geodata::Sha256Stream empty;
  EXPECT_EQ(empty.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THROW(empty.update("x"), std::logic_error);
}

// A stop request while an input is hashed for manifest.json (`run`, `estimate`, `backtest`, under their
// ReadCancellation): sha256_file looks at the thread's flag between MiBs. A run's inputs of gigabytes were hashed to
// the end after Ctrl-C (round 26 backlog); without a request, or with another thread's, the digest as before.
TEST(OutputDigests, InputDigestStopsAtAStopRequest) {
  const fs::path d = fresh_dir("stop");
  write_raw(d / "input.bin", std::string(3 << 20, 'x'), "wb");
  const std::string digest = geodata::sha256_file((d / "input.bin").string());
  std::atomic<bool> cancel{true};
  std::string message = "<no exception>";
  {
    const geodata::ReadCancellation stoppable(&cancel);
    try {
      (void)geodata::sha256_file((d / "input.bin").string());
    } catch (const ProjectionError& e) {
      message = e.what();
    }
    std::string other;
    std::thread([&] { other = geodata::sha256_file((d / "input.bin").string()); }).join();
    EXPECT_EQ(other, digest);
  }
  EXPECT_EQ(message, "reading cancelled");
  EXPECT_EQ(geodata::sha256_file((d / "input.bin").string()), digest);
  fs::remove_all(d);
}

// A TextFile's digest is the file's (read back independently) and the manifest does not read it again.
TEST(OutputDigests, TextFileDigestIsReusedWithoutReading) {
  const fs::path d = fresh_dir("textfile");
  const fs::path p = d / "population.csv";
  std::string text = "zone,year,population\n";
  for (int i = 0; i < 100000; ++i) text += "z" + std::to_string(i % 97) + ",2020," + std::to_string(i * 0.37) + "\n";
  {
    app::TextFile f(p.string());
    for (std::size_t at = 0; at < text.size(); at += 4096) f.write(std::string_view(text).substr(at, 4096));
    f.close();
  }
  const long long before = app::output_files_hashed();
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_file(p.string()));
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(text));
  EXPECT_EQ(app::output_files_hashed(), before) << "the file was read back";
  fs::remove_all(d);
}

// Changed since it was recorded — rewritten in place with the same size, replaced by a rename, appended to — the
// digest is computed again from the file.
TEST(OutputDigests, ChangedFileIsHashedAgain) {
  const fs::path d = fresh_dir("changed");
  const fs::path p = d / "indicators.csv";
  {
    app::TextFile f(p.string());
    f.write("aaaa\n");
    f.close();
  }
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text("aaaa\n"));
  // The file system's clock may tick only every few milliseconds: a write in a later tick changes the times.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  write_raw(p, "bbbb\n", "r+b");  // same size, same inode
  long long before = app::output_files_hashed();
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text("bbbb\n"));
  EXPECT_EQ(app::output_files_hashed(), before + 1);
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text("bbbb\n"));  // recorded now
  EXPECT_EQ(app::output_files_hashed(), before + 1);

  write_raw(d / "other", "cccc\n", "wb");
  fs::rename(d / "other", p);  // another inode
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text("cccc\n"));
  write_raw(p, "dd\n", "ab");
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text("cccc\ndd\n"));
  fs::remove_all(d);
}

// A file hashed on another thread (results.nc while the other outputs are written): after wait() the digest is the
// file's (hashlib-independent figure: sha256_text of the bytes written) and output_sha256 does not read it again; one
// destroyed before it finished records nothing that a later change could contradict.
TEST(OutputDigests, BackgroundDigestIsRecordedForTheManifest) {
  const fs::path d = fresh_dir("background");
  const fs::path p = d / "results.nc";
  std::string bytes;
  for (unsigned i = 0; i < 1500000; ++i) bytes += static_cast<char>((i * 7919u) % 251u);  // over a MiB: several reads
  write_raw(p, bytes, "wb");
  long long before = app::output_files_hashed();
  {
    app::BackgroundDigest digest(p);
    digest.wait();
  }
  EXPECT_EQ(app::output_files_hashed(), before + 1) << "read once, on the background thread";
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes));
  EXPECT_EQ(app::output_files_hashed(), before + 1) << "the manifest read it again";

  // Stopped (destroyed without wait) or changed after hashing: the manifest reads the file itself.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  write_raw(p, "x", "ab");
  { app::BackgroundDigest stopped(p); }
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes + "x"));
  fs::remove_all(d);
}

// The run's stop flag reaches the background digest (round 26 backlog: a stop while `run` waited for results.nc's
// digest was honoured only by the command's watchdog). Set before the digest starts: nothing is read, wait() says it
// did not finish and the manifest would read the file itself. Set while wait() waits: it returns (false, or true where
// the digest had ended first: both orders hold) and whatever it returned is what the file's digest is.
TEST(OutputDigests, BackgroundDigestStopsAtTheRunsStop) {
  const fs::path d = fresh_dir("background_stop");
  const fs::path p = d / "results.nc";
  std::string bytes(std::size_t{24} << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  write_raw(p, bytes, "wb");
  std::atomic<bool> cancel{true};
  const long long before = app::output_files_hashed();
  {
    app::BackgroundDigest digest(p, 0, &cancel);
    EXPECT_FALSE(digest.wait()) << "stopped before it began";
  }
  EXPECT_EQ(app::output_files_hashed(), before) << "a stopped digest read the file";
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes));  // nothing recorded: read here
  EXPECT_EQ(app::output_files_hashed(), before + 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a later modification time: not the digest above
  write_raw(p, "x", "ab");
  cancel.store(false);
  {
    app::BackgroundDigest digest(p, 0, &cancel);
    std::thread stop([&] { cancel.store(true); });
    const bool finished = digest.wait();
    stop.join();
    const long long hashed = app::output_files_hashed();
    EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes + "x"));
    EXPECT_EQ(app::output_files_hashed(), finished ? hashed : hashed + 1) << finished;
  }
  cancel.store(false);
  {
    app::BackgroundDigest digest(p, 0, &cancel);  // no stop: as before
    EXPECT_TRUE(digest.wait());
  }
  fs::remove_all(d);
}

// The background digest reads the file through 4 MiB mappings (file_digests.cpp): a file past many mappings with an
// unaligned tail, and an empty one, give the digests of their bytes.
TEST(OutputDigests, BackgroundDigestAcrossMappingsAndOfAnEmptyFile) {
  const fs::path d = fresh_dir("background_windows");
  const fs::path p = d / "results.nc";
  std::string bytes((std::size_t{64} << 20) + 12345, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  write_raw(p, bytes, "wb");
  const fs::path empty = d / "empty.nc";
  write_raw(empty, "", "wb");
  for (const fs::path& f : {p, empty}) {
    app::BackgroundDigest digest(f);
    digest.wait();
  }
  const long long before = app::output_files_hashed();
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes));
  EXPECT_EQ(app::output_sha256(empty), geodata::sha256_text(""));
  EXPECT_EQ(app::output_files_hashed(), before) << "both recorded by the background digest";
  fs::remove_all(d);
}

// The pages of the file that the digest maps count in the process's RSS while mapped: reading a 96 MiB results.nc
// raises the peak RSS by about a mapping (4 MiB), not by the 64 MiB a window used to hold (the 50,000-zone run's
// peak). Linux only (VmHWM reset through /proc/self/clear_refs).
TEST(OutputDigests, BackgroundDigestHoldsLittleOfTheFileMapped) {
  const auto status_kib = cohortgis::test::proc_status_kib;
  const fs::path d = fresh_dir("background_rss");
  const fs::path p = d / "results.nc";
  std::string expected;
  {
    std::string bytes(std::size_t{96} << 20, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
    write_raw(p, bytes, "wb");
    expected = geodata::sha256_text(bytes);
  }  // freed before the peak is measured
  {
    std::ofstream reset("/proc/self/clear_refs");
    if (!(reset << "5" << std::flush)) GTEST_SKIP() << "cannot reset the peak RSS here";
  }
  const long long rss = status_kib("VmRSS:"), peak_before = status_kib("VmHWM:");
  if (rss < 0 || peak_before < 0 || peak_before > rss + 1024) GTEST_SKIP() << "no VmHWM reset here";
  {
    app::BackgroundDigest digest(p);
    digest.wait();
  }
  EXPECT_LT(status_kib("VmHWM:") - rss, 16 * 1024) << "KiB over the RSS before the digest";
  EXPECT_EQ(app::output_sha256(p), expected);
  fs::remove_all(d);
}

// list_result_files (the manifest's list) on several threads: sorted, each file's own digest, sidecars left out.
TEST(OutputDigests, FolderListingMatchesFileByFile) {
  const fs::path d = fresh_dir("listing");
  fs::create_directories(d / "charts");
  std::vector<std::string> names;
  for (int i = 0; i < 23; ++i) {
    const std::string rel = (i % 3 ? "" : "charts/") + std::string("f") + std::to_string(i) + ".txt";
    write_raw(d / rel, std::string(static_cast<std::size_t>(1000 * i + 1), static_cast<char>('a' + i % 26)), "wb");
  }
  write_raw(d / "results.gpkg", "gpkg", "wb");
  write_raw(d / "results.gpkg-wal", "wal", "wb");
  const auto files = app::list_result_files(d);
  ASSERT_EQ(files.size(), 24u);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i) {
      EXPECT_LT(files[i - 1].path, files[i].path);
    }
    EXPECT_EQ(files[i].sha256, geodata::sha256_file((d / files[i].path).string())) << files[i].path;
    EXPECT_EQ(files[i].size, fs::file_size(d / files[i].path));
  }
  fs::remove_all(d);
}

// The manifest the report reads while results.nc is hashed on another thread (run.cpp): results.nc is listed with its
// size and an empty SHA-256, and not read; the other files keep their digests.
TEST(OutputDigests, FolderListingLeavesUnhashedFilesUnread) {
  const fs::path d = fresh_dir("unhashed");
  write_raw(d / "results.nc", std::string(300000, 'n'), "wb");
  write_raw(d / "zones.csv", "zone\nZ1\n", "wb");
  const long long before = app::output_files_hashed();
  const auto files = app::list_result_files(d, {"results.nc"});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "results.nc");
  EXPECT_EQ(files[0].sha256, "");
  EXPECT_EQ(files[0].size, 300000u);
  EXPECT_EQ(files[1].sha256, geodata::sha256_text("zone\nZ1\n"));
  EXPECT_EQ(app::output_files_hashed(), before + 1) << "only zones.csv is read";
  fs::remove_all(d);
}

// MiB of the pages of [from, to) of the file in the page cache (mincore of a read-only mapping).
static double resident_mib(const fs::path& p, std::size_t from, std::size_t to) {
  const int rd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  void* m = ::mmap(nullptr, to, PROT_READ, MAP_SHARED, rd, 0);
  ::close(rd);
  EXPECT_NE(m, MAP_FAILED);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((to + page - 1) / page);
  EXPECT_EQ(::mincore(m, to, in.data()), 0);
  ::munmap(m, to);
  std::size_t n = 0;
  for (std::size_t i = from / page; i < in.size(); ++i) n += in[i] & 1;
  return static_cast<double>(n * page) / (1 << 20);
}

// --no-results-nc-hash's drop-behind (drop_behind.hpp): what one call started writing back is dropped from the page
// cache at the next (whole 2 MiB blocks), the last call's bytes stay cached, and the file's bytes are unchanged.
TEST(DropBehind, DropsWhatThePreviousCallWroteBack) {
  const fs::path d = fresh_dir("drop-behind");
  struct statfs fs_info {};
  if (::statfs(d.c_str(), &fs_info) == 0 && fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs keeps its pages";
  const fs::path p = d / "results.nc";
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  constexpr std::size_t kPiece = std::size_t{9} << 20;  // not a multiple of the 2 MiB blocks
  const auto piece = [](int k) {
    std::string bytes(kPiece, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + k * 7 + i / 4096) & 255);
    return bytes;
  };
  app::DropBehind drop(p);
  std::string all;
  for (int k = 0; k < 3; ++k) {
    const std::string bytes = piece(k);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(all.size())),
              static_cast<ssize_t>(bytes.size()));
    all += bytes;
    drop.advance();
    // 18 MiB written back by the second call dropped at the third; nothing before the second.
    EXPECT_EQ(drop.dropped(), k == 0 ? 0 : static_cast<off_t>(k == 1 ? 8 << 20 : 18 << 20)) << k;
  }
  EXPECT_EQ(resident_mib(p, 0, 18 << 20), 0.0) << "the pages written back a call ago are still cached";
  EXPECT_GT(resident_mib(p, 20 << 20, all.size()), 6.0) << "the last call's pages were dropped too";
  ::close(fd);
  EXPECT_TRUE(cohortgis::geodata::sha256_file(p.string()) == cohortgis::geodata::sha256_text(all));
  fs::remove_all(d);
}

// results.nc as a run writes it (run.cpp): dropped behind the writer (DropBehind), its first bytes rewritten after
// the drop (HDF5's close rewrites the superblock and some index blocks), then hashed by BackgroundDigest with the
// dropped length. The digest is the bytes' (the dirty pages in the dropped stretch included), recorded for the
// manifest, and the dropped stretch is read directly: it does not come back into the page cache (read through
// mappings, 36 MiB of it would). A digest stopped at once records nothing wrong.
TEST(OutputDigests, DroppedStretchIsHashedWithoutComingBackIntoTheCache) {
  const fs::path d = fresh_dir("dropped");
  struct statfs fs_info {};
  if (::statfs(d.c_str(), &fs_info) == 0 && fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs keeps its pages";
  const fs::path p = d / "results.nc";
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  // A file system without O_DIRECT (the digest then reads through mappings, as it says) has nothing to check here.
  const int direct = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (direct < 0) {
    ::close(fd);
    GTEST_SKIP() << "the file system refuses O_DIRECT";
  }
  ::close(direct);
  constexpr std::size_t kPiece = std::size_t{9} << 20;
  std::string all;
  app::DropBehind drop(p);
  for (int k = 0; k < 5; ++k) {
    std::string bytes(kPiece, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 131 + k * 7 + i / 4096) & 255);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(all.size())),
              static_cast<ssize_t>(bytes.size()));
    all += bytes;
    drop.advance();
  }
  const off_t dropped = drop.dropped();
  ASSERT_EQ(dropped, off_t{36} << 20);  // 4 direct reads of 8 MiB and one of 4 MiB
  for (const off_t at : {off_t{0}, off_t{10} << 20, (off_t{32} << 20) - 5}) {  // the "close": into dropped pages
    const std::string patch = "rewritten at " + std::to_string(at);
    ASSERT_EQ(::pwrite(fd, patch.data(), patch.size(), at), static_cast<ssize_t>(patch.size()));
    all.replace(static_cast<std::size_t>(at), patch.size(), patch);
  }
  ::close(fd);
  const long long before = app::output_files_hashed();
  {
    app::BackgroundDigest digest(p, dropped);
    digest.wait();
  }
  EXPECT_LT(resident_mib(p, 0, static_cast<std::size_t>(dropped)), 1.0) << "the dropped stretch read through the cache";
  EXPECT_EQ(app::output_files_hashed(), before + 1);
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(all));
  EXPECT_EQ(app::output_files_hashed(), before + 1) << "the manifest read it again";

  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  write_raw(p, "x", "ab");
  { app::BackgroundDigest stopped(p, dropped); }
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(all + "x"));
  fs::remove_all(d);
}

// The dropped stretch read by a few reader threads, pieces of 8 MiB several at a time into a ring of buffers, hashed
// in file order (file_digests.cpp, hash_direct): for a dropped length at, just before and just after piece
// boundaries, within one piece, and past the whole blocks of the file (a tail of 1,234 bytes through mappings), the
// digest is the bytes'. Each piece's bytes differ from every other's, so a piece hashed from the wrong buffer or out
// of order shows. The reads take two threads a digest, not one a piece.
TEST(OutputDigests, DirectDigestAcrossPieceBoundariesWithReadsInFlight) {
  const fs::path d = fresh_dir("direct-pieces");
  struct statfs fs_info {};
  if (::statfs(d.c_str(), &fs_info) == 0 && fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs: no O_DIRECT";
  const fs::path p = d / "results.nc";
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  std::string bytes(45 * kMiB + 1234, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13 ^ (i >> 23));
  write_raw(p, bytes, "wb");
  const int direct = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (direct < 0) GTEST_SKIP() << "the file system refuses O_DIRECT";
  ::close(direct);
  const std::string expected = geodata::sha256_text(bytes);
  for (const std::size_t dropped : {std::size_t{4096}, 8 * kMiB - 4096, 8 * kMiB, 8 * kMiB + 4096, 12 * kMiB, 24 * kMiB,
                                    40 * kMiB + 12288, 45 * kMiB, bytes.size()}) {
    const long long threads = app::output_direct_reader_threads();
    {
      app::BackgroundDigest digest(p, static_cast<off_t>(dropped));
      digest.wait();
    }
    EXPECT_LE(app::output_direct_reader_threads() - threads, 2) << dropped;
    EXPECT_GE(app::output_direct_reader_threads() - threads, 1) << dropped;
    const long long before = app::output_files_hashed();
    EXPECT_EQ(app::output_sha256(p), expected) << dropped;  // the digest just recorded
    EXPECT_EQ(app::output_files_hashed(), before) << dropped;
  }
  fs::remove_all(d);
}

// A large file whose digest was not recorded (an earlier run's results.nc, checked before `run --out` replaces its
// folder): output_sha256 reads it directly, so the gigabytes an earlier run dropped from the page cache do not come
// back into it (read with fread, all 64 MiB would), and the digest is the bytes' (an unaligned tail included).
TEST(OutputDigests, LargeUnrecordedFileIsHashedWithoutTheCache) {
  const fs::path d = fresh_dir("uncached");
  struct statfs fs_info {};
  if (::statfs(d.c_str(), &fs_info) == 0 && fs_info.f_type == TMPFS_MAGIC) GTEST_SKIP() << "tmpfs keeps its pages";
  const fs::path p = d / "results.nc";
  std::string bytes((std::size_t{64} << 20) + 1234, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 11 ^ (i >> 20));
  write_raw(p, bytes, "wb");
  {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ::fsync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);  // as an earlier run left it
    ::close(fd);
  }
  if (resident_mib(p, 0, bytes.size()) > 1.0) GTEST_SKIP() << "the page cache kept the file";
  const long long before = app::output_files_hashed();
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes));
  EXPECT_EQ(app::output_files_hashed(), before + 1);
  EXPECT_LT(resident_mib(p, 0, bytes.size()), 1.0) << "MiB read back through the page cache";
  // Appended to since: the digest is the whole file's (read again).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  write_raw(p, "tail", "ab");
  EXPECT_EQ(app::output_sha256(p), geodata::sha256_text(bytes + "tail"));
  fs::remove_all(d);
}
