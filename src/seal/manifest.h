// The seal manifest, `prodgate.seal/1` (DESIGN.md §3.1; docs/seal-manifest.md).
//
// Tree digest: SHA-256 over one line per entry, "<sha256 hex> <size> <path>\n", entries
// sorted by path bytes. For a symlink, sha256 and size are those of its target string.
// Paths never contain LF (path rules), so the lines are unambiguous; anyone can recompute
// the digest with coreutils (README).
//
// The manifest file is the canonical JSON (RFC 8785) of the document followed by "\n".
// Reading one is strict: it must be byte-for-byte canonical, carry only known fields with
// the right types (integers, never floats), safe paths sorted without duplicates, and a
// root equal to the tree digest of its entries. Anything else is refused as bad input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical_json.h"
#include "core/sha256.h"
#include "core/status.h"
#include "seal/file_facts.h"

namespace prodgate::seal {

inline constexpr std::string_view kManifestFormat = "prodgate.seal/1";
inline constexpr std::string_view kDefaultManifestName = "prodgate.seal.json";

enum class EntryKind { kFile, kSymlink };

struct SealEntry {
  std::string path;
  EntryKind kind = EntryKind::kFile;
  unsigned mode = 0;  // permission bits, files only
  uint64_t size = 0;
  Digest sha256{};
  std::optional<TextFacts> text;  // files only
  std::string target;             // symlinks only
};

struct SealSignature {
  std::string key;
  std::string sig;
};

struct SealManifest {
  std::vector<std::string> ignore;
  std::vector<SealEntry> files;  // sorted by path bytes, unique
  Digest root{};
  std::vector<SealSignature> signatures;
};

// "<sha256 hex> <size> <path>\n"
std::string TreeDigestLine(const SealEntry& e);
// Requires `entries` sorted by path.
Digest TreeDigest(const std::vector<SealEntry>& entries);

Json ManifestToJson(const SealManifest& m);
// Canonical JSON + "\n".
Result<std::string> SerializeManifest(const SealManifest& m);
// Strict reader (see above). `name` labels messages (usually the file path).
Result<SealManifest> ParseManifest(std::string_view bytes, std::string_view name);

// "0644"
std::string ModeString(unsigned mode);

}  // namespace prodgate::seal
