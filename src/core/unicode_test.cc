#include "core/unicode.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace prodgate {
namespace {

// UTF-8 encoding of a scalar value, written out here so the tests do not depend on the
// code under test.
void AppendUtf8(char32_t cp, std::string* s) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Utf8(char32_t cp) {
  std::string s;
  AppendUtf8(cp, &s);
  return s;
}

bool IsSurrogate(char32_t cp) { return cp >= 0xD800 && cp <= 0xDFFF; }

// ---------------------------------------------------------------------------------------
// IsValidUtf8

TEST(CoreUnicode, IsValidUtf8AcceptsWellFormedText) {
  const std::string kGood[] = {
      "",
      "plain ASCII text that is longer than eight bytes",
      std::string("nul\0inside", 10),
      "caf\xC3\xA9",
      "\xC2\x80",                   // U+0080, smallest 2-byte
      "\xDF\xBF",                   // U+07FF
      "\xE0\xA0\x80",               // U+0800, smallest 3-byte
      "\xE2\x82\xAC",               // U+20AC
      "\xED\x9F\xBF",               // U+D7FF, just below the surrogates
      "\xEE\x80\x80",               // U+E000, just above them
      "\xEF\xBF\xBF",               // U+FFFF
      "\xF0\x90\x80\x80",           // U+10000, smallest 4-byte
      "\xF0\x9F\x98\x80",           // U+1F600
      "\xF4\x8F\xBF\xBF",           // U+10FFFF, the largest code point
      "12345678\xF0\x9F\x98\x80x",  // after the eight-byte ASCII fast path
  };
  for (const std::string& s : kGood) EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
}

TEST(CoreUnicode, IsValidUtf8RefusesMalformedText) {
  const std::string kBad[] = {
      "\x80",  // lone continuation byte
      "a\xBF"
      "b",                         // continuation byte between letters
      "\xC0\x80",                  // overlong NUL
      "\xC0\xAF",                  // overlong '/'
      "\xC1\xBF",                  // overlong U+007F
      "\xE0\x80\xAF",              // overlong '/' in 3 bytes
      "\xE0\x9F\xBF",              // overlong U+07FF
      "\xF0\x80\x80\xAF",          // overlong '/' in 4 bytes
      "\xF0\x8F\xBF\xBF",          // overlong U+FFFF
      "\xED\xA0\x80",              // U+D800 encoded in UTF-8
      "\xED\xBF\xBF",              // U+DFFF
      "\xED\xA0\xBD\xED\xB8\x80",  // a surrogate pair encoded in UTF-8 (CESU-8)
      "\xF4\x90\x80\x80",          // U+110000
      "\xF5\x80\x80\x80",          // lead byte beyond U+10FFFF
      "\xF7\xBF\xBF\xBF",          // U+1FFFFF
      "\xF8\x88\x80\x80\x80",      // 5-byte form
      "\xFC\x84\x80\x80\x80\x80",  // 6-byte form
      "\xFE",
      "\xFF",
      "\xC3",          // truncated 2-byte
      "\xE2\x82",      // truncated 3-byte
      "\xF0\x9F\x98",  // truncated 4-byte
      "\xE2\x82x",     // truncated, then ASCII
      "\xF0\x9F\x98"
      "abc",                       // truncated, then ASCII
      "\xC3\xC3\xA9",              // lead byte where a continuation belongs
      "abcdefgh\xFF",              // after the eight-byte ASCII fast path
      "abcdefg\xFF",               // inside the first eight bytes
      "abcdefghijklmnop\xE2\x82",  // truncated at the very end
  };
  for (const std::string& s : kBad) EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(s);
}

TEST(CoreUnicode, IsValidUtf8AgreesWithEncoderOnEveryScalarValue) {
  std::string all;
  all.reserve(4 << 20);
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!IsSurrogate(cp)) AppendUtf8(cp, &all);
  }
  EXPECT_TRUE(IsValidUtf8(all));
}

// ---------------------------------------------------------------------------------------
// Normalization and case folding.

TEST(CoreUnicode, ToNfcComposes) {
  EXPECT_EQ(ToNfc("cafe\xCC\x81"), "caf\xC3\xA9");                // e + U+0301 -> U+00E9
  EXPECT_EQ(ToNfc("caf\xC3\xA9"), "caf\xC3\xA9");                 // already NFC
  EXPECT_EQ(ToNfc("A\xCC\x8A"), "\xC3\x85");                      // A + ring -> U+00C5
  EXPECT_EQ(ToNfc("\xE2\x84\xAB"), "\xC3\x85");                   // ANGSTROM SIGN -> U+00C5
  EXPECT_EQ(ToNfc("\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");   // jamo -> U+AC00
  EXPECT_EQ(ToNfc("a\xCC\x81\xCC\xA3"), "\xE1\xBA\xA1\xCC\x81");  // reorders marks
  EXPECT_EQ(ToNfc("\xEF\xAC\x81"), "\xEF\xAC\x81");  // U+FB01 ligature kept (NFC, not NFKC)
  EXPECT_EQ(ToNfc("\xE2\x91\xA0"), "\xE2\x91\xA0");  // U+2460 circled one kept
  EXPECT_EQ(ToNfc(""), "");
  EXPECT_EQ(ToNfc(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is a character
  EXPECT_EQ(ToNfc("caf\xC3"), std::nullopt);
  EXPECT_EQ(ToNfc("\xED\xA0\x80"), std::nullopt);
}

TEST(CoreUnicode, ToNfcCaseFold) {
  EXPECT_EQ(ToNfcCaseFold("README.md"), "readme.md");
  EXPECT_EQ(ToNfcCaseFold("readme.md"), "readme.md");
  EXPECT_EQ(ToNfcCaseFold("CAFE\xCC\x81"), "caf\xC3\xA9");  // folded and composed
  EXPECT_EQ(ToNfcCaseFold("CAF\xC3\x89"), "caf\xC3\xA9");
  EXPECT_EQ(ToNfcCaseFold("\xCE\xA3\xCF\x82\xCF\x83"), "\xCF\x83\xCF\x83\xCF\x83");  // sigmas
  EXPECT_EQ(ToNfcCaseFold("Stra\xC3\x9F"
                          "e"),
            "strasse");                           // full folding: U+00DF -> "ss"
  EXPECT_EQ(ToNfcCaseFold("\xE2\x84\xAA"), "k");  // KELVIN SIGN
  EXPECT_EQ(ToNfcCaseFold("x\xFF"), std::nullopt);
}

// ---------------------------------------------------------------------------------------
// FoldTypography, exactly per the table in unicode.h.

const std::map<char32_t, std::string>& TypographyTable() {
  static const std::map<char32_t, std::string> table = {
      {0x2010, "-"},   {0x2011, "-"},  {0x2012, "-"},  {0x2013, "-"},  {0x2014, "-"},
      {0x2015, "-"},   {0x2212, "-"},  {0x2018, "'"},  {0x2019, "'"},  {0x201A, "'"},
      {0x201B, "'"},   {0x2032, "'"},  {0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""},
      {0x201F, "\""},  {0x2033, "\""}, {0x00A0, " "},  {0x2007, " "},  {0x202F, " "},
      {0x2026, "..."},
  };
  return table;
}

TEST(CoreUnicode, FoldTypographyTableEntries) {
  for (const auto& [cp, replacement] : TypographyTable()) {
    EXPECT_EQ(FoldTypography(Utf8(cp)), replacement) << std::hex << "U+" << uint32_t{cp};
    EXPECT_EQ(FoldTypography("a" + Utf8(cp) + "b"), "a" + replacement + "b");
    EXPECT_TRUE(HasTypography("x" + Utf8(cp))) << std::hex << "U+" << uint32_t{cp};
  }
  EXPECT_EQ(FoldTypography("\xE2\x80\x9CHello\xE2\x80\x9D \xE2\x80\x94 it\xE2\x80\x99s "
                           "5\xE2\x80\xAF%\xE2\x80\xA6"),
            "\"Hello\" - it's 5 %...");
}

TEST(CoreUnicode, FoldTypographyKeepsEverythingElse) {
  // Neighbours of the table's code points and look-alikes that are not in it.
  for (char32_t cp : {0x002D, 0x00AD, 0x02BC, 0x2000, 0x2009, 0x200B, 0x2016, 0x2017, 0x2020,
                      0x2027, 0x2030, 0x2034, 0x2043, 0x2060, 0xFE58, 0xFF0D, 0xFF02}) {
    EXPECT_EQ(FoldTypography(Utf8(cp)), Utf8(cp)) << std::hex << "U+" << uint32_t{cp};
    EXPECT_FALSE(HasTypography(Utf8(cp))) << std::hex << "U+" << uint32_t{cp};
  }
  EXPECT_EQ(FoldTypography("plain ASCII - ' \" ..."), "plain ASCII - ' \" ...");
  EXPECT_FALSE(HasTypography("plain ASCII - ' \" ..."));
  EXPECT_FALSE(HasTypography(""));
}

TEST(CoreUnicode, FoldTypographyExhaustive) {
  // Every scalar value, folded in one pass, equals the table applied code point by code
  // point.
  const auto& table = TypographyTable();
  std::string input, expected;
  input.reserve(4 << 20);
  expected.reserve(4 << 20);
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (IsSurrogate(cp)) continue;
    AppendUtf8(cp, &input);
    auto it = cp < 0x80 ? table.end() : table.find(cp);
    if (it == table.end()) {
      AppendUtf8(cp, &expected);
    } else {
      expected += it->second;
    }
  }
  EXPECT_TRUE(FoldTypography(input) == expected);  // not EXPECT_EQ: 4 MB strings
}

TEST(CoreUnicode, FoldTypographyCopiesInvalidBytes) {
  const std::string bad = "a\xFF\xE2\x80\x94\xE2\x80z\xC0\xAF\xED\xA0\x80";
  EXPECT_EQ(FoldTypography(bad), "a\xFF-\xE2\x80z\xC0\xAF\xED\xA0\x80");
  EXPECT_TRUE(HasTypography(bad));
  EXPECT_FALSE(HasTypography("\xFF\xE2\x80"));
  // A truncated em dash at the very end is not an em dash.
  EXPECT_EQ(FoldTypography("x\xE2\x80"), "x\xE2\x80");
}

// ---------------------------------------------------------------------------------------
// DecodeUtf8At, Utf8ToUtf16

TEST(CoreUnicode, DecodeUtf8At) {
  const std::string s = "x\xE2\x82\xAC\xF0\x9F\x98\x80\xFFy";
  size_t len = 0;
  EXPECT_EQ(DecodeUtf8At(s, 0, &len), U'x');
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(DecodeUtf8At(s, 1, &len), U'\x20AC');
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(DecodeUtf8At(s, 4, &len), U'\x1F600');
  EXPECT_EQ(len, 4u);
  len = 0;
  EXPECT_EQ(DecodeUtf8At(s, 8, &len), std::nullopt);
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(DecodeUtf8At(s, 2, &len), std::nullopt);  // a continuation byte
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(DecodeUtf8At("\xE2\x82", 0, &len), std::nullopt);  // truncated at the end
  EXPECT_EQ(len, 1u);
}

TEST(CoreUnicode, Utf8ToUtf16) {
  EXPECT_EQ(Utf8ToUtf16(""), u"");
  EXPECT_EQ(Utf8ToUtf16("abc"), u"abc");
  EXPECT_EQ(Utf8ToUtf16("\xE2\x82\xAC\xEF\xBF\xBF"), (std::u16string{0x20AC, 0xFFFF}));
  // Supplementary characters become surrogate pairs.
  EXPECT_EQ(Utf8ToUtf16("a\xF0\x9F\x98\x80"
                        "b"),
            (std::u16string{u'a', 0xD83D, 0xDE00, u'b'}));
  EXPECT_EQ(Utf8ToUtf16("\xF0\x90\x80\x80"), (std::u16string{0xD800, 0xDC00}));
  EXPECT_EQ(Utf8ToUtf16("\xF4\x8F\xBF\xBF"), (std::u16string{0xDBFF, 0xDFFF}));
  // The reason JCS sorts by UTF-16: U+1F600 sorts before U+FB33 there, after it in UTF-8.
  EXPECT_LT(Utf8ToUtf16("\xF0\x9F\x98\x80"), Utf8ToUtf16("\xEF\xAC\xB3"));
  EXPECT_GT(std::string("\xF0\x9F\x98\x80"), std::string("\xEF\xAC\xB3"));
}

// ---------------------------------------------------------------------------------------
// DescribeCodePoint

class CoreUnicodeNames : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists("/usr/share/unicode/UnicodeData.txt"))
        << "install the unicode-data package; prodgate names code points from it";
  }
};

TEST_F(CoreUnicodeNames, DescribesNamedCodePoints) {
  EXPECT_EQ(DescribeCodePoint(0x2014), "U+2014 EM DASH");
  EXPECT_EQ(DescribeCodePoint(0x002D), "U+002D HYPHEN-MINUS");
  EXPECT_EQ(DescribeCodePoint(0x00E9), "U+00E9 LATIN SMALL LETTER E WITH ACUTE");
  EXPECT_EQ(DescribeCodePoint(0x1F600), "U+1F600 GRINNING FACE");
}

TEST_F(CoreUnicodeNames, DescribesControlsByTheirUnicode1Name) {
  EXPECT_EQ(DescribeCodePoint(0x000A), "U+000A LINE FEED (LF)");
  EXPECT_EQ(DescribeCodePoint(0x0000), "U+0000 NULL");
  EXPECT_EQ(DescribeCodePoint(0x000D), "U+000D CARRIAGE RETURN (CR)");
}

TEST_F(CoreUnicodeNames, DescribesCjkIdeographsByRule) {
  EXPECT_EQ(DescribeCodePoint(0x4E00), "U+4E00 CJK UNIFIED IDEOGRAPH-4E00");
  EXPECT_EQ(DescribeCodePoint(0x6587), "U+6587 CJK UNIFIED IDEOGRAPH-6587");
  EXPECT_EQ(DescribeCodePoint(0x20000), "U+20000 CJK UNIFIED IDEOGRAPH-20000");
}

TEST_F(CoreUnicodeNames, UnassignedCodePointHasNoName) {
  EXPECT_EQ(DescribeCodePoint(0x0378), "U+0378");
  EXPECT_EQ(DescribeCodePoint(0x10FFFF), "U+10FFFF");
}

}  // namespace
}  // namespace prodgate
