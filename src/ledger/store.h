// The ledger store: an append-only, hash-chained event log with projections kept in the
// same transaction (DESIGN.md §3.4). SQLite is the default store; a PostgreSQL store
// implements the same interface for teams, and, provisioned (postgres_store.h), is the
// protected team ledger of DESIGN.md §3.10.
//
// What a store is trusted for: nothing. Events are authority only once the chain that holds
// them verifies (authority/verified_ledger.h); projections are a cache for display and for
// the checks an append makes, never an input of the gate. Which events concern a subject is
// read from each event's own kind and body, never from an index beside the chain.
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
using ProjectionEntries = std::vector<std::pair<std::string, Json>>;  // (id, doc), by id

class ProjectionTxn {
 public:
  virtual ~ProjectionTxn() = default;
  virtual Result<std::optional<Json>> Get(std::string_view table, std::string_view id) = 0;
  // Every (id, document) of `table`, ordered by id bytes.
  virtual Result<ProjectionEntries> Entries(std::string_view table) = 0;
  virtual Status Put(std::string_view table, std::string_view id, const Json& doc) = 0;
  virtual Status Remove(std::string_view table, std::string_view id) = 0;
  // The documents of Entries.
  Result<std::vector<Json>> List(std::string_view table);
};

using ProjectionTables = std::map<std::string, std::map<std::string, Json>>;

// Projections in memory: what a rebuild computes, and what the gate replays into.
class MemoryProjections : public ProjectionTxn {
 public:
  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<ProjectionEntries> Entries(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;
  const ProjectionTables& tables() const { return tables_; }

 private:
  ProjectionTables tables_;
};

// Writes kept apart on top of a base that is only read: what an event would do, folded and
// then kept or thrown away (a trial fold before an append).
class OverlayProjections : public ProjectionTxn {
 public:
  explicit OverlayProjections(ProjectionTxn& base) : base_(base) {}
  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<ProjectionEntries> Entries(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;

 private:
  ProjectionTxn& base_;
  // table → id → the document written, or nullopt when removed.
  std::map<std::string, std::map<std::string, std::optional<Json>>> writes_;
};

// What an append writes, decided inside the write transaction.
struct EventDraft {
  std::string actor;
  std::string kind;
  Json body = Json::object();
  // Signs the preimage; unset for an unsigned event.
  std::function<Result<std::string>(std::string_view preimage)> sign;
};

// What a ledger can and cannot protect against, as seen from the role that opened it.
enum class LedgerKind {
  kLocalFile,            // SQLite: whoever can write the file can truncate or replace it
  kPostgresProtected,    // provisioned, and this role can only append (DESIGN.md §3.10 point 3)
  kPostgresUnprotected,  // PostgreSQL, but this role (or the setup) can rewrite history
};
std::string_view LedgerKindName(LedgerKind k);  // "sqlite-local", "postgresql-protected", …

struct LedgerProtection {
  LedgerKind kind = LedgerKind::kLocalFile;
  // Why the ledger is not protected, or what it cannot protect against: one sentence each,
  // naming the role or privilege. Empty only for kPostgresProtected.
  std::vector<std::string> gaps;
  // Where the ledger is, as the anchor pins it: "sqlite:/abs/path" or, for PostgreSQL, the
  // server and database the connection reached ("host=… port=… dbname=…", no password).
  std::string identity;
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
  // `prepare` may read the store (ReadHead, ForEachEvent…): it runs inside the transaction,
  // under the write lock, and sees exactly the head the event will chain onto.
  // A COMMIT whose outcome the store cannot confirm is reported, after re-reading the head,
  // as StatusCode::kUnknownOutcome when the event is now in the ledger (written, but not
  // confirmed durable), and as an ordinary error when it is not: never as "refused" when
  // the event is in fact there.
  virtual Result<Event> Append(const PrepareFn& prepare, const ProjectFn& project) = 0;

  virtual Result<Head> ReadHead() = 0;
  // Events with seq ≤ up_to (concurrent appends beyond the head a verification read do not
  // count).
  virtual Result<int64_t> CountEvents(int64_t up_to) = 0;
  // Calls fn for events with seq in [from, to] in order; stops at fn's first error.
  virtual Status ForEachEvent(int64_t from, int64_t to,
                              const std::function<Status(const Event&)>& fn) = 0;
  virtual Result<std::optional<Event>> EventAt(int64_t seq) = 0;
  virtual Result<std::optional<Event>> EventWithHash(const Digest& hash) = 0;
  // Every event of one kind, in seq order, read from the events themselves (the kind column
  // is checked against each document).
  virtual Result<std::vector<Event>> EventsOfKind(std::string_view kind) = 0;

  // Projections as last committed (read-only).
  virtual Result<std::optional<Json>> GetProjection(std::string_view table,
                                                    std::string_view id) = 0;
  virtual Result<ProjectionEntries> ListProjection(std::string_view table) = 0;
  virtual Result<ProjectionTables> AllProjections() = 0;
  // Replaces every projection at once (ledger rebuild --write).
  virtual Status ReplaceProjections(const ProjectionTables& tables) = 0;

  // What this ledger can protect against, checked now for the connected role.
  virtual Result<LedgerProtection> Protection() = 0;

  // "sqlite:/path/ledger.db", "postgresql://…" or a libpq keyword string; never a password.
  virtual std::string location() const = 0;
};

// For the stores: what a failed COMMIT of `e` means once the event was looked up by its hash
// (`found`): in the ledger (kUnknownOutcome: written, not confirmed), unreadable (unknown),
// or absent (nothing was written, `commit`'s error).
Status FailedCommit(std::string_view location, const Event& e, const Status& commit,
                    const Result<std::optional<Event>>& found);

// Opens the ledger at `location`: a path or "sqlite:PATH" (SQLite), or a PostgreSQL URI
// ("postgresql://…", "postgres://…") or libpq keyword string ("host=… dbname=…"); see
// postgres_store.h. `create` makes a new ledger; otherwise a missing ledger is an error.
Result<std::unique_ptr<LedgerStore>> OpenLedger(std::string_view location, bool create);

}  // namespace prodgate::ledger
