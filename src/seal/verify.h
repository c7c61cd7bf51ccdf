// `prodgate verify` and `prodgate explain`: byte-identical or FAIL, with the drift
// diagnosis of every differing file (DESIGN.md §3.2).
//
// Verify reads the manifest strictly (manifest.h), walks the root with the manifest's own
// ignore list, and compares every sealed entry and every unsealed file. All problems are
// reported. Bad input (manifest unreadable or malformed, root unreadable, a file that
// cannot be read or changes while hashed) is a Status, never a verdict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "seal/drift.h"
#include "seal/manifest.h"

namespace prodgate::seal {

struct VerifyOptions {
  std::optional<std::string> manifest;  // default: <root>/prodgate.seal.json
  std::optional<std::string> root;      // default: the manifest's directory, else "."
  std::optional<std::string> against;   // a directory holding the sealed bytes
  // The root the manifest must have (a grant's change, a reviewer's record): any other root
  // FAILs, whatever the tree. Without it, an edited manifest with a recomputed root that the
  // tree matches passes: the root is what grants and reviewers bind.
  std::optional<Digest> expect_root;
  bool progress = true;
};

struct FileDrift {
  std::string path;  // printable (PrintablePath)
  std::vector<DriftClass> classes;
  std::vector<std::string> notes;
  std::optional<FirstDifference> first_difference;

  std::string Detail() const;  // notes and first difference, one line
};

struct VerifyReport {
  bool pass = false;
  std::string root_dir;
  std::string manifest_path;
  Digest sealed_root{};
  std::vector<std::string> sealed_paths;  // every sealed entry, in manifest order
  std::vector<FileDrift> drifts;          // sorted by path
  std::vector<std::string> warnings;
  std::string root_problem;  // the manifest's root is not the expected one (FAIL)
  uint64_t bytes_hashed = 0;
};

Result<VerifyReport> Verify(const VerifyOptions& options);

// Compares two files the way verify compares a sealed file with its current bytes:
// OLD plays the sealed side, NEW the current one. An empty class list means identical.
Result<FileDrift> Explain(const std::string& old_path, const std::string& new_path);

}  // namespace prodgate::seal
