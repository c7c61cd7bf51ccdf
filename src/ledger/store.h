// The ledger store: an append-only, hash-chained event log with projections kept in the
// same transaction (DESIGN.md §3.4). SQLite is the default store; a PostgreSQL store
// implements the same interface for teams.
//
// Thread-safety: a store object belongs to one thread. Many processes may append to one
// ledger at once; every store serializes appends so that they form one linear chain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace prodgate::ledger {

struct Head {
  int64_t seq = 0;  // 0: empty ledger
  Digest hash = kGenesisPrev;
};

// Reads and writes projections inside the transaction of one append (or a rebuild).
// Projections are JSON documents keyed by (table, id): current blockers, grants, decisions…
class ProjectionTxn {
 public:
  virtual ~ProjectionTxn() = default;
  virtual Result<std::optional<Json>> Get(std::string_view table, std::string_view id) = 0;
  virtual Result<std::vector<Json>> List(std::string_view table) = 0;
  virtual Status Put(std::string_view table, std::string_view id, const Json& doc) = 0;
  virtual Status Remove(std::string_view table, std::string_view id) = 0;
};

using ProjectionTables = std::map<std::string, std::map<std::string, Json>>;

// Projections in memory: what a rebuild computes, and what the gate replays into.
class MemoryProjections : public ProjectionTxn {
 public:
  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<std::vector<Json>> List(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;
  const ProjectionTables& tables() const { return tables_; }

 private:
  ProjectionTables tables_;
};

// What an append writes, decided inside the write transaction.
struct EventDraft {
  std::string actor;
  std::string kind;
  Json body = Json::object();
  // Subjects the event is about ("grant:<id>", "blocker:<id>"), indexed for EventsAbout.
  std::vector<std::string> subjects;
  // Signs the preimage; unset for an unsigned event.
  std::function<Result<std::string>(std::string_view preimage)> sign;
};

// Reads what it needs and returns the draft, or refuses (the append then writes nothing).
using PrepareFn = std::function<Result<EventDraft>(ProjectionTxn&)>;
// Applies the appended event to the projections, in the same transaction. A failure rolls
// back the event too.
using ProjectFn = std::function<Status(const Event&, ProjectionTxn&)>;

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // One atomic step: take the write lock, read the head, run `prepare`, chain and hash the
  // event, insert it, run `project`, commit (durably). Any failure leaves the ledger as it
  // was, and is returned: a caller that needs the event written must not act without it.
  virtual Result<Event> Append(const PrepareFn& prepare, const ProjectFn& project) = 0;

  virtual Result<Head> ReadHead() = 0;
  virtual Result<int64_t> CountEvents() = 0;
  // Calls fn for events with seq in [from, to] in order; stops at fn's first error.
  virtual Status ForEachEvent(int64_t from, int64_t to,
                              const std::function<Status(const Event&)>& fn) = 0;
  virtual Result<std::optional<Event>> EventAt(int64_t seq) = 0;
  virtual Result<std::optional<Event>> EventWithHash(const Digest& hash) = 0;
  virtual Result<std::vector<Event>> EventsAbout(std::string_view subject) = 0;

  // Projections as last committed (read-only).
  virtual Result<std::optional<Json>> GetProjection(std::string_view table,
                                                    std::string_view id) = 0;
  virtual Result<std::vector<Json>> ListProjection(std::string_view table) = 0;
  virtual Result<ProjectionTables> AllProjections() = 0;
  // Replaces every projection at once (ledger rebuild --write).
  virtual Status ReplaceProjections(const ProjectionTables& tables) = 0;

  // The head of the last full verification (chain.h), so later checks verify only the tail.
  // An append advances it when it stood at the head the append chained onto.
  virtual Result<Head> VerifiedCheckpoint() = 0;
  virtual Status SetVerifiedCheckpoint(const Head& head) = 0;

  // "sqlite:/path/ledger.db", "postgresql://…" or a libpq keyword string; never a password.
  virtual std::string location() const = 0;
};

// Opens the ledger at `location`: a path or "sqlite:PATH" (SQLite), or a PostgreSQL URI
// ("postgresql://…", "postgres://…") or libpq keyword string ("host=… dbname=…"); see
// postgres_store.h. `create` makes a new ledger; otherwise a missing ledger is an error.
Result<std::unique_ptr<LedgerStore>> OpenLedger(std::string_view location, bool create);

}  // namespace prodgate::ledger
