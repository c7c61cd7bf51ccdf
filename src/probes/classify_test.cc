// The probe machinery's own negative controls: the classifier must call LEAKED whatever is
// not a refusal for the right reason, and must catch every forbidden token.
#include "probes/classify.h"

#include <gtest/gtest.h>

namespace prodgate::probes {
namespace {

const std::vector<ForbiddenToken>& Tokens() {
  static const std::vector<ForbiddenToken> t = {
      {ForbiddenToken::Kind::kLiteral, "planted AWS access key id", "AKIAQ3EGVP7XKZ5MNB2R"},
      {ForbiddenToken::Kind::kLiteral, "private key of alice", "MC4CAQAwBQYDK2VwBCIEIPk1"},
      {ForbiddenToken::Kind::kProductionAllow, "ALLOW for a production scope", ""},
  };
  return t;
}

const Expectation kHold{{1}, {"grant_expired"}};

TEST(Classify, TheRightRefusalFailsClosed) {
  auto c =
      Classify(kHold, {1, "HOLD apply in clone: 1 reason\n  1. [grant_expired] …\n", ""}, Tokens());
  EXPECT_TRUE(c.failed_closed) << c.detail;
  EXPECT_EQ(c.detail, "exit 1, grant_expired");
  // The reason may be on stderr (errors are printed there).
  EXPECT_TRUE(
      Classify({{2}, {"not empty"}}, {2, "", "prodgate: error: out is not empty\n"}, Tokens())
          .failed_closed);
  // Several refusal codes may be acceptable (a failed write is 2 or 3).
  EXPECT_TRUE(
      Classify({{2, 3}, {"locked"}}, {3, "", "database is locked"}, Tokens()).failed_closed);
}

TEST(Classify, ExitZeroLeaksEvenWithTheReasonPrinted) {
  auto c = Classify(kHold, {0, "grant_expired\n", ""}, Tokens());
  EXPECT_FALSE(c.failed_closed);
  EXPECT_EQ(c.detail, "let through: exit 0");
  // Exit 0 leaks even when the expectation (wrongly) lists 0.
  EXPECT_FALSE(Classify({{0, 1}, {}}, {0, "", ""}, Tokens()).failed_closed);
}

TEST(Classify, AnotherExitCodeLeaks) {
  // A crash or an internal error where a HOLD was due is not the refusal the rule states.
  auto c = Classify(kHold, {3, "", "grant_expired"}, Tokens());
  EXPECT_FALSE(c.failed_closed);
  EXPECT_NE(c.detail.find("exit 3, but a refusal here exits 1"), std::string::npos) << c.detail;
  EXPECT_FALSE(Classify(kHold, {139, "", ""}, Tokens()).failed_closed);
}

TEST(Classify, TheWrongReasonLeaks) {
  // Refused, but for another reason: the rule under test was never reached.
  auto c = Classify(kHold, {1, "HOLD apply in clone: [no_grant]\n", ""}, Tokens());
  EXPECT_FALSE(c.failed_closed);
  EXPECT_NE(c.detail.find("no \"grant_expired\""), std::string::npos) << c.detail;
  // Every reason is needed, not one of them.
  EXPECT_FALSE(
      Classify({{1}, {"unknown_action", "unknown_scope"}}, {1, "[unknown_action]", ""}, Tokens())
          .failed_closed);
}

TEST(Classify, AForbiddenTokenLeaksEvenInARefusal) {
  auto secret =
      Classify({{1}, {"secrets"}}, {1, "secrets FAIL: AKIAQ3EGVP7XKZ5MNB2R\n", ""}, Tokens());
  EXPECT_FALSE(secret.failed_closed);
  EXPECT_NE(secret.detail.find("planted AWS access key id"), std::string::npos);
  EXPECT_EQ(secret.detail.find("AKIAQ3EGVP7XKZ5MNB2R"), std::string::npos)
      << "the report must not print the token it found";
  auto key = Classify(kHold, {1, "grant_expired", "debug: MC4CAQAwBQYDK2VwBCIEIPk1"}, Tokens());
  EXPECT_FALSE(key.failed_closed);
  EXPECT_NE(key.detail.find("private key of alice"), std::string::npos);
  auto allow = Classify(
      kHold, {1, "grant_expired\nALLOW cutover in production with grant ab\n", ""}, Tokens());
  EXPECT_FALSE(allow.failed_closed);
  EXPECT_NE(allow.detail.find("ALLOW for a production scope"), std::string::npos);
}

TEST(ShowsProductionAllow, TextAndJsonForProductionScopesOnly) {
  EXPECT_TRUE(ShowsProductionAllow("ALLOW apply in production, change abc with grant 1\n"));
  EXPECT_TRUE(ShowsProductionAllow("x\n  ALLOW ci_deploy in production-ci with grant 1\n"));
  EXPECT_TRUE(
      ShowsProductionAllow(R"({"action":"cutover","scope":"production","verdict":"ALLOW"})"));
  EXPECT_TRUE(ShowsProductionAllow(R"({"scope": "production", "verdict": "ALLOW"})"));
  // Controls: an ALLOW elsewhere, a HOLD in production, a word inside a sentence.
  EXPECT_FALSE(ShowsProductionAllow("ALLOW apply in clone with grant 1\n"));
  EXPECT_FALSE(ShowsProductionAllow("HOLD cutover in production: 3 reasons\n"));
  EXPECT_FALSE(ShowsProductionAllow(R"({"scope":"production","verdict":"HOLD"})"));
  EXPECT_FALSE(ShowsProductionAllow(R"({"scope":"clone","verdict":"ALLOW"})"));
  EXPECT_FALSE(ShowsProductionAllow("a rehearsal grant does not ALLOW production\n"));
}

TEST(FindForbidden, NamesEachTokenOnce) {
  auto found = FindForbidden("AKIAQ3EGVP7XKZ5MNB2R and again AKIAQ3EGVP7XKZ5MNB2R", Tokens());
  EXPECT_EQ(found, std::vector<std::string>{"planted AWS access key id"});
  EXPECT_TRUE(FindForbidden("nothing here", Tokens()).empty());
  // An empty literal never matches (a token that could not be read is not "everything").
  EXPECT_TRUE(FindForbidden("x", {{ForbiddenToken::Kind::kLiteral, "empty", ""}}).empty());
}

}  // namespace
}  // namespace prodgate::probes
