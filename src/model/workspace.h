// A prodgate workspace: a directory holding `.prodgate/` with
//   config.toml   actions, scopes, gates, categories, thresholds, production identities
//   ledger.db     the hash-chained ledger (SQLite)
//   objects/      sealed bytes kept by `seal --keep`
// The config is itself sealed: its SHA-256 is recorded in the ledger (config.accept events)
// and a config whose bytes differ from the last recorded digest is refused, because an edit
// there changes what every blocker holds (authority::OpenCheckedWorkspace checks it against
// the verified chain).
//
// Which state a command reads: `proven` when the workspace was opened through
// authority::OpenCheckedWorkspace (the state the verified events make, kept in the invoking
// user's checkpoint), else the store's projections (a cache anyone with the workspace can
// edit). AppendEvent keeps `proven` current after each append.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ledger/store.h"
#include "model/config.h"

namespace prodgate::model {

// The state that a ledger's verified events make (authority/verified_ledger.h).
class ProvenState {
 public:
  virtual ~ProvenState() = default;
  virtual ledger::ProjectionTxn& tables() = 0;
  // The last event verified and folded.
  virtual ledger::Head head() const = 0;
  // False when an event after head() breaks the chain or a rule; problem() says which.
  virtual bool ok() const = 0;
  virtual const std::string& problem() const = 0;
  // Verifies and folds the events appended since head().
  virtual Status Refresh(ledger::LedgerStore& store) = 0;
  // Whether `e`, chained onto head(), would verify and apply: an append checks this before
  // it commits, so that prodgate never writes an event that breaks the chain.
  virtual Status Admits(const ledger::Event& e) = 0;
};

struct Workspace {
  std::string root;  // the directory that holds .prodgate/
  Config config;
  std::unique_ptr<ledger::LedgerStore> ledger;
  std::shared_ptr<ProvenState> proven;

  // The tables reads come from: proven's when set, else the store's projections.
  ledger::ProjectionTxn& state();

  std::string dir() const { return root + "/.prodgate"; }
  std::string config_path() const { return dir() + "/config.toml"; }
  std::string ledger_path() const { return dir() + "/ledger.db"; }

 private:
  std::shared_ptr<ledger::ProjectionTxn> store_reader_;  // made by state() on first use
};

// The workspace root: `explicit_root` when given, else the nearest directory from the
// working directory upward that holds .prodgate/config.toml or .prodgate/ledger.db (or
// whose .prodgate cannot be searched); nullopt when there is none.
std::optional<std::string> FindWorkspaceRoot(const std::string& explicit_root);

// Finds the workspace: `explicit_root` when given, else the nearest directory from the
// working directory upward that holds one (FindWorkspaceRoot). Loads the config and opens
// the ledger (or `ledger_location` when given). Nothing is verified here: commands open a
// workspace through authority::OpenCheckedWorkspace, which verifies the chain and checks the
// config against it.
Result<Workspace> OpenWorkspace(const std::string& explicit_root,
                                const std::string& ledger_location = "");

// Creates .prodgate/ in `root` with the default config and a new ledger whose first event
// records the config's digest and the workspace's id (`workspace_id`, or a random one).
// Refuses when a workspace exists there.
// `ledger_location` empty: .prodgate/ledger.db; else a ledger made there (e.g. a shared
// PostgreSQL ledger, "postgresql://…"), which must be empty. Every later command then names
// it with --ledger.
Result<Workspace> InitWorkspace(const std::string& root, const std::string& actor,
                                const std::string& ledger_location = {},
                                const std::string& workspace_id = {});

// 1 to 64 of [A-Za-z0-9._-], not starting with '.': usable as a file name.
bool ValidWorkspaceId(std::string_view id);

// The actor name for events made without a key: "local:<user>".
std::string LocalActor();

// Who signs an event a command appends: a key (its id, and its Ed25519 signature over the
// preimage: authority::SignerOf) or nobody (the local user, unsigned).
struct Signer {
  std::string key_id;
  std::function<Result<std::string>(std::string_view preimage)> sign;
  bool signs() const { return !key_id.empty(); }
  std::string Actor() const;  // key_id, or LocalActor()
  // The draft of an event of `kind` with `body`, by this signer.
  ledger::EventDraft Draft(std::string kind, Json body) const;
};

// The role the verified chain gives `key_id` now ("owner", "operator", "ci", "agent"), or ""
// for a key it does not trust (or none).
std::string RoleInForce(Workspace& ws, const std::string& key_id);

// Appends one event: inside the store's write transaction, `proven` is brought up to the head,
// `prepare` runs, the event is checked against the verified rules (ProvenState::Admits: an
// event that would break the chain is refused, nothing written) and model::Project updates
// the store's projections; after the commit `proven` folds it.
Result<ledger::Event> AppendEvent(Workspace& ws, const ledger::PrepareFn& prepare);

// Records an attempt prodgate refused (kind "….refused", body saying what was tried and the
// reasons), signed by `signer` when its key is in force, else unsigned with the key's id in
// the body. The same refusal twice in a row is recorded once. A failure to record is
// returned, and never turns the refusal into anything else.
Status RecordRefusal(Workspace& ws, const std::string& kind, Json body, const Signer& signer);

// The events of one kind, read from the store by their own kind column, up to the verified
// head when the workspace was verified (ws.proven).
Result<std::vector<ledger::Event>> VerifiedEventsOfKind(Workspace& ws, std::string_view kind);

// The workspace's id, from its first event (workspace.init): the name its trust anchor is
// found under (/etc/prodgate/anchors/<id>.json). Ledgers made before ids existed: the first
// 32 hex digits of event 1's hash.
std::string WorkspaceId(const ledger::Event& genesis);

}  // namespace prodgate::model
