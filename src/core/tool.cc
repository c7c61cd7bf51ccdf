#include "core/tool.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "core/file_io.h"
#include "core/sha256.h"

namespace prodgate {

std::string ToolVersion() { return PRODGATE_VERSION; }

const std::string& ToolDigest() {
  // Streamed in 256 KiB blocks: the binary is read once per process, never held whole.
  static const std::string digest = []() -> std::string {
    UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return "unknown";
    std::vector<uint8_t> block(size_t{256} << 10);
    Sha256 h;
    while (true) {
      auto got = ReadFull(fd.get(), block.data(), block.size());
      if (!got.ok()) return "unknown";
      if (*got == 0) break;
      h.Update(std::span<const uint8_t>(block.data(), *got));
    }
    return ToHex(h.Finish());
  }();
  return digest;
}

Json ToolJson() {
  return Json{{"name", "prodgate"}, {"version", ToolVersion()}, {"sha256", ToolDigest()}};
}

}  // namespace prodgate
