#include "seal/ignore.h"

#include <fmt/format.h>
#include <fnmatch.h>

namespace prodgate::seal {

Result<IgnoreRules> IgnoreRules::Make(std::vector<std::string> patterns) {
  for (const auto& p : patterns) {
    if (p.empty() || p == "/" ||
        p.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos) {
      return Status::BadInput(fmt::format("ignore pattern \"{}\" is not usable", p),
                              "give a non-empty glob such as '*.tmp', 'build/' or '/notes.txt'");
    }
  }
  IgnoreRules rules;
  rules.patterns_ = std::move(patterns);
  return rules;
}

bool IgnoreRules::Ignored(std::string_view relative_path, bool is_dir) const {
  std::string path(relative_path);
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const auto& raw : patterns_) {
    std::string_view p = raw;
    if (p.back() == '/') {
      if (!is_dir) continue;
      p.remove_suffix(1);
    }
    bool anchored = p.front() == '/' || p.find('/') != std::string_view::npos;
    if (p.front() == '/') p.remove_prefix(1);
    std::string pattern(p);
    const std::string& subject = anchored ? path : base;
    if (::fnmatch(pattern.c_str(), subject.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

}  // namespace prodgate::seal
