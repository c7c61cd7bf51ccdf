// The read + SHA-256 ceiling of this machine: the least any verifier must do (read every
// byte out of the page cache, hash it, on every core) and nothing else: no manifest, no tree
// walk, no checks. verify_tree.sh times it beside `prodgate verify` to show how much of
// prodgate's time is its own.
//
//   read_hash_ceiling LIST   LIST: NUL-separated "size path" records, any order
//
// Prints the XOR of the first bytes of all digests (so the work cannot be optimized away).
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LIST\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<std::pair<long long, std::string>> files;
  for (std::string rec; std::getline(in, rec, '\0');) {
    size_t sp = rec.find(' ');
    files.emplace_back(std::atoll(rec.substr(0, sp).c_str()), rec.substr(sp + 1));
  }
  std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.first > b.first; });
  const unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  std::atomic<unsigned> mix{0};
  auto work = [&] {
    auto* buf = static_cast<unsigned char*>(std::aligned_alloc(4096, 256 << 10));
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      int fd = open(files[i].second.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) std::abort();
      EVP_DigestInit_ex2(ctx, md, nullptr);
      for (ssize_t n; (n = read(fd, buf, 256 << 10)) > 0;) EVP_DigestUpdate(ctx, buf, n);
      close(fd);
      unsigned char d[32];
      unsigned len;
      EVP_DigestFinal_ex(ctx, d, &len);
      mix ^= d[0];
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    std::free(buf);
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  std::printf("%u\n", mix.load());
  return 0;
}
