// Grants (DESIGN.md §3.6): an owner's signed permission for one action, in one scope,
// optionally bound to one change (a seal root) and one target (a database identity), with a
// number of uses and a validity window.
//
// The terms are a canonical JSON document ("format":"prodgate.grant/1"); the grant's id is
// the SHA-256 hex of those bytes, and every signature is an Ed25519 signature over the same
// bytes. Changing any term changes the id and breaks every signature.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::model {

inline constexpr std::string_view kGrantFormat = "prodgate.grant/1";

struct GrantTerms {
  std::string action;
  std::string scope;
  std::string change;  // seal root digest, or "" (not bound)
  std::string target;  // database identity, or "" (not bound)
  int64_t uses = 1;
  std::string not_before;  // RFC 3339 UTC
  std::string expires;     // RFC 3339 UTC
  std::vector<std::string> requires_closed;
  std::string requester;  // key id of who asked, or ""
  std::string decision;   // decision id and option that issued it, or ""
  std::string option;
  std::string nonce;      // random hex: two grants with equal terms still differ
  std::string issued_at;  // RFC 3339 UTC

  Json ToJson() const;
  static Result<GrantTerms> FromJson(const Json& j);
  // The canonical bytes that are signed and hashed.
  Result<std::string> SigningBytes() const;
  Result<std::string> Id() const;
};

struct GrantSignature {
  std::string key;  // key id
  std::string sig;  // base64 Ed25519 over SigningBytes()
};

// A grant as the ledger knows it now (projection "grants").
struct GrantState {
  std::string id;
  GrantTerms terms;
  std::vector<GrantSignature> signatures;
  bool revoked = false;
  std::string revoked_by, revoked_at, revoke_reason;
  int64_t used = 0;
  std::vector<int64_t> events;  // seqs of the events that made this state

  Json ToJson() const;
  static Result<GrantState> FromJson(const Json& j);
};

// "24h", "30m", "7d", "90s" → seconds. Refuses zero, negatives and other units.
Result<int64_t> ParseDuration(std::string_view text);

}  // namespace prodgate::model
