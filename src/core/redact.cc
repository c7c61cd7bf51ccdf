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
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsNameChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '%' || c == '.'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// `text` with every %XX escape decoded (a '%' not followed by two hex digits kept).
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// A name as written (maybe percent-encoded, maybe with leading dashes, any case) reduced to
// lower case with '-' and '.' read as '_'.
std::string NormalName(std::string_view raw) {
  std::string out;
  for (char c : PercentDecode(raw)) {
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
  for (std::string_view word : {"password", "passwd", "passphrase", "secret", "token", "apikey",
                                "api_key", "credential", "private_key", "privatekey", "access_key",
                                "accesskey", "authorization", "cookie", "bearer", "sshpass"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  for (std::string_view exact : {"pass", "pwd", "pw"}) {
    if (name == exact || name.ends_with("_" + std::string(exact))) return true;
  }
  return name.ends_with("_key") || name.ends_with("_auth");
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

// A URI's token ends at whitespace only: a quote may sit inside a password.
size_t TokenEnd(std::string_view text, size_t from) {
  while (from < text.size() && !IsSpace(text[from])) ++from;
  return from;
}

// Replaces user-information passwords: in `scheme://USER:PASSWORD@HOST…` everything from the
// first ':' after USER to the LAST '@' of the token (a password may hold '/', '?', '#' or an
// unencoded '@'; libpq itself splits at the first '@', which ShownTarget then sees differ).
std::string RedactUriPasswords(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (true) {
    // "scheme://" or a scheme-relative "//" at the start of a token.
    size_t sep = text.find("//", i);
    if (sep == std::string_view::npos) break;
    bool scheme = sep > 0 && text[sep - 1] == ':';
    bool relative = sep == 0 || IsSpace(text[sep - 1]) || text[sep - 1] == '\'' ||
                    text[sep - 1] == '"' || text[sep - 1] == '=';
    if (!scheme && !relative) {
      out.append(text.substr(i, sep + 2 - i));
      i = sep + 2;
      continue;
    }
    size_t start = sep + 2;
    size_t end = TokenEnd(text, start);
    std::string_view token = text.substr(start, end - start);
    size_t at = token.rfind('@');
    size_t colon = at == std::string_view::npos ? std::string_view::npos : token.find(':');
    out.append(text.substr(i, start - i));
    if (colon != std::string_view::npos && colon < at) {
      out.append(token.substr(0, colon + 1));
      out.append(kRedacted);
      out.append(token.substr(at));
    } else {
      out.append(token);
    }
    i = end;
  }
  out.append(text.substr(i));
  return out;
}

// NAME=VALUE (and "NAME": "VALUE", as JSON writes it) with NAME a secret: VALUE becomes
// kRedacted. An unquoted VALUE ends at whitespace (a backslash escapes the next character),
// or at '&' inside a URI query.
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
    // "password": "…" (also escaped, \"password\": \"…\", and Python's 'password': '…')
    bool json = eq < text.size() && (text[eq] == '"' || text[eq] == '\'');
    if (!json && eq + 1 < text.size() && text[eq] == '\\' && text[eq + 1] == '"') {
      json = true;
      ++eq;
    }
    if (json) ++eq;
    while (eq < text.size() && (text[eq] == ' ' || text[eq] == '\t' || text[eq] == '\n')) ++eq;
    bool assigns = eq < text.size() && (text[eq] == '=' || (json && text[eq] == ':'));
    if (!assigns || !NamesSecret(NormalName(text.substr(i, name_end - i)))) {
      out.append(text.substr(i, name_end - i));
      i = name_end;
      continue;
    }
    size_t v = eq + 1;
    while (v < text.size() && (text[v] == ' ' || text[v] == '\t' || text[v] == '\n')) ++v;
    size_t v_end = v;
    if (v < text.size() && (text[v] == '\'' || text[v] == '"')) {
      v_end = QuotedEnd(text, v);
    } else {
      // In a URI query libpq reads a value to the next '&', spaces included.
      bool in_query = text.substr(token_start, i - token_start).find('?') != std::string::npos;
      auto ends = [&](char ch) {
        // libpq reads a query value to the next '&', spaces and quotes included; this may hide
        // more than the value, never less.
        if (in_query) return ch == '&';
        return IsSpace(ch) || (json && (ch == ',' || ch == '}'));
      };
      while (v_end < text.size() && !ends(text[v_end])) {
        if (text[v_end] == '\\') ++v_end;
        ++v_end;
      }
      v_end = std::min(v_end, text.size());
    }
    out.append(text.substr(i, v - i));
    if (v_end > v) out.append(kRedacted);
    i = v_end;
  }
  return out;
}

// Secrets in prose a command line carries: SQL's PASSWORD 'x' (CREATE/ALTER ROLE), and the
// value of an Authorization, Cookie or API-key header ("Authorization: Bearer x").
std::string RedactPhrases(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool boundary = i == 0 || !IsNameChar(text[i - 1]);
    if (!boundary || !IsNameChar(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    std::string name = NormalName(text.substr(i, end - i));
    out.append(text.substr(i, end - i));
    size_t v = end;
    if (name == "password" || name == "encrypted_password") {
      while (v < text.size() && IsSpace(text[v])) ++v;
      // SQL: PASSWORD 'x', PASSWORD'x', PASSWORD E'x', PASSWORD $$x$$ ("password" quoted in
      // a message, "password" then '"', is not that: a double quote needs a space before it).
      size_t q = v;
      if (q + 1 < text.size() && (text[q] == 'E' || text[q] == 'e') && text[q + 1] == '\'') ++q;
      bool quote =
          q < text.size() && (text[q] == '\'' || text[q] == '$' || (text[q] == '"' && v > end));
      if (quote) {
        size_t close = text.size();
        if (text[q] == '$') {
          size_t tag_end = text.find('$', q + 1);
          if (tag_end != std::string_view::npos) {
            std::string_view tag = text.substr(q, tag_end + 1 - q);
            size_t found = text.find(tag, tag_end + 1);
            if (found != std::string_view::npos) close = found + tag.size();
          }
        } else if (text[q] == '\'') {
          // SQL doubles a quote inside a string; E'' strings also take backslash escapes.
          for (size_t k = q + 1; k < text.size(); ++k) {
            if (text[k] == '\\') {
              ++k;
            } else if (text[k] == '\'') {
              if (k + 1 < text.size() && text[k + 1] == '\'') {
                ++k;
              } else {
                close = k + 1;
                break;
              }
            }
          }
        } else {
          close = QuotedEnd(text, q);
        }
        v = q;
        out.append(text.substr(end, v - end));
        out.append(kRedacted);
        i = std::max(close, v + 1);
        continue;
      }
    }
    if (NamesSecret(name) && v < text.size() && text[v] == ':') {
      // A header: everything to the end of the line.
      size_t line = text.find('\n', v);
      out.append(": ");
      out.append(kRedacted);
      i = line == std::string_view::npos ? text.size() : line;
      continue;
    }
    i = end;
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
  while (i < target.size() && (IsAlnum(target[i]) || target[i] == '_')) ++i;
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

bool IsSecretKeyword(std::string_view k) { return k == "password" || k == "sslpassword"; }

std::string KeywordValue(std::string_view keyword, std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) plain &= !IsSpace(c) && c != '\'' && c != '\\';
  if (plain) return fmt::format("{}={}", keyword, value);
  std::string quoted;
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return fmt::format("{}='{}'", keyword, quoted);
}

// libpq's reading of `conninfo`, or its error (first line, raw: never shown before
// ScrubMessage).
Result<std::map<std::string, std::string>> LibpqParse(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    std::string why = err ? err : "out of memory";
    if (err) PQfreemem(err);
    if (size_t nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    return Status::BadInput(why);
  }
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    // An option given empty is kept: libpq then skips its environment default (PGPORT…),
    // so "port=''" and no port at all are two connections.
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  return out;
}

// What a target is as shown and as bound (compared), or why it cannot be shown.
struct Reading {
  std::string shown;     // the target for messages and records
  std::string bindable;  // what a grant and the gate compare; "" with `why`
  std::string why;       // not empty: the target cannot be shown faithfully
};

Reading Read(std::string_view target) {
  Reading r;
  if (target.starts_with("sqlite:")) {
    // A path names a file; it is shown and compared as written.
    r.shown = r.bindable = std::string(target);
    return r;
  }
  if (target.find('\0') != std::string_view::npos) {
    r.shown = "(a target holding a NUL byte)";
    r.why = "it holds a NUL byte, where libpq would stop reading it";
    return r;
  }
  r.shown = RedactSecrets(target);
  auto conninfo = ConninfoOf(target);
  auto shown_conninfo = ConninfoOf(r.shown);
  if (!conninfo || !shown_conninfo) {
    // Not a PostgreSQL target: compared as written, so only when nothing in it is secret.
    if (r.shown == target) {
      r.bindable = r.shown;
    } else {
      r.why = "it holds what looks like a secret, and it is not a target libpq reads";
    }
    return r;
  }
  // The shown target must name the connection libpq makes from the original: every option
  // but the password equal. Otherwise a password was not where the redaction looked (or a
  // spelling makes libpq read something else than it shows), and nothing of it is shown.
  if (conninfo->find_first_not_of(" \t\n\r\f\v") == std::string::npos) {
    // libpq takes a blank connection string as a database name, not as no options.
    r.why = "it names no connection option";
    return r;
  }
  auto original = LibpqParse(*conninfo);
  if (!original.ok()) {
    r.why = "libpq cannot parse it: " + ScrubMessage(original.status().what(), target, "");
    return r;
  }
  auto redacted = LibpqParse(*shown_conninfo);
  if (!redacted.ok()) {
    r.why = "libpq cannot parse it without its password";
    return r;
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : *original) keys.insert(k);
  for (const auto& [k, v] : *redacted) keys.insert(k);
  for (const auto& k : keys) {
    auto a = original->find(k), b = redacted->find(k);
    std::string av = a == original->end() ? "" : a->second;
    std::string bv = b == redacted->end() ? "" : b->second;
    if (IsSecretKeyword(k)) {
      if (!bv.empty() && bv != kRedacted) {
        r.why = fmt::format("it carries a {} that could not be taken out", k);
        return r;
      }
      continue;
    }
    if (av != bv) {
      r.why = fmt::format("its {} could not be told apart from a password in it", k);
      return r;
    }
  }
  std::string canonical;
  for (const auto& [k, v] : *original) {
    if (IsSecretKeyword(k)) continue;
    canonical += (canonical.empty() ? "" : " ") + KeywordValue(k, v);
  }
  if (RedactSecrets(canonical) != canonical) {
    r.why = "an option other than the password holds what looks like a secret";
    return r;
  }
  r.bindable = "postgresql:" + canonical;
  return r;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  return RedactPhrases(RedactNamedValues(RedactUriPasswords(text)));
}

std::string RedactCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string out;
  for (size_t i = 0; i < line.size();) {
    size_t j = i;
    while (j < line.size() && !IsSpace(line[j])) ++j;
    if (j > i) words.emplace_back(line.substr(i, j - i));
    i = j;
    while (i < line.size() && IsSpace(line[i])) ++i;
  }
  std::vector<std::string> shown = RedactArgv(words);
  for (size_t k = 0; k < shown.size(); ++k) out += (k ? " " : "") + shown[k];
  return out;
}

std::vector<std::string> RedactArgv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  // The program is the first word after wrappers that run another command (sudo, env with
  // its VAR=VALUE words, nice, nohup, time, timeout D, exec, command).
  std::string program;
  bool hide_next = false, userinfo_next = false, shell_next = false, skip_next = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (hide_next || userinfo_next || shell_next) {
      if (hide_next) {
        out.emplace_back(kRedacted);
      } else if (userinfo_next) {
        size_t colon = a.find(':');
        out.push_back(colon == std::string::npos ? RedactSecrets(a)
                                                 : a.substr(0, colon + 1) + std::string(kRedacted));
      } else {
        out.push_back(RedactCommandLine(a));  // sh -c 'the command line'
      }
      hide_next = userinfo_next = shell_next = false;
      continue;
    }
    // NAME=VALUE as one word (an environment assignment, --password=…): the value is the rest
    // of the word, spaces included.
    if (size_t eq = a.find('=');
        eq != std::string::npos && eq > 0 &&
        std::all_of(a.begin(), a.begin() + static_cast<long>(eq), IsNameChar) &&
        NamesSecret(NormalName(a.substr(0, eq)))) {
      out.push_back(a.substr(0, eq + 1) + std::string(kRedacted));
      continue;
    }
    out.push_back(RedactSecrets(a));
    if (program.empty()) {
      size_t slash = a.rfind('/');
      std::string word = a.substr(slash == std::string::npos ? 0 : slash + 1);
      bool wrapper = word == "sudo" || word == "env" || word == "nice" || word == "nohup" ||
                     word == "time" || word == "exec" || word == "command";
      if (skip_next || wrapper || (a.starts_with("-") && i > 0) ||
          (a.find('=') != std::string::npos && i > 0)) {
        skip_next = false;
        continue;
      }
      if (word == "timeout") {
        skip_next = true;  // its duration
        continue;
      }
      program = word;
      continue;
    }
    bool mysql = program.starts_with("mysql") || program.starts_with("mariadb");
    bool shell = program == "sh" || program == "bash" || program == "dash" || program == "zsh";
    if (shell && a == "-c") shell_next = true;
    bool flag = a.starts_with("-") && a.find('=') == std::string::npos;
    if (flag && NamesSecret(NormalName(a))) hide_next = true;
    // Well-known clients' own flags: mysql -pX; redis-cli -a X; sshpass and docker -p X or
    // -pX; curl -u USER:X, -uUSER:X, --user=USER:X.
    bool attached_p = a.starts_with("-p") && a.size() > 2;
    if ((mysql || program == "sshpass" || program == "docker") && attached_p) {
      out.back() = "-p" + std::string(kRedacted);
    }
    if (program == "redis-cli" && a == "-a") hide_next = true;
    if ((program == "sshpass" || program == "docker") && a == "-p") hide_next = true;
    if (program == "curl") {
      if (a == "-u" || a == "--user" || a == "-U" || a == "--proxy-user") userinfo_next = true;
      for (std::string_view p : {"-u", "-U", "--user=", "--proxy-user="}) {
        if (a.size() > p.size() && a.starts_with(p) && a.find(':') != std::string::npos) {
          out.back() = a.substr(0, a.find(':') + 1) + std::string(kRedacted);
        }
      }
    }
  }
  return out;
}

std::string ScrubMessage(std::string_view message, std::string_view input, std::string_view shown) {
  // The pieces of a text: runs between separators libpq and URIs use.
  auto pieces_of = [](std::string_view text) {
    auto separator = [](char c) {
      return IsSpace(c) || std::string_view("\"'=@:/?&,;()[]{}\\").find(c) != std::string::npos;
    };
    std::set<std::string> pieces;
    for (size_t i = 0; i < text.size();) {
      while (i < text.size() && separator(text[i])) ++i;
      size_t j = i;
      while (j < text.size() && !separator(text[j])) ++j;
      if (j > i) pieces.insert(std::string(text.substr(i, j - i)));
      i = j;
    }
    return pieces;
  };
  std::set<std::string> visible = pieces_of(shown);
  std::vector<std::string> hide;
  // libpq quotes URI pieces percent-decoded: the decoded input's pieces are hidden as well.
  std::set<std::string> pieces = pieces_of(input);
  for (const auto& p : pieces_of(PercentDecode(input))) pieces.insert(p);
  for (const auto& p : pieces) {
    if (LibpqKeywords().count(p) || visible.count(p)) continue;
    hide.push_back(p);
  }
  std::sort(hide.begin(), hide.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  // Whole pieces only: a piece is replaced where the message has it between non-alphanumeric
  // characters (libpq quotes input pieces between quotes or separators).
  std::string out(message);
  for (const auto& p : hide) {
    for (size_t at = 0; (at = out.find(p, at)) != std::string::npos;) {
      bool left = at == 0 || !IsAlnum(out[at - 1]);
      bool right = at + p.size() >= out.size() || !IsAlnum(out[at + p.size()]);
      if (!left || !right) {
        ++at;
        continue;
      }
      out.replace(at, p.size(), "…");
      at += std::string_view("…").size();
    }
  }
  return RedactSecrets(out);
}

Result<std::map<std::string, std::string>> ParseConninfo(const std::string& conninfo) {
  auto parsed = LibpqParse(conninfo);
  if (parsed.ok()) return parsed;
  return Status::BadInput(
      fmt::format("a PostgreSQL target that libpq cannot parse: {}",
                  ScrubMessage(parsed.status().what(), conninfo, "")),
      "write postgresql://USER@HOST:PORT/DBNAME or postgresql:host=… port=… dbname=…");
}

std::string ShownTarget(std::string_view target) {
  Reading r = Read(target);
  if (r.why.empty()) return r.shown;
  return fmt::format("(a target, not shown: {})", r.why);
}

Result<std::string> BindableTarget(std::string_view target) {
  Reading r = Read(target);
  if (r.why.empty()) return r.bindable;
  return Status::BadInput(fmt::format("the target is not shown: {}", r.why),
                          "give the target in a form libpq reads with the password out of it "
                          "(in ~/.pgpass or PGPASSWORD): postgresql://USER@HOST:PORT/DBNAME or "
                          "postgresql:host=… port=… dbname=…");
}

}  // namespace prodgate
