// Walks a directory tree without following symlinks and lists what is in it.
//
// Directories are descended (unless ignored) but are not entries themselves: a seal covers
// regular files and symlinks. Every other kind (fifo, socket, device) is listed so that the
// caller can refuse it by name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "seal/ignore.h"

namespace prodgate::seal {

enum class NodeKind { kFile, kSymlink, kDirectory, kFifo, kSocket, kCharDevice, kBlockDevice };

// "file", "symlink", "directory", "fifo", "socket", "character device", "block device".
const char* NodeKindName(NodeKind kind);

struct TreeNode {
  std::string path;  // relative to the root, '/'-separated; raw bytes as the file system has them
  NodeKind kind;
  unsigned mode = 0;  // permission bits (07777)
  uint64_t size = 0;
  std::string target;         // symlinks: the link text
  uint64_t dev = 0, ino = 0;  // which file the walk saw (verify compares it with the one read)
};

struct TreeListing {
  std::vector<TreeNode> nodes;        // sorted by path bytes; no directories
  std::vector<std::string> problems;  // directories that could not be read
};

// Lists `root`. Fails when `root` itself is not a readable directory.
Result<TreeListing> WalkTree(const std::string& root, const IgnoreRules& ignore);

// Kind of a single path (lstat). Fails when it does not exist.
Result<TreeNode> StatNode(const std::string& path);

}  // namespace prodgate::seal
