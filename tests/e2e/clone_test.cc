// `prodgate clone check`, `clone scan`, `clone rules` and `surrogate` through the binary:
// every check has its negative control (the bad case fails) and its positive control (the
// good case passes), and no output mode ever prints a planted secret.
#include <unistd.h>

#include <filesystem>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

std::string Spec() { return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/surrogate.toml"; }
std::string SchemaSpec() { return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/schema.toml"; }

// Synthetic secrets of real shapes (random characters; never real credentials).
const std::vector<std::string>& Secrets() {
  static const std::vector<std::string> s = {
      "ghp_R7mK2pQ9xW4vN8tL3sY6uJ1hB5cF0dGzA2eX",
      "AKIAQ3EGVP7XKZ5MNB2R",
      "sk_live_4eC39HqLyjWDarjtT1zdp7dcQ8xZ",
      "xoxb-2048517365021-2049617285011-Zq8Xv2Lm4Np6Rt0Yw3Ks5Hd7",
      "S3cr3t-Pa55w0rd-9Qz",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Xk29fPq8LmZ3vRt7WnB4yHc6JdG1sAe5kQ",
      "Ym9xLWRpcmVjdHVzLXN0YXRpYy10b2tlbi0xMjM0",  // an opaque static token
  };
  return s;
}

class CloneCli : public ::testing::Test {
 protected:
  void Sqlite(const std::string& db, const std::string& sql) {
    RunResult r = RunCommand({"sqlite3", "-bail", db, sql});
    ASSERT_EQ(r.exit_code, 0) << r.err << "\nSQL: " << sql;
  }
  // A FIX7 surrogate: a clone with its marker.
  std::string Surrogate(const std::string& name, const std::string& seed = "7") {
    std::string p = dir_ / name;
    RunResult r = Prodgate({"surrogate", "--spec", Spec(), "--seed", seed, "--out", "sqlite:" + p},
                           dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return p;
  }
  std::string Prod() {
    std::string p = dir_ / "prod/data.db";
    if (!fs::exists(p)) {
      fs::create_directories(dir_ / "prod");
      Sqlite(p, "CREATE TABLE t(a);");
    }
    return p;
  }
  RunResult Check(const std::string& target, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"clone", "check", target, "--production",
                                     "prod=sqlite:" + Prod()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Prodgate(args, dir_.path());
  }
  // The rules of the findings of one check in a --json report.
  std::vector<std::string> Findings(const RunResult& r, const std::string& check) {
    std::vector<std::string> rules;
    auto j = JsonOut(r);
    for (const auto& c : j["checks"]) {
      if (c["name"] != check) continue;
      for (const auto& f : c["findings"]) rules.push_back(f["rule"]);
    }
    return rules;
  }
  ScratchDir dir_;
};

TEST_F(CloneCli, ASurrogateClonePassesEveryCheck) {
  std::string clone = Surrogate("clone.db");
  RunResult r = Check("sqlite:" + clone, {"--schema", SchemaSpec()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  clone check"), std::string::npos) << r.out;
  RunResult j = Check("sqlite:" + clone, {"--schema", SchemaSpec(), "--json", "--raw"});
  EXPECT_EQ(j.exit_code, 0) << j.out << j.err;
  auto doc = JsonOut(j);
  EXPECT_EQ(doc["format"], "prodgate.clone-check/1");
  EXPECT_EQ(doc["verdict"], "PASS");
  ASSERT_EQ(doc["checks"].size(), 3u);
  for (const auto& c : doc["checks"]) EXPECT_EQ(c["state"], "PASS") << c.dump();
  EXPECT_EQ(doc["checks"][0]["facts"]["marker"]["made_by"], "surrogate");
  EXPECT_GE(doc["checks"][1]["facts"]["rules"].get<int>(), 21);
}

TEST_F(CloneCli, ACloneWithoutMarkerFails) {
  std::string p = dir_ / "plain.db";
  Sqlite(p, "CREATE TABLE t(a); INSERT INTO t VALUES ('harmless');");
  RunResult r = Check("sqlite:" + p, {"--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Findings(r, "isolation"), std::vector<std::string>{"marker-missing"});
  RunResult text = Check("sqlite:" + p);
  EXPECT_NE(text.out.find("fix: make clones with `prodgate surrogate`"), std::string::npos)
      << text.out;
}

TEST_F(CloneCli, ProductionUnderAnotherNameFails) {
  // Give production a marker, so that only its identity gives it away.
  std::string prod = Prod();
  Sqlite(
      prod,
      "CREATE TABLE prodgate_clone(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT "
      "ROWID;"
      "INSERT INTO prodgate_clone VALUES ('format','prodgate.clone/1'),('made_by','masking-copy'),"
      "('tool_version','0.1.0'),('spec_sha256','" +
          std::string(64, 'a') + "');");
  fs::create_symlink(prod, dir_ / "innocent.db");
  fs::create_directories(dir_ / "a");
  for (const std::string& target : std::vector<std::string>{
           "sqlite:" + prod, "sqlite:innocent.db", "sqlite:./a/../prod/data.db",
           "sqlite:" + dir_.path() + "/prod/./data.db"}) {
    RunResult r = Check(target, {"--json"});
    EXPECT_EQ(r.exit_code, 1) << target << "\n" << r.out << r.err;
    EXPECT_EQ(Findings(r, "isolation"), std::vector<std::string>{"production-identity"}) << target;
  }
  // Control: a real clone beside it is not production.
  RunResult ok = Check("sqlite:" + Surrogate("clone.db"), {"--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  // No production named at all: isolation is not shown, so it fails.
  RunResult none = Prodgate({"clone", "check", "sqlite:clone.db", "--json"}, dir_.path());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(Findings(none, "isolation"), std::vector<std::string>{"no-production-identities"});
}

TEST_F(CloneCli, PlantedSecretsFailAndAreNeverPrinted) {
  std::string clone = Surrogate("clone.db");
  const auto& s = Secrets();
  Sqlite(clone,
         "CREATE TABLE leaks(id INTEGER PRIMARY KEY, note TEXT, payload BLOB, conn TEXT, "
         "  api_token TEXT, cfg TEXT DEFAULT '" +
             s[1] +
             "');"
             "INSERT INTO leaks(id, note, payload, conn, api_token) VALUES"
             " (1, 'pat " +
             s[0] +
             " # gitleaks:allow', NULL, NULL, NULL),"
             " (2, NULL, CAST('stripe=" +
             s[2] + "' AS BLOB), 'postgres://svc:" + s[4] +
             "@db.internal/x', NULL),"
             " (3, 'slack " +
             s[3] + " pragma: allowlist secret', NULL, NULL, '" + s[6] +
             "'),"
             " (4, 'Authorization: Bearer " +
             s[5] +
             "', NULL, NULL, NULL);"
             "CREATE TABLE keyed(secret TEXT PRIMARY KEY NOT NULL, v) WITHOUT ROWID;"
             "INSERT INTO keyed VALUES ('" +
             s[0] +
             "', 1);"
             "UPDATE directus_users SET token = '" +
             s[6] +
             "' WHERE rowid = 1;"
             "PRAGMA secure_delete = OFF; CREATE TABLE gone(x); INSERT INTO gone VALUES ('" +
             s[2] +
             "');"
             "DELETE FROM gone;");
  std::vector<RunResult> runs = {Check("sqlite:" + clone),
                                 Check("sqlite:" + clone, {"--json"}),
                                 Check("sqlite:" + clone, {"--raw"}),
                                 Check("sqlite:" + clone, {"--raw", "--json"}),
                                 Check("sqlite:" + clone, {"--schema", SchemaSpec(), "--json"}),
                                 Prodgate({"clone", "scan", clone}, dir_.path()),
                                 Prodgate({"clone", "scan", clone, "--json"}, dir_.path())};
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].exit_code, 1) << i << "\n" << runs[i].out << runs[i].err;
    std::string all = runs[i].out + runs[i].err;
    for (const auto& secret : s) {
      // Neither the secret nor any 10-byte piece of it.
      for (size_t at = 0; at + 10 <= secret.size(); ++at) {
        ASSERT_EQ(all.find(secret.substr(at, 10)), std::string::npos)
            << "run " << i << " printed part of a secret: " << secret.substr(at, 10) << "\n"
            << all;
      }
    }
  }
  auto rules = Findings(runs[1], "secrets");
  std::sort(rules.begin(), rules.end());
  for (const char* want :
       {"github-pat", "aws-access-key-id", "stripe-live-key", "slack-token",
        "connection-string-password", "bearer-token", "credential-column", "jwt"}) {
    EXPECT_TRUE(std::count(rules.begin(), rules.end(), want)) << "no " << want << " finding";
  }
  // The deleted row is only visible to the raw scan.
  auto raw = JsonOut(runs[3]);
  bool in_file = false;
  for (const auto& c : raw["checks"]) {
    for (const auto& f : c["findings"]) in_file |= f["where"].contains("file");
  }
  EXPECT_TRUE(in_file);
  // Findings locate: rule, table, column, key.
  auto doc = JsonOut(runs[1]);
  bool located = false;
  for (const auto& f : doc["checks"][1]["findings"]) {
    if (f["rule"] == "github-pat" && f["where"]["table"] == "leaks") {
      located = f["where"]["column"] == "note" && f["where"]["key"] == "id=1";
    }
  }
  EXPECT_TRUE(located) << doc["checks"][1].dump();
}

TEST_F(CloneCli, SchemaMismatchesAreAllReported) {
  std::string p = dir_ / "shaped.db";
  Sqlite(p,
         "CREATE TABLE birth_registry(id TEXT PRIMARY KEY, object_id INTEGER, status TEXT NOT NULL,"
         "  date_created datetime);"
         "CREATE TABLE os_proposal_approvals(id INTEGER PRIMARY KEY);");
  RunResult r = Check("sqlite:" + p, {"--schema", SchemaSpec(), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto rules = Findings(r, "schema");
  auto count = [&](const char* rule) { return std::count(rules.begin(), rules.end(), rule); };
  EXPECT_EQ(count("missing-table"), 2);  // system_issues, directus_users
  EXPECT_GE(count("missing-column"), 10);
  EXPECT_EQ(count("wrong-type"), 1);      // birth_registry.id TEXT
  EXPECT_EQ(count("wrong-affinity"), 1);  // object_id INTEGER
  EXPECT_EQ(count("wrong-not-null"), 3);  // id, object_id, date_created
  EXPECT_EQ(count("wrong-primary-key"), 0);
  RunResult text = Check("sqlite:" + p, {"--schema", SchemaSpec()});
  EXPECT_NE(text.out.find("column birth_registry.id has type \"TEXT\", expected one of "
                          "\"INTEGER\", \"bigint\""),
            std::string::npos)
      << text.out;
  // Bad spec: exit 2, nothing checked.
  fs::path bad = dir_ / "bad.toml";
  WriteFile(bad, "[[table]]\nname = 1\n");
  RunResult b = Check("sqlite:" + p, {"--schema", bad});
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_EQ(b.out, "");
}

TEST_F(CloneCli, RulesAreListed) {
  RunResult r = Prodgate({"clone", "rules", "--json"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0);
  auto j = JsonOut(r);
  EXPECT_GE(j["rules"].size(), 20u);
  RunResult t = Prodgate({"clone", "rules"}, dir_.path());
  EXPECT_NE(t.out.find("github-pat"), std::string::npos);
}

TEST_F(CloneCli, SurrogateIsDeterministicAndNeverOverwrites) {
  std::string a = Surrogate("a.db", "42"), b = Surrogate("b.db", "42"), c = Surrogate("c.db", "43");
  auto root = [&](const std::string& p) {
    RunResult r = Prodgate({"db", "hash", "sqlite:" + p, "--json"}, dir_.path());
    return JsonOut(r)["root"].get<std::string>();
  };
  EXPECT_EQ(root(a), root(b));
  EXPECT_NE(root(a), root(c));
  std::string before = root(a);
  RunResult again =
      Prodgate({"surrogate", "--spec", Spec(), "--seed", "1", "--out", "sqlite:" + a}, dir_.path());
  EXPECT_EQ(again.exit_code, 2) << again.out << again.err;
  EXPECT_NE(again.err.find("exists"), std::string::npos);
  EXPECT_EQ(root(a), before);
  RunResult forced = Prodgate(
      {"surrogate", "--spec", Spec(), "--seed", "1", "--out", "sqlite:" + a, "--force", "--json"},
      dir_.path());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  auto j = JsonOut(forced);
  EXPECT_EQ(j["format"], "prodgate.surrogate/1");
  EXPECT_EQ(j["seed"], "1");
  EXPECT_EQ(j["tables"]["birth_registry"], 494);
  EXPECT_NE(root(a), before);
  // A bad spec is refused before anything is written.
  WriteFile(dir_ / "bad.toml",
            "[[table]]\nname = \"t\"\nrows = 1\n[[table.column]]\nname = \"x\"\n"
            "generate = \"email\"\ndomains = [\"gmail.com\"]\n");
  RunResult bad = Prodgate(
      {"surrogate", "--spec", "bad.toml", "--seed", "1", "--out", "sqlite:n.db"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not reserved"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir_ / "n.db"));
}

}  // namespace
}  // namespace prodgate::testing
