// SHA-256 through OpenSSL's EVP interface (SHA-NI accelerated where the CPU has it).
//
// Thread-safety: a Sha256 object belongs to one thread; distinct objects may be used
// concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_md_ctx_st;

namespace prodgate {

using Digest = std::array<uint8_t, 32>;

// Lowercase hex, 64 characters.
std::string ToHex(const Digest& d);

// Accepts exactly 64 lowercase hex characters; anything else is nullopt.
std::optional<Digest> DigestFromHex(std::string_view hex);

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex (nonces, workspace ids).
Result<std::string> RandomHex(size_t bytes);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256& other);  // copies the running state (a fork of the stream)
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes);
  // Returns the digest of everything fed so far. The object may not be updated afterwards.
  Digest Finish();

 private:
  evp_md_ctx_st* ctx_;
};

Digest Sha256Of(std::string_view bytes);

}  // namespace prodgate
