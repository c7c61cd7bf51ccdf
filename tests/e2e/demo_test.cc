// The main job as a test: `prodgate demo` runs the whole FIX7 story and checks each of its
// own steps; here we check what it leaves behind, from the files, not from its summary.
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TEST(Demo, TheFix7StoryRunsAndEveryArtifactSaysWhatTheSummarySays) {
  ScratchDir dir;
  std::string w = dir / "demo";
  RunResult r = Prodgate({"demo", "--dir", w}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PACKET_TREE MATCH"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cutover in production: HOLD"), std::string::npos) << r.out;
  Json rehearsal = Json::parse(ReadFileOrDie(w + "/rehearsal/rehearsal.json"));
  EXPECT_EQ(rehearsal["verdict"], "PASS");
  EXPECT_EQ(rehearsal["before"], rehearsal["after_rollback"]);
  Json lane = Json::parse(ReadFileOrDie(w + "/lane/lane-report.json"));
  EXPECT_EQ(lane["final_status"], "FIX7_P0_SHAPED_CLONE_REHEARSAL_PASSED_NOT_APPLIED");
  EXPECT_EQ(lane["production_mutation"], false);
  EXPECT_EQ(lane["self_check"]["rollback_restores_expected_state"], true);
  EXPECT_EQ(lane["self_check"]["negative_control_fails_closed"], true);
  Json map = Json::parse(ReadFileOrDie(w + "/lane/blocker-map.json"));
  EXPECT_EQ(map["open_count"], 7);
  EXPECT_TRUE(fs::exists(w + "/lane/decision-packet.md"));
  // The roles at work, from the ledger: the owner's signed selection closed the owner's
  // blocker; the agent's close was refused and recorded; the operator attested the rehearsal.
  RunResult log = Prodgate({"ledger", "log", "--json"}, w);
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::map<std::string, std::string> role_of;
  for (const auto& who : {"owner", "operator", "agent"}) {
    role_of[Json::parse(ReadFileOrDie(w + "/keys/" + who + ".pub.json"))["id"]] = who;
  }
  std::set<std::string> seen;
  std::istringstream lines(log.out);
  for (std::string line; std::getline(lines, line);) {
    Json e = Json::parse(line);
    std::string who = role_of.count(e["actor"]) ? role_of[e["actor"]] : "unsigned";
    if (e["kind"] == "decision.select") {
      EXPECT_EQ(who, "owner");
      EXPECT_EQ(e["body"]["closes"], Json::array({"FIX7-P0-CLONE-REHEARSAL-AUTH-1"}));
    }
    seen.insert(std::string(e["kind"]) + " by " + who);
  }
  for (const char* want : {"decision.select by owner", "refused.blocker_close by agent",
                           "refused.decision_select by agent", "rehearsal.result by operator",
                           "blocker.propose_close by agent"}) {
    EXPECT_TRUE(seen.count(want)) << want;
  }
  Json owners =
      JsonOut(Prodgate({"blocker", "show", "FIX7-P0-CLONE-REHEARSAL-AUTH-1", "--json"}, w));
  EXPECT_EQ(owners["status"], "CLOSED");
  EXPECT_FALSE(fs::exists(w + "/production-was-touched"));
  // The surrogate is production-shaped at scale: at least 100 k rows.
  RunResult h = Prodgate({"db", "hash", "sqlite:" + w + "/clone.db", "--json"}, dir.path());
  Json hash = JsonOut(h);
  uint64_t rows = 0;
  for (const auto& t : hash["tables"]) rows += t["rows"].get<uint64_t>();
  EXPECT_GE(rows, 100000u);
  // The packets verify here too, independently of the demo.
  EXPECT_EQ(Prodgate({"packet", "verify", w + "/packets/rehearsal"}, dir.path()).exit_code, 0);
  EXPECT_EQ(Prodgate({"packet", "verify", w + "/lane/packet"}, dir.path()).exit_code, 0);
}

TEST(Demo, RefusesADirectoryThatIsNotEmpty) {
  ScratchDir dir;
  WriteFile(dir / "x/keep.txt", "mine\n");
  RunResult r = Prodgate({"demo", "--dir", dir / "x"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(ReadFileOrDie(dir / "x/keep.txt"), "mine\n");
}

}  // namespace
}  // namespace prodgate::testing
