#include "core/redact.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace prodgate {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '%' ||
         c == '.';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A name as written (maybe percent-encoded, maybe with leading dashes, any case) reduced to
// lower case with '-' and '.' read as '_'.
std::string NormalName(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%' && i + 2 < raw.size() && HexValue(raw[i + 1]) >= 0 && HexValue(raw[i + 2]) >= 0) {
      c = static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2]));
      i += 2;
    }
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(c == '-' || c == '.' ? '_' : c);
  }
  size_t lead = out.find_first_not_of('_');
  return lead == std::string::npos ? std::string() : out.substr(lead);
}

// Whether a (normalised) name names a secret. Over-matching only hides a value; missing one
// leaks it, so the test is wide: any name containing a secret word, and the short spellings.
bool NamesSecret(const std::string& name) {
  if (name.empty()) return false;
  for (std::string_view word : {"password", "passwd", "secret", "token", "apikey", "api_key",
                                "credential", "private_key", "access_key"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  for (std::string_view exact : {"pass", "pwd", "pw"}) {
    if (name == exact || name.ends_with("_" + std::string(exact))) return true;
  }
  return name.ends_with("_key");
}

// The end of a quoted value starting at `open` (a ' or "), one past its closing quote, or
// text.size() when it never closes.
size_t QuotedEnd(std::string_view text, size_t open) {
  char q = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == q) return i + 1;
  }
  return text.size();
}

// Replaces user-information passwords: in `scheme://USER:PASSWORD@HOST…` everything from
// the first ':' after USER to the last '@' before the authority ends.
std::string RedactUriPasswords(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (true) {
    size_t sep = text.find("://", i);
    if (sep == std::string_view::npos) break;
    size_t start = sep + 3;
    size_t end = start;
    while (end < text.size() && !IsSpace(text[end]) && text[end] != '/' && text[end] != '?' &&
           text[end] != '#' && text[end] != '"' && text[end] != '\'') {
      ++end;
    }
    std::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    size_t colon = at == std::string_view::npos ? std::string_view::npos : authority.find(':');
    out.append(text.substr(i, start - i));
    if (colon != std::string_view::npos && colon < at) {
      out.append(authority.substr(0, colon + 1));
      out.append(kRedacted);
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    i = end;
  }
  out.append(text.substr(i));
  return out;
}

std::string RedactNamedValues(std::string_view text) {
  std::string out;
  size_t i = 0;
  size_t token_start = 0;  // where the current whitespace-separated token began
  while (i < text.size()) {
    char c = text[i];
    if (IsSpace(c)) token_start = i + 1;
    bool boundary = i == 0 || !IsNameChar(text[i - 1]);
    if (!boundary || !IsNameChar(c)) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t name_end = i;
    while (name_end < text.size() && IsNameChar(text[name_end])) ++name_end;
    size_t eq = name_end;
    while (eq < text.size() && (text[eq] == ' ' || text[eq] == '\t')) ++eq;
    if (eq >= text.size() || text[eq] != '=' ||
        !NamesSecret(NormalName(text.substr(i, name_end - i)))) {
      out.append(text.substr(i, name_end - i));
      i = name_end;
      continue;
    }
    size_t v = eq + 1;
    while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) ++v;
    size_t v_end = v;
    if (v < text.size() && (text[v] == '\'' || text[v] == '"')) {
      v_end = QuotedEnd(text, v);
    } else {
      bool in_query = text.substr(token_start, i - token_start).find('?') != std::string::npos;
      while (v_end < text.size() && !IsSpace(text[v_end]) && !(in_query && text[v_end] == '&')) {
        ++v_end;
      }
    }
    out.append(text.substr(i, v - i));
    if (v_end > v) out.append(kRedacted);
    i = v_end;
  }
  return out;
}

// The libpq connection string inside a target, or nullopt when the target is not a
// PostgreSQL one: a URI as written, the rest of "postgresql:KEYWORDS", or a bare keyword
// string ("host=… dbname=…").
std::optional<std::string> ConninfoOf(std::string_view target) {
  for (std::string_view scheme : {"postgresql:", "postgres:"}) {
    if (!target.starts_with(scheme)) continue;
    std::string_view rest = target.substr(scheme.size());
    return std::string(rest.starts_with("//") ? target : rest);
  }
  size_t i = 0;
  while (i < target.size() && IsSpace(target[i])) ++i;
  size_t word = i;
  while (i < target.size() &&
         (std::isalnum(static_cast<unsigned char>(target[i])) || target[i] == '_')) {
    ++i;
  }
  if (i == word) return std::nullopt;
  while (i < target.size() && IsSpace(target[i])) ++i;
  if (i < target.size() && target[i] == '=') return std::string(target);
  return std::nullopt;
}

const std::set<std::string>& LibpqKeywords() {
  static const std::set<std::string> keywords = [] {
    std::set<std::string> out;
    PQconninfoOption* defaults = PQconndefaults();
    for (PQconninfoOption* o = defaults; o && o->keyword; ++o) out.insert(o->keyword);
    if (defaults) PQconninfoFree(defaults);
    return out;
  }();
  return keywords;
}

// libpq's parse error, first line, with every "quoted" piece of the input elided unless it
// is a libpq keyword or one punctuation character (libpq quotes the offending token, or the
// whole URI, and the character it expected).
std::string SafeLibpqError(const char* err) {
  std::string msg = err ? err : "out of memory";
  if (size_t nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  std::string out;
  size_t i = 0;
  while (i < msg.size()) {
    if (msg[i] != '"') {
      out.push_back(msg[i++]);
      continue;
    }
    size_t close = msg.find('"', i + 1);
    if (close == std::string::npos) {
      out += "\"…\"";
      break;
    }
    std::string piece = msg.substr(i + 1, close - i - 1);
    bool punctuation = piece.size() == 1 && !std::isalnum(static_cast<unsigned char>(piece[0]));
    out += punctuation || LibpqKeywords().count(piece) ? "\"" + piece + "\"" : std::string("\"…\"");
    i = close + 1;
  }
  return out;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  return RedactNamedValues(RedactUriPasswords(text));
}

std::vector<std::string> RedactArgv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  bool hide_next = false;
  for (const auto& a : argv) {
    if (hide_next) {
      out.emplace_back(kRedacted);
      hide_next = false;
      continue;
    }
    out.push_back(RedactSecrets(a));
    if (a.starts_with("-") && a.find('=') == std::string::npos && NamesSecret(NormalName(a))) {
      hide_next = true;
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    std::string why = SafeLibpqError(err);
    if (err) PQfreemem(err);
    return Status::BadInput(fmt::format("a PostgreSQL target that libpq cannot parse: {}", why),
                            "write postgresql://USER@HOST:PORT/DBNAME or postgresql:host=… "
                            "port=… dbname=…");
  }
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  return out;
}

namespace {

// Why ShownTarget cannot show `shown` (a target after RedactSecrets), or "".
std::string WhyNotShown(const std::string& shown) {
  auto conninfo = ConninfoOf(shown);
  if (!conninfo) return "";
  auto kv = ParseConninfo(*conninfo);
  std::string why;
  if (!kv.ok()) {
    why = kv.status().what();
  } else {
    for (const char* k : {"password", "sslpassword"}) {
      auto it = kv->find(k);
      if (it != kv->end() && !it->second.empty() && it->second != kRedacted) {
        why = fmt::format("it carries a {} that could not be taken out", k);
      }
    }
  }
  return why;
}

}  // namespace

std::string ShownTarget(std::string_view target) {
  std::string shown = RedactSecrets(target);
  std::string why = WhyNotShown(shown);
  if (why.empty()) return shown;
  return fmt::format("(a PostgreSQL target, not shown: {})", why);
}

Result<std::string> BindableTarget(std::string_view target) {
  std::string shown = RedactSecrets(target);
  std::string why = WhyNotShown(shown);
  if (why.empty()) return shown;
  return Status::BadInput(fmt::format("the target is not shown: {}", why),
                          "give the target in a form libpq reads: postgresql://USER@HOST:PORT/"
                          "DBNAME or postgresql:host=… port=… dbname=…");
}

}  // namespace prodgate
