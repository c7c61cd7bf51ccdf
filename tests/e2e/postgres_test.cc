// PostgreSQL through the binary, on a real throwaway server (tests/pg_cluster.h): db hash,
// db diff, surrogate --out postgresql://…, clone check.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "tests/e2e/e2e.h"
#include "tests/pg_cluster.h"

namespace prodgate::testing {
namespace {

const std::string kSpec = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/surrogate.toml";

class PostgresCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = *cluster;
  }
  std::string Name() { return fmt::format("e2epg_{}", ++n_); }
  std::string Uri(const std::string& db) const { return cluster_->Uri(db); }
  void Sql(const std::string& db, const std::string& sql) {
    Status s = cluster_->Exec(db, sql);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  RunResult Surrogate(const std::string& db, int seed) {
    return Prodgate(
        {"surrogate", "--spec", kSpec, "--seed", std::to_string(seed), "--out", Uri(db)},
        dir_.path());
  }
  std::string Root(const std::string& db, const std::string& connections = "4") {
    RunResult r =
        Prodgate({"db", "hash", Uri(db), "--json", "--connections", connections}, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = JsonOut(r);
    if (!j.is_object() || !j.contains("root")) return "no root: " + r.out + r.err;
    return j["root"];
  }

  static inline int n_ = 0;
  PgCluster* cluster_ = nullptr;
  ScratchDir dir_;
};

TEST_F(PostgresCli, SurrogateSameSeedSameHash) {
  std::string a = Name(), b = Name(), c = Name();
  RunResult ra = Surrogate(a, 7);
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  EXPECT_NE(ra.out.find("494  birth_registry"), std::string::npos) << ra.out;
  ASSERT_EQ(Surrogate(b, 7).exit_code, 0);
  ASSERT_EQ(Surrogate(c, 8).exit_code, 0);
  EXPECT_EQ(Root(a), Root(b));
  EXPECT_EQ(Root(a, "1"), Root(a, "4")) << "parallelism changes nothing";
  EXPECT_NE(Root(a), Root(c)) << "the control: another seed";
  // An existing database is not overwritten.
  RunResult again = Surrogate(a, 7);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
}

TEST_F(PostgresCli, HashTextAndDiffOfTwoDatabases) {
  std::string a = Name(), b = Name();
  ASSERT_EQ(Surrogate(a, 7).exit_code, 0);
  ASSERT_EQ(Surrogate(b, 7).exit_code, 0);
  RunResult text = Prodgate({"db", "hash", Uri(a)}, dir_.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("birth_registry"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("sequences"), std::string::npos) << text.out;
  RunResult same = Prodgate({"db", "diff", Uri(a), Uri(b)}, dir_.path());
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  Sql(b, "UPDATE birth_registry SET status = 'void' WHERE id = 3");
  RunResult diff = Prodgate({"db", "diff", Uri(a), Uri(b)}, dir_.path());
  EXPECT_EQ(diff.exit_code, 1) << diff.err;
  EXPECT_NE(diff.out.find("birth_registry"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("id=3"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("status"), std::string::npos) << diff.out;
}

TEST_F(PostgresCli, CloneCheckPassesOnASurrogateAndFailsOnProductionOrAForeignServer) {
  std::string clone = Name();
  ASSERT_EQ(Surrogate(clone, 7).exit_code, 0);
  RunResult ok = Prodgate(
      {"clone", "check", Uri(clone), "--production", "prod=postgresql://db.internal:5432/directus"},
      dir_.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  RunResult prod = Prodgate({"clone", "check", Uri(clone), "--production",
                             "postgresql:" + cluster_->KeywordString(clone)},
                            dir_.path());
  EXPECT_EQ(prod.exit_code, 1) << prod.out << prod.err;
  EXPECT_NE(prod.out.find("production-identity"), std::string::npos) << prod.out;
  Sql(clone,
      "CREATE EXTENSION postgres_fdw; CREATE SERVER prod_srv FOREIGN DATA WRAPPER "
      "postgres_fdw OPTIONS (host 'db.internal', dbname 'directus')");
  RunResult fdw = Prodgate(
      {"clone", "check", Uri(clone), "--production", "prod=postgresql://db.internal:5432/directus"},
      dir_.path());
  EXPECT_EQ(fdw.exit_code, 1) << fdw.out << fdw.err;
  EXPECT_NE(fdw.out.find("foreign-server"), std::string::npos) << fdw.out;
  EXPECT_NE(fdw.out.find("DROP SERVER"), std::string::npos) << fdw.out;
}

// The FIX7 rehearsal on PostgreSQL: the same steps, report and ledger event as on SQLite.
TEST_F(PostgresCli, RehearsalOfFix7PassesAndTheBrokenRollbackFails) {
  std::string clone = Name();
  ASSERT_EQ(Surrogate(clone, 7).exit_code, 0);
  ASSERT_EQ(Prodgate({"init", "."}, dir_.path()).exit_code, 0);
  std::string before = Root(clone);
  const std::string ex = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/";
  RunResult r =
      Prodgate({"rehearse", "--target", Uri(clone), "--apply", ex + "apply.sql", "--rollback",
                ex + "rollback.sql", "--schema", ex + "schema.toml", "--reapply",
                "--broken-rollback", ex + "rollback_broken.sql", "--production",
                "prod=postgresql://db.internal:5432/directus", "--out", dir_ / "good", "--json"},
               dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "PASS");
  EXPECT_EQ(j["before"], before);
  EXPECT_EQ(j["after_rollback"], before);
  EXPECT_EQ(j["target_state"], "restored");
  EXPECT_EQ(Root(clone), before);
  RunResult bad =
      Prodgate({"rehearse", "--target", Uri(clone), "--apply", ex + "apply.sql", "--rollback",
                ex + "rollback_broken.sql", "--production",
                "prod=postgresql://db.internal:5432/directus", "--out", dir_ / "bad", "--json"},
               dir_.path());
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  auto b = JsonOut(bad);
  EXPECT_EQ(b["verdict"], "FAIL");
  bool rollback_failed = false;
  for (const auto& s : b["steps"]) {
    if (s["name"] == "after_rollback") rollback_failed = s["verdict"] == "FAIL";
  }
  EXPECT_TRUE(rollback_failed) << b.dump(1);
  EXPECT_EQ(b["target_state"], "restored");
  EXPECT_EQ(Root(clone), before);
  // Both rehearsals dropped their snapshot databases.
  PGconn* c = PQconnectdb(Uri("postgres").c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* left =
      PQexec(c, "SELECT count(*) FROM pg_database WHERE datname LIKE 'prodgate\\_snap\\_%'");
  EXPECT_STREQ(PQgetvalue(left, 0, 0), "0");
  PQclear(left);
  PQfinish(c);
}

// A rollback that forgets a schema change no row shows (a domain's CHECK, a table made
// UNLOGGED) FAILs its rehearsal: the schema digest is part of the root. The control: the
// rollback that undoes both PASSes.
TEST_F(PostgresCli, ARollbackThatForgetsADomainOrPersistenceChangeFails) {
  std::string clone = Name();
  ASSERT_EQ(Surrogate(clone, 7).exit_code, 0);
  Sql(clone, "CREATE DOMAIN posint AS int; CREATE TABLE scratch (id int PRIMARY KEY)");
  ASSERT_EQ(Prodgate({"init", "."}, dir_.path()).exit_code, 0);
  const std::string apply = dir_ / "apply.sql", good = dir_ / "good.sql", bad = dir_ / "bad.sql";
  WriteFile(apply,
            "ALTER DOMAIN posint ADD CONSTRAINT pos CHECK (VALUE > 0);\n"
            "ALTER TABLE scratch SET UNLOGGED;\n");
  WriteFile(good, "ALTER DOMAIN posint DROP CONSTRAINT pos;\nALTER TABLE scratch SET LOGGED;\n");
  WriteFile(bad, "ALTER TABLE scratch SET LOGGED;\n");
  auto rehearse = [&](const std::string& rollback, const std::string& out) {
    return JsonOut(
        Prodgate({"rehearse", "--target", Uri(clone), "--apply", apply, "--rollback", rollback,
                  "--production", "prod=postgresql://db.internal:5432/directus", "--out",
                  dir_ / out, "--json"},
                 dir_.path()));
  };
  nlohmann::json forgot = rehearse(bad, "bad");
  EXPECT_EQ(forgot["verdict"], "FAIL") << forgot.dump(1);
  EXPECT_NE(forgot["after_rollback"], forgot["before"]);
  nlohmann::json undone = rehearse(good, "good");
  EXPECT_EQ(undone["verdict"], "PASS") << undone.dump(1);
  EXPECT_EQ(undone["after_rollback"], undone["before"]);
  WriteFile(bad, "ALTER DOMAIN posint DROP CONSTRAINT pos;\n");
  nlohmann::json persisted = rehearse(bad, "bad2");
  EXPECT_EQ(persisted["verdict"], "FAIL") << "forgetting SET LOGGED must fail too";
}

// The team ledger: a workspace whose ledger is a PostgreSQL database, through the binary.
TEST_F(PostgresCli, AWorkspaceOnASharedPostgresLedger) {
  std::string db = Name();
  Sql("postgres", "CREATE DATABASE " + db);
  std::string uri = Uri(db);
  auto pg = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--ledger", uri});
    return Prodgate(args, dir_.path());
  };
  RunResult init = pg({"init", "."});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".prodgate/ledger.db"));
  ASSERT_EQ(Prodgate({"key", "new", "--name", "alice", "--role", "owner", "--out", "alice.pem"},
                     dir_.path())
                .exit_code,
            0);
  RunResult trust = pg({"trust", "add", "alice.pub.json"});
  ASSERT_EQ(trust.exit_code, 0) << trust.err;
  RunResult verify = pg({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunResult log = pg({"ledger", "log", "--json"});
  EXPECT_EQ(std::count(log.out.begin(), log.out.end(), '\n'), 2) << log.out;  // init, trust
  // A second workspace cannot take over a ledger that holds events.
  ScratchDir other;
  RunResult again = Prodgate({"--ledger", uri, "init", "."}, other.path());
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  EXPECT_NE(again.err.find("belongs to another workspace"), std::string::npos) << again.err;
  // Without --ledger the workspace has no ledger of its own: refused, not created.
  RunResult local = Prodgate({"ledger", "verify"}, dir_.path());
  EXPECT_EQ(local.exit_code, 2) << local.out << local.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".prodgate/ledger.db"));
}

TEST_F(PostgresCli, AnUnreachableServerIsExit2) {
  RunResult r = Prodgate({"db", "hash", "postgresql://127.0.0.1:1/app"}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prodgate::testing
