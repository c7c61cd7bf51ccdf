#include "seal/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>

#include "core/file_io.h"
#include "core/path_rules.h"
#include "seal/ignore.h"
#include "seal/object_store.h"
#include "seal/seal.h"
#include "seal/tree_walk.h"

namespace prodgate::seal {
namespace {

namespace fs = std::filesystem;

FileFacts SealedFacts(const SealEntry& e) {
  FileFacts f;
  f.size = e.size;
  f.sha256 = e.sha256;
  f.text = e.text;
  return f;
}

const char* EntryKindName(EntryKind k) { return k == EntryKind::kFile ? "file" : "symlink"; }

// Sealed bytes for `e`, when a trusted copy exists: the object store of the root, or the
// same path under --against whose bytes hash to the sealed digest.
std::optional<std::string> SealedBytes(const SealEntry& e, const ObjectStore& store,
                                       const std::optional<std::string>& against) {
  if (auto object = store.Find(e.sha256)) return object;
  if (against) {
    std::string candidate = (fs::path(*against) / e.path).string();
    AlignedBuffer buf(1 << 18);
    auto f = FactsOfFile(candidate, FactsOptions::Raw(), buf.span());
    if (f.ok() && f->sha256 == e.sha256) return candidate;
  }
  return std::nullopt;
}

FileDrift DriftOf(std::string path, Diagnosis d) {
  FileDrift out;
  out.path = std::move(path);
  out.classes = std::move(d.classes);
  out.notes = std::move(d.notes);
  out.first_difference = std::move(d.first_difference);
  return out;
}

}  // namespace

std::string FileDrift::Detail() const {
  std::string s = fmt::format("{}", fmt::join(notes, "; "));
  if (first_difference) {
    if (!s.empty()) s += "; ";
    s += "first difference at " + DescribeFirstDifference(*first_difference);
  }
  return s;
}

Result<VerifyReport> Verify(const VerifyOptions& options) {
  VerifyReport report;
  if (options.manifest) {
    report.manifest_path = *options.manifest;
    report.root_dir =
        options.root.value_or(fs::path(*options.manifest).parent_path().empty()
                                  ? "."
                                  : fs::path(*options.manifest).parent_path().string());
  } else {
    report.root_dir = options.root.value_or(".");
    report.manifest_path = (fs::path(report.root_dir) / kDefaultManifestName).string();
  }
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(report.manifest_path));
  PG_ASSIGN_OR_RETURN(SealManifest m, ParseManifest(bytes, report.manifest_path));
  if (!m.signatures.empty()) {
    return Status::BadInput(
        fmt::format("{} carries {} signature(s), and this build cannot check signatures",
                    report.manifest_path, m.signatures.size()),
        "verify it with a prodgate that has `prodgate trust` configured; an unverified "
        "signature is never taken as valid");
  }
  report.sealed_root = m.root;
  PG_ASSIGN_OR_RETURN(IgnoreRules rules, IgnoreRules::Make(m.ignore));
  // The walk (which finds missing, unsealed and retyped entries) needs no file bytes, and the
  // raw digest of a sealed file needs no walk: the walk runs on its own thread while every
  // core hashes, instead of before them. FactsOfFile opens nothing but a regular file.
  auto walked = std::async(std::launch::async,
                           [&root = report.root_dir, &rules] { return WalkTree(root, rules); });
  for (const auto& e : m.files) report.sealed_paths.push_back(e.path);
  // Name collisions need no file bytes either.
  auto warnings = std::async(
      std::launch::async, [&paths = report.sealed_paths] { return NameCollisionWarnings(paths); });

  // Pass 1: the raw digest of every sealed regular file.
  std::vector<HashJob> jobs;
  std::vector<const SealEntry*> job_entry;
  uint64_t total = 0;
  for (const auto& e : m.files) {
    if (e.kind != EntryKind::kFile) continue;
    jobs.push_back({(fs::path(report.root_dir) / e.path).string(), e.size, FactsOptions::Raw()});
    job_entry.push_back(&e);
    total += e.size;
  }
  std::vector<Result<FileFacts>> facts;
  {
    Progress progress("verifying", jobs.size(), total, options.progress);
    facts = HashFiles(jobs, &progress);
  }
  report.warnings = warnings.get();
  if (m.version == 1) {
    report.warnings.push_back(
        "weak_root: the manifest is prodgate.seal/1, whose root leaves kind, mode and the ignore "
        "list out (an edit of them keeps the root); re-seal to get a prodgate.seal/2 root");
  }
  if (options.expect_root && *options.expect_root != m.root) {
    report.root_problem = fmt::format(
        "the manifest's root {} is not the expected {}: the seal is not the one "
        "reviewed or granted",
        ToHex(m.root), ToHex(*options.expect_root));
  }
  PG_ASSIGN_OR_RETURN(TreeListing listing, walked.get());
  if (!listing.problems.empty()) {
    return Status::BadInput(
        fmt::format("cannot verify {}: {}", report.root_dir, fmt::join(listing.problems, "; ")),
        "make every directory under the root readable; an unread directory is never taken "
        "as unchanged");
  }
  std::map<std::string, const TreeNode*> current;
  for (const auto& n : listing.nodes) {
    if (n.kind != NodeKind::kDirectory) current[n.path] = &n;
  }

  // Structure from the walk. A digest counts only for an entry the walk saw as a regular
  // file; for any other the hashing error is moot (the entry is missing or retyped).
  std::vector<bool> hashed(jobs.size(), false);
  for (size_t i = 0, j = 0; i < m.files.size(); ++i) {
    const SealEntry& e = m.files[i];
    auto it = current.find(e.path);
    size_t job = e.kind == EntryKind::kFile ? j++ : jobs.size();
    if (it == current.end()) {
      // A sealed path that is now a directory is not in the listing as a node.
      std::error_code ec;
      fs::path p = fs::path(report.root_dir) / e.path;
      if (fs::is_directory(fs::symlink_status(p, ec))) {
        Diagnosis d;
        d.Add(DriftClass::kTypeChanged);
        d.notes.push_back(fmt::format("sealed {} is now a directory", EntryKindName(e.kind)));
        report.drifts.push_back(DriftOf(e.path, std::move(d)));
      } else {
        Diagnosis d;
        d.Add(DriftClass::kMissing);
        d.notes.push_back(
            fmt::format("sealed {} ({} bytes) is gone", EntryKindName(e.kind), e.size));
        report.drifts.push_back(DriftOf(e.path, std::move(d)));
      }
      continue;
    }
    const TreeNode& n = *it->second;
    bool kind_matches = (e.kind == EntryKind::kFile && n.kind == NodeKind::kFile) ||
                        (e.kind == EntryKind::kSymlink && n.kind == NodeKind::kSymlink);
    if (!kind_matches) {
      Diagnosis d;
      d.Add(DriftClass::kTypeChanged);
      d.notes.push_back(
          fmt::format("sealed {} is now a {}", EntryKindName(e.kind), NodeKindName(n.kind)));
      report.drifts.push_back(DriftOf(e.path, std::move(d)));
      continue;
    }
    if (e.kind == EntryKind::kSymlink) {
      if (n.target != e.target) {
        Diagnosis d;
        d.Add(DriftClass::kContentChanged);
        d.notes.push_back(fmt::format("symlink target \"{}\" → \"{}\"", PrintablePath(e.target),
                                      PrintablePath(n.target)));
        report.drifts.push_back(DriftOf(e.path, std::move(d)));
      }
      continue;
    }
    hashed[job] = true;
  }
  for (const auto& [path, node] : current) {
    if (std::binary_search(report.sealed_paths.begin(), report.sealed_paths.end(), path)) continue;
    Diagnosis d;
    d.Add(DriftClass::kUnsealed);
    d.notes.push_back(
        fmt::format("{} present but not sealed and not ignored", NodeKindName(node->kind)));
    report.drifts.push_back(DriftOf(PrintablePath(path), std::move(d)));
  }
  report.bytes_hashed = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (hashed[i] && facts[i].ok()) report.bytes_hashed += facts[i]->size;
  }

  // Pass 2: full facts for the files whose bytes differ, then the diagnosis.
  std::vector<std::string> problems;
  std::vector<HashJob> rehash;
  std::vector<size_t> rehash_of;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!hashed[i]) continue;
    if (!facts[i].ok()) {
      problems.push_back(facts[i].status().what());
      continue;
    }
    const SealEntry& e = *job_entry[i];
    // The walk and the hashing ran at once: the file hashed must be the one the walk saw
    // (a directory of its path swapped for a symlink, or the file replaced, in between).
    const TreeNode& n = *current.at(e.path);
    if (facts[i]->dev != n.dev || facts[i]->ino != n.ino) {
      problems.push_back(
          fmt::format("{} changed while the tree was verified (the file read is "
                      "not the one the walk saw)",
                      jobs[i].path));
      continue;
    }
    if (facts[i]->sha256 != e.sha256) {
      rehash.push_back({jobs[i].path, jobs[i].size, FactsOptions::Text(e.size)});
      rehash_of.push_back(i);
    }
  }
  if (!problems.empty()) {
    return Status::BadInput(
        fmt::format("cannot verify {}: {}", report.root_dir, fmt::join(problems, "; ")),
        "make each file named readable and quiet, then verify again");
  }
  auto refacts = HashFiles(rehash, nullptr);
  for (size_t k = 0; k < rehash.size(); ++k) {
    if (!refacts[k].ok()) {
      return refacts[k].status();
    }
    if (refacts[k]->dev != facts[rehash_of[k]]->dev ||
        refacts[k]->ino != facts[rehash_of[k]]->ino) {
      return Status::BadInput(
          fmt::format("{} changed while the tree was verified (replaced between two reads)",
                      rehash[k].path),
          "make each file named readable and quiet, then verify again");
    }
    facts[rehash_of[k]] = std::move(refacts[k]);
  }

  ObjectStore store(ObjectStoreDir(report.root_dir));
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!hashed[i]) continue;
    const SealEntry& e = *job_entry[i];
    const FileFacts& f = *facts[i];
    Diagnosis d;
    if (f.sha256 != e.sha256) {
      d = DiagnoseContent(SealedFacts(e), f, jobs[i].path, SealedBytes(e, store, options.against));
    }
    const TreeNode& n = *current.at(e.path);
    if (n.mode != e.mode) {
      d.Add(DriftClass::kModeChanged);
      d.notes.push_back(fmt::format("mode {} → {}", ModeString(e.mode), ModeString(n.mode)));
    }
    if (!d.classes.empty()) report.drifts.push_back(DriftOf(e.path, std::move(d)));
  }
  std::sort(report.drifts.begin(), report.drifts.end(),
            [](const FileDrift& a, const FileDrift& b) { return a.path < b.path; });
  report.pass = report.drifts.empty() && report.root_problem.empty();
  return report;
}

Result<FileDrift> Explain(const std::string& old_path, const std::string& new_path) {
  PG_ASSIGN_OR_RETURN(TreeNode old_node, StatNode(old_path));
  PG_ASSIGN_OR_RETURN(TreeNode new_node, StatNode(new_path));
  for (const TreeNode* n : {&old_node, &new_node}) {
    if (n->kind != NodeKind::kFile && n->kind != NodeKind::kSymlink) {
      return Status::BadInput(fmt::format("{} is a {}", n->path, NodeKindName(n->kind)),
                              "explain compares two regular files (or two symlinks)");
    }
  }
  Diagnosis d;
  if (old_node.kind != new_node.kind) {
    d.Add(DriftClass::kTypeChanged);
    d.notes.push_back(
        fmt::format("{} → {}", NodeKindName(old_node.kind), NodeKindName(new_node.kind)));
    return DriftOf(PrintablePath(new_path), std::move(d));
  }
  if (old_node.kind == NodeKind::kSymlink) {
    if (old_node.target != new_node.target) {
      d.Add(DriftClass::kContentChanged);
      d.notes.push_back(
          fmt::format("symlink target \"{}\" → \"{}\"", old_node.target, new_node.target));
    }
    return DriftOf(PrintablePath(new_path), std::move(d));
  }
  AlignedBuffer buf(1 << 18);
  PG_ASSIGN_OR_RETURN(FileFacts old_facts, FactsOfFile(old_path, FactsOptions::Text(), buf.span()));
  PG_ASSIGN_OR_RETURN(FileFacts new_facts,
                      FactsOfFile(new_path, FactsOptions::Text(old_facts.size), buf.span()));
  if (old_facts.sha256 != new_facts.sha256) {
    d = DiagnoseContent(old_facts, new_facts, new_path, old_path);
  }
  if (old_node.mode != new_node.mode) {
    d.Add(DriftClass::kModeChanged);
    d.notes.push_back(
        fmt::format("mode {} → {}", ModeString(old_node.mode), ModeString(new_node.mode)));
  }
  return DriftOf(PrintablePath(new_path), std::move(d));
}

}  // namespace prodgate::seal
