// SPDX-License-Identifier: Apache-2.0
// sha256_file with OpenSSL's libcrypto. Every output file of a run is hashed for manifest.json (3.3 GB of CSV at 3,000
// zones): OpenSSL's SHA-NI/AVX2 code took 0.63 s of user CPU for an 837 MB components.csv where GDAL's portable
// CPL_SHA256, used here before, took 4.10 s (same digest, as it must be).
//
// OpenSSL's SHA256_Init/Update/Final, not the EVP interface: they run the same block function (the default provider's
// SHA-256 calls them), but EVP's first digest initialises the library — reads openssl.cnf, loads the default provider
// and its tables of every algorithm, the error strings — which faults in 2.0 MB of libcrypto's pages and keeps them
// for the rest of the run, for one algorithm that needs none of it (a 50,000-zone run's peak RSS: bench/HISTORY.md
// "Round 24: memory at 50,000 zones (h136)"). They are marked deprecated since OpenSSL 3.0, hence the macro; the
// same digest bit for bit and the same speed (512 MiB: 0.29 s of CPU either way).
#include "cohortgis/geodata/sha256.hpp"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_Init and the others: see above
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata {

namespace {

// SHA256_Init, _Update and _Final return 1 on success; they cannot fail for a valid context in OpenSSL 3.
using Context = SHA256_CTX;

Context begin_sha256() {
  Context ctx{};
  if (SHA256_Init(&ctx) != 1) throw std::runtime_error("SHA-256: OpenSSL could not start a digest");
  return ctx;
}

void update_context(Context& ctx, const void* data, std::size_t n) {
  if (SHA256_Update(&ctx, data, n) != 1) throw std::runtime_error("SHA-256: OpenSSL digest update failed");
}

std::string hex_digest(Context& ctx) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  if (SHA256_Final(digest.data(), &ctx) != 1) throw std::runtime_error("SHA-256: OpenSSL digest final failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (const unsigned char d : digest) {
    out += hex[d >> 4];
    out += hex[d & 15];
  }
  return out;
}

}  // namespace

std::string sha256_text(std::string_view bytes) {
  Context ctx = begin_sha256();
  update_context(ctx, bytes.data(), bytes.size());
  return hex_digest(ctx);
}

std::string sha256_file(const std::string& path) {
  Context ctx = begin_sha256();
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(path + ": cannot be opened for reading (" + std::strerror(errno) + ")");
  std::vector<char> buf(1 << 20);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) update_context(ctx, buf.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw InputError(path + ": read error while computing its SHA-256");
  return hex_digest(ctx);
}

std::string sha256_file_or_folder(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return sha256_file(path);
  std::vector<std::string> files;  // relative, generic form ('/' separators)
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), path, ec).generic_string());
  if (ec) throw InputError(path + ": the folder cannot be listed (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  std::string lines;
  for (const auto& f : files) lines += f + '\0' + sha256_file((fs::path(path) / f).string()) + '\n';
  return sha256_text(lines);
}

struct Sha256Stream::State {
  Context ctx = begin_sha256();
  bool done = false;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {}
Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(std::string_view bytes) {
  if (state_->done) throw std::logic_error("SHA-256: bytes added after the digest was taken");
  update_context(state_->ctx, bytes.data(), bytes.size());
}

std::string Sha256Stream::hex() {
  if (state_->done) throw std::logic_error("SHA-256: digest taken twice");
  state_->done = true;
  return hex_digest(state_->ctx);
}

}  // namespace cohortgis::geodata
