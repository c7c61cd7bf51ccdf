// A ledger event (DESIGN.md §3.4): one decision or fact, chained to the one before it.
//
//   {"format":"prodgate.event/1","seq":17,"prev":"<hash of event 16>","at":"…Z",
//    "actor":"<key id or local:user>","kind":"blocker.update","body":{…},
//    "hash":"<sha256>","sig":"<base64, optional>"}
//
// hash = SHA-256 of the canonical JSON (RFC 8785) of the event without "hash" and "sig":
// the preimage. The genesis event's prev is 64 zeros. sig, when present, is the actor's
// Ed25519 signature over the preimage bytes. Bodies hold no floats (canonical_json.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/canonical_json.h"
#include "core/sha256.h"
#include "core/status.h"

namespace prodgate::ledger {

inline constexpr std::string_view kEventFormat = "prodgate.event/1";

// The prev of event 1: 32 zero bytes.
inline constexpr Digest kGenesisPrev{};

struct Event {
  int64_t seq = 0;
  Digest prev{};
  std::string at;     // RFC 3339 UTC, "2026-11-21T05:00:00Z"
  std::string actor;  // a key id ("ed25519:…") or "local:<user>"
  std::string kind;   // "blocker.import", "grant.issue", …
  Json body = Json::object();
  Digest hash{};
  std::string sig;  // base64, or empty when unsigned

  // The canonical bytes that are hashed and signed.
  Result<std::string> Preimage() const;
  // The full document, with hash and (if any) sig.
  Json ToJson() const;
  // Strict reader of ToJson's shape; does not check the hash (see chain.h).
  static Result<Event> FromJson(const Json& j);
};

// SHA-256 of the preimage.
Result<Digest> ComputeEventHash(const Event& e);

// The current time as RFC 3339 UTC with seconds precision.
std::string NowUtc();
// Seconds since the epoch for an RFC 3339 UTC time ("...Z"); nullopt when malformed.
std::optional<int64_t> ParseUtc(std::string_view rfc3339);
std::string FormatUtc(int64_t epoch_seconds);

}  // namespace prodgate::ledger
