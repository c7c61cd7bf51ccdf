// The secret rule set: what the clone's secret scan looks for (DESIGN.md §3.8, docs/clone.md).
//
// A rule is a regular expression (Vectorscan syntax, which RE2 also reads) plus a check on
// the part of the match that is the secret itself: a minimum Shannon entropy and a list of
// placeholders that are not secrets ("changeme", "${DB_PASSWORD}", "AKIA…EXAMPLE"). The
// checks only drop matches that are provably not credentials; inline suppression markers
// in the data (gitleaks:allow, nosec, pragma: allowlist secret, trufflehog:ignore) have no
// effect at all: row data is not reviewed code, and whoever wrote it does not decide.
//
// Pattern rules, so that values can be scanned back to back in one buffer separated by NUL
// bytes (secret_scan.h): no pattern can match a NUL byte (every negated class excludes
// \x00; no `.`), and no pattern uses `^` or `$`.
//
// Each rule has true-positive and false-positive vectors in secret_rules_test.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace prodgate::clone {

// Which part of a match is the secret (the part checked for entropy and placeholders).
enum class SecretPart {
  kWhole,        // the whole match
  kAssignment,   // the value after the first ':' or '=' (spaces and one quote skipped),
                 // extended to the end of its run of value characters
  kUrlPassword,  // scheme://user:PASSWORD@host: between the ':' after the user and the '@'
  kAfterSpace,   // after the last space in the match, extended (Authorization: Bearer TOKEN)
};

struct SecretRule {
  std::string id;
  std::string description;
  std::string pattern;
  bool caseless = false;
  SecretPart part = SecretPart::kWhole;
  double min_entropy = 0;            // Shannon entropy of the secret, bits per byte; 0: no check
  size_t exact_length = 0;           // when non-zero, the secret must have exactly this many bytes
  bool reject_placeholders = false;  // drop secrets that look like placeholders
  std::string reject_suffix;         // drop secrets ending with this (AWS "EXAMPLE" keys)
};

// The default rule set (at least 20 kinds; see docs/clone.md for the list).
const std::vector<SecretRule>& DefaultSecretRules();

// Shannon entropy of the bytes of s, in bits per byte (0 for an empty string).
double ShannonEntropy(std::string_view s);

// True when `secret` is a placeholder rather than a credential: empty-ish, one repeated
// character, a template (${X}, {{x}}, <x>, %s), or a word like "changeme" or "example".
bool LooksLikePlaceholder(std::string_view secret);

}  // namespace prodgate::clone
