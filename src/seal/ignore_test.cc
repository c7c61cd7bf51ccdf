#include "seal/ignore.h"

#include <gtest/gtest.h>

namespace prodgate::seal {
namespace {

IgnoreRules Rules(std::vector<std::string> p) { return *IgnoreRules::Make(std::move(p)); }

TEST(SealIgnore, BasenamePatternsMatchAtAnyDepth) {
  IgnoreRules r = Rules({"*.tmp"});
  EXPECT_TRUE(r.Ignored("a.tmp", false));
  EXPECT_TRUE(r.Ignored("x/y/a.tmp", false));
  EXPECT_FALSE(r.Ignored("a.tmp.txt", false));
}

TEST(SealIgnore, AnchoredPatternsMatchTheWholePath) {
  IgnoreRules r = Rules({"/notes.txt", "docs/*.md"});
  EXPECT_TRUE(r.Ignored("notes.txt", false));
  EXPECT_FALSE(r.Ignored("sub/notes.txt", false));
  EXPECT_TRUE(r.Ignored("docs/a.md", false));
  EXPECT_FALSE(r.Ignored("docs/sub/a.md", false));  // '*' never crosses '/'
  EXPECT_FALSE(r.Ignored("x/docs/a.md", false));
}

TEST(SealIgnore, TrailingSlashMatchesDirectoriesOnly) {
  IgnoreRules r = Rules({"build/", "/.git/"});
  EXPECT_TRUE(r.Ignored("build", true));
  EXPECT_TRUE(r.Ignored("src/build", true));
  EXPECT_FALSE(r.Ignored("build", false));
  EXPECT_TRUE(r.Ignored(".git", true));
  EXPECT_FALSE(r.Ignored("sub/.git", true));
}

TEST(SealIgnore, EscapedGlobCharactersMatchLiterally) {
  IgnoreRules r = Rules({"/seal\\[1\\].json"});
  EXPECT_TRUE(r.Ignored("seal[1].json", false));
  EXPECT_FALSE(r.Ignored("seal1.json", false));
}

TEST(SealIgnore, RefusesUnusablePatterns) {
  for (std::string bad :
       {std::string(""), std::string("/"), std::string("a\nb"), std::string("a\0b", 3)}) {
    auto r = IgnoreRules::Make({bad});
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
  }
}

}  // namespace
}  // namespace prodgate::seal
