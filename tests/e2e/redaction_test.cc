// A password in a target or a command line reaches nothing prodgate prints, writes or
// records: every command that takes a target is run with one, in each form libpq reads and in
// forms it cannot read, and stdout, stderr, every file under the workspace and the whole
// ledger are searched for it.
#include <fmt/format.h>
#include <gtest/gtest-spi.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/workspace.h"
#include "tests/pg_cluster.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

// Distinct enough that it cannot appear by chance, and a different one per place so a hit
// names where it came from.
constexpr const char* kUserinfo = "Uinfo7qZ";
constexpr const char* kQuery = "Qparam4mW";
constexpr const char* kKeyword = "Kword9xR";
constexpr const char* kBroken = "Broken3vT";
constexpr const char* kArgv = "Argv5pL";
constexpr const char* kMore = "More8kJ";
const char* const kSecrets[] = {kUserinfo, kQuery, kKeyword, kBroken, kArgv, kMore};

const std::string kExamples = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/";

class Redaction : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    auto cluster = SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = *cluster;
  }
  std::string Database() { return fmt::format("redact_{}_{}", ::getpid(), ++n_); }
  // The three forms libpq reads, each with a password (the test cluster trusts its private
  // socket, so libpq is never asked for it and the target connects).
  std::string WithUserinfo(const std::string& db) {
    std::string uri = cluster_->Uri(db);  // postgresql://prodgate@/db?host=…
    return uri.replace(uri.find('@'), 1, fmt::format(":{}@", kUserinfo));
  }
  std::string WithQuery(const std::string& db) { return cluster_->Uri(db) + "&password=" + kQuery; }
  std::string WithKeyword(const std::string& db) {
    return fmt::format("postgresql:{} password='{} x'", cluster_->KeywordString(db), kKeyword);
  }
  std::string Form(int form, const std::string& db) {
    return form == 0 ? WithUserinfo(db) : form == 1 ? WithQuery(db) : WithKeyword(db);
  }
  // Forms libpq cannot parse, or that name no engine, each holding a password.
  std::vector<std::string> Broken(const std::string& db) {
    return {fmt::format("postgresql:{} password={} dbname", cluster_->KeywordString(db), kBroken),
            fmt::format("postgresql://prodgate:{}@[::1/{}", kBroken, db),
            fmt::format("postgresql:host=h {}", kBroken),
            fmt::format("mysql://root:{}@h/{}", kBroken, db),
            fmt::format("host=h password={} dbname={}", kBroken, db)};
  }
  // Runs a command and keeps what it printed for the search.
  RunResult Run(std::vector<std::string> args) {
    RunResult r = Pg(args);
    printed_ += r.out + r.err;
    return r;
  }
  // Every place a secret could have gone: what was printed, every file under the test's
  // directory (the workspace, its ledger and the rehearsals' outputs), the exported ledger.
  void ExpectNoSecretAnywhere() {
    RunResult exported = Pg({"ledger", "export"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    std::vector<std::pair<std::string, std::string>> places = {{"printed", printed_},
                                                               {"ledger export", exported.out}};
    for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      places.push_back({e.path().string(), std::string(std::istreambuf_iterator<char>(in), {})});
    }
    ASSERT_GT(places.size(), 5u);
    for (const auto& [where, text] : places) {
      for (const char* secret : kSecrets) {
        size_t at = text.find(secret);
        EXPECT_EQ(at, std::string::npos) << secret << " found in " << where << ": …"
                                         << text.substr(at < 80 ? 0 : at - 80, 160) << "…";
      }
    }
  }

  PgCluster* cluster_ = nullptr;
  std::string printed_;
  static inline int n_ = 0;
};

TEST_F(Redaction, NoCommandTakingATargetPrintsWritesOrRecordsItsPassword) {
  std::string prod = Database();
  ASSERT_TRUE(cluster_->CreateDatabase(prod).ok());
  int i = 0;
  for (int form = 0; form < 3; ++form) {
    std::string db = Database();
    std::string target = Form(form, db);
    std::string production = "prod=" + Form(form, prod);
    SCOPED_TRACE(target);
    RunResult made =
        Run({"surrogate", "--spec", kExamples + "surrogate.toml", "--seed", "1", "--out", target});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_EQ(Run({"db", "hash", target}).exit_code, 0);
    EXPECT_EQ(Run({"db", "hash", target, "--json"}).exit_code, 0);
    EXPECT_EQ(Run({"db", "diff", target, target}).exit_code, 0);
    Run({"db", "snapshot", target, dir_ / fmt::format("snapshot-{}", form)});
    Run({"--ledger", target, "ledger", "verify"});  // no ledger there: its error names it
    EXPECT_EQ(Run({"clone", "check", target, "--production", production}).exit_code, 0);
    EXPECT_EQ(Run({"clone", "check", target, "--production", production, "--json"}).exit_code, 0);
    std::string out = dir_ / fmt::format("rehearsal-{}", ++i);
    RunResult rehearsed = Run({"rehearse", "--target", target, "--apply", kExamples + "apply.sql",
                               "--rollback", kExamples + "rollback.sql", "--out", out,
                               "--production", production, "--key", Key("carol"), "--json"});
    EXPECT_EQ(rehearsed.exit_code, 0) << rehearsed.out << rehearsed.err;
    // The target bound by a grant, checked by the gate and recorded by a run; the command
    // line carries secrets too.
    std::string grant = Issue({"--action", "apply", "--scope", "clone", "--target", target});
    EXPECT_FALSE(grant.empty());
    EXPECT_EQ(Run({"gate", "check", "--action", "apply", "--scope", "clone", "--target", target,
                   "--json"})
                  .exit_code,
              0);
    RunResult ran =
        Run({"gate", "run", "--action", "apply", "--scope", "clone", "--target", target, "--key",
             Key("carol"), "--report", dir_ / fmt::format("run-{}.json", i), "--", "env",
             std::string("PGPASSWORD=") + kArgv, "true", "--password", kArgv});
    EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
    // A command that cannot start, named by its secret.
    Run({"gate", "run", "--action", "apply", "--scope", "clone", "--target", target, "--key",
         Key("carol"), "--", std::string("MY_TOKEN=") + kArgv});
  }
  // The ledger records the targets as shown, so a grant's target and the gate's still match
  // (the run above was allowed), and the forms libpq reads are still recognisable.
  RunResult log = Pg({"ledger", "log", "--json", "--kind", "action.intent"});
  EXPECT_NE(log.out.find("PGPASSWORD=***"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("\"target\":\"postgresql:dbname="), std::string::npos) << log.out;
  ExpectNoSecretAnywhere();
}

TEST_F(Redaction, ATargetLibpqCannotParseIsNeverEchoed) {
  for (const std::string& target : Broken(Database())) {
    SCOPED_TRACE(target);
    EXPECT_EQ(Run({"db", "hash", target}).exit_code, 2);
    EXPECT_EQ(Run({"db", "diff", target, "sqlite:x.db"}).exit_code, 2);
    EXPECT_EQ(Run({"db", "snapshot", target, dir_ / "snap"}).exit_code, 2);
    EXPECT_EQ(Run({"clone", "check", target}).exit_code, 2);
    EXPECT_EQ(Run({"clone", "check", "sqlite:x.db", "--production", "p=" + target}).exit_code, 2);
    EXPECT_EQ(Run({"rehearse", "--target", target, "--apply", kExamples + "apply.sql", "--rollback",
                   kExamples + "rollback.sql", "--out", dir_ / "never"})
                  .exit_code,
              2);
    EXPECT_EQ(Run({"surrogate", "--spec", kExamples + "surrogate.toml", "--out", target}).exit_code,
              2);
    EXPECT_NE(Run({"--ledger", target, "ledger", "verify"}).exit_code, 0);
    // The gate takes a target as a name it compares; it is shown as redacted, never as typed.
    Run({"gate", "check", "--action", "apply", "--scope", "clone", "--target", target, "--json"});
    Run({"grant", "issue", "--action", "apply", "--scope", "clone", "--target", target, "--key",
         Key("alice")});
  }
  // The negative control: the search finds a secret where one is.
  printed_ += kBroken;
  EXPECT_NONFATAL_FAILURE(ExpectNoSecretAnywhere(), kBroken);
  printed_.clear();
  ExpectNoSecretAnywhere();
}

// What a red team found past the first version of the redaction, each closed.
TEST_F(Redaction, TheFormsARedTeamFoundStayClosed) {
  const std::string m = kMore;
  std::string prod = "postgresql://app:" + m + "@/prod?host=/nonexistent-prodgate";
  // A production target without NAME=: its name is the target, printed and recorded.
  Run({"clone", "check", "sqlite:none.db", "--production", prod, "--json"});
  // A decision's grant target is recorded with the decision: as bound, without a password.
  // The input file is the user's, outside the directory searched.
  ScratchDir inputs;
  WriteFile(inputs / "dec.toml",
            "id = \"D1\"\ntitle = \"t\"\nsummary = \"s\"\nrecommendation = \"r\"\n"
            "[[options]]\nid = \"HOLD\"\nsummary = \"hold\"\ndefault = true\nhold = true\n"
            "[[options]]\nid = \"GO\"\nsummary = \"go\"\ngrants = [{ action = \"apply\", "
            "scope = \"clone\", target = \"postgresql://app:" +
                m + "@db.internal/prod\" }]\n");
  EXPECT_EQ(Run({"decision", "new", "--file", inputs / "dec.toml"}).exit_code, 0);
  // One whose password cannot be taken out faithfully is refused, and nothing is recorded.
  WriteFile(inputs / "dec2.toml",
            "id = \"D2\"\ntitle = \"t\"\nsummary = \"s\"\nrecommendation = \"r\"\n"
            "[[options]]\nid = \"HOLD\"\nsummary = \"hold\"\ndefault = true\nhold = true\n"
            "[[options]]\nid = \"GO\"\nsummary = \"go\"\ngrants = [{ action = \"apply\", "
            "scope = \"clone\", target = \"postgresql://app:pa/" +
                m + "@db.internal/prod\" }]\n");
  std::string head = Head();
  EXPECT_EQ(Run({"decision", "new", "--file", inputs / "dec2.toml"}).exit_code, 2);
  EXPECT_EQ(Head(), head) << "a refused decision was recorded";
  // Ledger locations that are neither PostgreSQL nor a plain file name.
  for (const std::string& where :
       {"POSTGRESQL://u:" + m + "@db/x", " postgresql://u:" + m + "@db/x",
        "Postgresql:host=db password=" + m}) {
    EXPECT_EQ(Run({"--ledger", where, "ledger", "verify"}).exit_code, 2) << where;
    EXPECT_EQ(Run({"--ledger", where, "init", dir_ / "other"}).exit_code, 2) << where;
  }
  // Targets whose password libpq reads elsewhere than the redaction looks.
  for (const std::string& t :
       {"postgresql://u:" + m + "/x@nonexistent.invalid/db",
        "postgresql://u:p@" + m + "@nonexistent.invalid/db", "postgresql://u:" + m + "@[::1]\"/db",
        "Postgresql://u:" + m + "?x@h/db"}) {
    EXPECT_NE(Run({"db", "hash", t}).exit_code, 0) << t;
    EXPECT_NE(Run({"--ledger", t, "ledger", "verify"}).exit_code, 0) << t;
    EXPECT_EQ(Run({"grant", "issue", "--action", "apply", "--scope", "clone", "--target", t,
                   "--key", Key("alice")})
                  .exit_code,
              2)
        << t;
  }
  // A target whose password cannot be taken out faithfully is refused before it is used: its
  // host, port or database name would be pieces of the password.
  EXPECT_EQ(Run({"clone", "check", "sqlite:none.db", "--production",
                 "prod=postgresql://admin:Pa55/w0rd" + m + "@prod.example/app", "--json"})
                .exit_code,
            2);
  EXPECT_EQ(Run({"surrogate", "--spec", kExamples + "surrogate.toml", "--out",
                 "postgresql://postgres:Pa55/w0rd" + m + "@/app?host=/nonexistent-prodgate"})
                .exit_code,
            2);
  // Command lines.
  Issue({"--action", "apply", "--scope", "clone", "--uses", "10"});
  const std::vector<std::vector<std::string>> commands = {
      {"true", "-c", "ALTER ROLE app PASSWORD '" + m + "'"},
      {"true", "-H", "Authorization: Bearer " + m},
      {"true", "{\"password\":\"" + m + "\"}"},
      {"true", "https://user:" + m + "/x@host/x"},
      {"true", "--passphrase", m},
      {"sh", "-c", "true --password=" + m},
      {"psql -c \"ALTER ROLE x PASSWORD '" + m + "'\""},  // cannot start: its spawn error
  };
  for (auto cmd : commands) {
    std::vector<std::string> args = {"gate",  "run",   "--action",   "apply", "--scope",
                                     "clone", "--key", Key("carol"), "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    Run(args);
  }
  ExpectNoSecretAnywhere();
  EXPECT_FALSE(fs::exists(dir_ / "other")) << "a refused ledger location created a workspace";
}

}  // namespace
}  // namespace prodgate::testing
