// SPDX-License-Identifier: Apache-2.0
// sha256_file with OpenSSL's libcrypto (EVP SHA-256). Every output file of a run is hashed for manifest.json (3.3 GB
// of CSV at 3,000 zones): OpenSSL's SHA-NI/AVX2 code took 0.63 s of user CPU for an 837 MB components.csv where GDAL's
// portable CPL_SHA256, used here before, took 4.10 s (same digest, as it must be).
#include "cohortgis/geodata/sha256.hpp"

#include <openssl/evp.h>

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
#include "cohortgis/geodata/read_cancel.hpp"

namespace cohortgis::geodata {

namespace {

struct FreeContext {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Context = std::unique_ptr<EVP_MD_CTX, FreeContext>;

struct CloseFile {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Context begin_sha256() {
  Context ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256: OpenSSL could not start a digest");
  return ctx;
}

void update_context(EVP_MD_CTX* ctx, const void* data, std::size_t n) {
  if (EVP_DigestUpdate(ctx, data, n) != 1) throw std::runtime_error("SHA-256: OpenSSL digest update failed");
}

std::string hex_digest(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &n) != 1 || n != 32)
    throw std::runtime_error("SHA-256: OpenSSL digest final failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace

std::string sha256_text(std::string_view bytes) {
  Context ctx = begin_sha256();
  update_context(ctx.get(), bytes.data(), bytes.size());
  return hex_digest(ctx.get());
}

std::string sha256_file(const std::string& path) {
  Context ctx = begin_sha256();
  const std::unique_ptr<std::FILE, CloseFile> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw InputError(path + ": cannot be opened for reading (" + std::strerror(errno) + ")");
  std::vector<char> buf(1 << 20);
  std::size_t n = 0;
  // A stop request between MiBs (about a millisecond each): a run's or an estimate's inputs of gigabytes were hashed
  // to the end after Ctrl-C.
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    update_context(ctx.get(), buf.data(), n);
    throw_if_read_cancelled();
  }
  if (std::ferror(f.get()) != 0) throw InputError(path + ": read error while computing its SHA-256");
  return hex_digest(ctx.get());
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
  update_context(state_->ctx.get(), bytes.data(), bytes.size());
}

std::string Sha256Stream::hex() {
  if (state_->done) throw std::logic_error("SHA-256: digest taken twice");
  state_->done = true;
  return hex_digest(state_->ctx.get());
}

}  // namespace cohortgis::geodata
