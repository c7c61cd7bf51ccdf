// The FIX7 example (examples/fix7/): on a surrogate, apply.sql changes the logical hash,
// rollback.sql restores it exactly, a second apply gives the first apply's hash, and the
// broken rollback (the negative control) leaves a difference that `db diff` names.
#include <filesystem>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

std::string Example(const std::string& f) {
  return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/" + f;
}

class Fix7 : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "fix7.db";
    RunResult r = Prodgate(
        {"surrogate", "--spec", Example("surrogate.toml"), "--seed", "7", "--out", "sqlite:" + db_},
        dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void Run(const std::string& sql_file) {
    RunResult r = Shell("sqlite3 -bail fix7.db < '" + Example(sql_file) + "'", dir_.path());
    ASSERT_EQ(r.exit_code, 0) << sql_file << ": " << r.err;
  }
  nlohmann::json Hash() {
    RunResult r = Prodgate({"db", "hash", "sqlite:fix7.db", "--json"}, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return JsonOut(r);
  }
  ScratchDir dir_;
  std::string db_;
};

TEST_F(Fix7, RollbackRestoresTheHashExactly) {
  auto before = Hash();
  fs::copy_file(db_, dir_ / "before.db");
  Run("apply.sql");
  auto applied = Hash();
  EXPECT_NE(applied["root"], before["root"]);  // the apply changed something
  EXPECT_EQ(applied["tables"]["birth_registry"]["rows"], 494 + 13);
  EXPECT_EQ(applied["tables"]["os_proposal_approvals"]["rows"],
            before["tables"]["os_proposal_approvals"]["rows"].get<int>() + 13);
  Run("rollback.sql");
  auto rolled_back = Hash();
  EXPECT_EQ(rolled_back["root"], before["root"]);
  EXPECT_EQ(rolled_back["tables"], before["tables"]);
  // The counters remember the apply; they are reported apart and are not in the root.
  EXPECT_EQ(rolled_back["sequences"]["birth_registry"], 507);
  EXPECT_EQ(before["sequences"]["birth_registry"], 494);
  // A second apply gives the first apply's state.
  Run("apply.sql");
  EXPECT_EQ(Hash()["root"], applied["root"]);
  // And db diff agrees with the hashes.
  Run("rollback.sql");
  RunResult d = Prodgate({"db", "diff", "sqlite:before.db", "sqlite:fix7.db"}, dir_.path());
  EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
}

TEST_F(Fix7, TheBrokenRollbackIsCaught) {
  auto before = Hash();
  fs::copy_file(db_, dir_ / "before.db");
  Run("apply.sql");
  Run("rollback_broken.sql");
  auto after = Hash();
  EXPECT_NE(after["root"], before["root"]);
  EXPECT_EQ(after["tables"]["os_proposal_approvals"], before["tables"]["os_proposal_approvals"]);
  EXPECT_NE(after["tables"]["birth_registry"]["digest"],
            before["tables"]["birth_registry"]["digest"]);
  RunResult d =
      Prodgate({"db", "diff", "sqlite:before.db", "sqlite:fix7.db", "--json"}, dir_.path());
  EXPECT_EQ(d.exit_code, 1) << d.err;
  auto j = JsonOut(d);
  EXPECT_EQ(j["tables"].size(), 1u);
  EXPECT_EQ(j["tables"]["birth_registry"]["inserted"], 1);
  EXPECT_EQ(j["tables"]["birth_registry"]["samples"][0]["key"][0], "id=507");
}

TEST_F(Fix7, TheSurrogateIsACleanProductionShapedClone) {
  RunResult r = Prodgate({"clone", "check", "sqlite:fix7.db", "--schema", Example("schema.toml"),
                          "--production", "directus-prod=sqlite:/srv/directus/data.db", "--raw"},
                         dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace prodgate::testing
