// What every command needs from the command line: the workspace, and a key when one is
// given. Thin wrappers over the library.
#pragma once

#include <optional>
#include <string>

#include "authority/keys.h"
#include "cli/commands.h"
#include "model/workspace.h"

namespace prodgate::cli {

// The workspace on its verified chain (authority::OpenCheckedWorkspace).
Result<model::Workspace> OpenWs(const GlobalFlags& global, bool allow_broken = false,
                                bool check_config = true);

// Loads --key FILE, or nullopt when the flag was not given.
Result<std::optional<authority::PrivateKey>> KeyIfGiven(const std::string& path);

// The actor of an event: the key's id when given, else the local user.
std::string ActorOf(const std::optional<authority::PrivateKey>& key);

// Writes `text` to `path`, or to stdout when `path` is empty or "-".
int Emit(const std::string& text, const std::string& path);

}  // namespace prodgate::cli
