// The running tool's identity, recorded in every report so a reader knows exactly which
// bytes produced it (DESIGN.md §1: "the tool records its own digest").
#pragma once

#include <string>

#include "core/canonical_json.h"

namespace prodgate {

std::string ToolVersion();
// SHA-256 hex of the running executable (/proc/self/exe), or "unknown" when unreadable.
const std::string& ToolDigest();
// {"name":"prodgate","version":...,"sha256":...}
Json ToolJson();

}  // namespace prodgate
