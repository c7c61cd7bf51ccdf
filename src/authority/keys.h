// Principals' keys: Ed25519 through OpenSSL (DESIGN.md §3.6).
//
// A private key is a PKCS#8 PEM file that only its owner may read: a file readable by its
// group or by others is refused, because anyone who could read it could sign as its owner.
// A key's id is "ed25519:" + the first 16 hex digits of SHA-256 of the raw 32-byte public
// key. Signatures are base64 (standard alphabet, padded) of the 64-byte Ed25519 signature.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_pkey_st;

namespace prodgate::authority {

// owner: grants, selections, trust changes; operator and ci: run gated actions and attest
// rehearsals; agent: prepares changes (closes engineering blockers, proposes closes).
enum class Role { kOwner, kOperator, kCi, kAgent };
std::string_view RoleName(Role r);
Result<Role> ParseRole(std::string_view name);

struct PublicKey {
  std::array<uint8_t, 32> raw{};
  std::string Id() const;
  std::string Base64() const;
  static Result<PublicKey> FromBase64(std::string_view b64);
  bool operator==(const PublicKey&) const = default;
};

class PrivateKey {
 public:
  static Result<PrivateKey> Generate();
  // Refuses a file readable by group or others, a non-PEM file and a non-Ed25519 key.
  static Result<PrivateKey> Load(const std::string& path);
  // Writes the PEM with mode 0600; refuses to overwrite an existing file.
  Status Save(const std::string& path) const;

  PublicKey public_key() const;
  std::string Id() const { return public_key().Id(); }
  // Ed25519 signature of `message`, base64.
  Result<std::string> Sign(std::string_view message) const;

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

 private:
  explicit PrivateKey(evp_pkey_st* key) : key_(key) {}
  evp_pkey_st* key_ = nullptr;
};

// True iff `sig_b64` is a valid Ed25519 signature of `message` by `key`.
bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view sig_b64);

// Base64 (standard, padded) helpers over OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock.
std::string Base64Encode(std::string_view bytes);
// Strict: refuses characters outside the alphabet, wrong padding, whitespace.
std::optional<std::string> Base64Decode(std::string_view b64);

}  // namespace prodgate::authority
