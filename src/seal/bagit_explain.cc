// Explaining a bag file whose bytes no longer match its manifest entries.
//
// A BagIt manifest records one digest per file and nothing else, so the drift diagnosis of
// drift.h (which compares layered facts of the original and the current bytes) needs the
// original bytes first. They are known in two ways:
//   1. against: the same path in an original copy of the bag, trusted only when its bytes
//      match every supported manifest digest of the file;
//   2. derived: a candidate original built from the current bytes by undoing one common
//      change (ForEachCandidateOriginal below), trusted only when its digest equals the
//      manifest's (the strongest algorithm the manifests give, then all of them); when
//      Payload-Oxum gives the original size, the prefix of that length is tried first (an
//      append). Payload files are opaque octet streams (RFC 8493 §2.1.2): a match is a
//      fact about the bytes, never a normalization the verdict accepts.
// Either way DiagnoseContent then classifies the change and LocateFirstDifference places
// it. When neither works, the report keeps the size and the digests, and the original size
// when Payload-Oxum pins it down.
#include <fmt/format.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

#include "core/file_io.h"
#include "core/unicode.h"
#include "seal/bagit_internal.h"
#include "seal/file_facts.h"

namespace prodgate::seal::bagit {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// CR LF and lone CR become LF.
std::string ToLf(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Every line ending (LF, CR LF, lone CR) becomes CR LF.
std::string ToCrlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      out += "\r\n";
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Removes the final line ending, or adds one in the style of the last one in `s` (LF when
// there is none).
std::string ToggleFinalNewline(std::string_view s) {
  if (EndsWith(s, "\r\n")) return std::string(s.substr(0, s.size() - 2));
  if (EndsWith(s, "\n") || EndsWith(s, "\r")) return std::string(s.substr(0, s.size() - 1));
  size_t last = s.find_last_of("\r\n");
  std::string_view eol = "\n";
  if (last != std::string_view::npos && s[last] == '\r') eol = "\r";
  if (last != std::string_view::npos && s[last] == '\n' && last > 0 && s[last - 1] == '\r') {
    eol = "\r\n";
  }
  return std::string(s) + std::string(eol);
}

std::optional<std::string> ToNfd(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
  if (n < 0) return std::nullopt;
  std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  std::free(out);
  return r;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> Hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    int h = HexValue(s[i]);
    if (h < 0) return std::nullopt;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// JSON text with every \uXXXX escape of a code point at or above U+0080 (surrogate pairs
// joined) written as raw UTF-8; every other byte, and every other escape, kept. This undoes
// an ASCII-only re-encoding (Python's json.dumps default, ensure_ascii=True) of JSON that
// was written with raw UTF-8 and the same layout.
std::optional<std::string> UnescapeJsonNonAscii(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool changed = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    if (s[i + 1] != 'u') {  // any other escape, "\\" included: copied whole
      out.append(s.substr(i, 2));
      ++i;
      continue;
    }
    auto unit = Hex4(s, i + 2);
    if (!unit || *unit < 0x80) {
      out.append(s.substr(i, 2));
      ++i;
      continue;
    }
    uint32_t cp = *unit;
    size_t len = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      auto low = s.substr(i + 6, 2) == "\\u" ? Hex4(s, i + 8) : std::nullopt;
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {  // a lone surrogate stays escaped
        out.append(s.substr(i, 6));
        i += 5;
        continue;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
      len = 12;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      out.append(s.substr(i, 6));
      i += 5;
      continue;
    }
    AppendUtf8(out, cp);
    changed = true;
    i += len - 1;
  }
  if (!changed) return std::nullopt;
  return out;
}

bool LooksLikeJson(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

// The digest to try candidates with: the strongest the manifests give.
const ExpectedDigest* Strongest(const std::vector<ExpectedDigest>& expected) {
  const ExpectedDigest* best = nullptr;
  auto rank = [](BagAlgorithm a) {
    switch (a) {
      case BagAlgorithm::kSha256:
        return 4;  // first: SHA-NI makes it the fastest of the strong ones here
      case BagAlgorithm::kSha512:
        return 3;
      case BagAlgorithm::kSha1:
        return 2;
      case BagAlgorithm::kMd5:
        return 1;
    }
    return 0;
  };
  for (const auto& e : expected) {
    if (best == nullptr || rank(e.algorithm) > rank(best->algorithm)) best = &e;
  }
  return best;
}

bool MatchesAll(std::string_view bytes, const std::vector<ExpectedDigest>& expected) {
  return std::all_of(expected.begin(), expected.end(), [&](const ExpectedDigest& e) {
    return HexDigestOf(e.algorithm, bytes) == e.hex;
  });
}

void Fill(BagContentChange& change, Diagnosis d) {
  change.classes = std::move(d.classes);
  for (auto& n : d.notes) change.notes.push_back(std::move(n));
  change.first_difference = std::move(d.first_difference);
}

}  // namespace

bool ForEachCandidateOriginal(std::string_view current, const CandidateVisitor& visit) {
  // Each candidate is built, offered and dropped: memory stays a few times the file size.
  auto offer = [&](const std::string& bytes, const std::string& how) {
    return bytes != current && visit(bytes, how);
  };
  const bool bom = current.substr(0, 3) == kBom;
  const std::string_view body = bom ? current.substr(3) : current;
  const bool text = body.find('\0') == std::string_view::npos && IsValidUtf8(body);
  if (text) {
    // Line endings × final newline × BOM: every combination of undoing these three.
    for (int eol = 0; eol < 3; ++eol) {
      std::string e = eol == 0 ? std::string(body) : eol == 1 ? ToLf(body) : ToCrlf(body);
      if (eol > 0 && e == body) continue;
      for (bool toggle_newline : {false, true}) {
        std::string b = toggle_newline ? ToggleFinalNewline(e) : e;
        for (bool toggle_bom : {false, true}) {
          std::vector<std::string> steps;
          if (eol > 0)
            steps.push_back(eol == 1 ? "line endings made LF" : "line endings made CRLF");
          if (toggle_newline) steps.push_back("final line ending toggled");
          if (toggle_bom) steps.push_back(bom ? "BOM removed" : "BOM added");
          const bool with_bom = bom != toggle_bom;
          if (offer(with_bom ? std::string(kBom) + b : b,
                    fmt::format("{}", fmt::join(steps, ", ")))) {
            return true;
          }
        }
      }
    }
    const std::string prefix = bom ? std::string(kBom) : std::string();
    if (auto nfc = ToNfc(body); nfc && *nfc != body && offer(prefix + *nfc, "text made NFC")) {
      return true;
    }
    if (auto nfd = ToNfd(body); nfd && *nfd != body && offer(prefix + *nfd, "text made NFD")) {
      return true;
    }
    if (LooksLikeJson(body)) {
      auto raw = UnescapeJsonNonAscii(body);
      if (raw && offer(prefix + *raw, "JSON \\u escapes written back as UTF-8")) return true;
    }
    return false;
  }
  // Not UTF-8 text: perhaps UTF-8 text saved in another encoding.
  struct Encoding {
    const char* iconv_name;
    const char* label;
  };
  std::vector<Encoding> encodings;
  if (current.substr(0, 2) == "\xFF\xFE" || current.substr(0, 2) == "\xFE\xFF") {
    encodings.push_back({"UTF-16", "decoded from UTF-16 with BOM"});
  } else if (current.size() % 2 == 0) {
    encodings.push_back({"UTF-16LE", "decoded from UTF-16LE"});
    encodings.push_back({"UTF-16BE", "decoded from UTF-16BE"});
  }
  if (current.find('\0') == std::string_view::npos) {
    encodings.push_back({"WINDOWS-1252", "decoded from Windows-1252"});
    encodings.push_back({"ISO-8859-1", "decoded from Latin-1"});
  }
  for (const auto& enc : encodings) {
    auto decoded = IconvToUtf8(current, enc.iconv_name);
    if (!decoded || decoded->find('\0') != std::string::npos) continue;
    if (decoded->compare(0, 3, kBom) == 0) decoded->erase(0, 3);
    if (offer(*decoded, enc.label)) return true;
    if (std::string lf = ToLf(*decoded);
        lf != *decoded && offer(lf, fmt::format("{}, line endings made LF", enc.label))) {
      return true;
    }
    if (offer(std::string(kBom) + *decoded, fmt::format("{}, UTF-8 BOM kept", enc.label))) {
      return true;
    }
  }
  return false;
}

std::vector<Candidate> CandidateOriginals(std::string_view current) {
  std::vector<Candidate> out;
  ForEachCandidateOriginal(current, [&](const std::string& bytes, const std::string& how) {
    out.push_back({bytes, how});
    return false;
  });
  return out;
}

void ExplainChange(const std::string& current_path, const std::vector<ExpectedDigest>& expected,
                   const std::optional<std::string>& against_path,
                   std::optional<uint64_t> original_size_hint, BagContentChange& change) {
  const ExpectedDigest* strongest = Strongest(expected);
  if (strongest == nullptr) return;

  if (against_path) {
    struct stat st;
    if (::lstat(against_path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      change.notes.push_back(
          fmt::format("no original copy: {} is not a regular file", *against_path));
    } else {
      AlgorithmSet algorithms;
      for (const auto& e : expected) algorithms.Add(e.algorithm);
      AlignedBuffer buf(size_t{1} << 18);
      auto original = HashFile(*against_path, algorithms, buf.span(), nullptr);
      bool matches = original.ok() &&
                     std::all_of(expected.begin(), expected.end(), [&](const ExpectedDigest& e) {
                       return original->hex[Index(e.algorithm)] == e.hex;
                     });
      if (!matches) {
        change.notes.push_back(
            fmt::format("the copy at {} does not match the manifest either; not used to explain",
                        *against_path));
      } else {
        auto old_facts = FactsOfFile(*against_path, FactsOptions::Text(), buf.span());
        if (old_facts.ok()) {
          auto new_facts =
              FactsOfFile(current_path, FactsOptions::Text(old_facts->size), buf.span());
          if (new_facts.ok()) {
            change.original_size = old_facts->size;
            change.original_source = "against";
            Fill(change, DiagnoseContent(*old_facts, *new_facts, current_path, *against_path));
            return;
          }
        }
      }
    }
  }

  if (change.size <= kMaxDeriveBytes) {
    auto current = ReadFile(current_path, kMaxDeriveBytes);
    if (current.ok()) {
      // Tries one candidate; true when it is the original (and the change is explained).
      auto try_candidate = [&](const std::string& bytes, const std::string& how) {
        if (original_size_hint && bytes.size() != *original_size_hint) return false;
        if (HexDigestOf(strongest->algorithm, bytes) != strongest->hex) return false;
        if (!MatchesAll(bytes, expected)) return false;
        FileFacts old_facts = FactsOfBytes(bytes);
        FileFacts new_facts = FactsOfBytes(*current, FactsOptions::Text(bytes.size()));
        Diagnosis d = DiagnoseContent(old_facts, new_facts, current_path, std::nullopt);
        d.first_difference = LocateFirstDifference(bytes, *current);
        change.original_size = bytes.size();
        change.original_source = "derived";
        Fill(change, std::move(d));
        change.notes.push_back(fmt::format(
            "original bytes reconstructed: the current bytes with {} hash to the manifest's {}",
            how, BagAlgorithmName(strongest->algorithm)));
        return true;
      };
      // The prefix Payload-Oxum points at first: an append is the likeliest change then.
      if (original_size_hint && *original_size_hint < current->size() &&
          try_candidate(current->substr(0, *original_size_hint),
                        fmt::format("only the first {} bytes", *original_size_hint))) {
        return;
      }
      if (ForEachCandidateOriginal(*current, try_candidate)) return;
    }
  }

  if (original_size_hint) {
    change.original_size = *original_size_hint;
    change.original_source = "payload-oxum";
    change.notes.push_back(
        fmt::format("size {} → {} bytes (Payload-Oxum: this is the only payload file that changed)",
                    *original_size_hint, change.size));
  }
  change.notes.push_back(
      "cause unknown: the original bytes are not at hand, and no simple change of the current "
      "bytes (line endings, BOM, final newline, Unicode normalization, JSON escapes, encoding) "
      "matches the manifest; verify with --against DIR (an original copy of the bag) to see the "
      "difference");
}

}  // namespace prodgate::seal::bagit
