#include "db/diff.h"

#include <gtest/gtest.h>

#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::db {
namespace {

using testing::CopyFile;
using testing::RootOf;
using testing::Sql;

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = dir_ / "a.db";
    Sql(a_,
        "CREATE TABLE births(id INTEGER PRIMARY KEY, object_id TEXT NOT NULL, status TEXT "
        "COLLATE NOCASE, n);"
        "CREATE TABLE notes(body TEXT, n);"
        "CREATE TABLE tags(name TEXT PRIMARY KEY, v) WITHOUT ROWID;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
        "INSERT INTO births SELECT i, printf('TKT-OBJ-%03d', i), 'born', i FROM n;"
        "INSERT INTO notes VALUES ('a', 1), ('b', 2), ('a', 1);"
        "INSERT INTO tags VALUES ('x', 1), ('y', 2);");
  }
  Result<DatabaseDiff> DiffWith(const std::string& sql, DiffOptions options = {}) {
    b_ = dir_ / "b.db";
    CopyFile(a_, b_);
    Sql(b_, sql);
    auto da = OpenTarget("sqlite:" + a_, OpenMode::kReadOnly);
    auto db = OpenTarget("sqlite:" + b_, OpenMode::kReadOnly);
    if (!da.ok()) return da.status();
    if (!db.ok()) return db.status();
    return DiffDatabases(**da, **db, options);
  }
  const TableDiff* Table(const DatabaseDiff& d, const std::string& name) {
    for (const auto& t : d.tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }

  prodgate::testing::ScratchDir dir_;
  std::string a_, b_;
};

TEST_F(DiffTest, EqualDatabasesAreEqual) {
  auto d = DiffWith("VACUUM; REINDEX;");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->equal);
  EXPECT_TRUE(d->tables.empty());
  EXPECT_EQ(d->tables_equal, 3u);
}

TEST_F(DiffTest, KeyedInsertDeleteChange) {
  auto d = DiffWith(
      "INSERT INTO births VALUES (101, 'TKT-OBJ-101', 'born', 101);"
      "DELETE FROM births WHERE id IN (5, 6);"
      "UPDATE births SET n = 0 WHERE id = 50;");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->equal);
  const TableDiff* t = Table(*d, "births");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->keyed);
  EXPECT_EQ(t->inserted, 1u);
  EXPECT_EQ(t->deleted, 2u);
  EXPECT_EQ(t->changed, 1u);
  EXPECT_EQ(t->rows_a, 100u);
  EXPECT_EQ(t->rows_b, 99u);
  ASSERT_EQ(t->samples.size(), 4u);
  EXPECT_EQ(t->samples[0].kind, RowSample::Kind::kDeleted);
  EXPECT_EQ(t->samples[0].key, std::vector<std::string>{"id=5"});
  EXPECT_EQ(t->samples[2].kind, RowSample::Kind::kChanged);
  EXPECT_EQ(t->samples[2].columns, std::vector<std::string>{"n"});
  EXPECT_EQ(t->samples[3].key, std::vector<std::string>{"id=101"});
}

TEST_F(DiffTest, ComparesBytesNotCollation) {
  // NOCASE says 'born' = 'BORN'; the bytes differ, and so does 1 from 1.0.
  auto d = DiffWith(
      "UPDATE births SET status = 'BORN' WHERE id = 3;"
      "UPDATE births SET n = 7.0 WHERE id = 7;");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const TableDiff* t = Table(*d, "births");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->changed, 2u);
  EXPECT_EQ(t->samples[0].columns, std::vector<std::string>{"status"});
  EXPECT_EQ(t->samples[1].columns, std::vector<std::string>{"n"});
}

TEST_F(DiffTest, KeylessTablesCompareAsMultisets) {
  auto d = DiffWith("DELETE FROM notes WHERE rowid = 1; INSERT INTO notes VALUES ('c', 3);");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const TableDiff* t = Table(*d, "notes");
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->keyed);
  EXPECT_EQ(t->deleted, 1u);  // one of the two ('a', 1) rows is gone
  EXPECT_EQ(t->inserted, 1u);
  // Control: moving a row (delete + re-insert) is no difference in a multiset.
  auto same = DiffWith("DELETE FROM notes WHERE rowid = 2; INSERT INTO notes VALUES ('b', 2);");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->equal);
}

TEST_F(DiffTest, DuplicateRowsAreCounted) {
  auto d = DiffWith("INSERT INTO notes VALUES ('a', 1), ('a', 1), ('a', 1);");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const TableDiff* t = Table(*d, "notes");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->inserted, 3u);
  ASSERT_EQ(t->samples.size(), 1u);
  EXPECT_EQ(t->samples[0].count, 3u);
  EXPECT_EQ(t->samples[0].row, "('a', 1)");
}

TEST_F(DiffTest, TablesOnOneSideAndSchemaChanges) {
  auto d = DiffWith(
      "DROP TABLE tags; CREATE TABLE extra(a); INSERT INTO extra VALUES (1);"
      "CREATE INDEX births_n ON births(n);");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const TableDiff* tags = Table(*d, "tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->presence, Presence::kOnlyInA);
  EXPECT_EQ(tags->rows_a, 2u);
  const TableDiff* extra = Table(*d, "extra");
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(extra->presence, Presence::kOnlyInB);
  EXPECT_EQ(extra->rows_b, 1u);
  std::vector<std::string> names;
  for (const auto& s : d->schema) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"births_n", "extra", "tags"}));
}

TEST_F(DiffTest, AddedColumnIsAHeaderChangeAndRowsCompareOnCommonColumns) {
  auto d = DiffWith("ALTER TABLE tags ADD COLUMN extra TEXT;");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const TableDiff* t = Table(*d, "tags");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->header_changed);
  EXPECT_EQ(t->changed, 0u);
  ASSERT_FALSE(t->header_notes.empty());
  EXPECT_EQ(t->header_notes[0], "column extra only in B");
}

TEST_F(DiffTest, SequencesAreReportedButNeverCount) {
  Sql(a_, "CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, v);");
  auto d = DiffWith("INSERT INTO seq(v) VALUES (1); DELETE FROM seq;");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->equal);
  ASSERT_EQ(d->sequences.size(), 1u);
  EXPECT_FALSE(d->sequences[0].a.has_value());
  EXPECT_EQ(d->sequences[0].b, 1);
}

TEST_F(DiffTest, EqualIffTheRootsAreEqual) {
  for (const char* sql :
       {"UPDATE births SET n = n;", "UPDATE births SET n = -n WHERE id = 1;",
        "DELETE FROM notes WHERE body = 'b';", "INSERT INTO tags VALUES ('z', 0);",
        "BEGIN; DELETE FROM births; ROLLBACK;", "UPDATE tags SET v = '2' WHERE name = 'y';"}) {
    auto d = DiffWith(sql);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->equal, RootOf(a_) == RootOf(b_)) << sql;
  }
}

TEST_F(DiffTest, ManyChangesKeepTheSampleLimit) {
  auto d = DiffWith("UPDATE births SET n = n + 1;", DiffOptions{5});
  ASSERT_TRUE(d.ok());
  const TableDiff* t = Table(*d, "births");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->changed, 100u);
  EXPECT_EQ(t->samples.size(), 5u);
}

TEST_F(DiffTest, AReadErrorIsAFailureNotADiff) {
  std::string b = dir_ / "broken.db";
  CopyFile(a_, b);
  std::filesystem::resize_file(b, 4096);
  auto da = OpenTarget("sqlite:" + a_, OpenMode::kReadOnly);
  ASSERT_TRUE(da.ok());
  auto db = OpenTarget("sqlite:" + b, OpenMode::kReadOnly);
  if (!db.ok()) return;  // refused at open: also not a diff
  auto d = DiffDatabases(**da, **db);
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace prodgate::db
