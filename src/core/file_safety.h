// Who could change a file: the checks behind the trust anchor (a file the invoking user must
// not be able to write) and the verifier's checkpoint directory (one only that user may
// write), in the manner of OpenSSH's StrictModes.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/status.h"

namespace prodgate {

// The file at `path` (symlinks resolved) and every directory above it, up to /, are owned by
// root or by a user other than `uid`, and none is group- or world-writable, except a
// directory owned by root with the sticky bit set (like /tmp), in which `uid` cannot rename
// or remove what it does not own. The error names the first component that fails and why.
Status NotWritableBy(const std::string& path, uid_t uid);

// `path` is a directory owned by `uid` with no group or world permission bits; it is made
// (mode 0700, parents as needed) when absent. The error names what is wrong and the fix.
Status PrivateDirectory(const std::string& path, uid_t uid);

}  // namespace prodgate
