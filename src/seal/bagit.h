// BagIt (RFC 8493): the validator of any bag (BagIt 0.97 and 1.0) and the writer of the bags
// prodgate's evidence packets are (DESIGN.md §3.3, §3.9; docs/packets.md lists every check
// with its RFC section).
//
// VerifyBag reads a bag the way an auditor would: it reports every problem it finds, per
// file, as an error or a warning, and never stops at the first one or at a summary check
// (a wrong Payload-Oxum is reported next to the files that explain it, never instead of
// them). It never fetches anything (fetch.txt items that are absent make the bag
// incomplete), never follows a symlink, and never opens a path a manifest names unless the
// directory walk found a regular file at exactly that path inside the bag: a manifest line
// like "data/../../etc/passwd" is reported, never read (RFC 8493 §5.1).
//
// Every file is read once, on every core, for all the digest algorithms its manifests use
// (md5, sha1, sha256, sha512 through OpenSSL EVP). A file whose bytes differ from its
// manifest entries is then explained with the drift diagnosis of seal/drift.h when the
// original bytes can be known: from the same path under `against` (an original copy of the
// bag, used only after its digests match the manifest), or reconstructed from the current
// bytes by one inverse transform whose digest matches the manifest (see bagit_explain.cc:
// CRLF → LF, a BOM removed, NFD → NFC, JSON \u escapes undone, UTF-16 decoded, ...).
//
// WriteBag writes a BagIt 1.0 bag deterministically (see BagSpec) into a fresh temporary
// directory next to `dir` and renames it into place, so that `dir` never holds half a bag.
//
// Packet tree digest (PacketTreeDigest; recorded by WriteBag in bag-info.txt as the
// element "Prodgate-Packet-Tree-Sha256: <hex>"):
//   For every regular file F of the bag except the tag manifests (tagmanifest-*.txt in the
//   bag's base directory), let P be F's path relative to the base directory, '/'-separated
//   and percent-encoded as in a manifest ('%' → %25, LF → %0A, CR → %0D), and let B be
//   F's bytes; for bag-info.txt, B is its bytes with every line that begins with the bytes
//   "Prodgate-Packet-Tree-Sha256:" removed together with its line terminator (LF, CRLF or
//   CR). The digest is SHA-256 over the concatenation of the lines
//       <lowercase hex SHA-256 of B> SP <decimal byte length of B> SP <P> LF
//   sorted by the bytes of P. This is the line format of the seal tree digest (DESIGN.md
//   §3.1). It covers the payload, the payload manifests, bagit.txt, every other tag file and
//   every bag-info element except its own, so it can be written into bag-info.txt without a
//   cycle, and the tag manifests, written last, cover bag-info.txt including the digest.
//   docs/packets.md shows a coreutils pipeline that recomputes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sha256.h"
#include "core/status.h"
#include "seal/drift.h"

namespace prodgate::seal {

// The checksum algorithms VerifyBag computes, by their RFC 8493 §2.4 normalized names.
enum class BagAlgorithm { kMd5, kSha1, kSha256, kSha512 };
inline constexpr BagAlgorithm kBagAlgorithms[] = {BagAlgorithm::kMd5, BagAlgorithm::kSha1,
                                                  BagAlgorithm::kSha256, BagAlgorithm::kSha512};

// "md5", "sha1", "sha256", "sha512".
std::string_view BagAlgorithmName(BagAlgorithm a);
// The algorithm with exactly this normalized name; nullopt for any other name.
std::optional<BagAlgorithm> BagAlgorithmFromName(std::string_view name);

// The bag-info.txt label under which WriteBag records the packet tree digest.
inline constexpr std::string_view kPacketTreeDigestLabel = "Prodgate-Packet-Tree-Sha256";

enum class BagVerdict {
  kValid,       // complete and every checksum verified (RFC 8493 §3); warnings may remain
  kInvalid,     // at least one error other than a read failure
  kUnreadable,  // not a directory, no bagit.txt, or files that could not be read
};

// "VALID", "INVALID", "UNREADABLE".
std::string_view BagVerdictName(BagVerdict v);

enum class BagSeverity { kError, kWarning };

// One manifest entry's checksum for a file whose bytes differ from at least one entry.
struct BagDigestCheck {
  std::string manifest;   // "manifest-sha256.txt"
  std::string algorithm;  // "sha256"
  std::string expected;   // as the manifest writes it, lowercased
  std::string actual;     // lowercase hex; empty when the algorithm is not supported
  bool match = false;
};

// What is known about a file whose bytes differ from its manifest entries.
struct BagContentChange {
  uint64_t size = 0;                      // current bytes
  std::optional<uint64_t> original_size;  // when known (see original_source)
  // Where the original bytes (or size) came from: "against" (the copy under
  // BagVerifyOptions::against, whose digests match the manifest), "derived" (an inverse
  // transform of the current bytes whose digest matches the manifest), "payload-oxum" (the
  // size only: the one changed payload file accounts for the whole Oxum difference), or
  // "none".
  std::string original_source = "none";
  std::vector<BagDigestCheck> digests;  // every entry that lists the file, in manifest order
  std::vector<DriftClass> classes;      // the drift diagnosis; empty when nothing is known
  std::vector<std::string> notes;       // explanations, in the order found
  std::optional<FirstDifference> first_difference;
};

struct BagProblem {
  std::string path;  // bag-relative, printable (PrintablePath); empty: the bag as a whole
  BagSeverity severity = BagSeverity::kError;
  std::string code;     // stable identifier, e.g. "checksum_mismatch" (docs/packets.md)
  std::string rule;     // where the rule comes from: "RFC 8493 §2.1.3", "prodgate"
  std::string message;  // one line: what is wrong and, where there is one, the fix
  std::optional<BagContentChange> content;  // checksum_mismatch only
};

struct BagCounts {
  uint64_t payload_files = 0;  // regular files under data/
  uint64_t payload_bytes = 0;
  uint64_t tag_files = 0;  // regular files outside data/, manifests included
  uint64_t fetch_items = 0;
  uint64_t files_hashed = 0;
  uint64_t bytes_hashed = 0;
};

struct BagReport {
  BagVerdict verdict = BagVerdict::kUnreadable;
  std::string dir;
  std::string version;   // as declared in bagit.txt ("1.0", "0.97"); empty when unknown
  std::string encoding;  // Tag-File-Character-Encoding as declared
  std::vector<std::string> payload_algorithms;    // from manifest-<alg>.txt names, sorted
  std::vector<std::string> tag_algorithms;        // from tagmanifest-<alg>.txt names, sorted
  std::optional<std::string> payload_oxum;        // as declared in bag-info.txt
  std::optional<std::string> packet_tree_digest;  // recomputed when bag-info.txt records one
  // Every bag-info.txt element (label, value) in file order, as declared.
  std::vector<std::pair<std::string, std::string>> info;
  BagCounts counts;
  // Bag-level problems first, then per path (bytes order); within a path, in the order found.
  std::vector<BagProblem> problems;

  size_t ErrorCount() const;
  size_t WarningCount() const;
};

struct BagVerifyOptions {
  // A directory holding an original copy of the bag. A file there is used to explain a
  // change only after its bytes match the manifest of the bag being verified.
  std::optional<std::string> against;
  bool progress = false;  // show progress on a terminal (stderr)
};

// Validates the bag at `dir`. Returns a report for every bag, broken or not, including the
// UNREADABLE ones (not a directory, no bagit.txt). A Status is returned only for a bad
// `against` (not a directory) or an internal failure.
Result<BagReport> VerifyBag(const std::string& dir, const BagVerifyOptions& options);

// One payload file of a bag to write: its path under data/ and where its bytes come from.
struct BagPayloadFile {
  std::string path;                   // relative to data/; must pass CheckRelativePath
  std::optional<std::string> bytes;   // the content, or
  std::optional<std::string> source;  // a regular file to copy (read once, hashed as copied)
};

// The bag WriteBag writes, BagIt 1.0, tag files in UTF-8 with LF line endings:
//   bagit.txt              "BagIt-Version: 1.0" and "Tag-File-Character-Encoding: UTF-8"
//   data/...               the payload, files in path order, mode 0644
//   manifest-sha256.txt    "<hex>  <percent-encoded path>" per payload file, sorted by path
//   manifest-sha512.txt    (two spaces: `sha256sum -c manifest-sha256.txt` works in the bag)
//   bag-info.txt           Payload-Oxum, Bagging-Date, External-Identifier, the caller's
//                          labels in order, then Prodgate-Packet-Tree-Sha256 (if recorded)
//   tagmanifest-sha256.txt bagit.txt, bag-info.txt and the payload manifests, sorted
//   tagmanifest-sha512.txt
// Same spec (and bagging_date) ⇒ same bytes, hence the same packet tree digest.
struct BagSpec {
  std::vector<BagPayloadFile> payload;
  std::string external_identifier;          // required, one line
  std::optional<std::string> bagging_date;  // "YYYY-MM-DD"; default: today in UTC
  // Extra bag-info.txt elements, written in this order. Labels: non-empty, no ':' CR LF,
  // no leading or trailing whitespace, not one of the labels WriteBag writes itself.
  // Values: one line (no CR or LF), valid UTF-8.
  std::vector<std::pair<std::string, std::string>> labels;
  bool record_tree_digest = true;  // write Prodgate-Packet-Tree-Sha256 into bag-info.txt
};

// Writes the bag. Refuses (before writing anything) a `dir` that exists and is not an empty
// directory, payload paths that break the path rules or that are equal after NFC or case
// folding (RFC 8493 §6.1.1.3: prevent names that differ only in normalization; prodgate also
// refuses case-only differences so that a packet unpacks on every file system), duplicate
// paths, and labels or values that bag-info.txt cannot hold.
Status WriteBag(const std::string& dir, const BagSpec& spec);

// The packet tree digest of the bag at `dir` (definition at the top of this file). Fails on
// a symlink or special file in the bag, or a file that cannot be read.
Result<Digest> PacketTreeDigest(const std::string& dir);

// RFC 8493 §2.1.3 (and §2.2.3 for fetch.txt): in a file path, '%' is written %25, LF %0A
// and CR %0D, and no other character is encoded.
std::string PercentEncodeBagPath(std::string_view path);

struct DecodedBagPath {
  std::string path;
  // A '%' not followed by 25, 0A or 0D (either case) was kept as is: the writer did not
  // encode '%' as RFC 8493 §2.1.3 requires (bagit-python and bagit-java do not).
  bool stray_percent = false;
};
DecodedBagPath PercentDecodeBagPath(std::string_view encoded);

}  // namespace prodgate::seal
