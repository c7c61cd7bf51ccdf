// prodgate packet verify, through the binary: a bag written by WriteBag verifies (exit 0);
// real mutations (CRLF by sed, a removed file, an edited bag-info.txt) are named per file
// (exit 1); what is not a bag is unreadable (exit 2).
#include <unistd.h>

#include <filesystem>

#include "seal/bagit.h"
#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The problem with this path and code in a --json report, or null.
const Json* ProblemOf(const Json& report, const std::string& path, const std::string& code) {
  if (!report.contains("problems")) return nullptr;
  for (const auto& p : report["problems"]) {
    if (p["path"] == path && p["code"] == code) return &p;
  }
  return nullptr;
}

class PacketVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    bag_ = dir_ / "bag";
    seal::BagSpec spec;
    spec.external_identifier = "packet-e2e";
    spec.bagging_date = "2024-05-01";
    spec.labels = {{"Source-Organization", "prodgate tests"}};
    spec.payload = {{"reports/rehearsal.txt",
                     "before 3f2a\nafter_apply 9c1d\nafter_rollback 3f2a\n", std::nullopt},
                    {"reports/summary.json", "{\"verdict\": \"PASS\", \"owner\": \"Zo\xC3\xAB\"}\n",
                     std::nullopt},
                    {"commands.sh", "#!/bin/sh\nprodgate verify --root tree\n", std::nullopt}};
    Status s = seal::WriteBag(bag_, spec);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  RunResult Verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"packet", "verify", bag_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Prodgate(args, dir_.path());
  }
  void Mutate(const std::string& script) {
    RunResult r = Shell(script, bag_);
    ASSERT_EQ(r.exit_code, 0) << script << "\n" << r.err;
  }
  ScratchDir dir_;
  std::string bag_;
};

TEST_F(PacketVerify, WrittenBagIsValid) {
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["format"], "prodgate.bag-verify/1");
  EXPECT_EQ(j["verdict"], "VALID");
  EXPECT_EQ(j["version"], "1.0");
  EXPECT_EQ(j["problems"].size(), 0u) << r.out;
  EXPECT_EQ(j["counts"]["payload_files"], 3);
  EXPECT_EQ(j["algorithms"]["payload"], Json::array({"sha256", "sha512"}));
  ASSERT_TRUE(j.contains("packet_tree_digest"));
  auto digest = seal::PacketTreeDigest(bag_);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(j["packet_tree_digest"], ToHex(*digest));

  RunResult text = Prodgate({"packet", "verify", bag_}, dir_.path());
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(Contains(text.out, "VALID bag")) << text.out;
}

TEST_F(PacketVerify, CrlfBySedIsNamedWithItsCause) {
  ASSERT_EQ(Verify().exit_code, 0);
  Mutate("sed -i 's/$/\\r/' data/reports/rehearsal.txt");
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "INVALID");
  const Json* p = ProblemOf(j, "data/reports/rehearsal.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << r.out;
  EXPECT_EQ((*p)["severity"], "error");
  EXPECT_EQ((*p)["content"]["classes"], Json::array({"eol_changed"}));
  EXPECT_EQ((*p)["content"]["digests"].size(), 2u);  // sha256 and sha512, both named
  EXPECT_TRUE(Contains((*p)["message"].get<std::string>(), "LF → CRLF")) << r.out;
  // The Oxum and the packet tree digest disagree too; neither is the only message.
  const Json* oxum = ProblemOf(j, "bag-info.txt", "payload_oxum_mismatch");
  ASSERT_NE(oxum, nullptr) << r.out;
  EXPECT_TRUE(Contains((*oxum)["message"].get<std::string>(), "data/reports/rehearsal.txt"));
  EXPECT_NE(ProblemOf(j, "bag-info.txt", "packet_tree_digest_mismatch"), nullptr) << r.out;

  // The human rendering names the file as well.
  RunResult text = Prodgate({"packet", "verify", bag_}, dir_.path());
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(Contains(text.out, "data/reports/rehearsal.txt")) << text.out;
  EXPECT_TRUE(Contains(text.out, "eol_changed")) << text.out;
}

TEST_F(PacketVerify, AgainstTheOriginalShowsTheFirstDifference) {
  fs::copy(bag_, dir_ / "original", fs::copy_options::recursive);
  Mutate("sed -i 's/9c1d/9c1e/' data/reports/rehearsal.txt");
  RunResult r = Verify({"--against", dir_ / "original"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = JsonOut(r);
  const Json* p = ProblemOf(j, "data/reports/rehearsal.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << r.out;
  EXPECT_EQ((*p)["content"]["original_source"], "against");
  EXPECT_EQ((*p)["content"]["first_difference"]["line"], 2);
  EXPECT_EQ((*p)["content"]["first_difference"]["column"], 16);

  // Control: without --against, a same-size edit has no cause, but is still named.
  RunResult plain = Verify();
  Json k = JsonOut(plain);
  const Json* q = ProblemOf(k, "data/reports/rehearsal.txt", "checksum_mismatch");
  ASSERT_NE(q, nullptr) << plain.out;
  EXPECT_FALSE((*q)["content"].contains("first_difference"));
}

TEST_F(PacketVerify, RemovedFileIsMissing) {
  Mutate("rm data/commands.sh");
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_NE(ProblemOf(j, "data/commands.sh", "missing_file"), nullptr) << r.out;
}

TEST_F(PacketVerify, EditedBagInfoFailsItsTagManifests) {
  Mutate("sed -i 's/prodgate tests/someone else/' bag-info.txt");
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json j = JsonOut(r);
  const Json* p = ProblemOf(j, "bag-info.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << r.out;
  std::vector<std::string> manifests;
  for (const auto& d : (*p)["content"]["digests"]) manifests.push_back(d["manifest"]);
  EXPECT_EQ(manifests,
            (std::vector<std::string>{"tagmanifest-sha256.txt", "tagmanifest-sha512.txt"}));
  EXPECT_NE(ProblemOf(j, "bag-info.txt", "packet_tree_digest_mismatch"), nullptr) << r.out;
}

TEST_F(PacketVerify, WarningsArePrintedAndTheBagStaysValid) {
  // A bag written by hand with coreutils, the way many tools do; two names differ in case.
  std::string hand = dir_ / "hand";
  fs::create_directories(hand);
  RunResult made = Shell(
      "mkdir -p data && printf 'a\\n' > data/README.txt && printf 'b\\n' > data/readme.txt && "
      "printf 'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n' > bagit.txt && "
      "sha512sum data/README.txt data/readme.txt > manifest-sha512.txt",
      hand);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  RunResult r = Prodgate({"packet", "verify", hand}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "warning case_collision")) << r.out;
}

TEST_F(PacketVerify, WhatIsNotABagIsUnreadable) {
  RunResult missing = Prodgate({"packet", "verify", dir_ / "nope", "--json"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_EQ(JsonOut(missing)["verdict"], "UNREADABLE");

  Mutate("rm bagit.txt");
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "UNREADABLE");
  EXPECT_NE(ProblemOf(j, "", "no_bag_declaration"), nullptr) << r.out;

  RunResult bad_against =
      Prodgate({"packet", "verify", bag_, "--against", dir_ / "nope"}, dir_.path());
  EXPECT_EQ(bad_against.exit_code, 2);
  EXPECT_TRUE(Contains(bad_against.err, "--against")) << bad_against.err;
  EXPECT_TRUE(Contains(bad_against.err, "fix:")) << bad_against.err;
}

TEST_F(PacketVerify, UnreadableFileExitsTwoAndIsNamed) {
  Mutate("chmod 000 data/commands.sh");
  std::vector<std::string> argv = {PRODGATE_BIN, "packet", "verify", bag_, "--json"};
  if (::geteuid() == 0) {
    // root reads every file: run as nobody, who may enter the scratch directory.
    fs::permissions(dir_.path(), fs::perms(0755));
    argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  }
  RunResult r = RunCommand(argv, "/");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  Json j = JsonOut(r);
  EXPECT_EQ(j["verdict"], "UNREADABLE");
  EXPECT_NE(ProblemOf(j, "data/commands.sh", "unreadable"), nullptr) << r.out;
  EXPECT_EQ(j["errors"], 1) << r.out;

  // An error that proves the bag broken outranks the unreadable file.
  Mutate("sed -i 's/$/\\r/' data/reports/rehearsal.txt");
  RunResult both = RunCommand(argv, "/");
  EXPECT_EQ(both.exit_code, 1) << both.out << both.err;
  EXPECT_EQ(JsonOut(both)["verdict"], "INVALID");
}

TEST_F(PacketVerify, UsageErrorsExitTwo) {
  EXPECT_EQ(Prodgate({"packet", "verify"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(Prodgate({"packet"}, dir_.path()).exit_code, 2);
}

}  // namespace
}  // namespace prodgate::testing
