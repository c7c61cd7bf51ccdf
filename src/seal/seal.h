// `prodgate seal`: hash a tree into a seal manifest (DESIGN.md §3.1).
//
// Refuses, before writing anything, a tree that holds: a name that breaks the path rules,
// a fifo/socket/device, a symlink whose target leaves the root, an unreadable file or
// directory, a file that changes while it is hashed, and (with `strict`) names that are
// equal after NFC or case folding. Every such problem is listed, not only the first.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "seal/manifest.h"

namespace prodgate::seal {

// Always ignored, and written into the manifest's "ignore" list: prodgate's own workspace
// and git's. (The manifest file itself is added when it lies inside the tree.)
inline constexpr const char* kDefaultIgnores[] = {"/.prodgate/", "/.git/"};

struct SealOptions {
  std::string dir = ".";
  std::optional<std::string> output;  // default: <dir>/prodgate.seal.json
  std::vector<std::string> ignore;
  bool keep = false;    // store sealed bytes under <dir>/.prodgate/objects
  bool strict = false;  // name collisions are errors, not warnings
  bool progress = true;
};

struct SealOutcome {
  SealManifest manifest;
  std::string manifest_path;
  std::vector<std::string> warnings;
  uint64_t total_bytes = 0;
  size_t objects_stored = 0;
};

Result<SealOutcome> Seal(const SealOptions& options);

// Warnings for names equal after NFC or case folding.
std::vector<std::string> NameCollisionWarnings(const std::vector<std::string>& paths);

}  // namespace prodgate::seal
