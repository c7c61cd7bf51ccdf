// The SQLite adapter: targets, open modes, snapshot and restore, scripts, bulk writes.
#include "db/sqlite.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::db {
namespace {

using testing::RootOf;
using testing::Sql;
namespace fs = std::filesystem;

TEST(Target, ParsesSqliteAndPostgresAndRefusesEverythingElse) {
  auto t = ParseTarget("sqlite:./a b.db");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->engine, "sqlite");
  EXPECT_EQ(t->path, "./a b.db");
  EXPECT_EQ(ParseTarget("postgresql://h/db")->engine, "postgresql");
  for (const char* bad : {"./a.db", "mysql:x", "sqlite:", "", "postgresql:"}) {
    auto r = ParseTarget(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
    EXPECT_NE(r.status().ToString().find("sqlite:PATH"), std::string::npos)
        << r.status().ToString();
  }
}

TEST(SqliteOpen, PathsWithUriCharactersOpenTheRightFile) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "we?ird#name%20.db";
  Sql(p, "CREATE TABLE t(a); INSERT INTO t VALUES (1);");
  auto db = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto n = (*db)->CountRows("t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_FALSE(fs::exists(dir / "we"));
}

TEST(SqliteOpen, ReadOnlyCannotWrite) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "ro.db";
  Sql(p, "CREATE TABLE t(a);");
  auto db = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->Execute("INSERT INTO t VALUES (1)").ok());
  auto rw = OpenTarget("sqlite:" + p, OpenMode::kReadWrite);
  ASSERT_TRUE(rw.ok());
  EXPECT_TRUE((*rw)->Execute("INSERT INTO t VALUES (1)").ok());  // control
}

TEST(SqliteOpen, IdentityIsTheRealPath) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "a/x.db";
  fs::create_directories(dir / "a");
  Sql(p, "CREATE TABLE t(a);");
  fs::create_symlink(p, dir / "link.db");
  auto a = OpenTarget("sqlite:" + dir.path() + "/a/../a/x.db", OpenMode::kReadOnly);
  auto b = OpenTarget("sqlite:" + dir.path() + "/link.db", OpenMode::kReadOnly);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->identity().path, fs::canonical(p).string());
  EXPECT_EQ((*a)->identity().path, (*b)->identity().path);
  EXPECT_EQ((*a)->identity().inode, (*b)->identity().inode);
}

TEST(SqliteOpen, CreateRefusesExistingFilesAndPutsTheFileInPlaceOnlyOnFinish) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "new.db";
  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kCreate);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t(a); INSERT INTO t VALUES (1);").ok());
    EXPECT_FALSE(fs::exists(p));  // not before Finish
  }
  EXPECT_FALSE(fs::exists(p));  // abandoned: nothing left behind
  EXPECT_TRUE(fs::is_empty(dir.path()));
  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t(a); INSERT INTO t VALUES (1);").ok());
    ASSERT_TRUE((*db)->Finish().ok());
  }
  EXPECT_TRUE(fs::exists(p));
  std::string root = RootOf(p);
  auto again = OpenTarget("sqlite:" + p, OpenMode::kCreate);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().what().find("exists"), std::string::npos);
  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kReplace);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t(a); INSERT INTO t VALUES (2);").ok());
    ASSERT_TRUE((*db)->Finish().ok());
  }
  EXPECT_NE(RootOf(p), root);
}

TEST(SqliteSnapshot, SnapshotMutateRestoreGivesTheSameHash) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "live.db", snap = dir / "snap.db";
  Sql(p,
      "CREATE TABLE births(id INTEGER PRIMARY KEY AUTOINCREMENT, object_id TEXT, st TEXT);"
      "CREATE TABLE notes(body);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
      "INSERT INTO births(object_id, st) SELECT printf('TKT-OBJ-%04d', i), 'born' FROM n;"
      "INSERT INTO notes VALUES ('x'), ('x');");
  auto before = testing::HashOf(p);
  ASSERT_TRUE(before.ok());
  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);  // a snapshot needs no writes
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Snapshot(snap).ok());
    Status again = (*db)->Snapshot(snap);
    EXPECT_FALSE(again.ok());  // never overwrites
  }
  EXPECT_EQ(RootOf(snap), ToHex(before->root));

  Sql(p,
      "UPDATE births SET st = 'revoked' WHERE id % 7 = 0; DELETE FROM notes;"
      "INSERT INTO births(object_id, st) VALUES ('TKT-OBJ-9999', 'born');"
      "CREATE TABLE extra(a); CREATE INDEX births_st ON births(st);");
  ASSERT_NE(RootOf(p), ToHex(before->root));  // control: the mutation is visible

  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kReadWrite);
    ASSERT_TRUE(db.ok());
    Status s = (*db)->Restore(snap);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  auto after = testing::HashOf(p);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(ToHex(after->root), ToHex(before->root));
  // The restore brings the AUTOINCREMENT counter back as well: it is a page copy.
  ASSERT_EQ(after->sequences.size(), 1u);
  EXPECT_EQ(after->sequences[0].value, 2000);
}

// A migration tool's schema version and the file's application id change what an application
// makes of the file: set, they change the schema digest; set back to 0, the digest is as
// before (a database that never set them digests as it always did).
TEST(SqliteSchema, UserVersionAndApplicationIdAreInTheSchemaDigest) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "app.db";
  Sql(p, "CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);");
  auto schema = [&] {
    auto h = testing::HashOf(p);
    EXPECT_TRUE(h.ok());
    return h.ok() ? ToHex(h->schema) : std::string("error");
  };
  std::string base = schema();
  for (const char* pragma : {"user_version", "application_id"}) {
    Sql(p, std::string("PRAGMA ") + pragma + " = 7");
    EXPECT_NE(schema(), base) << pragma;
    Sql(p, std::string("PRAGMA ") + pragma + " = 0");
    EXPECT_EQ(schema(), base) << pragma;
  }
}

TEST(SqliteSnapshot, RestoreNeedsReadWriteAndAnExistingSnapshot) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "live.db";
  Sql(p, "CREATE TABLE t(a);");
  auto ro = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);
  ASSERT_TRUE(ro.ok());
  EXPECT_FALSE((*ro)->Restore(p).ok());
  auto rw = OpenTarget("sqlite:" + p, OpenMode::kReadWrite);
  ASSERT_TRUE(rw.ok());
  EXPECT_FALSE((*rw)->Restore(dir / "absent.db").ok());
}

TEST(SqliteExecute, NamesTheLineOfTheFailingStatement) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "x.db";
  Sql(p, "CREATE TABLE t(a PRIMARY KEY);");
  auto db = OpenTarget("sqlite:" + p, OpenMode::kReadWrite);
  ASSERT_TRUE(db.ok());
  Status s = (*db)->Execute("INSERT INTO t VALUES (1);\n-- comment\n\nINSERT INTO t VALUES (1);\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.what().find("line 4"), std::string::npos) << s.ToString();
  EXPECT_NE(s.what().find("SQLITE_CONSTRAINT"), std::string::npos) << s.ToString();
}

TEST(SqliteScan, OrdersAndLocators) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "s.db";
  Sql(p,
      "CREATE TABLE k(name TEXT COLLATE NOCASE PRIMARY KEY, v) WITHOUT ROWID;"
      "INSERT INTO k VALUES ('b', 1), ('A', 2), ('a2', 3);"
      "CREATE TABLE m(x); INSERT INTO m VALUES (3), (1);"
      "CREATE TABLE shadow(rowid, _rowid_, oid);  INSERT INTO shadow VALUES (1, 2, 3);");
  auto db = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto c = (*db)->Scan({"k", {"v"}, RowOrder::kKey});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<std::string> keys;
  while (*(*c)->Next()) keys.emplace_back((*c)->key(0).bytes);
  EXPECT_EQ(keys, (std::vector<std::string>{"A", "a2", "b"}));  // bytes, not NOCASE

  auto m = (*db)->Scan({"m", {"x"}, RowOrder::kAny});
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(*(*m)->Next());
  EXPECT_EQ((*m)->key_names(), std::vector<std::string>{"rowid"});
  auto sh = (*db)->Scan({"shadow", {"oid"}, RowOrder::kAny});
  ASSERT_TRUE(sh.ok());
  ASSERT_TRUE(*(*sh)->Next());
  EXPECT_EQ((*sh)->key_size(), 0u);  // every rowid alias is a column: no locator
  EXPECT_EQ((*sh)->value(0).integer, 3);
}

TEST(SqliteInsert, WritesRowsThroughTheWriter) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "w.db";
  {
    auto db = OpenTarget("sqlite:" + p, OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t(a INTEGER, b TEXT, c BLOB, d REAL, e)").ok());
    auto w = (*db)->Insert("t", {"a", "b", "c", "d", "e"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    std::string text = "héllo", blob("\x00\x01", 2);
    (*w)->Set(0, ValueRef::Integer(7));
    (*w)->Set(1, ValueRef::Text(text));
    (*w)->Set(2, ValueRef::Blob(blob));
    (*w)->Set(3, ValueRef::Real(-0.0));
    (*w)->Set(4, ValueRef::Null());
    ASSERT_TRUE((*w)->AddRow().ok());
    ASSERT_TRUE((*w)->Finish().ok());
    w->reset();
    ASSERT_TRUE((*db)->Finish().ok());
  }
  std::string q = dir / "q.db";
  Sql(q,
      "CREATE TABLE t(a INTEGER, b TEXT, c BLOB, d REAL, e);"
      "INSERT INTO t VALUES (7, 'héllo', X'0001', -0.0, NULL);");
  EXPECT_EQ(RootOf(p), RootOf(q));
}

}  // namespace
}  // namespace prodgate::db
