// The gate (DESIGN.md §3.6): ALLOW or HOLD for one action, in one scope, for one change and
// target, with every reason it holds and what would release each.
//
// Every input is read from the state the verified chain makes (ws.proven,
// verified_ledger.h), and `gate check` and `gate run` check exactly the same things: run
// verifies the events appended since, under the ledger's write lock, just before it records
// the intent. ALLOW needs all of:
//   - the chain verifies (hashes, links, signatures, the rules of each kind), through the
//     last event; the action and the scope are known to the config;
//   - the trust anchor, when one is found (anchor.h), vouches for the workspace: its genesis,
//     its pinned event and owners, the owner threshold of every later trust change;
//   - for scope "production": an anchor (HOLD no_trust_anchor without one), a ledger it
//     accepts (the protected team ledger, or a local one it allows, and the answer then says
//     what a local ledger cannot protect against), an invoker that is not root unless the
//     anchor allows it;
//   - no open lane whose authority excludes (action, scope);
//   - no open blocker holds (action, scope);
//   - for scope "production": a change digest, and a passing rehearsal recorded for it;
//   - a grant for exactly this action and scope (no scope implies another) whose id is the
//     hash of its terms, signed by at least the action's threshold of distinct owners in
//     force with the right to grant it (none of them its requester, nor the executor),
//     within its window, not revoked, with uses left, bound to the same change (production
//     grants must name one) and target when it names them, and whose required blockers are
//     all closed.
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
  std::string anchor;    // --anchor FILE, or "" to search (anchor.h)
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
  ledger::Head head;  // the last verified event the answer rests on
  std::string checked_at;
  std::string ledger_kind;                 // ledger::LedgerKindName of the ledger decided from
  std::vector<std::string> ledger_limits;  // what that ledger cannot protect against
  std::string anchor;                      // the anchor file that vouched, or ""

  Json ToJson() const;
};

// Answers from the verified state of `ws` (opened through OpenCheckedWorkspace).
Result<GateDecision> CheckGate(model::Workspace& ws, const GateRequest& request);

struct GatedRun {
  GateDecision decision;
  bool ran = false;               // the intent was recorded and the command was started
  int exit_code = -1;             // the command's exit status (128 + signal when killed)
  std::string spawn_error;        // the command could not be started (then ran is false, and the
                                  // ledger holds the intent and an action.finish with spawn_failed)
  std::string intent;             // hash of the action.intent event
  bool refusal_recorded = false;  // held, and the ledger took a refused.gate_run event

  // prodgate.gate-run/1: the decision, what happened, the exit status.
  Json ToJson() const;
};

// `gate run`'s exit status, never the same number for the gate's own outcomes and the
// command's: the command's status when it ran (0–123, 128–255; a status of its own in 124–127
// becomes 123), 124 HOLD (nothing ran), 125 bad input (nothing ran), 126 internal error (the
// intent's write failed or was not confirmed, or the outcome could not be recorded), 127 the
// command could not be started (recorded as such).
inline constexpr int kRunHeld = 124, kRunBadInput = 125, kRunInternal = 126, kRunNotStarted = 127;
int GateRunExitCode(const Result<GatedRun>& run);

// In one ledger transaction, under its write lock: verifies the events appended since the
// workspace was opened, checks the gate exactly as CheckGate does, and records
// action.intent, which consumes one use of the grant. Only then runs argv (stdio
// inherited), and records action.finish with its exit status. A HOLD is recorded as
// refused.gate_run (model::RecordRefusal; it changes no state). HOLD, an executor key the
// chain does not trust, or an intent whose write fails or cannot be confirmed: the command
// never runs (an unconfirmed write is StatusCode::kUnknownOutcome, saying so).
Result<GatedRun> RunGated(model::Workspace& ws, const GateRequest& request,
                          const std::vector<std::string>& argv, const PrivateKey* executor_key);

}  // namespace prodgate::authority
