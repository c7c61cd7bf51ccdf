#include "clone/isolation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::clone {
namespace {

using db::testing::Sql;
namespace fs = std::filesystem;

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "a");
    prod_ = dir_ / "a/prod.db";
    clone_ = dir_ / "clone.db";
    Sql(prod_, "CREATE TABLE t(a);");
    Sql(clone_, "CREATE TABLE t(a);");
  }
  std::vector<std::string> Rules(const std::string& target,
                                 const std::vector<ProductionIdentity>& p) {
    auto db = db::OpenTarget("sqlite:" + target, db::OpenMode::kReadOnly);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    auto out = CheckIsolation(**db, p);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    std::vector<std::string> rules;
    for (const auto& f : out->findings) rules.push_back(f.rule);
    return rules;
  }
  prodgate::testing::ScratchDir dir_;
  std::string prod_, clone_;
};

TEST_F(IsolationTest, ADifferentFileIsNotProduction) {
  EXPECT_TRUE(Rules(clone_, {{"prod", "sqlite:" + prod_}}).empty());
}

TEST_F(IsolationTest, TheProductionFileItselfIsProduction) {
  EXPECT_EQ(Rules(prod_, {{"prod", "sqlite:" + prod_}}),
            std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, ProductionThroughASymlinkIsProduction) {
  fs::create_symlink(prod_, dir_ / "innocent.db");
  EXPECT_EQ(Rules(dir_ / "innocent.db", {{"prod", "sqlite:" + prod_}}),
            std::vector<std::string>{"production-identity"});
  // And the other way round: production named through a symlink.
  EXPECT_EQ(Rules(prod_, {{"prod", "sqlite:" + dir_.path() + "/innocent.db"}}),
            std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, ProductionThroughDotDotIsProduction) {
  EXPECT_EQ(Rules(dir_.path() + "/a/../a/./prod.db", {{"prod", "sqlite:" + prod_}}),
            std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, ProductionThroughAHardLinkIsProduction) {
  ASSERT_EQ(::link(prod_.c_str(), (dir_ / "hard.db").c_str()), 0);
  EXPECT_EQ(Rules(dir_ / "hard.db", {{"prod", "sqlite:" + prod_}}),
            std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, ARelativeProductionPathIsResolved) {
  std::string cwd = fs::current_path();
  fs::current_path(dir_.path());
  auto rules = Rules(prod_, {{"prod", "sqlite:./a/prod.db"}});
  fs::current_path(cwd);
  EXPECT_EQ(rules, std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, EveryProductionIsCompared) {
  auto rules = Rules(prod_, {{"other", "sqlite:" + clone_},
                             {"remote", "sqlite:/srv/not/on/this/machine.db"},
                             {"prod", "sqlite:" + prod_}});
  EXPECT_EQ(rules, std::vector<std::string>{"production-identity"});
}

TEST_F(IsolationTest, NoProductionListIsAFinding) {
  EXPECT_EQ(Rules(clone_, {}), std::vector<std::string>{"no-production-identities"});
}

TEST_F(IsolationTest, AnUnparsableProductionTargetIsBadInput) {
  auto db = db::OpenTarget("sqlite:" + clone_, db::OpenMode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto out = CheckIsolation(**db, {{"prod", "/srv/prod.db"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kBadInput);
}

// --- the marker ----------------------------------------------------------------------------

std::vector<std::string> MarkerProblems(const std::string& path) {
  auto db = db::OpenTarget("sqlite:" + path, db::OpenMode::kReadOnly);
  EXPECT_TRUE(db.ok());
  CheckOutcome out;
  Status s = CheckMarker(**db, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> messages;
  for (const auto& f : out.findings) messages.push_back(f.rule + ": " + f.message);
  return messages;
}

TEST_F(IsolationTest, AWrittenMarkerIsValid) {
  std::string p = dir_ / "m.db";
  {
    auto db = db::OpenTarget("sqlite:" + p, db::OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
    Provenance prov{"surrogate", std::string(64, 'a'), "7", "1", "", ""};
    ASSERT_TRUE(WriteMarker(**db, prov).ok());
    ASSERT_TRUE((*db)->Finish().ok());
  }
  EXPECT_TRUE(MarkerProblems(p).empty());
}

TEST_F(IsolationTest, AMissingMarkerIsAFinding) {
  auto problems = MarkerProblems(clone_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].substr(0, 14), "marker-missing");
}

TEST_F(IsolationTest, EveryMarkerProblemIsReported) {
  std::string p = dir_ / "bad.db";
  Sql(p,
      "CREATE TABLE prodgate_clone(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT "
      "ROWID;"
      "INSERT INTO prodgate_clone VALUES ('format', 'prodgate.clone/1'), ('made_by', 'surrogate'),"
      "  ('spec_sha256', 'not-hex'), ('seed', 'seven'), ('created_at', 'yesterday');");
  auto problems = MarkerProblems(p);
  std::string all;
  for (const auto& m : problems) all += m + "\n";
  EXPECT_EQ(problems.size(), 5u) << all;  // tool_version, spec_sha256, seed, scale, created_at
  for (const char* needle : {"tool_version: missing", "spec_sha256: is not", "seed: is not",
                             "scale: missing", "created_at: is not"}) {
    EXPECT_NE(all.find(needle), std::string::npos) << needle << "\n" << all;
  }
}

}  // namespace
}  // namespace prodgate::clone
