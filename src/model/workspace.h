// A prodgate workspace: a directory holding `.prodgate/` with
//   config.toml   actions, scopes, gates, categories, thresholds, production identities
//   ledger.db     the hash-chained ledger (SQLite)
//   trust.json    the keys prodgate trusts (authority/trust.h)
//   objects/      sealed bytes kept by `seal --keep`
// The config is itself sealed: its SHA-256 is recorded in the ledger (config.accept events)
// and a config whose bytes differ from the last recorded digest is refused, because an edit
// there changes what every blocker holds.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ledger/store.h"
#include "model/config.h"

namespace prodgate::model {

struct Workspace {
  std::string root;  // the directory that holds .prodgate/
  Config config;
  std::unique_ptr<ledger::LedgerStore> ledger;

  std::string dir() const { return root + "/.prodgate"; }
  std::string config_path() const { return dir() + "/config.toml"; }
  std::string trust_path() const { return dir() + "/trust.json"; }
  std::string ledger_path() const { return dir() + "/ledger.db"; }
};

// The workspace root: `explicit_root` when given, else the nearest directory from the
// working directory upward that holds .prodgate/config.toml or .prodgate/ledger.db (or
// whose .prodgate cannot be searched); nullopt when there is none.
std::optional<std::string> FindWorkspaceRoot(const std::string& explicit_root);

// Finds the workspace: `explicit_root` when given, else the nearest directory from the
// working directory upward that holds one (FindWorkspaceRoot). Loads the config, opens the
// ledger (or `ledger_location` when given) and checks the config against its recorded digest.
// `check_config` false skips only the digest check (for `config accept`, which records it).
Result<Workspace> OpenWorkspace(const std::string& explicit_root,
                                const std::string& ledger_location = "", bool check_config = true);

// Creates .prodgate/ in `root` with the default config and a new ledger whose first event
// records the config's digest. Refuses when a workspace exists there.
// `ledger_location` empty: .prodgate/ledger.db; else a ledger made there (e.g. a shared
// PostgreSQL ledger, "postgresql://…"), which must be empty. Every later command then names
// it with --ledger.
Result<Workspace> InitWorkspace(const std::string& root, const std::string& actor,
                                const std::string& ledger_location = {});

// The actor name for events made without a key: "local:<user>".
std::string LocalActor();

}  // namespace prodgate::model
