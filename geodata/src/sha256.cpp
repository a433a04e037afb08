// SPDX-License-Identifier: Apache-2.0
// sha256_file with GDAL's CPL_SHA256 (port/cpl_sha256.h).
#include "cohortgis/geodata/sha256.hpp"

#include <cpl_port.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cohortgis/engine/types.hpp"

#if __has_include(<cpl_sha256.h>)
#include <cpl_sha256.h>
#else
// Debian's libgdal-dev does not install cpl_sha256.h although libgdal exports these functions. The context layout
// below is GDAL's (port/cpl_sha256.h, unchanged since GDAL 2.1); the known-digest tests catch a mismatch.
extern "C" {
struct CPL_SHA256Context {
  GUIntBig totalLength;
  GUInt32 hash[8];
  GUInt32 bufferLength;
  union {
    GUInt32 words[16];
    GByte bytes[64];
  } buffer;
};
void CPL_SHA256Init(CPL_SHA256Context* sc);
void CPL_SHA256Update(CPL_SHA256Context* sc, const void* data, size_t len);
void CPL_SHA256Final(CPL_SHA256Context* sc, GByte hash[32]);
}
#endif

namespace cohortgis::geodata {

namespace {

std::string hex_digest(CPL_SHA256Context& ctx) {
  std::array<GByte, 32> digest{};
  CPL_SHA256Final(&ctx, digest.data());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (GByte b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace

std::string sha256_text(std::string_view bytes) {
  CPL_SHA256Context ctx;
  CPL_SHA256Init(&ctx);
  CPL_SHA256Update(&ctx, bytes.data(), bytes.size());
  return hex_digest(ctx);
}

std::string sha256_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(path + ": cannot be opened for reading (" + std::strerror(errno) + ")");
  CPL_SHA256Context ctx;
  CPL_SHA256Init(&ctx);
  std::vector<char> buf(1 << 16);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) CPL_SHA256Update(&ctx, buf.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw InputError(path + ": read error while computing its SHA-256");
  return hex_digest(ctx);
}

}  // namespace cohortgis::geodata
