#include "seal/drift.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <iconv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/file_io.h"
#include "core/unicode.h"

namespace prodgate::seal {
namespace {

// Converts `in` from `encoding` to UTF-8 with iconv; nullopt if it does not decode.
std::optional<std::string> DecodeToUtf8(std::string_view in, const char* encoding) {
  iconv_t cd = ::iconv_open("UTF-8", encoding);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  size_t done = 0;
  bool ok = true;
  while (src_left > 0) {
    char* dst = out.data() + done;
    size_t dst_left = out.size() - done;
    size_t r = ::iconv(cd, &src, &src_left, &dst, &dst_left);
    done = out.size() - dst_left;
    if (r == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      ok = false;
      break;
    }
  }
  ::iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
}

struct EncodingGuess {
  const char* iconv_name;
  const char* label;
};

// Encodings a UTF-8 text file is commonly re-saved in, most specific first.
std::vector<EncodingGuess> CandidateEncodings(std::string_view b) {
  std::vector<EncodingGuess> out;
  auto starts = [&](std::string_view p) { return b.substr(0, p.size()) == p; };
  if (starts(std::string_view("\xFF\xFE\0\0", 4))) out.push_back({"UTF-32LE", "UTF-32LE with BOM"});
  if (starts(std::string_view("\0\0\xFE\xFF", 4))) out.push_back({"UTF-32BE", "UTF-32BE with BOM"});
  if (starts("\xFF\xFE")) out.push_back({"UTF-16LE", "UTF-16LE with BOM"});
  if (starts("\xFE\xFF")) out.push_back({"UTF-16BE", "UTF-16BE with BOM"});
  if (out.empty() && b.size() % 2 == 0 && !b.empty()) {
    out.push_back({"UTF-16LE", "UTF-16LE"});
    out.push_back({"UTF-16BE", "UTF-16BE"});
  }
  out.push_back({"WINDOWS-1252", "Windows-1252"});
  out.push_back({"ISO-8859-1", "Latin-1 (ISO-8859-1)"});
  return out;
}

// A read-only mapping of a whole file (empty files map to an empty view).
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    size_ = static_cast<size_t>(st.st_size);
    ok_ = true;
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) {
      ok_ = false;
      return;
    }
    data_ = static_cast<const char*>(p);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  bool ok() const { return ok_; }
  std::string_view view() const { return data_ ? std::string_view(data_, size_) : ""; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool ok_ = false;
};

bool SameEolStyle(const EolCounts& a, const EolCounts& b) {
  if (a.lf + a.crlf + a.cr == 0 || b.lf + b.crlf + b.cr == 0) return true;
  return (a.lf > 0) == (b.lf > 0) && (a.crlf > 0) == (b.crlf > 0) && (a.cr > 0) == (b.cr > 0);
}

std::string DescribeAt(std::string_view s, size_t pos) {
  if (pos >= s.size()) return "end of file";
  size_t len = 1;
  auto cp = DecodeUtf8At(s, pos, &len);
  if (!cp) return fmt::format("byte 0x{:02X}", static_cast<unsigned char>(s[pos]));
  return DescribeCodePoint(*cp);
}

}  // namespace

std::string_view DriftClassName(DriftClass c) {
  switch (c) {
    case DriftClass::kMissing:
      return "missing";
    case DriftClass::kUnsealed:
      return "unsealed";
    case DriftClass::kTypeChanged:
      return "type_changed";
    case DriftClass::kModeChanged:
      return "mode_changed";
    case DriftClass::kEolChanged:
      return "eol_changed";
    case DriftClass::kBomAdded:
      return "bom_added";
    case DriftClass::kBomRemoved:
      return "bom_removed";
    case DriftClass::kFinalNewlineChanged:
      return "final_newline_changed";
    case DriftClass::kEncodingChanged:
      return "encoding_changed";
    case DriftClass::kJsonReencoded:
      return "json_reencoded";
    case DriftClass::kUnicodeNormalization:
      return "unicode_normalization";
    case DriftClass::kUnicodeTypography:
      return "unicode_typography";
    case DriftClass::kTruncated:
      return "truncated";
    case DriftClass::kAppended:
      return "appended";
    case DriftClass::kContentChanged:
      return "content_changed";
  }
  return "content_changed";
}

void Diagnosis::Add(DriftClass c) {
  if (!Has(c)) classes.push_back(c);
}

bool Diagnosis::Has(DriftClass c) const {
  return std::find(classes.begin(), classes.end(), c) != classes.end();
}

std::optional<FirstDifference> LocateFirstDifference(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  auto mismatch = std::mismatch(a.begin(), a.begin() + static_cast<ptrdiff_t>(n), b.begin());
  size_t offset = static_cast<size_t>(mismatch.first - a.begin());
  if (offset == n && a.size() == b.size()) return std::nullopt;
  // Back up to the start of the character that contains the first differing byte; the
  // bytes before `offset` are shared, so the start is the same on both sides.
  auto continuation = [](std::string_view s, size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  size_t start = offset;
  while (start > 0 && (continuation(a, start) || continuation(b, start))) --start;
  std::string_view prefix = a.substr(0, start);
  FirstDifference d;
  d.offset = start;
  d.line = 1 + static_cast<uint64_t>(std::count(prefix.begin(), prefix.end(), '\n'));
  size_t line_start = prefix.rfind('\n');
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  uint64_t column = 1;
  for (size_t i = line_start; i < start;) {
    size_t len = 1;
    DecodeUtf8At(a, i, &len);
    i += len;
    ++column;
  }
  d.column = column;
  d.sealed = DescribeAt(a, start);
  d.current = DescribeAt(b, start);
  return d;
}

std::optional<FirstDifference> LocateFirstDifferenceInFiles(const std::string& sealed_path,
                                                            const std::string& current_path) {
  MappedFile a(sealed_path), b(current_path);
  if (!a.ok() || !b.ok()) return std::nullopt;
  return LocateFirstDifference(a.view(), b.view());
}

std::string DescribeFirstDifference(const FirstDifference& d) {
  return fmt::format("{}:{}: {} → {}", d.line, d.column, d.sealed, d.current);
}

Diagnosis DiagnoseContent(const FileFacts& s, const FileFacts& c, const std::string& current_path,
                          const std::optional<std::string>& sealed_bytes_path) {
  Diagnosis d;
  bool explained = false;
  if (s.size != c.size) d.notes.push_back(fmt::format("size {} → {} bytes", s.size, c.size));

  if (s.text && c.text) {
    const TextFacts& st = *s.text;
    const TextFacts& ct = *c.text;
    // Flags that accompany a layer which explains the change. Line endings count as
    // changed when their style differs (the kinds in use), not their number: adding a
    // final newline or pretty-printing JSON adds lines without changing the style.
    auto flags = [&] {
      if (st.bom != ct.bom) {
        d.Add(ct.bom ? DriftClass::kBomAdded : DriftClass::kBomRemoved);
        d.notes.push_back(ct.bom ? "UTF-8 BOM added" : "UTF-8 BOM removed");
      }
      if (!SameEolStyle(st.eol, ct.eol)) {
        d.Add(DriftClass::kEolChanged);
        d.notes.push_back(
            fmt::format("line endings {} → {}", DescribeEol(st.eol), DescribeEol(ct.eol)));
      }
    };
    if (ct.lf_sha256 == st.lf_sha256) {
      // Same text: what differs is the BOM and/or where which line ending is used.
      flags();
      if (!d.Has(DriftClass::kEolChanged) && st.eol != ct.eol) {
        d.Add(DriftClass::kEolChanged);
        d.notes.push_back(
            fmt::format("line endings {} → {}", DescribeEol(st.eol), DescribeEol(ct.eol)));
      } else if (st.bom == ct.bom && st.eol == ct.eol) {
        d.Add(DriftClass::kEolChanged);
        d.notes.push_back("line endings moved between lines (same counts of each kind)");
      }
      explained = true;
    } else if (c.lf_toggled_sha256 && *c.lf_toggled_sha256 == st.lf_sha256) {
      d.Add(DriftClass::kFinalNewlineChanged);
      d.notes.push_back(st.final_newline ? "final newline removed" : "final newline added");
      flags();
      explained = true;
    } else if (st.nfc_sha256 && ct.nfc_sha256 && *st.nfc_sha256 == *ct.nfc_sha256) {
      d.Add(DriftClass::kUnicodeNormalization);
      d.notes.push_back(fmt::format("same text after NFC; sealed text {} NFC, current {}",
                                    st.nfc ? "was" : "was not", ct.nfc ? "is" : "is not"));
      flags();
      explained = true;
    } else if (st.fold_sha256 && ct.fold_sha256 && *st.fold_sha256 == *ct.fold_sha256) {
      d.Add(DriftClass::kUnicodeTypography);
      d.notes.push_back(
          "same text after folding typographic characters (dashes, curly quotes, non-breaking "
          "spaces, ellipsis)");
      if (st.nfc != ct.nfc) d.Add(DriftClass::kUnicodeNormalization);
      flags();
      explained = true;
    } else if (st.json_sha256 && ct.json_sha256 && *st.json_sha256 == *ct.json_sha256) {
      d.Add(DriftClass::kJsonReencoded);
      d.notes.push_back(
          "same JSON value (equal RFC 8785 canonical form); re-encoded: escapes, key order or "
          "whitespace");
      flags();
      explained = true;
    }
    if (!explained) {
      if (st.bom != ct.bom) d.notes.push_back(ct.bom ? "also a BOM added" : "also the BOM removed");
      if (!SameEolStyle(st.eol, ct.eol)) {
        d.notes.push_back(
            fmt::format("also line endings {} → {}", DescribeEol(st.eol), DescribeEol(ct.eol)));
      }
    }
  } else if (s.text && !c.text && c.size <= kMaxJsonBytes) {
    auto bytes = ReadFile(current_path, kMaxJsonBytes);
    if (bytes.ok()) {
      for (const auto& guess : CandidateEncodings(*bytes)) {
        auto decoded = DecodeToUtf8(*bytes, guess.iconv_name);
        if (!decoded) continue;
        FileFacts f = FactsOfBytes(*decoded);
        if (f.text && f.text->lf_sha256 == s.text->lf_sha256) {
          d.Add(DriftClass::kEncodingChanged);
          d.notes.push_back(fmt::format(
              "no longer UTF-8: the file is now {} and decodes to the sealed text", guess.label));
          explained = true;
          break;
        }
      }
    }
  }

  if (c.size > s.size && c.prefix_sha256 && *c.prefix_sha256 == s.sha256) {
    d.Add(DriftClass::kAppended);
    d.notes.push_back(fmt::format("{} bytes appended after the sealed bytes", c.size - s.size));
    explained = true;
  }
  if (c.size < s.size && sealed_bytes_path) {
    AlignedBuffer buf(1 << 18);
    auto sealed_prefix = FactsOfFile(*sealed_bytes_path, FactsOptions::Raw(c.size), buf.span());
    if (sealed_prefix.ok() && sealed_prefix->prefix_sha256 &&
        *sealed_prefix->prefix_sha256 == c.sha256) {
      d.Add(DriftClass::kTruncated);
      d.notes.push_back(fmt::format("{} bytes cut from the end", s.size - c.size));
      explained = true;
    }
  }
  if (!explained) d.Add(DriftClass::kContentChanged);
  if (sealed_bytes_path)
    d.first_difference = LocateFirstDifferenceInFiles(*sealed_bytes_path, current_path);
  return d;
}

}  // namespace prodgate::seal
