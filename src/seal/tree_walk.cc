#include "seal/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/file_io.h"

namespace prodgate::seal {
namespace {

NodeKind KindOf(mode_t m) {
  if (S_ISREG(m)) return NodeKind::kFile;
  if (S_ISLNK(m)) return NodeKind::kSymlink;
  if (S_ISDIR(m)) return NodeKind::kDirectory;
  if (S_ISFIFO(m)) return NodeKind::kFifo;
  if (S_ISSOCK(m)) return NodeKind::kSocket;
  if (S_ISCHR(m)) return NodeKind::kCharDevice;
  return NodeKind::kBlockDevice;
}

Result<std::string> ReadLinkAt(int dirfd, const char* name, size_t size_hint) {
  std::string buf(std::max<size_t>(size_hint, 64) + 1, '\0');
  while (true) {
    ssize_t n = ::readlinkat(dirfd, name, buf.data(), buf.size());
    if (n < 0) return Status::BadInput(fmt::format("readlink failed: {}", ErrnoText(errno)));
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

void Walk(int dirfd, const std::string& prefix, const IgnoreRules& ignore, TreeListing& out) {
  DIR* dir = ::fdopendir(dirfd);
  if (dir == nullptr) {
    out.problems.push_back(fmt::format("cannot read directory {}: {}",
                                       prefix.empty() ? "." : prefix, ErrnoText(errno)));
    ::close(dirfd);
    return;
  }
  std::vector<std::string> subdirs;
  errno = 0;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    struct stat st;
    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      out.problems.push_back(fmt::format("cannot stat {}: {}", rel, ErrnoText(errno)));
      continue;
    }
    NodeKind kind = KindOf(st.st_mode);
    if (ignore.Ignored(rel, kind == NodeKind::kDirectory)) continue;
    if (kind == NodeKind::kDirectory) {
      subdirs.push_back(name);
      continue;
    }
    TreeNode node{rel,
                  kind,
                  static_cast<unsigned>(st.st_mode & 07777),
                  static_cast<uint64_t>(st.st_size),
                  {}};
    node.dev = static_cast<uint64_t>(st.st_dev);
    node.ino = static_cast<uint64_t>(st.st_ino);
    if (kind == NodeKind::kSymlink) {
      auto target = ReadLinkAt(dirfd, e->d_name, static_cast<size_t>(st.st_size));
      if (!target.ok()) {
        out.problems.push_back(fmt::format("{}: {}", rel, target.status().what()));
        continue;
      }
      node.target = std::move(*target);
      node.size = node.target.size();
    }
    out.nodes.push_back(std::move(node));
  }
  if (errno != 0) {
    out.problems.push_back(fmt::format("reading directory {} failed: {}",
                                       prefix.empty() ? "." : prefix, ErrnoText(errno)));
  }
  for (const auto& name : subdirs) {
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      out.problems.push_back(fmt::format("cannot open directory {}: {}", rel, ErrnoText(errno)));
      continue;
    }
    Walk(fd, rel, ignore, out);
  }
  ::closedir(dir);
}

}  // namespace

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kFile:
      return "file";
    case NodeKind::kSymlink:
      return "symlink";
    case NodeKind::kDirectory:
      return "directory";
    case NodeKind::kFifo:
      return "fifo";
    case NodeKind::kSocket:
      return "socket";
    case NodeKind::kCharDevice:
      return "character device";
    case NodeKind::kBlockDevice:
      return "block device";
  }
  return "unknown";
}

Result<TreeListing> WalkTree(const std::string& root, const IgnoreRules& ignore) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::BadInput(fmt::format("cannot open directory {}: {}", root, ErrnoText(errno)),
                            "give the path of a readable directory");
  }
  TreeListing out;
  Walk(fd, "", ignore, out);
  std::sort(out.nodes.begin(), out.nodes.end(),
            [](const TreeNode& a, const TreeNode& b) { return a.path < b.path; });
  return out;
}

Result<TreeNode> StatNode(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::BadInput(fmt::format("cannot stat {}: {}", path, ErrnoText(errno)),
                            "check the path");
  }
  TreeNode node{path,
                KindOf(st.st_mode),
                static_cast<unsigned>(st.st_mode & 07777),
                static_cast<uint64_t>(st.st_size),
                {}};
  node.dev = static_cast<uint64_t>(st.st_dev);
  node.ino = static_cast<uint64_t>(st.st_ino);
  if (node.kind == NodeKind::kSymlink) {
    auto target = ReadLinkAt(AT_FDCWD, path.c_str(), static_cast<size_t>(st.st_size));
    if (!target.ok()) return target.status().WithContext(path);
    node.target = std::move(*target);
    node.size = node.target.size();
  }
  return node;
}

}  // namespace prodgate::seal
