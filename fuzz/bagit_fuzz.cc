// The BagIt tag-file parsers (seal/bagit_internal.h, bagit_parse.cc): bagit.txt,
// manifest-<alg>.txt and tagmanifest-<alg>.txt, bag-info.txt, fetch.txt, Payload-Oxum and
// the percent-encoding of paths.
//
// Input: one selector byte, then the bytes of a tag file. The selector picks the file
// (low 3 bits) and the encoding bagit.txt declares for it (the rest, modulo the list
// below); the file is decoded as VerifyBag decodes it (DecodeTagFile) and parsed. The bytes
// after the selector are also parsed as a bagit.txt.
//
// Properties: nothing throws or aborts; decoded tag files are UTF-8; every manifest or
// fetch.txt path that is not flagged unsafe stays inside the bag once decoded (the
// promise of RFC 8493 §5.1 in bagit.h: a path not flagged is one VerifyBag may open);
// checksums are lowercase hex of the algorithm's length or empty; bag-info labels are one
// line without ':'; percent-encoding round-trips; Payload-Oxum values round-trip.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>

#include "core/path_rules.h"
#include "core/unicode.h"
#include "fuzz/fuzz_util.h"
#include "seal/bagit_internal.h"

using namespace prodgate;
using namespace prodgate::seal;

namespace {

constexpr const char* kEncodings[] = {"UTF-8",      "UTF-16",   "UTF-16LE",
                                      "ISO-8859-1", "UTF-32BE", "no-such-encoding"};

// A path decoded from a manifest or fetch.txt line that was not flagged unsafe: no '/' at
// the start, no empty, "." or ".." component, no backslash, NUL, '~' or drive letter at the
// start. LF and CR may appear (RFC 8493 §2.1.3 encodes them).
void CheckInsideBag(const std::string& decoded, const std::string& raw) {
  std::string p = decoded;
  for (char& c : p) {
    if (c == '\n' || c == '\r') c = '_';
  }
  Status s = CheckRelativePath(p);
  FUZZ_CHECK(s.ok(), fmt::format("path {} not flagged unsafe but decodes to {}: {}",
                                 PrintablePath(raw), PrintablePath(decoded), s.what()));
}

void CheckChecksum(const std::string& checksum, size_t hex_length) {
  if (checksum.empty()) return;
  for (char c : checksum) {
    FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "checksum not lowercase hex");
  }
  FUZZ_CHECK(hex_length == 0 || checksum.size() == hex_length, "checksum of the wrong length");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  std::string_view bytes = fuzz::AsText(data + 1, size - 1);

  bagit::Problems problems;
  bagit::Declaration as_declaration = bagit::ParseDeclaration(bytes, problems);
  if (as_declaration.known_version) {
    FUZZ_CHECK(as_declaration.version == "1.0" || as_declaration.version == "0.97",
               "unknown version taken as known: " + as_declaration.version);
  }

  const char* encoding = kEncodings[(selector >> 3) % std::size(kEncodings)];
  const unsigned file = selector & 7;
  bagit::Declaration decl =
      bagit::ParseDeclaration(fmt::format("BagIt-Version: {}\nTag-File-Character-Encoding: {}\n",
                                          file == 5 ? "0.97" : "1.0", encoding),
                              problems);
  std::optional<std::string> text = bagit::DecodeTagFile(bytes, decl, "tagfile.txt", problems);
  if (!text) return 0;
  if (decl.utf8 || !decl.known_encoding) {
    std::string_view expect = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? bytes.substr(3) : bytes;
    FUZZ_CHECK(*text == expect, "UTF-8 tag file changed by decoding");
  } else {
    FUZZ_CHECK(IsValidUtf8(*text), fmt::format("{} decoded to invalid UTF-8", encoding));
  }

  switch (file) {
    case 0:
    case 1:
    case 2:
    case 3: {
      static constexpr const char* kNames[] = {"manifest-sha256.txt", "manifest-md5.txt",
                                               "tagmanifest-sha512.txt", "manifest-blake3.txt"};
      static constexpr size_t kHex[] = {64, 32, 128, 0};
      for (const auto& line : bagit::ParseManifestText(*text, kNames[file], kHex[file], problems)) {
        CheckChecksum(line.checksum, kHex[file]);
        if (line.unsafe.empty()) CheckInsideBag(line.path, line.raw_path);
      }
      break;
    }
    case 4:
    case 5:
      for (const auto& e : bagit::ParseBagInfoText(*text, decl.v1, problems)) {
        FUZZ_CHECK(!e.label.empty(), "empty bag-info label");
        FUZZ_CHECK(e.label.find_first_of(":\r\n") == std::string::npos,
                   "bag-info label holds ':' or a line break: " + PrintablePath(e.label));
        FUZZ_CHECK(e.value.find('\r') == std::string::npos, "bag-info value holds CR");
      }
      break;
    case 6:
      for (const auto& f : bagit::ParseFetchText(*text, problems)) {
        FUZZ_CHECK(!f.url.empty(), "fetch item without a URL");
        if (f.unsafe.empty()) CheckInsideBag(f.path, f.raw_path);
      }
      break;
    case 7: {
      DecodedBagPath round = PercentDecodeBagPath(PercentEncodeBagPath(*text));
      FUZZ_CHECK(round.path == *text && !round.stray_percent,
                 "percent-encoding does not round-trip");
      if (auto oxum = bagit::ParseOxum(*text)) {
        auto again = bagit::ParseOxum(fmt::format("{}.{}", oxum->octets, oxum->streams));
        FUZZ_CHECK(again && again->octets == oxum->octets && again->streams == oxum->streams,
                   "Payload-Oxum does not round-trip");
      }
      break;
    }
  }
  for (const auto& p : problems.items()) {
    FUZZ_CHECK(!p.code.empty() && !p.message.empty(), "a problem without code or message");
  }
  return 0;
}
