// The logical hash test matrix (DESIGN.md §3.7, docs/db.md): every case that must keep the
// root, every case that must change it, and every case that must fail rather than answer.
// Each case has its control: the same comparison where the answer is the other one.
#include "db/logical_hash.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::db {
namespace {

using testing::CopyFile;
using testing::HashOf;
using testing::RootOf;
using testing::Sql;
namespace fs = std::filesystem;

class LogicalHashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = dir_ / "base.db";
    Sql(base_,
        "CREATE TABLE births(id INTEGER PRIMARY KEY, object_id TEXT NOT NULL, status TEXT, "
        "  born REAL, payload BLOB);"
        "CREATE TABLE notes(body TEXT, n);"  // no key: a multiset
        "CREATE TABLE tags(name TEXT COLLATE NOCASE PRIMARY KEY, v) WITHOUT ROWID;"
        "CREATE INDEX births_status ON births(status);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
        "INSERT INTO births SELECT i, printf('TKT-OBJ-%03d', i), "
        "  CASE i % 3 WHEN 0 THEN 'born' WHEN 1 THEN 'pending' ELSE NULL END, i * 0.5, "
        "  randomblob(8) FROM n;"
        "INSERT INTO notes VALUES ('a', 1), ('b', 2), ('a', 1);"
        "INSERT INTO tags VALUES ('Beta', 1), ('alpha', 2), ('Gamma', 3);");
    before_ = RootOf(base_);
  }
  // A copy of the base database with `sql` applied.
  std::string Variant(const std::string& name, const std::string& sql) {
    std::string p = dir_ / name;
    CopyFile(base_, p);
    Sql(p, sql);
    return p;
  }
  void ExpectEqual(const std::string& sql) {
    EXPECT_EQ(RootOf(Variant("v.db", sql)), before_) << sql;
  }
  void ExpectDifferent(const std::string& sql) {
    EXPECT_NE(RootOf(Variant("v.db", sql)), before_) << sql;
  }

  prodgate::testing::ScratchDir dir_;
  std::string base_, before_;
};

// --- equal: the physical layout changes, the values do not ---------------------------------

TEST_F(LogicalHashTest, EqualAfterVacuum) {
  std::string p = Variant("v.db", "DELETE FROM births WHERE id > 400;");
  std::string root = RootOf(p);
  Sql(p, "VACUUM;");
  EXPECT_EQ(RootOf(p), root);
  EXPECT_NE(root, before_);  // control: the delete itself was seen
}

TEST_F(LogicalHashTest, EqualAfterPageSizeChangeAndVacuum) {
  std::string p = Variant("v.db", "PRAGMA page_size = 8192; VACUUM;");
  EXPECT_NE(fs::file_size(p), fs::file_size(base_));  // control: the file did change
  EXPECT_EQ(RootOf(p), before_);
}

TEST_F(LogicalHashTest, EqualAfterReindexAndAnalyze) {
  std::string p = Variant("v.db", "REINDEX; ANALYZE;");
  auto h = HashOf(p);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(ToHex(h->root), before_);
  // ANALYZE's statistics are excluded, and say so.
  ASSERT_EQ(h->excluded.size(), 1u);
  EXPECT_EQ(h->excluded[0].name, "sqlite_stat1");
}

TEST_F(LogicalHashTest, EqualAfterRealRollback) {
  ExpectEqual(
      "BEGIN; UPDATE births SET status = 'x'; DELETE FROM notes; INSERT INTO tags VALUES "
      "('z', 9); CREATE TABLE extra(a); ROLLBACK;");
  ExpectDifferent("BEGIN; UPDATE births SET status = 'x' WHERE id = 7; COMMIT;");  // control
}

TEST_F(LogicalHashTest, EqualAfterCompensatingUpdates) {
  ExpectEqual(
      "UPDATE births SET born = born + 1; UPDATE births SET born = born - 1;"
      "UPDATE tags SET v = v * 10; UPDATE tags SET v = v / 10;");
}

TEST_F(LogicalHashTest, EqualAfterDeleteAndReinsertInKeylessTable) {
  // The row gets a new rowid; a keyless table is a multiset, and the multiset is the same.
  ExpectEqual("DELETE FROM notes WHERE body = 'b'; INSERT INTO notes VALUES ('b', 2); VACUUM;");
}

TEST_F(LogicalHashTest, EqualForTheSameRowsInsertedInAnotherOrder) {
  std::string a = dir_ / "a.db", b = dir_ / "b.db";
  const char* schema =
      "CREATE TABLE t(k TEXT PRIMARY KEY NOT NULL, v); CREATE TABLE m(x); "
      "CREATE TABLE w(k TEXT COLLATE NOCASE PRIMARY KEY, v) WITHOUT ROWID;";
  Sql(a, std::string(schema) +
             "INSERT INTO t VALUES ('b', 2), ('a', 1), ('B', 3); INSERT INTO m VALUES (2), (1);"
             "INSERT INTO w VALUES ('b', 1), ('A', 2);");
  Sql(b, std::string(schema) +
             "INSERT INTO t VALUES ('B', 3), ('a', 1), ('b', 2); INSERT INTO m VALUES (1), (2);"
             "INSERT INTO w VALUES ('A', 2), ('b', 1);");
  EXPECT_EQ(RootOf(a), RootOf(b));
}

TEST_F(LogicalHashTest, EqualAcrossWalAndRollbackJournalModes) {
  std::string p = Variant("v.db", "PRAGMA journal_mode = WAL; INSERT INTO notes VALUES ('c', 3);");
  std::string wal_root = RootOf(p);
  Sql(p, "PRAGMA journal_mode = DELETE;");
  EXPECT_EQ(RootOf(p), wal_root);
  EXPECT_NE(wal_root, before_);
}

TEST_F(LogicalHashTest, EqualAcrossTextEncodings) {
  // The same values in a UTF-16 database: text is hashed as UTF-8 and keys are ordered by
  // UTF-8 bytes, where UTF-16 byte order differs (U+FF21 vs U+1F600, a surrogate pair).
  std::string a = dir_ / "utf8.db", b = dir_ / "utf16.db";
  const char* rows =
      "CREATE TABLE t(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
      "INSERT INTO t VALUES ('\xEF\xBC\xA1', 1), ('\xF0\x9F\x98\x80', 2), ('a', 3), ('', 4);";
  Sql(a, rows);
  Sql(b, std::string("PRAGMA encoding = 'UTF-16le';") + rows);
  EXPECT_EQ(RootOf(a), RootOf(b));
}

// --- different: every value change, however small, and every collision of weak encodings ---

// Two databases with one table `t(a, b)` (no declared types, no key) holding `rows`.
std::string Root2(const std::string& dir, const std::string& name, const std::string& schema,
                  const std::string& rows) {
  std::string p = dir + "/" + name;
  Sql(p, schema + rows);
  return RootOf(p);
}

TEST_F(LogicalHashTest, DifferentWhereConcatenationWouldCollide) {
  const std::string s = "CREATE TABLE t(a, b);";
  std::string x = Root2(dir_.path(), "x.db", s, "INSERT INTO t VALUES ('a3', 'b');");
  std::string y = Root2(dir_.path(), "y.db", s, "INSERT INTO t VALUES ('a', '3b');");
  std::string z = Root2(dir_.path(), "z.db", s, "INSERT INTO t VALUES ('a3', 'b');");
  EXPECT_NE(x, y);
  EXPECT_EQ(x, z);  // control
  // Two rows against one row holding the same values, and row boundaries moved.
  std::string r2 =
      Root2(dir_.path(), "r2.db", "CREATE TABLE u(a);", "INSERT INTO u VALUES (1), (2);");
  std::string r1 =
      Root2(dir_.path(), "r1.db", "CREATE TABLE u(a, b);", "INSERT INTO u VALUES (1, 2);");
  EXPECT_NE(r1, r2);
}

TEST_F(LogicalHashTest, DifferentNullAndTheTextNull) {
  const std::string s = "CREATE TABLE t(a);";
  EXPECT_NE(Root2(dir_.path(), "x.db", s, "INSERT INTO t VALUES (NULL);"),
            Root2(dir_.path(), "y.db", s, "INSERT INTO t VALUES ('NULL');"));
  EXPECT_NE(Root2(dir_.path(), "p.db", s, "INSERT INTO t VALUES ('');"),
            Root2(dir_.path(), "q.db", s, "INSERT INTO t VALUES (NULL);"));
  EXPECT_NE(Root2(dir_.path(), "b.db", s, "INSERT INTO t VALUES (X'61');"),
            Root2(dir_.path(), "c.db", s, "INSERT INTO t VALUES ('a');"));
}

TEST_F(LogicalHashTest, DifferentIntegerAndReal) {
  const std::string s = "CREATE TABLE t(a);";  // no affinity: 1 and 1.0 are stored as given
  EXPECT_NE(Root2(dir_.path(), "x.db", s, "INSERT INTO t VALUES (1);"),
            Root2(dir_.path(), "y.db", s, "INSERT INTO t VALUES (1.0);"));
  // Control: a REAL column stores 1 as 1.0, so the two inserts give equal databases.
  const std::string r = "CREATE TABLE t(a REAL);";
  EXPECT_EQ(Root2(dir_.path(), "p.db", r, "INSERT INTO t VALUES (1);"),
            Root2(dir_.path(), "q.db", r, "INSERT INTO t VALUES (1.0);"));
}

TEST_F(LogicalHashTest, DifferentPositiveAndNegativeZero) {
  // An untyped column: a REAL column stores integral reals as integers, so SQLite itself
  // turns -0.0 into 0.0 there, before any hash can see it.
  const std::string s = "CREATE TABLE t(k INTEGER PRIMARY KEY, a);";
  std::string pos = Root2(dir_.path(), "x.db", s, "INSERT INTO t VALUES (1, 0.0);");
  std::string neg = Root2(dir_.path(), "y.db", s, "INSERT INTO t VALUES (1, -0.0);");
  EXPECT_NE(pos, neg);
  EXPECT_EQ(pos, Root2(dir_.path(), "z.db", s, "INSERT INTO t VALUES (1, 0.0);"));  // control
}

TEST_F(LogicalHashTest, DifferentCaseInNocaseColumnsAndKeys) {
  ExpectDifferent("UPDATE tags SET name = 'beta' WHERE name = 'Beta';");  // the key itself
  ExpectDifferent("UPDATE births SET status = 'BORN' WHERE id = 3;");
  std::string p = Variant("n.db",
                          "CREATE TABLE c(k INTEGER PRIMARY KEY, s TEXT COLLATE NOCASE);"
                          "INSERT INTO c VALUES (1, 'A');");
  std::string q = Variant("m.db",
                          "CREATE TABLE c(k INTEGER PRIMARY KEY, s TEXT COLLATE NOCASE);"
                          "INSERT INTO c VALUES (1, 'a');");
  EXPECT_NE(RootOf(p), RootOf(q));
}

TEST_F(LogicalHashTest, DifferentDuplicateRowsInKeylessTable) {
  const std::string s = "CREATE TABLE t(a, b);";
  std::string two = Root2(dir_.path(), "x.db", s, "INSERT INTO t VALUES ('r', 1), ('r', 1);");
  std::string one = Root2(dir_.path(), "y.db", s, "INSERT INTO t VALUES ('r', 1);");
  std::string none = Root2(dir_.path(), "z.db", s, "");
  EXPECT_NE(two, one);
  EXPECT_NE(two, none);  // XOR of row hashes would make these equal
  EXPECT_NE(one, none);
  std::string four =
      Root2(dir_.path(), "w.db", s, "INSERT INTO t VALUES ('r', 1), ('r', 1), ('r', 1), ('r', 1);");
  EXPECT_NE(four, two);
}

TEST_F(LogicalHashTest, DifferentWhenATableExistsOnOneSideOnly) {
  ExpectDifferent("CREATE TABLE empty_extra(a);");
  ExpectDifferent("DROP TABLE notes;");
  ExpectDifferent("CREATE INDEX extra_index ON notes(n);");  // schema objects count too
  ExpectDifferent("CREATE VIEW v AS SELECT 1;");
}

TEST_F(LogicalHashTest, DifferentWhenValuesMoveBetweenKeys) {
  ExpectDifferent(
      "UPDATE births SET status = CASE id WHEN 1 THEN (SELECT status FROM births WHERE id = 2) "
      "ELSE (SELECT status FROM births WHERE id = 1) END WHERE id IN (1, 2);");
  ExpectDifferent("UPDATE births SET payload = X'00' WHERE id = 250;");
}

TEST_F(LogicalHashTest, DifferentDeclaredTypeWithTheSameValues) {
  std::string a =
      Root2(dir_.path(), "x.db", "CREATE TABLE t(a TEXT);", "INSERT INTO t VALUES ('1');");
  std::string b =
      Root2(dir_.path(), "y.db", "CREATE TABLE t(a VARCHAR);", "INSERT INTO t VALUES ('1');");
  EXPECT_NE(a, b);
}

TEST_F(LogicalHashTest, TablesNamedLikeSqliteInternalsAreHashed) {
  // dbhash's `NOT LIKE 'sqlite_%'` silently drops such tables; they are content.
  ExpectDifferent("CREATE TABLE SQLiteData(a); INSERT INTO SQLiteData VALUES (1);");
  std::string p = Variant("s.db", "CREATE TABLE sqlite1(a); INSERT INTO sqlite1 VALUES (1);");
  auto h = HashOf(p);
  ASSERT_TRUE(h.ok());
  ASSERT_NE(h->FindTable("sqlite1"), nullptr);
  EXPECT_EQ(h->FindTable("sqlite1")->rows, 1u);
}

TEST_F(LogicalHashTest, SequencesAreReportedApartAndDoNotMoveTheRoot) {
  std::string p = Variant("s.db", "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);");
  std::string root = RootOf(p);
  // An insert rolled back by a compensating delete: rows equal, the counter moved on.
  Sql(p, "INSERT INTO a(v) VALUES (1), (2); DELETE FROM a;");
  auto h = HashOf(p);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(ToHex(h->root), root);
  ASSERT_EQ(h->sequences.size(), 1u);
  EXPECT_EQ(h->sequences[0].name, "a");
  EXPECT_EQ(h->sequences[0].value, 2);
}

// --- fail: never "equal", never a digest, when the database cannot be read completely ------

TEST_F(LogicalHashTest, CorruptPageFailsInsteadOfHashing) {
  std::string p = Variant("c.db",
                          "CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 3000) INSERT INTO big SELECT i, printf('%0100d', i) FROM n;");
  ASSERT_TRUE(HashOf(p).ok());  // control: the intact copy hashes
  uintmax_t size = fs::file_size(p);
  ASSERT_GT(size, 4096u * 60);
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 4096 * 20));  // a leaf page of `big`
    std::string garbage(4096, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto h = HashOf(p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("SQLITE_CORRUPT"), std::string::npos) << h.status().ToString();
  EXPECT_NE(h.status().what().find("table \"big\""), std::string::npos) << h.status().ToString();
}

TEST_F(LogicalHashTest, TruncatedFileFails) {
  std::string p = dir_ / "t.db";
  CopyFile(base_, p);
  fs::resize_file(p, fs::file_size(p) / 2);
  auto h = HashOf(p);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kBadInput);
}

TEST_F(LogicalHashTest, NotADatabaseFails) {
  std::string p = dir_ / "n.db";
  {
    std::ofstream f(p);
    f << "this is not a database, but it is long enough to have a header.........."
         "......................................................................\n";
  }
  auto h = HashOf(p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("SQLITE_NOTADB"), std::string::npos) << h.status().ToString();
}

int ReverseCollation(void*, int na, const void* a, int nb, const void* b) {
  int n = std::min(na, nb);
  int c = std::memcmp(a, b, static_cast<size_t>(n));
  return c != 0 ? -c : nb - na;
}

TEST_F(LogicalHashTest, TableThatCannotBeReadFails) {
  // A WITHOUT ROWID table keyed under a collation only its creator knew: any other
  // connection fails to read it. The hash must fail, not skip the table.
  std::string p = dir_ / "coll.db";
  CopyFile(base_, p);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
  sqlite3_create_collation(db, "reverse", SQLITE_UTF8, nullptr, ReverseCollation);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE odd(k TEXT COLLATE reverse PRIMARY KEY, v) WITHOUT ROWID;"
                         "INSERT INTO odd VALUES ('a', 1), ('b', 2);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto h = HashOf(p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("odd"), std::string::npos) << h.status().ToString();
}

TEST_F(LogicalHashTest, MissingFileIsRefusedAndNotCreated) {
  std::string p = dir_ / "absent.db";
  auto h = HashOf(p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("no database at"), std::string::npos);
  EXPECT_FALSE(fs::exists(p));
}

TEST_F(LogicalHashTest, UnknownTableIsRefused) {
  auto db = OpenTarget("sqlite:" + base_, OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto h = (*db)->Hash({{"nope"}});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("no table nope"), std::string::npos);
  EXPECT_NE(h.status().fix().find("births"), std::string::npos);
  auto part = (*db)->Hash({{"notes"}});  // control
  ASSERT_TRUE(part.ok());
  EXPECT_FALSE(part->complete);
  ASSERT_EQ(part->tables.size(), 1u);
}

// --- keys --------------------------------------------------------------------------------

TEST(LogicalHashKeys, WhatCountsAsAUsableKey) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "k.db";
  Sql(p,
      "CREATE TABLE ipk(id INTEGER PRIMARY KEY, v);"
      "CREATE TABLE ipk_desc(id INTEGER PRIMARY KEY DESC, v);"  // not a rowid alias
      "CREATE TABLE int_pk(id INT PRIMARY KEY NOT NULL, v);"
      "CREATE TABLE text_pk_nullable(id TEXT PRIMARY KEY, v);"
      "CREATE TABLE text_pk(id TEXT NOT NULL PRIMARY KEY, v);"
      "CREATE TABLE composite(a NOT NULL, b NOT NULL, v, PRIMARY KEY(b, a));"
      "CREATE TABLE wr(a, b, v, PRIMARY KEY(b, a)) WITHOUT ROWID;"
      "CREATE TABLE nokey(a, b);");
  auto db = OpenTarget("sqlite:" + p, OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto s = (*db)->Introspect();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto kind = [&](const char* t) { return s->FindTable(t)->key_kind; };
  auto key = [&](const char* t) { return s->FindTable(t)->key; };
  EXPECT_EQ(kind("ipk"), KeyKind::kRowid);
  EXPECT_EQ(kind("ipk_desc"), KeyKind::kNone);  // nullable, and not the rowid
  EXPECT_EQ(kind("int_pk"), KeyKind::kPrimaryKey);
  EXPECT_EQ(kind("text_pk_nullable"), KeyKind::kNone);
  EXPECT_NE(s->FindTable("text_pk_nullable")->no_key_reason.find("allows NULL"), std::string::npos);
  EXPECT_EQ(kind("text_pk"), KeyKind::kPrimaryKey);
  EXPECT_EQ(kind("composite"), KeyKind::kPrimaryKey);
  EXPECT_EQ(key("composite"), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(kind("wr"), KeyKind::kPrimaryKey);
  EXPECT_EQ(key("wr"), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(kind("nokey"), KeyKind::kNone);
}

// --- the algorithm, recomputed from its description in logical_hash.h -----------------------

std::string U64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(n & 0xFF);
  return s;
}
std::string Str(const std::string& s) { return U64(s.size()) + s; }
std::string Raw(const Digest& d) { return std::string(d.begin(), d.end()); }

TEST(LogicalHashSpec, RecomputedFromTheHeaderComment) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "spec.db";
  Sql(p,
      "CREATE TABLE k(id INTEGER PRIMARY KEY, s TEXT, r REAL, b BLOB, n);"
      "INSERT INTO k VALUES (2, 'x', 2.25, X'00ff', -0.0), (1, 'héllo', 1.5, X'', 7);"
      "CREATE TABLE m(v);"
      "INSERT INTO m VALUES ('q'), (3), ('q');");
  auto h = HashOf(p);
  ASSERT_TRUE(h.ok()) << h.status().ToString();

  std::string header_k = "T" + Str("k") + U64(5) + Str("id") + Str("INTEGER") + Str("s") +
                         Str("TEXT") + Str("r") + Str("REAL") + Str("b") + Str("BLOB") + Str("n") +
                         Str("");
  std::string row1 = "R" + std::string("I") + U64(1) + "T" + Str("héllo") + "F" +
                     U64(std::bit_cast<uint64_t>(1.5)) + "B" + Str("") + "I" + U64(7);
  std::string row2 = "R" + std::string("I") + U64(2) + "T" + Str("x") + "F" +
                     U64(std::bit_cast<uint64_t>(2.25)) + "B" + Str(std::string("\x00\xff", 2)) +
                     "F" + U64(std::bit_cast<uint64_t>(-0.0));
  Digest k = Sha256Of(header_k + "K" + U64(1) + Str("id") + row1 + row2 + "E" + U64(2));

  std::string header_m = "T" + Str("m") + U64(1) + Str("v") + Str("");
  std::vector<std::string> d = {Raw(Sha256Of("RT" + Str("q"))), Raw(Sha256Of("RT" + Str("q"))),
                                Raw(Sha256Of("RI" + U64(3)))};
  std::sort(d.begin(), d.end());
  Digest m = Sha256Of(header_m + "M" + d[0] + d[1] + d[2] + "E" + U64(3));

  auto obj = [](const std::string& type, const std::string& name, const std::string& sql) {
    return "S" + std::string("T") + Str(type) + "T" + Str(name) + "T" + Str(name) + "T" + Str(sql);
  };
  Digest schema = Sha256Of(
      obj("table", "k", "CREATE TABLE k(id INTEGER PRIMARY KEY, s TEXT, r REAL, b BLOB, n)") +
      obj("table", "m", "CREATE TABLE m(v)"));
  Digest root = Sha256Of(Str("prodgate.dbhash/1") + "S" + Raw(schema) + U64(2) + Str("k") + U64(2) +
                         Raw(k) + Str("m") + U64(3) + Raw(m));

  ASSERT_EQ(h->tables.size(), 2u);
  EXPECT_EQ(ToHex(h->tables[0].digest), ToHex(k));
  EXPECT_EQ(ToHex(h->tables[1].digest), ToHex(m));
  EXPECT_EQ(ToHex(h->schema), ToHex(schema));
  EXPECT_EQ(ToHex(h->root), ToHex(root));
}

TEST(LogicalHashSpec, WideKeylessTablesHashLikeNarrowOnes) {
  // More columns than SQLite passes to one function: the grouped encoding must give the
  // digest the description gives.
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "wide.db";
  std::string cols, vals;
  for (int i = 0; i < 150; ++i) {
    cols += (i ? ", " : "") + fmt::format("c{}", i);
    vals += (i ? ", " : "") + std::to_string(i);
  }
  Sql(p, fmt::format("CREATE TABLE w({}); INSERT INTO w VALUES ({});", cols, vals));
  auto h = HashOf(p);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  std::string header = "T" + Str("w") + U64(150);
  std::string row = "R";
  for (int i = 0; i < 150; ++i) {
    header += Str(fmt::format("c{}", i)) + Str("");
    row += "I" + U64(static_cast<uint64_t>(i));
  }
  Digest expect = Sha256Of(header + "M" + Raw(Sha256Of(row)) + "E" + U64(1));
  EXPECT_EQ(ToHex(h->tables[0].digest), ToHex(expect));
}

}  // namespace
}  // namespace prodgate::db
