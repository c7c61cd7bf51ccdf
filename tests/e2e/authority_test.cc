// The authority half through the binary: workspace, trust, blockers, grants, decisions, the
// gate, ids — and every refusal of DESIGN.md §4 with its negative control.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "authority/keys.h"
#include "ledger/store.h"
#include "model/grant.h"
#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kChange(64, 'c');
const std::string kOtherChange(64, 'd');

TEST_F(WorkspaceTest, InitRefusesAnExistingWorkspace) {
  ExpectRefused({"init", "."}, 2, "already holds a prodgate workspace");
  RunResult outside = Prodgate({"blocker", "list"}, "/");
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_NE(outside.err.find("no prodgate workspace"), std::string::npos) << outside.err;
}

TEST_F(WorkspaceTest, ConfigEditedOutsideProdgateIsRefusedUntilAnOwnerAccepts) {
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  WriteFile(path, text + "\n# loosened by someone\n");
  RunResult r = Pg({"gate", "check", "--action", "apply", "--scope", "clone"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("changed outside prodgate"), std::string::npos) << r.err;
  RunResult agent = Pg({"config", "accept", "--key", Key("agent")});
  EXPECT_EQ(agent.exit_code, 2);
  EXPECT_NE(agent.err.find("not a trusted owner"), std::string::npos) << agent.err;
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  EXPECT_EQ(Pg({"blocker", "list"}).exit_code, 0);  // control: accepted, usable again
}

// A key's role is what an owner-signed trust change gave it: not what its .pub.json says,
// and not what an event appended behind prodgate claims.
TEST_F(WorkspaceTest, ARoleIsOnlyWhatAnOwnerSignedChangeGaveIt) {
  std::string path = dir_ / "agent.pub.json";
  std::string text = ReadFileOrDie(path);
  WriteFile(path, text.replace(text.find("\"role\":\"agent\""), 14, "\"role\":\"owner\""));
  ExpectRefusalRecorded(
      {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", Key("agent")}, 2,
      "is an agent", "refused.grant_issue");
  ExpectRefused({"trust", "add", path, "--key", Key("alice")}, 2, "already trusted");
  // The agent, with its own trusted key, appends a trust change that makes a new owner key
  // of its own: the chain breaks there, and nothing is decided on it.
  auto agent = authority::PrivateKey::Load(Key("agent"));
  auto mallory = authority::PrivateKey::Generate();
  ASSERT_TRUE(agent.ok() && mallory.ok());
  Json key = {{"id", mallory->Id()},
              {"name", "mallory"},
              {"role", "owner"},
              {"public_key", mallory->public_key().Base64()}};
  AppendBehind("trust.update", {{"change", {{"op", "add"}, {"key", key}}}}, &*agent);
  RunResult list = Pg({"trust", "list"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_NE(list.err.find("without an owner's signature"), std::string::npos) << list.err;
  Json g = Gate({"--action", "apply", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(g), "ledger_broken")) << g.dump();
  // The same promotion unsigned, or signed by the new key itself: the same.
  for (const authority::PrivateKey* signer :
       {static_cast<authority::PrivateKey*>(nullptr), &*mallory}) {
    SCOPED_TRACE(signer ? "self-signed" : "unsigned");
    Sql("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)");
    RunResult restored = PgFresh({"trust", "list"});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;  // control: the chain before it verifies
    AppendBehind("trust.update", {{"change", {{"op", "add"}, {"key", key}}}}, signer);
    Json held =
        JsonOut(PgFresh({"gate", "check", "--action", "apply", "--scope", "clone", "--json"}));
    EXPECT_TRUE(Has(Codes(held), "ledger_broken")) << held.dump();
  }
}

TEST_F(WorkspaceTest, TrustChangesNeedATrustedOwner) {
  ASSERT_EQ(
      Pg({"key", "new", "--name", "mallory", "--role", "owner", "--out", dir_ / "m.pem"}).exit_code,
      0);
  ExpectRefusalRecorded({"trust", "add", dir_ / "m.pub.json"}, 2, "needs an owner's signature",
                        "refused.trust_change");
  Json by_agent =
      ExpectRefusalRecorded({"trust", "add", dir_ / "m.pub.json", "--key", Key("agent")}, 2,
                            "not a trusted owner", "refused.trust_change");
  EXPECT_EQ(by_agent["actor"], Id("agent"));
  // An untrusted key is named, not trusted as a signer.
  Json by_stranger =
      ExpectRefusalRecorded({"trust", "add", dir_ / "m.pub.json", "--key", dir_ / "m.pem"}, 2,
                            "not a trusted owner", "refused.trust_change");
  EXPECT_FALSE(by_stranger.contains("sig"));
  EXPECT_TRUE(by_stranger["body"].contains("key"));
  // A proposal awaiting a second owner: the agent's signature on it is refused and recorded.
  RunResult proposed =
      Pg({"trust", "add", dir_ / "m.pub.json", "--key", Key("alice"), "--threshold", "2"});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  ASSERT_NE(proposed.out.find("proposed as "), std::string::npos) << proposed.out;
  std::string id = proposed.out.substr(proposed.out.find("proposed as ") + 12, 12);
  ExpectRefusalRecorded({"trust", "sign", id, "--key", Key("agent")}, 2, "not a trusted owner",
                        "refused.trust_sign");
  EXPECT_EQ(Pg({"trust", "add", dir_ / "m.pub.json", "--key", Key("bob")}).exit_code, 0);
}

TEST_F(WorkspaceTest, KeyFilesReadableByOthersAreRefused) {
  for (auto mode : {fs::perms(0640), fs::perms(0604), fs::perms(0644)}) {
    fs::permissions(Key("alice"), mode);
    ExpectRefused(
        {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", Key("alice")}, 2,
        "its group or others may read it");
  }
  fs::permissions(Key("alice"), fs::perms(0600));
  EXPECT_EQ(Pg({"grant", "issue", "--action", "apply", "--scope", "clone", "--key", Key("alice")})
                .exit_code,
            0);
}

TEST_F(WorkspaceTest, SeedMapsImportAndTheSummaryAgreesWithSeed001) {
  ASSERT_EQ(Pg({"blocker", "import", Seed("003")}).exit_code, 0);
  ASSERT_EQ(Pg({"blocker", "import", Seed("000")}).exit_code, 0);
  RunResult only000 = Pg({"blocker", "summary", "--json"});
  Json s000 = JsonOut(only000);
  EXPECT_EQ(s000["open_count"], 7);
  EXPECT_EQ(s000["decision_next"], false);  // seed 000 carries no categories
  EXPECT_EQ(s000["uncategorized_open"], 7);
  // Seed 001 moves blockers from an owner's close to an owner's grant or selection: the
  // agent's import keeps them as they were, an owner's import does what the map says.
  RunResult by_agent = Pg({"blocker", "import", Seed("001"), "--key", Key("agent")});
  ASSERT_EQ(by_agent.exit_code, 0) << by_agent.err;
  EXPECT_NE(by_agent.out.find("kept: FIX7-P0-PLAN-REALRUN-1"), std::string::npos) << by_agent.out;
  EXPECT_EQ(JsonOut(Pg({"blocker", "summary", "--json"}))["decision_next"], false);
  ASSERT_EQ(Pg({"blocker", "import", Seed("001"), "--key", Key("alice")}).exit_code, 0);
  Json s = JsonOut(Pg({"blocker", "summary", "--json"}));
  EXPECT_EQ(s["open_count"], 7);                      // seed 001: "open_count": 7
  EXPECT_EQ(s["engineering_blockers_remaining"], 0);  // seed 001: 0
  EXPECT_EQ(s["decision_next"], true);
  EXPECT_NE(s["conclusion"].get<std::string>().find("next step is a decision"), std::string::npos);
  // Seed 001 states no statuses: the ones 000 recorded are kept.
  Json b = JsonOut(Pg({"blocker", "show", "FIX7-P0-PROD-CI-SCOPE-1", "--json"}));
  EXPECT_EQ(b["status"], "OPEN_DESIGN_DELIVERED");
  EXPECT_EQ(b["category"], "needs-ci-adoption");
}

TEST_F(WorkspaceTest, BlockerDiffShowsWhatChangedBetweenRevisions) {
  RunResult d = Pg({"blocker", "diff", Seed("003"), Seed("000"), "--json"});
  EXPECT_EQ(d.exit_code, 1);
  Json j = JsonOut(d);
  bool found = false;
  for (const auto& c : j["changed"]) {
    if (c["id"] != "FIX7-P0-PROD-CI-SCOPE-1") continue;
    for (const auto& f : c["changes"]) {
      if (f["field"] == "status") {
        EXPECT_EQ(f["before"], "OPEN");
        EXPECT_EQ(f["after"], "OPEN_DESIGN_DELIVERED");
        found = true;
      }
    }
  }
  EXPECT_TRUE(found) << d.out;
  EXPECT_EQ(Pg({"blocker", "diff", Seed("000"), Seed("000")}).exit_code, 0);
}

TEST_F(WorkspaceTest, BlockerExportRoundTripsAndRendersMarkdown) {
  ASSERT_EQ(Pg({"blocker", "import", Seed("001")}).exit_code, 0);
  RunResult json = Pg({"blocker", "export", "--format", "json", "-o", dir_ / "map.json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(Pg({"blocker", "diff", Seed("001"), dir_ / "map.json"}).exit_code,
            1);  // statuses now stated
  RunResult md = Pg({"blocker", "export", "--format", "markdown"});
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_NE(md.out.find("| FIX7-P0-PROD-OPT4-1"), std::string::npos) << md.out;
}

TEST_F(WorkspaceTest, MalformedOrUnsafeMapsAreRefusedWithoutStateChange) {
  WriteFile(dir_ / "none.txt", "no JSON here at all\n");
  ExpectRefused({"blocker", "import", dir_ / "none.txt"}, 2, "none.txt");
  WriteFile(
      dir_ / "label.json",
      R"({"blockers":[{"id":"B1","item":"x","status":"OPEN","blocks":"launch-the-rocket"}]})");
  ExpectRefused({"blocker", "import", dir_ / "label.json"}, 2,
                "unknown gate label \"launch-the-rocket\"");
  WriteFile(dir_ / "closed.json",
            R"({"blockers":[{"id":"B1","item":"x","status":"CLOSED","blocks":"production"}]})");
  ExpectRefused({"blocker", "import", dir_ / "closed.json"}, 2, "CLOSED");
  WriteFile(dir_ / "trunc.json", R"(map: {"blockers":[{"id":"B1","item":"x")");
  ExpectRefused({"blocker", "import", dir_ / "trunc.json"}, 2, "trunc.json");
  WriteFile(
      dir_ / "category.json",
      R"({"table_F_final_blockers":[{"blocker_id":"B1","item":"x","blocks":["production"],"category":"requires a miracle"}]})");
  ExpectRefused({"blocker", "import", dir_ / "category.json"}, 2, "requires a miracle");
}

TEST_F(WorkspaceTest, BlockerChangesAreCheckedAndClosingNeedsEvidenceThatVerifiesNow) {
  ASSERT_EQ(Pg({"blocker", "add", "--id", "B1", "--item", "rollback proof", "--blocks",
                "production", "--category", "engineering"})
                .exit_code,
            0);
  ExpectRefused({"blocker", "add", "--id", "B2", "--item", "x", "--blocks", "moon"}, 2,
                "unknown gate label");
  ExpectRefused({"blocker", "set", "B1", "--status", "CLOSED"}, 2, "blocker close B1 --evidence");
  ExpectRefused({"blocker", "set", "B1", "--status", "DONE"}, 2, "unknown status");
  ExpectRefused({"blocker", "set", "B1", "--category", "vibes"}, 2, "unknown blocker category");
  ExpectRefused(
      {"blocker", "close", "B1", "--evidence", std::string(64, 'e'), "--key", Key("agent")}, 2,
      "no evidence with seal root");
  // Evidence: a sealed directory that verifies.
  WriteFile(dir_ / "proof/report.txt", "rollback restored the data row for row\n");
  ASSERT_EQ(Pg({"seal", dir_ / "proof"}).exit_code, 0);
  std::string root = Json::parse(ReadFileOrDie(dir_ / "proof/prodgate.seal.json"))["root"];
  ASSERT_EQ(Pg({"evidence", "add", dir_ / "proof"}).exit_code, 0);
  // The evidence drifts after it was recorded: the close is refused.
  WriteFile(dir_ / "proof/report.txt", "rollback restored the data row for row (edited)\n");
  ExpectRefused({"blocker", "close", "B1", "--evidence", root, "--key", Key("agent")}, 2,
                "does not verify now");
  WriteFile(dir_ / "proof/report.txt", "rollback restored the data row for row\n");
  // Engineering work: the agent that did it may close it.
  RunResult closed =
      Pg({"blocker", "close", "B1", "--evidence", root, "--note", "proved", "--key", Key("agent")});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  Json b = JsonOut(Pg({"blocker", "show", "B1", "--json"}));
  EXPECT_EQ(b["status"], "CLOSED");
  EXPECT_EQ(b["evidence"], Json{root});
  ASSERT_EQ(Pg({"blocker", "reopen", "B1", "--note", "new data", "--key", Key("carol")}).exit_code,
            0);
  EXPECT_EQ(JsonOut(Pg({"blocker", "show", "B1", "--json"}))["status"], "OPEN");
}

TEST_F(WorkspaceTest, UnknownActionOrScopeHolds) {
  Json g = Gate({"--action", "launch", "--scope", "moon"}, 1);
  EXPECT_EQ(g["verdict"], "HOLD");
  EXPECT_TRUE(Has(Codes(g), "unknown_action"));
  EXPECT_TRUE(Has(Codes(g), "unknown_scope"));
  ExpectRefused({"grant", "issue", "--action", "launch", "--scope", "clone", "--key", Key("alice")},
                2, "unknown action");
}

TEST_F(WorkspaceTest, GrantAllowsOnceThenIsUsedUpAndRunRecordsIntentAndOutcome) {
  Gate({"--action", "apply", "--scope", "clone"}, 1);  // control: nothing allows it yet
  std::string id = Issue({"--action", "apply", "--scope", "clone"});
  Json ok = Gate({"--action", "apply", "--scope", "clone"}, 0);
  EXPECT_EQ(ok["verdict"], "ALLOW");
  EXPECT_EQ(ok["grant"], id);
  std::string marker = dir_ / "ran";
  RunResult run = Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "sh", "-c",
                      "touch " + marker + "; exit 7"});
  EXPECT_EQ(run.exit_code, 7);  // the command's own status
  EXPECT_TRUE(fs::exists(marker));
  RunResult log = Pg({"ledger", "log", "--json", "--kind", "action."});
  EXPECT_NE(log.out.find("\"kind\":\"action.intent\""), std::string::npos);
  EXPECT_NE(log.out.find("\"exit_code\":7"), std::string::npos) << log.out;
  fs::remove(marker);
  RunResult again =
      Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker});
  EXPECT_EQ(again.exit_code, 124);  // HOLD: never a status the command could give
  EXPECT_FALSE(fs::exists(marker)) << "a used-up grant let the command run";
  EXPECT_NE(again.err.find("grant_used_up"), std::string::npos) << again.err;
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone"}, 1)), "grant_used_up"));
}

TEST_F(WorkspaceTest, ExpiredAndNotYetValidGrantsHold) {
  Issue({"--action", "apply", "--scope", "clone", "--not-before", "2020-01-01T00:00:00Z",
         "--expires-at", "2020-01-02T00:00:00Z"});
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone"}, 1)), "grant_expired"));
  Issue({"--action", "cutover", "--scope", "clone", "--not-before", "2099-01-01T00:00:00Z"});
  EXPECT_TRUE(
      Has(Codes(Gate({"--action", "cutover", "--scope", "clone"}, 1)), "grant_not_yet_valid"));
  ExpectRefused({"grant", "issue", "--action", "apply", "--scope", "clone", "--expires-at",
                 "2020-01-01T00:00:00Z", "--key", Key("alice")},
                2, "expire");
}

TEST_F(WorkspaceTest, RevokedGrantHoldsAndOnlyOwnersRevoke) {
  std::string id = Issue({"--action", "apply", "--scope", "clone"});
  ExpectRefusalRecorded({"grant", "revoke", id.substr(0, 12), "--key", Key("agent")}, 2,
                        "not a trusted owner", "refused.grant_revoke");
  ASSERT_EQ(
      Pg({"grant", "revoke", id.substr(0, 12), "--key", Key("bob"), "--reason", "change withdrawn"})
          .exit_code,
      0);
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone"}, 1)), "grant_revoked"));
}

TEST_F(WorkspaceTest, OnlyTrustedOwnersIssueAndRequesterNeverApproves) {
  for (const char* who : {"agent", "carol"}) {
    Json e = ExpectRefusalRecorded(
        {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", Key(who)}, 2,
        "only owners grant", "refused.grant_issue");
    EXPECT_EQ(e["actor"], Id(who)) << "the attempt is signed by the key that made it";
  }
  ExpectRefused({"grant", "issue", "--action", "apply", "--scope", "clone", "--requester",
                 Id("alice"), "--key", Key("alice")},
                2, "cannot approve it");
  // Control: another owner approves what alice requested.
  Issue({"--action", "apply", "--scope", "clone", "--requester", Id("alice")}, "bob");
  Gate({"--action", "apply", "--scope", "clone"}, 0);
}

TEST_F(WorkspaceTest, RehearsalGrantNeverSatisfiesProduction) {
  Issue({"--action", "cutover", "--scope", "rehearsal", "--change", kChange});
  Json g = Gate({"--action", "cutover", "--scope", "production", "--change", kChange}, 1);
  EXPECT_TRUE(Has(Codes(g), "no_grant"));
  EXPECT_TRUE(Has(Codes(g), "no_rehearsal"));
  EXPECT_NE(g.dump().find("no scope implies another"), std::string::npos) << g.dump();
  Gate({"--action", "cutover", "--scope", "rehearsal", "--change", kChange}, 0);  // control
}

TEST_F(WorkspaceTest, ProductionNeedsAChangeAGrantBoundToItAndARehearsal) {
  Json g = Gate({"--action", "cutover", "--scope", "production"}, 1);
  EXPECT_TRUE(Has(Codes(g), "change_required"));
  Issue({"--action", "cutover", "--scope", "production"});  // not bound to a change
  g = Gate({"--action", "cutover", "--scope", "production", "--change", kChange}, 1);
  EXPECT_TRUE(Has(Codes(g), "grant_unbound_change")) << g.dump();
  EXPECT_TRUE(Has(Codes(g), "no_rehearsal")) << g.dump();
}

TEST_F(WorkspaceTest, ChangeAndTargetBindingsMustMatch) {
  Issue({"--action", "apply", "--scope", "clone", "--change", kChange, "--target",
         "sqlite:/srv/a.db"});
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone", "--change", kOtherChange,
                              "--target", "sqlite:/srv/a.db"},
                             1)),
                  "grant_change_mismatch"));
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone", "--change", kChange,
                              "--target", "sqlite:/srv/b.db"},
                             1)),
                  "grant_target_mismatch"));
  Gate({"--action", "apply", "--scope", "clone", "--change", kChange, "--target",
        "sqlite:/srv/a.db"},
       0);
}

TEST_F(WorkspaceTest, ThresholdCountsDistinctOwners) {
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  size_t at = text.find("default = 1");
  ASSERT_NE(at, std::string::npos);
  WriteFile(path, text.insert(at + 11, "\ncutover = 2"));
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  std::string id = Issue({"--action", "cutover", "--scope", "clone"});
  EXPECT_TRUE(
      Has(Codes(Gate({"--action", "cutover", "--scope", "clone"}, 1)), "grant_threshold_not_met"));
  ExpectRefused({"grant", "sign", id.substr(0, 12), "--key", Key("alice")}, 2, "already signed");
  ExpectRefusalRecorded({"grant", "sign", id.substr(0, 12), "--key", Key("carol")}, 2,
                        "only owners grant", "refused.grant_sign");
  ASSERT_EQ(Pg({"grant", "sign", id.substr(0, 12), "--key", Key("bob")}).exit_code, 0);
  // Without a trust anchor, bob is only a key alice admitted alone: for all the chain can
  // tell, alice's own second key. Counting his signature needs the anchor (anchor_test.cc).
  Json g = Gate({"--action", "cutover", "--scope", "clone"}, 1);
  ASSERT_TRUE(Has(Codes(g), "grant_threshold_not_met")) << g.dump();
  for (const auto& r : g["reasons"]) {
    if (r["code"] == "grant_threshold_not_met") {
      EXPECT_NE(r["message"].get<std::string>().find("not counted: " + Id("bob")),
                std::string::npos)
          << r.dump();
    }
  }
}

// A leaked owner key is removed by another owner: from then on nothing it signed counts,
// neither its grants nor anything it tries to sign.
TEST_F(WorkspaceTest, ARemovedOwnerKeysGrantsNoLongerCount) {
  Issue({"--action", "apply", "--scope", "clone"}, "alice");
  Gate({"--action", "apply", "--scope", "clone"}, 0);
  // The agent cannot remove a key; alice cannot be removed by herself as the last owner
  // either, but bob is an owner too.
  ExpectRefusalRecorded({"trust", "remove", Id("alice"), "--key", Key("agent")}, 2,
                        "not a trusted owner", "refused.trust_change");
  RunResult removed =
      Pg({"trust", "remove", Id("alice"), "--reason", "leaked", "--key", Key("bob")});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  Json g = Gate({"--action", "apply", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(g), "grant_untrusted_signer")) << g.dump();
  // What the leaked key signs now is refused, and a hand-appended event signed by it breaks
  // the chain.
  ExpectRefusalRecorded(
      {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", Key("alice")}, 2,
      "not trusted", "refused.grant_issue");
  auto alice = authority::PrivateKey::Load(Key("alice"));
  ASSERT_TRUE(alice.ok());
  AppendBehind("evidence.add", {{"root", std::string(64, 'a')}, {"dir", "x"}}, &*alice,
               Id("alice"));
  EXPECT_TRUE(Has(Codes(Gate({"--action", "apply", "--scope", "clone"}, 1)), "ledger_broken"));
}

TEST_F(WorkspaceTest, ExecutorWhoApprovedIsHeld) {
  Issue({"--action", "apply", "--scope", "clone"});
  std::string marker = dir_ / "ran";
  RunResult r = Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--key", Key("alice"),
                    "--", "touch", marker});
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_NE(r.err.find("executor_is_approver"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(marker));
  RunResult ok = Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--key", Key("carol"),
                     "--", "touch", marker});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(marker));
}

// Grants written behind prodgate's checks by an attacker who holds the ledger file, and a
// key or none.
class ForgedGrant : public WorkspaceTest {
 protected:
  // The grant.issue event is signed by `event_signer` (unsigned when null); its terms by
  // `terms_signer`, `copies` times.
  void Forge(const authority::PrivateKey& terms_signer, const authority::PrivateKey* event_signer,
             bool alter_terms_after_signing, int copies = 1) {
    model::GrantTerms t;
    t.action = "apply";
    t.scope = "clone";
    t.not_before = "2020-01-01T00:00:00Z";
    t.expires = "2099-01-01T00:00:00Z";
    t.nonce = "00";
    t.issued_at = t.not_before;
    std::string sig = *terms_signer.Sign(*t.SigningBytes());
    if (alter_terms_after_signing) t.uses = 1000;
    Json sigs = Json::array();
    for (int i = 0; i < copies; ++i) sigs.push_back({{"key", terms_signer.Id()}, {"sig", sig}});
    AppendBehind("grant.issue", {{"id", *t.Id()}, {"terms", t.ToJson()}, {"signatures", sigs}},
                 event_signer, "local:mallory");
  }
  Json GateOf(int expect) { return Gate({"--action", "apply", "--scope", "clone"}, expect); }
  std::string Problem(const Json& g) {
    for (const auto& r : g["reasons"])
      if (r["code"] == "ledger_broken") return r["message"];
    return "";
  }
};

TEST_F(ForgedGrant, WithNoKeyAtAllTheChainBreaks) {
  auto alice = authority::PrivateKey::Load(Key("alice"));
  Forge(*alice, /*event_signer=*/nullptr, false);  // a real owner signature on the terms
  Json g = GateOf(1);
  EXPECT_NE(Problem(g).find("needs an owner's signature"), std::string::npos) << g.dump();
}

TEST_F(ForgedGrant, SignedByAnUntrustedKeyTheChainBreaks) {
  auto mallory = authority::PrivateKey::Generate();
  Forge(*mallory, &*mallory, false);
  Json g = GateOf(1);
  EXPECT_NE(Problem(g).find("a key the chain does not trust"), std::string::npos) << g.dump();
}

TEST_F(ForgedGrant, SignedByATrustedNonOwnerTheChainBreaks) {
  auto agent = authority::PrivateKey::Load(Key("agent"));
  Forge(*agent, &*agent, false);
  Json g = GateOf(1);
  EXPECT_NE(Problem(g).find("needs an owner's signature"), std::string::npos) << g.dump();
}

TEST_F(ForgedGrant, AlteredAfterSigningHolds) {
  auto alice = authority::PrivateKey::Load(Key("alice"));
  Forge(*alice, &*alice, /*alter_terms_after_signing=*/true);
  Json g = GateOf(1);
  EXPECT_TRUE(Has(Codes(g), "grant_signature_invalid")) << g.dump();
}

TEST_F(ForgedGrant, OneOwnersSignatureTwiceDoesNotMeetAThresholdOfTwo) {
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  WriteFile(path, text.insert(text.find("default = 1") + 11, "\napply = 2"));
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  auto alice = authority::PrivateKey::Load(Key("alice"));
  Forge(*alice, &*alice, false, /*copies=*/2);
  Json g = GateOf(1);
  EXPECT_TRUE(Has(Codes(g), "grant_threshold_not_met")) << g.dump();
}

TEST_F(ForgedGrant, ControlTheSameForgeryWithTheOwnersRealSignaturesAllows) {
  auto alice = authority::PrivateKey::Load(Key("alice"));
  Forge(*alice, &*alice, false);
  GateOf(0);
}

TEST_F(WorkspaceTest, AProjectionEditedBehindTheLedgerChangesNoDecision) {
  std::string id = Issue({"--action", "apply", "--scope", "clone"});
  ASSERT_EQ(Pg({"grant", "revoke", id.substr(0, 12), "--key", Key("bob")}).exit_code, 0);
  ASSERT_EQ(Pg({"blocker", "add", "--id", "B1", "--item", "x", "--blocks", "apply"}).exit_code, 0);
  // Un-revoke the grant and delete the blocker in the cache only.
  Sql("UPDATE projections SET doc = replace(doc, '\"revoked\":true', '\"revoked\":false') WHERE "
      "tbl='grants'; DELETE FROM projections WHERE tbl='blockers'");
  for (bool fresh : {false, true}) {
    SCOPED_TRACE(fresh ? "a fresh verifier" : "this user's checkpoint");
    RunResult r =
        (fresh ? PgFresh({"gate", "check", "--action", "apply", "--scope", "clone", "--json"})
               : Pg({"gate", "check", "--action", "apply", "--scope", "clone", "--json"}));
    EXPECT_EQ(r.exit_code, 1);
    Json g = JsonOut(r);
    EXPECT_TRUE(Has(Codes(g), "grant_revoked")) << g.dump();
    EXPECT_TRUE(Has(Codes(g), "blocker_open")) << g.dump();
  }
  RunResult rebuild = Pg({"ledger", "rebuild"});
  EXPECT_EQ(rebuild.exit_code, 1);
  EXPECT_NE(rebuild.out.find("grants/"), std::string::npos) << rebuild.out;
  EXPECT_NE(rebuild.out.find("blockers/B1"), std::string::npos) << rebuild.out;
  ASSERT_EQ(Pg({"ledger", "rebuild", "--write"}).exit_code, 0);
  EXPECT_EQ(Pg({"ledger", "rebuild"}).exit_code, 0);
}

TEST_F(WorkspaceTest, LedgerEditedReorderedDeletedOrTruncatedFailsVerify) {
  Issue({"--action", "apply", "--scope", "clone"});
  ASSERT_EQ(Pg({"blocker", "add", "--id", "B1", "--item", "x", "--blocks", "production"}).exit_code,
            0);
  RunResult ok = Pg({"ledger", "verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  std::string head = Head();
  std::string head_hash = head.substr(head.find(' ') + 1, 64);
  int n = std::stoi(head);
  // Edited in place: the grant's terms change uses 1 → 9.
  Sql("UPDATE events SET doc = replace(doc, '\"uses\":1', '\"uses\":9') WHERE kind='grant.issue'");
  RunResult edited = Pg({"ledger", "verify"});
  EXPECT_EQ(edited.exit_code, 1);
  EXPECT_NE(edited.out.find("first bad event"), std::string::npos) << edited.out;
  // A verifier that never saw the ledger holds on it.
  Json fresh =
      JsonOut(PgFresh({"gate", "check", "--action", "apply", "--scope", "clone", "--json"}));
  EXPECT_TRUE(Has(Codes(fresh), "ledger_broken")) << fresh.dump();
  // This user verified the grant before the edit: it decides from what it verified, so the
  // edited terms never count: one use, then HOLD.
  std::string marker = dir_ / "ran";
  RunResult run =
      Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  Json used = Gate({"--action", "apply", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(used), "grant_used_up")) << used.dump();
  Sql("UPDATE events SET doc = replace(doc, '\"uses\":9', '\"uses\":1') WHERE kind='grant.issue'");
  EXPECT_EQ(Pg({"ledger", "verify"}).exit_code, 0);  // control: restored
  head = Head();
  head_hash = head.substr(head.find(' ') + 1, 64);
  n = std::stoi(head);
  // Reordered.
  Sql("UPDATE events SET seq = -1 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3;"
      "UPDATE events SET seq = 3 WHERE seq = -1;");
  EXPECT_EQ(Pg({"ledger", "verify"}).exit_code, 1);
  Sql("UPDATE events SET seq = -1 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3;"
      "UPDATE events SET seq = 3 WHERE seq = -1;");
  EXPECT_EQ(Pg({"ledger", "verify"}).exit_code, 0);
  // Truncated: the last event removed. The shorter chain still links, but this user's
  // checkpoint, and the head recorded before, say what is gone.
  Sql("DELETE FROM events WHERE seq = " + std::to_string(n));
  RunResult truncated = Pg({"ledger", "verify"});
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_NE(truncated.out.find("truncated"), std::string::npos) << truncated.out;
  RunResult expected = PgFresh({"ledger", "verify", "--expect-head", head_hash});
  EXPECT_EQ(expected.exit_code, 1);
  EXPECT_NE(expected.out.find("truncated"), std::string::npos) << expected.out;
  // Deleted from the middle.
  Sql("DELETE FROM events WHERE seq = 3");
  RunResult deleted = PgFresh({"ledger", "verify"});
  EXPECT_EQ(deleted.exit_code, 1);
  EXPECT_NE(deleted.out.find("missing"), std::string::npos) << deleted.out;
}

TEST_F(WorkspaceTest, AFailedLedgerWriteMeansTheCommandDoesNotRun) {
  Issue({"--action", "apply", "--scope", "clone"});
  // Another process holds the ledger's write lock for the whole attempt.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = ::fork();
  if (holder == 0) {
    sqlite3* db = nullptr;
    sqlite3_open(LedgerPath().c_str(), &db);
    sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr);
    (void)!::write(ready[1], "x", 1);
    ::sleep(30);
    _exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::setenv("PRODGATE_BUSY_TIMEOUT_MS", "300", 1);
  std::string marker = dir_ / "ran";
  RunResult r = Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker});
  ::unsetenv("PRODGATE_BUSY_TIMEOUT_MS");
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(marker)) << "the command ran without its intent in the ledger";
  // Control: with the lock gone, the same run goes through.
  EXPECT_EQ(
      Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker}).exit_code,
      0);
  EXPECT_TRUE(fs::exists(marker));
}

TEST_F(WorkspaceTest, DecisionSelectsExactlyOneOptionByAnOwnerAndIssuesItsGrants) {
  ASSERT_EQ(Pg({"blocker", "import", Seed("001")}).exit_code, 0);
  std::string spec = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/decision.toml";
  ASSERT_EQ(Pg({"decision", "new", "--file", spec}).exit_code, 0);
  const std::string id = "FIX7-P0-PROD-DECISION-2026-06-12";
  RunResult md = Pg({"decision", "render", id});
  EXPECT_NE(md.out.find("This document selects nothing. Default = HOLD_PRODUCTION."),
            std::string::npos);
  EXPECT_NE(md.out.find("| `FIX7-P0-PROD-OPT4-1` | OPEN | owner |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("7 of them open"), std::string::npos) << md.out;
  ExpectRefusalRecorded({"decision", "select", id, "--option", "AUTHORIZE_PRODUCTION_DRYRUN_ONLY",
                         "--key", Key("agent")},
                        2, "only an owner selects", "refused.decision_select");
  ExpectRefused({"decision", "select", id, "--option", "HOLD_PRODUCTION", "--option",
                 "AUTHORIZE_PRODUCTION_DRYRUN_ONLY", "--key", Key("alice")},
                2, "option");
  ExpectRefused({"decision", "select", id, "--key", Key("alice")}, 2, "option");
  ExpectRefused({"decision", "select", id, "--option", "OPT_5", "--key", Key("alice")}, 2,
                "choose exactly one of");
  ASSERT_EQ(Pg({"decision", "select", id, "--option", "AUTHORIZE_PRODUCTION_DRYRUN_ONLY", "--key",
                Key("alice")})
                .exit_code,
            0);
  ExpectRefused({"decision", "select", id, "--option", "HOLD_PRODUCTION", "--key", Key("bob")}, 2,
                "already selected");
  Json grants = JsonOut(Pg({"grant", "list", "--json"}));
  ASSERT_EQ(grants["grants"].size(), 1u);
  EXPECT_EQ(grants["grants"][0]["terms"]["action"], "dryrun");
  EXPECT_EQ(grants["grants"][0]["terms"]["decision"], id);
  EXPECT_NE(
      Pg({"decision", "render", id}).out.find("Selected: **AUTHORIZE_PRODUCTION_DRYRUN_ONLY**"),
      std::string::npos);
  // The option's grant exists, and production still holds: blockers, change, rehearsal.
  Json g = Gate({"--action", "dryrun", "--scope", "production", "--change", kChange}, 1);
  EXPECT_TRUE(Has(Codes(g), "blocker_open"));
}

TEST_F(WorkspaceTest, DecisionSpecsAreValidated) {
  WriteFile(dir_ / "two-defaults.toml", R"(id = "D1"
[[options]]
id = "HOLD"
default = true
hold = true
[[options]]
id = "GO"
default = true
)");
  ExpectRefused({"decision", "new", "--file", dir_ / "two-defaults.toml"}, 2,
                "exactly one option must be the default");
  WriteFile(dir_ / "go-default.toml", R"(id = "D2"
[[options]]
id = "HOLD"
hold = true
[[options]]
id = "GO"
default = true
grants = [{ action = "cutover", scope = "production" }]
)");
  ExpectRefused({"decision", "new", "--file", dir_ / "go-default.toml"}, 2, "must hold");
}

TEST_F(WorkspaceTest, IdReservationsAboveTheCeilingFoldAndVerify) {
  ExpectRefused({"ids", "reserve", "--prefix", "TKT-OBJ", "--count", "13"}, 2,
                "needs the registry's ceiling");
  RunResult r = Pg({"ids", "reserve", "--prefix", "TKT-OBJ", "--count", "13", "--ceiling", "494"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("TKT-OBJ-495..507"), std::string::npos) << r.out;
  Json v = JsonOut(Pg({"ids", "verify", "--prefix", "TKT-OBJ", "--json"}));
  EXPECT_EQ(v["verdict"], "PASS");
  EXPECT_EQ(v["above_ceiling"], 494);
  EXPECT_EQ(v["objects_reserved"], "TKT-OBJ-495..507");
  EXPECT_EQ(v["canonical_registry_untouched"], true);
  ASSERT_EQ(Pg({"ids", "fold", "--prefix", "TKT-OBJ"}).exit_code, 0);
  v = JsonOut(Pg({"ids", "verify", "--prefix", "TKT-OBJ", "--json"}));
  EXPECT_EQ(v["canonical_registry_untouched"], false);
  EXPECT_EQ(v["above_ceiling"], 507);
  RunResult next = Pg({"ids", "reserve", "--prefix", "TKT-OBJ", "--count", "2"});
  EXPECT_NE(next.out.find("TKT-OBJ-508..509"), std::string::npos) << next.out;
  // Tampered projection: verify names it.
  Sql("UPDATE projections SET doc = replace(doc, '508', '400') WHERE tbl='ids'");
  EXPECT_EQ(Pg({"ids", "verify", "--prefix", "TKT-OBJ"}).exit_code, 1);
}

}  // namespace
}  // namespace prodgate::testing
