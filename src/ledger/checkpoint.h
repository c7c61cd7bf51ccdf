// The verifier's checkpoint: the state that one chain's verified events made, up to one
// event, kept by the user who verified them, outside the workspace (DESIGN.md §3.10 point 1).
//
// Why it can be believed: it is written only by this user's own prodgate, only from events it
// verified, into a directory only this user may write (core/file_safety.h: PrivateDirectory),
// never into the workspace an agent can edit. Whoever can write it can also replace this
// user's prodgate or read this user's keys. It is a memory, not a cache of anyone else's.
//
// Why it is cheap: the next verification starts after its head. It first checks that the
// ledger still holds its head event, with the same hash: a ledger shorter than the
// checkpoint, or whose event at the checkpoint's seq changed, was truncated or rewritten,
// and is reported so, never silently re-verified.
//
// File: <dir>/<genesis hash hex>.db (SQLite, WAL, synchronous=FULL), one per chain:
//   meta(key, value)     format "prodgate.checkpoint/1"; fold (the verification rules'
//                        version: a checkpoint made by other rules is discarded and the chain
//                        verified again from genesis); seq and hash of the head folded;
//                        verified_at
//   state(tbl, id, doc)  the tables the fold keeps (authority/verified_ledger.h)
// Concurrency: Begin takes SQLite's write lock (BEGIN IMMEDIATE), so two verifications of
// one chain by one user run one after the other and fold each event once.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ledger/store.h"

struct sqlite3;

namespace prodgate::ledger {

class Checkpoint : public ProjectionTxn {
 public:
  // Opens or creates the checkpoint of the chain whose event 1 hashes to `genesis`, in `dir`
  // (which the caller has checked). `fold_version` names the verification rules: a checkpoint
  // written under other rules is emptied.
  static Result<std::unique_ptr<Checkpoint>> Open(const std::string& dir, const Digest& genesis,
                                                  std::string_view fold_version);
  ~Checkpoint() override;

  // A write transaction: reads in it see what this transaction wrote. Head() is the head
  // folded as of the transaction's start (seq 0: nothing folded yet).
  Status Begin();
  Status Commit();
  void Rollback();
  Head head() const { return head_; }
  Status SetHead(const Head& head);
  // Forgets everything folded (a chain to verify again from genesis).
  Status Clear();
  const std::string& path() const { return path_; }
  std::string verified_at() const { return verified_at_; }

  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<ProjectionEntries> Entries(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;

  class Statements;

 private:
  Checkpoint(sqlite3* db, std::string path);
  Status Exec(const char* sql);
  Status Error(const std::string& doing);
  Status ReadHead();

  sqlite3* db_;
  std::unique_ptr<Statements> stmts_;
  std::string path_;
  Head head_;
  std::string verified_at_;
  bool in_txn_ = false;
};

}  // namespace prodgate::ledger
