// The projections of the ledger: how every event kind changes the current state.
//
// One function, used three ways: by each append (same transaction), by `ledger rebuild`
// (replaying every event into memory and comparing), and by the gate (replaying the events
// about one grant or blocker, to check the stored projection against its events).
//
// Tables and what they hold (documents are the ToJson of the named model type):
//   workspace/config, workspace/trust   {"sha256": …, "seq": N} of the last accepted file
//   blockers/<id>                       Blocker
//   evidence/<seal root>                {"root","dir","manifest","seq"}
//   grants/<id>                         GrantState
//   actions/<intent hash>               {"action","scope","grant","argv","exit_code"?…}
//   decisions/<id>                      DecisionState
//   ids/<prefix>                        {"prefix","ceiling","reserved":[[first,last]…],"folded"}
//   rehearsals/<change>                 the last rehearsal.result body for that change
//   gates/<label>                       {"open":[ids]}: the open blockers that name the label
// An event kind this build does not know is an error: a ledger written by a newer prodgate
// is never half-understood. A change to what Project writes changes
// authority::kFoldVersion, so that no verifier's checkpoint lacks it.
#pragma once

#include <optional>
#include <vector>

#include "ledger/store.h"
#include "model/blocker.h"
#include "model/config.h"

namespace prodgate::model {

Status Project(const ledger::Event& e, ledger::ProjectionTxn& txn);

// What a blocker.* event would do, read from `txn` and written nowhere: each blocker before
// (nullopt when new) and after. The verification uses it to check who may make the change.
struct BlockerEffect {
  std::optional<Blocker> before;
  Blocker after;
};
Result<std::vector<BlockerEffect>> BlockerChangesOf(const ledger::Event& e,
                                                    ledger::ProjectionTxn& txn);

// Replays every event of `store` into memory.
Result<ledger::MemoryProjections> Replay(ledger::LedgerStore& store);

// Replays only `events` (e.g. those about one grant) into memory.
Result<ledger::MemoryProjections> ReplayEvents(const std::vector<ledger::Event>& events);

}  // namespace prodgate::model
