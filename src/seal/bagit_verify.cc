// VerifyBag: every check of RFC 8493 on a bag directory, each problem reported per file.
//
// Order of work:
//   1. walk the bag (never following symlinks) and read bagit.txt;
//   2. find the manifests, read every text tag file prodgate interprets (manifests,
//      bag-info.txt, fetch.txt) in the declared encoding, and check each line;
//   3. match manifest and fetch.txt entries with the files the walk found (names equal
//      after NFC are tolerated with a warning), and list what is missing or unlisted;
//   4. hash each file once for every algorithm whose manifest lists it, on every core;
//   5. compare, explain each changed file, then check Payload-Oxum and the packet tree
//      digest against the facts, naming the files that account for any difference.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/file_io.h"
#include "core/path_rules.h"
#include "core/unicode.h"
#include "seal/bagit.h"
#include "seal/bagit_internal.h"
#include "seal/ignore.h"
#include "seal/tree_walk.h"

namespace prodgate::seal {
namespace {

namespace fs = std::filesystem;
using bagit::Problems;

constexpr std::string_view kUnreadableCode = "unreadable";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  return fmt::format("{}", fmt::join(items, sep));
}

std::string ShortHex(const std::string& hex) {
  return hex.size() > 16 ? hex.substr(0, 16) + "…" : hex;
}

struct Manifest {
  std::string name;       // "manifest-sha256.txt"
  std::string algorithm;  // "sha256"
  std::optional<BagAlgorithm> supported;
  bool payload = true;
  bool read = false;  // decoded and parsed; otherwise its entries are unknown
  std::vector<bagit::ManifestLine> lines;
  std::map<std::string, size_t> by_path;  // decoded path -> index in lines (first entry)
};

// An entry of a manifest that names a file the walk found.
struct EntryRef {
  size_t manifest;  // index in manifests_
  size_t index;     // index in that manifest's lines
};

struct BagFile {
  const TreeNode* node = nullptr;
  bool payload = false;
  std::vector<EntryRef> entries;
  bagit::AlgorithmSet algorithms;
  std::optional<bagit::HashedFile> hashed;
  bool unreadable = false;
};

class Verifier {
 public:
  Verifier(std::string dir, const BagVerifyOptions& options)
      : dir_(std::move(dir)), options_(options) {
    report_.dir = dir_;
  }

  BagReport Run() {
    if (ReadDeclaration()) {
      Classify();
      FindManifests();
      ReadTagFiles();
      IndexManifests();
      CheckFetch();
      MatchPayload();
      MatchTagFiles();
      CheckNames();
      Hash();
      Compare();
      CheckBagInfo();
      CheckTreeDigest();
    }
    Finish();
    return std::move(report_);
  }

 private:
  std::string Abs(std::string_view rel) const { return (fs::path(dir_) / rel).string(); }

  // 1. The walk and bagit.txt. False when there is no bag to check.
  bool ReadDeclaration() {
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      problems_.Error("", "not_a_directory", bagit::kRfcDeclaration,
                      fmt::format("{} is not a directory; a bag is a directory holding "
                                  "bagit.txt, data/ and manifest-<alg>.txt",
                                  PrintablePath(dir_)));
      return false;
    }
    auto rules = IgnoreRules::Make({});
    auto listing = WalkTree(dir_, *rules);
    if (!listing.ok()) {
      problems_.Error("", kUnreadableCode, bagit::kProdgate,
                      listing.status().what() + ": make the bag readable");
      return false;
    }
    listing_ = std::move(*listing);
    for (const auto& p : listing_.problems) {
      problems_.Error("", kUnreadableCode, bagit::kProdgate,
                      p + "; make it readable (files under it are not seen)");
    }
    for (const auto& n : listing_.nodes) nodes_[n.path] = &n;

    auto it = nodes_.find("bagit.txt");
    if (it == nodes_.end()) {
      problems_.Error("", "no_bag_declaration", bagit::kRfcDeclaration,
                      fmt::format("{} has no bagit.txt, so it is not a bag (a bag's base "
                                  "directory holds bagit.txt, data/ and manifest-<alg>.txt)",
                                  PrintablePath(dir_)));
      return false;
    }
    if (it->second->kind != NodeKind::kFile) {
      problems_.Error("bagit.txt", "not_regular_file", bagit::kRfcDeclaration,
                      fmt::format("bagit.txt is a {}, not a regular file; prodgate never "
                                  "follows symlinks in a bag",
                                  NodeKindName(it->second->kind)));
      return false;
    }
    auto bytes = ReadFile(Abs("bagit.txt"), 1 << 20);
    if (!bytes.ok()) {
      problems_.Error("bagit.txt", kUnreadableCode, bagit::kProdgate, bytes.status().what());
      return false;
    }
    decl_ = bagit::ParseDeclaration(*bytes, problems_);
    report_.version = decl_.version;
    report_.encoding = decl_.encoding;
    return true;
  }

  // Sorts the walk into payload and tag files; refuses symlinks and special files.
  void Classify() {
    bool data_seen = false;
    for (const auto& n : listing_.nodes) {
      const bool payload = StartsWith(n.path, "data/");
      data_seen |= payload;
      if (n.path == "data") {
        // RFC 8493 §2.1.2: the payload directory is a directory.
        problems_.Error(
            "data", "no_payload_directory", bagit::kRfcPayloadDir,
            fmt::format("data is a {}, not the payload directory", NodeKindName(n.kind)));
        data_seen = true;
        continue;
      }
      if (n.kind == NodeKind::kSymlink) {
        // RFC 8493 leaves symlinks unspecified; following one could read outside the bag
        // (§5.1), so prodgate never does.
        problems_.Error(n.path, "symlink", bagit::kRfcPaths,
                        fmt::format("{} is a symlink (to \"{}\"); prodgate never follows "
                                    "symlinks in a bag, a link can lead outside it: replace it "
                                    "with the file",
                                    PrintablePath(n.path), PrintablePath(n.target)));
        continue;
      }
      if (n.kind != NodeKind::kFile) {
        problems_.Error(n.path, "not_regular_file",
                        payload ? bagit::kRfcPayloadDir : bagit::kRfcTagFiles,
                        fmt::format("{} is a {}; a bag holds regular files only",
                                    PrintablePath(n.path), NodeKindName(n.kind)));
        continue;
      }
      BagFile f;
      f.node = &n;
      f.payload = payload;
      files_[n.path] = f;
      if (payload) {
        report_.counts.payload_files++;
        report_.counts.payload_bytes += n.size;
      } else {
        report_.counts.tag_files++;
      }
    }
    if (!data_seen) {
      std::error_code ec;
      if (!fs::is_directory(fs::symlink_status(Abs("data"), ec))) {
        problems_.Error("", "no_payload_directory", bagit::kRfcPayloadDir,
                        "the bag has no data/ directory; the payload directory is REQUIRED");
      }
    }
  }

  // 2. Manifests by name: manifest-<alg>.txt and tagmanifest-<alg>.txt in the base directory.
  void FindManifests() {
    for (const auto& [path, f] : files_) {
      if (path.find('/') != std::string::npos) continue;
      bool payload = StartsWith(path, "manifest-");
      bool tag = StartsWith(path, "tagmanifest-");
      if ((!payload && !tag) || path.size() < 4 || path.substr(path.size() - 4) != ".txt") continue;
      Manifest m;
      m.name = path;
      m.payload = payload;
      size_t prefix = payload ? 9 : 12;
      m.algorithm = path.substr(prefix, path.size() - prefix - 4);
      // RFC 8493 §2.4: the algorithm's name is lowercased with non-alphanumerics removed.
      const bool normalized =
          !m.algorithm.empty() && std::all_of(m.algorithm.begin(), m.algorithm.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
          });
      auto alg = BagAlgorithmFromName(m.algorithm);
      if (alg && bagit::AlgorithmAvailable(*alg)) m.supported = alg;
      if (!normalized) {
        problems_.Warning(path, "algorithm_name_not_normalized", bagit::kRfcAlgorithms,
                          fmt::format("\"{}\" is not a normalized algorithm name (lowercase "
                                      "letters and digits, e.g. sha512); its checksums are not "
                                      "verified",
                                      PrintablePath(m.algorithm)));
      } else if (!m.supported) {
        // bagit-python and bagit-java (NON_STANDARD_ALGORITHM) warn and go on; §3 then still
        // needs one verifiable payload manifest (checked below).
        problems_.Warning(path, "unsupported_algorithm", bagit::kRfcAlgorithms,
                          fmt::format("checksum algorithm \"{}\" is not one prodgate computes "
                                      "(md5, sha1, sha256, sha512): the files {} lists are "
                                      "checked for presence, not for their checksums",
                                      PrintablePath(m.algorithm), path));
      }
      (payload ? report_.payload_algorithms : report_.tag_algorithms).push_back(m.algorithm);
      manifests_.push_back(std::move(m));
    }
    std::sort(report_.payload_algorithms.begin(), report_.payload_algorithms.end());
    std::sort(report_.tag_algorithms.begin(), report_.tag_algorithms.end());

    size_t payload = 0, verifiable = 0, strong = 0;
    for (const auto& m : manifests_) {
      if (!m.payload) continue;
      ++payload;
      if (m.supported) ++verifiable;
      if (m.supported == BagAlgorithm::kSha256 || m.supported == BagAlgorithm::kSha512) ++strong;
    }
    if (payload == 0) {
      problems_.Error("", "no_payload_manifest", bagit::kRfcManifest,
                      "the bag has no payload manifest (manifest-<alg>.txt); at least one is "
                      "REQUIRED: write manifest-sha512.txt");
    } else if (verifiable == 0) {
      problems_.Error("", "no_verifiable_manifest", bagit::kRfcComplete,
                      "no payload manifest uses an algorithm prodgate computes (md5, sha1, "
                      "sha256, sha512), so no payload checksum can be verified and the bag "
                      "cannot be declared valid: add manifest-sha512.txt");
    } else if (strong == 0) {
      problems_.Warning("", "weak_algorithms_only", bagit::kRfcAlgorithms,
                        "the payload is covered only by MD5/SHA-1, which BagIt keeps for "
                        "backward compatibility (SHA-256 and SHA-512 are the ones every tool "
                        "MUST support): add manifest-sha512.txt");
    }
  }

  std::optional<std::string> ReadTagText(const std::string& path) {
    auto bytes = ReadFile(Abs(path));
    if (!bytes.ok()) {
      problems_.Error(path, kUnreadableCode, bagit::kProdgate, bytes.status().what());
      files_.at(path).unreadable = true;
      return std::nullopt;
    }
    return bagit::DecodeTagFile(*bytes, decl_, path, problems_);
  }

  void ReadTagFiles() {
    for (auto& m : manifests_) {
      auto text = ReadTagText(m.name);
      if (!text) continue;
      m.lines = bagit::ParseManifestText(
          *text, m.name, m.supported ? bagit::HexLength(*m.supported) : 0, problems_);
      m.read = true;
    }
    if (files_.count("bag-info.txt")) {
      if (auto text = ReadTagText("bag-info.txt")) {
        bag_info_ = bagit::ParseBagInfoText(*text, decl_.v1, problems_);
        for (const auto& e : bag_info_) report_.info.emplace_back(e.label, e.value);
      }
    }
    if (files_.count("fetch.txt")) {
      if (auto text = ReadTagText("fetch.txt")) {
        fetch_ = bagit::ParseFetchText(*text, problems_);
        report_.counts.fetch_items = fetch_.size();
      }
    }
  }

  // Scope and duplicate rules per manifest line; builds by_path.
  void IndexManifests() {
    for (auto& m : manifests_) {
      for (size_t k = 0; k < m.lines.size(); ++k) {
        const bagit::ManifestLine& e = m.lines[k];
        if (!e.unsafe.empty()) continue;  // reported by the parser; never opened
        const std::string printable = PrintablePath(e.path);
        if (m.payload && !StartsWith(e.path, "data/")) {
          // RFC 8493 §2.1.3: a payload manifest MUST NOT reference files outside data/.
          problems_.Error(m.name, "path_outside_payload", bagit::kRfcManifest,
                          fmt::format("line {}: \"{}\" is not in the payload directory data/; a "
                                      "payload manifest MUST NOT list files outside it",
                                      e.line, printable));
          continue;
        }
        if (!m.payload && (e.path == "data" || StartsWith(e.path, "data/"))) {
          // RFC 8493 §2.2.1: tag manifests list tag files, never payload files.
          problems_.Error(m.name, "tag_manifest_lists_payload", bagit::kRfcTagManifest,
                          fmt::format("line {} lists the payload file \"{}\"; a tag manifest "
                                      "MUST NOT list payload files",
                                      e.line, printable));
          continue;
        }
        if (!m.payload && bagit::IsTagManifestPath(e.path)) {
          problems_.Error(m.name, "tag_manifest_lists_tag_manifest", bagit::kRfcTagManifest,
                          fmt::format("line {} lists the tag manifest \"{}\"; tag manifests MUST "
                                      "NOT list tag manifests",
                                      e.line, printable));
          continue;
        }
        auto [it, inserted] = m.by_path.emplace(e.path, k);
        if (inserted) continue;
        const bagit::ManifestLine& first = m.lines[it->second];
        if (first.checksum != e.checksum) {
          problems_.Error(m.name, "conflicting_duplicate", bagit::kRfcManifest,
                          fmt::format("lines {} and {} both list \"{}\", with different "
                                      "checksums ({} and {}); every file MUST be listed "
                                      "exactly once",
                                      first.line, e.line, printable, ShortHex(first.checksum),
                                      ShortHex(e.checksum)));
        } else if (decl_.v1) {
          // RFC 8493 §2.1.3 (1.0): "every payload file name exactly once".
          problems_.Error(m.name, "duplicate_entry", bagit::kRfcManifest,
                          fmt::format("lines {} and {} both list \"{}\"; every file MUST be "
                                      "listed exactly once",
                                      first.line, e.line, printable));
        } else {
          // Before 1.0 an identical repeat was tolerated (bagit-python warns).
          problems_.Warning(m.name, "duplicate_entry", bagit::kRfcManifest,
                            fmt::format("lines {} and {} both list \"{}\" with the same "
                                        "checksum",
                                        first.line, e.line, printable));
        }
      }
    }
  }

  // RFC 8493 §2.2.3 and §3: fetch.txt items are payload files listed in every payload
  // manifest; one that is not present makes the bag incomplete. Never fetched.
  void CheckFetch() {
    std::set<std::string> seen;
    for (const auto& f : fetch_) {
      if (!f.unsafe.empty()) continue;
      const std::string printable = PrintablePath(f.path);
      if (!StartsWith(f.path, "data/")) {
        problems_.Error("fetch.txt", "fetch_path_out_of_scope", bagit::kRfcFetch,
                        fmt::format("line {}: \"{}\" is not in the payload directory data/; "
                                    "fetch.txt MUST NOT list tag files, and what it lists is "
                                    "payload; it is never fetched",
                                    f.line, printable));
        continue;
      }
      if (!seen.insert(f.path).second) {
        problems_.Error("fetch.txt", "duplicate_entry", bagit::kRfcFetch,
                        fmt::format("line {} lists \"{}\" again", f.line, printable));
        continue;
      }
      std::vector<std::string> not_listed;
      for (const auto& m : manifests_) {
        if (m.payload && m.read && !m.by_path.count(f.path)) not_listed.push_back(m.name);
      }
      if (!not_listed.empty()) {
        problems_.Error(f.path, "fetch_item_not_in_manifest", bagit::kRfcFetch,
                        fmt::format("fetch.txt line {} lists this file, but {} do{} not; every "
                                    "file in fetch.txt MUST be listed in every payload manifest",
                                    f.line, Join(not_listed), not_listed.size() == 1 ? "es" : ""));
      }
      auto it = files_.find(f.path);
      if (it == files_.end()) {
        if (!nodes_.count(f.path)) {
          problems_.Error(f.path, "fetch_item_missing", bagit::kRfcComplete,
                          fmt::format("listed in fetch.txt (line {}, {}) but not in the bag: the "
                                      "bag is incomplete, and prodgate never fetches; fetch it, "
                                      "then verify again",
                                      f.line, PrintablePath(f.url)));
          fetch_missing_.insert(f.path);
        }
        continue;
      }
      if (f.length && *f.length != it->second.node->size) {
        // The length helps a fetcher; the checksums decide whether the bytes are right.
        problems_.Warning(f.path, "fetch_length_mismatch", bagit::kRfcFetch,
                          fmt::format("fetch.txt line {} gives {} bytes, the file has {}", f.line,
                                      *f.length, it->second.node->size));
      }
    }
  }

  // Hints for a listed file that is not in the bag.
  std::string MissingHint(const std::string& path, const std::string& raw_path) {
    if (by_fold_.empty()) {
      for (const auto& [p, f] : files_) {
        if (f.payload) by_fold_[ToNfcCaseFold(p).value_or(p)].push_back(p);
      }
    }
    std::vector<std::string> hints;
    if (auto it = by_fold_.find(ToNfcCaseFold(path).value_or(path)); it != by_fold_.end()) {
      for (const auto& p : it->second) {
        hints.push_back(
            fmt::format("\"{}\" differs only in case (RFC 8493 §6.1.1.3)", PrintablePath(p)));
      }
    }
    if (raw_path != path && files_.count(raw_path)) {
      hints.push_back(
          fmt::format("\"{}\" exists: the writer did not percent-encode '%' as %25 "
                      "(RFC 8493 §2.1.3)",
                      PrintablePath(raw_path)));
    }
    if (hints.empty()) return "";
    return "; " + Join(hints, "; ");
  }

  // 3. Payload manifests against the files under data/.
  void MatchPayload() {
    std::map<std::string, std::vector<std::string>> by_nfc;  // NFC form -> payload files
    for (const auto& [p, f] : files_) {
      if (f.payload) by_nfc[ToNfc(p).value_or(p)].push_back(p);
    }
    // listed[path] = payload manifests that list the file (directly or by NFC).
    std::map<std::string, std::set<size_t>> listed;
    std::map<std::string, std::vector<std::string>> missing;  // path -> "manifest line N"
    std::map<std::string, std::string> missing_raw;
    for (size_t mi = 0; mi < manifests_.size(); ++mi) {
      Manifest& m = manifests_[mi];
      if (!m.payload) continue;
      for (const auto& [path, k] : m.by_path) {
        const bagit::ManifestLine& e = m.lines[k];
        auto it = files_.find(path);
        if (it != files_.end()) {
          it->second.entries.push_back({mi, k});
          listed[path].insert(mi);
          continue;
        }
        if (fetch_missing_.count(path)) continue;  // reported once, as incomplete
        if (auto node = nodes_.find(path); node != nodes_.end()) continue;  // symlink etc.
        std::error_code ec;
        if (fs::is_directory(fs::symlink_status(Abs(path), ec))) {
          problems_.Error(m.name, "manifest_lists_directory", bagit::kRfcManifest,
                          fmt::format("line {} lists \"{}\", a directory; a manifest MUST NOT "
                                      "list directories",
                                      e.line, PrintablePath(path)));
          continue;
        }
        // RFC 8493 §6.1.1.3: tolerate names that differ only in normalization, and warn.
        auto nfc = by_nfc.find(ToNfc(path).value_or(path));
        if (nfc != by_nfc.end() && nfc->second.size() == 1 && !m.by_path.count(nfc->second[0])) {
          const std::string& on_disk = nfc->second[0];
          files_.at(on_disk).entries.push_back({mi, k});
          listed[on_disk].insert(mi);
          problems_.Warning(on_disk, "normalization_differs", bagit::kRfcNames,
                            fmt::format("{} line {} lists this file as \"{}\": the names differ "
                                        "only in Unicode normalization (checked as the same file)",
                                        m.name, e.line, PrintablePath(path)));
          continue;
        }
        missing[path].push_back(fmt::format("{} line {}", m.name, e.line));
        missing_raw[path] = e.raw_path;
      }
    }
    for (const auto& [path, where] : missing) {
      problems_.Error(path, "missing_file", bagit::kRfcComplete,
                      fmt::format("listed in {} but not in the bag{}", Join(where),
                                  MissingHint(path, missing_raw[path])));
    }
    // RFC 8493 §3 and §2.1.3: in 1.0 every payload file is in every payload manifest;
    // 0.97 asked for at least one.
    for (const auto& [path, f] : files_) {
      if (!f.payload) continue;
      std::vector<std::string> absent_from;
      size_t read = 0;
      for (size_t mi = 0; mi < manifests_.size(); ++mi) {
        const Manifest& m = manifests_[mi];
        if (!m.payload || !m.read) continue;
        ++read;
        if (!listed[path].count(mi)) absent_from.push_back(m.name);
      }
      if (absent_from.empty()) continue;
      if (decl_.v1) {
        problems_.Error(path, "not_in_manifest", bagit::kRfcComplete,
                        fmt::format("payload file not listed in {}; every payload file MUST be "
                                    "listed in every payload manifest",
                                    Join(absent_from)));
      } else if (absent_from.size() == read) {
        problems_.Error(path, "not_in_manifest", bagit::kRfcComplete,
                        "payload file not listed in any payload manifest");
      } else {
        problems_.Warning(path, "not_in_every_manifest", bagit::kRfcComplete,
                          fmt::format("payload file not listed in {} (BagIt 0.97 needs one "
                                      "manifest; 1.0 needs all)",
                                      Join(absent_from)));
      }
    }
  }

  // Tag manifests against the tag files (RFC 8493 §2.2.1).
  void MatchTagFiles() {
    std::map<std::string, std::vector<std::string>> missing;
    std::map<std::string, std::vector<std::string>> unlisted;
    bool any = false;
    for (size_t mi = 0; mi < manifests_.size(); ++mi) {
      Manifest& m = manifests_[mi];
      if (m.payload) continue;
      any = true;
      for (const auto& [path, k] : m.by_path) {
        auto it = files_.find(path);
        std::error_code ec;
        if (it != files_.end()) {
          it->second.entries.push_back({mi, k});
        } else if (nodes_.count(path)) {
          continue;  // a symlink or special file, reported as such
        } else if (fs::is_directory(fs::symlink_status(Abs(path), ec))) {
          problems_.Error(m.name, "manifest_lists_directory", bagit::kRfcManifest,
                          fmt::format("line {} lists \"{}\", a directory; a manifest MUST NOT "
                                      "list directories",
                                      m.lines[k].line, PrintablePath(path)));
        } else {
          missing[path].push_back(fmt::format("{} line {}", m.name, m.lines[k].line));
        }
      }
      if (!m.read) continue;
      for (const auto& pm : manifests_) {
        if (!pm.payload || m.by_path.count(pm.name)) continue;
        std::string msg = fmt::format(
            "does not list the payload manifest {}; every tag manifest "
            "MUST list every payload manifest",
            pm.name);
        if (decl_.v1) {
          problems_.Error(m.name, "tag_manifest_omits_manifest", bagit::kRfcTagManifest, msg);
        } else {
          problems_.Warning(m.name, "tag_manifest_omits_manifest", bagit::kRfcTagManifest, msg);
        }
      }
      for (const auto& [path, f] : files_) {
        if (f.payload || bagit::IsTagManifestPath(path) || m.by_path.count(path)) continue;
        if (StartsWith(path, "manifest-") && path.find('/') == std::string::npos) continue;
        unlisted[path].push_back(m.name);
      }
    }
    for (const auto& [path, where] : missing) {
      problems_.Error(path, "missing_file", bagit::kRfcComplete,
                      fmt::format("listed in {} but not in the bag", Join(where)));
    }
    if (!any) return;
    for (const auto& [path, where] : unlisted) {
      problems_.Warning(path, "not_in_tag_manifest", bagit::kRfcTagManifest,
                        fmt::format("tag file not listed in {}; a tag manifest SHOULD list every "
                                    "tag file, or its changes go unnoticed",
                                    Join(where)));
    }
  }

  // RFC 8493 §6.1.1.3: names that differ only in case or normalization are warned about,
  // on disk and within each payload manifest.
  void CheckNames() {
    std::set<std::vector<std::string>> reported;
    auto warn = [&](const std::vector<NameCollision>& groups, const std::string& where) {
      for (const auto& g : groups) {
        if (!reported.insert(g.paths).second) continue;
        std::vector<std::string> names;
        for (const auto& p : g.paths) names.push_back("\"" + PrintablePath(p) + "\"");
        const bool nfc = g.rule.find("NFC") != std::string::npos;
        problems_.Warning(
            g.paths.front(), nfc ? "normalization_collision" : "case_collision", bagit::kRfcNames,
            fmt::format("{} {} equal after {}; they collide on file systems "
                        "that {}",
                        where, Join(names), g.rule,
                        nfc ? "normalize names (macOS)" : "ignore case (Windows, macOS)"));
      }
    };
    std::vector<std::string> disk;
    for (const auto& [p, f] : files_) {
      if (f.payload) disk.push_back(p);
    }
    warn(FindNameCollisions(disk), "payload files");
    for (const auto& m : manifests_) {
      if (!m.payload) continue;
      std::vector<std::string> listed;
      for (const auto& [p, k] : m.by_path) listed.push_back(p);
      warn(FindNameCollisions(listed), m.name + " lists");
    }
  }

  // 4. One read per file for every algorithm it needs.
  void Hash() {
    for (const auto& e : bag_info_) {
      if (e.label == kPacketTreeDigestLabel) tree_digest_label_ = &e;
    }
    std::vector<bagit::HashJob> jobs;
    std::vector<BagFile*> job_files;
    for (auto& [path, f] : files_) {
      if (f.unreadable) continue;
      for (const auto& ref : f.entries) {
        if (auto a = manifests_[ref.manifest].supported) f.algorithms.Add(*a);
      }
      if (tree_digest_label_ != nullptr && !bagit::IsTagManifestPath(path)) {
        f.algorithms.Add(BagAlgorithm::kSha256);
      }
      if (f.algorithms.empty()) continue;
      jobs.push_back({Abs(path), f.node->size, f.algorithms});
      job_files.push_back(&f);
    }
    uint64_t total = 0;
    for (const auto& j : jobs) total += j.size;
    std::vector<Result<bagit::HashedFile>> results;
    {
      Progress progress("verifying bag", jobs.size(), total, options_.progress);
      results = bagit::HashAll(jobs, &progress);
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
      BagFile& f = *job_files[i];
      if (!results[i].ok()) {
        problems_.Error(f.node->path, kUnreadableCode, bagit::kProdgate,
                        results[i].status().ToString());
        f.unreadable = true;
        continue;
      }
      report_.counts.files_hashed++;
      report_.counts.bytes_hashed += results[i]->size;
      f.hashed = std::move(*results[i]);
    }
  }

  // 5. Checksums, per file, every manifest entry at once.
  void Compare() {
    struct Changed {
      BagFile* file;
      BagContentChange change;
      std::vector<bagit::ExpectedDigest> expected;
      std::vector<std::string> where;  // "manifest-sha256.txt line 3"
    };
    std::vector<Changed> changed;
    std::vector<Changed> disagreeing;
    for (auto& [path, f] : files_) {
      if (!f.hashed) continue;
      BagContentChange c;
      c.size = f.hashed->size;
      std::vector<bagit::ExpectedDigest> expected;
      std::vector<std::string> where;
      size_t matches = 0;
      for (const auto& ref : f.entries) {
        const Manifest& m = manifests_[ref.manifest];
        const bagit::ManifestLine& e = m.lines[ref.index];
        if (!m.supported || e.checksum.empty()) continue;
        const std::string& actual = f.hashed->hex[bagit::Index(*m.supported)];
        BagDigestCheck check{m.name, m.algorithm, e.checksum, actual, actual == e.checksum};
        if (check.match) {
          ++matches;
        } else {
          expected.push_back({*m.supported, e.checksum});
          where.push_back(fmt::format("{} line {}", m.name, e.line));
        }
        c.digests.push_back(std::move(check));
      }
      if (where.empty()) continue;
      Changed ch{&f, std::move(c), std::move(expected), std::move(where)};
      if (matches == 0) {
        changed.push_back(std::move(ch));
      } else {
        disagreeing.push_back(std::move(ch));
      }
    }

    // The original size of the only changed payload file follows from Payload-Oxum when
    // nothing else in the payload changed (same file count, nothing missing or unlisted).
    std::optional<uint64_t> hint;
    size_t changed_payload = 0;
    for (const auto& ch : changed) changed_payload += ch.file->payload;
    if (changed_payload == 1) {
      if (auto oxum = DeclaredOxum();
          oxum && oxum->streams == report_.counts.payload_files && !PayloadSetChanged()) {
        for (const auto& ch : changed) {
          if (!ch.file->payload) continue;
          const int64_t delta = static_cast<int64_t>(oxum->octets) -
                                static_cast<int64_t>(report_.counts.payload_bytes);
          const int64_t original = static_cast<int64_t>(ch.change.size) + delta;
          if (original >= 0 && delta != 0) hint = static_cast<uint64_t>(original);
        }
      }
    }

    for (auto& ch : changed) {
      const std::string& path = ch.file->node->path;
      std::optional<std::string> against;
      if (options_.against) against = (fs::path(*options_.against) / path).string();
      bagit::ExplainChange(Abs(path), ch.expected, against, ch.file->payload ? hint : std::nullopt,
                           ch.change);
      std::vector<std::string> classes;
      for (auto c : ch.change.classes) classes.emplace_back(DriftClassName(c));
      std::string detail =
          classes.empty()
              ? fmt::format("{} bytes now; {}", ch.change.size, Join(ch.change.notes, "; "))
              : fmt::format("{}: {}", Join(classes), Join(ch.change.notes, "; "));
      BagProblem p;
      p.path = PrintablePath(path);
      p.code = "checksum_mismatch";
      p.rule = std::string(bagit::kRfcComplete);
      p.message = fmt::format("bytes differ from {}; {}", Join(ch.where), detail);
      if (ch.change.first_difference) {
        p.message +=
            "; first difference at " + DescribeFirstDifference(*ch.change.first_difference);
      }
      p.content = std::move(ch.change);
      problems_.Add(std::move(p));
    }
    for (auto& ch : disagreeing) {
      std::vector<std::string> agree;
      for (const auto& d : ch.change.digests) {
        if (d.match) agree.push_back(d.manifest);
      }
      BagProblem p;
      p.path = PrintablePath(ch.file->node->path);
      p.code = "checksum_mismatch";
      p.rule = std::string(bagit::kRfcComplete);
      p.message = fmt::format(
          "the bytes match {} but not {}: the manifests disagree about this "
          "file; correct the wrong entry",
          Join(agree), Join(ch.where));
      p.content = std::move(ch.change);
      problems_.Add(std::move(p));
    }
  }

  bool PayloadSetChanged() const {
    for (const auto& p : problems_items()) {
      if (p.code == "missing_file" || p.code == "not_in_manifest" ||
          p.code == "fetch_item_missing") {
        return true;
      }
    }
    return false;
  }
  const std::vector<BagProblem>& problems_items() const { return problems_.items(); }

  std::optional<bagit::Oxum> DeclaredOxum() const {
    for (const auto& e : bag_info_) {
      if (IsLabel(e.label, "Payload-Oxum")) {
        std::string v(e.value);
        v.erase(0, v.find_first_not_of(" \t"));
        v.erase(v.find_last_not_of(" \t") + 1);
        return bagit::ParseOxum(v);
      }
    }
    return std::nullopt;
  }

  static bool IsLabel(const std::string& label, std::string_view name) {
    // RFC 8493 §2.2.2: reserved metadata element names are case-insensitive.
    return label.size() == name.size() &&
           std::equal(label.begin(), label.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  }

  // RFC 8493 §2.2.2: Payload-Oxum and the other reserved elements prodgate interprets.
  void CheckBagInfo() {
    constexpr std::string_view kPath = "bag-info.txt";
    for (const auto& e : bag_info_) {
      std::string value = e.value;
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      if (IsLabel(e.label, "Payload-Oxum")) {
        report_.payload_oxum = value;
        auto oxum = bagit::ParseOxum(value);
        if (!oxum) {
          problems_.Error(kPath, "malformed_payload_oxum", bagit::kRfcBagInfo,
                          fmt::format("line {}: Payload-Oxum \"{}\" is not "
                                      "OctetCount.StreamCount (e.g. 279164409.1198)",
                                      e.line, PrintablePath(value)));
          continue;
        }
        const uint64_t bytes = report_.counts.payload_bytes, files = report_.counts.payload_files;
        if (oxum->octets == bytes && oxum->streams == files) continue;
        // Payload-Oxum is "strictly an optimization": never the only message. Name what
        // accounts for the difference, or say the value itself is what is wrong.
        std::vector<std::string> causes;
        for (const auto& p : problems_items()) {
          if (!p.path.empty() && StartsWith(p.path, "data/") &&
              (p.code == "checksum_mismatch" || p.code == "missing_file" ||
               p.code == "not_in_manifest" || p.code == "fetch_item_missing" ||
               p.code == "unreadable")) {
            causes.push_back(fmt::format("{} ({})", p.path, p.code));
          }
        }
        std::string why =
            causes.empty() ? fmt::format(
                                 "every payload file matches its manifest entries, so the "
                                 "Payload-Oxum value itself is wrong: correct it to {}.{} and "
                                 "update the tag manifests",
                                 bytes, files)
                           : fmt::format("the payload files that account for it: {}", Join(causes));
        problems_.Error(kPath, "payload_oxum_mismatch", bagit::kRfcBagInfo,
                        fmt::format("line {}: Payload-Oxum {}.{} declares {} bytes in {} files; "
                                    "data/ holds {} bytes in {} files; {}",
                                    e.line, oxum->octets, oxum->streams, oxum->octets,
                                    oxum->streams, bytes, files, why));
      } else if (IsLabel(e.label, "Bagging-Date")) {
        const bool ok = value.size() == 10 && value[4] == '-' && value[7] == '-' &&
                        std::all_of(value.begin(), value.end(),
                                    [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
        if (!ok) {
          problems_.Warning(kPath, "malformed_bagging_date", bagit::kRfcBagInfo,
                            fmt::format("line {}: Bagging-Date \"{}\" is not YYYY-MM-DD", e.line,
                                        PrintablePath(value)));
        }
      }
    }
  }

  // prodgate's own bag-info element: the packet tree digest (bagit.h), when recorded.
  void CheckTreeDigest() {
    if (tree_digest_label_ == nullptr) return;
    std::vector<bagit::TreeDigestEntry> entries;
    for (const auto& [path, f] : files_) {
      if (bagit::IsTagManifestPath(path)) continue;
      if (path == "bag-info.txt") {
        auto bytes = ReadFile(Abs(path));
        if (!bytes.ok()) return;
        std::string stripped = bagit::WithoutTreeDigestLines(*bytes);
        entries.push_back({path, ToHex(Sha256Of(stripped)), stripped.size()});
        continue;
      }
      if (!f.hashed) return;  // unreadable: reported already
      entries.push_back({path, f.hashed->hex[bagit::Index(BagAlgorithm::kSha256)], f.hashed->size});
    }
    const std::string actual = ToHex(bagit::TreeDigestOf(std::move(entries)));
    report_.packet_tree_digest = actual;
    std::string recorded = tree_digest_label_->value;
    std::transform(recorded.begin(), recorded.end(), recorded.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (recorded != actual) {
      problems_.Error("bag-info.txt", "packet_tree_digest_mismatch", bagit::kProdgate,
                      fmt::format("line {}: {} records {}, the bag's files give {}: a file "
                                  "changed after the packet was written (docs/packets.md)",
                                  tree_digest_label_->line, kPacketTreeDigestLabel,
                                  ShortHex(recorded), ShortHex(actual)));
    }
  }

  void Finish() {
    auto& items = problems_.items();
    std::stable_sort(items.begin(), items.end(), [](const BagProblem& a, const BagProblem& b) {
      if (a.path.empty() != b.path.empty()) return a.path.empty();
      return a.path < b.path;
    });
    bool invalid = false, unreadable = false;
    for (const auto& p : items) {
      if (p.severity != BagSeverity::kError) continue;
      if (p.code == kUnreadableCode || p.code == "not_a_directory" ||
          p.code == "no_bag_declaration") {
        unreadable = true;
      } else {
        invalid = true;
      }
    }
    // An error that proves the bag broken outranks one that kept a part from being read.
    report_.verdict = invalid      ? BagVerdict::kInvalid
                      : unreadable ? BagVerdict::kUnreadable
                                   : BagVerdict::kValid;
    report_.problems = std::move(items);
  }

  std::string dir_;
  const BagVerifyOptions& options_;
  BagReport report_;
  Problems problems_;
  TreeListing listing_;
  std::map<std::string, const TreeNode*> nodes_;
  std::map<std::string, BagFile> files_;  // regular files, by path
  bagit::Declaration decl_;
  std::vector<Manifest> manifests_;
  std::vector<bagit::BagInfoElement> bag_info_;
  const bagit::BagInfoElement* tree_digest_label_ = nullptr;
  std::vector<bagit::FetchItem> fetch_;
  std::set<std::string> fetch_missing_;
  std::map<std::string, std::vector<std::string>> by_fold_;  // NFC + case fold -> payload files
};

}  // namespace

std::string_view BagVerdictName(BagVerdict v) {
  switch (v) {
    case BagVerdict::kValid:
      return "VALID";
    case BagVerdict::kInvalid:
      return "INVALID";
    case BagVerdict::kUnreadable:
      return "UNREADABLE";
  }
  return "UNREADABLE";
}

size_t BagReport::ErrorCount() const {
  return std::count_if(problems.begin(), problems.end(),
                       [](const BagProblem& p) { return p.severity == BagSeverity::kError; });
}

size_t BagReport::WarningCount() const { return problems.size() - ErrorCount(); }

Result<BagReport> VerifyBag(const std::string& dir, const BagVerifyOptions& options) {
  if (options.against) {
    struct stat st;
    if (::stat(options.against->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::BadInput(
          fmt::format("--against {} is not a directory", PrintablePath(*options.against)),
          "give the directory of an original copy of the bag");
    }
  }
  return Verifier(dir, options).Run();
}

}  // namespace prodgate::seal
