#include "core/path_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/unicode.h"

namespace prodgate {
namespace {

Status Refuse(std::string_view path, std::string_view rule) {
  return Status::BadInput(fmt::format("unsafe path \"{}\": {}", PrintablePath(path), rule),
                          "paths must be relative, '/'-separated and stay inside the root; "
                          "rename the file or remove the entry");
}

}  // namespace

std::string PrintablePath(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    auto u = static_cast<unsigned char>(path[i]);
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
      ++i;
      continue;
    }
    size_t len = 1;
    if (u >= 0x80) {
      auto cp = DecodeUtf8At(path, i, &len);
      if (!cp) {
        out += fmt::format("\\x{:02x}", u);
        ++i;
        continue;
      }
      // C1 controls and the Unicode line/paragraph separators break lines on some terminals.
      if ((*cp >= 0x80 && *cp <= 0x9F) || *cp == 0x2028 || *cp == 0x2029) {
        out += fmt::format("\\u{{{:04x}}}", static_cast<uint32_t>(*cp));
        i += len;
        continue;
      }
    }
    out.append(path.substr(i, len));
    i += len;
  }
  return out;
}

Status CheckRelativePath(std::string_view path) {
  if (path.empty()) return Refuse(path, "empty path");
  if (path.find('\0') != std::string_view::npos) return Refuse(path, "contains a NUL byte");
  if (path.find('\n') != std::string_view::npos) return Refuse(path, "contains a line feed");
  if (path.find('\r') != std::string_view::npos) {
    return Refuse(path, "contains a carriage return");
  }
  if (path.find('\\') != std::string_view::npos) return Refuse(path, "contains a backslash");
  if (path.front() == '/') return Refuse(path, "absolute path");
  if (path.front() == '~') return Refuse(path, "starts with '~' (a home directory)");
  if (path.size() >= 2 && path[1] == ':' &&
      ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z'))) {
    return Refuse(path, "starts with a drive letter");
  }
  if (!IsValidUtf8(path)) return Refuse(path, "not valid UTF-8");
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view part =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty()) return Refuse(path, "empty path component (\"//\" or a trailing '/')");
    if (part == ".") return Refuse(path, "'.' component");
    if (part == "..") return Refuse(path, "'..' component (leaves the root)");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

std::vector<NameCollision> FindNameCollisions(const std::vector<std::string>& paths) {
  std::map<std::string, std::set<std::string>> by_nfc;
  for (const auto& p : paths) {
    by_nfc[ToNfc(p).value_or(p)].insert(p);
  }
  std::vector<NameCollision> out;
  std::map<std::string, std::set<std::string>> by_fold;  // key: folded; values: NFC forms
  for (const auto& [nfc, originals] : by_nfc) {
    if (originals.size() > 1) {
      out.push_back({"Unicode normalization (NFC)", {originals.begin(), originals.end()}});
    }
    by_fold[ToNfcCaseFold(nfc).value_or(nfc)].insert(nfc);
  }
  for (const auto& [folded, nfcs] : by_fold) {
    if (nfcs.size() < 2) continue;
    NameCollision c{"case folding", {}};
    for (const auto& nfc : nfcs) {
      for (const auto& original : by_nfc[nfc]) c.paths.push_back(original);
    }
    std::sort(c.paths.begin(), c.paths.end());
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(),
            [](const NameCollision& a, const NameCollision& b) { return a.paths < b.paths; });
  return out;
}

}  // namespace prodgate
