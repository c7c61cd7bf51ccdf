// For tests of db/ and clone/: build SQLite files with plain SQL, hash them, copy them.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "db/database.h"

namespace prodgate::db::testing {

// Runs `sql` on the SQLite file at `path` (created when missing) through the C API, the way
// any other program would change the database. Fails the test on error.
inline void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK) << path;
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg << "\nin: " << sql;
}

inline Result<LogicalHash> HashOf(const std::string& path) {
  PG_ASSIGN_OR_RETURN(auto db, OpenTarget("sqlite:" + path, OpenMode::kReadOnly));
  return db->Hash();
}

// The root digest, failing the test when hashing fails.
inline std::string RootOf(const std::string& path) {
  auto h = HashOf(path);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? ToHex(h->root) : std::string("error: ") + h.status().ToString();
}

inline void CopyFile(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

}  // namespace prodgate::db::testing
