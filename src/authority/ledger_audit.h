// Ledger operations that need the trust: opening a workspace on its verified chain,
// accepting a changed config, verifying the chain for `ledger verify`, and rebuilding the
// projections cache.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authority/keys.h"
#include "authority/trust.h"
#include "authority/verified_ledger.h"
#include "ledger/chain.h"
#include "model/workspace.h"

namespace prodgate::authority {

// Records the current config.toml's digest, signed by a trusted owner: at once with a
// threshold of 1 (config.accept), else as a trust proposal the other owners sign
// (`prodgate trust sign`), in force at the threshold. The outcome says which.
Result<TrustChangeOutcome> AcceptConfig(model::Workspace& ws, const PrivateKey& owner,
                                        int64_t threshold);

// What every command opens: model::OpenWorkspace, then the verification of its chain from
// this user's checkpoint (ws.proven, verified_ledger.h), then config.toml against the digest
// the chain accepted last. A chain that does not verify is refused, naming the event, unless
// `allow_broken` (for the commands that report on it: `ledger verify`, and the gate, which
// answers HOLD); `check_config` false leaves the config file unchecked (`config accept`,
// which records it).
struct OpenOptions {
  bool allow_broken = false;
  bool check_config = true;
};
Result<model::Workspace> OpenCheckedWorkspace(const std::string& root, const std::string& ledger,
                                              const OpenOptions& options = {});

struct LedgerAudit {
  bool ok = false;
  ledger::Head head;  // the last event that verified
  std::optional<int64_t> first_bad_seq;
  std::string problem;
  std::optional<int64_t> expected_head_seq;
  ledger::Head verified_from;  // the checkpoint this verification started from
  int64_t verified_now = 0;    // events verified by this run
  bool full = false;           // from genesis, whatever the checkpoint
  std::string checkpoint;      // its path, or "" with no_checkpoint saying why
  std::string no_checkpoint;
  ledger::LedgerProtection protection;
};

// Verifies the chain as OpenCheckedWorkspace did (from the checkpoint: a ledger shorter than
// it, or whose checkpointed event changed, FAILs), and with `full` once more from genesis in
// memory. `expect_head`: the chain must hold that event (a head recorded elsewhere).
Result<LedgerAudit> AuditLedger(model::Workspace& ws, const std::optional<Digest>& expect_head,
                                bool full);

struct RebuildReport {
  std::vector<std::string> differences;  // "grants/abc: stored differs", …
  bool written = false;
};
// Replays the verified events into memory and compares the store's projections (a cache)
// with them; `write` replaces them. Refused on a chain that does not verify.
Result<RebuildReport> RebuildProjections(model::Workspace& ws, bool write);

}  // namespace prodgate::authority
