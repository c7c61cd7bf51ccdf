// The seal manifest, `prodgate.seal/2` (DESIGN.md §3.1; docs/seal.md).
//
// Tree digest (the root, the change digest grants, rehearsals and packets bind): SHA-256 over
// one line per entry, "<kind> <mode> <sha256 hex> <size> <path>\n" (kind "file" or
// "symlink"; mode four octal digits, "-" for a symlink), entries sorted by path bytes,
// followed by one line "ignore <canonical JSON array of the ignore patterns>\n". For a
// symlink, sha256 and size are those of its target string. Every field verify compares is in
// it, so no edit of a manifest keeps its root. Paths never contain LF (path rules), so the
// lines are unambiguous; anyone can recompute the digest with coreutils (README).
//
// `prodgate.seal/1` manifests (root over "<sha256 hex> <size> <path>\n" only) are still read
// and verified; verify reports them `weak_root`: their root leaves kind, mode and the ignore
// list out.
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

inline constexpr std::string_view kManifestFormat = "prodgate.seal/2";
inline constexpr std::string_view kManifestFormatV1 = "prodgate.seal/1";
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
  int version = 2;  // 1: read from a prodgate.seal/1 manifest (weak root)
  std::vector<std::string> ignore;
  std::vector<SealEntry> files;  // sorted by path bytes, unique
  Digest root{};
  std::vector<SealSignature> signatures;
};

// "<kind> <mode> <sha256 hex> <size> <path>\n"
std::string TreeDigestLine(const SealEntry& e);
// The seal/2 root. Requires `entries` sorted by path.
Digest TreeDigest(const std::vector<SealEntry>& entries, const std::vector<std::string>& ignore);
// The seal/1 root, "<sha256 hex> <size> <path>\n" per entry (also the digest of a packet's
// deterministic tree, which has no kinds, modes or ignore list).
Digest TreeDigestV1(const std::vector<SealEntry>& entries);
// The root of `m` by its version's rule.
Digest RootOf(const SealManifest& m);

Json ManifestToJson(const SealManifest& m);
// Canonical JSON + "\n".
Result<std::string> SerializeManifest(const SealManifest& m);
// Strict reader (see above). `name` labels messages (usually the file path).
Result<SealManifest> ParseManifest(std::string_view bytes, std::string_view name);

// "0644"
std::string ModeString(unsigned mode);

}  // namespace prodgate::seal
