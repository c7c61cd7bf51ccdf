#include "authority/keys.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "core/file_io.h"
#include "core/sha256.h"

namespace prodgate::authority {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kOwner:
      return "owner";
    case Role::kOperator:
      return "operator";
    case Role::kCi:
      return "ci";
    case Role::kAgent:
      return "agent";
  }
  return "agent";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "operator") return Role::kOperator;
  if (name == "ci") return Role::kCi;
  if (name == "agent") return Role::kAgent;
  return Status::BadInput(fmt::format("unknown role \"{}\"", name),
                          "use owner, operator, ci or agent");
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view b64) {
  if (b64.empty() || b64.size() % 4 != 0) return std::nullopt;
  for (size_t i = 0; i < b64.size(); ++i) {
    char c = b64[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    bool pad = c == '=' && i >= b64.size() - 2 && (i == b64.size() - 1 || b64.back() == '=');
    if (!alpha && !pad) return std::nullopt;
  }
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t pad = (b64.back() == '=') + (b64.size() > 1 && b64[b64.size() - 2] == '=');
  out.resize(static_cast<size_t>(n) - pad);
  if (Base64Encode(out) != b64) return std::nullopt;  // one spelling per byte string
  return out;
}

std::string PublicKey::Id() const {
  std::string hex =
      ToHex(Sha256Of(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size())));
  return "ed25519:" + hex.substr(0, 16);
}

std::string PublicKey::Base64() const {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

Result<PublicKey> PublicKey::FromBase64(std::string_view b64) {
  auto bytes = Base64Decode(b64);
  if (!bytes || bytes->size() != 32) {
    return Status::BadInput("public key is not 32 bytes of base64",
                            "copy the public_key of a key made by `prodgate key new`");
  }
  PublicKey k;
  std::copy(bytes->begin(), bytes->end(), k.raw.begin());
  return k;
}

PrivateKey::PrivateKey(PrivateKey&& o) noexcept : key_(o.key_) { o.key_ = nullptr; }
PrivateKey& PrivateKey::operator=(PrivateKey&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(key_);
    key_ = o.key_;
    o.key_ = nullptr;
  }
  return *this;
}
PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }

Result<PrivateKey> PrivateKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return Status::Internal("Ed25519 key generation failed in OpenSSL");
  return PrivateKey(key);
}

Result<PrivateKey> PrivateKey::Load(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("cannot read key {}: {}", path, ErrnoText(errno)),
                            "give the private key file made by `prodgate key new`");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::BadInput(fmt::format("key {} is not a regular file", path));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::BadInput(
        fmt::format("key {} has mode {:04o}: its group or others may read it", path,
                    st.st_mode & 07777),
        fmt::format("chmod 600 {} (and consider the key exposed if others could read it)", path));
  }
  std::string pem(static_cast<size_t>(st.st_size), '\0');
  auto n = ReadFull(fd.get(), pem.data(), pem.size());
  if (!n.ok() || *n != pem.size()) return Status::BadInput(fmt::format("cannot read key {}", path));
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return Status::BadInput(fmt::format("{} is not a PEM private key", path),
                            "give the private key file made by `prodgate key new`");
  }
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return Status::BadInput(fmt::format("{} is not an Ed25519 key", path),
                            "prodgate signs with Ed25519 keys made by `prodgate key new`");
  }
  return PrivateKey(key);
}

Status PrivateKey::Save(const std::string& path) const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::Internal("cannot encode the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("cannot create {}: {}", path, ErrnoText(errno)),
                            errno == EEXIST ? "choose another --out; an existing key is never "
                                              "overwritten"
                                            : "check the directory");
  }
  if (::fchmod(fd.get(), 0600) != 0 || ::write(fd.get(), data, static_cast<size_t>(len)) != len ||
      ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return Status::Internal(fmt::format("cannot write {}: {}", path, ErrnoText(err)));
  }
  return Status::Ok();
}

PublicKey PrivateKey::public_key() const {
  PublicKey k;
  size_t len = k.raw.size();
  EVP_PKEY_get_raw_public_key(key_, k.raw.data(), &len);
  return k;
}

Result<std::string> PrivateKey::Sign(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char sig[64];
  size_t sig_len = sizeof sig;
  bool ok =
      ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
      EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal("Ed25519 signing failed in OpenSSL");
  return Base64Encode(std::string_view(reinterpret_cast<char*>(sig), sig_len));
}

bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view sig_b64) {
  auto sig = Base64Decode(sig_b64);
  if (!sig || sig->size() != 64) return false;
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw.data(), key.raw.size());
  if (pkey == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

}  // namespace prodgate::authority
