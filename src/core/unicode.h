// Unicode helpers on UTF-8 byte strings, through utf8proc; and Unicode character names
// from the Unicode Character Database file Debian ships (package unicode-data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace prodgate {

// True for well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Requires valid UTF-8.
std::u16string Utf8ToUtf16(std::string_view s);

// Normalization Form C. nullopt when `s` is not valid UTF-8.
std::optional<std::string> ToNfc(std::string_view s);

// NFC, then Unicode default case folding: the identity under which names collide on
// case-insensitive file systems. nullopt when `s` is not valid UTF-8.
std::optional<std::string> ToNfcCaseFold(std::string_view s);

// The typographic fold of DESIGN.md §3.1, applied to valid UTF-8 text:
//   U+2010 U+2011 U+2012 U+2013 U+2014 U+2015 U+2212        -> "-"
//   U+2018 U+2019 U+201A U+201B U+2032                     -> "'"
//   U+201C U+201D U+201E U+201F U+2033                     -> "\""
//   U+00A0 U+2007 U+202F                                   -> " "
//   U+2026                                                 -> "..."
// Every other code point is kept. Invalid UTF-8 bytes are copied unchanged.
std::string FoldTypography(std::string_view s);

// True when `s` contains at least one code point FoldTypography changes.
bool HasTypography(std::string_view s);

// Decodes the code point starting at s[pos]. Returns nullopt on an invalid sequence;
// `len` receives the sequence length (1 for an invalid byte).
std::optional<char32_t> DecodeUtf8At(std::string_view s, size_t pos, size_t* len);

// "U+2014 EM DASH": the code point and its Unicode name (for controls, the Unicode 1.0
// name, e.g. "U+000A LINE FEED (LF)"). When the name database is not installed the name
// is left out: "U+2014".
std::string DescribeCodePoint(char32_t cp);

}  // namespace prodgate
