// `prodgate probes` through the binary: the whole suite fails closed with its control
// allowed and nothing leaked; --only runs one probe; bad input exits 2. (The classifier's
// own negative controls — exit 0, wrong reason, a token printed — are unit tests beside
// it: src/probes/classify_test.cc.)
#include <filesystem>
#include <set>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

using Json = nlohmann::json;

TEST(Probes, EveryProbeFailsClosedTheControlIsAllowedAndNothingLeaks) {
  ScratchDir dir;
  // Its scratch fixtures go under $TMPDIR: here, to see that they are removed.
  std::string tmp = dir / "tmp";
  std::filesystem::create_directories(tmp);
  RunResult r = RunCommand({"env", "TMPDIR=" + tmp, PRODGATE_BIN, "probes", "--json"}, dir.path());
  Json j = JsonOut(r);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(j["format"], "prodgate.probes/1");
  EXPECT_EQ(j["verdict"], "PASS");
  ASSERT_GE(j["probes"].size(), 30u);
  std::set<std::string> names, modules;
  for (const auto& p : j["probes"]) {
    EXPECT_EQ(p["result"], "FAILED_CLOSED") << p.dump();
    names.insert(p["name"].get<std::string>());
    modules.insert(p["module"].get<std::string>());
  }
  // The seeds' ten, by name.
  for (const char* seed :
       {"clone_not_isolated", "clone_points_to_production", "clone_contains_secrets",
        "schema_mismatch_ignored", "apply_did_not_mutate", "rollback_did_not_restore",
        "ci_seal_mismatch_passes", "unicode_byte_drift_passes", "production_pass_from_clone",
        "realrun_qt001_cutover_token"}) {
    EXPECT_TRUE(names.count(seed)) << "no probe " << seed;
  }
  EXPECT_EQ(modules, (std::set<std::string>{"seal", "ledger", "authority", "evidence", "clone",
                                            "rehearse"}));
  EXPECT_EQ(j["control"]["result"], "ALLOWED") << j["control"].dump();
  EXPECT_GT(j["forbidden_token_scan"]["outputs_scanned"].get<int>(), 100);
  EXPECT_TRUE(j["forbidden_token_scan"]["leaks"].empty()) << j["forbidden_token_scan"].dump();
  // The probes clean up after themselves.
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

TEST(Probes, OnlyRunsOneProbeAndTheControl) {
  ScratchDir dir;
  RunResult r = Prodgate({"probes", "--only", "grant_replayed", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = JsonOut(r);
  ASSERT_EQ(j["probes"].size(), 1u);
  EXPECT_EQ(j["probes"][0]["name"], "grant_replayed");
  EXPECT_EQ(j["probes"][0]["result"], "FAILED_CLOSED");
  EXPECT_EQ(j["control"]["result"], "ALLOWED");
  // The text rendering: a table row, the control and the verdict.
  RunResult t = Prodgate({"probes", "--only", "ci_seal_mismatch_passes"}, dir.path());
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find("ci_seal_mismatch_passes"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("FAILED_CLOSED"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("ALLOWED"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("PASS: 1 of 1 probes failed closed"), std::string::npos) << t.out;
}

TEST(Probes, AnUnknownProbeIsBadInput) {
  ScratchDir dir;
  RunResult r = Prodgate({"probes", "--only", "no_such_probe"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no probe named \"no_such_probe\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("clone_not_isolated"), std::string::npos) << r.err;  // the names
  EXPECT_EQ(r.out, "");
}

TEST(Probes, ListNamesEveryProbe) {
  ScratchDir dir;
  RunResult r = Prodgate({"probes", "--list"}, dir.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("realrun_qt001_cutover_token"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace prodgate::testing
