// The facts prodgate records about a file's bytes so that a later change can be explained
// (DESIGN.md §3.1), computed in one streaming pass whose memory does not grow with the
// file (except the JSON fact, which needs the document: files up to kMaxJsonBytes).
//
// Definitions, precise enough to reimplement:
//   sha256         SHA-256 of the raw bytes.
//   text           present iff the bytes are valid UTF-8 after an optional BOM (EF BB BF)
//                  and contain no NUL byte.
//   bom            the bytes start with EF BB BF. "body" = the bytes after the BOM.
//   eol            in body: crlf = number of CR LF pairs, cr = CR not followed by LF,
//                  lf = LF not preceded by CR.
//   lf form        body with every CR LF and every lone CR replaced by LF.
//   lf_sha256      SHA-256 of the lf form.
//   final_newline  the lf form ends with LF.
//   nfc_sha256     SHA-256 of NFC(lf form); nfc = (NFC(lf form) == lf form).
//   fold_sha256    SHA-256 of FoldTypography(NFC(lf form)) (core/unicode.h).
//   json_sha256    SHA-256 of the RFC 8785 canonical form (core/canonical_json.h) of body,
//                  when body's first non-whitespace byte is '{' or '[', body parses as
//                  JSON, and body is at most kMaxJsonBytes.
// NFC is computed per block, cutting only before an ASCII byte: an ASCII character is a
// starter that never composes with what precedes it, so NFC(a + b) = NFC(a) + NFC(b) when b
// starts with one. A text with no ASCII byte for kMaxNfcCarry bytes (never seen in practice)
// gets no nfc_sha256/fold_sha256 rather than an unbounded buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/sha256.h"
#include "core/status.h"

namespace prodgate::seal {

inline constexpr uint64_t kMaxJsonBytes = uint64_t{64} << 20;
inline constexpr uint64_t kMaxNfcCarry = uint64_t{16} << 20;

struct EolCounts {
  uint64_t lf = 0, crlf = 0, cr = 0;
  bool operator==(const EolCounts&) const = default;
};

// "LF", "CRLF", "CR", "no line endings", or "mixed (LF 3, CRLF 2, CR 0)".
std::string DescribeEol(const EolCounts& eol);

struct TextFacts {
  bool bom = false;
  bool nfc = true;
  EolCounts eol;
  bool final_newline = false;
  Digest lf_sha256{};
  std::optional<Digest> nfc_sha256, fold_sha256, json_sha256;
  bool operator==(const TextFacts&) const = default;
};

struct FileFacts {
  uint64_t size = 0;
  Digest sha256{};
  std::optional<TextFacts> text;
  // Diagnosis only, never written to a manifest:
  std::optional<Digest> lf_toggled_sha256;  // lf form with one final LF removed, or added
  std::optional<Digest> prefix_sha256;      // SHA-256 of the first `prefix_len` bytes
  uint64_t dev = 0, ino = 0;                // the file read (FactsOfFile only)
};

struct FactsOptions {
  bool text = true;                    // false: size and sha256 only (the verify fast path)
  std::optional<uint64_t> prefix_len;  // also hash this many leading bytes, if the file has them

  static FactsOptions Raw(std::optional<uint64_t> prefix = std::nullopt) { return {false, prefix}; }
  static FactsOptions Text(std::optional<uint64_t> prefix = std::nullopt) { return {true, prefix}; }
};

class FactsBuilder {
 public:
  explicit FactsBuilder(FactsOptions options);
  ~FactsBuilder();
  FactsBuilder(const FactsBuilder&) = delete;
  FactsBuilder& operator=(const FactsBuilder&) = delete;

  void Update(std::span<const uint8_t> bytes);
  FileFacts Finish();

 private:
  struct TextState;
  // Processes one block of complete characters through the text layers. Returns false when
  // the block shows the bytes are not text (NUL or invalid UTF-8).
  static bool ProcessBlock(TextState& t, std::string_view block);
  void FeedRaw(std::span<const uint8_t> bytes);

  FactsOptions options_;
  Sha256 raw_;
  uint64_t size_ = 0;
  std::optional<Digest> prefix_;
  TextState* text_ = nullptr;  // owned; null once the bytes are known not to be text
};

FileFacts FactsOfBytes(std::string_view bytes, FactsOptions options = {});

// Streams the regular file at `path` (opened without following symlinks) through a
// FactsBuilder. Fails with a message naming the file when it cannot be read, is not a
// regular file, or changed (size, mtime, ctime) while it was read.
// Bytes are counted on `progress` as they are read.
Result<FileFacts> FactsOfFile(const std::string& path, FactsOptions options,
                              std::span<uint8_t> buffer, Progress* progress = nullptr);

struct HashJob {
  std::string path;
  uint64_t size = 0;  // expected size, for scheduling and progress
  FactsOptions options;
};

// Runs FactsOfFile for every job on every core, largest files first (a large file cannot
// be split, so starting it early balances the cores). results[i] belongs to jobs[i].
std::vector<Result<FileFacts>> HashFiles(const std::vector<HashJob>& jobs, Progress* progress);

}  // namespace prodgate::seal
