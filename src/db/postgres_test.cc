// The PostgreSQL adapter against a real server (tests/pg_cluster.h): never a mock, never
// skipped. Each test gets fresh databases on the process's shared cluster.
#include "db/postgres.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/redact.h"
#include "core/sha256.h"
#include "db/diff.h"
#include "db/report.h"
#include "tests/pg_cluster.h"
#include "tests/test_util.h"

namespace prodgate::db {
namespace {

namespace fs = std::filesystem;

class PostgresDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = prodgate::testing::SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = *cluster;
    db_ = NewDatabase();
  }
  std::string NewDatabase() {
    std::string name = fmt::format("pgdb_{}", ++databases_);
    Status s = cluster_->CreateDatabase(name);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return name;
  }
  std::string Uri(const std::string& db) const { return cluster_->Uri(db); }
  std::string Keywords(const std::string& db) const {
    return "postgresql:" + cluster_->KeywordString(db);
  }
  // A new database with the content of db_.
  std::string CopyOfDb() {
    std::string name = fmt::format("pgdb_{}", ++databases_);
    Sql(fmt::format("CREATE DATABASE {} TEMPLATE {}", name, db_), "postgres");
    return name;
  }
  void Sql(const std::string& sql, const std::string& db = {}) {
    Status s = cluster_->Exec(db.empty() ? db_ : db, sql);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\nin: " << sql;
  }
  std::string Scalar(const std::string& sql, const std::string& db = {}) {
    auto rows = cluster_->Query(db.empty() ? db_ : db, sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty() || !rows->front().front()) return "";
    return *rows->front().front();
  }
  std::unique_ptr<Database> Open(const std::string& target, OpenMode mode = OpenMode::kReadOnly) {
    auto d = OpenTarget(target, mode);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  Result<LogicalHash> HashOf(const std::string& target, HashOptions o = {}) {
    PG_ASSIGN_OR_RETURN(auto d, OpenTarget(target, OpenMode::kReadOnly));
    return d->Hash(o);
  }
  std::string Root(const std::string& db = {}, HashOptions o = {}) {
    auto h = HashOf(Uri(db.empty() ? db_ : db), o);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? ToHex(h->root) : "error: " + h.status().ToString();
  }

  static inline int databases_ = 0;
  prodgate::testing::PgCluster* cluster_ = nullptr;
  std::string db_;
};

constexpr const char* kShapes = R"sql(
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE births (
  id bigint PRIMARY KEY, name text NOT NULL, born timestamptz, weight numeric(6,3),
  ratio float8, small real, tags jsonb, photo bytea, ok boolean, day date, mood mood,
  uid uuid, note varchar(40), created timestamptz DEFAULT '2026-01-01 12:00:00+00');
CREATE TABLE codes (code text NOT NULL, label text);
CREATE UNIQUE INDEX codes_code ON codes (code);
CREATE TABLE events (at timestamptz, what text);
CREATE TABLE measures (region text NOT NULL, n int NOT NULL) PARTITION BY LIST (region);
CREATE TABLE measures_north PARTITION OF measures FOR VALUES IN ('north');
CREATE TABLE measures_south PARTITION OF measures FOR VALUES IN ('south');
CREATE SEQUENCE tickets;
CREATE MATERIALIZED VIEW birth_count AS SELECT count(*) AS n FROM births;
CREATE VIEW recent AS SELECT id FROM births;
INSERT INTO births VALUES
  (1, 'Ada', '2026-01-02 03:04:05.5+00', 3.250, 0.1, 1.5, '{"a": 1, "b": [true, null]}',
   '\x00ff', true, '2026-01-02', 'calm', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x', DEFAULT),
  (2, 'Bob', NULL, NULL, '-0', NULL, NULL, NULL, false, '0044-03-15 BC', 'busy', NULL, NULL,
   DEFAULT),
  (3, 'tab	and
newline\', '1999-12-31 23:59:59+00', 4.2, 'NaN', 'Infinity', '[]', '', NULL, NULL, NULL,
   NULL, '', DEFAULT);
INSERT INTO codes VALUES ('b', 'bee'), ('a', 'ay'), ('B', 'big bee');
INSERT INTO events VALUES ('2026-01-01', 'x'), ('2026-01-01', 'x'), (NULL, 'y');
INSERT INTO measures VALUES ('north', 1), ('south', 2), ('south', 3);
)sql";

TEST(PostgresTarget, UrisAndKeywordStringsParse) {
  auto uri = ParseTarget("postgresql://alice@db.internal:6543/registry");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  EXPECT_EQ(uri->engine, "postgresql");
  EXPECT_EQ(uri->host, "db.internal");
  EXPECT_EQ(uri->port, "6543");
  EXPECT_EQ(uri->dbname, "registry");
  auto kw = ParseTarget("postgresql:host=/run/pg port=5433 dbname=clone");
  ASSERT_TRUE(kw.ok()) << kw.status().ToString();
  EXPECT_EQ(kw->conninfo, "host=/run/pg port=5433 dbname=clone");
  EXPECT_EQ(kw->host, "/run/pg");
  EXPECT_EQ(kw->dbname, "clone");
  EXPECT_TRUE(ParseTarget("postgres://h/d").ok());
  // Negative controls: libpq cannot parse these; nothing is guessed.
  auto bad = ParseTarget("postgresql:host=x nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kBadInput);
  EXPECT_NE(bad.status().what().find("libpq cannot parse"), std::string::npos);
  EXPECT_FALSE(ParseTarget("postgresql:").ok());
  EXPECT_FALSE(ParseTarget("mysql://h/d").ok());
}

TEST(PostgresTarget, APasswordIsNeverShown) {
  std::string t = "postgresql://alice:s3cret@127.0.0.1:1/app";
  EXPECT_EQ(ShownTarget(t), "postgresql://alice:***@127.0.0.1:1/app");
  auto d = OpenTarget(t, OpenMode::kReadOnly);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().ToString().find("s3cret"), std::string::npos) << d.status().ToString();
  // Negative control: without a password the target is shown as written.
  EXPECT_EQ(ShownTarget("postgresql://h/d"), "postgresql://h/d");
}

TEST_F(PostgresDbTest, IdentityNamesTheServer) {
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  const Identity& id = d->identity();
  EXPECT_EQ(id.engine, "postgresql");
  EXPECT_EQ(id.host, cluster_->dir());
  EXPECT_EQ(id.port, "5432");
  EXPECT_EQ(id.dbname, db_);
  EXPECT_EQ(id.system_identifier,
            Scalar("SELECT system_identifier::text FROM pg_control_system()"));
  EXPECT_FALSE(id.system_identifier.empty());
  auto e = Open(Keywords(db_));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->identity().system_identifier, id.system_identifier);
  // Negative control: a database that does not exist is refused, never created.
  auto missing = OpenTarget(Uri("pgdb_absent"), OpenMode::kReadWrite);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().what().find("pgdb_absent"), std::string::npos);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_database WHERE datname = 'pgdb_absent'"), "0");
}

TEST_F(PostgresDbTest, IntrospectsTablesKeysAndWhatIsLeftOut) {
  Sql(kShapes);
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  auto h = d->Hash();
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  std::vector<std::string> names;
  for (const auto& t : h->tables) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"births", "codes", "events", "measures_north",
                                             "measures_south"}));
  EXPECT_EQ(h->FindTable("births")->key_kind, KeyKind::kPrimaryKey);
  EXPECT_EQ(h->FindTable("codes")->key_kind, KeyKind::kUniqueIndex);
  EXPECT_EQ(h->FindTable("events")->key_kind, KeyKind::kNone);
  EXPECT_EQ(h->FindTable("births")->rows, 3u);
  EXPECT_EQ(h->FindTable("events")->rows, 3u);
  std::vector<std::string> excluded;
  for (const auto& e : h->excluded) excluded.push_back(e.name);
  // A materialized view's rows are digested in the schema (its contents), not left out.
  EXPECT_EQ(excluded, (std::vector<std::string>{"measures"}));
  ASSERT_EQ(h->sequences.size(), 1u);
  EXPECT_EQ(h->sequences[0].name, "tickets");
  EXPECT_EQ(h->sequences[0].value, 0);
  // Other schemas are qualified; a name that could be misread is quoted.
  Sql("CREATE SCHEMA audit; CREATE TABLE audit.log (id int PRIMARY KEY); "
      "CREATE TABLE \"a.b\" (id int PRIMARY KEY)");
  auto h2 = d->Hash();
  ASSERT_TRUE(h2.ok()) << h2.status().ToString();
  EXPECT_NE(h2->FindTable("audit.log"), nullptr);
  EXPECT_NE(h2->FindTable("\"a.b\""), nullptr);
  EXPECT_NE(ToHex(h2->root), ToHex(h->root));
}

TEST_F(PostgresDbTest, ValuesDecodeToTheEngineIndependentEncoding) {
  Sql(kShapes);
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  auto c = d->Scan({"births",
                    {"id", "born", "weight", "ratio", "small", "tags", "photo", "ok", "day", "mood",
                     "uid", "name"},
                    RowOrder::kKey});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<std::string> rows;
  while (true) {
    auto more = (*c)->Next();
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    std::string row;
    for (size_t i = 0; i < 12; ++i) row += (i ? " | " : "") + ValueLiteral((*c)->value(i), 80);
    rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            "1 | '2026-01-02 03:04:05.5+00' | '3.250' | 0.1 | 1.5 | '{\"a\": 1, \"b\": [true, "
            "null]}' | X'00ff' | 1 | '2026-01-02' | 'calm' | "
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' | 'Ada'");
  EXPECT_EQ(rows[1],
            "2 | NULL | NULL | -0.0 | NULL | NULL | NULL | 0 | '0044-03-15 BC' | 'busy' | NULL | "
            "'Bob'");
  EXPECT_EQ(rows[2],
            "3 | '1999-12-31 23:59:59+00' | '4.200' | nan | inf | '[]' | X'' | NULL | NULL | "
            "NULL | NULL | 'tab\\x09and\\x0anewline\\'");
}

// The decoder renders dates, times and numerics itself from the binary COPY format; every
// rendering must be the text the server prints for the value (ISO, UTC), edge cases included.
TEST_F(PostgresDbTest, DatesTimesAndNumericsRenderAsTheServerPrintsThem) {
  Sql(fmt::format("ALTER DATABASE {} SET TimeZone = 'UTC'", db_), "postgres");
  Sql(R"sql(
CREATE TABLE edge (id int PRIMARY KEY, n numeric, d date, t time, ts timestamp, tz timestamptz);
INSERT INTO edge VALUES
 (1, 0, '2000-01-01', '00:00:00', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00'),
 (2, -0.001, '0044-03-15 BC', '24:00:00', '0044-03-15 12:30:00.5 BC', '4713-01-01 00:00+00 BC'),
 (3, 123456789012345678901234567890.123456789, '294276-12-31', '23:59:59.999999',
  '294276-12-31 23:59:59.999999', '1999-12-31 23:59:59.000001+00'),
 (4, 'NaN', 'infinity', '12:00:00.1', 'infinity', '-infinity'),
 (5, 'Infinity', '-infinity', '01:02:03.00045', '-infinity', 'infinity'),
 (6, '-Infinity', '1970-01-01', '00:00:00.000001', '1900-02-28 00:00:00.123',
  '2026-11-21 10:11:12+05'),
 (7, 0.00000000000000000001, '9999-12-31', NULL, NULL, NULL),
 (8, 10000, '10000-01-01', '10:00', '10000-01-01 00:00', '10000-01-01 00:00+00'),
 (9, 1.10, '0001-01-01', '00:00:01', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00'),
 (10, 99999999.00000000, '0001-12-31 BC', '00:01', '0001-12-31 23:59:59 BC',
  '0001-12-31 23:59:59+00 BC'),
 (11, -12345.6789e-10, '2024-02-29', '13:14:15.16', '2024-02-29 12:00', '2024-02-29 12:00+00'),
 (12, 1e100, '2100-03-01', '00:00', '2100-03-01', '2100-03-01 00:00+00'),
 (13, 5.000, '1600-02-29', '00:00', '1600-02-29', '1600-02-29 00:00+00');
)sql");
  auto expected = cluster_->Query(db_,
                                  "SELECT n::text, d::text, t::text, ts::text, tz::text "
                                  "FROM edge ORDER BY id");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  ASSERT_EQ(expected->size(), 13u);
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  auto c = d->Scan({"edge", {"n", "d", "t", "ts", "tz"}, RowOrder::kKey});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (size_t row = 0;; ++row) {
    auto more = (*c)->Next();
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) {
      EXPECT_EQ(row, 13u);
      break;
    }
    ASSERT_LT(row, 13u);
    for (size_t i = 0; i < 5; ++i) {
      const ValueRef& v = (*c)->value(i);
      const auto& want = (*expected)[row][i];
      if (!want) {
        EXPECT_EQ(v.type, ValueType::kNull) << "row " << row + 1 << " column " << i;
        continue;
      }
      EXPECT_EQ(v.type, ValueType::kText) << "row " << row + 1 << " column " << i;
      EXPECT_EQ(std::string(v.bytes), *want) << "row " << row + 1 << " column " << i;
    }
  }
}

TEST_F(PostgresDbTest, EqualAfterARealRollback) {
  Sql(kShapes);
  std::string before = Root();
  Sql("BEGIN; UPDATE births SET name = 'Eve' WHERE id = 1; DELETE FROM codes; "
      "INSERT INTO events VALUES (NULL, 'z'); INSERT INTO measures VALUES ('north', 9); "
      "ROLLBACK");
  EXPECT_EQ(Root(), before);
  // Negative control: the same change committed is seen.
  Sql("UPDATE births SET name = 'Eve' WHERE id = 1");
  EXPECT_NE(Root(), before);
}

TEST_F(PostgresDbTest, EqualAfterCompensatingUpdatesAndVacuumFull) {
  Sql(kShapes);
  std::string before = Root();
  std::string ctid = Scalar("SELECT ctid::text FROM births WHERE id = 1");
  Sql("UPDATE births SET weight = weight + 1 WHERE id = 1; "
      "UPDATE births SET weight = weight - 1 WHERE id = 1");
  // The control: the row did move in the heap (pg_dump's order would change).
  EXPECT_NE(Scalar("SELECT ctid::text FROM births WHERE id = 1"), ctid);
  EXPECT_EQ(Root(), before);
  Sql("VACUUM FULL");
  EXPECT_EQ(Root(), before);
  // Negative control: an update that does not compensate exactly (0.1 + 1 - 1 ≠ 0.1 in
  // binary floating point) is seen.
  Sql("UPDATE births SET ratio = ratio + 1 WHERE id = 1; "
      "UPDATE births SET ratio = ratio - 1 WHERE id = 1");
  EXPECT_NE(Root(), before);
}

TEST_F(PostgresDbTest, SessionSettingsDoNotChangeTheHash) {
  Sql(kShapes);
  std::string plain = Root();
  std::string options =
      " options='-c TimeZone=Asia/Tokyo -c DateStyle=SQL,DMY -c extra_float_digits=-15 "
      "-c IntervalStyle=sql_standard -c bytea_output=escape'";
  auto hostile = HashOf(Keywords(db_) + options);
  ASSERT_TRUE(hostile.ok()) << hostile.status().ToString();
  EXPECT_EQ(ToHex(hostile->root), plain);
  // The control: those settings do change the text the server renders in that session.
  auto rows = cluster_->Query(db_,
                              "SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'SQL, DMY'; "
                              "SET extra_float_digits = -15; "
                              "SELECT born::text || ratio::text FROM births WHERE id = 1");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto utc = cluster_->Query(db_,
                             "SET TimeZone = 'UTC'; SELECT born::text || ratio::text FROM "
                             "births WHERE id = 1");
  ASSERT_TRUE(utc.ok());
  EXPECT_NE(*rows->front().front(), *utc->front().front());
}

TEST_F(PostgresDbTest, ExactValuesDiffer) {
  Sql("CREATE TABLE t (id int PRIMARY KEY, n numeric, j jsonb, s text);"
      "INSERT INTO t VALUES (1, 4.2, '{\"a\": 1}', '')");
  std::string base = Root();
  // numeric: equal for SQL, different bytes.
  EXPECT_EQ(Scalar("SELECT 4.2::numeric = 4.2000::numeric"), "t");
  Sql("UPDATE t SET n = 4.2000");
  std::string scale = Root();
  EXPECT_NE(scale, base);
  Sql("UPDATE t SET n = 4.2");
  EXPECT_EQ(Root(), base) << "the control: the exact value restored gives the same hash";
  Sql("UPDATE t SET j = '{\"b\": 1}'");
  EXPECT_NE(Root(), base);
  Sql("UPDATE t SET j = '{\"a\": 1}'");
  EXPECT_EQ(Root(), base);
  Sql("UPDATE t SET s = NULL");
  EXPECT_NE(Root(), base);
  Sql("UPDATE t SET s = ''");
  EXPECT_EQ(Root(), base);
}

// Each change below alters what the rows mean or which writes succeed without touching a
// row: the schema digest (and so the root) must see it, and undoing it must restore both
// (the control: the digest is a function of the schema, not of history).
TEST_F(PostgresDbTest, EverySchemaChangeThatChangesMeaningChangesTheSchemaDigest) {
  // `loose` is used by no table (ALTER TYPE refuses a type a column uses).
  Sql("CREATE DOMAIN posint AS int; CREATE TYPE pair AS (a int, b text);"
      "CREATE TYPE loose AS (a int, b text);"
      "CREATE FUNCTION fdiff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS "
      "'SELECT $1 - $2'; CREATE TYPE frange AS RANGE (SUBTYPE = float8);"
      "CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE t (id int PRIMARY KEY, n posint, "
      "p pair, r frange); INSERT INTO t VALUES (1, 5, ROW(1, 'x'), '[1,2)');"
      "CREATE TABLE child (id int PRIMARY KEY, extra int);"
      "INSERT INTO child VALUES (1, 1); CREATE MATERIALIZED VIEW mv AS SELECT * FROM child");
  struct Change {
    const char* what;
    const char* sql;
    const char* undo;
  };
  const Change changes[] = {
      {"a domain CHECK", "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0)",
       "ALTER DOMAIN posint DROP CONSTRAINT pos"},
      {"a domain NOT NULL", "ALTER DOMAIN posint SET NOT NULL",
       "ALTER DOMAIN posint DROP NOT NULL"},
      {"a domain DEFAULT", "ALTER DOMAIN posint SET DEFAULT 7", "ALTER DOMAIN posint DROP DEFAULT"},
      {"a composite attribute's type", "ALTER TYPE loose ALTER ATTRIBUTE b TYPE varchar(10)",
       "ALTER TYPE loose ALTER ATTRIBUTE b TYPE text"},
      {"a composite attribute added", "ALTER TYPE loose ADD ATTRIBUTE c int",
       "ALTER TYPE loose DROP ATTRIBUTE c"},
      {"a range type's subtype_diff",
       "DROP TABLE t; DROP TYPE frange; CREATE TYPE frange AS RANGE (SUBTYPE = float8, "
       "SUBTYPE_DIFF = fdiff); CREATE TABLE t (id int PRIMARY KEY, n posint, p pair, r frange); "
       "INSERT INTO t VALUES (1, 5, ROW(1, 'x'), '[1,2)')",
       "DROP TABLE t; DROP TYPE frange; CREATE TYPE frange AS RANGE (SUBTYPE = float8); CREATE "
       "TABLE t (id int PRIMARY KEY, n posint, p pair, r frange); INSERT INTO t VALUES (1, 5, "
       "ROW(1, 'x'), '[1,2)')"},
      {"a table made UNLOGGED", "ALTER TABLE t SET UNLOGGED", "ALTER TABLE t SET LOGGED"},
      {"a table made a child", "ALTER TABLE child INHERIT parent",
       "ALTER TABLE child NO INHERIT parent"},
      {"a replica identity", "ALTER TABLE t REPLICA IDENTITY FULL",
       "ALTER TABLE t REPLICA IDENTITY DEFAULT"},
      {"a shell type", "CREATE TYPE shell", "DROP TYPE shell"},
      {"a rule", "CREATE RULE keep AS ON DELETE TO t DO INSTEAD NOTHING", "DROP RULE keep ON t"},
      {"an aggregate", "CREATE AGGREGATE mysum(float8) (SFUNC = fdiff, STYPE = float8)",
       "DROP AGGREGATE mysum(float8)"},
      {"an operator", "CREATE OPERATOR #-# (LEFTARG = float8, RIGHTARG = float8, FUNCTION = fdiff)",
       "DROP OPERATOR #-# (float8, float8)"},
      {"an operator class",
       "CREATE OPERATOR CLASS rev FOR TYPE int USING btree AS OPERATOR 1 >, OPERATOR 3 =, "
       "FUNCTION 1 btint4cmp(int, int)",
       "DROP OPERATOR FAMILY rev USING btree"},
      {"a cast", "CREATE CAST (pair AS text) WITH INOUT", "DROP CAST (pair AS text)"},
      {"a collation", "CREATE COLLATION german (provider = icu, locale = 'de-DE')",
       "DROP COLLATION german"},
      {"an event trigger",
       "CREATE FUNCTION noddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'; CREATE "
       "EVENT TRIGGER noddl ON ddl_command_start EXECUTE FUNCTION noddl()",
       "DROP EVENT TRIGGER noddl; DROP FUNCTION noddl()"},
      {"a publication (UPDATE and DELETE need a replica identity then)",
       "CREATE PUBLICATION pub FOR TABLE t", "DROP PUBLICATION pub"},
      {"a text search configuration", "CREATE TEXT SEARCH CONFIGURATION myts (COPY = english)",
       "DROP TEXT SEARCH CONFIGURATION myts"},
      {"a large object's bytes", "SELECT lo_from_bytea(4242, 'one'::bytea)",
       "SELECT lo_unlink(4242)"},
      {"a materialized view's rows (a REFRESH after its table changed)",
       "UPDATE child SET extra = 2; REFRESH MATERIALIZED VIEW mv; UPDATE child SET extra = 1",
       "REFRESH MATERIALIZED VIEW mv"},
      {"a database setting (triggers and foreign keys off in every session)",
       "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET session_replication_role = replica', "
       "current_database()); END $$",
       "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET session_replication_role', "
       "current_database()); END $$"},
  };
  auto hash = [&] {
    auto h = HashOf(Uri(db_));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::make_pair(ToHex(h->schema), ToHex(h->root))
                  : std::make_pair(std::string("error"), std::string("error"));
  };
  auto base = hash();
  for (const auto& c : changes) {
    SCOPED_TRACE(c.what);
    Sql(c.sql);
    auto changed = hash();
    EXPECT_NE(changed.first, base.first) << "the schema digest missed " << c.what;
    EXPECT_NE(changed.second, base.second) << "the root missed " << c.what;
    Sql(c.undo);
    EXPECT_EQ(hash(), base) << "undoing " << c.what << " did not restore the digests";
  }
}

// Every catalog of the server is reviewed: digested, or excluded with a reason. The control:
// a catalog name that is not the server's is not in the list either (the list is not "any").
TEST_F(PostgresDbTest, EveryCatalogOfTheServerIsDigestedOrExcludedWithAReason) {
  auto rows = cluster_->Query(db_,
                              "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = "
                              "'pg_catalog'::regnamespace AND relkind = 'r' ORDER BY 1");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, std::string> coverage;
  for (const auto& [catalog, how] : PostgresCatalogCoverage()) {
    coverage[std::string(catalog)] = std::string(how);
  }
  ASSERT_GT(rows->size(), 50u);
  for (const auto& row : *rows) {
    std::string name = *row.front();
    ASSERT_TRUE(coverage.count(name)) << name << " is neither digested nor excluded";
    EXPECT_TRUE(coverage[name].starts_with("digested: ") ||
                coverage[name].starts_with("excluded: "))
        << name;
  }
  EXPECT_FALSE(coverage.count("pg_no_such_catalog"));
  // Nothing unknown is reported on this server.
  auto h = HashOf(Uri(db_));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  for (const auto& e : h->excluded) EXPECT_FALSE(e.name.starts_with("(catalog ")) << e.name;
}

TEST_F(PostgresDbTest, DuplicateRowsInAKeylessTableCount) {
  Sql("CREATE TABLE bag (v text, n int); INSERT INTO bag VALUES ('r', 1), ('r', 1)");
  std::string two = Root();
  Sql("DELETE FROM bag WHERE ctid = (SELECT min(ctid) FROM bag)");
  std::string one = Root();
  Sql("DELETE FROM bag");
  std::string none = Root();
  EXPECT_NE(two, one);
  EXPECT_NE(two, none);  // XOR of the pair would cancel here
  EXPECT_NE(one, none);
  // Negative control: the order of insertion does not matter for a multiset.
  Sql("INSERT INTO bag VALUES ('s', 2), ('r', 1), ('r', 1)");
  std::string a = Root();
  Sql("DELETE FROM bag; INSERT INTO bag VALUES ('r', 1), ('r', 1), ('s', 2)");
  EXPECT_EQ(Root(), a);
}

TEST_F(PostgresDbTest, ARolledBackNextvalChangesOnlyTheSequencesSection) {
  Sql(kShapes);
  std::string copy = CopyOfDb();
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  auto before = d->Hash();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  Sql("BEGIN; SELECT nextval('tickets'); ROLLBACK");
  auto after = d->Hash();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(ToHex(after->root), ToHex(before->root)) << "rows are equal";
  ASSERT_EQ(after->sequences.size(), 1u);
  EXPECT_EQ(before->sequences[0].value, 0);
  EXPECT_EQ(after->sequences[0].value, 1) << "the sequence did not roll back";
  EXPECT_NE(HashText(*after).find("sequences (outside the root: they do not roll back)"),
            std::string::npos);
  // The diff says so, and still calls the databases equal.
  auto a = Open(Uri(copy)), b = Open(Uri(db_));
  ASSERT_TRUE(a && b);
  auto diff = DiffDatabases(*a, *b);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_TRUE(diff->equal);
  ASSERT_EQ(diff->sequences.size(), 1u);
  EXPECT_EQ(diff->sequences[0].name, "tickets");
  EXPECT_NE(DiffText(*diff).find("never part of equality"), std::string::npos);
}

TEST_F(PostgresDbTest, ParallelHashingDoesNotChangeTheResult) {
  Sql(kShapes);
  for (int i = 0; i < 6; ++i) {
    Sql(
        fmt::format("CREATE TABLE p{0} (id int PRIMARY KEY, v text); INSERT INTO p{0} SELECT g, "
                    "md5(g::text) FROM generate_series(1, {1}) g",
                    i, 500 * (i + 1)));
  }
  auto one = HashOf(Uri(db_), {.tables = {}, .connections = 1});
  auto four = HashOf(Uri(db_), {.tables = {}, .connections = 4});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(four.ok()) << four.status().ToString();
  EXPECT_EQ(ToHex(one->root), ToHex(four->root));
  ASSERT_EQ(one->tables.size(), four->tables.size());
  for (size_t i = 0; i < one->tables.size(); ++i) {
    EXPECT_EQ(one->tables[i].name, four->tables[i].name);
    EXPECT_EQ(ToHex(one->tables[i].digest), ToHex(four->tables[i].digest));
  }
  // Negative control: a change in the last table is seen by both.
  Sql("UPDATE p5 SET v = 'x' WHERE id = 3000");
  EXPECT_NE(Root({}, {.tables = {}, .connections = 4}), ToHex(four->root));
  EXPECT_NE(Root({}, {.tables = {}, .connections = 1}), ToHex(one->root));
}

TEST_F(PostgresDbTest, ParallelWorkersShareTheSnapshot) {
  Sql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);"
      "INSERT INTO a VALUES (1); INSERT INTO b VALUES (1)");
  auto d = Open(Uri(db_));
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->BeginRead().ok());
  auto first = d->Hash({.tables = {}, .connections = 2});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Sql("INSERT INTO a VALUES (2); INSERT INTO b VALUES (2)");  // committed after the snapshot
  auto second = d->Hash({.tables = {}, .connections = 2});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(ToHex(second->root), ToHex(first->root));
  ASSERT_TRUE(d->EndRead().ok());
  // Negative control: a new snapshot sees the commit.
  auto third = d->Hash({.tables = {}, .connections = 2});
  ASSERT_TRUE(third.ok());
  EXPECT_NE(ToHex(third->root), ToHex(first->root));
}

TEST_F(PostgresDbTest, ARoleUnderRowLevelSecurityIsRefused) {
  Sql("CREATE TABLE secret (id int PRIMARY KEY, owner text); INSERT INTO secret VALUES (1, "
      "'a'), (2, 'b'); ALTER TABLE secret ENABLE ROW LEVEL SECURITY; CREATE POLICY mine ON "
      "secret USING (owner = 'a')");
  Sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE "
      "ROLE reader LOGIN; END IF; END $$; GRANT SELECT ON secret TO reader; GRANT EXECUTE ON "
      "FUNCTION pg_control_system() TO reader");
  auto h = HashOf(cluster_->Uri(db_, "reader"));
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().what().find("row-level security on secret"), std::string::npos)
      << h.status().ToString();
  EXPECT_NE(h.status().fix().find("BYPASSRLS"), std::string::npos);
  auto d = Open(cluster_->Uri(db_, "reader"));
  ASSERT_TRUE(d);
  auto scan = d->Scan({"secret", {"id"}, RowOrder::kAny});
  EXPECT_FALSE(scan.ok()) << "a scan under RLS would read a subset";
  // Negative control: the superuser (bypasses RLS) hashes both rows.
  auto su = HashOf(Uri(db_));
  ASSERT_TRUE(su.ok()) << su.status().ToString();
  EXPECT_EQ(su->FindTable("secret")->rows, 2u);
}

TEST_F(PostgresDbTest, DiffLocalizesByKeyAndAsMultisets) {
  Sql(kShapes);
  std::string other = CopyOfDb();
  std::string same = CopyOfDb();
  Sql("UPDATE births SET ratio = 0.2 WHERE id = 1; DELETE FROM births WHERE id = 2; "
      "INSERT INTO births (id, name) VALUES (7, 'Gus'); INSERT INTO events VALUES (NULL, 'y')",
      other);
  auto a = Open(Uri(db_)), b = Open(Uri(other));
  ASSERT_TRUE(a && b);
  auto diff = DiffDatabases(*a, *b);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  EXPECT_FALSE(diff->equal);
  ASSERT_EQ(diff->tables.size(), 2u);
  const TableDiff& births = diff->tables[0];
  EXPECT_EQ(births.name, "births");
  EXPECT_TRUE(births.keyed);
  EXPECT_EQ(births.inserted, 1u);
  EXPECT_EQ(births.deleted, 1u);
  EXPECT_EQ(births.changed, 1u);
  std::string text = DiffText(*diff);
  EXPECT_NE(text.find("ratio"), std::string::npos) << text;
  const TableDiff& events = diff->tables[1];
  EXPECT_EQ(events.name, "events");
  EXPECT_FALSE(events.keyed);
  EXPECT_EQ(events.inserted, 1u);
  EXPECT_EQ(events.deleted, 0u);
  // Negative control: a database and its template copy are equal.
  auto c = Open(Uri(same));
  auto equal = DiffDatabases(*a, *c);
  ASSERT_TRUE(equal.ok()) << equal.status().ToString();
  EXPECT_TRUE(equal->equal);
}

TEST_F(PostgresDbTest, SnapshotAndRestoreThroughATemplate) {
  Sql(kShapes);
  prodgate::testing::ScratchDir dir;
  std::string file = dir / "before.pgsnap";
  std::string before = Root();
  {
    auto d = Open(Uri(db_), OpenMode::kReadWrite);
    ASSERT_TRUE(d);
    Status s = d->Snapshot(file);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::string text = prodgate::testing::ReadFileOrDie(file);
    EXPECT_NE(text.find("\"format\":\"prodgate.pg-snapshot/1\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"source\":\"" + db_ + "\""), std::string::npos) << text;
    // A snapshot never overwrites a file.
    EXPECT_FALSE(d->Snapshot(file).ok());
    ASSERT_TRUE(d->Execute("UPDATE births SET name = 'changed'; DROP TABLE codes").ok());
    EXPECT_NE(Root(), before);
    s = d->Restore(file);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Root(), before);
    // The adapter is connected again and usable.
    auto h = d->Hash();
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(ToHex(h->root), before);
  }
  // Negative controls: another session on the database makes both refuse, naming it.
  auto d = Open(Uri(db_), OpenMode::kReadWrite);
  ASSERT_TRUE(d);
  std::unique_ptr<PGconn, decltype(&PQfinish)> other(
      PQconnectdb(cluster_->KeywordString(db_).c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(other.get()), CONNECTION_OK);
  Status busy = d->Snapshot(dir / "second.pgsnap");
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.what().find("other session(s) are connected"), std::string::npos)
      << busy.ToString();
  EXPECT_NE(busy.fix().find("pg_terminate_backend"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "second.pgsnap"));
  EXPECT_FALSE(d->Restore(file).ok());
  other.reset();
  EXPECT_FALSE(d->Restore(dir / "absent.pgsnap").ok());
  auto ro = Open(Uri(db_));
  EXPECT_FALSE(ro->Restore(file).ok()) << "restore needs read-write";
}

TEST_F(PostgresDbTest, ExecuteAndCopyInsertRoundTrip) {
  auto d = Open(Uri(db_), OpenMode::kReadWrite);
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->Execute("CREATE TABLE w (id bigint PRIMARY KEY, t text, b bytea, r float8, "
                         "ts timestamptz); CREATE TABLE other (x int)")
                  .ok());
  auto w = d->Insert("w", {"id", "t", "b", "r", "ts"});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::string tricky = "tab\there\nnew\\line\r\\N";
  std::string blob("\0\xff\\", 3);
  (*w)->Set(0, ValueRef::Integer(1));
  (*w)->Set(1, ValueRef::Text(tricky));
  (*w)->Set(2, ValueRef::Blob(blob));
  (*w)->Set(3, ValueRef::Real(-0.0));
  (*w)->Set(4, ValueRef::Text("2026-03-01T12:00:00Z"));
  ASSERT_TRUE((*w)->AddRow().ok());
  (*w)->Set(0, ValueRef::Integer(2));
  (*w)->Set(1, ValueRef::Null());
  (*w)->Set(2, ValueRef::Null());
  (*w)->Set(3, ValueRef::Real(0.1));
  (*w)->Set(4, ValueRef::Null());
  ASSERT_TRUE((*w)->AddRow().ok());
  Status f = (*w)->Finish();
  ASSERT_TRUE(f.ok()) << f.ToString();
  w->reset();
  auto c = d->Scan({"w", {"t", "b", "r", "ts"}, RowOrder::kKey});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(*(*c)->Next());
  EXPECT_TRUE(SameBytes((*c)->value(0), ValueRef::Text(tricky)));
  EXPECT_TRUE(SameBytes((*c)->value(1), ValueRef::Blob(blob)));
  EXPECT_TRUE(SameBytes((*c)->value(2), ValueRef::Real(-0.0)));
  EXPECT_TRUE(SameBytes((*c)->value(3), ValueRef::Text("2026-03-01 12:00:00+00")));
  ASSERT_TRUE(*(*c)->Next());
  EXPECT_EQ((*c)->value(0).type, ValueType::kNull);
  EXPECT_TRUE(SameBytes((*c)->value(2), ValueRef::Real(0.1)));
  EXPECT_FALSE(*(*c)->Next());
  c->reset();
  // Negative controls: a writer not finished writes nothing; a failing script fails whole.
  {
    auto w2 = d->Insert("other", {"x"});
    ASSERT_TRUE(w2.ok());
    (*w2)->Set(0, ValueRef::Integer(5));
    ASSERT_TRUE((*w2)->AddRow().ok());
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM other"), "0");
  Status bad = d->Execute("INSERT INTO other VALUES (1); INSERT INTO nowhere VALUES (1)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.what().find("nowhere"), std::string::npos) << bad.ToString();
  EXPECT_EQ(Scalar("SELECT count(*) FROM other"), "0");
  auto ro = Open(Uri(db_));
  EXPECT_FALSE(ro->Execute("DELETE FROM w").ok());
  EXPECT_FALSE(ro->Insert("w", {"id"}).ok());
}

TEST_F(PostgresDbTest, CreateMakesANewDatabaseOnlyAtFinish) {
  std::string name = fmt::format("pgdb_new_{}", ++databases_);
  {
    auto d = Open(Uri(name), OpenMode::kCreate);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->Execute("CREATE TABLE x (id int PRIMARY KEY)").ok());
    EXPECT_EQ(Scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'", "postgres"),
              "0");
    // Not finished: the temporary database is dropped.
  }
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'prodgate_tmp_%'", "postgres"),
      "0");
  {
    auto d = Open(Uri(name), OpenMode::kCreate);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->Execute("CREATE TABLE x (id int PRIMARY KEY)").ok());
    Status f = d->Finish();
    ASSERT_TRUE(f.ok()) << f.ToString();
    EXPECT_EQ(d->identity().dbname, name);
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM x", name), "0");
  // Negative controls: create refuses an existing database; replace refuses a database
  // that is not a prodgate clone.
  EXPECT_FALSE(OpenTarget(Uri(name), OpenMode::kCreate).ok());
  auto r = OpenTarget(Uri(name), OpenMode::kReplace);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("prodgate_clone"), std::string::npos);
}

}  // namespace
}  // namespace prodgate::db
