#include "core/file_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <random>

namespace prodgate {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

AlignedBuffer::AlignedBuffer(size_t size)
    : data_(static_cast<uint8_t*>(std::aligned_alloc(4096, (size + 4095) / 4096 * 4096))),
      size_(size) {
  if (data_ == nullptr) throw std::bad_alloc();
}

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

std::string ErrnoText(int err) { return std::strerror(err); }

Result<size_t> ReadFull(int fd, void* buf, size_t n) {
  size_t got = 0;
  auto* p = static_cast<char*>(buf);
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::BadInput(fmt::format("read failed: {}", ErrnoText(errno)));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("cannot read {}: {}", path, ErrnoText(errno)),
                            "check the path and its permissions");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    return Status::BadInput(fmt::format("cannot stat {}: {}", path, ErrnoText(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::BadInput(fmt::format("{} is not a regular file", path),
                            "give the path of a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::BadInput(
        fmt::format("{} is {} bytes, over the limit of {} bytes", path, st.st_size, max_bytes),
        "this file is too large to be the document expected here");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  auto n = ReadFull(fd.get(), out.data(), out.size());
  if (!n.ok()) return n.status().WithContext(path);
  out.resize(*n);
  // A file that grew since fstat: read the rest in bounded steps.
  char extra[4096];
  while (true) {
    auto more = ReadFull(fd.get(), extra, sizeof extra);
    if (!more.ok()) return more.status().WithContext(path);
    if (*more == 0) break;
    if (out.size() + *more > max_bytes) {
      return Status::BadInput(fmt::format("{} is over the limit of {} bytes", path, max_bytes));
    }
    out.append(extra, *more);
  }
  return out;
}

Status WriteFileAtomic(const std::string& path, std::string_view bytes, unsigned mode) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::random_device rd;
  std::string tmp =
      (dir / fmt::format(".{}.tmp-{:08x}", target.filename().string(), rd())).string();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) {
    return Status::Internal(fmt::format("cannot create {}: {}", tmp, ErrnoText(errno)),
                            "check that the directory exists and is writable");
  }
  auto fail = [&](const char* step) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::Internal(
        fmt::format("cannot write {}: {} failed: {}", path, step, ErrnoText(err)),
        "free space or fix permissions, then run the command again");
  };
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd.get(), bytes.data() + off, bytes.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(w);
  }
  if (::fchmod(fd.get(), mode) != 0) return fail("fchmod");
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
  return Status::Ok();
}

}  // namespace prodgate
