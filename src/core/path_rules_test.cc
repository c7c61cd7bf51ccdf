#include "core/path_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/unicode.h"

namespace prodgate {
namespace {

TEST(CorePathRules, AcceptsNormalRelativePaths) {
  const std::string kGood[] = {
      "a",
      "README.md",
      "ci/gate.py",
      "a/b/c/d.txt",
      "a..b",
      "..a",
      "a..",
      "...",
      ".hidden",
      "dir/.hidden/.x",
      "a~b/~c",
      "ab:c",  // a colon after the second byte is no drive letter
      "caf\xC3\xA9/r\xC3\xA9sum\xC3\xA9.md",
      "\xE6\x97\xA5\xE6\x9C\xAC/\xE6\x96\x87\xE6\x9B\xB8.txt",
      "\xF0\x9F\x98\x80.txt",
      "with space/and-dash_underscore",
  };
  for (const std::string& path : kGood) {
    Status s = CheckRelativePath(path);
    EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  }
}

TEST(CorePathRules, RefusesUnsafePaths) {
  struct Case {
    std::string path;
    std::string shown;  // how the message quotes the path
    std::string rule;   // a word of the rule it breaks
  };
  const Case kCases[] = {
      {"", "\"\"", "empty path"},
      {"/etc/passwd", "/etc/passwd", "absolute"},
      {"/", "\"/\"", "absolute"},
      {"..", "\"..\"", "'..'"},
      {"../x", "../x", "'..'"},
      {"a/../../x", "a/../../x", "'..'"},
      {"a/..", "a/..", "'..'"},
      {".", "\".\"", "'.'"},
      {"./a", "./a", "'.'"},
      {"a/./b", "a/./b", "'.'"},
      {"a/.", "a/.", "'.'"},
      {"a//b", "a//b", "empty path component"},
      {"a/", "\"a/\"", "empty path component"},
      {"~/x", "~/x", "'~'"},
      {"~user", "~user", "'~'"},
      {"C:/x", "C:/x", "drive letter"},
      {"c:x", "c:x", "drive letter"},
      {"Z:", "Z:", "drive letter"},
      {"a\\b", "a\\b", "backslash"},
      {"\\\\server\\share", "\\\\server\\share", "backslash"},
      {std::string("a\0b", 3), "a\\x00b", "NUL"},
      {"a\rb", "a\\x0db", "carriage return"},
      {"a\nb", "a\\x0ab", "line feed"},
      {"dir/name\n", "dir/name\\x0a", "line feed"},
      {"a\xFF", "a\\xff", "UTF-8"},
      {"caf\xC3", "caf\\xc3", "UTF-8"},
      {"x/\xC0\xAF", "x/\\xc0\\xaf", "UTF-8"},       // overlong '/'
      {"\xED\xA0\x80", "\\xed\\xa0\\x80", "UTF-8"},  // surrogate
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(PrintablePath(c.path));
    Status s = CheckRelativePath(c.path);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kBadInput);
    EXPECT_NE(s.what().find(c.shown), std::string::npos) << s.what();
    EXPECT_NE(s.what().find(c.rule), std::string::npos) << s.what();
    EXPECT_FALSE(s.fix().empty());
  }
}

TEST(CorePathRules, NameCollisionUnicodeNormalization) {
  const std::string composed = "docs/caf\xC3\xA9.md";     // U+00E9
  const std::string decomposed = "docs/cafe\xCC\x81.md";  // e + U+0301
  auto collisions = FindNameCollisions({"docs/other.md", composed, decomposed, "docs/cafe.md"});
  ASSERT_EQ(collisions.size(), 1u);
  EXPECT_EQ(collisions[0].rule, "Unicode normalization (NFC)");
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{decomposed, composed}));  // sorted
}

TEST(CorePathRules, NameCollisionCaseFolding) {
  auto collisions = FindNameCollisions({"README.md", "src/a.cc", "readme.md", "Readme.MD"});
  ASSERT_EQ(collisions.size(), 1u);
  EXPECT_EQ(collisions[0].rule, "case folding");
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{"README.md", "Readme.MD", "readme.md"}));
}

TEST(CorePathRules, NameCollisionCaseInDirectoryComponent) {
  auto collisions = FindNameCollisions({"Docs/x.md", "docs/x.md", "docs/y.md"});
  ASSERT_EQ(collisions.size(), 1u);
  EXPECT_EQ(collisions[0].rule, "case folding");
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{"Docs/x.md", "docs/x.md"}));
}

TEST(CorePathRules, NameCollisionNeedingBothRules) {
  // Upper-case decomposed vs lower-case composed: equal only after NFC and case folding.
  const std::string upper_nfd = "CAFE\xCC\x81";
  const std::string lower_nfc = "caf\xC3\xA9";
  auto collisions = FindNameCollisions({lower_nfc, upper_nfd});
  ASSERT_EQ(collisions.size(), 1u);
  EXPECT_EQ(collisions[0].rule, "case folding");
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{upper_nfd, lower_nfc}));
}

TEST(CorePathRules, NameCollisionBothGroupsReported) {
  const std::string composed = "caf\xC3\xA9";
  const std::string decomposed = "cafe\xCC\x81";
  const std::string upper = "CAF\xC3\x89";
  auto collisions = FindNameCollisions({composed, upper, decomposed});
  ASSERT_EQ(collisions.size(), 2u);
  // Ordered by first path: "CAF..." sorts before "cafe...".
  EXPECT_EQ(collisions[0].rule, "case folding");
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{upper, decomposed, composed}));
  EXPECT_EQ(collisions[1].rule, "Unicode normalization (NFC)");
  EXPECT_EQ(collisions[1].paths, (std::vector<std::string>{decomposed, composed}));
}

TEST(CorePathRules, NameCollisionGroupsOrderedByFirstPath) {
  auto collisions = FindNameCollisions({"b", "B", "a", "A", "c"});
  ASSERT_EQ(collisions.size(), 2u);
  EXPECT_EQ(collisions[0].paths, (std::vector<std::string>{"A", "a"}));
  EXPECT_EQ(collisions[1].paths, (std::vector<std::string>{"B", "b"}));
}

TEST(CorePathRules, NoCollisionForDistinctNames) {
  EXPECT_TRUE(FindNameCollisions({}).empty());
  EXPECT_TRUE(FindNameCollisions({"a.txt", "b.txt", "a.txt.bak", "dir/a.txt", "cafe", "caf\xC3\xA9",
                                  "resume", "r\xC3\xA9sum\xC3\xA9", "a/b", "ab", "x-y", "x_y"})
                  .empty());
  // The same path listed twice is one name, not a collision.
  EXPECT_TRUE(FindNameCollisions({"same.txt", "same.txt"}).empty());
}

TEST(CorePathRules, PrintablePathEscapesControlsAndInvalidBytes) {
  EXPECT_EQ(PrintablePath("plain/path.txt"), "plain/path.txt");
  EXPECT_EQ(PrintablePath("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80");  // valid UTF-8 is kept
  EXPECT_EQ(PrintablePath(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(PrintablePath("tab\there"), "tab\\x09here");
  EXPECT_EQ(PrintablePath("line\r\n"), "line\\x0d\\x0a");
  EXPECT_EQ(PrintablePath("esc\x1b[31m"), "esc\\x1b[31m");
  EXPECT_EQ(PrintablePath("del\x7f"), "del\\x7f");
  EXPECT_EQ(PrintablePath("bad\xFFx"), "bad\\xffx");
  EXPECT_EQ(PrintablePath("trunc\xE2\x80"), "trunc\\xe2\\x80");
  EXPECT_EQ(PrintablePath("\xC0\xAF"), "\\xc0\\xaf");
  EXPECT_EQ(PrintablePath("\xED\xA0\x80z"), "\\xed\\xa0\\x80z");
  EXPECT_EQ(PrintablePath("nel\xC2\x85x"), "nel\\u{0085}x");  // C1 control NEL
  EXPECT_EQ(PrintablePath("ls\xE2\x80\xA8ps\xE2\x80\xA9"), "ls\\u{2028}ps\\u{2029}");
}

TEST(CorePathRules, PrintablePathOutputIsAlwaysPrintableUtf8) {
  for (int b = 0; b < 256; ++b) {
    for (const std::string& s : {std::string(1, static_cast<char>(b)),
                                 "x" + std::string(1, static_cast<char>(b)) + "\xC3"}) {
      std::string out = PrintablePath(s);
      EXPECT_TRUE(IsValidUtf8(out)) << "byte " << b;
      for (char c : out) {
        auto u = static_cast<unsigned char>(c);
        EXPECT_FALSE(u < 0x20 || u == 0x7f) << "byte " << b << " left raw";
      }
    }
  }
}

}  // namespace
}  // namespace prodgate
