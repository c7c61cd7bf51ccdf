// Who may close a blocker (DESIGN.md §3.5), through the binary, on the FIX7 blockers of
// seeds 003 → 000 → 001: every refusal is tried by the role that must not pass it (and
// recorded), with the role that may as the control; the ledger is then re-verified, so a
// close the fold would refuse cannot hide in an accepted command.
#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

class Closing : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    // Seed 001 gives the blockers their categories, moving some from an owner's close to an
    // owner's grant or selection: an owner imports it (AnImportByAnyoneBut… shows why).
    for (const char* seed : {"003", "000", "001"}) {
      RunResult r = Pg({"blocker", "import", Seed(seed), "--key", Key("alice")});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    WriteFile(dir_ / "proof/handoff.md", "the operator placed the sanitized dump\n");
    ASSERT_EQ(Pg({"seal", dir_ / "proof"}).exit_code, 0);
    ASSERT_EQ(Pg({"evidence", "add", dir_ / "proof"}).exit_code, 0);
    root_ = Json::parse(ReadFileOrDie(dir_ / "proof/prodgate.seal.json"))["root"];
  }
  std::vector<std::string> Close(const std::string& id, const std::string& who) {
    return {"blocker", "close", id, "--evidence", root_, "--key", Key(who)};
  }
  std::string Status(const std::string& id) {
    return JsonOut(Pg({"blocker", "show", id, "--json"}))["status"];
  }
  void ExpectLedgerVerifies() {
    RunResult v = Pg({"ledger", "verify"});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  std::string root_;
};

constexpr const char* kDataHandoff = "FIX7-P0-OPERATOR-INPUT-1";       // operator (data handoff)
constexpr const char* kOwnerDecision = "FIX7-P0-PROD-OPT4-1";          // needs-owner-decision
constexpr const char* kRealRunGrant = "FIX7-P0-PLAN-REALRUN-1";        // needs-grant, REAL_RUN
constexpr const char* kCiAdoption = "FIX7-P0-PROD-CI-SCOPE-1";         // owner + operator
constexpr const char* kSeparateAuth = "FIX7-P0-PLAN-SEPARATE-AUTH-1";  // needs-grant

TEST_F(Closing, TheAgentCannotCloseAHumanOnlyBlockerAndItsAttemptIsRecorded) {
  Json e = ExpectRefusalRecorded(Close(kDataHandoff, "agent"), 2, "only operator may close it",
                                 "refused.blocker_close");
  EXPECT_EQ(e["actor"], Id("agent"));
  EXPECT_EQ(e["body"]["id"], kDataHandoff);
  EXPECT_EQ(Status(kDataHandoff), "OPEN");
  // An owner is not the operator this blocker waits for either.
  ExpectRefusalRecorded(Close(kDataHandoff, "alice"), 2, "only operator may close it",
                        "refused.blocker_close");
  // No key at all: refused before anything, nothing recorded (there is no one to name).
  ExpectRefused({"blocker", "close", kDataHandoff, "--evidence", root_}, 2, "--key");
  // The control: the operator closes it.
  RunResult ok = Pg(Close(kDataHandoff, "carol"));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(Status(kDataHandoff), "CLOSED");
  ExpectLedgerVerifies();
}

TEST_F(Closing, EitherNamedRoleClosesABlockerThatNamesTwo) {
  ExpectRefusalRecorded(Close(kCiAdoption, "agent"), 2, "only owner or operator may close it",
                        "refused.blocker_close");
  RunResult ok = Pg(Close(kCiAdoption, "bob"));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ExpectLedgerVerifies();
}

TEST_F(Closing, AnOwnerDecisionBlockerClosesOnlyByAnOwnersSelection) {
  for (const char* who : {"carol", "alice", "agent"}) {
    ExpectRefusalRecorded(Close(kOwnerDecision, who), 2, "an owner's selection",
                          "refused.blocker_close");
  }
  std::string spec = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/decision.toml";
  ASSERT_EQ(Pg({"decision", "new", "--file", spec}).exit_code, 0);
  const std::string id = "FIX7-P0-PROD-DECISION-2026-06-12";
  EXPECT_NE(Pg({"decision", "render", id})
                .out.find("Selecting it closes: " + std::string(kOwnerDecision)),
            std::string::npos);
  // The operator may not select; the refusal is recorded.
  ExpectRefusalRecorded({"decision", "select", id, "--option", "AUTHORIZE_PRODUCTION_EXECUTION",
                         "--key", Key("carol")},
                        2, "only an owner selects", "refused.decision_select");
  EXPECT_EQ(Status(kOwnerDecision), "OPEN");
  RunResult sel = Pg({"decision", "select", id, "--option", "AUTHORIZE_PRODUCTION_EXECUTION",
                      "--key", Key("alice")});
  ASSERT_EQ(sel.exit_code, 0) << sel.err;
  Json b = JsonOut(Pg({"blocker", "show", kOwnerDecision, "--json"}));
  EXPECT_EQ(b["status"], "CLOSED");
  EXPECT_EQ(b["evidence"][0], "decision:" + id + ":AUTHORIZE_PRODUCTION_EXECUTION");
  ExpectLedgerVerifies();
}

TEST_F(Closing, ADecisionOptionCannotCloseWhatIsNotAnOpenOwnerDecision) {
  WriteFile(dir_ / "d.toml", std::string(R"(id = "D1"
[[options]]
id = "HOLD"
default = true
hold = true
[[options]]
id = "GO"
summary = "go"
closes = [")") + kDataHandoff + R"("]
)");
  ASSERT_EQ(Pg({"decision", "new", "--file", dir_ / "d.toml"}).exit_code, 0);
  ExpectRefused({"decision", "select", "D1", "--option", "GO", "--key", Key("alice")}, 2,
                "only an open needs-owner-decision blocker closes by a selection");
  EXPECT_EQ(Status(kDataHandoff), "OPEN");
}

TEST_F(Closing, ANeedsGrantBlockerClosesWhenTheOwnersGrantEveryActionItHolds) {
  for (const char* who : {"alice", "carol", "agent"}) {
    ExpectRefusalRecorded(Close(kRealRunGrant, who), 2, "needs-grant", "refused.blocker_close");
  }
  // The agent cannot grant; its attempt is recorded.
  ExpectRefusalRecorded(
      {"grant", "issue", "--action", "real_run", "--scope", "production", "--key", Key("agent")}, 2,
      "only owners grant", "refused.grant_issue");
  EXPECT_EQ(Status(kRealRunGrant), "OPEN");
  Issue({"--action", "real_run", "--scope", "production"});
  Json b = JsonOut(Pg({"blocker", "show", kRealRunGrant, "--json"}));
  EXPECT_EQ(b["status"], "CLOSED");
  EXPECT_TRUE(b["evidence"][0].get<std::string>().starts_with("grant:")) << b.dump();
  // One grant of several: the blocker holding five actions stays open until all are granted.
  Issue({"--action", "cutover", "--scope", "production"});
  EXPECT_NE(Status(kSeparateAuth), "CLOSED");
  ExpectLedgerVerifies();
}

TEST_F(Closing, TheAgentProposesACloseThatTheRightRoleCompletes) {
  RunResult p = Pg({"blocker", "propose-close", kDataHandoff, "--evidence", root_, "--note",
                    "dump placed per the handoff spec", "--key", Key("agent")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  Json b = JsonOut(Pg({"blocker", "show", kDataHandoff, "--json"}));
  EXPECT_EQ(b["status"], "OPEN");
  ASSERT_EQ(b["extra"]["close_proposals"].size(), 1u) << b.dump();
  EXPECT_EQ(b["extra"]["close_proposals"][0]["by"], Id("agent"));
  EXPECT_NE(Pg({"blocker", "show", kDataHandoff}).out.find("proposed:     close by " + Id("agent")),
            std::string::npos);
  // A proposal is no close: the gate still holds on it.
  Json g = Gate({"--action", "rehearse", "--scope", "real-data"}, 1);
  EXPECT_TRUE(Has(Codes(g), "blocker_open")) << g.dump();
  ASSERT_EQ(Pg(Close(kDataHandoff, "carol")).exit_code, 0);
  ExpectLedgerVerifies();
}

TEST_F(Closing, AnImportByAnyoneButAnOwnerNeverMakesABlockerHoldLess) {
  // A map that drops the REAL_RUN label and turns the grant blocker into engineering work.
  WriteFile(dir_ / "weaker.json",
            std::string(R"({"blockers":[{"id":")") + kRealRunGrant +
                R"(","item":"x","blocks":["apply"],"category":"engineering"}]})");
  RunResult r = Pg({"blocker", "import", dir_ / "weaker.json", "--key", Key("agent")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kept: " + std::string(kRealRunGrant) + " still holds REAL_RUN"),
            std::string::npos)
      << r.out;
  Json b = JsonOut(Pg({"blocker", "show", kRealRunGrant, "--json"}));
  EXPECT_EQ(b["category"], "needs-grant");
  EXPECT_NE(std::find(b["blocks"].begin(), b["blocks"].end(), "REAL_RUN"), b["blocks"].end());
  // `blocker set` refuses a weakening outright: here, letting any key close it.
  ExpectRefusalRecorded({"blocker", "set", kRealRunGrant, "--category", "engineering", "--actor",
                         "agent", "--key", Key("agent")},
                        2, "only an owner may", "refused.blocker_change");
  // The control: an owner's import does what the map says.
  RunResult owner = Pg({"blocker", "import", dir_ / "weaker.json", "--key", Key("alice")});
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  EXPECT_EQ(owner.out.find("kept:"), std::string::npos) << owner.out;
  EXPECT_EQ(JsonOut(Pg({"blocker", "show", kRealRunGrant, "--json"}))["category"], "engineering");
  ExpectLedgerVerifies();
}

// Moving a blocker to a category that an owner's routine act closes (a grant, a selection) is
// a new way to close it, so only an owner may: otherwise the agent relabels the operator's
// data handoff needs-grant and the next grant for its action closes it unnoticed.
TEST_F(Closing, RelabellingABlockerSoAGrantOrASelectionClosesItIsAnOwnersChange) {
  for (const char* category : {"needs-grant", "needs-owner-decision"}) {
    ExpectRefusalRecorded(
        {"blocker", "set", kDataHandoff, "--category", category, "--key", Key("agent")}, 2,
        "only an owner may", "refused.blocker_change");
    ExpectRefusalRecorded({"blocker", "set", kDataHandoff, "--category", category}, 2,
                          "only an owner may", "refused.blocker_change");
  }
  ExpectRefusalRecorded({"blocker", "set", kRealRunGrant, "--category", "needs-owner-decision",
                         "--key", Key("carol")},
                        2, "only an owner may", "refused.blocker_change");
  // Adding an owner to an operator's blocker lets the owner close it: an owner's change too.
  ExpectRefusalRecorded({"blocker", "set", kDataHandoff, "--actor", "operator", "--actor", "owner",
                         "--key", Key("agent")},
                        2, "only an owner may", "refused.blocker_change");
  // The agent's import of the same relabelling keeps the blocker as it was.
  WriteFile(
      dir_ / "relabel.json",
      std::string(R"({"blockers":[{"id":")") + kDataHandoff +
          R"(","item":"x","blocks":["production-shaped real-data rehearsal","production"],"category":"needs-grant","actor_needed":["owner"]}]})");
  RunResult r = Pg({"blocker", "import", dir_ / "relabel.json", "--key", Key("agent")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("an owner's grant"), std::string::npos) << r.out;
  EXPECT_EQ(JsonOut(Pg({"blocker", "show", kDataHandoff, "--json"}))["category"],
            "needs-data-handoff");
  // So the owner's grant for what it holds does not close it.
  Issue({"--action", "rehearse", "--scope", "real-data"});
  EXPECT_EQ(Status(kDataHandoff), "OPEN");
  // Strengthening needs no owner: the agent adds a label.
  RunResult more =
      Pg({"blocker", "set", kDataHandoff, "--blocks", "production-shaped real-data rehearsal",
          "--blocks", "production", "--blocks", "cutover", "--key", Key("agent")});
  EXPECT_EQ(more.exit_code, 0) << more.err;
  ExpectLedgerVerifies();
}

// A close the commands refuse, appended behind them with the agent's own (trusted) key:
// the verification of the chain refuses it, so the gate holds and says why.
TEST_F(Closing, AForgedCloseSignedByTheAgentBreaksTheChain) {
  auto agent = authority::PrivateKey::Load(Key("agent"));
  ASSERT_TRUE(agent.ok());
  AppendBehind(
      "blocker.close",
      {{"id", kOwnerDecision}, {"evidence", Json::array({{{"root", root_}}})}, {"note", "done"}},
      &*agent, Id("agent"));
  Json g = Gate({"--action", "dryrun", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(g), "ledger_broken")) << g.dump();
  std::string message;
  for (const auto& r : g["reasons"]) {
    if (r["code"] == "ledger_broken") message = r["message"];
  }
  EXPECT_NE(message.find("an owner's selection"), std::string::npos) << message;
  EXPECT_NE(Pg({"ledger", "verify"}).exit_code, 0);
}

// The control of the forgery: the same hand-appended close by the role that may.
TEST_F(Closing, ControlAHandAppendedCloseByTheOperatorVerifies) {
  auto carol = authority::PrivateKey::Load(Key("carol"));
  ASSERT_TRUE(carol.ok());
  AppendBehind("blocker.close",
               {{"id", kDataHandoff}, {"evidence", Json::array({{{"root", root_}}})}, {"note", ""}},
               &*carol, Id("carol"));
  ExpectLedgerVerifies();
  EXPECT_EQ(Status(kDataHandoff), "CLOSED");
}

}  // namespace
}  // namespace prodgate::testing
