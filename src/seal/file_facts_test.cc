#include "seal/file_facts.h"

#include <gtest/gtest.h>

#include <random>

#include "core/canonical_json.h"
#include "tests/test_util.h"

namespace prodgate::seal {
namespace {

FileFacts Streamed(std::string_view bytes, const std::vector<size_t>& cuts,
                   FactsOptions options = FactsOptions::Text()) {
  FactsBuilder b(options);
  size_t at = 0;
  for (size_t cut : cuts) {
    b.Update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()) + at, cut - at));
    at = cut;
  }
  b.Update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()) + at, bytes.size() - at));
  return b.Finish();
}

void ExpectSameFacts(const FileFacts& a, const FileFacts& b, const std::string& label) {
  EXPECT_EQ(a.size, b.size) << label;
  EXPECT_EQ(a.sha256, b.sha256) << label;
  ASSERT_EQ(a.text.has_value(), b.text.has_value()) << label;
  if (a.text) {
    EXPECT_TRUE(*a.text == *b.text) << label;
  }
  EXPECT_EQ(a.lf_toggled_sha256, b.lf_toggled_sha256) << label;
}

TEST(SealFileFacts, EmptyFileIsTextWithoutLines) {
  FileFacts f = FactsOfBytes("");
  EXPECT_EQ(f.size, 0u);
  EXPECT_EQ(f.sha256, Sha256Of(""));
  ASSERT_TRUE(f.text);
  EXPECT_FALSE(f.text->final_newline);
  EXPECT_EQ(f.text->eol, (EolCounts{0, 0, 0}));
  EXPECT_EQ(f.text->lf_sha256, Sha256Of(""));
  EXPECT_EQ(f.lf_toggled_sha256, Sha256Of("\n"));
  EXPECT_FALSE(f.text->json_sha256);
}

TEST(SealFileFacts, CountsEveryLineEndingKindAndNormalizesToLf) {
  FileFacts f = FactsOfBytes("a\r\nb\rc\nd\r\r\n");
  ASSERT_TRUE(f.text);
  EXPECT_EQ(f.text->eol.crlf, 2u);
  EXPECT_EQ(f.text->eol.cr, 2u);
  EXPECT_EQ(f.text->eol.lf, 1u);
  EXPECT_EQ(f.text->lf_sha256, Sha256Of("a\nb\nc\nd\n\n"));
  EXPECT_TRUE(f.text->final_newline);
  EXPECT_EQ(f.lf_toggled_sha256, Sha256Of("a\nb\nc\nd\n"));
  EXPECT_EQ(DescribeEol(f.text->eol), "mixed (LF 1, CRLF 2, CR 2)");
  EXPECT_EQ(DescribeEol(FactsOfBytes("x\r\ny\r\n").text->eol), "CRLF");
}

TEST(SealFileFacts, BomIsRecordedAndStrippedFromTheLfForm) {
  FileFacts f = FactsOfBytes("\xEF\xBB\xBFhello\n");
  ASSERT_TRUE(f.text);
  EXPECT_TRUE(f.text->bom);
  EXPECT_EQ(f.text->lf_sha256, Sha256Of("hello\n"));
  EXPECT_FALSE(FactsOfBytes("hello\n").text->bom);
}

TEST(SealFileFacts, NulOrInvalidUtf8MeansNoTextFacts) {
  EXPECT_FALSE(FactsOfBytes(std::string("ab\0cd", 5)).text);
  EXPECT_FALSE(FactsOfBytes("caf\xE9\n").text);     // Latin-1 é
  EXPECT_FALSE(FactsOfBytes("\xED\xA0\x80").text);  // a UTF-16 surrogate
  EXPECT_FALSE(FactsOfBytes("ok\xE2\x80").text);    // truncated at end of file
  EXPECT_TRUE(FactsOfBytes("caf\xC3\xA9\n").text);  // UTF-8 é
}

TEST(SealFileFacts, NfcFactsSeeDecomposedText) {
  FileFacts nfd = FactsOfBytes("cafe\xCC\x81\n");  // e + COMBINING ACUTE ACCENT
  FileFacts nfc = FactsOfBytes("caf\xC3\xA9\n");
  ASSERT_TRUE(nfd.text && nfc.text);
  EXPECT_FALSE(nfd.text->nfc);
  EXPECT_TRUE(nfc.text->nfc);
  EXPECT_NE(nfd.text->lf_sha256, nfc.text->lf_sha256);
  EXPECT_EQ(nfd.text->nfc_sha256, nfc.text->nfc_sha256);
  EXPECT_EQ(nfc.text->nfc_sha256, Sha256Of("caf\xC3\xA9\n"));
}

TEST(SealFileFacts, FoldHashAbsorbsTypography) {
  FileFacts typo = FactsOfBytes("step \xE2\x80\x94 \xE2\x80\x9Cgo\xE2\x80\x9D\xE2\x80\xA6\n");
  FileFacts plain = FactsOfBytes("step - \"go\"...\n");
  ASSERT_TRUE(typo.text && plain.text);
  EXPECT_NE(typo.text->nfc_sha256, plain.text->nfc_sha256);
  EXPECT_EQ(typo.text->fold_sha256, plain.text->fold_sha256);
}

TEST(SealFileFacts, JsonHashIsTheCanonicalForm) {
  FileFacts f = FactsOfBytes("{ \"b\": 1,\n  \"a\": \"\\u00e9\" }\n");
  ASSERT_TRUE(f.text && f.text->json_sha256);
  EXPECT_EQ(*f.text->json_sha256, Sha256Of("{\"a\":\"\xC3\xA9\",\"b\":1}"));
  EXPECT_FALSE(FactsOfBytes("[1, 2").text->json_sha256);              // not JSON
  EXPECT_FALSE(FactsOfBytes("\"just a string\"").text->json_sha256);  // not an object/array
  EXPECT_TRUE(FactsOfBytes("\xEF\xBB\xBF[1.5]").text->json_sha256);   // after a BOM, floats ok
}

TEST(SealFileFacts, StreamingInAnyPiecesGivesTheSameFacts) {
  const std::vector<std::string> inputs = {
      "",
      "a\r\nb\r\n",
      "\xEF\xBB\xBF{\"k\": \"caf\xC3\xA9\"}\r\n",
      "x\r",
      "\r\n\r\n\r",
      "cafe\xCC\x81 \xE2\x80\x94 na\xC3\xAFve\n\xE4\xB8\xAD\xE6\x96\x87\n",
      std::string("bin\0ary", 7),
      "\xEF\xBB",
      "ends with a multibyte \xF0\x9F\x98\x80",
  };
  std::mt19937 rng(7);
  for (const auto& in : inputs) {
    FileFacts whole = FactsOfBytes(in);
    // Every single cut point, then random multi-cuts.
    for (size_t cut = 0; cut <= in.size(); ++cut) {
      ExpectSameFacts(whole, Streamed(in, {cut}), "cut at " + std::to_string(cut));
    }
    for (int round = 0; round < 20 && !in.empty(); ++round) {
      std::vector<size_t> cuts;
      for (size_t i = 0; i < in.size(); ++i) {
        if (rng() % 3 == 0) cuts.push_back(i);
      }
      ExpectSameFacts(whole, Streamed(in, cuts), "random cuts");
    }
  }
}

TEST(SealFileFacts, PrefixDigestCoversExactlyTheAskedBytes) {
  FileFacts f = FactsOfBytes("abcdef", FactsOptions::Raw(3));
  EXPECT_EQ(f.prefix_sha256, Sha256Of("abc"));
  EXPECT_EQ(FactsOfBytes("abcdef", FactsOptions::Raw(6)).prefix_sha256, Sha256Of("abcdef"));
  EXPECT_EQ(FactsOfBytes("abcdef", FactsOptions::Raw(0)).prefix_sha256, Sha256Of(""));
  EXPECT_FALSE(FactsOfBytes("abc", FactsOptions::Raw(4)).prefix_sha256);
  EXPECT_EQ(Streamed("abcdef", {1, 2, 5}, FactsOptions::Raw(3)).prefix_sha256, Sha256Of("abc"));
}

TEST(SealFileFacts, RawOnlySkipsTextFacts) {
  FileFacts f = FactsOfBytes("hello\n", FactsOptions::Raw());
  EXPECT_FALSE(f.text);
  EXPECT_EQ(f.sha256, Sha256Of("hello\n"));
}

TEST(SealFileFacts, TextWithoutAsciiForTooLongDropsOnlyTheNfcFacts) {
  std::string s;
  while (s.size() <= kMaxNfcCarry + 8) s += "\xC3\xA9";  // é, no ASCII byte at all
  FileFacts f = Streamed(s, {1 << 20, 2 << 20, 9 << 20, 16 << 20});
  ASSERT_TRUE(f.text);
  EXPECT_FALSE(f.text->nfc_sha256);
  EXPECT_FALSE(f.text->fold_sha256);
  EXPECT_EQ(f.text->lf_sha256, Sha256Of(s));
}

TEST(SealFileFacts, FileReaderMatchesBytesAndRefusesNonRegularFiles) {
  testing::ScratchDir dir;
  testing::WriteFile(dir / "a.txt", "one\r\ntwo\n");
  std::vector<uint8_t> buf(4);  // tiny buffer: many reads
  auto f = FactsOfFile(dir / "a.txt", FactsOptions::Text(), buf);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ExpectSameFacts(*f, FactsOfBytes("one\r\ntwo\n"), "file");
  auto missing = FactsOfFile(dir / "nope", FactsOptions::Text(), buf);
  EXPECT_EQ(missing.status().code(), StatusCode::kBadInput);
  EXPECT_NE(missing.status().what().find("nope"), std::string::npos);
  auto directory = FactsOfFile(dir.path(), FactsOptions::Text(), buf);
  EXPECT_EQ(directory.status().code(), StatusCode::kBadInput);
}

}  // namespace
}  // namespace prodgate::seal
