#include "core/unicode.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <vector>

namespace prodgate {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

std::optional<std::string> Map(std::string_view s, int options) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(out);
  if (n < 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

// Replacement for a code point under the typographic fold, or nullptr if it is kept.
const char* TypographyReplacement(char32_t cp) {
  switch (cp) {
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
      return "-";
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return "'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
      return "\"";
    case 0x00A0:
    case 0x2007:
    case 0x202F:
      return " ";
    case 0x2026:
      return "...";
    default:
      return nullptr;
  }
}

// Names from UnicodeData.txt: field 1 is the name, field 10 the Unicode 1.0 name (used for
// controls, whose field 1 is "<control>"). Ranges such as CJK ideographs appear as
// "<..., First>" / "<..., Last>" pairs and get the range's algorithmic name.
struct NameTable {
  struct Range {
    char32_t first, last;
    std::string label;
  };
  std::vector<std::pair<char32_t, std::string>> names;  // sorted by code point
  std::vector<Range> ranges;
};

const NameTable& Names() {
  static NameTable table;
  static std::once_flag once;
  std::call_once(once, [] {
    std::ifstream in("/usr/share/unicode/UnicodeData.txt");
    std::string line;
    char32_t range_first = 0;
    while (std::getline(in, line)) {
      std::vector<std::string_view> f;
      std::string_view rest = line;
      for (size_t pos; (pos = rest.find(';')) != std::string_view::npos;) {
        f.push_back(rest.substr(0, pos));
        rest.remove_prefix(pos + 1);
      }
      f.push_back(rest);
      if (f.size() < 11) continue;
      auto cp = static_cast<char32_t>(std::strtoul(std::string(f[0]).c_str(), nullptr, 16));
      std::string_view name = f[1];
      if (name.starts_with("<") && name.ends_with(", First>")) {
        range_first = cp;
        continue;
      }
      if (name.starts_with("<") && name.ends_with(", Last>")) {
        std::string label(name.substr(1, name.size() - 8));
        table.ranges.push_back({range_first, cp, label});
        continue;
      }
      if (name == "<control>") name = f[10];
      if (name.empty() || name.starts_with("<")) continue;
      table.names.emplace_back(cp, std::string(name));
    }
  });
  return table;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
    if (len <= 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

std::u16string Utf8ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    char32_t cp = DecodeUtf8At(s, i, &len).value_or(0xFFFD);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::optional<std::string> ToNfc(std::string_view s) {
  return Map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

std::optional<std::string> ToNfcCaseFold(std::string_view s) {
  return Map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
}

std::string FoldTypography(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out.push_back(s[i++]);
      continue;
    }
    size_t len = 1;
    auto cp = DecodeUtf8At(s, i, &len);
    const char* rep = cp ? TypographyReplacement(*cp) : nullptr;
    if (rep != nullptr) {
      out += rep;
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

bool HasTypography(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len = 1;
    auto cp = DecodeUtf8At(s, i, &len);
    if (cp && TypographyReplacement(*cp) != nullptr) return true;
    i += len;
  }
  return false;
}

std::optional<char32_t> DecodeUtf8At(std::string_view s, size_t pos, size_t* len) {
  utf8proc_int32_t cp;
  utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                       static_cast<utf8proc_ssize_t>(std::min<size_t>(4, s.size() - pos)), &cp);
  if (n <= 0) {
    *len = 1;
    return std::nullopt;
  }
  *len = static_cast<size_t>(n);
  return static_cast<char32_t>(cp);
}

std::string DescribeCodePoint(char32_t cp) {
  std::string label = fmt::format("U+{:04X}", static_cast<uint32_t>(cp));
  const NameTable& t = Names();
  auto it = std::lower_bound(t.names.begin(), t.names.end(), cp,
                             [](const auto& e, char32_t c) { return e.first < c; });
  if (it != t.names.end() && it->first == cp) return label + " " + it->second;
  for (const auto& r : t.ranges) {
    if (cp >= r.first && cp <= r.last) {
      if (r.label.starts_with("CJK Ideograph")) {
        return label + fmt::format(" CJK UNIFIED IDEOGRAPH-{:04X}", static_cast<uint32_t>(cp));
      }
      return label + " <" + r.label + ">";
    }
  }
  return label;
}

}  // namespace prodgate
