// Ledger operations that need the trust: accepting a changed config, verifying the chain
// together with every event signature, and rebuilding projections.
#pragma once

#include <string>
#include <vector>

#include "authority/keys.h"
#include "ledger/chain.h"
#include "model/workspace.h"

namespace prodgate::authority {

// Records the current config.toml's digest, signed by a trusted owner.
Result<ledger::Event> AcceptConfig(model::Workspace& ws, const PrivateKey& owner);

// The config's record must come from prodgate: the workspace.init that made the ledger
// (event 1), or a config.accept signed by a trusted owner. model::OpenWorkspace checks the
// file against the record; this checks who made the record.
Status CheckConfigAccepted(model::Workspace& ws);

// model::OpenWorkspace, then CheckConfigAccepted: what every command opens.
Result<model::Workspace> OpenCheckedWorkspace(const std::string& root, const std::string& ledger);

struct LedgerAudit {
  ledger::ChainReport chain;
  int64_t signed_events = 0;
  std::vector<std::string> signature_problems;  // "event N: …"
  bool ok() const { return chain.ok && signature_problems.empty(); }
};

// Full chain verification, then every signed event's signature against the trusted key
// of its actor. On success the checkpoint for incremental checks is advanced.
Result<LedgerAudit> AuditLedger(model::Workspace& ws, const std::optional<Digest>& expect_head);

struct RebuildReport {
  std::vector<std::string> differences;  // "grants/abc: stored differs", …
  bool written = false;
};
// Replays every event and compares with the stored projections; `write` replaces them.
Result<RebuildReport> RebuildProjections(model::Workspace& ws, bool write);

}  // namespace prodgate::authority
