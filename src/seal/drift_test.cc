#include "seal/drift.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace prodgate::seal {
namespace {

// Writes `sealed` and `current` to files and diagnoses the change, as verify does with the
// sealed bytes at hand.
class DriftTest : public ::testing::Test {
 protected:
  Diagnosis Diagnose(std::string_view sealed, std::string_view current, bool with_bytes = true) {
    testing::WriteFile(dir_ / "sealed", sealed);
    testing::WriteFile(dir_ / "current", current);
    FileFacts s = FactsOfBytes(sealed);
    FileFacts c = FactsOfBytes(current, FactsOptions::Text(sealed.size()));
    std::optional<std::string> bytes;
    if (with_bytes) bytes = dir_ / "sealed";
    return DiagnoseContent(s, c, dir_ / "current", bytes);
  }
  static std::vector<std::string> Names(const Diagnosis& d) {
    std::vector<std::string> out;
    for (auto c : d.classes) out.emplace_back(DriftClassName(c));
    return out;
  }
  testing::ScratchDir dir_;
};

using Classes = std::vector<std::string>;

TEST_F(DriftTest, LineEndingsOnly) {
  Diagnosis d = Diagnose("a\nb\n", "a\r\nb\r\n");
  EXPECT_EQ(Names(d), Classes{"eol_changed"});
  EXPECT_NE(d.notes.back().find("LF → CRLF"), std::string::npos);
}

TEST_F(DriftTest, LineEndingsMovedWithSameCounts) {
  EXPECT_EQ(Names(Diagnose("a\r\nb\n", "a\nb\r\n")), Classes{"eol_changed"});
}

TEST_F(DriftTest, BomAddedAndRemoved) {
  EXPECT_EQ(Names(Diagnose("x\n", "\xEF\xBB\xBFx\n")), Classes{"bom_added"});
  EXPECT_EQ(Names(Diagnose("\xEF\xBB\xBFx\n", "x\n")), Classes{"bom_removed"});
}

TEST_F(DriftTest, BomAndCrlfTogetherReportBoth) {
  EXPECT_EQ(Names(Diagnose("x\ny\n", "\xEF\xBB\xBFx\r\ny\r\n")),
            (Classes{"bom_added", "eol_changed"}));
}

TEST_F(DriftTest, FinalNewlineAddedIsAlsoAnAppend) {
  EXPECT_EQ(Names(Diagnose("x", "x\n")), (Classes{"final_newline_changed", "appended"}));
}

TEST_F(DriftTest, FinalNewlineRemovedIsAlsoATruncationWithTheSealedBytes) {
  EXPECT_EQ(Names(Diagnose("x\n", "x")), (Classes{"final_newline_changed", "truncated"}));
  EXPECT_EQ(Names(Diagnose("x\n", "x", /*with_bytes=*/false)), (Classes{"final_newline_changed"}));
}

TEST_F(DriftTest, NormalizationNfcToNfd) {
  Diagnosis d = Diagnose("caf\xC3\xA9\n", "cafe\xCC\x81\n");
  EXPECT_EQ(Names(d), Classes{"unicode_normalization"});
}

TEST_F(DriftTest, TypographyEmDashToHyphen) {
  Diagnosis d = Diagnose("step \xE2\x80\x94 one\n", "step - one\n");
  EXPECT_EQ(Names(d), Classes{"unicode_typography"});
  ASSERT_TRUE(d.first_difference);
  EXPECT_EQ(d.first_difference->line, 1u);
  EXPECT_EQ(d.first_difference->column, 6u);
  EXPECT_EQ(d.first_difference->sealed, "U+2014 EM DASH");
  EXPECT_EQ(d.first_difference->current, "U+002D HYPHEN-MINUS");
}

TEST_F(DriftTest, JsonEnsureAsciiReencode) {
  Diagnosis d = Diagnose("{\"name\": \"caf\xC3\xA9\"}\n", "{\"name\": \"caf\\u00e9\"}\n");
  EXPECT_EQ(Names(d), Classes{"json_reencoded"});
}

TEST_F(DriftTest, JsonPrettyPrintedAndReordered) {
  EXPECT_EQ(
      Names(Diagnose("{\"b\":2,\"a\":[1,2]}", "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": 2\n}")),
      Classes{"json_reencoded"});
}

TEST_F(DriftTest, JsonValueChangeIsContentChange) {
  EXPECT_EQ(Names(Diagnose("{\"a\":1}\n", "{\"a\":2}\n")), Classes{"content_changed"});
}

TEST_F(DriftTest, EncodingUtf16WithBom) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("hi\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  Diagnosis d = Diagnose("hi\n", utf16);
  EXPECT_EQ(Names(d), Classes{"encoding_changed"});
  EXPECT_NE(d.notes.back().find("UTF-16LE"), std::string::npos);
}

TEST_F(DriftTest, EncodingWindows1252EmDash) {
  Diagnosis d = Diagnose("a \xE2\x80\x94 b\n", "a \x97 b\n");
  EXPECT_EQ(Names(d), Classes{"encoding_changed"});
  EXPECT_NE(d.notes.back().find("Windows-1252"), std::string::npos);
}

TEST_F(DriftTest, EncodingLatin1) {
  EXPECT_EQ(Names(Diagnose("caf\xC3\xA9\n", "caf\xE9\n")), Classes{"encoding_changed"});
}

TEST_F(DriftTest, AppendedIsFoundWithoutTheSealedBytes) {
  Diagnosis d = Diagnose("abc\n", "abc\nmore\n", /*with_bytes=*/false);
  EXPECT_EQ(Names(d), Classes{"appended"});
  EXPECT_FALSE(d.first_difference);
}

TEST_F(DriftTest, TruncatedNeedsTheSealedBytes) {
  EXPECT_EQ(Names(Diagnose("abc\ndef\n", "abc\n")), Classes{"truncated"});
  EXPECT_EQ(Names(Diagnose("abc\ndef\n", "abc\n", /*with_bytes=*/false)),
            Classes{"content_changed"});
}

TEST_F(DriftTest, BinaryChangeIsContentChangeWithByteDescription) {
  Diagnosis d = Diagnose(std::string("\x00\x01\xFF", 3), std::string("\x00\x02\xFF", 3));
  EXPECT_EQ(Names(d), Classes{"content_changed"});
  ASSERT_TRUE(d.first_difference);
  EXPECT_EQ(d.first_difference->offset, 1u);
}

TEST_F(DriftTest, EditPlusCrlfIsContentChangeThatMentionsTheLineEndings) {
  Diagnosis d = Diagnose("a\nb\n", "a\r\nB\r\n");
  EXPECT_EQ(Names(d), Classes{"content_changed"});
  bool mentioned = false;
  for (const auto& n : d.notes) mentioned |= n.find("LF → CRLF") != std::string::npos;
  EXPECT_TRUE(mentioned);
}

TEST(DriftFirstDifference, LineAndColumnCountCodePoints) {
  auto d = LocateFirstDifference("one\ntwo \xE2\x80\x94 x\n", "one\ntwo \xE2\x80\x93 x\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->line, 2u);
  EXPECT_EQ(d->column, 5u);
  EXPECT_EQ(d->offset, 8u);  // start of the dash, not the differing third byte
  EXPECT_EQ(d->sealed, "U+2014 EM DASH");
  EXPECT_EQ(d->current, "U+2013 EN DASH");
  EXPECT_EQ(DescribeFirstDifference(*d), "2:5: U+2014 EM DASH → U+2013 EN DASH");
}

TEST(DriftFirstDifference, EndOfFileOnEitherSide) {
  auto d = LocateFirstDifference("abc", "abcd");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->sealed, "end of file");
  EXPECT_EQ(d->current, "U+0064 LATIN SMALL LETTER D");
  EXPECT_FALSE(LocateFirstDifference("same", "same"));
}

}  // namespace
}  // namespace prodgate::seal
