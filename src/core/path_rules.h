// Rules for the relative paths prodgate writes into manifests and reads back from them
// (DESIGN.md §3.1). A path is relative, '/'-separated, valid UTF-8, and refused when it is
// empty, absolute, starts with '~' or a drive letter ("C:"), contains a backslash, NUL, CR
// or LF, or has an empty, "." or ".." component (so it can never leave the root).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace prodgate {

// The path with control bytes and invalid UTF-8 bytes shown as \xNN, and C1 controls and
// U+2028/U+2029 as \u{XXXX}, so that it prints on one line and embeds in JSON.
std::string PrintablePath(std::string_view path);

// Ok, or BadInput naming the path and the rule it breaks.
Status CheckRelativePath(std::string_view path);

// Two or more distinct names that one file system may treat as the same file.
struct NameCollision {
  std::string rule;  // "Unicode normalization (NFC)" or "case folding"
  std::vector<std::string> paths;
};

// Groups of paths equal after NFC, and groups equal after NFC + case folding (that are not
// already equal after NFC alone). Each group is sorted; groups are ordered by first path.
std::vector<NameCollision> FindNameCollisions(const std::vector<std::string>& paths);

}  // namespace prodgate
