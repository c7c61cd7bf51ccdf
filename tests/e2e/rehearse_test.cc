// `prodgate rehearse` through the binary, on the FIX7 example: the passing proof and every
// way it must fail closed, what the report and the ledger say, and what the gate then does.
#include <filesystem>

#include "core/sha256.h"
#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

std::string Example(const std::string& f) {
  return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/" + f;
}

class RehearseTest : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    // The production identity the clone must not be: accepted by an owner.
    std::string config = ReadFileOrDie(dir_ / ".prodgate/config.toml");
    WriteFile(dir_ / ".prodgate/config.toml",
              config + "\n[[production]]\nname = \"directus-prod\"\ntarget = \"sqlite:" +
                  (dir_ / "prod.db") + "\"\n");
    ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
    RunResult r = Pg({"surrogate", "--spec", Example("surrogate.toml"), "--seed", "7", "--out",
                      "sqlite:" + (dir_ / "fix7.db")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult Rehearse(const std::string& rollback, const std::string& out,
                     std::vector<std::string> more = {}) {
    std::vector<std::string> args = {
        "rehearse",   "--target", "sqlite:fix7.db", "--apply",  Example("apply.sql"),
        "--rollback", rollback,   "--out",          dir_ / out, "--json"};
    args.insert(args.end(), more.begin(), more.end());
    return Pg(args);
  }
  static std::string StepVerdict(const Json& report, const std::string& name) {
    for (const auto& s : report["steps"]) {
      if (s["name"] == name) return s["verdict"];
    }
    return "";
  }
  std::string DbRoot(const std::string& db) {
    RunResult r = Pg({"db", "hash", "sqlite:" + db, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return JsonOut(r)["root"];
  }
};

TEST_F(RehearseTest, TheExactRollbackPassesEveryStepAndTheTargetIsRestored) {
  std::string before = DbRoot("fix7.db");
  RunResult r = Rehearse(Example("rollback.sql"), "out",
                         {"--schema", Example("schema.toml"), "--reapply", "--broken-rollback",
                          Example("rollback_broken.sql")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "PASS");
  for (const char* step :
       {"change", "isolation", "secrets", "schema", "snapshot", "before", "apply", "after_apply",
        "rollback", "after_rollback", "reapply", "negative_control", "snapshot_restore"}) {
    EXPECT_EQ(StepVerdict(j, step), "PASS") << step << ": " << j.dump(1);
  }
  EXPECT_EQ(j["before"], before);
  EXPECT_EQ(j["after_rollback"], before);
  EXPECT_NE(j["after_apply"], before);
  EXPECT_EQ(j["target_state"], "restored");
  EXPECT_EQ(DbRoot("fix7.db"), before);
  // All three negative controls ran and were caught.
  for (const auto& s : j["steps"]) {
    if (s["name"] != "negative_control") continue;
    ASSERT_EQ(s["facts"]["controls"].size(), 3u);
    for (const auto& c : s["facts"]["controls"]) EXPECT_EQ(c["observed"], "FAIL") << c.dump();
  }
  // The change is the seal root of exactly the two scripts, and that seal verifies.
  EXPECT_EQ(Pg({"verify", "--root", dir_ / "out/change"}).exit_code, 0);
  Json seal = Json::parse(ReadFileOrDie(dir_ / "out/change/prodgate.seal.json"));
  EXPECT_EQ(seal["root"], j["change"]);
  EXPECT_FALSE(fs::exists(dir_ / "out/.snapshot"));  // removed once the target is restored
  // The ledger holds the result, with the report's digest.
  std::string log = Pg({"ledger", "log", "--json"}).out;  // one event per line
  log.pop_back();
  Json last = Json::parse(log.substr(log.rfind('\n') + 1));
  EXPECT_EQ(last["kind"], "rehearsal.result");
  EXPECT_EQ(last["body"]["verdict"], "PASS");
  EXPECT_EQ(last["body"]["change"], j["change"]);
  EXPECT_EQ(last["body"]["report_sha256"],
            ToHex(Sha256Of(ReadFileOrDie(dir_ / "out/rehearsal.json"))));
}

TEST_F(RehearseTest, TheBrokenRollbackFailsWithTheRowThatDiffersAndTheTargetIsRestored) {
  std::string before = DbRoot("fix7.db");
  RunResult r = Rehearse(Example("rollback_broken.sql"), "out");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "FAIL");
  EXPECT_EQ(StepVerdict(j, "after_rollback"), "FAIL");
  EXPECT_EQ(j["rollback_diff"]["tables"]["birth_registry"]["inserted"], 1);
  EXPECT_EQ(j["rollback_diff"]["tables"]["birth_registry"]["samples"][0]["key"][0], "id=507");
  EXPECT_EQ(j["target_state"], "restored");
  EXPECT_EQ(DbRoot("fix7.db"), before);
}

TEST_F(RehearseTest, AnApplyThatChangesNothingProvesNothing) {
  WriteFile(dir_ / "noop.sql", "SELECT 1;\n");
  RunResult r = Pg({"rehearse", "--target", "sqlite:fix7.db", "--apply", dir_ / "noop.sql",
                    "--rollback", dir_ / "noop.sql", "--out", dir_ / "out", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  Json j = JsonOut(r);
  EXPECT_EQ(StepVerdict(j, "after_apply"), "FAIL");
  EXPECT_EQ(StepVerdict(j, "rollback"), "");  // nothing after the failed step ran
}

TEST_F(RehearseTest, ARollbackThatErrorsFailsAndTheTargetIsRestored) {
  std::string before = DbRoot("fix7.db");
  WriteFile(dir_ / "bad.sql", "DELETE FROM no_such_table;\n");
  RunResult r = Rehearse(dir_ / "bad.sql", "out");
  EXPECT_EQ(r.exit_code, 1);
  Json j = JsonOut(r);
  EXPECT_EQ(StepVerdict(j, "rollback"), "FAIL");
  EXPECT_NE(j.dump().find("no_such_table"), std::string::npos);
  EXPECT_EQ(j["target_state"], "restored");
  EXPECT_EQ(DbRoot("fix7.db"), before);
}

TEST_F(RehearseTest, ProductionIsNeverTouched) {
  fs::copy_file(dir_ / "fix7.db", dir_ / "prod.db");
  std::string before = DbRoot("prod.db");
  RunResult r = Pg({"rehearse", "--target", "sqlite:prod.db", "--apply", Example("apply.sql"),
                    "--rollback", Example("rollback.sql"), "--out", dir_ / "out", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  Json j = JsonOut(r);
  EXPECT_EQ(StepVerdict(j, "isolation"), "FAIL");
  EXPECT_EQ(StepVerdict(j, "snapshot"), "");
  EXPECT_EQ(j["target_state"], "untouched");
  EXPECT_EQ(DbRoot("prod.db"), before);
  // Through a symlink, the same.
  fs::create_symlink(dir_ / "prod.db", dir_ / "alias.db");
  RunResult s = Pg({"rehearse", "--target", "sqlite:alias.db", "--apply", Example("apply.sql"),
                    "--rollback", Example("rollback.sql"), "--out", dir_ / "out2"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_NE(s.out.find("FAIL     isolation"), std::string::npos) << s.out;
}

TEST_F(RehearseTest, AClonePlantedWithASecretFails) {
  RunResult planted = Shell(
      "sqlite3 fix7.db \"UPDATE directus_users SET token = 'AKIAQ3EGVP7XKZ5MNB2R' WHERE id = "
      "(SELECT min(id) FROM directus_users)\"",
      dir_.path());
  ASSERT_EQ(planted.exit_code, 0) << planted.err;
  RunResult r = Rehearse(Example("rollback.sql"), "out");
  EXPECT_EQ(r.exit_code, 1);
  Json j = JsonOut(r);
  EXPECT_EQ(StepVerdict(j, "secrets"), "FAIL") << j.dump(1);
  EXPECT_EQ(j["target_state"], "untouched");
  EXPECT_EQ(r.out.find("AKIAQ3EGVP7XKZ5MNB2R"), std::string::npos);  // the secret never printed
  EXPECT_EQ(ReadFileOrDie(dir_ / "out/rehearsal.json").find("AKIAQ3EGVP7XKZ5MNB2R"),
            std::string::npos);
}

TEST_F(RehearseTest, BadInputChangesNothing) {
  std::string head = Head();
  ExpectRefused({"rehearse", "--target", "sqlite:fix7.db", "--apply", dir_ / "missing.sql",
                 "--rollback", Example("rollback.sql"), "--out", dir_ / "o1"},
                2, "missing.sql");
  ExpectRefused({"rehearse", "--target", "oracle:x", "--apply", Example("apply.sql"), "--rollback",
                 Example("rollback.sql"), "--out", dir_ / "o2"},
                2, "unknown engine");
  WriteFile(dir_ / "full/x", "x");
  ExpectRefused({"rehearse", "--target", "sqlite:fix7.db", "--apply", Example("apply.sql"),
                 "--rollback", Example("rollback.sql"), "--out", dir_ / "full"},
                2, "not empty");
  EXPECT_EQ(Head(), head);
}

TEST_F(RehearseTest, TheGateNeedsThePassingRehearsalOfThatChange) {
  RunResult failed = Rehearse(Example("rollback_broken.sql"), "bad");
  ASSERT_EQ(failed.exit_code, 1);
  std::string bad_change = JsonOut(failed)["change"];
  Json held = Gate({"--action", "apply", "--scope", "production", "--change", bad_change}, 1);
  EXPECT_TRUE(Has(Codes(held), "rehearsal_failed")) << held.dump();
  RunResult ok = Rehearse(Example("rollback.sql"), "good");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::string change = JsonOut(ok)["change"];
  // An unsigned rehearsal is a claim, not a proof: production holds until one is signed by a
  // trusted key.
  Json unsigned_held = Gate({"--action", "apply", "--scope", "production", "--change", change}, 1);
  EXPECT_TRUE(Has(Codes(unsigned_held), "rehearsal_unsigned")) << unsigned_held.dump();
  ASSERT_EQ(
      Pg({"key", "new", "--name", "stranger", "--role", "operator", "--out", dir_ / "stranger.pem"})
          .exit_code,
      0);
  // A key the workspace does not trust is refused before anything runs or is recorded: its
  // signature would prove nothing, and its event would break the chain.
  std::string before = Head();
  RunResult untrusted =
      Rehearse(Example("rollback.sql"), "untrusted", {"--key", dir_ / "stranger.pem"});
  EXPECT_EQ(untrusted.exit_code, 2);
  EXPECT_NE(untrusted.err.find("not trusted"), std::string::npos) << untrusted.err;
  EXPECT_EQ(Head(), before);
  EXPECT_FALSE(fs::exists(dir_ / "untrusted"));
  RunResult signed_run = Rehearse(Example("rollback.sql"), "signed", {"--key", Key("carol")});
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.err;
  Json after = Gate({"--action", "apply", "--scope", "production", "--change", change}, 1);
  EXPECT_FALSE(Has(Codes(after), "rehearsal_unsigned")) << after.dump();
  EXPECT_FALSE(Has(Codes(after), "rehearsal_failed")) << after.dump();
  EXPECT_FALSE(Has(Codes(after), "no_rehearsal")) << after.dump();
  // The failed change still holds: a passing rehearsal of another change does not count.
  held = Gate({"--action", "apply", "--scope", "production", "--change", bad_change}, 1);
  EXPECT_TRUE(Has(Codes(held), "rehearsal_failed"));
}

// Inside a workspace, `clone check` compares with its [[production]] list, whatever
// --production adds: production itself is refused without any flag.
TEST_F(RehearseTest, CloneCheckInAWorkspaceAlwaysUsesItsProductionList) {
  fs::copy_file(dir_ / "fix7.db", dir_ / "prod.db");
  auto isolation = [](const RunResult& r) {
    std::vector<std::string> rules;
    Json report = JsonOut(r);
    for (const auto& c : report["checks"]) {
      if (c["name"] != "isolation") continue;
      for (const auto& f : c["findings"]) rules.push_back(f["rule"]);
    }
    return rules;
  };
  RunResult prod = Pg({"clone", "check", "sqlite:prod.db", "--json"});
  EXPECT_EQ(prod.exit_code, 1) << prod.out << prod.err;
  EXPECT_EQ(isolation(prod), std::vector<std::string>{"production-identity"}) << prod.out;
  RunResult other = Pg({"clone", "check", "sqlite:prod.db", "--production",
                        "elsewhere=sqlite:" + (dir_ / "elsewhere.db"), "--json"});
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;
  EXPECT_EQ(isolation(other), std::vector<std::string>{"production-identity"}) << other.out;
  // Control: the clone itself passes, with no --production given.
  RunResult clone = Pg({"clone", "check", "sqlite:fix7.db", "--json"});
  EXPECT_EQ(clone.exit_code, 0) << clone.out << clone.err;
  // A relative production path in the config names the workspace's file, from wherever
  // the command runs (here a subdirectory, where "prod.db" alone would name nothing).
  std::string config = ReadFileOrDie(dir_ / ".prodgate/config.toml");
  size_t at = config.find("target = \"sqlite:" + (dir_ / "prod.db") + "\"");
  ASSERT_NE(at, std::string::npos) << config;
  config.replace(at, std::string("target = \"sqlite:" + (dir_ / "prod.db") + "\"").size(),
                 "target = \"sqlite:prod.db\"");
  WriteFile(dir_ / ".prodgate/config.toml", config);
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  fs::create_directories(dir_ / "sub");
  RunResult relative = Prodgate({"clone", "check", "sqlite:../prod.db", "--json"}, dir_ / "sub");
  EXPECT_EQ(relative.exit_code, 1) << relative.out << relative.err;
  EXPECT_EQ(isolation(relative), std::vector<std::string>{"production-identity"}) << relative.out;
  // A workspace whose config was edited after it was accepted, or deleted, is an error,
  // not a check without its production list.
  WriteFile(dir_ / ".prodgate/config.toml", "# edited\n");
  RunResult broken = Pg({"clone", "check", "sqlite:prod.db", "--json"});
  EXPECT_EQ(broken.exit_code, 2) << broken.out << broken.err;
  fs::remove(dir_ / ".prodgate/config.toml");
  RunResult gone = Prodgate({"clone", "check", "sqlite:../prod.db", "--json"}, dir_ / "sub");
  EXPECT_EQ(gone.exit_code, 2) << gone.out << gone.err;
}

TEST_F(RehearseTest, DbSnapshotAndRestoreBringTheTargetBack) {
  std::string before = DbRoot("fix7.db");
  ASSERT_EQ(Pg({"db", "snapshot", "sqlite:fix7.db", dir_ / "snap.db"}).exit_code, 0);
  ExpectRefused({"db", "snapshot", "sqlite:fix7.db", dir_ / "snap.db"}, 2, "exists");
  ASSERT_EQ(Shell("sqlite3 -bail fix7.db < '" + Example("apply.sql") + "'", dir_.path()).exit_code,
            0);
  EXPECT_NE(DbRoot("fix7.db"), before);
  ExpectRefused({"db", "restore", "sqlite:fix7.db", dir_ / "nosuch.db"}, 2, "no such snapshot");
  ASSERT_EQ(Pg({"db", "restore", "sqlite:fix7.db", dir_ / "snap.db"}).exit_code, 0);
  EXPECT_EQ(DbRoot("fix7.db"), before);
}

TEST_F(RehearseTest, ALaneWhoseOptionDoesNotGrantRehearsalHoldsIt) {
  WriteFile(dir_ / "d.toml", R"(id = "D"
title = "deploy only"
[[options]]
id = "HOLD"
summary = "hold"
default = true
hold = true
[[options]]
id = "CI_ONLY"
summary = "CI deploys only"
grants = [{ action = "ci_deploy", scope = "production-ci", uses = 1 }]
[[options]]
id = "REHEARSE"
summary = "rehearse on a clone"
grants = [{ action = "rehearse", scope = "clone", uses = 1 }]
)");
  ASSERT_EQ(Pg({"decision", "new", "--file", dir_ / "d.toml"}).exit_code, 0);
  ASSERT_EQ(Pg({"decision", "select", "D", "--option", "CI_ONLY", "--key", Key("alice")}).exit_code,
            0);
  ASSERT_EQ(Pg({"lane", "open", "L", "--decision", "D", "--option", "CI_ONLY"}).exit_code, 0);
  std::string before = DbRoot("fix7.db");
  RunResult held =
      ExpectRefused({"rehearse", "--target", "sqlite:fix7.db", "--apply", Example("apply.sql"),
                     "--rollback", Example("rollback.sql"), "--out", dir_ / "out"},
                    1, "does not authorize rehearse");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  EXPECT_EQ(DbRoot("fix7.db"), before);
  // Control: after the lane, the rehearsal runs.
  ASSERT_EQ(Pg({"lane", "close", "--out", dir_ / "lane"}).exit_code, 0);
  EXPECT_EQ(Rehearse(Example("rollback.sql"), "out").exit_code, 0);
}

}  // namespace
}  // namespace prodgate::testing
