// Lanes through the binary: authority while open, flags and status derived from the
// ledger, and what closing writes (report, map, decision packet, evidence packet).
#include <filesystem>

#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const char* kDecision = R"(id = "LANE-DECISION"
title = "What the lane may do"
[[options]]
id = "HOLD_PRODUCTION"
summary = "do nothing further"
default = true
hold = true
[[options]]
id = "AUTHORIZE_CLONE_REHEARSAL_ONLY"
summary = "rehearse on a clone"
grants = [{ action = "rehearse", scope = "clone", uses = 3 }]
[[options]]
id = "AUTHORIZE_CI_DEPLOY"
summary = "deploy through production CI"
grants = [{ action = "ci_deploy", scope = "production-ci", uses = 1 }]
)";

class LaneTest : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    WriteFile(dir_ / "decision.toml", kDecision);
    ASSERT_EQ(Pg({"blocker", "import", Seed("001")}).exit_code, 0);
    ASSERT_EQ(Pg({"decision", "new", "--file", dir_ / "decision.toml"}).exit_code, 0);
  }
  void Select(const std::string& option) {
    RunResult r =
        Pg({"decision", "select", "LANE-DECISION", "--option", option, "--key", Key("alice")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  Json Report(const std::string& out) {
    return Json::parse(ReadFileOrDie(out + "/lane-report.json"));
  }
};

TEST_F(LaneTest, OpensOnlyUnderTheSelectedOption) {
  ExpectRefused({"lane", "open", "L1", "--decision", "LANE-DECISION", "--option",
                 "AUTHORIZE_CLONE_REHEARSAL_ONLY"},
                2, "no selected option");
  Select("AUTHORIZE_CLONE_REHEARSAL_ONLY");
  ExpectRefused(
      {"lane", "open", "L1", "--decision", "LANE-DECISION", "--option", "AUTHORIZE_CI_DEPLOY"}, 2,
      "selected AUTHORIZE_CLONE_REHEARSAL_ONLY");
  ASSERT_EQ(Pg({"lane", "open", "L1", "--decision", "LANE-DECISION", "--option",
                "AUTHORIZE_CLONE_REHEARSAL_ONLY"})
                .exit_code,
            0);
  ExpectRefused({"lane", "open", "L2", "--decision", "LANE-DECISION", "--option",
                 "AUTHORIZE_CLONE_REHEARSAL_ONLY"},
                2, "lane L1 is open");
}

TEST_F(LaneTest, WhileOpenOnlyTheOptionsActionsPass) {
  Select("AUTHORIZE_CLONE_REHEARSAL_ONLY");
  ASSERT_EQ(Pg({"lane", "open", "L1", "--decision", "LANE-DECISION", "--option",
                "AUTHORIZE_CLONE_REHEARSAL_ONLY"})
                .exit_code,
            0);
  // A grant outside the lane's authority exists, but the lane holds it.
  Issue({"--action", "apply", "--scope", "clone"});
  Json held = Gate({"--action", "apply", "--scope", "clone"}, 1);
  EXPECT_TRUE(Has(Codes(held), "lane_authority")) << held.dump();
  std::string marker = dir_ / "ran";
  RunResult refused =
      Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker});
  EXPECT_EQ(refused.exit_code, 124);
  EXPECT_FALSE(fs::exists(marker));
  // The option's own grant passes.
  RunResult ok =
      Pg({"gate", "run", "--action", "rehearse", "--scope", "clone", "--", "touch", marker});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(marker));
  // Production holds for the lane too (and for everything else).
  Json prod =
      Gate({"--action", "cutover", "--scope", "production", "--change", std::string(64, 'c')}, 1);
  EXPECT_TRUE(Has(Codes(prod), "lane_authority"));
  // The refused run is in the lane's report: an attempt beyond its authority, which ran nothing.
  Json status = JsonOut(Pg({"lane", "status", "--json"}));
  ASSERT_EQ(status["authority_violations"].size(), 1u) << status.dump();
  const Json& v = status["authority_violations"][0];
  EXPECT_EQ(v["kind"], "refused.gate_run");
  EXPECT_EQ(v["refused"], true);
  EXPECT_EQ(v["action"], "apply");
  EXPECT_NE(std::find(v["codes"].begin(), v["codes"].end(), "lane_authority"), v["codes"].end());
  EXPECT_EQ(status["self_check"]["stayed_within_lane_authority"], false);
  EXPECT_EQ(status["final_status"].get<std::string>().find("AUTHORITY_VIOLATED"), std::string::npos)
      << "nothing ran beyond the lane's authority";
  // Control: once the lane is closed, the apply grant passes again.
  ASSERT_EQ(Pg({"lane", "close", "--out", dir_ / "out"}).exit_code, 0);
  Gate({"--action", "apply", "--scope", "clone"}, 0);
}

TEST_F(LaneTest, ReportFlagsAndStatusFollowTheRecordedActions) {
  Select("AUTHORIZE_CI_DEPLOY");
  ASSERT_EQ(
      Pg({"lane", "open", "L1", "--decision", "LANE-DECISION", "--option", "AUTHORIZE_CI_DEPLOY"})
          .exit_code,
      0);
  RunResult before = Pg({"lane", "status", "--json"});
  Json r0 = JsonOut(before);
  EXPECT_EQ(r0["live_production_contact"], false);
  EXPECT_EQ(r0["final_status"], "L1_NO_REHEARSAL_NOT_APPLIED");
  // A production-CI deploy runs inside the lane (the blockers of seed 001 do not hold
  // production-ci deploys except FIX7-P0-PROD-CI-SCOPE-1: close it with evidence first).
  WriteFile(dir_ / "ci-proof/adoption.md", "CI gate adopted in a throwaway branch, reviewed\n");
  ASSERT_EQ(Pg({"seal", dir_ / "ci-proof"}).exit_code, 0);
  ASSERT_EQ(Pg({"evidence", "add", dir_ / "ci-proof"}).exit_code, 0);
  std::string root = Json::parse(ReadFileOrDie(dir_ / "ci-proof/prodgate.seal.json"))["root"];
  // Needs CI adoption, by owner or operator (seed 001): the operator closes it.
  RunResult closed = Pg(
      {"blocker", "close", "FIX7-P0-PROD-CI-SCOPE-1", "--evidence", root, "--key", Key("carol")});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  RunResult deploy =
      Pg({"gate", "run", "--action", "ci_deploy", "--scope", "production-ci", "--", "true"});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  Json r1 = JsonOut(Pg({"lane", "status", "--json"}));
  EXPECT_EQ(r1["live_production_contact"], true);
  EXPECT_EQ(r1["production_ci_deploy_triggered"], true);
  EXPECT_EQ(r1["production_mutation"], false);
  EXPECT_EQ(r1["self_check"]["avoided_ci_deploy_trigger"], false);
  EXPECT_EQ(r1["final_status"], "L1_PRODUCTION_TOUCHED");
  EXPECT_EQ(r1["production_blocker_map"]["newly_closed"], Json{"FIX7-P0-PROD-CI-SCOPE-1"});
  ASSERT_EQ(Pg({"lane", "close", "--out", dir_ / "out"}).exit_code, 0);
  Json map = Json::parse(ReadFileOrDie(dir_ / "out/blocker-map.json"));
  EXPECT_EQ(map["open_count"], 6);
  EXPECT_EQ(map["newly_closed_in_this_macro"], Json{"FIX7-P0-PROD-CI-SCOPE-1"});
}

TEST_F(LaneTest, CloseWritesReportMapDecisionPacketAndAPacketThatVerifiesAndReruns) {
  Select("AUTHORIZE_CLONE_REHEARSAL_ONLY");
  ASSERT_EQ(Pg({"lane", "open", "L1", "--decision", "LANE-DECISION", "--option",
                "AUTHORIZE_CLONE_REHEARSAL_ONLY"})
                .exit_code,
            0);
  WriteFile(dir_ / "ev/report.txt", "surrogate rehearsal report\n");
  ASSERT_EQ(Pg({"seal", dir_ / "ev"}).exit_code, 0);
  ASSERT_EQ(Pg({"evidence", "add", dir_ / "ev"}).exit_code, 0);
  std::string out = dir_ / "out";
  RunResult close = Pg({"lane", "close", "--out", out});
  ASSERT_EQ(close.exit_code, 0) << close.err;
  Json report = Report(out);
  EXPECT_EQ(report["final_status"], "L1_NO_REHEARSAL_NOT_APPLIED");
  EXPECT_EQ(report["delegated_decision_consumed"], "AUTHORIZE_CLONE_REHEARSAL_ONLY");
  EXPECT_EQ(report["self_check"]["avoided_production_mutation"], true);
  EXPECT_NE(ReadFileOrDie(out + "/decision-packet.md")
                .find("Selected: **AUTHORIZE_CLONE_REHEARSAL_ONLY**"),
            std::string::npos);
  RunResult verify = Pg({"packet", "verify", out + "/packet", "--json"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunResult rerun = Pg({"packet", "rerun", out + "/packet"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_NE(rerun.out.find("PACKET_TREE MATCH"), std::string::npos) << rerun.out;
  ExpectRefused({"lane", "close", "--out", dir_ / "out2"}, 2, "no lane is open");
}

}  // namespace
}  // namespace prodgate::testing
