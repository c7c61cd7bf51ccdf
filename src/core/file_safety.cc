#include "core/file_safety.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "core/file_io.h"

namespace prodgate {

Status NotWritableBy(const std::string& path, uid_t uid) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return Status::BadInput(fmt::format("cannot read {}: {}", path, ErrnoText(errno)),
                            "give the path of an existing file");
  }
  std::filesystem::path at(resolved);
  bool first = true;
  while (true) {
    struct stat st {};
    if (::stat(at.c_str(), &st) != 0) {
      return Status::BadInput(fmt::format("cannot stat {}: {}", at.string(), ErrnoText(errno)));
    }
    if (first && !S_ISREG(st.st_mode)) {
      return Status::BadInput(fmt::format("{} is not a regular file", at.string()));
    }
    const bool sticky_root_dir =
        !first && S_ISDIR(st.st_mode) && st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0;
    const std::string fix = fmt::format(
        "make {} owned by root and not writable by its group or others "
        "(chown root:root; chmod go-w), as for a file sshd trusts",
        at.string());
    if (st.st_uid == uid && uid != 0) {
      return Status::BadInput(
          fmt::format("{} belongs to the invoking user (uid {}), who could rewrite it", at.string(),
                      uid),
          fix);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_root_dir) {
      return Status::BadInput(
          fmt::format("{} is writable by {} (mode {:04o})", at.string(),
                      (st.st_mode & S_IWOTH) ? "everyone" : "its group", st.st_mode & 07777),
          fix);
    }
    if (at == at.root_path()) return Status::Ok();
    at = at.parent_path();
    first = false;
  }
}

Status PrivateDirectory(const std::string& path, uid_t uid) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::path p(path);
    // Parents are made 0700 too: a new state directory is nobody else's business.
    std::filesystem::path build;
    for (const auto& part : p) {
      build /= part;
      if (std::filesystem::exists(build, ec)) continue;
      if (::mkdir(build.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::BadInput(
            fmt::format("cannot create {}: {}", build.string(), ErrnoText(errno)),
            "make the directory, owned by you with mode 0700");
      }
    }
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::BadInput(fmt::format("cannot stat {}: {}", path, ErrnoText(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::BadInput(fmt::format("{} is not a directory (a symlink is not followed)", path),
                            "make it a directory owned by you with mode 0700");
  }
  if (st.st_uid != uid) {
    return Status::BadInput(fmt::format("{} belongs to uid {}, not to the invoking user (uid {})",
                                        path, st.st_uid, uid),
                            "use a directory of your own (PRODGATE_STATE_DIR)");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::BadInput(
        fmt::format("{} is open to its group or others (mode {:04o})", path, st.st_mode & 07777),
        fmt::format("chmod 700 {}", path));
  }
  return Status::Ok();
}

}  // namespace prodgate
