// The trust anchor through the binary (DESIGN.md §3.10 point 2): production in a workspace
// whose anchor vouches for it is allowed (the control), and every way an agent with a shell
// could make another workspace pass for it holds: a re-initialised workspace, a .prodgate
// swapped for a symlink, a replaced ledger, a history rewritten from genesis with keys of its
// own, an anchor it could write, a trust change below the anchor's threshold, a root invoker,
// a local ledger where the anchor wants the protected one.
//
// These tests run as root: an anchor the invoker cannot write is a root-owned file, which only
// root can make. As root the anchor then says "allow_root" (a CI container), or production
// holds with invoker_is_root (tested too); the unprivileged executor is tested with runuser
// in postgres_ledger_test.cc.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

std::string Example(const std::string& f) {
  return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/" + f;
}

class Anchored : public WorkspaceTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: an anchor the invoker cannot write is a root-owned file";
    }
    // No anchor is found in /etc by accident: the tests name theirs.
    ::setenv("PRODGATE_ANCHOR_DIR", (dir_ / "no-anchors").c_str(), 1);
    ::unsetenv("PRODGATE_ANCHOR");
    WorkspaceTest::SetUp();
    RunResult s = Pg({"surrogate", "--spec", Example("surrogate.toml"), "--seed", "7", "--scale",
                      "1", "--out", "sqlite:" + (dir_ / "clone.db")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    RunResult r = Pg({"rehearse", "--target", "sqlite:" + (dir_ / "clone.db"), "--apply",
                      Example("apply.sql"), "--rollback", Example("rollback.sql"), "--out",
                      dir_ / "rehearsal", "--production", "prod=sqlite:/srv/directus/data.db",
                      "--key", Key("carol"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    change_ = JsonOut(r)["change"];
    ASSERT_FALSE(
        Issue({"--action", "cutover", "--scope", "production", "--change", change_}).empty());
    anchor_ = MakeAnchor("anchor.json", {"--allow-local-ledger", "--allow-root"});
  }
  void TearDown() override { ::unsetenv("PRODGATE_ANCHOR_DIR"); }

  // `anchor create` with `flags`, written to dir_/anchors/NAME (root-owned, 0644).
  std::string MakeAnchor(const std::string& name, std::vector<std::string> flags) {
    fs::create_directories(dir_ / "anchors");
    std::string path = dir_ / ("anchors/" + name);
    std::vector<std::string> args = {"anchor", "create", "--out", path};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = Pg(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    ::chmod(path.c_str(), 0644);
    return path;
  }
  // gate check of the cutover, anchored by `anchor` ("" for none), as this user or as a
  // verifier that never saw the ledger.
  Json Check(const std::string& anchor, int expect, bool fresh = false) {
    std::vector<std::string> args = {"gate",       "check",      "--action", "cutover",
                                     "--scope",    "production", "--change", change_,
                                     "--executor", Id("carol"),  "--json"};
    if (!anchor.empty()) args.insert(args.begin(), {"--anchor", anchor});
    RunResult r = fresh ? PgFresh(args) : Pg(args);
    EXPECT_EQ(r.exit_code, expect) << r.out << r.err;
    return JsonOut(r);
  }
  static std::string Message(const Json& g, const std::string& code) {
    for (const auto& r : g["reasons"])
      if (r["code"] == code) return r["message"];
    return "";
  }

  std::string change_, anchor_;
};

TEST_F(Anchored, ControlTheAnchoredWorkspaceIsAllowedAndSaysWhatItsLedgerCannotDo) {
  Json g = Check(anchor_, 0);
  EXPECT_EQ(g["verdict"], "ALLOW") << g.dump();
  EXPECT_EQ(g["anchor"], anchor_);
  EXPECT_EQ(g["ledger"]["kind"], "sqlite-local");
  ASSERT_FALSE(g["ledger"]["cannot_protect_against"].empty());
  EXPECT_NE(g["ledger"]["cannot_protect_against"][0].get<std::string>().find("truncation"),
            std::string::npos);
  RunResult verify = Pg({"--anchor", anchor_, "anchor", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("VOUCHES"), std::string::npos) << verify.out;
}

TEST_F(Anchored, ProductionWithoutAnAnchorHolds) {
  Json g = Check("", 1);
  EXPECT_TRUE(Has(Codes(g), "no_trust_anchor")) << g.dump();
  // Scopes other than production do not need one.
  ASSERT_FALSE(Issue({"--action", "apply", "--scope", "clone"}).empty());
  Gate({"--action", "apply", "--scope", "clone"}, 0);
}

TEST_F(Anchored, AReinitialisedWorkspaceIsNotTheAnchoredOne) {
  // The agent moves the workspace aside and makes a new one where its own key is the owner,
  // with the same grant and a rehearsal of its own.
  fs::rename(dir_ / ".prodgate", dir_ / ".prodgate.orig");
  ASSERT_EQ(Pg({"init", "."}).exit_code, 0);
  ASSERT_EQ(
      Pg({"key", "new", "--name", "mallory", "--role", "owner", "--out", Key("mallory")}).exit_code,
      0);
  ASSERT_EQ(Pg({"trust", "add", dir_ / "mallory.pub.json"}).exit_code, 0);
  ASSERT_FALSE(
      Issue({"--action", "cutover", "--scope", "production", "--change", change_}, "mallory")
          .empty());
  Json g = Check(anchor_, 1);
  EXPECT_TRUE(Has(Codes(g), "workspace_not_anchored")) << g.dump();
}

TEST_F(Anchored, ASymlinkedOrSwappedWorkspaceIsNotTheAnchoredOne) {
  ScratchDir other;
  ASSERT_EQ(Prodgate({"init", "."}, other.path()).exit_code, 0);
  fs::rename(dir_ / ".prodgate", dir_ / ".prodgate.orig");
  fs::create_directory_symlink(other / ".prodgate", dir_ / ".prodgate");
  Json g = Check(anchor_, 1);
  EXPECT_TRUE(Has(Codes(g), "workspace_not_anchored")) << g.dump();
  // The ledger file alone replaced by another workspace's.
  fs::remove(dir_ / ".prodgate");
  fs::rename(dir_ / ".prodgate.orig", dir_ / ".prodgate");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(LedgerPath() + suffix);
  fs::copy_file(other / ".prodgate/ledger.db", LedgerPath());
  Json replaced = Check(anchor_, 1, /*fresh=*/true);
  EXPECT_TRUE(Has(Codes(replaced), "workspace_not_anchored")) << replaced.dump();
}

// The strongest rewrite an agent can make: it keeps event 1 (unsigned, so the genesis
// matches), throws away everything after it and builds a new history on it with an owner
// key of its own. Every hash, link and signature of that chain verifies; the anchor's pinned
// event is what is no longer there.
TEST_F(Anchored, AHistoryRewrittenOnTheSameGenesisIsNotTheAnchoredOne) {
  Sql("DELETE FROM events WHERE seq > 1; DELETE FROM projections");
  ASSERT_EQ(
      Pg({"key", "new", "--name", "mallory", "--role", "owner", "--out", Key("mallory")}).exit_code,
      0);
  RunResult boot = PgFresh({"trust", "add", dir_ / "mallory.pub.json"});
  ASSERT_EQ(boot.exit_code, 0) << boot.err;
  // Enough events that the chain reaches past the anchor's pinned event.
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(
        PgFresh({"ids", "reserve", "--prefix", "X", "--count", "1", "--ceiling", "0"}).exit_code,
        0);
  }
  RunResult verify = PgFresh({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << "the rewritten chain verifies on its own: " << verify.out;
  Json fresh = Check(anchor_, 1, /*fresh=*/true);
  EXPECT_TRUE(Has(Codes(fresh), "workspace_not_anchored")) << fresh.dump();
  EXPECT_NE(Message(fresh, "workspace_not_anchored").find("rewritten"), std::string::npos);
  // This user's own checkpoint sees the rewrite too.
  Json mine = Check(anchor_, 1);
  EXPECT_TRUE(Has(Codes(mine), "ledger_broken")) << mine.dump();
}

TEST_F(Anchored, AnAnchorTheInvokerCouldWriteIsNotBelieved) {
  ::chmod(anchor_.c_str(), 0666);
  Json g = Check(anchor_, 1);
  EXPECT_TRUE(Has(Codes(g), "anchor_unsafe")) << g.dump();
  ::chmod(anchor_.c_str(), 0644);
  ::chmod((dir_ / "anchors").c_str(), 0777);  // a directory others may write: the same
  Json dir = Check(anchor_, 1);
  EXPECT_TRUE(Has(Codes(dir), "anchor_unsafe")) << dir.dump();
  ::chmod((dir_ / "anchors").c_str(), 0755);
  Check(anchor_, 0);  // control
  // PRODGATE_ANCHOR is searched too, with the same checks.
  RunResult env = RunCommand(
      {"env", "PRODGATE_ANCHOR=" + anchor_, PRODGATE_BIN, "gate", "check", "--action", "cutover",
       "--scope", "production", "--change", change_, "--executor", Id("carol")},
      ws_);
  EXPECT_EQ(env.exit_code, 0) << env.out << env.err;
}

TEST_F(Anchored, ARootInvokerHoldsUnlessTheAnchorAllowsIt) {
  std::string strict = MakeAnchor("strict.json", {"--allow-local-ledger"});
  Json g = Check(strict, 1);
  EXPECT_TRUE(Has(Codes(g), "invoker_is_root")) << g.dump();
}

TEST_F(Anchored, ALocalLedgerHoldsWhereTheAnchorWantsTheProtectedOne) {
  RunResult refused = Pg({"anchor", "create", "--out", dir_ / "anchors/p.json", "--allow-root"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("not the protected team ledger"), std::string::npos) << refused.err;
  // An anchor that requires it, made by hand from the local one.
  Json a = Json::parse(ReadFileOrDie(anchor_));
  a["ledger"] = {{"require", "protected"}};
  std::string path = dir_ / "anchors/protected.json";
  WriteFile(path, a.dump() + "\n");
  ::chmod(path.c_str(), 0644);
  RunResult bad = Pg({"--anchor", path, "gate", "check", "--action", "cutover", "--scope",
                      "production", "--change", change_});
  EXPECT_EQ(bad.exit_code, 1);  // the hand-made file is not canonical JSON: anchor_invalid
  WriteFile(path, *CanonicalJson(a, NumberPolicy::kIntegersOnly) + "\n");
  Json g = Check(path, 1);
  EXPECT_TRUE(Has(Codes(g), "ledger_unprotected")) << g.dump();
}

// A threshold of 2 counts owners the anchor names (or that 2 such owners admitted): bob, whom
// the anchor names, counts; a second key alice admits alone never does.
TEST_F(Anchored, OneOwnerCannotReachAThresholdOfTwoWithASecondKey) {
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  WriteFile(path, text.insert(text.find("default = 1") + 11, "\ncutover = 2"));
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice")}).exit_code, 0);
  auto check = [&](int expect) {
    RunResult r = Pg({"--anchor", anchor_, "gate", "check", "--action", "cutover", "--scope",
                      "clone", "--json"});
    EXPECT_EQ(r.exit_code, expect) << r.out << r.err;
    return JsonOut(r);
  };
  std::string id = Issue({"--action", "cutover", "--scope", "clone"});
  // alice makes a second owner key and trusts it alone (the anchor's threshold is 1).
  ASSERT_EQ(
      Pg({"key", "new", "--name", "alice2", "--role", "owner", "--out", Key("alice2")}).exit_code,
      0);
  ASSERT_EQ(Pg({"trust", "add", dir_ / "alice2.pub.json", "--key", Key("alice")}).exit_code, 0);
  ASSERT_EQ(Pg({"grant", "sign", id.substr(0, 12), "--key", Key("alice2")}).exit_code, 0);
  Json g = check(1);
  ASSERT_TRUE(Has(Codes(g), "grant_threshold_not_met")) << g.dump();
  bool named = false;
  for (const auto& r : g["reasons"]) {
    named |= r["code"] == "grant_threshold_not_met" &&
             r["message"].get<std::string>().find("alice2") != std::string::npos;
  }
  EXPECT_TRUE(named) << g.dump();
  // The control: bob, whom the anchor names, signs; two owners that count.
  ASSERT_EQ(Pg({"grant", "sign", id.substr(0, 12), "--key", Key("bob")}).exit_code, 0);
  check(0);
}

TEST_F(Anchored, TrustChangesNeedTheAnchorsThresholdOfOwners) {
  std::string two =
      MakeAnchor("two.json", {"--allow-local-ledger", "--allow-root", "--threshold", "2"});
  Check(two, 0);
  ASSERT_EQ(Pg({"key", "new", "--name", "dave", "--role", "owner", "--out", Key("dave")}).exit_code,
            0);
  // With the anchor found, `trust add` asks for its threshold: one owner only proposes.
  RunResult proposed =
      Pg({"--anchor", two, "trust", "add", dir_ / "dave.pub.json", "--key", Key("alice")});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  EXPECT_NE(proposed.out.find("1 of 2 owner signature"), std::string::npos) << proposed.out;
  Check(two, 0);  // a pending proposal changes nothing
  // One owner forcing the change with a threshold of 1 holds production.
  ASSERT_EQ(Pg({"key", "new", "--name", "eve", "--role", "owner", "--out", Key("eve")}).exit_code,
            0);
  ASSERT_EQ(Pg({"trust", "add", dir_ / "eve.pub.json", "--key", Key("alice"), "--threshold", "1"})
                .exit_code,
            0);
  Json g = Check(two, 1);
  EXPECT_TRUE(Has(Codes(g), "trust_below_threshold")) << g.dump();
  // The control: the same kind of change signed by two owners passes the anchor.
  std::string id = proposed.out.substr(proposed.out.find("proposed as ") + 12, 12);
  RunResult signed_by_bob = Pg({"trust", "sign", id, "--key", Key("bob")});
  ASSERT_EQ(signed_by_bob.exit_code, 0) << signed_by_bob.err;
  EXPECT_NE(signed_by_bob.out.find("in force"), std::string::npos) << signed_by_bob.out;
  Json after = Check(two, 1);
  for (const auto& r : after["reasons"]) {
    if (r["code"] == "trust_below_threshold") {
      EXPECT_NE(r["message"].get<std::string>().find("eve"), std::string::npos)
          << "only eve's one-owner change holds: " << after.dump();
    }
  }
}

// A config change is a rule change too: with the anchor's threshold of 2, one owner proposes,
// commands refuse the edited file until the second signs; one owner alone holds production.
TEST_F(Anchored, ConfigChangesNeedTheAnchorsThresholdOfOwners) {
  std::string two =
      MakeAnchor("two.json", {"--allow-local-ledger", "--allow-root", "--threshold", "2"});
  std::string path = ws_ + "/.prodgate/config.toml";
  std::string text = ReadFileOrDie(path);
  WriteFile(path, text + "\n# a comment the owners agree on\n");
  RunResult proposed = Pg({"--anchor", two, "config", "accept", "--key", Key("alice")});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  EXPECT_NE(proposed.out.find("1 of 2 owner signature"), std::string::npos) << proposed.out;
  RunResult meanwhile = Pg({"blocker", "list"});
  EXPECT_EQ(meanwhile.exit_code, 2);
  EXPECT_NE(meanwhile.err.find("is not the configuration the ledger accepted"), std::string::npos)
      << meanwhile.err;
  std::string id = proposed.out.substr(proposed.out.find("proposed ") + 9);
  id = id.substr(id.find(" as ") + 4, 12);
  RunResult signed_by_bob = Pg({"trust", "sign", id, "--key", Key("bob")});
  ASSERT_EQ(signed_by_bob.exit_code, 0) << signed_by_bob.err;
  EXPECT_NE(signed_by_bob.out.find("in force"), std::string::npos) << signed_by_bob.out;
  EXPECT_EQ(Pg({"blocker", "list"}).exit_code, 0);
  Check(two, 0);
  // One owner alone, forcing a threshold of 1: the change is in force, and production holds.
  WriteFile(path, ReadFileOrDie(path) + "# alice alone\n");
  ASSERT_EQ(Pg({"config", "accept", "--key", Key("alice"), "--threshold", "1"}).exit_code, 0);
  Json g = Check(two, 1);
  EXPECT_TRUE(Has(Codes(g), "trust_below_threshold")) << g.dump();
  EXPECT_NE(Message(g, "trust_below_threshold").find("config"), std::string::npos) << g.dump();
}

}  // namespace
}  // namespace prodgate::testing
