// Internals of the BagIt module shared by its .cc files (bagit_parse.cc, bagit_hash.cc,
// bagit_explain.cc, bagit_verify.cc, bagit_write.cc). Not an API: the public one is
// bagit.h. Exposed in a header so that the tag-file parsers can be tested on bytes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/status.h"
#include "seal/bagit.h"

namespace prodgate::seal::bagit {

// Where each rule comes from; every problem names one of these.
inline constexpr std::string_view kRfcDeclaration = "RFC 8493 §2.1.1";
inline constexpr std::string_view kRfcPayloadDir = "RFC 8493 §2.1.2";
inline constexpr std::string_view kRfcManifest = "RFC 8493 §2.1.3";
inline constexpr std::string_view kRfcTagManifest = "RFC 8493 §2.2.1";
inline constexpr std::string_view kRfcBagInfo = "RFC 8493 §2.2.2";
inline constexpr std::string_view kRfcFetch = "RFC 8493 §2.2.3";
inline constexpr std::string_view kRfcTagFiles = "RFC 8493 §2.3";
inline constexpr std::string_view kRfcAlgorithms = "RFC 8493 §2.4";
inline constexpr std::string_view kRfcComplete = "RFC 8493 §3";
inline constexpr std::string_view kRfcPaths = "RFC 8493 §5.1";
inline constexpr std::string_view kRfcFetchUrls = "RFC 8493 §5.2";
inline constexpr std::string_view kRfcNames = "RFC 8493 §6.1.1.3";
inline constexpr std::string_view kRfcMd5sum = "RFC 8493 §6.1.3";
inline constexpr std::string_view kProdgate = "prodgate";

class Problems {
 public:
  void Error(std::string_view path, std::string_view code, std::string_view rule,
             std::string message);
  void Warning(std::string_view path, std::string_view code, std::string_view rule,
               std::string message);
  void Add(BagProblem p) { items_.push_back(std::move(p)); }
  std::vector<BagProblem>& items() { return items_; }
  const std::vector<BagProblem>& items() const { return items_; }

 private:
  std::vector<BagProblem> items_;
};

// ---- Tag files (bagit_parse.cc) ----

// One line of a text tag file. RFC 8493 §2.3: a line ends with LF, CR or CRLF.
struct TagLine {
  size_t number = 0;  // 1-based
  std::string text;   // without its terminator
  bool terminated = true;
};
// Splits `text` into lines; text after the last terminator is a line with terminated=false
// (nothing after it: no such line).
std::vector<TagLine> SplitTagLines(std::string_view text);

struct Declaration {
  std::string version;   // as written, "" when no BagIt-Version line was recognized
  std::string encoding;  // as written, "" when none
  int major = -1, minor = -1;
  bool known_version = false;   // 0.97 or 1.0
  bool known_encoding = false;  // iconv can decode it
  bool utf8 = true;             // the encoding is UTF-8
  // The rules applied to the rest of the bag: 1.0 unless the bag declares a version < 1.0.
  bool v1 = true;
};
// Parses bagit.txt (RFC 8493 §2.1.1 and §2.3) and records every deviation in `problems`.
Declaration ParseDeclaration(std::string_view bytes, Problems& problems);

// True when iconv can convert `encoding` to UTF-8.
bool EncodingKnown(const std::string& encoding);
bool IsUtf8Name(std::string_view encoding);

// Decodes a text tag file to UTF-8 as bagit.txt declares (RFC 8493 §2.3): a UTF-8 file
// must not begin with a BOM (error; the BOM is skipped and the file read), other encodings
// go through iconv (a leading U+FEFF, the encoding's own signature, is dropped). Returns
// nullopt when the bytes do not decode; the problem names the first bad byte.
std::optional<std::string> DecodeTagFile(std::string_view bytes, const Declaration& decl,
                                         std::string_view path, Problems& problems);

struct ManifestLine {
  size_t line = 0;
  std::string checksum;  // lowercased
  std::string raw_path;  // as written (percent-encoded)
  std::string path;      // decoded, after the lenient fixes below
  bool stray_percent = false;
  bool md5sum_star = false;  // "*data/x": md5sum's binary marker was removed
  bool dot_slash = false;    // "./data/x": the leading "./" was removed
  std::string unsafe;        // non-empty: why the path is refused (never opened)
};

// Parses a (tag) manifest's text: "checksum 1*LWS filepath" per line (RFC 8493 §2.1.3).
// `hex_length` is the digest length of a supported algorithm, 0 for an unknown one.
std::vector<ManifestLine> ParseManifestText(std::string_view text, std::string_view manifest,
                                            size_t hex_length, Problems& problems);

struct BagInfoElement {
  size_t line = 0;
  std::string label;
  std::string value;  // continuation lines joined with "\n", their indentation removed
};
// Parses bag-info.txt (RFC 8493 §2.2.2). `v1`: BagIt 1.0 label syntax; earlier versions
// accept any linear whitespace around the colon.
std::vector<BagInfoElement> ParseBagInfoText(std::string_view text, bool v1, Problems& problems);

struct FetchItem {
  size_t line = 0;
  std::string url;
  std::optional<uint64_t> length;  // nullopt for "-"
  std::string raw_path;
  std::string path;
  bool stray_percent = false;
  std::string unsafe;
};
// Parses fetch.txt (RFC 8493 §2.2.3): "url 1*LWS length 1*LWS filepath" per line.
std::vector<FetchItem> ParseFetchText(std::string_view text, Problems& problems);

// Payload-Oxum "OctetCount.StreamCount".
struct Oxum {
  uint64_t octets = 0;
  uint64_t streams = 0;
};
std::optional<Oxum> ParseOxum(std::string_view value);

// Converts `in` from `encoding` to UTF-8 with iconv. On failure, nullopt and `bad_offset`
// receives the offset of the first byte that does not decode.
std::optional<std::string> IconvToUtf8(std::string_view in, const char* encoding,
                                       size_t* bad_offset = nullptr);

// ---- Hashing (bagit_hash.cc) ----

constexpr size_t Index(BagAlgorithm a) { return static_cast<size_t>(a); }
size_t HexLength(BagAlgorithm a);

// A set of algorithms, one bit per BagAlgorithm.
struct AlgorithmSet {
  unsigned bits = 0;
  void Add(BagAlgorithm a) { bits |= 1u << Index(a); }
  bool Has(BagAlgorithm a) const { return (bits >> Index(a)) & 1u; }
  bool empty() const { return bits == 0; }
};

using HexDigests = std::array<std::string, 4>;  // by Index(); empty when not computed

// Feeds one stream of bytes into every algorithm of a set.
class MultiHasher {
 public:
  explicit MultiHasher(AlgorithmSet algorithms);
  ~MultiHasher();
  MultiHasher(const MultiHasher&) = delete;
  MultiHasher& operator=(const MultiHasher&) = delete;
  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes);
  HexDigests Finish();

 private:
  std::array<void*, 4> ctx_{};  // EVP_MD_CTX*, by Index()
};

std::string HexDigestOf(BagAlgorithm a, std::string_view bytes);

struct HashJob {
  std::string path;
  uint64_t size = 0;  // for scheduling and progress
  AlgorithmSet algorithms;
};
struct HashedFile {
  uint64_t size = 0;
  HexDigests hex;
};
// Reads each file once (opened without following symlinks; refused when it is not a
// regular file or changes while read) and computes all its algorithms. Runs on every core,
// largest files first. results[i] belongs to jobs[i].
std::vector<Result<HashedFile>> HashAll(const std::vector<HashJob>& jobs, Progress* progress);

// HashAll for one file, with the caller's read buffer.
Result<HashedFile> HashFile(const std::string& path, AlgorithmSet algorithms,
                            std::span<uint8_t> buffer, Progress* progress);

// False when this OpenSSL cannot compute the algorithm (MD5 and SHA-1 under a FIPS-only
// configuration): its manifests are then treated like those of an unknown algorithm.
bool AlgorithmAvailable(BagAlgorithm a);

// ---- The packet tree digest (bagit_write.cc; definition in bagit.h) ----

struct TreeDigestEntry {
  std::string path;  // bag-relative, not encoded
  std::string sha256_hex;
  uint64_t size = 0;
};
// Sorts `entries` by encoded path and hashes their lines.
Digest TreeDigestOf(std::vector<TreeDigestEntry> entries);
// bag-info.txt's bytes without the lines that record the packet tree digest.
std::string WithoutTreeDigestLines(std::string_view bag_info);
// "tagmanifest-<anything>.txt" in the bag's base directory.
bool IsTagManifestPath(std::string_view path);

// ---- Explaining a changed file (bagit_explain.cc) ----

// Files up to this size are reconstructed by inverse transforms in memory.
inline constexpr uint64_t kMaxDeriveBytes = uint64_t{16} << 20;

struct ExpectedDigest {
  BagAlgorithm algorithm;
  std::string hex;  // lowercase
};

// Fills change.classes/notes/first_difference/original_* for the file at `current_path`
// whose bytes match none of `expected`. `against_path`: the same path in an original copy of
// the bag. `original_size_hint`: the size the file must have had (from Payload-Oxum).
void ExplainChange(const std::string& current_path, const std::vector<ExpectedDigest>& expected,
                   const std::optional<std::string>& against_path,
                   std::optional<uint64_t> original_size_hint, BagContentChange& change);

// The candidate originals of `current`: byte strings from which `current` follows by one
// common change, each with a description of the undoing ("line endings made LF, BOM
// removed"). Never `current` itself. In order: line endings (as is, LF, CRLF) × final line
// ending (as is, toggled) × BOM (as is, toggled); then NFC, NFD, JSON \u escapes of
// non-ASCII code points written as UTF-8; for bytes that are not UTF-8 text, the UTF-8
// decoding from UTF-16 (BOM; else LE and BE), Windows-1252 and Latin-1, each also with LF
// line endings and with a BOM.
using CandidateVisitor = std::function<bool(const std::string& bytes, const std::string& how)>;
// Offers each candidate to `visit`, one at a time, until it returns true; returns whether
// it did.
bool ForEachCandidateOriginal(std::string_view current, const CandidateVisitor& visit);

struct Candidate {
  std::string bytes;
  std::string how;
};
// Every candidate, collected (for tests).
std::vector<Candidate> CandidateOriginals(std::string_view current);

}  // namespace prodgate::seal::bagit
