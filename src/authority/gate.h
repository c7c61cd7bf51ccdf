// The gate (DESIGN.md §3.6): ALLOW or HOLD for one action, in one scope, for one change and
// target, with every reason it holds and what would release each.
//
// ALLOW needs all of:
//   - the action and the scope are known to the config;
//   - the ledger chain verifies (check: the tail since the last full verification; run: the
//     whole chain) and the trust file matches its record;
//   - no open blocker holds (action, scope);
//   - for scope "production": a change digest, and a passing rehearsal recorded for it;
//   - a grant for exactly this action and scope (no scope implies another) whose projection
//     matches its re-hashed events, whose id is the hash of its terms, signed by at least
//     the action's threshold of distinct trusted owners with the right to grant it (none of
//     them its requester, nor the executor), within its window, not revoked, with uses left,
//     bound to the same change (production grants must name one) and target when it names
//     them, and whose required blockers are all closed.
// Every blocker the decision relies on is also checked against its events.
#pragma once

#include <string>
#include <vector>

#include "authority/keys.h"
#include "core/canonical_json.h"
#include "ledger/store.h"
#include "model/workspace.h"

namespace prodgate::authority {

struct GateRequest {
  std::string action, scope, change, target;
  std::string executor;  // key id of who runs it, when known
};

struct HoldReason {
  std::string code;     // "blocker_open", "grant_expired", …
  std::string message;  // what holds, naming the thing
  std::string release;  // what would release it
  std::string blocker;  // the blocker concerned, if any
  std::string grant;    // the grant concerned, if any
};

struct GateDecision {
  bool allow = false;
  GateRequest request;
  std::vector<HoldReason> reasons;
  std::string grant;  // the grant that allows
  ledger::Head head;
  std::string checked_at;

  Json ToJson() const;
};

// Answers from projections checked against their events, after incremental verification.
Result<GateDecision> CheckGate(model::Workspace& ws, const GateRequest& request);

struct GatedRun {
  GateDecision decision;
  bool ran = false;
  int exit_code = -1;  // the command's exit status (128 + signal when killed)
  std::string intent;  // hash of the action.intent event
};

// Verifies the whole chain, then in one ledger transaction re-checks the gate, consumes one
// use of the grant and records action.intent; only then runs argv (stdio inherited), and
// records action.finish with its exit status. HOLD or a failed write: the command never runs.
Result<GatedRun> RunGated(model::Workspace& ws, const GateRequest& request,
                          const std::vector<std::string>& argv, const PrivateKey* executor_key);

}  // namespace prodgate::authority
