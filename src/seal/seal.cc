#include "seal/seal.h"

#include <fmt/format.h>
#include <limits.h>
#include <stdlib.h>

#include <filesystem>

#include "core/file_io.h"
#include "core/path_rules.h"
#include "seal/object_store.h"
#include "seal/tree_walk.h"

namespace prodgate::seal {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> RealPath(const std::string& p) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

bool Within(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          (root == "/" || path[root.size()] == '/'));
}

// A symlink at `rel` (inside the tree) with link text `target` stays inside the tree when
// the target is relative, its lexical resolution never climbs above the root, and, if it
// resolves on disk, its real path lies under the root's real path.
std::optional<std::string> SymlinkEscape(const std::string& root, const std::string& real_root,
                                         const std::string& rel, const std::string& target) {
  if (target.empty()) return "empty symlink target";
  if (target.front() == '/') return fmt::format("absolute target \"{}\"", target);
  std::vector<std::string> parts;
  size_t slash = rel.rfind('/');
  std::string base = slash == std::string::npos ? "" : rel.substr(0, slash);
  auto push_all = [&](const std::string& s) -> bool {
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find('/', start);
      std::string part =
          s.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return true;
  };
  if (!push_all(base) || !push_all(target)) {
    return fmt::format("target \"{}\" climbs above the root", target);
  }
  if (auto real = RealPath(root + "/" + rel); real && !Within(*real, real_root)) {
    return fmt::format("target \"{}\" resolves to {}, outside the root", target, *real);
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> NameCollisionWarnings(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& c : FindNameCollisions(paths)) {
    out.push_back(fmt::format(
        "names equal after {}: {} (they are one file on some file systems: macOS, Windows)", c.rule,
        fmt::join(c.paths, ", ")));
  }
  return out;
}

Result<SealOutcome> Seal(const SealOptions& options) {
  const std::string& dir = options.dir;
  auto real_root = RealPath(dir);
  if (!real_root || !fs::is_directory(*real_root)) {
    return Status::BadInput(fmt::format("{} is not a directory", dir),
                            "give the directory to seal: prodgate seal DIR");
  }
  SealOutcome out;
  out.manifest_path = options.output.value_or((fs::path(dir) / kDefaultManifestName).string());

  std::vector<std::string> patterns(std::begin(kDefaultIgnores), std::end(kDefaultIgnores));
  // The manifest never seals itself: when it lies inside the tree, ignore its exact path.
  fs::path manifest_abs = fs::absolute(out.manifest_path).lexically_normal();
  auto manifest_dir_real = RealPath(manifest_abs.parent_path().string());
  if (manifest_dir_real && Within(*manifest_dir_real, *real_root)) {
    std::string rel = (fs::path(*manifest_dir_real) / manifest_abs.filename())
                          .lexically_relative(*real_root)
                          .generic_string();
    std::string escaped;  // the name is matched literally, even with glob characters in it
    for (char c : rel) {
      if (c == '*' || c == '?' || c == '[' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    patterns.push_back("/" + escaped);
  }
  for (const auto& p : options.ignore) {
    if (std::find(patterns.begin(), patterns.end(), p) == patterns.end()) patterns.push_back(p);
  }
  PG_ASSIGN_OR_RETURN(IgnoreRules rules, IgnoreRules::Make(patterns));
  PG_ASSIGN_OR_RETURN(TreeListing listing, WalkTree(dir, rules));

  std::vector<std::string> problems = listing.problems;
  std::vector<std::string> paths;
  std::vector<HashJob> jobs;
  for (size_t i = 0; i < listing.nodes.size(); ++i) {
    const TreeNode& n = listing.nodes[i];
    paths.push_back(n.path);
    Status path_ok = CheckRelativePath(n.path);
    if (!path_ok.ok()) {
      problems.push_back(path_ok.what());
      continue;
    }
    switch (n.kind) {
      case NodeKind::kFile:
        jobs.push_back({(fs::path(dir) / n.path).string(), n.size, FactsOptions::Text()});
        out.total_bytes += n.size;
        break;
      case NodeKind::kSymlink:
        if (auto escape = SymlinkEscape(dir, *real_root, n.path, n.target)) {
          problems.push_back(fmt::format("symlink {} leaves the root: {}", n.path, *escape));
        }
        break;
      default:
        problems.push_back(fmt::format("{} is a {}; a seal holds regular files and symlinks only",
                                       PrintablePath(n.path), NodeKindName(n.kind)));
    }
  }
  out.warnings = NameCollisionWarnings(paths);
  if (options.strict) {
    for (const auto& w : out.warnings) problems.push_back(w + " (an error with --strict)");
  }
  if (!problems.empty()) {
    return Status::BadInput(
        fmt::format("cannot seal {}: {} problem{}:\n    {}", dir, problems.size(),
                    problems.size() == 1 ? "" : "s", fmt::join(problems, "\n    ")),
        "remove, rename or --ignore each path named above, then seal again; nothing was "
        "written");
  }

  std::vector<Result<FileFacts>> facts;
  {
    Progress progress("sealing", jobs.size(), out.total_bytes, options.progress);
    facts = HashFiles(jobs, &progress);
  }
  for (const auto& f : facts) {
    if (!f.ok()) problems.push_back(f.status().what());
  }
  if (!problems.empty()) {
    return Status::BadInput(
        fmt::format("cannot seal {}: {} problem{}:\n    {}", dir, problems.size(),
                    problems.size() == 1 ? "" : "s", fmt::join(problems, "\n    ")),
        "fix each file named above, then seal again; nothing was written");
  }

  SealManifest& m = out.manifest;
  m.ignore = rules.patterns();
  size_t next_job = 0;
  for (size_t i = 0; i < listing.nodes.size(); ++i) {
    const TreeNode& n = listing.nodes[i];
    SealEntry e;
    e.path = n.path;
    if (n.kind == NodeKind::kFile) {
      const FileFacts& f = *facts[next_job];
      ++next_job;
      e.kind = EntryKind::kFile;
      e.mode = n.mode;
      e.size = f.size;
      e.sha256 = f.sha256;
      e.text = f.text;
    } else {
      e.kind = EntryKind::kSymlink;
      e.target = n.target;
      e.size = n.target.size();
      e.sha256 = Sha256Of(n.target);
    }
    m.files.push_back(std::move(e));
  }
  m.root = TreeDigest(m.files, m.ignore);
  PG_ASSIGN_OR_RETURN(std::string bytes, SerializeManifest(m));

  if (options.keep) {
    ObjectStore store(ObjectStoreDir(dir));
    for (size_t j = 0; j < jobs.size(); ++j) {
      PG_RETURN_IF_ERROR(store.Put(jobs[j].path, facts[j]->sha256));
      ++out.objects_stored;
    }
  }
  PG_RETURN_IF_ERROR(WriteFileAtomic(out.manifest_path, bytes, 0644));
  return out;
}

}  // namespace prodgate::seal
