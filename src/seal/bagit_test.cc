#include "seal/bagit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "core/unicode.h"
#include "seal/bagit_internal.h"
#include "tests/test_util.h"

namespace prodgate::seal {
namespace {

namespace fs = std::filesystem;
using testing::ReadFileOrDie;
using testing::ScratchDir;
using testing::Shell;
using testing::WriteFile;

// ---- A bag written by hand, the way other tools write them ----

struct HandBag {
  std::string version = "1.0";
  std::string encoding = "UTF-8";
  std::vector<BagAlgorithm> algorithms = {BagAlgorithm::kSha256};
  // Paths relative to the bag ("data/..."), and their bytes.
  std::vector<std::pair<std::string, std::string>> payload = {
      {"data/text.txt", "line one\nline two\n"},
      {"data/config.json", "{\"owner\": \"Zo\xC3\xAB\", \"steps\": [\"seal\", \"verify\"]}\n"},
      {"data/sub/blob.bin", std::string("\x00\x01\x02\xFF", 4)}};
  bool oxum = true;
  std::vector<std::string> bag_info;  // extra lines, UTF-8
  std::vector<std::string> fetch;     // fetch.txt lines, UTF-8; none: no fetch.txt
  bool tag_manifest = true;
};

// UTF-8 text as the bag's declared encoding writes it.
std::string Encode(const std::string& text, const std::string& encoding) {
  if (encoding == "UTF-16") {  // little-endian with a BOM, as Windows tools write it
    std::string out = "\xFF\xFE";
    for (char16_t u : Utf8ToUtf16(text)) {
      out.push_back(static_cast<char>(u & 0xFF));
      out.push_back(static_cast<char>(u >> 8));
    }
    return out;
  }
  if (encoding == "ISO-8859-1") {
    std::string out;
    for (size_t i = 0; i < text.size();) {
      size_t len = 1;
      auto cp = DecodeUtf8At(text, i, &len);
      out.push_back(static_cast<char>(cp ? *cp : '?'));
      i += len;
    }
    return out;
  }
  return text;
}

std::string ManifestText(const std::string& dir, BagAlgorithm a,
                         const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) {
    out +=
        bagit::HexDigestOf(a, ReadFileOrDie(dir + "/" + p)) + "  " + PercentEncodeBagPath(p) + "\n";
  }
  return out;
}

// Rewrites the tag manifests over every tag file in the base directory (what a tool that
// "updates" a bag after editing bag-info.txt does).
void Retag(const std::string& dir, const HandBag& b) {
  std::vector<std::string> tags;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind("tagmanifest-", 0) != 0) tags.push_back(name);
  }
  std::sort(tags.begin(), tags.end());
  for (BagAlgorithm a : b.algorithms) {
    WriteFile(dir + "/tagmanifest-" + std::string(BagAlgorithmName(a)) + ".txt",
              Encode(ManifestText(dir, a, tags), b.encoding));
  }
}

void WriteHandBag(const std::string& dir, const HandBag& b) {
  fs::create_directories(dir + "/data");
  std::vector<std::string> paths;
  uint64_t octets = 0;
  for (const auto& [p, bytes] : b.payload) {
    WriteFile(dir + "/" + p, bytes);
    paths.push_back(p);
    octets += bytes.size();
  }
  WriteFile(dir + "/bagit.txt",
            "BagIt-Version: " + b.version + "\nTag-File-Character-Encoding: " + b.encoding + "\n");
  for (BagAlgorithm a : b.algorithms) {
    WriteFile(dir + "/manifest-" + std::string(BagAlgorithmName(a)) + ".txt",
              Encode(ManifestText(dir, a, paths), b.encoding));
  }
  std::string info;
  if (b.oxum)
    info += "Payload-Oxum: " + std::to_string(octets) + "." + std::to_string(paths.size()) + "\n";
  info += "Bagging-Date: 2024-05-01\n";
  for (const auto& l : b.bag_info) info += l + "\n";
  WriteFile(dir + "/bag-info.txt", Encode(info, b.encoding));
  if (!b.fetch.empty()) {
    std::string f;
    for (const auto& l : b.fetch) f += l + "\n";
    WriteFile(dir + "/fetch.txt", Encode(f, b.encoding));
  }
  if (b.tag_manifest) Retag(dir, b);
}

class BagTest : public ::testing::Test {
 protected:
  std::string bag() const { return dir_ / "bag"; }
  void Make(const HandBag& b = {}) {
    spec_ = b;
    WriteHandBag(bag(), b);
  }
  BagReport Verify(BagVerifyOptions options = {}) {
    auto r = VerifyBag(bag(), options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : BagReport{};
  }
  void Sh(const std::string& script) {
    auto r = Shell(script, bag());
    ASSERT_EQ(r.exit_code, 0) << script << "\n" << r.err;
  }
  ScratchDir dir_;
  HandBag spec_;
};

const BagProblem* Find(const BagReport& r, const std::string& path, const std::string& code) {
  for (const auto& p : r.problems) {
    if (p.path == path && p.code == code) return &p;
  }
  return nullptr;
}

std::string Dump(const BagReport& r) {
  std::string out = std::string(BagVerdictName(r.verdict)) + "\n";
  for (const auto& p : r.problems) {
    out += (p.severity == BagSeverity::kError ? "  E " : "  W ") + p.path + " " + p.code + ": " +
           p.message + "\n";
  }
  return out;
}

std::vector<std::string> Classes(const BagProblem* p) {
  std::vector<std::string> out;
  if (p == nullptr || !p->content) return out;
  for (auto c : p->content->classes) out.emplace_back(DriftClassName(c));
  return out;
}

#define EXPECT_VALID(r) EXPECT_EQ((r).verdict, BagVerdict::kValid) << Dump(r)
#define EXPECT_INVALID(r) EXPECT_EQ((r).verdict, BagVerdict::kInvalid) << Dump(r)
// The report is bound to a reference first: a temporary (EXPECT_PROBLEM(Verify(), …)) lives
// as long as r_, so p_ never points into a destroyed report, and Verify() runs once.
#define EXPECT_PROBLEM(r, path, code, sev)                                                       \
  do {                                                                                           \
    const BagReport& r_ = (r);                                                                   \
    const BagProblem* p_ = Find(r_, (path), (code));                                             \
    ASSERT_NE(p_, nullptr) << "expected " << (code) << " on \"" << (path) << "\"\n" << Dump(r_); \
    EXPECT_EQ(p_->severity, (sev)) << Dump(r_);                                                  \
  } while (0)
#define EXPECT_NO_PROBLEMS(r) EXPECT_TRUE((r).problems.empty()) << Dump(r)

constexpr auto kError = BagSeverity::kError;
constexpr auto kWarning = BagSeverity::kWarning;

// ---- Valid bags, every algorithm, both versions ----

class EachAlgorithm : public BagTest, public ::testing::WithParamInterface<BagAlgorithm> {};

TEST_P(EachAlgorithm, Version10BagIsValidAndAFlippedByteIsNamed) {
  HandBag b;
  b.algorithms = {GetParam()};
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_EQ(r.version, "1.0");
  EXPECT_EQ(r.payload_algorithms,
            std::vector<std::string>{std::string(BagAlgorithmName(GetParam()))});
  EXPECT_EQ(r.counts.payload_files, 3u);
  if (GetParam() == BagAlgorithm::kSha256 || GetParam() == BagAlgorithm::kSha512) {
    EXPECT_NO_PROBLEMS(r);
  } else {
    EXPECT_PROBLEM(r, "", "weak_algorithms_only", kWarning);
  }

  Sh("printf '\\x01' | dd of=data/sub/blob.bin bs=1 seek=0 conv=notrunc status=none");
  BagReport changed = Verify();
  EXPECT_INVALID(changed);
  EXPECT_PROBLEM(changed, "data/sub/blob.bin", "checksum_mismatch", kError);
  const BagProblem* p = Find(changed, "data/sub/blob.bin", "checksum_mismatch");
  ASSERT_TRUE(p->content);
  ASSERT_EQ(p->content->digests.size(), 1u);
  EXPECT_EQ(p->content->digests[0].algorithm, BagAlgorithmName(GetParam()));
  EXPECT_EQ(p->content->digests[0].actual.size(), bagit::HexLength(GetParam()));
}

TEST_P(EachAlgorithm, Version097BagIsValidAndAMissingFileIsNamed) {
  HandBag b;
  b.version = "0.97";
  b.algorithms = {GetParam()};
  b.bag_info = {"Source-Organization :   Example Org"};  // pre-1.0 whitespace is accepted
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_EQ(r.version, "0.97");
  EXPECT_EQ(Find(r, "bag-info.txt", "malformed_bag_info_line"), nullptr) << Dump(r);

  Sh("rm data/text.txt");
  BagReport changed = Verify();
  EXPECT_INVALID(changed);
  EXPECT_PROBLEM(changed, "data/text.txt", "missing_file", kError);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, EachAlgorithm,
                         ::testing::Values(BagAlgorithm::kMd5, BagAlgorithm::kSha1,
                                           BagAlgorithm::kSha256, BagAlgorithm::kSha512),
                         [](const auto& info) {
                           return std::string(BagAlgorithmName(info.param));
                         });

TEST_F(BagTest, EveryAlgorithmAtOnceIsOneReadAndAllAreCompared) {
  HandBag b;
  b.algorithms = {BagAlgorithm::kMd5, BagAlgorithm::kSha1, BagAlgorithm::kSha256,
                  BagAlgorithm::kSha512};
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_NO_PROBLEMS(r);
  EXPECT_EQ(r.counts.files_hashed, r.counts.payload_files + r.counts.tag_files - 4);

  Sh("printf 'line one\\nline 2wo\\n' > data/text.txt");  // same size
  BagReport changed = Verify();
  const BagProblem* p = Find(changed, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(changed);
  EXPECT_EQ(p->content->digests.size(), 4u);
}

// ---- Changed payload bytes: named per file, with the cause where it can be derived ----

TEST_F(BagTest, CrlfInAPayloadFileIsNamedWithItsCauseNotOnlyTheOxum) {
  Make();
  EXPECT_VALID(Verify());
  Sh("sed -i 's/$/\\r/' data/text.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(Classes(p), std::vector<std::string>{"eol_changed"});
  EXPECT_EQ(p->content->original_source, "derived");
  EXPECT_EQ(p->content->size, 20u);
  EXPECT_EQ(p->content->original_size, 18u);
  EXPECT_NE(p->message.find("LF → CRLF"), std::string::npos) << p->message;
  ASSERT_TRUE(p->content->first_difference);
  EXPECT_EQ(p->content->first_difference->line, 1u);
  // The Oxum is wrong too, and its message names the file that explains it.
  const BagProblem* oxum = Find(r, "bag-info.txt", "payload_oxum_mismatch");
  ASSERT_NE(oxum, nullptr) << Dump(r);
  EXPECT_NE(oxum->message.find("data/text.txt"), std::string::npos) << oxum->message;
}

TEST_F(BagTest, BomPrependedIsBomAdded) {
  Make();
  EXPECT_VALID(Verify());
  Sh("sed -i '1s/^/\\xef\\xbb\\xbf/' data/text.txt");
  BagReport r = Verify();
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(Classes(p), std::vector<std::string>{"bom_added"});
}

TEST_F(BagTest, JsonReencodedWithAsciiEscapesIsJsonReencoded) {
  Make();
  EXPECT_VALID(Verify());
  Sh("python3 -c 'import json; p=\"data/config.json\"; d=json.load(open(p, encoding=\"utf-8\")); "
     "open(p, \"w\").write(json.dumps(d) + \"\\n\")'");
  BagReport r = Verify();
  const BagProblem* p = Find(r, "data/config.json", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(Classes(p), std::vector<std::string>{"json_reencoded"});
}

TEST_F(BagTest, SameSizeBitFlipIsNamedWithBothDigestsAndNoOxumProblem) {
  Make();
  EXPECT_VALID(Verify());
  Sh("printf 'line one\\nline twO\\n' > data/text.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_TRUE(Classes(p).empty());  // nothing to derive it from
  EXPECT_EQ(p->content->digests[0].expected,
            bagit::HexDigestOf(BagAlgorithm::kSha256, "line one\nline two\n"));
  EXPECT_EQ(p->content->digests[0].actual,
            bagit::HexDigestOf(BagAlgorithm::kSha256, "line one\nline twO\n"));
  EXPECT_EQ(Find(r, "bag-info.txt", "payload_oxum_mismatch"), nullptr) << Dump(r);
  EXPECT_EQ(r.ErrorCount(), 1u) << Dump(r);
}

TEST_F(BagTest, AgainstAnOriginalCopyLocatesTheFirstDifference) {
  Make();
  fs::copy(bag(), dir_ / "original", fs::copy_options::recursive);
  Sh("printf 'line one\\nline twO\\n' > data/text.txt");
  BagVerifyOptions options;
  options.against = dir_ / "original";
  BagReport r = Verify(options);
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(p->content->original_source, "against");
  EXPECT_EQ(Classes(p), std::vector<std::string>{"content_changed"});
  ASSERT_TRUE(p->content->first_difference);
  EXPECT_EQ(p->content->first_difference->line, 2u);
  EXPECT_EQ(p->content->first_difference->column, 8u);

  // Negative control: a copy whose bytes do not match the manifest is never used.
  WriteFile(dir_ / "original/data/text.txt", "something else\n");
  BagReport untrusted = Verify(options);
  const BagProblem* q = Find(untrusted, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->content->original_source, "none");
  EXPECT_FALSE(q->content->first_difference);
}

TEST_F(BagTest, PayloadOxumGivesTheOriginalSizeOfTheOnlyChangedFile) {
  Make();
  Sh("truncate -s 5 data/text.txt");
  BagReport r = Verify();
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(p->content->original_source, "payload-oxum");
  EXPECT_EQ(p->content->original_size, 18u);
}

TEST_F(BagTest, AppendedBytesAreFoundFromThePayloadOxum) {
  Make();
  Sh("printf 'line three\\n' >> data/text.txt");
  BagReport r = Verify();
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(Classes(p), std::vector<std::string>{"appended"});
}

TEST_F(BagTest, Utf16PayloadIsEncodingChanged) {
  Make();
  Sh("iconv -f UTF-8 -t UTF-16 data/text.txt > t && mv t data/text.txt");
  BagReport r = Verify();
  const BagProblem* p = Find(r, "data/text.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_EQ(Classes(p), std::vector<std::string>{"encoding_changed"});
}

// ---- Missing, extra, duplicate ----

TEST_F(BagTest, MissingPayloadFileIsNamedAndExplainsTheOxum) {
  Make();
  EXPECT_VALID(Verify());
  Sh("rm data/config.json");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "data/config.json", "missing_file", kError);
  const BagProblem* oxum = Find(r, "bag-info.txt", "payload_oxum_mismatch");
  ASSERT_NE(oxum, nullptr);
  EXPECT_NE(oxum->message.find("data/config.json (missing_file)"), std::string::npos);
}

TEST_F(BagTest, ExtraPayloadFileIsNotInManifest) {
  Make();
  EXPECT_VALID(Verify());
  Sh("echo extra > data/extra.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "data/extra.txt", "not_in_manifest", kError);
}

TEST_F(BagTest, Version10PayloadFileMustBeInEveryManifest) {
  HandBag b;
  b.algorithms = {BagAlgorithm::kSha256, BagAlgorithm::kSha512};
  Make(b);
  EXPECT_VALID(Verify());
  Sh("sed -i '/text.txt/d' manifest-sha512.txt");
  BagReport r = Verify();
  EXPECT_PROBLEM(r, "data/text.txt", "not_in_manifest", kError);
}

TEST_F(BagTest, Version097PayloadFileInOneManifestIsAWarning) {
  HandBag b;
  b.version = "0.97";
  b.algorithms = {BagAlgorithm::kSha256, BagAlgorithm::kSha512};
  b.tag_manifest = false;
  Make(b);
  Sh("sed -i '/text.txt/d' manifest-sha512.txt");
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "data/text.txt", "not_in_every_manifest", kWarning);
}

TEST_F(BagTest, FileListedTwice) {
  HandBag b;
  b.tag_manifest = false;
  Make(b);
  EXPECT_VALID(Verify());
  Sh("grep text.txt manifest-sha256.txt > dup && cat dup >> manifest-sha256.txt && rm dup");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "duplicate_entry", kError);

  Sh("printf '%064d  data/text.txt\\n' 0 >> manifest-sha256.txt");
  EXPECT_PROBLEM(Verify(), "manifest-sha256.txt", "conflicting_duplicate", kError);
}

TEST_F(BagTest, FileListedTwiceIn097WithTheSameChecksumIsAWarning) {
  HandBag b;
  b.version = "0.97";
  b.tag_manifest = false;
  Make(b);
  Sh("grep text.txt manifest-sha256.txt > dup && cat dup >> manifest-sha256.txt && rm dup");
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "duplicate_entry", kWarning);
}

// ---- Paths that leave the bag ----

TEST_F(BagTest, UnsafeManifestPathsAreReportedAndNeverOpened) {
  HandBag b;
  b.tag_manifest = false;
  Make(b);
  EXPECT_VALID(Verify());
  // A file outside the bag whose digest the hostile lines carry: were it opened, the entry
  // would verify.
  WriteFile(dir_ / "passwd", "root:x:0:0\n");
  const std::string hex = bagit::HexDigestOf(BagAlgorithm::kSha256, "root:x:0:0\n");
  const std::vector<std::string> hostile = {
      "data/../../passwd",    "/etc/passwd", "~/x",      "C:/x",
      "\\\\server\\share\\x", "data\\x",     "data/./x", "data//x"};
  std::string lines;
  for (const auto& h : hostile) lines += hex + "  " + h + "\n";
  WriteFile(bag() + "/manifest-sha256.txt", ReadFileOrDie(bag() + "/manifest-sha256.txt") + lines);
  BagReport r = Verify();
  EXPECT_INVALID(r);
  size_t unsafe = 0;
  for (const auto& p : r.problems) {
    if (p.code == "unsafe_path") {
      ++unsafe;
      EXPECT_EQ(p.path, "manifest-sha256.txt");
      EXPECT_EQ(p.rule, "RFC 8493 §5.1");
    }
  }
  EXPECT_EQ(unsafe, hostile.size()) << Dump(r);
  EXPECT_EQ(r.counts.files_hashed, r.counts.payload_files) << Dump(r);
  for (const auto& p : r.problems) EXPECT_NE(p.code, "missing_file") << Dump(r);
}

TEST_F(BagTest, PayloadManifestListingATagFileIsOutsideThePayload) {
  HandBag b;
  b.tag_manifest = false;
  Make(b);
  Sh("sha256sum bagit.txt >> manifest-sha256.txt");
  EXPECT_PROBLEM(Verify(), "manifest-sha256.txt", "path_outside_payload", kError);
}

TEST_F(BagTest, SymlinkInThePayloadIsNeverFollowed) {
  Make();
  EXPECT_VALID(Verify());
  WriteFile(dir_ / "outside.txt", "line one\nline two\n");
  Sh("rm data/text.txt && ln -s ../../outside.txt data/text.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "data/text.txt", "symlink", kError);
  EXPECT_EQ(Find(r, "data/text.txt", "checksum_mismatch"), nullptr);
}

// ---- Percent-encoded names (RFC 8493 §2.1.3) ----

TEST_F(BagTest, PercentEncodedNamesDecodeToLfCrAndPercent) {
  HandBag b;
  b.payload = {{"data/a\nb.txt", "lf\n"}, {"data/c\rd.txt", "cr\n"}, {"data/50%.txt", "pct\n"}};
  Make(b);
  const std::string manifest = ReadFileOrDie(bag() + "/manifest-sha256.txt");
  EXPECT_NE(manifest.find("data/a%0Ab.txt"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("data/c%0Dd.txt"), std::string::npos);
  EXPECT_NE(manifest.find("data/50%25.txt"), std::string::npos);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_NO_PROBLEMS(r);

  // Lowercase hex digits are the same encoding (RFC 3986 §2.1).
  Sh("sed -i 's/%0A/%0a/' manifest-sha256.txt");
  BagReport lower = Verify();
  EXPECT_EQ(Find(lower, "data/a\\x0ab.txt", "missing_file"), nullptr) << Dump(lower);
}

TEST_F(BagTest, UnencodedPercentIsReadLiterallyWithAWarning) {
  HandBag b;
  b.payload = {{"data/50%off.txt", "x\n"}};
  b.tag_manifest = false;
  Make(b);
  // Written the way bagit-python writes it: '%' not encoded.
  Sh("sed -i 's/50%25off/50%off/' manifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "unencoded_percent", kWarning);
}

TEST_F(BagTest, AFileNamedLikeAnEncodingIsMissingWithAHint) {
  HandBag b;
  b.payload = {{"data/%25.txt", "x\n"}};
  b.tag_manifest = false;
  Make(b);
  EXPECT_VALID(Verify());
  // The manifest says "%25" for a file literally named "%25.txt": per the RFC that is "%.txt".
  Sh("sed -i 's/%2525/%25/' manifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "data/%.txt", "missing_file", kError);
  EXPECT_NE(Find(r, "data/%.txt", "missing_file")->message.find("did not percent-encode"),
            std::string::npos);
  EXPECT_PROBLEM(r, "data/%25.txt", "not_in_manifest", kError);
}

TEST(PercentCoding, RoundTripAndStrayPercent) {
  EXPECT_EQ(PercentEncodeBagPath("a%b\nc\rd"), "a%25b%0Ac%0Dd");
  EXPECT_EQ(PercentDecodeBagPath("a%25b%0Ac%0dd").path, "a%b\nc\rd");
  EXPECT_FALSE(PercentDecodeBagPath("a%25b").stray_percent);
  auto stray = PercentDecodeBagPath("100%20x%");
  EXPECT_EQ(stray.path, "100%20x%");
  EXPECT_TRUE(stray.stray_percent);
}

// ---- fetch.txt ----

TEST_F(BagTest, FetchItemsMustBePresentAndInScope) {
  HandBag b;
  b.fetch = {"https://example.org/text.txt 18 data/text.txt"};
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);  // the fetched file is present and verifies
  EXPECT_NO_PROBLEMS(r);
  EXPECT_EQ(r.counts.fetch_items, 1u);

  // A holey bag: the fetch item is absent. Never fetched; the bag is incomplete.
  Sh("rm data/text.txt");
  BagReport holey = Verify();
  EXPECT_INVALID(holey);
  EXPECT_PROBLEM(holey, "data/text.txt", "fetch_item_missing", kError);
  EXPECT_EQ(Find(holey, "data/text.txt", "missing_file"), nullptr) << "reported twice";
}

TEST_F(BagTest, FetchPathsOutOfScopeAreRefused) {
  HandBag b;
  b.fetch = {"https://example.org/a 10 bagit.txt", "https://example.org/b - ../escape",
             "https://example.org/c 5 /etc/passwd", "not-a-url 5 data/x"};
  b.tag_manifest = false;
  Make(b);
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "fetch.txt", "fetch_path_out_of_scope", kError);
  EXPECT_PROBLEM(r, "fetch.txt", "unsafe_path", kError);
  EXPECT_PROBLEM(r, "fetch.txt", "malformed_fetch_line", kError);
  EXPECT_PROBLEM(r, "data/x", "fetch_item_not_in_manifest", kError);
}

// ---- Tag-file encodings ----

TEST_F(BagTest, Utf16TagFilesWithBomAreDecoded) {
  HandBag b;
  b.encoding = "UTF-16";
  b.payload = {{"data/caf\xC3\xA9.txt", "coffee\n"}, {"data/plain.txt", "plain\n"}};
  b.bag_info = {"Contact-Name: Zo\xC3\xAB"};
  Make(b);
  EXPECT_EQ(ReadFileOrDie(bag() + "/manifest-sha256.txt").substr(0, 2), "\xFF\xFE");
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "bagit.txt", "encoding_not_utf8", kWarning);
  EXPECT_EQ(r.ErrorCount(), 0u);

  // Negative control: the same bag declaring UTF-8 cannot read its manifests.
  Sh("sed -i 's/UTF-16/UTF-8/' bagit.txt");
  BagReport wrong = Verify();
  EXPECT_INVALID(wrong);
  EXPECT_PROBLEM(wrong, "manifest-sha256.txt", "tag_file_encoding", kError);
}

TEST_F(BagTest, Latin1TagFilesAreDecodedAsDeclared) {
  HandBag b;
  b.encoding = "ISO-8859-1";
  b.payload = {{"data/caf\xC3\xA9.txt", "coffee\n"}};
  Make(b);
  EXPECT_NE(ReadFileOrDie(bag() + "/manifest-sha256.txt").find("caf\xE9.txt"), std::string::npos);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "bagit.txt", "encoding_not_utf8", kWarning);

  Sh("sed -i 's/ISO-8859-1/UTF-8/' bagit.txt");
  BagReport wrong = Verify();
  EXPECT_INVALID(wrong);
  EXPECT_PROBLEM(wrong, "manifest-sha256.txt", "tag_file_encoding", kError);
}

TEST_F(BagTest, Utf8BomInAManifestIsAnErrorButItsEntriesAreStillChecked) {
  Make();
  Sh("sed -i '1s/^/\\xef\\xbb\\xbf/' manifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "tag_file_bom", kError);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "checksum_mismatch", kError);  // tag manifest
  for (const auto& p : r.problems) EXPECT_NE(p.code, "not_in_manifest") << Dump(r);
}

// ---- bagit.txt ----

class Declaration : public BagTest {
 protected:
  BagReport WithDeclaration(const std::string& bytes, const std::string& version = "1.0") {
    HandBag b;
    b.version = version;
    b.tag_manifest = false;
    Make(b);
    WriteFile(bag() + "/bagit.txt", bytes);
    return Verify();
  }
};

TEST_F(Declaration, ExactSyntaxIsValidWithEveryLineEnding) {
  EXPECT_NO_PROBLEMS(WithDeclaration("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"));
  EXPECT_NO_PROBLEMS(
      WithDeclaration("BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n"));
  EXPECT_NO_PROBLEMS(WithDeclaration("BagIt-Version: 1.0\rTag-File-Character-Encoding: UTF-8\r"));
}

TEST_F(Declaration, ByteOrderMarkIsAnError) {
  BagReport r = WithDeclaration(
      "\xEF\xBB\xBF"
      "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "bagit.txt", "declaration_bom", kError);
  EXPECT_EQ(r.version, "1.0");  // still read
}

TEST_F(Declaration, WrongLineSyntaxIsAnError) {
  for (const char* bad :
       {"BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\n",
        "BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n",
        "bagit-version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n",
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n\n",
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nX: y\n", "BagIt-Version: 1.0\n",
        "BagIt-Version: one\nTag-File-Character-Encoding: UTF-8\n", ""}) {
    BagReport r = WithDeclaration(bad);
    EXPECT_INVALID(r);
    EXPECT_PROBLEM(r, "bagit.txt", "declaration_syntax", kError);
  }
}

TEST_F(Declaration, Version097AcceptsWhitespaceAroundTheColon) {
  BagReport r =
      WithDeclaration("BagIt-Version :  0.97\nTag-File-Character-Encoding\t: UTF-8\n", "0.97");
  EXPECT_VALID(r);
  EXPECT_NO_PROBLEMS(r);
}

TEST_F(Declaration, UnknownVersionIsAnError) {
  for (const char* v : {"2.0", "0.96", "1.1"}) {
    BagReport r = WithDeclaration(std::string("BagIt-Version: ") + v +
                                  "\nTag-File-Character-Encoding: UTF-8\n");
    EXPECT_INVALID(r);
    EXPECT_PROBLEM(r, "bagit.txt", "unknown_version", kError);
    EXPECT_EQ(r.ErrorCount(), 1u) << Dump(r);  // the rest of the bag is still checked, and fine
  }
}

TEST_F(Declaration, UnknownEncodingIsAnError) {
  BagReport r = WithDeclaration("BagIt-Version: 1.0\nTag-File-Character-Encoding: NOPE-42\n");
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "bagit.txt", "unknown_encoding", kError);
}

TEST_F(Declaration, MissingLineTerminatorIsAWarning) {
  BagReport r = WithDeclaration("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8");
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "bagit.txt", "missing_line_terminator", kWarning);
}

// ---- Names equal after normalization or case folding (RFC 8493 §6.1.1.3) ----

TEST_F(BagTest, NfcAndNfdNamesAreAWarning) {
  HandBag b;
  b.payload = {{"data/caf\xC3\xA9.txt", "nfc\n"}, {"data/cafe\xCC\x81.txt", "nfd\n"}};
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);
  // Reported on the group's first name in byte order: "cafe" + U+0301 sorts before U+00E9.
  EXPECT_PROBLEM(r, "data/cafe\xCC\x81.txt", "normalization_collision", kWarning);
  EXPECT_EQ(r.WarningCount(), 1u) << Dump(r);
}

TEST_F(BagTest, CaseCollidingNamesAreAWarning) {
  HandBag b;
  b.payload = {{"data/README.txt", "upper\n"}, {"data/readme.txt", "lower\n"}};
  Make(b);
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "data/README.txt", "case_collision", kWarning);

  // Control: distinct names, no warning.
  HandBag plain;
  plain.payload = {{"data/README.txt", "upper\n"}, {"data/other.txt", "lower\n"}};
  fs::remove_all(bag());
  Make(plain);
  EXPECT_NO_PROBLEMS(Verify());
}

TEST_F(BagTest, NameRenormalizedOnDiskIsToleratedWithAWarning) {
  HandBag b;
  b.payload = {{"data/caf\xC3\xA9.txt", "coffee\n"}};
  Make(b);
  Sh("mv data/caf$'\\xc3\\xa9'.txt data/cafe$'\\xcc\\x81'.txt");
  BagReport r = Verify();
  EXPECT_VALID(r);
  EXPECT_PROBLEM(r, "data/cafe\xCC\x81.txt", "normalization_differs", kWarning);

  // A case-only rename is not tolerated: missing, with a hint, and unlisted.
  Sh("mv data/cafe$'\\xcc\\x81'.txt data/CAF$'\\xc3\\x89'.txt");
  BagReport renamed = Verify();
  EXPECT_INVALID(renamed);
  EXPECT_PROBLEM(renamed, "data/caf\xC3\xA9.txt", "missing_file", kError);
  EXPECT_NE(Find(renamed, "data/caf\xC3\xA9.txt", "missing_file")->message.find("only in case"),
            std::string::npos);
}

// ---- Tag manifests, bag-info.txt, algorithms ----

TEST_F(BagTest, EditedBagInfoFailsTheTagManifest) {
  HandBag b;
  b.bag_info = {"External-Identifier: packet-1"};
  Make(b);
  EXPECT_VALID(Verify());
  Sh("sed -i 's/packet-1/packet-2/' bag-info.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  const BagProblem* p = Find(r, "bag-info.txt", "checksum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_NE(p->message.find("tagmanifest-sha256.txt"), std::string::npos);
}

TEST_F(BagTest, TagManifestMustListEveryPayloadManifestAndShouldListTagFiles) {
  Make();
  Sh("sed -i '/manifest-sha256.txt/d; /bag-info.txt/d' tagmanifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "tagmanifest-sha256.txt", "tag_manifest_omits_manifest", kError);
  EXPECT_PROBLEM(r, "bag-info.txt", "not_in_tag_manifest", kWarning);
}

TEST_F(BagTest, UnknownAlgorithmIsAWarningWhileAnotherManifestVerifies) {
  Make();
  Sh("sed 's/^[0-9a-f]*/abcdef0123/' manifest-sha256.txt > manifest-blake3.txt");
  Retag(bag(), spec_);
  BagReport r = Verify();
  EXPECT_EQ(r.verdict, BagVerdict::kValid) << Dump(r);
  EXPECT_PROBLEM(r, "manifest-blake3.txt", "unsupported_algorithm", kWarning);

  // Alone, it verifies nothing: the bag cannot be valid.
  Sh("rm manifest-sha256.txt tagmanifest-sha256.txt");
  BagReport alone = Verify();
  EXPECT_INVALID(alone);
  EXPECT_PROBLEM(alone, "", "no_verifiable_manifest", kError);
}

TEST_F(BagTest, NoPayloadManifestIsInvalid) {
  HandBag b;
  b.tag_manifest = false;
  Make(b);
  EXPECT_VALID(Verify());
  Sh("rm manifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "", "no_payload_manifest", kError);
}

TEST_F(BagTest, WrongPayloadOxumWithEveryFileFineSaysTheOxumIsWrong) {
  HandBag b;
  b.oxum = false;
  b.bag_info = {"Payload-Oxum: 999.3"};
  Make(b);
  BagReport r = Verify();
  EXPECT_INVALID(r);
  const BagProblem* p = Find(r, "bag-info.txt", "payload_oxum_mismatch");
  ASSERT_NE(p, nullptr) << Dump(r);
  EXPECT_NE(p->message.find("the Payload-Oxum value itself is wrong"), std::string::npos);
  EXPECT_EQ(r.ErrorCount(), 1u) << Dump(r);

  // Control: the right Oxum.
  fs::remove_all(bag());
  Make();
  EXPECT_NO_PROBLEMS(Verify());
}

TEST_F(BagTest, BagInfoLabelSyntaxIn10) {
  HandBag b;
  b.bag_info = {"Contact-Name:NoSpace", "no colon here", " orphan? no: continuation",
                "External-Description: a long value", "  continued on the next line"};
  Make(b);
  BagReport r = Verify();
  EXPECT_INVALID(r);
  size_t malformed = 0;
  for (const auto& p : r.problems) malformed += p.code == "malformed_bag_info_line";
  EXPECT_EQ(malformed, 2u) << Dump(r);  // the indented lines continue the element before
}

TEST_F(BagTest, Md5sumBinaryMarkerIsAnErrorAndTheFileIsStillChecked) {
  HandBag b;
  b.tag_manifest = false;
  Make(b);
  Sh("sed -i 's|  data/text.txt| *data/text.txt|' manifest-sha256.txt");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "manifest-sha256.txt", "md5sum_binary_marker", kError);
  EXPECT_EQ(Find(r, "data/text.txt", "not_in_manifest"), nullptr) << Dump(r);
  EXPECT_EQ(r.ErrorCount(), 1u) << Dump(r);
}

// ---- Not a bag ----

TEST_F(BagTest, NotADirectoryOrNoBagitTxtIsUnreadable) {
  WriteFile(dir_ / "file", "x");
  auto file = VerifyBag(dir_ / "file", {});
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->verdict, BagVerdict::kUnreadable);

  Make();
  Sh("rm bagit.txt");
  BagReport r = Verify();
  EXPECT_EQ(r.verdict, BagVerdict::kUnreadable) << Dump(r);
  EXPECT_PROBLEM(r, "", "no_bag_declaration", kError);
}

TEST_F(BagTest, UnreadablePayloadFileIsUnreadable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  Make();
  Sh("chmod 000 data/text.txt");
  BagReport r = Verify();
  EXPECT_EQ(r.verdict, BagVerdict::kUnreadable) << Dump(r);
  EXPECT_PROBLEM(r, "data/text.txt", "unreadable", kError);
}

// ---- WriteBag and the packet tree digest ----

BagSpec SampleSpec(const std::string& source) {
  BagSpec spec;
  spec.external_identifier = "packet-fix7-p0";
  spec.bagging_date = "2024-05-01";
  spec.labels = {{"Source-Organization", "Example"}, {"Prodgate-Lane", "L-7"}};
  spec.payload = {{"reports/summary.json", "{\"ok\":true}\n", std::nullopt},
                  {"commands.sh", "#!/bin/sh\nprodgate verify\n", std::nullopt},
                  {"copied/50% done.txt", std::nullopt, source}};
  return spec;
}

TEST_F(BagTest, WrittenBagVerifiesAndIsDeterministic) {
  WriteFile(dir_ / "source.txt", "copied bytes\n");
  BagSpec spec = SampleSpec(dir_ / "source.txt");
  ASSERT_TRUE(WriteBag(dir_ / "one", spec).ok());
  ASSERT_TRUE(WriteBag(dir_ / "two", spec).ok());
  auto r = VerifyBag(dir_ / "one", {});
  ASSERT_TRUE(r.ok());
  EXPECT_VALID(*r);
  EXPECT_NO_PROBLEMS(*r);
  EXPECT_EQ(r->payload_algorithms, (std::vector<std::string>{"sha256", "sha512"}));
  EXPECT_EQ(r->tag_algorithms, (std::vector<std::string>{"sha256", "sha512"}));
  for (const char* f :
       {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
        "tagmanifest-sha256.txt", "tagmanifest-sha512.txt", "data/copied/50% done.txt"}) {
    EXPECT_EQ(ReadFileOrDie(dir_ / "one/" + f), ReadFileOrDie(dir_ / "two/" + f)) << f;
  }
  EXPECT_EQ(ReadFileOrDie(dir_ / "one/bagit.txt"),
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  const std::string info = ReadFileOrDie(dir_ / "one/bag-info.txt");
  EXPECT_EQ(info.substr(0, info.find("Prodgate-Packet-Tree-Sha256")),
            "Payload-Oxum: 51.3\nBagging-Date: 2024-05-01\nExternal-Identifier: packet-fix7-p0\n"
            "Source-Organization: Example\nProdgate-Lane: L-7\n");
  EXPECT_NE(ReadFileOrDie(dir_ / "one/manifest-sha256.txt").find("  data/copied/50%25 done.txt\n"),
            std::string::npos);

  auto digest = PacketTreeDigest(dir_ / "one");
  ASSERT_TRUE(digest.ok());
  ASSERT_TRUE(r->packet_tree_digest);
  EXPECT_EQ(*r->packet_tree_digest, ToHex(*digest));
  EXPECT_NE(info.find("Prodgate-Packet-Tree-Sha256: " + ToHex(*digest) + "\n"), std::string::npos);
  EXPECT_EQ(ToHex(*PacketTreeDigest(dir_ / "two")), ToHex(*digest));
}

TEST_F(BagTest, PacketTreeDigestMatchesACoreutilsRecomputation) {
  BagSpec spec = SampleSpec("");
  spec.payload.pop_back();  // no '%' in names: the pipeline does not percent-encode
  ASSERT_TRUE(WriteBag(dir_ / "bag", spec).ok());
  // The pipeline of docs/packets.md.
  auto r = Shell(
      "{ find . -type f ! -path './tagmanifest-*.txt' ! -path ./bag-info.txt -printf '%P\\n' |"
      "  while IFS= read -r p; do echo \"$(sha256sum < \"$p\" | cut -c1-64) $(stat -c %s \"$p\") "
      "$p\"; done;"
      "  grep -v '^Prodgate-Packet-Tree-Sha256:' bag-info.txt > ../bi;"
      "  echo \"$(sha256sum < ../bi | cut -c1-64) $(stat -c %s ../bi) bag-info.txt\";"
      "} | LC_ALL=C sort -t' ' -k3 | sha256sum | cut -c1-64",
      bag());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ToHex(*PacketTreeDigest(bag())) + "\n");
}

TEST_F(BagTest, ChangedPacketTreeDigestIsReported) {
  EXPECT_FALSE(WriteBag(bag(), SampleSpec("/dev/null")).ok());  // not a regular file
  EXPECT_FALSE(fs::exists(bag()));
  BagSpec spec = SampleSpec("");
  spec.payload.pop_back();
  ASSERT_TRUE(WriteBag(bag(), spec).ok());
  EXPECT_VALID(Verify());
  // Rewrite a payload file and every manifest consistently: only the tree digest notices.
  Sh("printf 'x\\n' > data/commands.sh && "
     "(cd . && sha256sum data/commands.sh data/reports/summary.json > manifest-sha256.txt && "
     "sha512sum data/commands.sh data/reports/summary.json > manifest-sha512.txt && "
     "sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 14.2/' bag-info.txt && "
     "sha256sum bag-info.txt bagit.txt manifest-sha256.txt manifest-sha512.txt > "
     "tagmanifest-sha256.txt && sha512sum bag-info.txt bagit.txt manifest-sha256.txt "
     "manifest-sha512.txt > tagmanifest-sha512.txt)");
  BagReport r = Verify();
  EXPECT_INVALID(r);
  EXPECT_PROBLEM(r, "bag-info.txt", "packet_tree_digest_mismatch", kError);
  EXPECT_EQ(r.ErrorCount(), 1u) << Dump(r);
}

TEST_F(BagTest, WriteBagRefusesNonEmptyDirectoriesAndCollidingNames) {
  BagSpec spec;
  spec.external_identifier = "p";
  spec.payload = {{"a.txt", "a", std::nullopt}};
  WriteFile(dir_ / "full/x", "x");
  Status full = WriteBag(dir_ / "full", spec);
  EXPECT_EQ(full.code(), StatusCode::kBadInput);
  EXPECT_FALSE(fs::exists(dir_ / "full/bagit.txt"));

  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(WriteBag(dir_ / "empty", spec).ok());  // an empty directory is fine
  EXPECT_TRUE(fs::exists(dir_ / "empty/bagit.txt"));

  spec.payload = {{"A.txt", "a", std::nullopt}, {"a.txt", "b", std::nullopt}};
  EXPECT_EQ(WriteBag(dir_ / "case", spec).code(), StatusCode::kBadInput);
  spec.payload = {{"caf\xC3\xA9", "a", std::nullopt}, {"cafe\xCC\x81", "b", std::nullopt}};
  EXPECT_EQ(WriteBag(dir_ / "nfc", spec).code(), StatusCode::kBadInput);
  spec.payload = {{"../x", "a", std::nullopt}};
  EXPECT_EQ(WriteBag(dir_ / "unsafe", spec).code(), StatusCode::kBadInput);
  spec.payload = {{"x", "a", std::nullopt}};
  spec.labels = {{"Payload-Oxum", "1.1"}};
  EXPECT_EQ(WriteBag(dir_ / "label", spec).code(), StatusCode::kBadInput);
  spec.labels = {{"Note", "two\nlines"}};
  EXPECT_EQ(WriteBag(dir_ / "value", spec).code(), StatusCode::kBadInput);
  for (const char* d : {"case", "nfc", "unsafe", "label", "value"}) {
    EXPECT_FALSE(fs::exists(dir_ / d)) << d;
  }
  // Nothing left behind: no temporary directory.
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_NE(e.path().filename().string().front(), '.') << e.path();
  }
}

// ---- Parsers ----

TEST(BagParse, TagLinesEndWithLfCrOrCrlf) {
  auto lines = bagit::SplitTagLines("a\nb\r\nc\rd");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2].text, "c");
  EXPECT_FALSE(lines[3].terminated);
  EXPECT_EQ(lines[3].number, 4u);
}

TEST(BagParse, CandidateOriginalsUndoOneCommonChange) {
  auto has = [](const std::vector<bagit::Candidate>& cs, const std::string& bytes) {
    return std::any_of(cs.begin(), cs.end(), [&](const auto& c) { return c.bytes == bytes; });
  };
  EXPECT_TRUE(has(bagit::CandidateOriginals("a\r\nb\r\n"), "a\nb\n"));
  EXPECT_TRUE(has(bagit::CandidateOriginals("a\nb\n"), "a\r\nb\r\n"));
  EXPECT_TRUE(has(bagit::CandidateOriginals("\xEF\xBB\xBF"
                                            "a\r\n"),
                  "a\n"));
  EXPECT_TRUE(has(bagit::CandidateOriginals("a"), "a\n"));
  EXPECT_TRUE(has(bagit::CandidateOriginals("{\"k\": \"\\u00e9 \\ud83d\\ude00 \\\\u00e9\"}"),
                  "{\"k\": \"\xC3\xA9 \xF0\x9F\x98\x80 \\\\u00e9\"}"));
  EXPECT_TRUE(has(bagit::CandidateOriginals("cafe\xCC\x81\n"), "caf\xC3\xA9\n"));
  EXPECT_FALSE(has(bagit::CandidateOriginals("same"), "same"));
}

}  // namespace
}  // namespace prodgate::seal
