// `prodgate db hash` and `prodgate db diff` through the binary: the test matrix of the
// logical hash (docs/db.md), with SQLite's own shell making and changing the databases.
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

class DbCli : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = dir_ / "base.db";
    Sqlite(base_,
           "CREATE TABLE births(id INTEGER PRIMARY KEY AUTOINCREMENT, object_id TEXT NOT NULL, "
           "  status TEXT COLLATE NOCASE, score);"
           "CREATE TABLE notes(a, b);"
           "CREATE TABLE tags(name TEXT PRIMARY KEY, v) WITHOUT ROWID;"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
           "INSERT INTO births(object_id, status, score) "
           "  SELECT printf('TKT-OBJ-%03d', i), 'born', i FROM n;"
           "INSERT INTO notes VALUES ('r', 1), ('r', 1), ('a3', 'b');"
           "INSERT INTO tags VALUES ('x', 0.0);");
  }
  void Sqlite(const std::string& db, const std::string& sql) {
    RunResult r = RunCommand({"sqlite3", "-bail", db, sql});
    ASSERT_EQ(r.exit_code, 0) << r.err << "\nSQL: " << sql;
  }
  // The root of `db` from `prodgate db hash --json`, after checking the document.
  std::string Root(const std::string& db) {
    RunResult r = Prodgate({"db", "hash", "sqlite:" + db, "--json"}, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = JsonOut(r);
    if (!j.is_object() || !j.contains("root")) return "no root: " + r.out + r.err;
    return j["root"];
  }
  std::string Variant(const std::string& sql) {
    std::string p = dir_ / ("v" + std::to_string(++n_) + ".db");
    fs::copy_file(base_, p);
    Sqlite(p, sql);
    return p;
  }
  ScratchDir dir_;
  std::string base_;
  int n_ = 0;
};

TEST_F(DbCli, HashDocument) {
  RunResult r = Prodgate({"db", "hash", "sqlite:base.db", "--json"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = JsonOut(r);
  EXPECT_EQ(j["format"], "prodgate.dbhash/1");
  EXPECT_EQ(j["tool"]["name"], "prodgate");
  // The tool digest is the SHA-256 of the very binary that ran (computed here by coreutils).
  RunResult sum = RunCommand({"sha256sum", PRODGATE_BIN}, dir_.path());
  ASSERT_EQ(sum.exit_code, 0) << sum.err;
  EXPECT_EQ(j["tool"]["sha256"], sum.out.substr(0, 64));
  EXPECT_EQ(j["target"], "sqlite:base.db");
  EXPECT_EQ(j["root"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["schema"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["tables"]["births"]["rows"], 300);
  EXPECT_EQ(j["tables"]["births"]["key"], "rowid");
  EXPECT_EQ(j["tables"]["notes"]["key"], "none");
  EXPECT_EQ(j["tables"]["tags"]["key"], "primary key");
  EXPECT_EQ(j["sequences"]["births"], 300);
  EXPECT_FALSE(j["tables"].contains("sqlite_sequence"));
  // Canonical JSON: the bytes re-serialize to themselves.
  EXPECT_EQ(r.out, j.dump() + "\n");
  // The text form names the same root.
  RunResult t = Prodgate({"db", "hash", "sqlite:base.db"}, dir_.path());
  ASSERT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("root     " + j["root"].get<std::string>()), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("sequences"), std::string::npos);
}

TEST_F(DbCli, EqualWhenOnlyTheLayoutChanges) {
  std::string before = Root(base_);
  for (const char* sql :
       {"VACUUM;", "PRAGMA page_size = 16384; VACUUM;", "REINDEX;", "ANALYZE;",
        "BEGIN; UPDATE births SET status = 'x'; DELETE FROM notes; INSERT INTO tags VALUES ('y', "
        "1); "
        "ROLLBACK;",
        "UPDATE births SET score = score + 1; UPDATE births SET score = score - 1;",
        "DELETE FROM notes WHERE a = 'a3'; INSERT INTO notes VALUES ('a3', 'b');"}) {
    EXPECT_EQ(Root(Variant(sql)), before) << sql;
  }
}

TEST_F(DbCli, DifferentWhenAnyValueChanges) {
  std::string before = Root(base_);
  for (const char* sql : {
           "UPDATE notes SET a = 'a', b = '3b' WHERE a = 'a3';",  // ('a3','b') vs ('a','3b')
           "UPDATE births SET status = NULL WHERE id = 1;",       // 'born' vs NULL
           "UPDATE births SET score = 1.0 WHERE id = 1;",         // 1 vs 1.0
           "UPDATE tags SET v = -0.0;",                           // 0.0 vs -0.0
           "UPDATE births SET status = 'BORN' WHERE id = 2;",     // NOCASE: 'born' vs 'BORN'
           "DELETE FROM notes WHERE rowid = 1;",                  // {r, r} vs {r}
           "CREATE TABLE extra(a);",                              // a table on one side
           "UPDATE tags SET name = 'X';",                         // a key changed in case
       }) {
    EXPECT_NE(Root(Variant(sql)), before) << sql;
  }
  // NULL vs the text 'NULL', in two otherwise equal databases.
  std::string a = Variant("UPDATE births SET status = NULL WHERE id = 5;");
  std::string b = Variant("UPDATE births SET status = 'NULL' WHERE id = 5;");
  EXPECT_NE(Root(a), Root(b));
}

TEST_F(DbCli, ADatabaseErrorIsAFailureNeverAHash) {
  std::string p = Variant(
      "CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
      "INSERT INTO big SELECT i, printf('%0100d', i) FROM n;");
  ASSERT_EQ(Prodgate({"db", "hash", "sqlite:" + p}, dir_.path()).exit_code, 0);  // control
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(p) - 4096 * 30));
    std::string garbage(4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"db", "hash", "sqlite:" + p};
    if (json) args.push_back("--json");
    RunResult r = Prodgate(args, dir_.path());
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");  // no digest of any kind
    EXPECT_NE(r.err.find("SQLITE_CORRUPT"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fix:"), std::string::npos) << r.err;
  }
  // The diff refuses too, rather than calling the two "equal" or "different".
  RunResult d = Prodgate({"db", "diff", "sqlite:" + p, "sqlite:" + p}, dir_.path());
  EXPECT_EQ(d.exit_code, 2) << d.out << d.err;
}

TEST_F(DbCli, TruncatedFileFails) {
  std::string p = dir_ / "t.db";
  fs::copy_file(base_, p);
  fs::resize_file(p, fs::file_size(p) / 2);
  RunResult r = Prodgate({"db", "hash", "sqlite:" + p}, dir_.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(DbCli, BadTargetsAreRefused) {
  RunResult missing = Prodgate({"db", "hash", "sqlite:absent.db"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "absent.db")) << "a read created the database";
  RunResult bare = Prodgate({"db", "hash", base_}, dir_.path());
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("sqlite:PATH"), std::string::npos) << bare.err;
  RunResult pg = Prodgate({"db", "hash", "postgresql://127.0.0.1:1/app"}, dir_.path());
  EXPECT_EQ(pg.exit_code, 2);
  EXPECT_NE(pg.err.find("cannot connect to postgresql://127.0.0.1:1/app"), std::string::npos)
      << pg.err;
  RunResult table = Prodgate({"db", "hash", "sqlite:base.db", "--table", "nope"}, dir_.path());
  EXPECT_EQ(table.exit_code, 2);
  EXPECT_NE(table.err.find("births"), std::string::npos) << table.err;
}

TEST_F(DbCli, OneTableWithoutARoot) {
  RunResult r =
      Prodgate({"db", "hash", "sqlite:base.db", "--table", "notes", "--json"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = JsonOut(r);
  EXPECT_FALSE(j.contains("root"));
  EXPECT_EQ(j["partial"], true);
  EXPECT_EQ(j["tables"].size(), 1u);
  EXPECT_EQ(j["tables"]["notes"]["rows"], 3);
}

TEST_F(DbCli, DiffExitCodesAndDocument) {
  RunResult same =
      Prodgate({"db", "diff", "sqlite:base.db", "sqlite:" + Variant("VACUUM;")}, dir_.path());
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("EQUAL"), std::string::npos);

  std::string changed = Variant(
      "INSERT INTO births(object_id, status, score) VALUES ('TKT-OBJ-301', 'born', 301);"
      "DELETE FROM births WHERE id = 10;"
      "UPDATE births SET status = 'BORN' WHERE id = 20;"
      "INSERT INTO notes VALUES ('r', 1);"
      "CREATE TABLE extra(a);");
  RunResult r =
      Prodgate({"db", "diff", "sqlite:base.db", "sqlite:" + changed, "--json"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = JsonOut(r);
  EXPECT_EQ(j["format"], "prodgate.dbdiff/1");
  EXPECT_EQ(j["equal"], false);
  const auto& births = j["tables"]["births"];
  EXPECT_EQ(births["inserted"], 1);
  EXPECT_EQ(births["deleted"], 1);
  EXPECT_EQ(births["changed"], 1);
  EXPECT_EQ(births["samples"][1]["key"][0], "id=20");
  EXPECT_EQ(births["samples"][1]["columns"][0], "status");
  EXPECT_EQ(j["tables"]["notes"]["only_in_b"], 1);
  EXPECT_EQ(j["tables"]["extra"]["presence"], "only_in_b");
  EXPECT_EQ(j["sequences"]["births"]["b"], 301);

  RunResult bad = Prodgate({"db", "diff", "sqlite:base.db", "sqlite:nope.db"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace prodgate::testing
