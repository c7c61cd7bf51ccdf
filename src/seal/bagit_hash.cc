// Checksums of bag files: every algorithm a file needs, computed in one read, on every core.
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "core/file_io.h"
#include "core/parallel.h"
#include "seal/bagit.h"
#include "seal/bagit_internal.h"

namespace prodgate::seal {

std::string_view BagAlgorithmName(BagAlgorithm a) {
  switch (a) {
    case BagAlgorithm::kMd5:
      return "md5";
    case BagAlgorithm::kSha1:
      return "sha1";
    case BagAlgorithm::kSha256:
      return "sha256";
    case BagAlgorithm::kSha512:
      return "sha512";
  }
  return "sha256";
}

std::optional<BagAlgorithm> BagAlgorithmFromName(std::string_view name) {
  for (BagAlgorithm a : kBagAlgorithms) {
    if (BagAlgorithmName(a) == name) return a;
  }
  return std::nullopt;
}

namespace bagit {
namespace {

// Fetched once per algorithm: an implicit fetch per EVP_DigestInit costs a provider lookup.
const EVP_MD* Md(BagAlgorithm a) {
  static const std::array<EVP_MD*, 4> kMds = {
      EVP_MD_fetch(nullptr, "MD5", nullptr), EVP_MD_fetch(nullptr, "SHA1", nullptr),
      EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_fetch(nullptr, "SHA512", nullptr)};
  return kMds[Index(a)];
}

[[noreturn]] void Die(const char* what) {
  // As in core/sha256.cc: a failing EVP call on memory means the crypto library is broken.
  std::fprintf(stderr, "prodgate: internal error: OpenSSL %s failed\n", what);
  std::abort();
}

std::string Hex(const unsigned char* d, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

}  // namespace

bool AlgorithmAvailable(BagAlgorithm a) { return Md(a) != nullptr; }

size_t HexLength(BagAlgorithm a) {
  switch (a) {
    case BagAlgorithm::kMd5:
      return 32;
    case BagAlgorithm::kSha1:
      return 40;
    case BagAlgorithm::kSha256:
      return 64;
    case BagAlgorithm::kSha512:
      return 128;
  }
  return 64;
}

MultiHasher::MultiHasher(AlgorithmSet algorithms) {
  for (BagAlgorithm a : kBagAlgorithms) {
    if (!algorithms.Has(a)) continue;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr || Md(a) == nullptr || EVP_DigestInit_ex2(ctx, Md(a), nullptr) != 1) {
      Die("digest init");
    }
    ctx_[Index(a)] = ctx;
  }
}

MultiHasher::~MultiHasher() {
  for (void* ctx : ctx_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx));
}

void MultiHasher::Update(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  for (void* ctx : ctx_) {
    if (ctx != nullptr &&
        EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx), bytes.data(), bytes.size()) != 1) {
      Die("digest update");
    }
  }
}

void MultiHasher::Update(std::string_view bytes) {
  Update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

HexDigests MultiHasher::Finish() {
  HexDigests out;
  for (size_t i = 0; i < ctx_.size(); ++i) {
    if (ctx_[i] == nullptr) continue;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_[i]), d, &len) != 1) Die("digest final");
    out[i] = Hex(d, len);
  }
  return out;
}

std::string HexDigestOf(BagAlgorithm a, std::string_view bytes) {
  AlgorithmSet set;
  set.Add(a);
  MultiHasher h(set);
  h.Update(bytes);
  return std::move(h.Finish()[Index(a)]);
}

Result<HashedFile> HashFile(const std::string& path, AlgorithmSet algorithms,
                            std::span<uint8_t> buffer, Progress* progress) {
  // O_NOFOLLOW: a symlink swapped in after the walk is refused, never followed out of the
  // bag. O_NONBLOCK: a fifo swapped in must not hang us; fstat then refuses it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("cannot read {}: {}", path, ErrnoText(errno)),
                            "make the file readable and run again");
  }
  struct stat before;
  if (::fstat(fd.get(), &before) != 0 || !S_ISREG(before.st_mode)) {
    return Status::BadInput(fmt::format("{} is no longer a regular file", path),
                            "the bag changed while prodgate read it; run again when it is quiet");
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  MultiHasher hasher(algorithms);
  uint64_t done = 0;
  while (true) {
    auto got = ReadFull(fd.get(), buffer.data(), buffer.size());
    if (!got.ok()) return got.status().WithContext(path);
    if (*got == 0) break;
    hasher.Update(buffer.subspan(0, *got));
    done += *got;
    if (progress != nullptr) progress->Add(0, *got);
  }
  struct stat after;
  if (::fstat(fd.get(), &after) != 0 || done != static_cast<uint64_t>(before.st_size) ||
      after.st_size != before.st_size || after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
      after.st_mtim.tv_nsec != before.st_mtim.tv_nsec ||
      after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
      after.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
    return Status::BadInput(fmt::format("{} changed while it was being hashed", path),
                            "stop whatever writes to the bag, then run the command again");
  }
  return HashedFile{done, hasher.Finish()};
}

std::vector<Result<HashedFile>> HashAll(const std::vector<HashJob>& jobs, Progress* progress) {
  std::vector<Result<HashedFile>> results(jobs.size(),
                                          Result<HashedFile>(Status::Internal("not hashed")));
  std::vector<size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // A large file cannot be split across cores, so starting it first balances them.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].size > jobs[b].size; });
  const unsigned workers = std::max(1u, std::min<unsigned>(WorkerCount(), jobs.size()));
  // 256 KiB, page-aligned: as in file_facts.cc (amortizes read(2), stays in L2).
  constexpr size_t kBufferBytes = size_t{256} << 10;
  std::vector<AlignedBuffer> buffers;
  for (unsigned w = 0; w < workers; ++w) buffers.emplace_back(kBufferBytes);
  ParallelFor(order.size(), workers, [&](size_t k, unsigned worker) {
    const HashJob& job = jobs[order[k]];
    results[order[k]] = HashFile(job.path, job.algorithms, buffers[worker].span(), progress);
    if (progress != nullptr) progress->Add(1, 0);
  });
  return results;
}

}  // namespace bagit
}  // namespace prodgate::seal
