// JSON parsing with the strictness signed and hashed documents need, and the canonical
// form of RFC 8785 (JSON Canonicalization Scheme, "JCS").
//
// Canonical form (RFC 8785 §3.2):
//   - no insignificant whitespace;
//   - object members sorted by their names as arrays of UTF-16 code units;
//   - strings: `"` and `\` escaped, U+0008/0009/000A/000C/000D as \b \t \n \f \r, other
//     controls below U+0020 as \u00xx (lowercase hex), every other code point as raw UTF-8;
//   - numbers as ECMAScript's Number.prototype.toString (shortest round-trip digits).
// One deliberate deviation: an integer that JSON text wrote exactly and that does not fit a
// double (|n| > 2^53) is printed exactly, not rounded, so two different integers never
// share a canonical form. Documents prodgate signs or hashes refuse such numbers anyway.
//
// Signed and hashed documents (NumberPolicy::kIntegersOnly) carry no floating-point number
// and no integer beyond ±2^53 (DESIGN.md §3); meeting one is an error that names where.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/status.h"

namespace prodgate {

using Json = nlohmann::json;

enum class NumberPolicy {
  kIntegersOnly,  // signed/hashed documents: integers within ±2^53 only
  kAny,           // arbitrary JSON (user files): any JSON number
};

// Deepest nesting of arrays and objects ParseJson accepts. Walking a value recurses once per
// level (here, in nlohmann::json and in every caller), so a deeper document could exhaust
// the stack; no document prodgate reads comes near it.
inline constexpr int kMaxJsonDepth = 512;

// Parses UTF-8 JSON text. Refuses duplicate member names, invalid UTF-8, trailing garbage,
// nesting deeper than kMaxJsonDepth, and (with kIntegersOnly) floats and out-of-range
// integers. `name` labels messages.
Result<Json> ParseJson(std::string_view text, NumberPolicy policy, std::string_view name);

// Canonical serialization (see above). Fails on invalid UTF-8 in a string and, with
// kIntegersOnly, on any float or out-of-range integer.
Result<std::string> CanonicalJson(const Json& value, NumberPolicy policy);

// Parses a prodgate document that must be stored in canonical form: the bytes must equal
// CanonicalJson(parse(bytes)), optionally followed by one "\n". Anything else (pretty
// printing, reordered keys, re-escaped strings, a float) is refused.
Result<Json> ParseCanonicalDocument(std::string_view bytes, std::string_view name);

// ECMAScript Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3).
std::string EcmaNumberToString(double v);

// Largest integer magnitude a signed document may carry: 2^53.
inline constexpr int64_t kMaxSafeInteger = int64_t{1} << 53;

}  // namespace prodgate
