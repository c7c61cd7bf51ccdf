#include "seal/object_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <vector>

#include "core/file_io.h"
#include "seal/file_facts.h"

namespace prodgate::seal {
namespace {

Result<Digest> HashFile(const std::string& path) {
  AlignedBuffer buf(1 << 20);
  PG_ASSIGN_OR_RETURN(FileFacts f, FactsOfFile(path, FactsOptions::Raw(), buf.span()));
  return f.sha256;
}

}  // namespace

std::string ObjectStoreDir(const std::string& root) {
  return (std::filesystem::path(root) / ".prodgate" / "objects").string();
}

std::string ObjectStore::PathFor(const Digest& digest) const {
  std::string hex = ToHex(digest);
  return fmt::format("{}/{}/{}", dir_, hex.substr(0, 2), hex.substr(2));
}

Status ObjectStore::Put(const std::string& source, const Digest& digest) const {
  std::string target = PathFor(digest);
  if (Find(digest)) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
  if (ec) {
    return Status::Internal(fmt::format("cannot create {}: {}", target, ec.message()),
                            "make the tree's .prodgate/ directory writable");
  }
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) {
    return Status::BadInput(fmt::format("cannot read {}: {}", source, ErrnoText(errno)));
  }
  std::random_device rd;
  std::string tmp = fmt::format("{}.tmp-{:08x}", target, rd());
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!out.valid()) {
    return Status::Internal(fmt::format("cannot create {}: {}", tmp, ErrnoText(errno)));
  }
  auto fail = [&](const std::string& what) {
    ::unlink(tmp.c_str());
    return Status::Internal(fmt::format("storing {} as {}: {}", source, target, what),
                            "free space or fix permissions in .prodgate/, then seal again");
  };
  while (true) {
    // copy_file_range lets the file system share or copy extents without a user-space pass.
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, size_t{1} << 30, 0);
    if (n < 0) return fail(ErrnoText(errno));
    if (n == 0) break;
  }
  if (::fsync(out.get()) != 0) return fail(ErrnoText(errno));
  out = UniqueFd();
  auto copied = HashFile(tmp);
  if (!copied.ok() || *copied != digest) {
    ::unlink(tmp.c_str());
    return Status::BadInput(fmt::format("{} changed while it was being sealed", source),
                            "stop whatever writes to it, then seal again");
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) return fail(ErrnoText(errno));
  return Status::Ok();
}

std::optional<std::string> ObjectStore::Find(const Digest& digest) const {
  std::string path = PathFor(digest);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  auto h = HashFile(path);
  if (!h.ok() || *h != digest) return std::nullopt;
  return path;
}

}  // namespace prodgate::seal
