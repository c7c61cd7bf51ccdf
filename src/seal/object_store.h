// Content-addressed store of sealed bytes (`seal --keep`), so that `verify` can show the
// exact first difference of a changed file.
//
// Layout: <dir>/<first 2 hex digits>/<remaining 62 hex digits>, files mode 0444. An
// object is trusted only after its bytes hash to its name again.
#pragma once

#include <optional>
#include <string>

#include "core/sha256.h"
#include "core/status.h"

namespace prodgate::seal {

// The store of a sealed tree: <root>/.prodgate/objects.
std::string ObjectStoreDir(const std::string& root);

class ObjectStore {
 public:
  explicit ObjectStore(std::string dir) : dir_(std::move(dir)) {}

  std::string PathFor(const Digest& digest) const;
  // Copies `source` into the store, then re-hashes the copy: a source that changed since
  // it was hashed is refused, and a corrupt object is never left under a digest's name.
  Status Put(const std::string& source, const Digest& digest) const;
  // The object's path when it is present and still hashes to `digest`.
  std::optional<std::string> Find(const Digest& digest) const;

 private:
  std::string dir_;
};

}  // namespace prodgate::seal
