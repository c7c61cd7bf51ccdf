#include "core/canonical_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

#include "core/unicode.h"

namespace prodgate {
namespace {

struct DuplicateKey {
  std::string key;
};
struct TooDeep {};

// Path of a value inside a document, for messages: `files[3].size`.
std::string JoinPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

Status CheckNumbers(const Json& v, const std::string& path, std::string_view name) {
  auto where = [&] { return fmt::format("{}: {}", name, path.empty() ? "(top level)" : path); };
  switch (v.type()) {
    case Json::value_t::number_float:
      return Status::BadInput(
          fmt::format("{} is the float {}; signed and hashed documents hold integers only", where(),
                      v.dump()),
          "write the value as an integer (a count, a size, or a string for anything else)");
    case Json::value_t::number_integer: {
      int64_t n = v.get<int64_t>();
      if (n > kMaxSafeInteger || n < -kMaxSafeInteger) {
        return Status::BadInput(
            fmt::format("{} is {}, beyond ±2^53", where(), n),
            "signed documents hold integers within ±9007199254740992; use a string");
      }
      return Status::Ok();
    }
    case Json::value_t::number_unsigned:
      if (v.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)) {
        return Status::BadInput(
            fmt::format("{} is {}, beyond ±2^53", where(), v.get<uint64_t>()),
            "signed documents hold integers within ±9007199254740992; use a string");
      }
      return Status::Ok();
    case Json::value_t::object:
      for (const auto& [k, child] : v.items()) {
        PG_RETURN_IF_ERROR(CheckNumbers(child, JoinPath(path, k), name));
      }
      return Status::Ok();
    case Json::value_t::array: {
      size_t i = 0;
      for (const auto& child : v) {
        PG_RETURN_IF_ERROR(CheckNumbers(child, fmt::format("{}[{}]", path, i++), name));
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

// Orders valid UTF-8 strings as sequences of UTF-16 code units (RFC 8785 §3.2.3) without
// converting them. UTF-8 byte order is code point order, and code point order equals
// UTF-16 order except between a supplementary character (>= U+10000, a surrogate pair
// starting D800..DBFF) and a BMP character at or above U+E000, which UTF-16 puts after it.
bool Utf16Less(const std::string& a, const std::string& b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size();
  // Both differing bytes lie in characters that start at the same offset.
  size_t start = i;
  while (start > 0 && (static_cast<unsigned char>(a[start]) & 0xC0) == 0x80) --start;
  size_t la = 1, lb = 1;
  char32_t ca = DecodeUtf8At(a, start, &la).value_or(0);
  char32_t cb = DecodeUtf8At(b, start, &lb).value_or(0);
  bool sa = ca >= 0x10000, sb = cb >= 0x10000;
  if (sa != sb) return sa ? cb >= 0xE000 : ca < 0xE000;
  return ca < cb;
}

void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

Status Serialize(const Json& v, NumberPolicy policy, std::string& out) {
  switch (v.type()) {
    case Json::value_t::null:
      out += "null";
      return Status::Ok();
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return Status::Ok();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      if (policy == NumberPolicy::kIntegersOnly) {
        PG_RETURN_IF_ERROR(CheckNumbers(v, "", "document"));
      }
      out += v.dump();  // exact decimal digits of the integer
      return Status::Ok();
    case Json::value_t::number_float:
      if (policy == NumberPolicy::kIntegersOnly) {
        return CheckNumbers(v, "", "document");
      }
      if (!std::isfinite(v.get<double>())) {
        return Status::BadInput("JSON number is not finite", "use a finite number");
      }
      out += EcmaNumberToString(v.get<double>());
      return Status::Ok();
    case Json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!IsValidUtf8(s)) {
        return Status::BadInput("JSON string is not valid UTF-8", "encode the text as UTF-8");
      }
      AppendString(out, s);
      return Status::Ok();
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& child : v) {
        if (!first) out.push_back(',');
        first = false;
        PG_RETURN_IF_ERROR(Serialize(child, policy, out));
      }
      out.push_back(']');
      return Status::Ok();
    }
    case Json::value_t::object: {
      std::vector<const std::string*> keys;
      keys.reserve(v.size());
      for (const auto& [k, child] : v.items()) {
        if (!IsValidUtf8(k)) {
          return Status::BadInput("JSON member name is not valid UTF-8", "encode it as UTF-8");
        }
        keys.push_back(&k);
      }
      std::sort(keys.begin(), keys.end(),
                [](const std::string* a, const std::string* b) { return Utf16Less(*a, *b); });
      out.push_back('{');
      bool first = true;
      for (const std::string* k : keys) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, *k);
        out.push_back(':');
        PG_RETURN_IF_ERROR(Serialize(v.at(*k), policy, out));
      }
      out.push_back('}');
      return Status::Ok();
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return Status::Internal("JSON value of an unsupported type");
}

}  // namespace

std::string EcmaNumberToString(double v) {
  if (v == 0) return "0";  // both +0 and -0
  if (v < 0) return "-" + EcmaNumberToString(-v);
  // Shortest round-trip digits in scientific form: "d[.ddd]e±x".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);
  size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+'), sci.data() + sci.size(), exp10);
  // ECMAScript's n: the value is 0.d1d2...dk × 10^n.
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  if (k <= n && n <= 21) return digits + std::string(n - k, '0');
  if (0 < n && n <= 21) return digits.substr(0, n) + "." + digits.substr(n);
  if (-6 < n && n <= 0) return "0." + std::string(-n, '0') + digits;
  std::string exp = (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
  if (k == 1) return digits + "e" + exp;
  return digits.substr(0, 1) + "." + digits.substr(1) + "e" + exp;
}

Result<Json> ParseJson(std::string_view text, NumberPolicy policy, std::string_view name) {
  if (!IsValidUtf8(text)) {
    return Status::BadInput(fmt::format("{} is not valid UTF-8", name),
                            "restore the original file; JSON documents are UTF-8");
  }
  // nlohmann's lexer takes a NUL byte for the end of input and ignores whatever follows it.
  // A raw NUL is valid nowhere in JSON text, so it is refused here.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::BadInput(
        fmt::format("{} is not valid JSON: NUL byte at byte offset {}", name, nul),
        "restore the file from its source or regenerate it");
  }
  // Duplicate member names: nlohmann keeps the last one silently. Counting the keys the
  // parser reports per object and comparing with the object's size finds a duplicate
  // cheaply; only then is the document parsed again, remembering names, to say which.
  std::vector<size_t> key_counts;
  std::vector<std::set<std::string>> names;
  bool remember_names = false;
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) throw TooDeep{};
        break;
      case Json::parse_event_t::object_start:
        if (depth >= kMaxJsonDepth) throw TooDeep{};
        key_counts.push_back(0);
        if (remember_names) names.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (key_counts.back() != parsed.size()) throw DuplicateKey{};
        key_counts.pop_back();
        if (remember_names) names.pop_back();
        break;
      case Json::parse_event_t::key:
        ++key_counts.back();
        if (remember_names && !names.back().insert(parsed.get<std::string>()).second) {
          throw DuplicateKey{parsed.get<std::string>()};
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json value;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      value = Json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/true,
                          /*ignore_comments=*/false);
      break;
    } catch (const DuplicateKey& d) {
      if (!remember_names) {
        remember_names = true;
        key_counts.clear();
        continue;
      }
      return Status::BadInput(
          fmt::format("{}: member name \"{}\" appears twice in one object", name, d.key),
          "remove the duplicate; prodgate refuses ambiguous documents");
    } catch (const TooDeep&) {
      return Status::BadInput(
          fmt::format("{} nests arrays and objects more than {} levels deep", name, kMaxJsonDepth),
          "restore the file from its source or regenerate it; no prodgate document is that deep");
    } catch (const Json::exception& e) {
      return Status::BadInput(fmt::format("{} is not valid JSON: {}", name, e.what()),
                              "restore the file from its source or regenerate it");
    }
  }
  if (policy == NumberPolicy::kIntegersOnly) {
    PG_RETURN_IF_ERROR(CheckNumbers(value, "", name));
  }
  return value;
}

Result<std::string> CanonicalJson(const Json& value, NumberPolicy policy) {
  std::string out;
  PG_RETURN_IF_ERROR(Serialize(value, policy, out));
  return out;
}

Result<Json> ParseCanonicalDocument(std::string_view bytes, std::string_view name) {
  PG_ASSIGN_OR_RETURN(Json value, ParseJson(bytes, NumberPolicy::kIntegersOnly, name));
  PG_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(value, NumberPolicy::kIntegersOnly));
  std::string_view body = bytes;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body != canonical) {
    size_t i = 0;
    while (i < body.size() && i < canonical.size() && body[i] == canonical[i]) ++i;
    return Status::BadInput(
        fmt::format("{} is not in canonical form (RFC 8785); first difference at byte {}", name, i),
        "the document was edited or re-encoded after prodgate wrote it; restore the original "
        "or regenerate it");
  }
  return value;
}

}  // namespace prodgate
