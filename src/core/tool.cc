#include "core/tool.h"

#include "core/file_io.h"
#include "core/sha256.h"

namespace prodgate {

std::string ToolVersion() { return PRODGATE_VERSION; }

const std::string& ToolDigest() {
  static const std::string digest = [] {
    auto bytes = ReadFile("/proc/self/exe", uint64_t{1} << 31);
    return bytes.ok() ? ToHex(Sha256Of(*bytes)) : std::string("unknown");
  }();
  return digest;
}

Json ToolJson() {
  return Json{{"name", "prodgate"}, {"version", ToolVersion()}, {"sha256", ToolDigest()}};
}

}  // namespace prodgate
