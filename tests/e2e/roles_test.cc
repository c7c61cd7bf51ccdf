// Who may attest and who may execute (DESIGN.md §3.10 point 4), the tool pin, and what
// `gate run`'s exit status says, through the binary. Each rule is tried by the role that must
// not pass it, with the role that may as the control.
#include <filesystem>

#include "core/tool.h"
#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

std::string Example(const std::string& f) {
  return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/" + f;
}

class Roles : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    RunResult s = Pg({"surrogate", "--spec", Example("surrogate.toml"), "--seed", "7", "--scale",
                      "1", "--out", "sqlite:" + (dir_ / "clone.db")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
  }
  // A passing rehearsal signed by `who`; its change.
  std::string Rehearse(const std::string& who, const std::string& out) {
    RunResult r =
        Pg({"rehearse", "--target", "sqlite:" + (dir_ / "clone.db"), "--apply",
            Example("apply.sql"), "--rollback", Example("rollback.sql"), "--out", dir_ / out,
            "--production", "prod=sqlite:/srv/directus/data.db", "--key", Key(who), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return JsonOut(r).value("change", "");
  }
  Json Production(const std::string& change, const std::string& executor) {
    std::vector<std::string> args = {"--action",   "cutover",  "--scope",
                                     "production", "--change", change};
    if (!executor.empty()) args.insert(args.end(), {"--executor", executor});
    return Gate(args, 1);  // production holds here anyway: no anchor
  }
};

TEST_F(Roles, TheAgentsOwnRehearsalDoesNotCountForProduction) {
  std::string change = Rehearse("agent", "by-agent");
  Json g = Production(change, Id("carol"));
  EXPECT_TRUE(Has(Codes(g), "rehearsal_not_attested")) << g.dump();
  // The control: the operator's signature on the same proof attests it.
  ASSERT_EQ(Rehearse("carol", "by-carol"), change);
  Json after = Production(change, Id("carol"));
  EXPECT_FALSE(Has(Codes(after), "rehearsal_not_attested")) << after.dump();
  EXPECT_FALSE(Has(Codes(after), "rehearsal_unsigned")) << after.dump();
}

TEST_F(Roles, ProductionNeedsAnExecutorOfARoleThatMayExecute) {
  std::string change = Rehearse("carol", "r");
  EXPECT_TRUE(Has(Codes(Production(change, "")), "executor_unknown"));
  for (const char* who : {"agent", "alice"}) {
    Json g = Production(change, Id(who));
    EXPECT_TRUE(Has(Codes(g), "executor_role")) << who << ": " << g.dump();
  }
  Json carol = Production(change, Id("carol"));
  EXPECT_FALSE(Has(Codes(carol), "executor_role")) << carol.dump();
  EXPECT_FALSE(Has(Codes(carol), "executor_unknown")) << carol.dump();
  // gate run checks the same; a refused executor's attempt is recorded (signed by its key,
  // which the chain trusts) and nothing else is: no intent, no use.
  std::string marker = dir_ / "ran";
  for (const char* who : {"agent", "alice"}) {
    Json e = ExpectRefusalRecorded({"gate", "run", "--action", "cutover", "--scope", "production",
                                    "--change", change, "--key", Key(who), "--", "touch", marker},
                                   124, "executor_role", "refused.gate_run");
    EXPECT_EQ(e["actor"], Id(who));
    EXPECT_TRUE(Has(e["body"]["codes"].get<std::vector<std::string>>(), "executor_role"))
        << e.dump();
    EXPECT_FALSE(e["body"].contains("argv")) << "the command may hold credentials";
  }
  // The same refusal twice in a row is recorded once.
  std::string again = Head();
  EXPECT_EQ(Pg({"gate", "run", "--action", "cutover", "--scope", "production", "--change", change,
                "--key", Key("alice"), "--", "touch", marker})
                .exit_code,
            124);
  EXPECT_EQ(Head(), again);
  ASSERT_EQ(Pg({"key", "new", "--name", "stranger", "--role", "operator", "--out", Key("stranger")})
                .exit_code,
            0);
  // An untrusted key's attempt is recorded unsigned, naming the key.
  Json e = ExpectRefusalRecorded({"gate", "run", "--action", "apply", "--scope", "clone", "--key",
                                  Key("stranger"), "--", "touch", marker},
                                 124, "executor_untrusted", "refused.gate_run");
  EXPECT_TRUE(e["actor"].get<std::string>().starts_with("local:")) << e.dump();
  EXPECT_FALSE(e.contains("sig") && !e["sig"].get<std::string>().empty()) << e.dump();
  EXPECT_FALSE(e["body"].value("key", "").empty()) << e.dump();
  EXPECT_FALSE(fs::exists(marker));
}

TEST_F(Roles, TheConfigCannotLetTheAgentAttestOrTheOwnerExecuteProduction) {
  std::string path = ws_ + "/.prodgate/config.toml";
  const std::string original = ReadFileOrDie(path);
  const std::string head = Head();
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"attest = [\"operator\", \"owner\", \"ci\"]", "attest = [\"agent\"]"},
           {"production = [\"operator\", \"ci\"]", "production = [\"owner\"]"},
           {"execute = { production = [\"operator\", \"ci\"] }", "execute = {}"}}) {
    std::string text = original;
    ASSERT_NE(text.find(from), std::string::npos) << from;
    WriteFile(path, text.replace(text.find(from), from.size(), to));
    RunResult r = Pg({"config", "accept", "--key", Key("alice")});
    EXPECT_EQ(r.exit_code, 2) << to;
    EXPECT_NE(r.err.find("[authority]"), std::string::npos) << r.err;
  }
  WriteFile(path, original);
  EXPECT_EQ(Head(), head) << "a refused config was accepted";
}

TEST_F(Roles, APinnedToolHoldsEveryOtherBinary) {
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  std::string pinned = text;
  pinned.insert(pinned.find("execute = {"), "tool_sha256 = \"" + std::string(64, 'a') + "\"\n");
  WriteFile(path, pinned);
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  Issue({"--action", "apply", "--scope", "clone"});
  Json g = Gate({"--action", "apply", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(g), "tool_not_pinned")) << g.dump();
  // The control: pinned to this very binary.
  RunResult digest = RunCommand({"sha256sum", PRODGATE_BIN});
  std::string mine = digest.out.substr(0, 64);
  std::string right = text;
  right.insert(right.find("execute = {"), "tool_sha256 = \"" + mine + "\"\n");
  WriteFile(path, right);
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  Gate({"--action", "apply", "--scope", "clone"}, 0);
}

TEST_F(Roles, GateRunsExitStatusTellsTheGateFromTheCommand) {
  auto run = [&](std::vector<std::string> cmd, const std::string& report = "") {
    std::vector<std::string> args = {"gate", "run", "--action", "apply", "--scope", "clone"};
    if (!report.empty()) args.insert(args.end(), {"--report", report});
    args.push_back("--");
    args.insert(args.end(), cmd.begin(), cmd.end());
    return Pg(args);
  };
  Issue({"--action", "apply", "--scope", "clone", "--uses", "4"});
  EXPECT_EQ(run({"sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(run({"sh", "-c", "exit 1"}).exit_code, 1);
  // A status of the command's own inside the range prodgate reserves is said as 123.
  EXPECT_EQ(run({"sh", "-c", "exit 124"}).exit_code, 123);
  // A command that cannot start: 127, said, and recorded as not started (the use is gone).
  RunResult missing = run({dir_ / "no-such-command"}, dir_ / "report.json");
  EXPECT_EQ(missing.exit_code, 127) << missing.err;
  EXPECT_NE(missing.err.find("could not be started"), std::string::npos) << missing.err;
  Json report = Json::parse(ReadFileOrDie(dir_ / "report.json"));
  EXPECT_EQ(report["outcome"], "not_started") << report.dump();
  RunResult log = Pg({"ledger", "log", "--json", "--kind", "action.finish"});
  EXPECT_NE(log.out.find("\"spawn_failed\""), std::string::npos) << log.out;
  // Used up now: HOLD is 124, never a number a command gives back through prodgate.
  EXPECT_EQ(run({"true"}).exit_code, 124);
  EXPECT_EQ(Pg({"gate", "run", "--action", "apply"}).exit_code, 125);  // bad input
}

// A key is rotated: the old key endorses the new one, an owner signs; the new key takes the
// old one's role whatever its .pub.json says, and the old key stops counting.
TEST_F(Roles, AKeyRotatesInItsRoleWithTheOldKeysEndorsement) {
  ASSERT_EQ(
      Pg({"key", "new", "--name", "carol2", "--role", "owner", "--out", Key("carol2")}).exit_code,
      0);
  std::string pub = dir_ / "carol2.pub.json";
  // The agent may not rotate anyone's key; nor may an owner without the old key.
  ExpectRefusalRecorded({"trust", "rotate", Id("carol"), "--new", pub, "--old-key", Key("carol"),
                         "--key", Key("agent")},
                        2, "not a trusted owner", "refused.trust_change");
  ExpectRefused({"key", "rotate", Id("carol"), "--new", pub, "--old-key", Key("agent"), "--key",
                 Key("alice")},
                2, "--old-key holds");
  RunResult r = Pg({"key", "rotate", Id("carol"), "--new", pub, "--old-key", Key("carol"), "--key",
                    Key("alice")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("in force"), std::string::npos) << r.out;
  Json keys = JsonOut(Pg({"trust", "list", "--json"}));
  std::string carol2_id = Json::parse(ReadFileOrDie(pub))["id"];
  bool found_new = false, found_old = false;
  for (const auto& k : keys["keys"]) {
    if (k["id"] == carol2_id) {
      found_new = true;
      EXPECT_EQ(k["role"], "operator") << "a rotation never changes a role: " << k.dump();
    }
    found_old |= k["id"] == Id("carol");
  }
  EXPECT_TRUE(found_new) << keys.dump();
  EXPECT_FALSE(found_old) << keys.dump();
  // The old key no longer attests; the new one does.
  std::string change = Rehearse("carol2", "by-carol2");
  EXPECT_FALSE(Has(Codes(Production(change, carol2_id)), "executor_untrusted"));
  EXPECT_TRUE(Has(Codes(Production(change, Id("carol"))), "executor_unknown") ||
              Has(Codes(Production(change, Id("carol"))), "executor_untrusted"));
  // A rotation appended by hand without the old key's endorsement breaks the chain.
  ASSERT_EQ(
      Pg({"key", "new", "--name", "agent2", "--role", "agent", "--out", Key("agent2")}).exit_code,
      0);
  auto alice = authority::PrivateKey::Load(Key("alice"));
  ASSERT_TRUE(alice.ok());
  Json agent2 = Json::parse(ReadFileOrDie(dir_ / "agent2.pub.json"));
  agent2["role"] = "agent";
  AppendBehind("trust.update",
               {{"change",
                 {{"op", "rotate"},
                  {"old", Id("agent")},
                  {"key", agent2},
                  {"endorsement", *alice->Sign("not the old key's")}}}},
               &*alice, Id("alice"));
  EXPECT_NE(Pg({"ledger", "verify"}).exit_code, 0);
}

}  // namespace
}  // namespace prodgate::testing
