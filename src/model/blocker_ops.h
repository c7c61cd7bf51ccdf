// Blocker operations on the ledger: import a map, add, change, reopen; list and find.
// Closing needs evidence that verifies and lives in evidence/registry.h.
// Every operation validates first and appends one event; a refusal writes nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/blocker.h"
#include "model/blocker_map.h"
#include "model/workspace.h"

namespace prodgate::model {

struct ImportOutcome {
  ImportedMap map;
  int added = 0, updated = 0;
  int64_t seq = 0;
  std::vector<std::string> kept;  // what the map would have weakened, kept (KeepHolds)
};

// Reads a map file in any shape blocker_map.h knows and records it (one blocker.import). Unless
// an owner signs it, a map never makes a blocker hold less (model::Weakens): the labels,
// category and actors it would weaken are kept, and listed in `kept`.
Result<ImportOutcome> ImportBlockerMap(Workspace& ws, const std::string& path,
                                       const Signer& signer);

Result<Blocker> AddBlocker(Workspace& ws, Blocker b, const Signer& signer);

struct BlockerChanges {
  std::optional<std::string> status, category, next_action, item;
  std::optional<std::vector<std::string>> actor_needed, blocks;
  std::string note;
};
// Refuses status CLOSED (closing needs evidence: `blocker close`), unknown statuses,
// categories and gate labels, and a change that changes nothing.
Result<Blocker> UpdateBlocker(Workspace& ws, const std::string& id, const BlockerChanges& c,
                              const Signer& signer);
Result<Blocker> ReopenBlocker(Workspace& ws, const std::string& id, const std::string& note,
                              const Signer& signer);

Result<Blocker> FindBlocker(Workspace& ws, const std::string& id);
Result<std::vector<Blocker>> ListBlockers(Workspace& ws);

// Refuses an event given the blocker as of the head it would chain onto (nullopt: none).
using BlockerCheck = std::function<Status(const std::optional<Blocker>& current)>;

// Appends one blocker event (kind, body) about `id` and returns the blocker after it.
// `check` runs inside the append's transaction, under the ledger's write lock, so that two
// concurrent changes of one blocker give one linear result (DESIGN.md §3.4).
Result<Blocker> AppendBlockerEvent(Workspace& ws, const std::string& id, const std::string& kind,
                                   Json body, const Signer& signer, const BlockerCheck& check);

}  // namespace prodgate::model
