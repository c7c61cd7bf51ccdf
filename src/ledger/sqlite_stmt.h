// Prepared SQLite statements for the ledger's SQLite files (the ledger store and the
// verifier's checkpoint): bind, step, read columns; a failed bind fails the step.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace prodgate::ledger {

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_failed_ = false;
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    bind_failed_ |= sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK;
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    bind_failed_ |= sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                                      SQLITE_TRANSIENT) != SQLITE_OK;
    return *this;
  }
  // A failed bind makes the step fail: a statement never runs with stale parameters.
  int Step() { return bind_failed_ ? SQLITE_MISUSE : sqlite3_step(stmt_); }
  int64_t Int(int i) { return sqlite3_column_int64(stmt_, i); }
  std::string Text(int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  bool bind_failed_ = false;
};

// A cached statement in use; reset when the use ends, so that no statement keeps a read
// transaction (and its WAL snapshot) open after it has been read.
class StmtUse {
 public:
  explicit StmtUse(Stmt& s) : s_(s) { s_.Reset(); }
  ~StmtUse() { s_.Reset(); }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  template <typename T>
  StmtUse& Bind(int i, T v) {
    s_.Bind(i, v);
    return *this;
  }
  int Step() { return s_.Step(); }
  // Resets for another execution within the same use (a loop of inserts).
  StmtUse& Again() {
    s_.Reset();
    return *this;
  }
  int64_t Int(int i) { return s_.Int(i); }
  std::string Text(int i) { return s_.Text(i); }
  operator Stmt&() { return s_; }  // NOLINT: a use stands for its statement

 private:
  Stmt& s_;
};

}  // namespace prodgate::ledger
