#include "clone/surrogate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "clone/isolation.h"
#include "clone/spec_reader.h"
#include "core/civil_time.h"
#include "core/file_io.h"
#include "core/sha256.h"
#include "core/toml.h"
#include "core/tool.h"

namespace prodgate::clone {
namespace {

// --- randomness ------------------------------------------------------------------------------

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

uint64_t Mix(uint64_t z) {  // the splitmix64 finalizer
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

struct Rng {
  uint64_t state;
  uint64_t Next() { return Mix(state += kGolden); }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-64 · n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

// --- time ---------------------------------------------------------------------------------

// RFC 3339 (or a TOML date-time, or a bare date) → microseconds since the epoch, UTC.
std::optional<int64_t> ParseTime(std::string_view s) {
  auto num = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2);
  if (!y || !mo || !d || s.size() < 10 || s[4] != '-' || s[7] != '-' || *mo < 1 || *mo > 12 ||
      *d < 1 || *d > 31) {
    return std::nullopt;
  }
  int64_t us =
      DaysFromCivil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400000000ll;
  if (s.size() == 10) return us;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  auto h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (!h || !mi || !se || s.size() < 19 || s[13] != ':' || s[16] != ':' || *h > 23 || *mi > 59 ||
      *se > 60) {
    return std::nullopt;
  }
  us += ((*h * 60 + *mi) * 60 + *se) * 1000000ll;
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    int64_t frac = 0, scale = 100000;
    ++at;
    size_t digits = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (scale > 0) frac += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    us += frac;
  }
  if (at == s.size()) return std::nullopt;  // a local time has no defined instant
  if (s[at] == 'Z' || s[at] == 'z') return at + 1 == s.size() ? std::optional(us) : std::nullopt;
  if ((s[at] == '+' || s[at] == '-') && at + 6 == s.size() && s[at + 3] == ':') {
    auto oh = num(at + 1, 2), om = num(at + 4, 2);
    if (!oh || !om) return std::nullopt;
    int64_t off = (*oh * 60 + *om) * 60000000ll;
    return s[at] == '+' ? us - off : us + off;
  }
  return std::nullopt;
}

// Appends v as exactly `digits` decimal digits (v ≥ 0 and small enough). The generator's
// hot path: fmt::format here cost a fifth of the generation time.
void AppendDigits(std::string& out, int64_t v, int digits) {
  char buf[20];
  for (int i = digits - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  out.append(buf, static_cast<size_t>(digits));
}

// YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z for years 0000..9999.
void FormatTime(int64_t us, int precision, std::string& out) {
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t micros = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  out.clear();
  AppendDigits(out, std::clamp<int64_t>(y, 0, 9999), 4);
  out.push_back('-');
  AppendDigits(out, m, 2);
  out.push_back('-');
  AppendDigits(out, d, 2);
  out.push_back('T');
  AppendDigits(out, rem / 3600, 2);
  out.push_back(':');
  AppendDigits(out, rem / 60 % 60, 2);
  out.push_back(':');
  AppendDigits(out, rem % 60, 2);
  if (precision == 3) {
    out.push_back('.');
    AppendDigits(out, micros / 1000, 3);
  } else if (precision == 6) {
    out.push_back('.');
    AppendDigits(out, micros, 6);
  }
  out.push_back('Z');
}

// 8-4-4-4-12 lowercase hex of 128 bits.
void FormatUuid(uint64_t hi, uint64_t lo, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  size_t at = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[at++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    buf[at++] = kHex[(word >> (60 - 4 * (i % 16))) & 15];
  }
  out.assign(buf, 36);
}

// --- synthetic people and words -----------------------------------------------------------

constexpr std::string_view kFirstNames[] = {
    "Ada",   "Alan",   "Amara", "Ana",  "Arjun", "Beatriz", "Chen",  "Chiara", "Dmitri", "Elena",
    "Emeka", "Farah",  "Grace", "Hana", "Ines",  "Ivan",    "Jamal", "Joana",  "Kenji",  "Lars",
    "Leila", "Linh",   "Lucas", "Maya", "Mei",   "Mateo",   "Nadia", "Noah",   "Olga",   "Omar",
    "Priya", "Rafael", "Rosa",  "Sami", "Sofia", "Tariq",   "Thao",  "Tomas",  "Uma",    "Yara"};
constexpr std::string_view kLastNames[] = {
    "Abe",      "Adeyemi", "Alvarez", "Andersen", "Bauer",  "Costa",  "Dang",    "Dubois",
    "Eriksen",  "Fischer", "Garcia",  "Haddad",   "Hoang",  "Ito",    "Jensen",  "Kaur",
    "Kowalski", "Larsen",  "Lopez",   "Mensah",   "Moreau", "Nguyen", "Novak",   "Okafor",
    "Olsen",    "Patel",   "Pereira", "Quinn",    "Rossi",  "Sato",   "Schmidt", "Silva",
    "Tanaka",   "Tran",    "Usman",   "Vargas",   "Weber",  "Yilmaz", "Zhang",   "Ziegler"};
constexpr std::string_view kWords[] = {
    "registry", "object",  "birth",     "approval", "proposal", "issue",     "record", "anchor",
    "rollback", "surface", "blueprint", "seal",     "ledger",   "review",    "owner",  "operator",
    "clone",    "status",  "pending",   "verified", "hash",     "migration", "field",  "index",
    "schema",   "change",  "evidence",  "packet",   "lane",     "decision",  "grant",  "scope",
    "release",  "window",  "batch",     "queue",    "retry",    "timeout",   "cache",  "report",
    "invoice",  "ticket",  "account",   "device",   "region",   "service",   "deploy", "audit",
    "note",     "draft",   "archive",   "sync",     "import",   "export",    "check",  "signal",
    "metric",   "budget",  "vendor",    "contract", "policy",   "session",   "upload", "comment"};

template <size_t N>
std::string_view Pick(const std::string_view (&list)[N], Rng& rng) {
  return list[rng.Below(N)];
}

void AppendLower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
}

void AppendPadded(std::string& out, int64_t v, int width) {
  char buf[32];
  // The magnitude as unsigned: -v overflows for INT64_MIN.
  uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, magnitude);
  size_t n = static_cast<size_t>(end - buf);
  if (v < 0) out.push_back('-');
  for (size_t i = n; i < static_cast<size_t>(std::max(width, 0)); ++i) out.push_back('0');
  out.append(buf, n);
}

// --- the spec -----------------------------------------------------------------------------

const std::map<std::string, Generator, std::less<>>& Generators() {
  static const std::map<std::string, Generator, std::less<>> g = {
      {"sequence", Generator::kSequence},   {"pattern", Generator::kPattern},
      {"uuid", Generator::kUuid},           {"enum", Generator::kEnum},
      {"integer", Generator::kInteger},     {"real", Generator::kReal},
      {"timestamp", Generator::kTimestamp}, {"name", Generator::kName},
      {"email", Generator::kEmail},         {"words", Generator::kWords},
      {"reference", Generator::kReference}, {"constant", Generator::kConstant},
      {"bytes", Generator::kBytes},         {"null", Generator::kNull}};
  return g;
}

std::vector<std::string_view> GeneratorKeys(Generator g) {
  switch (g) {
    case Generator::kSequence:
      return {"start", "step"};
    case Generator::kPattern:
      return {"pattern", "start", "step"};
    case Generator::kEnum:
      return {"values", "weights"};
    case Generator::kInteger:
    case Generator::kWords:
    case Generator::kBytes:
      return {"min", "max"};
    case Generator::kReal:
      return {"min", "max", "decimals"};
    case Generator::kTimestamp:
      return {"from", "to", "ascending", "precision"};
    case Generator::kName:
      return {"part"};
    case Generator::kEmail:
      return {"domains"};
    case Generator::kReference:
      return {"table", "column", "with", "foreign_key"};
    case Generator::kConstant:
      return {"value"};
    case Generator::kUuid:
    case Generator::kNull:
      return {};
  }
  return {};
}

// Parses "TKT-OBJ-{seq:03}"; returns an error text, or "" on success.
std::string ParsePattern(std::string_view p, std::vector<PatternPart>& out) {
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '}') {
      if (i + 1 < p.size() && p[i + 1] == '}') {
        if (out.empty() || out.back().kind != PatternPart::Kind::kLiteral) out.push_back({});
        out.back().literal.push_back('}');
        i += 2;
        continue;
      }
      return "a lone '}' (write '}}' for a literal brace)";
    }
    if (c != '{') {
      if (out.empty() || out.back().kind != PatternPart::Kind::kLiteral) out.push_back({});
      out.back().literal.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < p.size() && p[i + 1] == '{') {
      if (out.empty() || out.back().kind != PatternPart::Kind::kLiteral) out.push_back({});
      out.back().literal.push_back('{');
      i += 2;
      continue;
    }
    size_t close = p.find('}', i);
    if (close == std::string_view::npos) return "an unclosed '{'";
    std::string_view body = p.substr(i + 1, close - i - 1);
    i = close + 1;
    std::string_view name = body.substr(0, body.find(':'));
    std::string_view arg =
        body.find(':') == std::string_view::npos ? "" : body.substr(body.find(':') + 1);
    auto number = [](std::string_view s, int64_t& v) {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      return ec == std::errc() && end == s.data() + s.size();
    };
    PatternPart part;
    int64_t n = 0;
    static const std::map<std::string_view, PatternPart::Kind> kinds = {
        {"seq", PatternPart::Kind::kSeq},       {"row", PatternPart::Kind::kRow},
        {"hex", PatternPart::Kind::kHex},       {"HEX", PatternPart::Kind::kHexUpper},
        {"digits", PatternPart::Kind::kDigits}, {"alpha", PatternPart::Kind::kAlpha},
        {"lower", PatternPart::Kind::kLower},   {"alnum", PatternPart::Kind::kAlnum},
        {"int", PatternPart::Kind::kInt}};
    auto k = kinds.find(name);
    if (k == kinds.end()) return fmt::format("unknown placeholder {{{}}}", body);
    part.kind = k->second;
    if (part.kind == PatternPart::Kind::kSeq || part.kind == PatternPart::Kind::kRow) {
      if (!arg.empty() && (!number(arg, n) || n < 0 || n > 30)) {
        return fmt::format("{{{}}}: the width must be 0..30", body);
      }
      part.width = static_cast<int>(n);
    } else if (part.kind == PatternPart::Kind::kInt) {
      size_t dots = arg.find("..");
      int64_t lo = 0, hi = 0;
      if (dots == std::string_view::npos || !number(arg.substr(0, dots), lo) ||
          !number(arg.substr(dots + 2), hi) || lo > hi) {
        return fmt::format("{{{}}}: write {{int:MIN..MAX}}", body);
      }
      part.lo = lo;
      part.hi = hi;
    } else {
      if (!number(arg, n) || n < 1 || n > 4096) {
        return fmt::format("{{{}}}: write {{{}:N}} with N in 1..4096", body, name);
      }
      part.width = static_cast<int>(n);
    }
    out.push_back(part);
  }
  return "";
}

std::string DefaultType(Generator g, const Json& constant) {
  switch (g) {
    case Generator::kSequence:
    case Generator::kInteger:
      return "INTEGER";
    case Generator::kReal:
      return "REAL";
    case Generator::kBytes:
      return "BLOB";
    case Generator::kConstant:
      return constant.is_number_integer() || constant.is_boolean() ? "INTEGER"
             : constant.is_number()                                ? "REAL"
                                                                   : "TEXT";
    default:
      return "TEXT";
  }
}

std::string Quote(std::string_view id) {
  std::string q = "\"";
  for (char c : id) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  return q + "\"";
}

void ParseColumn(SpecReader& r, const Json& c, const std::string& twhere, SurrogateColumn& col) {
  std::string where = twhere + " [[table.column]]";
  if (auto n = r.String(c, where, "name", true)) {
    col.name = *n;
    where = fmt::format("{} column \"{}\"", twhere, *n);
  }
  auto gname = r.String(c, where, "generate", true);
  if (gname) {
    auto it = Generators().find(*gname);
    if (it == Generators().end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : Generators()) names.push_back(k);
      r.Problem(where, fmt::format("unknown generator \"{}\" (one of: {})", *gname,
                                   fmt::join(names, ", ")));
      gname.reset();
    } else {
      col.generator = it->second;
    }
  }
  // Every key must belong to the column or to its generator: a typo is not a default.
  {
    std::vector<std::string_view> known = {"name",          "type",     "primary_key",
                                           "autoincrement", "not_null", "unique",
                                           "collate",       "generate", "null_ratio"};
    if (gname) {
      for (auto k : GeneratorKeys(col.generator)) known.push_back(k);
    }
    for (const auto& [k, v] : c.items()) {
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        r.Problem(where, gname ? fmt::format("unknown key \"{}\" for generator \"{}\"", k, *gname)
                               : fmt::format("unknown key \"{}\"", k));
      }
    }
  }
  col.primary_key = r.Bool(c, where, "primary_key").value_or(false);
  col.autoincrement = r.Bool(c, where, "autoincrement").value_or(false);
  col.not_null = r.Bool(c, where, "not_null").value_or(false);
  col.unique = r.Bool(c, where, "unique").value_or(false);
  col.collate = r.String(c, where, "collate", false).value_or("");
  col.null_ratio = r.Number(c, where, "null_ratio", false).value_or(0);
  if (col.null_ratio < 0 || col.null_ratio > 1)
    r.Problem(where, "\"null_ratio\" must be in [0, 1]");
  if (col.null_ratio > 0 && (col.not_null || col.primary_key)) {
    r.Problem(where, "a NOT NULL or PRIMARY KEY column cannot have a \"null_ratio\"");
  }
  if (!gname) return;
  switch (col.generator) {
    case Generator::kSequence:
    case Generator::kPattern:
      col.start = r.Integer(c, where, "start", false).value_or(1);
      col.step = r.Integer(c, where, "step", false).value_or(1);
      if (col.generator == Generator::kPattern) {
        if (auto p = r.String(c, where, "pattern", true)) {
          std::string err = ParsePattern(*p, col.pattern);
          if (!err.empty()) r.Problem(where, "pattern: " + err);
        }
      }
      break;
    case Generator::kEnum: {
      auto it = c.find("values");
      if (it == c.end() || !it->is_array() || it->empty()) {
        r.Problem(where, "\"values\" must be a non-empty list");
        break;
      }
      for (const auto& v : *it) {
        if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
          r.Problem(where, "\"values\" may hold strings, numbers and booleans only");
        }
        col.values.push_back(v);
      }
      std::vector<double> w(col.values.size(), 1.0);
      if (auto wi = c.find("weights"); wi != c.end()) {
        if (!wi->is_array() || wi->size() != col.values.size()) {
          r.Problem(where, "\"weights\" must list one number per value");
        } else {
          for (size_t i = 0; i < w.size(); ++i) {
            if (!(*wi)[i].is_number() || (*wi)[i].get<double>() < 0) {
              r.Problem(where, "\"weights\" must be numbers ≥ 0");
              break;
            }
            w[i] = (*wi)[i].get<double>();
          }
        }
      }
      double sum = 0;
      for (double x : w) sum += x;
      if (sum <= 0) {
        r.Problem(where, "\"weights\" must not all be 0");
        break;
      }
      double acc = 0;
      for (double x : w) col.cumulative.push_back((acc += x) / sum);
      col.cumulative.back() = 1.0;
      break;
    }
    case Generator::kInteger: {
      auto lo = r.Integer(c, where, "min", true), hi = r.Integer(c, where, "max", true);
      if (lo && hi && *lo > *hi) r.Problem(where, "\"min\" is above \"max\"");
      col.min_int = lo.value_or(0);
      col.max_int = hi.value_or(0);
      break;
    }
    case Generator::kWords:
    case Generator::kBytes: {
      col.min_int =
          r.Integer(c, where, "min", false).value_or(col.generator == Generator::kWords ? 3 : 16);
      col.max_int = r.Integer(c, where, "max", false).value_or(col.min_int);
      if (col.min_int < 0 || col.max_int < col.min_int || col.max_int > 1 << 20) {
        r.Problem(where, "\"min\" and \"max\" must satisfy 0 ≤ min ≤ max ≤ 1048576");
      }
      break;
    }
    case Generator::kReal: {
      auto lo = r.Number(c, where, "min", true), hi = r.Number(c, where, "max", true);
      if (lo && hi && *lo > *hi) r.Problem(where, "\"min\" is above \"max\"");
      col.min_real = lo.value_or(0);
      col.max_real = hi.value_or(0);
      if (auto d = r.Integer(c, where, "decimals", false)) {
        if (*d < 0 || *d > 15) r.Problem(where, "\"decimals\" must be 0..15");
        col.decimals = static_cast<int>(*d);
      }
      break;
    }
    case Generator::kTimestamp: {
      auto from = r.String(c, where, "from", true), to = r.String(c, where, "to", true);
      std::optional<int64_t> f, t;
      if (from && !(f = ParseTime(*from))) {
        r.Problem(where,
                  fmt::format("\"from\" is not an RFC 3339 time with Z or an offset: {}", *from));
      }
      if (to && !(t = ParseTime(*to))) {
        r.Problem(where,
                  fmt::format("\"to\" is not an RFC 3339 time with Z or an offset: {}", *to));
      }
      if (f && t && *f > *t) r.Problem(where, "\"from\" is after \"to\"");
      col.from_us = f.value_or(0);
      col.to_us = t.value_or(0);
      col.ascending = r.Bool(c, where, "ascending").value_or(false);
      std::string prec = r.String(c, where, "precision", false).value_or("s");
      col.precision = prec == "s" ? 0 : prec == "ms" ? 3 : prec == "us" ? 6 : -1;
      if (col.precision < 0) r.Problem(where, "\"precision\" must be \"s\", \"ms\" or \"us\"");
      break;
    }
    case Generator::kName:
      col.name_part = r.String(c, where, "part", false).value_or("full");
      if (col.name_part != "full" && col.name_part != "first" && col.name_part != "last") {
        r.Problem(where, "\"part\" must be \"full\", \"first\" or \"last\"");
      }
      break;
    case Generator::kEmail:
      col.domains =
          r.Strings(c, where, "domains", false).value_or(std::vector<std::string>{"example.com"});
      if (col.domains.empty()) r.Problem(where, "\"domains\" must not be empty");
      for (const auto& d : col.domains) {
        if (!IsReservedDomain(d)) {
          r.Problem(where,
                    fmt::format("domain \"{}\" is not reserved for examples; use example.com, "
                                "example.org, example.net, or a name under .test, .example, "
                                ".invalid or .localhost (RFC 2606, RFC 6761)",
                                d));
        }
      }
      break;
    case Generator::kReference:
      col.ref_table = r.String(c, where, "table", true).value_or("");
      col.ref_column = r.String(c, where, "column", true).value_or("");
      col.with = r.String(c, where, "with", false).value_or("");
      col.foreign_key = r.Bool(c, where, "foreign_key").value_or(true);
      break;
    case Generator::kConstant: {
      auto it = c.find("value");
      if (it == c.end() || !(it->is_string() || it->is_number() || it->is_boolean())) {
        r.Problem(where, "\"value\" must be a string, a number or a boolean");
      } else {
        col.constant = *it;
      }
      break;
    }
    case Generator::kUuid:
    case Generator::kNull:
      break;
  }
  // A reference without a type takes the referenced column's type (CheckReferences).
  col.type = r.String(c, where, "type", false)
                 .value_or(col.generator == Generator::kReference
                               ? std::string()
                               : DefaultType(col.generator, col.constant));
}

// Reference checks across tables: targets exist, `with` is an earlier reference to the same
// table, and no chain of references loops.
void CheckReferences(SpecReader& r, SurrogateSpec& spec) {
  auto find = [&](const std::string& t, const std::string& c) -> std::pair<int, int> {
    for (size_t i = 0; i < spec.tables.size(); ++i) {
      if (spec.tables[i].name != t) continue;
      for (size_t j = 0; j < spec.tables[i].columns.size(); ++j) {
        if (spec.tables[i].columns[j].name == c) return {static_cast<int>(i), static_cast<int>(j)};
      }
      return {static_cast<int>(i), -1};
    }
    return {-1, -1};
  };
  for (auto& t : spec.tables) {
    for (size_t ci = 0; ci < t.columns.size(); ++ci) {
      auto& col = t.columns[ci];
      if (col.generator != Generator::kReference) continue;
      std::string where = fmt::format("table \"{}\" column \"{}\"", t.name, col.name);
      auto [ti, cj] = find(col.ref_table, col.ref_column);
      if (ti < 0) {
        r.Problem(where, fmt::format("references the unknown table \"{}\"", col.ref_table));
        continue;
      }
      if (cj < 0) {
        r.Problem(where, fmt::format("references the unknown column \"{}\".\"{}\"", col.ref_table,
                                     col.ref_column));
        continue;
      }
      if (!col.with.empty()) {
        auto w = std::find_if(t.columns.begin(), t.columns.begin() + static_cast<long>(ci),
                              [&](const SurrogateColumn& x) { return x.name == col.with; });
        if (w == t.columns.begin() + static_cast<long>(ci) ||
            w->generator != Generator::kReference || w->ref_table != col.ref_table) {
          r.Problem(where, fmt::format("\"with\" must name an earlier reference column to table "
                                       "\"{}\"",
                                       col.ref_table));
        }
      }
      // Follow the chain; a loop would never produce a value.
      std::set<std::pair<int, int>> seen;
      int a = ti, b = cj;
      while (true) {
        if (!seen.insert({a, b}).second) {
          r.Problem(where, "is part of a loop of references");
          break;
        }
        const auto& next = spec.tables[static_cast<size_t>(a)].columns[static_cast<size_t>(b)];
        if (next.generator != Generator::kReference) break;
        auto [na, nb] = find(next.ref_table, next.ref_column);
        if (na < 0 || nb < 0) break;
        a = na;
        b = nb;
      }
      if (col.type.empty()) {
        // No type given: the type of the column at the end of the chain.
        const auto& end = spec.tables[static_cast<size_t>(a)].columns[static_cast<size_t>(b)];
        col.type = end.generator == Generator::kReference ? "TEXT" : end.type;
      }
    }
  }
}

// --- generation ---------------------------------------------------------------------------

class Engine {
 public:
  Engine(const SurrogateSpec& spec, uint64_t seed, double scale) : spec_(spec) {
    for (size_t t = 0; t < spec.tables.size(); ++t) {
      const auto& table = spec.tables[t];
      int64_t rows = table.rows <= 0 ? 0
                     : !table.scales ? table.rows
                                     : std::max<int64_t>(1, std::llround(table.rows * scale));
      rows_.push_back(rows);
      table_seed_.push_back(seed ^ Fnv1a(table.name));
      std::vector<uint64_t> cs, rs;
      std::vector<std::pair<size_t, size_t>> refs;
      for (const auto& c : table.columns) {
        uint64_t h = Fnv1a(c.name);
        cs.push_back(Mix(seed ^ Fnv1a(table.name) ^ ((h << 21) | (h >> 43))));
        refs.push_back(Locate(c));
      }
      for (size_t i = 0; i < table.columns.size(); ++i) {
        // The row-pick stream of a reference: its own, or that of its `with` column.
        size_t from = i;
        for (size_t j = 0; j < i; ++j) {
          if (table.columns[j].name == table.columns[i].with) from = j;
        }
        rs.push_back(Mix(cs[from] ^ 0x5EED5EED5EED5EEDull));
      }
      column_seed_.push_back(std::move(cs));
      pick_seed_.push_back(std::move(rs));
      ref_.push_back(std::move(refs));
    }
  }

  int64_t rows(size_t t) const { return rows_[t]; }

  db::ValueRef Value(size_t t, size_t c, uint64_t row, std::string& buf) const {
    const SurrogateColumn& col = spec_.tables[t].columns[c];
    Rng rng{Mix(column_seed_[t][c] ^ Mix(row + 1))};
    if (col.null_ratio > 0 && rng.Unit() < col.null_ratio) return db::ValueRef::Null();
    switch (col.generator) {
      case Generator::kSequence:
        return db::ValueRef::Integer(col.start + static_cast<int64_t>(row) * col.step);
      case Generator::kPattern:
        buf.clear();
        for (const auto& p : col.pattern) AppendPart(p, col, row, rng, buf);
        return db::ValueRef::Text(buf);
      case Generator::kUuid: {
        uint64_t hi = rng.Next(), lo = rng.Next();
        hi = (hi & ~0xF000ull) | 0x4000ull;                         // version 4
        lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
        FormatUuid(hi, lo, buf);
        return db::ValueRef::Text(buf);
      }
      case Generator::kEnum: {
        double u = rng.Unit();
        size_t i =
            static_cast<size_t>(std::upper_bound(col.cumulative.begin(), col.cumulative.end(), u) -
                                col.cumulative.begin());
        return FromJson(col.values[std::min(i, col.values.size() - 1)], buf);
      }
      case Generator::kInteger: {
        uint64_t span = static_cast<uint64_t>(col.max_int) - static_cast<uint64_t>(col.min_int);
        uint64_t v = span == UINT64_MAX ? rng.Next() : rng.Below(span + 1);
        return db::ValueRef::Integer(static_cast<int64_t>(static_cast<uint64_t>(col.min_int) + v));
      }
      case Generator::kReal: {
        double v = col.min_real + (col.max_real - col.min_real) * rng.Unit();
        if (col.decimals) {
          double f = std::pow(10.0, *col.decimals);
          v = std::round(v * f) / f;
        }
        return db::ValueRef::Real(v);
      }
      case Generator::kTimestamp: {
        uint64_t span = static_cast<uint64_t>(col.to_us - col.from_us);
        int64_t us;
        if (col.ascending && rows_[t] > 0) {
          uint64_t n = static_cast<uint64_t>(rows_[t]);
          uint64_t step = std::max<uint64_t>(1, span / n);
          uint64_t base = static_cast<uint64_t>((static_cast<unsigned __int128>(span) * row) / n);
          us = col.from_us + static_cast<int64_t>(std::min(span, base + rng.Below(step)));
        } else {
          us = col.from_us +
               static_cast<int64_t>(span == UINT64_MAX ? rng.Next() : rng.Below(span + 1));
        }
        FormatTime(us, col.precision, buf);
        return db::ValueRef::Text(buf);
      }
      case Generator::kName:
      case Generator::kEmail: {
        Rng person{Mix(table_seed_[t] ^ Mix(row + 1))};
        std::string_view first = Pick(kFirstNames, person), last = Pick(kLastNames, person);
        buf.clear();
        if (col.generator == Generator::kName) {
          if (col.name_part != "last") buf.append(first);
          if (col.name_part == "full") buf.push_back(' ');
          if (col.name_part != "first") buf.append(last);
        } else {
          const std::string& domain = col.domains[person.Below(col.domains.size())];
          AppendLower(buf, first);
          buf.push_back('.');
          AppendLower(buf, last);
          buf.push_back('.');
          AppendPadded(buf, static_cast<int64_t>(row) + 1, 0);
          buf.push_back('@');
          buf.append(domain);
        }
        return db::ValueRef::Text(buf);
      }
      case Generator::kWords: {
        uint64_t n = static_cast<uint64_t>(col.min_int) +
                     rng.Below(static_cast<uint64_t>(col.max_int - col.min_int) + 1);
        buf.clear();
        for (uint64_t i = 0; i < n; ++i) {
          if (i) buf.push_back(' ');
          buf.append(Pick(kWords, rng));
        }
        return db::ValueRef::Text(buf);
      }
      case Generator::kReference: {
        auto [rt, rc] = ref_[t][c];
        int64_t n = rows_[rt];
        if (n <= 0) return db::ValueRef::Null();
        Rng pick{Mix(pick_seed_[t][c] ^ Mix(row + 1))};
        return Value(rt, rc, pick.Below(static_cast<uint64_t>(n)), buf);
      }
      case Generator::kConstant:
        return FromJson(col.constant, buf);
      case Generator::kBytes: {
        uint64_t n = static_cast<uint64_t>(col.min_int) +
                     rng.Below(static_cast<uint64_t>(col.max_int - col.min_int) + 1);
        buf.resize(n);
        for (uint64_t i = 0; i < n; i += 8) {
          uint64_t x = rng.Next();
          for (uint64_t k = i; k < std::min(n, i + 8); ++k, x >>= 8) buf[k] = static_cast<char>(x);
        }
        return db::ValueRef::Blob(buf);
      }
      case Generator::kNull:
        return db::ValueRef::Null();
    }
    return db::ValueRef::Null();
  }

 private:
  std::pair<size_t, size_t> Locate(const SurrogateColumn& c) const {
    if (c.generator != Generator::kReference) return {0, 0};
    for (size_t i = 0; i < spec_.tables.size(); ++i) {
      if (spec_.tables[i].name != c.ref_table) continue;
      for (size_t j = 0; j < spec_.tables[i].columns.size(); ++j) {
        if (spec_.tables[i].columns[j].name == c.ref_column) return {i, j};
      }
    }
    return {0, 0};  // unreachable: CheckReferences refused the spec
  }

  static db::ValueRef FromJson(const Json& v, std::string& buf) {
    if (v.is_boolean()) return db::ValueRef::Integer(v.get<bool>() ? 1 : 0);
    if (v.is_number_integer()) return db::ValueRef::Integer(v.get<int64_t>());
    if (v.is_number()) return db::ValueRef::Real(v.get<double>());
    buf = v.get<std::string>();
    return db::ValueRef::Text(buf);
  }

  static void AppendPart(const PatternPart& p, const SurrogateColumn& col, uint64_t row, Rng& rng,
                         std::string& out) {
    static constexpr char kHexL[] = "0123456789abcdef";
    static constexpr char kHexU[] = "0123456789ABCDEF";
    static constexpr char kAlnum[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    switch (p.kind) {
      case PatternPart::Kind::kLiteral:
        out.append(p.literal);
        return;
      case PatternPart::Kind::kSeq:
        AppendPadded(out, col.start + static_cast<int64_t>(row) * col.step, p.width);
        return;
      case PatternPart::Kind::kRow:
        AppendPadded(out, static_cast<int64_t>(row), p.width);
        return;
      case PatternPart::Kind::kHex:
      case PatternPart::Kind::kHexUpper: {
        const char* digits = p.kind == PatternPart::Kind::kHex ? kHexL : kHexU;
        for (int i = 0; i < p.width; i += 16) {
          uint64_t x = rng.Next();
          for (int k = i; k < std::min(p.width, i + 16); ++k, x >>= 4)
            out.push_back(digits[x & 15]);
        }
        return;
      }
      case PatternPart::Kind::kDigits:
        for (int i = 0; i < p.width; ++i) out.push_back(static_cast<char>('0' + rng.Below(10)));
        return;
      case PatternPart::Kind::kAlpha:
        for (int i = 0; i < p.width; ++i) out.push_back(static_cast<char>('A' + rng.Below(26)));
        return;
      case PatternPart::Kind::kLower:
        for (int i = 0; i < p.width; ++i) out.push_back(static_cast<char>('a' + rng.Below(26)));
        return;
      case PatternPart::Kind::kAlnum:
        for (int i = 0; i < p.width; ++i) out.push_back(kAlnum[rng.Below(62)]);
        return;
      case PatternPart::Kind::kInt: {
        uint64_t span = static_cast<uint64_t>(p.hi) - static_cast<uint64_t>(p.lo);
        uint64_t v = span == UINT64_MAX ? rng.Next() : rng.Below(span + 1);
        AppendPadded(out, static_cast<int64_t>(static_cast<uint64_t>(p.lo) + v), 0);
        return;
      }
    }
  }

  const SurrogateSpec& spec_;
  std::vector<int64_t> rows_;
  std::vector<uint64_t> table_seed_;
  std::vector<std::vector<uint64_t>> column_seed_, pick_seed_;
  std::vector<std::vector<std::pair<size_t, size_t>>> ref_;
};

}  // namespace

bool IsReservedDomain(std::string_view domain) {
  std::string d;
  AppendLower(d, domain);
  if (d.empty() || d.front() == '.' || d.back() == '.' || d.find("..") != std::string::npos) {
    return false;
  }
  for (char c : d) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  for (std::string_view base : {"example.com", "example.net", "example.org"}) {
    if (d == base || d.ends_with("." + std::string(base))) return true;
  }
  for (std::string_view tld : {".test", ".example", ".invalid", ".localhost"}) {
    if (d.size() > tld.size() && d.ends_with(tld)) return true;
  }
  return false;
}

Result<SurrogateSpec> ParseSurrogateSpec(const Json& doc, std::string_view name) {
  SpecReader r{std::string(name)};
  if (!doc.is_object()) return Status::BadInput(fmt::format("{}: not a table", name));
  r.AllowOnly(doc, "top level", {"format", "table"});
  if (auto f = r.String(doc, "top level", "format", false); f && *f != kSurrogateSpecFormat) {
    r.Problem("format", fmt::format("is \"{}\", expected \"{}\"", *f, kSurrogateSpecFormat));
  }
  SurrogateSpec spec;
  std::set<std::string> tables;
  for (const Json* tj : r.Tables(doc, "top level", "table", true)) {
    SurrogateTable t;
    std::string where = "[[table]]";
    if (auto n = r.String(*tj, where, "name", true)) {
      t.name = *n;
      where = fmt::format("table \"{}\"", *n);
      if (!tables.insert(*n).second) r.Problem(where, "appears twice");
      if (*n == kMarkerTable || n->starts_with("sqlite_")) {
        r.Problem(where, "the name is reserved");
      }
    }
    r.AllowOnly(
        *tj, where,
        {"name", "rows", "scales", "primary_key", "without_rowid", "strict", "column", "index"});
    t.rows = r.Integer(*tj, where, "rows", true).value_or(0);
    if (t.rows < 0) r.Problem(where, "\"rows\" must be ≥ 0");
    t.scales = r.Bool(*tj, where, "scales").value_or(true);
    t.primary_key =
        r.Strings(*tj, where, "primary_key", false).value_or(std::vector<std::string>{});
    t.without_rowid = r.Bool(*tj, where, "without_rowid").value_or(false);
    t.strict = r.Bool(*tj, where, "strict").value_or(false);
    std::set<std::string> cols;
    for (const Json* cj : r.Tables(*tj, where, "column", true)) {
      SurrogateColumn col;
      ParseColumn(r, *cj, where, col);
      if (!col.name.empty() && !cols.insert(col.name).second) {
        r.Problem(where, fmt::format("column \"{}\" appears twice", col.name));
      }
      t.columns.push_back(std::move(col));
    }
    size_t pk_columns = 0;
    for (const auto& c : t.columns) pk_columns += c.primary_key;
    if (pk_columns > 1)
      r.Problem(where, "several columns say primary_key; list them in the table's primary_key");
    if (pk_columns == 1 && !t.primary_key.empty()) {
      r.Problem(where, "give the primary key either on a column or on the table, not both");
    }
    for (const auto& k : t.primary_key) {
      if (!cols.count(k))
        r.Problem(where, fmt::format("primary_key names the unknown column \"{}\"", k));
    }
    if (t.without_rowid && pk_columns == 0 && t.primary_key.empty()) {
      r.Problem(where, "a WITHOUT ROWID table needs a primary key");
    }
    for (const auto& c : t.columns) {
      if (c.autoincrement && !(c.primary_key && c.type == "INTEGER")) {
        r.Problem(where,
                  fmt::format("column \"{}\": autoincrement needs an INTEGER primary_key column",
                              c.name));
      }
    }
    for (const Json* ij : r.Tables(*tj, where, "index", false)) {
      SurrogateIndex idx;
      r.AllowOnly(*ij, where + " [[table.index]]", {"name", "columns", "unique"});
      idx.columns = r.Strings(*ij, where + " [[table.index]]", "columns", true)
                        .value_or(std::vector<std::string>{});
      for (const auto& c : idx.columns) {
        if (!cols.count(c)) r.Problem(where, fmt::format("index on the unknown column \"{}\"", c));
      }
      idx.unique = r.Bool(*ij, where, "unique").value_or(false);
      idx.name = r.String(*ij, where, "name", false)
                     .value_or(fmt::format("{}_{}_idx", t.name, fmt::join(idx.columns, "_")));
      t.indexes.push_back(std::move(idx));
    }
    spec.tables.push_back(std::move(t));
  }
  CheckReferences(r, spec);
  PG_RETURN_IF_ERROR(r.Done());
  return spec;
}

namespace {

std::string PostgresType(const std::string& type) {
  std::string lower;
  for (char ch : type) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  if (lower == "integer" || lower == "int") return "bigint";
  if (lower == "real" || lower == "double" || lower == "float") return "double precision";
  if (lower == "datetime") return "timestamp with time zone";
  if (lower == "blob") return "bytea";
  return type;
}

// PostgreSQL: the referenced column is a one-column primary key or unique.
bool ReferenceIsUnique(const SurrogateSpec& spec, const SurrogateColumn& c) {
  for (const auto& t : spec.tables) {
    if (t.name != c.ref_table) continue;
    if (t.primary_key.size() == 1 && t.primary_key[0] == c.ref_column) return true;
    for (const auto& rc : t.columns) {
      if (rc.name == c.ref_column && (rc.primary_key || rc.unique)) return true;
    }
    for (const auto& idx : t.indexes) {
      if (idx.unique && idx.columns.size() == 1 && idx.columns[0] == c.ref_column) return true;
    }
  }
  return false;
}

// A sequence (and a pattern's {seq}) is start + row × step: refused when that leaves the
// 64-bit integer range for a row the table will have, before anything is written.
Status CheckSequenceRange(const SurrogateSpec& spec, const Engine& engine) {
  for (size_t t = 0; t < spec.tables.size(); ++t) {
    int64_t rows = engine.rows(t);
    if (rows <= 1) continue;
    for (const auto& c : spec.tables[t].columns) {
      bool seq = c.generator == Generator::kSequence ||
                 std::any_of(c.pattern.begin(), c.pattern.end(), [](const PatternPart& p) {
                   return p.kind == PatternPart::Kind::kSeq;
                 });
      if (!seq) continue;
      int64_t last = 0;
      if (__builtin_mul_overflow(rows - 1, c.step, &last) ||
          __builtin_add_overflow(c.start, last, &last)) {
        return Status::BadInput(
            fmt::format("table \"{}\" column \"{}\": start {} + row × step {} leaves the 64-bit "
                        "integer range within {} rows",
                        spec.tables[t].name, c.name, c.start, c.step, rows),
            "lower start or step, or generate fewer rows (rows, --scale)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CreateTableSql(const SurrogateTable& t, std::string_view engine) {
  bool pg = engine == "postgresql";
  std::vector<std::string> defs;
  for (const auto& c : t.columns) {
    std::string d = Quote(c.name);
    if (!c.type.empty()) d += " " + (pg ? PostgresType(c.type) : c.type);
    if (c.primary_key) d += " PRIMARY KEY";
    if (c.autoincrement) d += pg ? " GENERATED BY DEFAULT AS IDENTITY" : " AUTOINCREMENT";
    if (c.not_null) d += " NOT NULL";
    if (c.unique) d += " UNIQUE";
    if (!c.collate.empty()) {
      d += " COLLATE " + (pg && (c.collate == "BINARY" || c.collate == "binary")
                              ? std::string("\"C\"")
                              : c.collate);
    }
    if (c.generator == Generator::kReference && c.foreign_key && !pg) {
      d += fmt::format(" REFERENCES {}({})", Quote(c.ref_table), Quote(c.ref_column));
    }
    defs.push_back(std::move(d));
  }
  if (!t.primary_key.empty()) {
    std::vector<std::string> q;
    for (const auto& k : t.primary_key) q.push_back(Quote(k));
    defs.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(q, ", ")));
  }
  std::vector<std::string> options;
  if (t.without_rowid && !pg) options.push_back("WITHOUT ROWID");
  if (t.strict && !pg) options.push_back("STRICT");
  return fmt::format("CREATE TABLE {} (\n  {}\n){}{}", Quote(t.name), fmt::join(defs, ",\n  "),
                     options.empty() ? "" : " ", fmt::join(options, ", "));
}

Result<SurrogateReport> WriteSurrogate(const SurrogateSpec& spec, const std::string& spec_sha256,
                                       uint64_t seed, double scale, db::Database& out) {
  if (!(scale > 0) || !std::isfinite(scale)) {
    return Status::BadInput(fmt::format("scale {} is not a positive number", scale));
  }
  auto started = std::chrono::steady_clock::now();
  Engine engine(spec, seed, scale);
  PG_RETURN_IF_ERROR(CheckSequenceRange(spec, engine));
  SurrogateReport report;
  report.target = out.identity().target;
  report.spec_sha256 = spec_sha256;
  report.seed = seed;
  report.scale = scale;
  const std::string& dialect = out.identity().engine;
  bool pg = dialect == "postgresql";
  PG_RETURN_IF_ERROR(out.Execute("BEGIN"));
  for (const auto& t : spec.tables) PG_RETURN_IF_ERROR(out.Execute(CreateTableSql(t, dialect)));
  for (size_t t = 0; t < spec.tables.size(); ++t) {
    const auto& table = spec.tables[t];
    std::vector<std::string> names;
    for (const auto& c : table.columns) names.push_back(c.name);
    PG_ASSIGN_OR_RETURN(auto writer, out.Insert(table.name, names));
    std::vector<std::string> bufs(names.size());
    uint64_t rows = static_cast<uint64_t>(engine.rows(t));
    for (uint64_t row = 0; row < rows; ++row) {
      for (size_t c = 0; c < names.size(); ++c) writer->Set(c, engine.Value(t, c, row, bufs[c]));
      Status s = writer->AddRow();
      if (!s.ok()) return s.WithContext(fmt::format("surrogate table {}", table.name));
    }
    Status done = writer->Finish();
    if (!done.ok()) return done.WithContext(fmt::format("surrogate table {}", table.name));
    report.tables.emplace_back(table.name, rows);
    report.rows += rows;
  }
  for (const auto& t : spec.tables) {
    for (const auto& idx : t.indexes) {
      std::vector<std::string> q;
      for (const auto& c : idx.columns) q.push_back(Quote(c));
      PG_RETURN_IF_ERROR(
          out.Execute(fmt::format("CREATE {}INDEX {} ON {} ({})", idx.unique ? "UNIQUE " : "",
                                  Quote(idx.name), Quote(t.name), fmt::join(q, ", "))));
    }
  }
  if (pg) {
    for (const auto& t : spec.tables) {
      for (const auto& c : t.columns) {
        if (c.autoincrement) {
          // The identity continues after the generated rows.
          PG_RETURN_IF_ERROR(out.Execute(fmt::format(
              "SELECT setval(pg_get_serial_sequence({}, {}), max({})) FROM {}",
              "'" + Quote(t.name) + "'", "'" + c.name + "'", Quote(c.name), Quote(t.name))));
        }
        if (c.generator == Generator::kReference && c.foreign_key && ReferenceIsUnique(spec, c)) {
          PG_RETURN_IF_ERROR(out.Execute(
              fmt::format("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {}({})", Quote(t.name),
                          Quote(c.name), Quote(c.ref_table), Quote(c.ref_column))));
        }
      }
    }
  }
  Provenance p;
  p.made_by = "surrogate";
  p.spec_sha256 = spec_sha256;
  p.seed = std::to_string(seed);
  p.scale = EcmaNumberToString(scale);
  PG_RETURN_IF_ERROR(WriteMarker(out, p));
  PG_RETURN_IF_ERROR(out.Execute("COMMIT"));
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

Result<SurrogateReport> GenerateSurrogate(const SurrogateOptions& options) {
  PG_ASSIGN_OR_RETURN(std::string text, ReadFile(options.spec_path, uint64_t{16} << 20));
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(text, options.spec_path));
  PG_ASSIGN_OR_RETURN(SurrogateSpec spec, ParseSurrogateSpec(doc, options.spec_path));
  if (!(options.scale > 0) || !std::isfinite(options.scale)) {
    return Status::BadInput(fmt::format("--scale {} is not a positive number", options.scale));
  }
  PG_ASSIGN_OR_RETURN(
      auto db, db::OpenTarget(options.target,
                              options.replace ? db::OpenMode::kReplace : db::OpenMode::kCreate));
  PG_ASSIGN_OR_RETURN(SurrogateReport report, WriteSurrogate(spec, ToHex(Sha256Of(text)),
                                                             options.seed, options.scale, *db));
  PG_RETURN_IF_ERROR(db->Finish());
  return report;
}

std::string SurrogateText(const SurrogateReport& r) {
  std::string out = fmt::format("wrote {} rows in {} tables to {} in {:.2f} s ({:.0f} rows/s)\n",
                                r.rows, r.tables.size(), r.target, r.seconds,
                                r.seconds > 0 ? static_cast<double>(r.rows) / r.seconds : 0.0);
  for (const auto& [name, rows] : r.tables) out += fmt::format("  {:>10}  {}\n", rows, name);
  out += fmt::format("seed {}, scale {}, spec sha256 {}\n", r.seed, EcmaNumberToString(r.scale),
                     r.spec_sha256);
  return out;
}

Result<std::string> SurrogateJson(const SurrogateReport& r) {
  Json tables = Json::object();
  for (const auto& [name, rows] : r.tables) tables[name] = rows;
  // Seed (u64) and scale (a float) as strings: prodgate documents carry integers ≤ 2^53 only.
  Json j = {{"format", std::string(kSurrogateReportFormat)},
            {"tool", ToolJson()},
            {"target", r.target},
            {"seed", std::to_string(r.seed)},
            {"scale", EcmaNumberToString(r.scale)},
            {"spec_sha256", r.spec_sha256},
            {"tables", tables},
            {"rows", r.rows}};
  PG_ASSIGN_OR_RETURN(std::string s, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  return s + "\n";
}

}  // namespace prodgate::clone
