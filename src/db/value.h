// One database value, its tagged byte encoding, and the byte order of keys.
//
// Value encoding (DESIGN.md §3.7), the unit of every logical hash and row comparison.
// Integers are big-endian; `len` is an unsigned 64-bit big-endian byte count:
//
//   NULL     'N'
//   INTEGER  'I' + 8 bytes two's complement
//   REAL     'F' + 8 bytes IEEE-754 bit pattern (so 1 ≠ 1.0 and 0.0 ≠ -0.0)
//   TEXT     'T' + len + UTF-8 bytes
//   BLOB     'B' + len + bytes
//
// Every encoding says where it ends, so a sequence of encodings is injective: ('a3','b')
// and ('a','3b') differ, and NULL differs from the text 'NULL'.
//
// Key order (CompareKeys) is SQLite's BINARY order, independent of any declared collation:
// NULL < numbers (INTEGER and REAL compared by value, exactly) < TEXT (bytes, as memcmp,
// a prefix first) < BLOB (bytes, likewise). `ORDER BY k COLLATE BINARY` yields exactly this
// order in a UTF-8 SQLite database, which is what lets hashing and diffing stream rows in
// the engine's order while checking every step against this definition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prodgate::db {

enum class ValueType : uint8_t { kNull, kInteger, kReal, kText, kBlob };

// A borrowed value. Text and blob bytes belong to whoever produced the value (a cursor
// keeps them until its next row).
struct ValueRef {
  ValueType type = ValueType::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string_view bytes;  // kText (UTF-8) and kBlob

  static ValueRef Null() { return {}; }
  static ValueRef Integer(int64_t v) { return {ValueType::kInteger, v, 0, {}}; }
  static ValueRef Real(double v) { return {ValueType::kReal, 0, v, {}}; }
  static ValueRef Text(std::string_view s) { return {ValueType::kText, 0, 0, s}; }
  static ValueRef Blob(std::string_view b) { return {ValueType::kBlob, 0, 0, b}; }
};

// An owning value, for keys and samples that outlive the row they came from.
struct Value {
  ValueType type = ValueType::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;

  Value() = default;
  explicit Value(const ValueRef& v)
      : type(v.type), integer(v.integer), real(v.real), bytes(v.bytes) {}
  ValueRef ref() const { return {type, integer, real, bytes}; }
};

// "NULL", "INTEGER", "REAL", "TEXT", "BLOB".
std::string_view ValueTypeName(ValueType t);

// Appends the 8-byte big-endian form of n.
void AppendU64(std::string& out, uint64_t n);
// Appends len(s) as AppendU64, then s.
void AppendLengthPrefixed(std::string& out, std::string_view s);
// Appends the tagged encoding of v (above).
void AppendValue(std::string& out, const ValueRef& v);

// <0, 0, >0 as a orders before, equal to, or after b in key order (above). INTEGER 1 and
// REAL 1.0 compare equal here, as in SQLite; their encodings still differ.
int CompareKeyValues(const ValueRef& a, const ValueRef& b);
// Lexicographic CompareKeyValues over two tuples of the same length.
int CompareKeys(const std::vector<ValueRef>& a, const std::vector<ValueRef>& b);

// True when the two values have the same encoding (byte equality, not collation equality).
bool SameBytes(const ValueRef& a, const ValueRef& b);

// A value as a short SQL literal for reports: NULL, 42, 1.5, -0.0, 'it''s', X'0a1b'.
// Control characters and invalid UTF-8 in text print as \xNN; a literal longer than
// `max_chars` is cut and ends in "…".
std::string ValueLiteral(const ValueRef& v, size_t max_chars = 48);

}  // namespace prodgate::db
