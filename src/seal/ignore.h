// Ignore patterns of a seal (a small, documented subset of gitignore):
//   - a pattern ending in '/' matches directories only (their whole subtree is skipped);
//   - a pattern that starts with '/' or contains '/' before its end is anchored: it is
//     matched against the whole relative path;
//   - any other pattern is matched against the last path component, at any depth;
//   - matching is fnmatch(3) with FNM_PATHNAME: '*' and '?' never match '/'; '[...]' classes.
// `**` has no special meaning. The patterns are part of the sealed document, so what is
// ignored is itself sealed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace prodgate::seal {

class IgnoreRules {
 public:
  // Refuses empty patterns, "/", and patterns with NUL, CR or LF.
  static Result<IgnoreRules> Make(std::vector<std::string> patterns);

  bool Ignored(std::string_view relative_path, bool is_dir) const;
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;
};

}  // namespace prodgate::seal
