#include "db/value.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace prodgate::db {
namespace {

// SQLite's exact comparison of an integer with a real (sqlite3IntFloatCompare): no
// rounding of large integers through double.
int CompareIntReal(int64_t i, double r) {
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  int64_t y = static_cast<int64_t>(r);
  if (i < y) return -1;
  if (i > y) return 1;
  double s = static_cast<double>(i);
  if (s < r) return -1;
  if (s > r) return 1;
  return 0;
}

int ClassRank(ValueType t) {
  switch (t) {
    case ValueType::kNull:
      return 0;
    case ValueType::kInteger:
    case ValueType::kReal:
      return 1;
    case ValueType::kText:
      return 2;
    case ValueType::kBlob:
      return 3;
  }
  return 4;
}

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = u(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((u(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (u(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

std::string RealLiteral(double r) {
  std::string s = fmt::format("{}", r);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 1.0 must not read as 1
  return s;
}

}  // namespace

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInteger:
      return "INTEGER";
    case ValueType::kReal:
      return "REAL";
    case ValueType::kText:
      return "TEXT";
    case ValueType::kBlob:
      return "BLOB";
  }
  return "?";
}

void AppendU64(std::string& out, uint64_t n) {
  if constexpr (std::endian::native == std::endian::little) n = __builtin_bswap64(n);
  char b[8];
  std::memcpy(b, &n, 8);
  out.append(b, 8);
}

void AppendLengthPrefixed(std::string& out, std::string_view s) {
  AppendU64(out, s.size());
  out.append(s);
}

void AppendValue(std::string& out, const ValueRef& v) {
  switch (v.type) {
    case ValueType::kNull:
      out.push_back('N');
      return;
    case ValueType::kInteger:
      out.push_back('I');
      AppendU64(out, static_cast<uint64_t>(v.integer));
      return;
    case ValueType::kReal:
      out.push_back('F');
      AppendU64(out, std::bit_cast<uint64_t>(v.real));
      return;
    case ValueType::kText:
      out.push_back('T');
      AppendLengthPrefixed(out, v.bytes);
      return;
    case ValueType::kBlob:
      out.push_back('B');
      AppendLengthPrefixed(out, v.bytes);
      return;
  }
}

int CompareKeyValues(const ValueRef& a, const ValueRef& b) {
  int ra = ClassRank(a.type), rb = ClassRank(b.type);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type) {
    case ValueType::kNull:
      return 0;
    case ValueType::kInteger:
      if (b.type == ValueType::kInteger) {
        return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
      }
      return CompareIntReal(a.integer, b.real);
    case ValueType::kReal:
      if (b.type == ValueType::kInteger) return -CompareIntReal(b.integer, a.real);
      return a.real < b.real ? -1 : (a.real > b.real ? 1 : 0);
    case ValueType::kText:
    case ValueType::kBlob:
      return CompareBytes(a.bytes, b.bytes);
  }
  return 0;
}

int CompareKeys(const std::vector<ValueRef>& a, const std::vector<ValueRef>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = CompareKeyValues(a[i], b[i]);
    if (c != 0) return c;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool SameBytes(const ValueRef& a, const ValueRef& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case ValueType::kNull:
      return true;
    case ValueType::kInteger:
      return a.integer == b.integer;
    case ValueType::kReal:
      return std::bit_cast<uint64_t>(a.real) == std::bit_cast<uint64_t>(b.real);
    case ValueType::kText:
    case ValueType::kBlob:
      return a.bytes == b.bytes;
  }
  return false;
}

std::string ValueLiteral(const ValueRef& v, size_t max_chars) {
  std::string out;
  switch (v.type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInteger:
      return fmt::format("{}", v.integer);
    case ValueType::kReal:
      return RealLiteral(v.real);
    case ValueType::kText: {
      out.push_back('\'');
      std::string_view s = v.bytes;
      for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = Utf8SequenceLength(s, i);
        if (n == 0 || c < 0x20 || c == 0x7F) {
          out += fmt::format("\\x{:02x}", c);
          i += 1;
        } else if (c == '\'') {
          out += "''";
          i += 1;
        } else {
          out.append(s.substr(i, n));
          i += n;
        }
        if (out.size() > max_chars) break;
      }
      out.push_back('\'');
      break;
    }
    case ValueType::kBlob: {
      out = "X'";
      for (unsigned char c : v.bytes) {
        out += fmt::format("{:02x}", c);
        if (out.size() > max_chars) break;
      }
      out.push_back('\'');
      break;
    }
  }
  if (out.size() > max_chars + 1) {
    // Cut on a UTF-8 boundary, then mark the cut.
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

}  // namespace prodgate::db
