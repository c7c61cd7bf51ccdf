// WriteBag and the packet tree digest (definitions in bagit.h).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
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
namespace bagit {

bool IsTagManifestPath(std::string_view path) {
  return path.find('/') == std::string_view::npos && path.substr(0, 12) == "tagmanifest-" &&
         path.size() >= 16 && path.substr(path.size() - 4) == ".txt";
}

std::string WithoutTreeDigestLines(std::string_view bag_info) {
  const std::string prefix = std::string(kPacketTreeDigestLabel) + ":";
  std::string out;
  out.reserve(bag_info.size());
  size_t i = 0;
  while (i < bag_info.size()) {
    // A line and its terminator: LF, CR LF or a lone CR (RFC 8493 §2.3).
    size_t j = bag_info.find_first_of("\r\n", i);
    size_t end = j == std::string_view::npos ? bag_info.size()
                 : bag_info[j] == '\r' && j + 1 < bag_info.size() && bag_info[j + 1] == '\n'
                     ? j + 2
                     : j + 1;
    std::string_view line = bag_info.substr(i, end - i);
    if (line.substr(0, prefix.size()) != prefix) out.append(line);
    i = end;
  }
  return out;
}

Digest TreeDigestOf(std::vector<TreeDigestEntry> entries) {
  for (auto& e : entries) e.path = PercentEncodeBagPath(e.path);
  std::sort(entries.begin(), entries.end(),
            [](const TreeDigestEntry& a, const TreeDigestEntry& b) { return a.path < b.path; });
  Sha256 h;
  for (const auto& e : entries) h.Update(fmt::format("{} {} {}\n", e.sha256_hex, e.size, e.path));
  return h.Finish();
}

}  // namespace bagit

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDeclaration =
    "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsDate(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
}

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

Status CheckValue(std::string_view what, std::string_view value) {
  if (value.find_first_of("\r\n") != std::string_view::npos || !IsValidUtf8(value)) {
    return Status::BadInput(
        fmt::format("{} \"{}\" is not one line of UTF-8 text", what, PrintablePath(value)),
        "bag-info.txt holds one line per element: remove the line breaks");
  }
  return Status::Ok();
}

Status CheckSpec(const BagSpec& spec) {
  if (spec.external_identifier.empty()) {
    return Status::BadInput("the bag has no External-Identifier",
                            "give the packet's identifier (BagSpec::external_identifier)");
  }
  PG_RETURN_IF_ERROR(CheckValue("External-Identifier", spec.external_identifier));
  if (spec.bagging_date && !IsDate(*spec.bagging_date)) {
    return Status::BadInput(
        fmt::format("Bagging-Date \"{}\" is not YYYY-MM-DD", PrintablePath(*spec.bagging_date)),
        "give the date as YYYY-MM-DD, or leave it out for today's date in UTC");
  }
  for (const auto& [label, value] : spec.labels) {
    // RFC 8493 §2.2.2: no ':', CR or LF in a label, no whitespace at its ends.
    const bool bad = label.empty() || label.find_first_of(":\r\n") != std::string::npos ||
                     label.front() == ' ' || label.front() == '\t' || label.back() == ' ' ||
                     label.back() == '\t' || !IsValidUtf8(label);
    if (bad) {
      return Status::BadInput(
          fmt::format("bag-info label \"{}\" is not a valid label", PrintablePath(label)),
          "a label is non-empty UTF-8 without ':', CR or LF and without leading or trailing "
          "whitespace");
    }
    for (std::string_view own : {std::string_view("Payload-Oxum"), std::string_view("Bagging-Date"),
                                 std::string_view("External-Identifier"), kPacketTreeDigestLabel}) {
      if (EqualsIgnoreCase(label, own)) {
        return Status::BadInput(fmt::format("bag-info label \"{}\" is written by prodgate", label),
                                "leave it out of the labels; BagSpec has a field for it where "
                                "the caller may set it");
      }
    }
    PG_RETURN_IF_ERROR(CheckValue(fmt::format("the value of {}", label), value));
  }
  std::set<std::string> paths;
  std::vector<std::string> all;
  for (const auto& f : spec.payload) {
    PG_RETURN_IF_ERROR(CheckRelativePath(f.path).WithContext("payload file"));
    if (f.bytes.has_value() == f.source.has_value()) {
      return Status::BadInput(
          fmt::format("payload file {} needs exactly one of bytes and source", f.path),
          "give its content or the file to copy, not both");
    }
    if (!paths.insert(f.path).second) {
      return Status::BadInput(fmt::format("payload file {} is given twice", f.path),
                              "give every payload path once");
    }
    all.push_back(f.path);
  }
  for (const auto& p : all) {
    for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
      if (paths.count(p.substr(0, slash))) {
        return Status::BadInput(
            fmt::format("payload file {} is also a directory of {}", p.substr(0, slash), p),
            "rename one of them");
      }
    }
  }
  if (auto collisions = FindNameCollisions(all); !collisions.empty()) {
    return Status::BadInput(
        fmt::format("payload files {} are equal after {}",
                    fmt::join(collisions.front().paths, " and "), collisions.front().rule),
        "rename them: a bag must unpack the same on every file system (RFC 8493 §6.1.1.3)");
  }
  return Status::Ok();
}

Status WriteError(const std::string& path, const char* step) {
  return Status::Internal(
      fmt::format("cannot write {}: {} failed: {}", path, step, ErrnoText(errno)),
      "free space or fix permissions, then run the command again");
}

// Writes a new file (never an existing one) and syncs it.
Status WriteNew(const std::string& path, std::string_view bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return WriteError(path, "open");
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd.get(), bytes.data() + off, bytes.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return WriteError(path, "write");
    }
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd.get()) != 0) return WriteError(path, "fsync");
  if (::close(fd.release()) != 0) return WriteError(path, "close");
  return Status::Ok();
}

struct Written {
  uint64_t size = 0;
  bagit::HexDigests hex;
};

bagit::AlgorithmSet Sha256And512() {
  bagit::AlgorithmSet set;
  set.Add(BagAlgorithm::kSha256);
  set.Add(BagAlgorithm::kSha512);
  return set;
}

Result<Written> WriteBytes(const std::string& path, std::string_view bytes) {
  PG_RETURN_IF_ERROR(WriteNew(path, bytes));
  bagit::MultiHasher h(Sha256And512());
  h.Update(bytes);
  return Written{bytes.size(), h.Finish()};
}

// Copies `source` to a new file at `path`, hashing the bytes as they are written, so the
// manifest describes exactly what was written.
Result<Written> CopyFile(const std::string& source, const std::string& path) {
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!in.valid()) {
    return Status::BadInput(fmt::format("cannot read {}: {}", source, ErrnoText(errno)),
                            "give a readable regular file");
  }
  struct stat before;
  if (::fstat(in.get(), &before) != 0 || !S_ISREG(before.st_mode)) {
    return Status::BadInput(fmt::format("{} is not a regular file", source),
                            "give a readable regular file");
  }
  UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out.valid()) return WriteError(path, "open");
  bagit::MultiHasher h(Sha256And512());
  AlignedBuffer buf(size_t{256} << 10);
  uint64_t done = 0;
  while (true) {
    auto got = ReadFull(in.get(), buf.span().data(), buf.span().size());
    if (!got.ok()) return got.status().WithContext(source);
    if (*got == 0) break;
    h.Update(buf.span().subspan(0, *got));
    size_t off = 0;
    while (off < *got) {
      ssize_t w = ::write(out.get(), buf.span().data() + off, *got - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return WriteError(path, "write");
      }
      off += static_cast<size_t>(w);
    }
    done += *got;
  }
  struct stat after;
  if (::fstat(in.get(), &after) != 0 || after.st_size != before.st_size ||
      done != static_cast<uint64_t>(before.st_size) ||
      after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
      after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
    return Status::BadInput(fmt::format("{} changed while it was copied", source),
                            "stop whatever writes to it, then run the command again");
  }
  if (::fsync(out.get()) != 0) return WriteError(path, "fsync");
  if (::close(out.release()) != 0) return WriteError(path, "close");
  return Written{done, h.Finish()};
}

Status SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return WriteError(dir, "fsync of the directory");
  return Status::Ok();
}

// Removes the temporary bag unless it was renamed into place.
class TempDir {
 public:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

Status WriteBagInto(const std::string& root, const BagSpec& spec) {
  std::vector<const BagPayloadFile*> payload;
  for (const auto& f : spec.payload) payload.push_back(&f);
  std::sort(payload.begin(), payload.end(),
            [](const BagPayloadFile* a, const BagPayloadFile* b) { return a->path < b->path; });

  std::vector<bagit::TreeDigestEntry> tree;
  std::string manifest256, manifest512;
  uint64_t octets = 0;
  if (::mkdir((root + "/data").c_str(), 0755) != 0) return WriteError(root + "/data", "mkdir");
  std::set<std::string> dirs = {root + "/data"};
  for (const BagPayloadFile* f : payload) {
    const std::string rel = "data/" + f->path;
    const std::string path = root + "/" + rel;
    for (size_t slash = rel.find('/', 5); slash != std::string::npos;
         slash = rel.find('/', slash + 1)) {
      std::string d = root + "/" + rel.substr(0, slash);
      if (dirs.insert(d).second && ::mkdir(d.c_str(), 0755) != 0) return WriteError(d, "mkdir");
    }
    auto written = f->bytes ? WriteBytes(path, *f->bytes) : CopyFile(*f->source, path);
    if (!written.ok()) return written.status();
    octets += written->size;
    const std::string encoded = PercentEncodeBagPath(rel);
    manifest256 +=
        fmt::format("{}  {}\n", written->hex[bagit::Index(BagAlgorithm::kSha256)], encoded);
    manifest512 +=
        fmt::format("{}  {}\n", written->hex[bagit::Index(BagAlgorithm::kSha512)], encoded);
    tree.push_back({rel, written->hex[bagit::Index(BagAlgorithm::kSha256)], written->size});
  }
  for (const auto& d : dirs) PG_RETURN_IF_ERROR(SyncDir(d));

  std::string bag_info = fmt::format("Payload-Oxum: {}.{}\n", octets, payload.size());
  bag_info += fmt::format("Bagging-Date: {}\n", spec.bagging_date.value_or(TodayUtc()));
  bag_info += fmt::format("External-Identifier: {}\n", spec.external_identifier);
  for (const auto& [label, value] : spec.labels) bag_info += fmt::format("{}: {}\n", label, value);

  std::vector<std::pair<std::string, std::string>> tag_files = {
      {"bagit.txt", std::string(kDeclaration)},
      {"manifest-sha256.txt", manifest256},
      {"manifest-sha512.txt", manifest512}};
  for (const auto& [name, bytes] : tag_files) {
    tree.push_back({name, ToHex(Sha256Of(bytes)), bytes.size()});
  }
  if (spec.record_tree_digest) {
    // The digest covers bag-info.txt as it is now, which is bag-info.txt without the line
    // about to be added: WithoutTreeDigestLines of the final file gives these bytes back.
    tree.push_back({"bag-info.txt", ToHex(Sha256Of(bag_info)), bag_info.size()});
    bag_info += fmt::format("{}: {}\n", kPacketTreeDigestLabel,
                            ToHex(bagit::TreeDigestOf(std::move(tree))));
  }
  tag_files.emplace_back("bag-info.txt", bag_info);
  std::sort(tag_files.begin(), tag_files.end());

  std::string tag256, tag512;
  for (const auto& [name, bytes] : tag_files) {
    PG_RETURN_IF_ERROR(WriteNew(root + "/" + name, bytes));
    tag256 += fmt::format("{}  {}\n", bagit::HexDigestOf(BagAlgorithm::kSha256, bytes), name);
    tag512 += fmt::format("{}  {}\n", bagit::HexDigestOf(BagAlgorithm::kSha512, bytes), name);
  }
  PG_RETURN_IF_ERROR(WriteNew(root + "/tagmanifest-sha256.txt", tag256));
  PG_RETURN_IF_ERROR(WriteNew(root + "/tagmanifest-sha512.txt", tag512));
  return SyncDir(root);
}

}  // namespace

Status WriteBag(const std::string& dir, const BagSpec& spec) {
  PG_RETURN_IF_ERROR(CheckSpec(spec));
  fs::path target = fs::path(dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  struct stat st;
  if (::lstat(target.c_str(), &st) == 0) {
    std::error_code ec;
    if (!S_ISDIR(st.st_mode) || !fs::is_empty(target, ec) || ec) {
      return Status::BadInput(
          fmt::format("{} exists and is not an empty directory", PrintablePath(dir)),
          "write the bag to a new path (prodgate never writes a bag over other files)");
    }
  } else if (errno != ENOENT) {
    return Status::BadInput(
        fmt::format("cannot stat {}: {}", PrintablePath(dir), ErrnoText(errno)));
  }
  std::string templ = (parent / ("." + target.filename().string() + ".bag-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return Status::Internal(
        fmt::format("cannot create a directory in {}: {}", parent.string(), ErrnoText(errno)),
        "check that the parent directory exists and is writable");
  }
  TempDir tmp(templ);
  if (::chmod(tmp.path().c_str(), 0755) != 0) return WriteError(tmp.path(), "chmod");
  PG_RETURN_IF_ERROR(WriteBagInto(tmp.path(), spec));
  // rename(2) puts the whole bag in place at once; it replaces an empty directory and fails
  // (ENOTEMPTY/EEXIST) if files appeared in `dir` meanwhile.
  if (::rename(tmp.path().c_str(), target.c_str()) != 0) {
    return Status::Internal(
        fmt::format("cannot move the bag into {}: {}", PrintablePath(dir), ErrnoText(errno)),
        "make sure nothing else writes to that path, then run the command again");
  }
  tmp.Release();
  return SyncDir(parent.string());
}

Result<Digest> PacketTreeDigest(const std::string& dir) {
  PG_ASSIGN_OR_RETURN(IgnoreRules rules, IgnoreRules::Make({}));
  PG_ASSIGN_OR_RETURN(TreeListing listing, WalkTree(dir, rules));
  if (!listing.problems.empty()) {
    return Status::BadInput(fmt::format("cannot read the bag {}: {}", PrintablePath(dir),
                                        fmt::join(listing.problems, "; ")),
                            "make every directory of the bag readable");
  }
  std::vector<bagit::HashJob> jobs;
  std::vector<std::string> paths;
  std::vector<bagit::TreeDigestEntry> entries;
  bagit::AlgorithmSet sha256;
  sha256.Add(BagAlgorithm::kSha256);
  for (const auto& n : listing.nodes) {
    if (n.kind != NodeKind::kFile) {
      return Status::BadInput(
          fmt::format("{} in the bag {} is a {}", PrintablePath(n.path), PrintablePath(dir),
                      NodeKindName(n.kind)),
          "a packet holds regular files only; replace it with the file it stands for");
    }
    if (bagit::IsTagManifestPath(n.path)) continue;
    if (n.path == "bag-info.txt") {
      PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile((fs::path(dir) / n.path).string()));
      std::string stripped = bagit::WithoutTreeDigestLines(bytes);
      entries.push_back({n.path, ToHex(Sha256Of(stripped)), stripped.size()});
      continue;
    }
    jobs.push_back({(fs::path(dir) / n.path).string(), n.size, sha256});
    paths.push_back(n.path);
  }
  auto results = bagit::HashAll(jobs, nullptr);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i].ok()) return results[i].status();
    entries.push_back(
        {paths[i], results[i]->hex[bagit::Index(BagAlgorithm::kSha256)], results[i]->size});
  }
  return bagit::TreeDigestOf(std::move(entries));
}

}  // namespace prodgate::seal
