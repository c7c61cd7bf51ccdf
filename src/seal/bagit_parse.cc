// Reading BagIt tag files: bagit.txt, manifests, bag-info.txt, fetch.txt, and the
// percent-encoding of file paths. Each rule names its RFC 8493 section.
#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "core/path_rules.h"
#include "core/unicode.h"
#include "seal/bagit.h"
#include "seal/bagit_internal.h"

namespace prodgate::seal {

std::string PercentEncodeBagPath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\n') {
      out += "%0A";
    } else if (c == '\r') {
      out += "%0D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

DecodedBagPath PercentDecodeBagPath(std::string_view in) {
  DecodedBagPath out;
  out.path.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.path.push_back(in[i]);
      continue;
    }
    // RFC 3986 §2.1: the hex digits of a percent-encoding are case-insensitive.
    std::string code;
    if (in.size() - i >= 3) {
      code = {in[i + 1], static_cast<char>(std::toupper(static_cast<unsigned char>(in[i + 2])))};
    }
    if (code == "25") {
      out.path.push_back('%');
      i += 2;
    } else if (code == "0A") {
      out.path.push_back('\n');
      i += 2;
    } else if (code == "0D") {
      out.path.push_back('\r');
      i += 2;
    } else {
      out.path.push_back('%');
      out.stray_percent = true;
    }
  }
  return out;
}

namespace bagit {
namespace {

bool IsLws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimLws(std::string_view s) {
  while (!s.empty() && IsLws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsLws(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal digits to a number; nullopt on anything else or overflow.
std::optional<uint64_t> ParseCount(std::string_view s) {
  if (!IsDigits(s) || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// The offset of the first byte of `s` that is not part of a valid UTF-8 sequence.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    if (!DecodeUtf8At(s, i, &len)) return i;
    i += len;
  }
  return s.size();
}

size_t LineOfOffset(std::string_view s, size_t offset) {
  std::vector<TagLine> lines = SplitTagLines(s.substr(0, offset));
  return lines.empty() ? 1 : lines.back().number + (lines.back().terminated ? 1 : 0);
}

// A short, printable quote of a tag-file line for messages.
std::string Quote(std::string_view line) {
  constexpr size_t kMax = 80;
  std::string p = PrintablePath(line.substr(0, kMax));
  return fmt::format("\"{}{}\"", p, line.size() > kMax ? "…" : "");
}

// Splits "a<LWS>b": the first token and the rest after its run of whitespace. The token is
// empty when `s` starts with whitespace; `rest` is empty when there is no whitespace.
void SplitToken(std::string_view s, std::string_view* token, std::string_view* rest,
                bool* had_space) {
  size_t end = 0;
  while (end < s.size() && !IsLws(s[end])) ++end;
  *token = s.substr(0, end);
  size_t next = end;
  while (next < s.size() && IsLws(s[next])) ++next;
  *had_space = next > end;
  *rest = s.substr(next);
}

// Checks a file path as written in a manifest or fetch.txt. The check runs on the encoded
// form: decoding (RFC 8493 §2.1.3) only produces '%', LF and CR, none of which can form a
// '/', a ".." component, a leading '/' or '~', a drive letter or a backslash, so the
// decoded path is exactly as safe as the encoded one. Returns the reason, or "".
std::string UnsafeReason(std::string_view encoded) {
  Status s = CheckRelativePath(encoded);
  return s.ok() ? std::string() : s.what();
}

}  // namespace

void Problems::Error(std::string_view path, std::string_view code, std::string_view rule,
                     std::string message) {
  items_.push_back({PrintablePath(path), BagSeverity::kError, std::string(code), std::string(rule),
                    std::move(message), std::nullopt});
}

void Problems::Warning(std::string_view path, std::string_view code, std::string_view rule,
                       std::string message) {
  items_.push_back({PrintablePath(path), BagSeverity::kWarning, std::string(code),
                    std::string(rule), std::move(message), std::nullopt});
}

std::vector<TagLine> SplitTagLines(std::string_view text) {
  std::vector<TagLine> out;
  size_t i = 0;
  size_t number = 1;
  while (i < text.size()) {
    size_t j = text.find_first_of("\r\n", i);
    if (j == std::string_view::npos) {
      out.push_back({number, std::string(text.substr(i)), false});
      break;
    }
    out.push_back({number, std::string(text.substr(i, j - i)), true});
    i = (text[j] == '\r' && j + 1 < text.size() && text[j + 1] == '\n') ? j + 2 : j + 1;
    ++number;
  }
  return out;
}

std::optional<std::string> IconvToUtf8(std::string_view in, const char* encoding,
                                       size_t* bad_offset) {
  iconv_t cd = ::iconv_open("UTF-8", encoding);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    if (bad_offset != nullptr) *bad_offset = 0;
    return std::nullopt;
  }
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  size_t done = 0;
  bool ok = true;
  while (true) {
    char* dst = out.data() + done;
    size_t dst_left = out.size() - done;
    // A final call with no input flushes a stateful decoder (a dangling UTF-16 half).
    size_t r = src_left > 0 ? ::iconv(cd, &src, &src_left, &dst, &dst_left)
                            : ::iconv(cd, nullptr, nullptr, &dst, &dst_left);
    done = out.size() - dst_left;
    if (r == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      ok = false;
      break;
    }
    if (src_left == 0) break;
  }
  ::iconv_close(cd);
  if (!ok) {
    if (bad_offset != nullptr) *bad_offset = in.size() - src_left;
    return std::nullopt;
  }
  out.resize(done);
  return out;
}

bool EncodingKnown(const std::string& encoding) {
  if (encoding.empty()) return false;
  iconv_t cd = ::iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  ::iconv_close(cd);
  return true;
}

bool IsUtf8Name(std::string_view encoding) {
  return EqualsIgnoreCase(encoding, "UTF-8") || EqualsIgnoreCase(encoding, "UTF8");
}

Declaration ParseDeclaration(std::string_view bytes, Problems& problems) {
  constexpr std::string_view kPath = "bagit.txt";
  constexpr std::string_view kVersionLabel = "BagIt-Version";
  constexpr std::string_view kEncodingLabel = "Tag-File-Character-Encoding";
  Declaration d;
  std::string_view view = bytes;
  // RFC 8493 §2.1.1: the bag declaration MUST be UTF-8 and MUST NOT have a BOM.
  if (view.substr(0, 3) == "\xEF\xBB\xBF") {
    problems.Error(kPath, "declaration_bom", kRfcDeclaration,
                   "bagit.txt begins with a byte-order mark (EF BB BF), which the bag "
                   "declaration MUST NOT have: remove the first three bytes");
    view.remove_prefix(3);
  }
  if (size_t bad = FirstInvalidUtf8(view); bad != view.size()) {
    problems.Error(kPath, "declaration_not_utf8", kRfcDeclaration,
                   fmt::format("bagit.txt is not valid UTF-8 (byte 0x{:02X} at offset {}); the "
                               "bag declaration MUST be UTF-8",
                               static_cast<unsigned char>(view[bad]), bad));
  }
  std::vector<TagLine> lines = SplitTagLines(view);
  if (lines.empty()) {
    problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                   "bagit.txt is empty; it MUST consist of the two lines \"BagIt-Version: 1.0\" "
                   "and \"Tag-File-Character-Encoding: UTF-8\"");
    return d;
  }

  // Recognize the two elements leniently (label compared without case, whitespace around
  // the colon ignored), then hold each line to the exact form its version requires.
  struct Found {
    const TagLine* line = nullptr;
    std::string label_raw, value;
    size_t index = 0;
  };
  Found version, encoding;
  std::vector<const TagLine*> stray;
  for (size_t i = 0; i < lines.size(); ++i) {
    const TagLine& l = lines[i];
    size_t colon = l.text.find(':');
    std::string_view label = colon == std::string::npos
                                 ? std::string_view()
                                 : TrimLws(std::string_view(l.text).substr(0, colon));
    Found* slot = nullptr;
    if (EqualsIgnoreCase(label, kVersionLabel) && version.line == nullptr) slot = &version;
    if (EqualsIgnoreCase(label, kEncodingLabel) && encoding.line == nullptr) slot = &encoding;
    if (slot == nullptr) {
      stray.push_back(&l);
      continue;
    }
    slot->line = &l;
    slot->label_raw = l.text.substr(0, colon);
    slot->value = std::string(TrimLws(std::string_view(l.text).substr(colon + 1)));
    slot->index = i;
  }

  if (version.line == nullptr) {
    problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                   "bagit.txt has no \"BagIt-Version: M.N\" line; line 1 MUST be one");
  } else {
    d.version = version.value;
    size_t dot = d.version.find('.');
    auto major = ParseCount(std::string_view(d.version).substr(0, dot));
    auto minor = dot == std::string::npos ? std::nullopt
                                          : ParseCount(std::string_view(d.version).substr(dot + 1));
    if (!major || !minor || *major > 1000000 || *minor > 1000000) {
      problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                     fmt::format("BagIt-Version \"{}\" is not of the form M.N (e.g. 1.0)",
                                 PrintablePath(d.version)));
    } else {
      d.major = static_cast<int>(*major);
      d.minor = static_cast<int>(*minor);
      d.known_version = d.version == "1.0" || d.version == "0.97";  // "1.00" is not "1.0"
      d.v1 = d.major >= 1;
      if (!d.known_version) {
        problems.Error(kPath, "unknown_version", kRfcDeclaration,
                       fmt::format("BagIt-Version {} is not a version prodgate validates (0.97 "
                                   "and 1.0); the rest of the bag is checked with the {} rules, "
                                   "but the bag cannot be declared valid",
                                   PrintablePath(d.version), d.v1 ? "1.0" : "0.97"));
      }
    }
  }

  if (encoding.line == nullptr) {
    problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                   "bagit.txt has no \"Tag-File-Character-Encoding: ENCODING\" line; line 2 "
                   "MUST be one (tag files are read as UTF-8)");
  } else {
    d.encoding = encoding.value;
    d.known_encoding = EncodingKnown(d.encoding);
    if (!d.known_encoding) {
      problems.Error(kPath, "unknown_encoding", kRfcDeclaration,
                     fmt::format("Tag-File-Character-Encoding \"{}\" is not an encoding this "
                                 "system can decode (use an RFC 2978 name such as UTF-8); the "
                                 "tag files are read as UTF-8",
                                 PrintablePath(d.encoding)));
    } else if (!IsUtf8Name(d.encoding)) {
      d.utf8 = false;
      problems.Warning(kPath, "encoding_not_utf8", kRfcDeclaration,
                       fmt::format("tag files are declared {}; ENCODING SHOULD be UTF-8",
                                   PrintablePath(d.encoding)));
    }
  }

  // Exact form. RFC 8493 §2.1.1: exactly two lines, in this order. BagIt 1.0 writes each as
  // "Label: value" (a colon and one space, §2.2.2's element syntax); before 1.0, linear
  // whitespace around the colon MUST be accepted (§2.2.2).
  for (const TagLine* l : stray) {
    problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                   fmt::format("line {} {} is not part of the bag declaration, which MUST "
                               "consist of exactly two lines (BagIt-Version, then "
                               "Tag-File-Character-Encoding): remove it",
                               l->number, Quote(l->text)));
  }
  if (version.line != nullptr && encoding.line != nullptr && version.index > encoding.index) {
    problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                   "the lines of bagit.txt are out of order: BagIt-Version MUST be line 1 and "
                   "Tag-File-Character-Encoding line 2");
  }
  for (const Found* f : {&version, &encoding}) {
    if (f->line == nullptr) continue;
    std::string_view want = f == &version ? kVersionLabel : kEncodingLabel;
    const std::string& text = f->line->text;
    std::string_view label = TrimLws(f->label_raw);
    if (label != want) {
      problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                     fmt::format("line {} {}: the label MUST be written \"{}\"", f->line->number,
                                 Quote(text), want));
    }
    if (d.v1) {
      std::string_view after = std::string_view(text).substr(f->label_raw.size() + 1);
      bool exact = f->label_raw == label && after.size() >= 2 && IsLws(after[0]) &&
                   !IsLws(after[1]) && !IsLws(after.back());
      if (!exact) {
        problems.Error(kPath, "declaration_syntax", kRfcDeclaration,
                       fmt::format("line {} {}: BagIt 1.0 requires exactly \"{}: {}\" (one "
                                   "space after the colon, no other whitespace)",
                                   f->line->number, Quote(text), want, PrintablePath(f->value)));
      }
    }
  }
  if (!lines.back().terminated) {
    problems.Warning(kPath, "missing_line_terminator", kRfcTagFiles,
                     fmt::format("the last line of bagit.txt (line {}) has no line terminator "
                                 "(LF, CR or CRLF)",
                                 lines.back().number));
  }
  return d;
}

std::optional<std::string> DecodeTagFile(std::string_view bytes, const Declaration& decl,
                                         std::string_view path, Problems& problems) {
  if (decl.utf8 || !decl.known_encoding) {
    std::string_view view = bytes;
    // RFC 8493 §2.3: a tag file encoded in UTF-8 MUST NOT begin with a BOM.
    if (view.substr(0, 3) == "\xEF\xBB\xBF") {
      problems.Error(path, "tag_file_bom", kRfcTagFiles,
                     fmt::format("{} begins with a UTF-8 byte-order mark (EF BB BF), which a "
                                 "UTF-8 tag file MUST NOT have: remove the first three bytes "
                                 "(the file was read without them)",
                                 PrintablePath(path)));
      view.remove_prefix(3);
    }
    if (size_t bad = FirstInvalidUtf8(view); bad != view.size()) {
      problems.Error(path, "tag_file_encoding", kRfcTagFiles,
                     fmt::format("{} is declared UTF-8, but line {} is not (byte 0x{:02X} at "
                                 "offset {}): re-encode the file as UTF-8, or declare its "
                                 "encoding in bagit.txt",
                                 PrintablePath(path), LineOfOffset(view, bad),
                                 static_cast<unsigned char>(view[bad]), bad));
    }
    return std::string(view);
  }
  size_t bad = 0;
  auto text = IconvToUtf8(bytes, decl.encoding.c_str(), &bad);
  if (!text) {
    problems.Error(path, "tag_file_encoding", kRfcTagFiles,
                   fmt::format("{} does not decode as {} (declared in bagit.txt) at byte offset "
                               "{}: re-encode the file, or fix Tag-File-Character-Encoding; its "
                               "entries were not read",
                               PrintablePath(path), PrintablePath(decl.encoding), bad));
    return std::nullopt;
  }
  // The encoding's own signature (a UTF-16 BOM, when the declared name fixes the byte
  // order) decodes to U+FEFF: it marks the encoding, it is not text.
  if (text->compare(0, 3, "\xEF\xBB\xBF") == 0) text->erase(0, 3);
  return text;
}

std::vector<ManifestLine> ParseManifestText(std::string_view text, std::string_view manifest,
                                            size_t hex_length, Problems& problems) {
  const bool payload = manifest.substr(0, 9) == "manifest-";
  std::vector<ManifestLine> out;
  for (const TagLine& l : SplitTagLines(text)) {
    if (TrimLws(l.text).empty()) {
      // Not an entry and carries nothing; RFC 8493 §2.1.3 defines no blank lines.
      problems.Warning(manifest, "blank_line", kRfcManifest,
                       fmt::format("line {} is blank; ignored", l.number));
      continue;
    }
    std::string_view checksum, path;
    bool had_space = false;
    SplitToken(l.text, &checksum, &path, &had_space);
    // RFC 8493 §2.1.3: "checksum 1*LWSP filepath"; the path runs to the end of the line,
    // spaces included.
    if (checksum.empty() || !had_space || path.empty()) {
      problems.Error(manifest, "malformed_manifest_line", kRfcManifest,
                     fmt::format("line {} {} is not \"checksum filepath\" (a checksum, "
                                 "spaces or tabs, then the path)",
                                 l.number, Quote(l.text)));
      continue;
    }
    ManifestLine e;
    e.line = l.number;
    e.raw_path = std::string(path);
    // RFC 8493 §2.1.3: the hex MAY be upper or lower case; compare without case.
    e.checksum = std::string(checksum);
    std::transform(e.checksum.begin(), e.checksum.end(), e.checksum.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!IsHex(checksum) || (hex_length != 0 && checksum.size() != hex_length)) {
      problems.Error(manifest, "malformed_checksum", kRfcManifest,
                     hex_length != 0 ? fmt::format("line {}: checksum \"{}\" is not {} hex digits",
                                                   l.number, PrintablePath(checksum), hex_length)
                                     : fmt::format("line {}: checksum \"{}\" is not hexadecimal",
                                                   l.number, PrintablePath(checksum)));
      e.checksum.clear();  // never matches
    }
    std::string_view p = path;
    // RFC 8493 §6.1.3: md5sum's binary-mode marker. Implementations MAY ignore it but MUST
    // warn that the bag fails strict validation; prodgate checks the file without the '*'
    // and counts the line as an error, because strict validation is the verdict it gives.
    if (payload && p.size() > 1 && p[0] == '*' && p.substr(1, 5) == "data/") {
      e.md5sum_star = true;
      p.remove_prefix(1);
      problems.Error(manifest, "md5sum_binary_marker", kRfcMd5sum,
                     fmt::format("line {}: path {} starts with md5sum's binary-mode '*'; the "
                                 "file is checked as \"{}\", but the bag fails strict "
                                 "validation: remove the '*'",
                                 l.number, Quote(path), PrintablePath(p)));
    }
    // A leading "./" names the same file (bagit-java lints it as LEADING_DOT_SLASH).
    if (p.substr(0, 2) == "./") {
      e.dot_slash = true;
      while (p.substr(0, 2) == "./") p.remove_prefix(2);
      problems.Warning(manifest, "leading_dot_slash", kRfcManifest,
                       fmt::format("line {}: path {} starts with \"./\"; read as \"{}\"", l.number,
                                   Quote(path), PrintablePath(p)));
    }
    // RFC 8493 §5.1 (never touch files outside the bag) and §2.1.3 ('/' is the separator).
    e.unsafe = UnsafeReason(p);
    if (!e.unsafe.empty()) {
      problems.Error(manifest, "unsafe_path", kRfcPaths,
                     fmt::format("line {}: {}; prodgate never opens it", l.number, e.unsafe));
    }
    DecodedBagPath decoded = PercentDecodeBagPath(p);
    e.path = std::move(decoded.path);
    e.stray_percent = decoded.stray_percent;
    if (e.stray_percent) {
      problems.Warning(manifest, "unencoded_percent", kRfcManifest,
                       fmt::format("line {}: a '%' in {} is not followed by 25, 0A or 0D, so it "
                                   "is read literally; RFC 8493 §2.1.3 requires '%' to be "
                                   "written %25",
                                   l.number, Quote(path)));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<BagInfoElement> ParseBagInfoText(std::string_view text, bool v1, Problems& problems) {
  constexpr std::string_view kPath = "bag-info.txt";
  std::vector<BagInfoElement> out;
  for (const TagLine& l : SplitTagLines(text)) {
    if (l.text.empty()) {
      problems.Warning(kPath, "blank_line", kRfcBagInfo,
                       fmt::format("line {} is blank; ignored", l.number));
      continue;
    }
    // RFC 8493 §2.2.2: a value continues on lines indented with spaces or tabs; the
    // indentation is not part of the value, the line break is.
    if (IsLws(l.text[0])) {
      if (out.empty()) {
        problems.Error(kPath, "malformed_bag_info_line", kRfcBagInfo,
                       fmt::format("line {} is indented (a continuation) but no element "
                                   "precedes it",
                                   l.number));
      } else {
        out.back().value += "\n";
        out.back().value += TrimLws(l.text);
      }
      continue;
    }
    size_t colon = l.text.find(':');
    if (colon == std::string::npos) {
      problems.Error(kPath, "malformed_bag_info_line", kRfcBagInfo,
                     fmt::format("line {} {} has no ':'; an element is \"Label: value\" and a "
                                 "continuation line starts with a space or tab",
                                 l.number, Quote(l.text)));
      continue;
    }
    std::string_view label_raw = std::string_view(l.text).substr(0, colon);
    std::string_view rest = std::string_view(l.text).substr(colon + 1);
    std::string_view label = TrimLws(label_raw);
    if (label.empty()) {
      problems.Error(kPath, "malformed_bag_info_line", kRfcBagInfo,
                     fmt::format("line {} {} has an empty label", l.number, Quote(l.text)));
      continue;
    }
    BagInfoElement e;
    e.line = l.number;
    e.label = std::string(label);
    if (v1) {
      // "a label, a colon, a single linear whitespace character, and a value"; the label
      // MUST NOT start or end with whitespace.
      if (label_raw != label) {
        problems.Error(kPath, "malformed_bag_info_line", kRfcBagInfo,
                       fmt::format("line {} {}: the label ends with whitespace, which BagIt 1.0 "
                                   "does not allow",
                                   l.number, Quote(l.text)));
      }
      if (rest.empty() || !IsLws(rest[0])) {
        problems.Error(kPath, "malformed_bag_info_line", kRfcBagInfo,
                       fmt::format("line {} {}: BagIt 1.0 requires one space or tab after the "
                                   "colon",
                                   l.number, Quote(l.text)));
        e.value = std::string(rest);
      } else {
        e.value = std::string(rest.substr(1));
      }
    } else {
      e.value = std::string(TrimLws(rest));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<FetchItem> ParseFetchText(std::string_view text, Problems& problems) {
  constexpr std::string_view kPath = "fetch.txt";
  std::vector<FetchItem> out;
  for (const TagLine& l : SplitTagLines(text)) {
    if (TrimLws(l.text).empty()) {
      problems.Warning(kPath, "blank_line", kRfcFetch,
                       fmt::format("line {} is blank; ignored", l.number));
      continue;
    }
    std::string_view url, after_url, length, path;
    bool space1 = false, space2 = false;
    SplitToken(l.text, &url, &after_url, &space1);
    SplitToken(after_url, &length, &path, &space2);
    // RFC 8493 §2.2.3: "url 1*LWSP length 1*LWSP filepath".
    if (url.empty() || !space1 || length.empty() || !space2 || path.empty()) {
      problems.Error(
          kPath, "malformed_fetch_line", kRfcFetch,
          fmt::format("line {} {} is not \"url length filepath\"", l.number, Quote(l.text)));
      continue;
    }
    FetchItem f;
    f.line = l.number;
    f.url = std::string(url);
    f.raw_path = std::string(path);
    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'.
    size_t colon = url.find(':');
    bool scheme_ok =
        colon != std::string_view::npos && colon > 0 &&
        std::isalpha(static_cast<unsigned char>(url[0])) &&
        std::all_of(url.begin(), url.begin() + static_cast<ptrdiff_t>(colon), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    if (!scheme_ok) {
      problems.Error(
          kPath, "malformed_fetch_line", kRfcFetch,
          fmt::format("line {}: {} is not a URL (no scheme such as https:)", l.number, Quote(url)));
    } else if (EqualsIgnoreCase(url.substr(0, colon), "file")) {
      problems.Warning(kPath, "fetch_url_local", kRfcFetchUrls,
                       fmt::format("line {}: {} names a local file; prodgate never fetches, but "
                                   "a tool that does would read outside the bag",
                                   l.number, Quote(url)));
    }
    if (length != "-") {
      f.length = ParseCount(length);
      if (!f.length) {
        problems.Error(kPath, "malformed_fetch_line", kRfcFetch,
                       fmt::format("line {}: length {} is neither a byte count nor \"-\"", l.number,
                                   Quote(length)));
      }
    }
    f.unsafe = UnsafeReason(path);
    if (!f.unsafe.empty()) {
      problems.Error(kPath, "unsafe_path", kRfcPaths,
                     fmt::format("line {}: {}; prodgate never opens it", l.number, f.unsafe));
    }
    DecodedBagPath decoded = PercentDecodeBagPath(path);
    f.path = std::move(decoded.path);
    f.stray_percent = decoded.stray_percent;
    if (f.stray_percent) {
      problems.Warning(kPath, "unencoded_percent", kRfcFetch,
                       fmt::format("line {}: a '%' in {} is not followed by 25, 0A or 0D, so it "
                                   "is read literally; '%' MUST be written %25",
                                   l.number, Quote(path)));
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<Oxum> ParseOxum(std::string_view value) {
  size_t dot = value.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto octets = ParseCount(value.substr(0, dot));
  auto streams = ParseCount(value.substr(dot + 1));
  if (!octets || !streams) return std::nullopt;
  return Oxum{*octets, *streams};
}

}  // namespace bagit
}  // namespace prodgate::seal
