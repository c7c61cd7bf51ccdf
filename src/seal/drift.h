// Drift diagnosis (DESIGN.md §3.2): given the facts sealed for a file and the facts of its
// current bytes, name every class of change that explains the difference.
//
// The verdict is never made here: bytes are identical or the file FAILs. The diagnosis
// only explains, by comparing the layered digests of file_facts.h from the finest layer up:
//   lf_sha256 equal              -> eol_changed and/or bom_added/bom_removed
//   lf form ± one final LF equal -> final_newline_changed
//   nfc_sha256 equal             -> unicode_normalization
//   fold_sha256 equal            -> unicode_typography (+ unicode_normalization if the NFC
//                                   flag changed too)
//   json_sha256 equal            -> json_reencoded
//   not UTF-8 any more, but decodes (UTF-16, Latin-1, Windows-1252) to the sealed lf form
//                                -> encoding_changed
// and, independently, the prefix relations: the sealed bytes are a prefix of the current
// ones (appended; found from the sealed digest alone) or the other way round (truncated;
// needs the sealed bytes). A layer that explains the change also reports line-ending and
// BOM flags that differ. When nothing explains it: content_changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "seal/file_facts.h"

namespace prodgate::seal {

enum class DriftClass {
  kMissing,
  kUnsealed,
  kTypeChanged,
  kModeChanged,
  kEolChanged,
  kBomAdded,
  kBomRemoved,
  kFinalNewlineChanged,
  kEncodingChanged,
  kJsonReencoded,
  kUnicodeNormalization,
  kUnicodeTypography,
  kTruncated,
  kAppended,
  kContentChanged,
};

// The class's name in reports: "missing", "eol_changed", ...
std::string_view DriftClassName(DriftClass c);

// Where two byte strings first differ. Line and column are 1-based; the column counts code
// points (bytes where the line is not valid UTF-8).
struct FirstDifference {
  uint64_t offset = 0;
  uint64_t line = 1;
  uint64_t column = 1;
  std::string sealed;  // "U+2014 EM DASH", "byte 0xFF" or "end of file"
  std::string current;
};

struct Diagnosis {
  std::vector<DriftClass> classes;
  std::vector<std::string> notes;  // human explanations, in the order found
  std::optional<FirstDifference> first_difference;

  void Add(DriftClass c);
  bool Has(DriftClass c) const;
};

// Explains how `current` differs from `sealed` (their sha256 differ). `current` must have
// been computed with prefix_len = sealed.size. `current_path` is re-read (at most
// kMaxJsonBytes) to try other encodings; `sealed_bytes_path`, when known, holds the sealed
// bytes (object store or --against copy) for truncation and the first difference.
Diagnosis DiagnoseContent(const FileFacts& sealed, const FileFacts& current,
                          const std::string& current_path,
                          const std::optional<std::string>& sealed_bytes_path);

// First differing byte between two files, described as line:column and code points.
// nullopt when the files are identical or cannot be read.
std::optional<FirstDifference> LocateFirstDifferenceInFiles(const std::string& sealed_path,
                                                            const std::string& current_path);
std::optional<FirstDifference> LocateFirstDifference(std::string_view sealed,
                                                     std::string_view current);

// "3:14: U+2014 EM DASH → U+002D HYPHEN-MINUS"
std::string DescribeFirstDifference(const FirstDifference& d);

}  // namespace prodgate::seal
