// What every command needs from the command line: the workspace, and a key when one is
// given. Thin wrappers over the library.
#pragma once

#include <optional>
#include <string>

#include "authority/keys.h"
#include "authority/trust.h"
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

// Runs `body(ws)` on the open workspace; an error opening it, or body's return, is the exit code.
template <typename F>
void WithWs(const GlobalFlags& global, int& exit_code, bool allow_broken, F&& body) {
  auto ws = OpenWs(global, allow_broken);
  exit_code = ws.ok() ? body(*ws) : ReportError(ws.status());
}
template <typename F>
void WithWs(const GlobalFlags& global, int& exit_code, F&& body) {
  WithWs(global, exit_code, false, std::forward<F>(body));
}

// With the required --key loaded, on an open workspace.
template <typename F>
void WithKey(model::Workspace& ws, const std::string& key_path, int& exit_code, F&& body) {
  auto key = authority::PrivateKey::Load(key_path);
  exit_code = key.ok() ? body(ws, *key) : ReportError(key.status());
}

// With the workspace and the required --key loaded.
template <typename F>
void WithWsAndKey(const GlobalFlags& global, const std::string& key_path, int& exit_code,
                  F&& body) {
  WithWs(global, exit_code, [&](model::Workspace& ws) {
    int rc = 0;
    WithKey(ws, key_path, rc, body);
    return rc;
  });
}

// With the workspace and the signer of --key (unsigned when the flag is empty).
template <typename F>
void WithWsAndSigner(const GlobalFlags& global, const std::string& key_path, int& exit_code,
                     F&& body) {
  WithWs(global, exit_code, [&](model::Workspace& ws) {
    auto key = KeyIfGiven(key_path);
    if (!key.ok()) return ReportError(key.status());
    return body(ws, authority::SignerOf(*key ? &**key : nullptr));
  });
}

// Writes `text` to `path`, or to stdout when `path` is empty or "-".
int Emit(const std::string& text, const std::string& path);

}  // namespace prodgate::cli
