// The protected team ledger (DESIGN.md §3.10 point 3) as a deployment runs it: one PostgreSQL
// server that authenticates every OS user as the role of its name (peer), a ledger
// provisioned by its administrator, and three unprivileged users run with runuser:
//   prodgate_owner     holds the owners' key, issues grants, makes the anchor
//   prodgate_operator  holds the operator's key and production access: runs `gate run`
//   prodgate_agent     prepares the change: writes the workspace, holds an agent key
// The anchor is installed root-owned. The control: the operator's production run is allowed
// once. Then the agent tries what its shell allows: UPDATE, DELETE and TRUNCATE of the events
// and a forged append at the server, a re-initialised workspace, a local ledger in place of
// the team's; the single-use grant never runs twice and production holds.
//
// Runs as root (to make the users' directories and the root-owned anchor); the users are made
// by scripts/setup.
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/e2e/e2e.h"
#include "tests/pg_cluster.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kOwner = "prodgate_owner";
constexpr const char* kOperator = "prodgate_operator";
constexpr const char* kAgent = "prodgate_agent";

class ProtectedLedger : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: the test runs its users with runuser and installs a "
                      "root-owned anchor";
    }
    for (const char* u : {kOwner, kOperator, kAgent}) {
      ASSERT_NE(::getpwnam(u), nullptr) << "no user " << u << ": run scripts/setup as root";
    }
    ::setenv("PRODGATE_ANCHOR_DIR", (base_ / "no-anchors").c_str(), 1);
    ::chmod(base_.path().c_str(), 0755);
    for (const char* u : {kOwner, kOperator, kAgent}) Own(base_ / u, u, 0755);
    Own(base_ / "ws", kAgent, 0755);
    Own(base_ / "anchors", "root", 0755);
    fs::copy(std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7", base_ / "fix7",
             fs::copy_options::recursive);
    RunCommand({"chmod", "-R", "a+rX", base_ / "fix7"});

    PgClusterOptions o;
    o.peer_users = {kOwner, kOperator, kAgent};
    auto cluster = PgCluster::Start(o);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateDatabase("ledger").ok());
    for (const char* u : {kOwner, kOperator, kAgent}) {
      ASSERT_TRUE(cluster_->Exec("ledger", fmt::format("CREATE ROLE {} LOGIN", u)).ok());
    }
    RunResult p = Prodgate({"ledger", "provision", cluster_->Uri("ledger"), "--writer", kOwner,
                            "--writer", kOperator, "--writer", kAgent, "--role-prefix", "pl"},
                           base_.path());
    ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
    std::string host;
    for (char c : cluster_->dir()) host += c == '/' ? std::string("%2F") : std::string(1, c);
    // No user in the location: libpq connects as the OS user, whom the server authenticates.
    ledger_ = fmt::format("postgresql:///ledger?host={}&port={}", host, PgCluster::kPort);

    ASSERT_EQ(As(kAgent, {"init", ".", "--id", "protected-ledger-test"}).exit_code, 0);
    ASSERT_EQ(As(kAgent, {"key", "new", "--name", "agent", "--role", "agent", "--out",
                          base_ / "prodgate_agent/agent.pem"})
                  .exit_code,
              0);
    ASSERT_EQ(As(kOwner, {"key", "new", "--name", "alice", "--role", "owner", "--out", OwnerKey()})
                  .exit_code,
              0);
    ASSERT_EQ(As(kOperator,
                 {"key", "new", "--name", "carol", "--role", "operator", "--out", OperatorKey()})
                  .exit_code,
              0);
    carol_ = Json::parse(ReadFileOrDie(base_ / "prodgate_operator/carol.pub.json"))["id"];
    ASSERT_EQ(As(kOwner, {"trust", "add", base_ / "prodgate_owner/alice.pub.json"}).exit_code, 0);
    for (std::string pub :
         {base_ / "prodgate_operator/carol.pub.json", base_ / "prodgate_agent/agent.pub.json"}) {
      RunResult t = As(kOwner, {"trust", "add", pub, "--key", OwnerKey()});
      ASSERT_EQ(t.exit_code, 0) << t.err;
    }
    // The operator rehearses the change on a clone of its own and signs the result.
    RunResult s = As(
        kOperator, {"surrogate", "--spec", base_ / "fix7/surrogate.toml", "--seed", "7", "--scale",
                    "1", "--out", "sqlite:" + (base_ / "prodgate_operator/clone.db")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    RunResult r = As(
        kOperator, {"rehearse", "--target", "sqlite:" + (base_ / "prodgate_operator/clone.db"),
                    "--apply", base_ / "fix7/apply.sql", "--rollback", base_ / "fix7/rollback.sql",
                    "--out", base_ / "prodgate_operator/rehearsal", "--production",
                    "prod=sqlite:/srv/directus/data.db", "--key", OperatorKey(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    change_ = JsonOut(r)["change"];
    RunResult g = As(kOwner, {"grant", "issue", "--action", "cutover", "--scope", "production",
                              "--change", change_, "--key", OwnerKey()});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    // The owner makes the anchor; root installs it.
    RunResult a = As(kOwner, {"anchor", "create", "--out", base_ / "prodgate_owner/anchor.json"});
    ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
    fs::copy_file(base_ / "prodgate_owner/anchor.json", Anchor());
    ::chown(Anchor().c_str(), 0, 0);
    ::chmod(Anchor().c_str(), 0644);
  }
  void TearDown() override { ::unsetenv("PRODGATE_ANCHOR_DIR"); }

  void Own(const std::string& dir, const char* user, mode_t mode) {
    fs::create_directories(dir);
    passwd* pw = ::getpwnam(user);
    ASSERT_NE(pw, nullptr);
    ASSERT_EQ(::chown(dir.c_str(), pw->pw_uid, pw->pw_gid), 0);
    ::chmod(dir.c_str(), mode);
  }
  std::string OwnerKey() const { return base_ / "prodgate_owner/alice.pem"; }
  std::string OperatorKey() const { return base_ / "prodgate_operator/carol.pem"; }
  std::string Anchor() const { return base_ / "anchors/anchor.json"; }

  // prodgate as `user`, in the workspace, on the team ledger (or `ledger`), with that user's
  // own verifier state.
  RunResult As(const std::string& user, std::vector<std::string> args,
               const std::string& ledger = "") {
    std::string state = base_ / (user + "/state");
    std::vector<std::string> argv = {"runuser",
                                     "-u",
                                     user,
                                     "--",
                                     "env",
                                     "PRODGATE_STATE_DIR=" + state,
                                     "PRODGATE_ANCHOR_DIR=" + (base_ / "no-anchors"),
                                     PRODGATE_BIN,
                                     "--ledger",
                                     ledger.empty() ? ledger_ : ledger};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, base_ / "ws");
  }
  // SQL as the agent's own role, through psql.
  RunResult AgentSql(const std::string& sql) {
    return RunCommand(
        {"runuser", "-u", kAgent, "--", "psql", "-X", "-v", "ON_ERROR_STOP=1", "-h",
         cluster_->dir(), "-p", std::to_string(PgCluster::kPort), "-d", "ledger", "-c", sql},
        base_.path());
  }
  Json GateCheck(int expect, const std::string& ledger = "") {
    RunResult r = As(kOperator,
                     {"--anchor", Anchor(), "gate", "check", "--action", "cutover", "--scope",
                      "production", "--change", change_, "--executor", carol_, "--json"},
                     ledger);
    EXPECT_EQ(r.exit_code, expect) << r.out << r.err;
    return JsonOut(r);
  }
  RunResult GateRun(const std::string& marker, const std::string& ledger = "") {
    return As(kOperator,
              {"--anchor", Anchor(), "gate", "run", "--action", "cutover", "--scope", "production",
               "--change", change_, "--key", OperatorKey(), "--", "touch", marker},
              ledger);
  }
  static bool Has(const Json& g, const std::string& code) {
    for (const auto& r : g["reasons"])
      if (r["code"] == code) return true;
    return false;
  }

  ScratchDir base_;
  std::unique_ptr<PgCluster> cluster_;
  std::string ledger_, change_, carol_;
};

TEST_F(ProtectedLedger, TheOperatorRunsOnceAndTheAgentCannotGiveTheUseBack) {
  RunResult verify = As(kAgent, {"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("postgresql-protected"), std::string::npos) << verify.out;
  // The control: allowed, from the protected ledger, vouched for by the anchor.
  Json allowed = GateCheck(0);
  EXPECT_EQ(allowed["ledger"]["kind"], "postgresql-protected") << allowed.dump();
  EXPECT_TRUE(allowed["ledger"]["cannot_protect_against"].empty()) << allowed.dump();
  EXPECT_EQ(allowed["anchor"], Anchor());
  std::string first = base_ / "prodgate_operator/first";
  RunResult run = GateRun(first);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(fs::exists(first));

  // The agent, at the server, as its own (writer) role.
  for (const char* sql : {"DELETE FROM prodgate.events WHERE kind = 'action.intent'",
                          "UPDATE prodgate.events SET doc = doc WHERE kind = 'action.intent'",
                          "TRUNCATE prodgate.events",
                          "INSERT INTO prodgate.events VALUES (999, 'x', 'y', 'z', '{}')"}) {
    RunResult r = AgentSql(sql);
    EXPECT_NE(r.exit_code, 0) << sql << ": " << r.out;
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << sql << ": " << r.err;
  }
  // The append function itself refuses an event that does not follow the head.
  RunResult forged =
      AgentSql("SELECT prodgate.append('{\"seq\":3,\"prev\":\"" + std::string(64, '0') +
               "\",\"hash\":\"x\"}', '{\"seq\":3,\"prev\":\"" + std::string(64, '0') + "\"}')");
  EXPECT_NE(forged.exit_code, 0);
  EXPECT_NE(forged.err.find("does not follow the head"), std::string::npos) << forged.err;
  // The cache the writers may write changes no decision.
  ASSERT_EQ(AgentSql("UPDATE prodgate.projections SET doc = replace(doc, '\"used\":1', "
                     "'\"used\":0') WHERE tbl = 'grants'")
                .exit_code,
            0);
  std::string second = base_ / "prodgate_operator/second";
  RunResult again = GateRun(second);
  EXPECT_EQ(again.exit_code, 124) << again.out << again.err;
  EXPECT_NE(again.err.find("grant_used_up"), std::string::npos) << again.err;
  EXPECT_FALSE(fs::exists(second));
  // Even the superuser meets the triggers (it could drop them: that is the break-glass path).
  EXPECT_FALSE(cluster_->Exec("ledger", "DELETE FROM prodgate.events WHERE seq = 1").ok());
}

TEST_F(ProtectedLedger, AWorkspaceOfTheAgentsOwnIsNotTheAnchoredOne) {
  // The agent re-initialises the workspace on a local ledger it controls, with an owner key
  // of its own, a grant and a rehearsal of its own.
  fs::rename(base_ / "ws/.prodgate", base_ / "ws/.prodgate.team");
  std::string local = "sqlite:" + (base_ / "ws/.prodgate/ledger.db");
  RunResult init = As(kAgent, {"init", "."}, local);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  ASSERT_EQ(As(kAgent,
               {"key", "new", "--name", "mallory", "--role", "owner", "--out",
                base_ / "prodgate_agent/mallory.pem"},
               local)
                .exit_code,
            0);
  ASSERT_EQ(
      As(kAgent, {"trust", "add", base_ / "prodgate_agent/mallory.pub.json"}, local).exit_code, 0);
  ASSERT_EQ(As(kAgent,
               {"grant", "issue", "--action", "cutover", "--scope", "production", "--change",
                change_, "--key", base_ / "prodgate_agent/mallory.pem"},
               local)
                .exit_code,
            0);
  // The operator, pointed at the agent's ledger (a CI file the agent edited).
  Json g = GateCheck(1, local);
  EXPECT_TRUE(Has(g, "workspace_not_anchored")) << g.dump();
  EXPECT_TRUE(Has(g, "ledger_unprotected")) << g.dump();
  std::string marker = base_ / "prodgate_operator/ran";
  RunResult run = GateRun(marker, local);
  EXPECT_EQ(run.exit_code, 124) << run.out << run.err;
  EXPECT_NE(run.err.find("workspace_not_anchored"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("executor_untrusted"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(marker));
  // The team's ledger is untouched by all this: its chain still decides, and allows.
  GateCheck(0);
}

}  // namespace
}  // namespace prodgate::testing
