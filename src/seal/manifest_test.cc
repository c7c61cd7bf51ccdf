#include "seal/manifest.h"

#include <gtest/gtest.h>

namespace prodgate::seal {
namespace {

SealManifest Sample() {
  SealManifest m;
  m.ignore = {"/.prodgate/", "*.tmp"};
  SealEntry a;
  a.path = "ci/gate.py";
  a.mode = 0644;
  a.size = 6;
  a.sha256 = Sha256Of("print\n");
  FileFacts f = FactsOfBytes("print\n");
  a.text = f.text;
  SealEntry b;
  b.path = "link";
  b.kind = EntryKind::kSymlink;
  b.target = "ci/gate.py";
  b.size = b.target.size();
  b.sha256 = Sha256Of(b.target);
  m.files = {a, b};
  m.root = TreeDigest(m.files, m.ignore);
  return m;
}

std::string Bytes(const SealManifest& m) { return *SerializeManifest(m); }

// Parses `bytes` and expects a bad-input refusal whose message contains `needle`.
void ExpectRefused(std::string_view bytes, std::string_view needle) {
  auto r = ParseManifest(bytes, "m.json");
  ASSERT_FALSE(r.ok()) << "accepted: " << bytes;
  EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
  EXPECT_NE(r.status().what().find(needle), std::string::npos)
      << "message: " << r.status().what() << "\nexpected to contain: " << needle;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

// Rebuilds the manifest with a changed first path, keeping the root consistent, so that the
// path rule itself is what refuses it.
std::string WithPath(const std::string& path) {
  SealManifest m = Sample();
  m.files[0].path = path;
  m.root = TreeDigest(m.files, m.ignore);
  return Bytes(m);
}

TEST(SealManifest, TreeDigestIsTheSortedLineHash) {
  SealManifest m = Sample();
  std::string lines = "file 0644 " + ToHex(Sha256Of("print\n")) + " 6 ci/gate.py\nsymlink - " +
                      ToHex(Sha256Of("ci/gate.py")) +
                      " 10 link\nignore [\"/.prodgate/\",\"*.tmp\"]\n";
  EXPECT_EQ(m.root, Sha256Of(lines));
  // seal/1: the entries' digests, sizes and paths only.
  std::string v1 =
      ToHex(Sha256Of("print\n")) + " 6 ci/gate.py\n" + ToHex(Sha256Of("ci/gate.py")) + " 10 link\n";
  EXPECT_EQ(TreeDigestV1(m.files), Sha256Of(v1));
}

// Every field verify compares is in the seal/2 root: each edit below, made as a reviewer's
// adversary would (the manifest stays canonical), changes the root. The control: the same
// edits keep a seal/1 root, which is why seal/1 is reported weak.
TEST(SealManifest, EveryFieldVerifyComparesIsInTheRoot) {
  SealManifest base = Sample();
  std::vector<std::pair<std::string, SealManifest>> edits;
  SealManifest widened = base;
  widened.ignore.push_back("*.py");
  edits.push_back({"ignore widened", widened});
  SealManifest setuid = base;
  setuid.files[0].mode = 04755;
  edits.push_back({"mode", setuid});
  SealManifest retyped = base;
  retyped.files[1].kind = EntryKind::kFile;
  retyped.files[1].mode = 0644;
  edits.push_back({"kind", retyped});
  for (const auto& [what, m] : edits) {
    EXPECT_NE(TreeDigest(m.files, m.ignore), base.root) << what;
    EXPECT_EQ(TreeDigestV1(m.files), TreeDigestV1(base.files)) << what << " (seal/1 is weak)";
  }
}

TEST(SealManifest, ASealOneManifestIsReadWithItsOwnRoot) {
  SealManifest m = Sample();
  m.version = 1;
  m.root = TreeDigestV1(m.files);
  std::string bytes = Bytes(m);
  EXPECT_NE(bytes.find("\"prodgate.seal/1\""), std::string::npos);
  auto back = ParseManifest(bytes, "m.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 1);
  // A seal/1 document claiming the seal/2 root is refused, and the other way round.
  m.root = TreeDigest(m.files, m.ignore);
  ExpectRefused(Bytes(m), "does not match");
}

TEST(SealManifest, RoundTripsThroughCanonicalBytes) {
  SealManifest m = Sample();
  std::string bytes = Bytes(m);
  EXPECT_EQ(bytes.back(), '\n');
  auto back = ParseManifest(bytes, "m.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->root, m.root);
  ASSERT_EQ(back->files.size(), 2u);
  EXPECT_EQ(back->files[0].mode, 0644u);
  EXPECT_TRUE(*back->files[0].text == *m.files[0].text);
  EXPECT_EQ(back->files[1].target, "ci/gate.py");
  EXPECT_EQ(back->ignore, m.ignore);
  EXPECT_EQ(Bytes(*back), bytes);
}

TEST(SealManifest, RefusesUnsafePaths) {
  ExpectRefused(WithPath("../etc/passwd"), "'..' component");
  ExpectRefused(WithPath("a/../../x"), "'..' component");
  ExpectRefused(WithPath("/etc/passwd"), "absolute path");
  ExpectRefused(WithPath("ci\\gate.py"), "backslash");
  ExpectRefused(WithPath(std::string("a\0b", 3)), "NUL");
  ExpectRefused(WithPath("a\rb"), "carriage return");
  ExpectRefused(WithPath("a\nb"), "line feed");
  ExpectRefused(WithPath("~/x"), "'~'");
  ExpectRefused(WithPath("C:/x"), "drive letter");
}

TEST(SealManifest, RefusesDuplicateAndUnsortedEntries) {
  SealManifest m = Sample();
  m.files[1] = m.files[0];
  m.root = TreeDigest(m.files, m.ignore);
  ExpectRefused(Bytes(m), "duplicate entry \"ci/gate.py\"");
  SealManifest u = Sample();
  std::swap(u.files[0], u.files[1]);
  u.root = TreeDigest(u.files, u.ignore);
  ExpectRefused(Bytes(u), "not sorted");
}

TEST(SealManifest, RefusesNonCanonicalOrTruncatedBytes) {
  std::string bytes = Bytes(Sample());
  ExpectRefused(Replace(bytes, "{\"algorithm\"", "{ \"algorithm\""), "canonical");
  ExpectRefused(bytes + "\n", "canonical");
  ExpectRefused(bytes.substr(0, bytes.size() / 2), "not valid JSON");
  ExpectRefused("", "not valid JSON");
  // The same document with its keys reordered is refused too: the bytes are what is sealed.
  std::string reordered = Replace(bytes, "\"algorithm\":\"sha256\",", "");
  reordered.insert(reordered.rfind('}'), ",\"algorithm\":\"sha256\"");
  ExpectRefused(reordered, "canonical");
}

TEST(SealManifest, RefusesFloatsWhereIntegersBelong) {
  std::string bytes = Bytes(Sample());
  ExpectRefused(Replace(bytes, "\"size\":6,", "\"size\":6.0,"), "files[0].size");
  ExpectRefused(Replace(bytes, "\"size\":6,", "\"size\":6e0,"), "float");
  ExpectRefused(Replace(bytes, "\"size\":6,", "\"size\":-6,"), "non-negative integer");
}

TEST(SealManifest, RefusesUnknownFieldsAndWrongTypes) {
  std::string bytes = Bytes(Sample());
  ExpectRefused(Replace(bytes, "\"files\"", "\"extra\":1,\"files\""), "unknown field \"extra\"");
  ExpectRefused(Replace(bytes, "\"mode\":\"0644\"", "\"mode\":\"644\""), "four octal digits");
  ExpectRefused(Replace(bytes, "\"kind\":\"file\"", "\"kind\":\"fifo\""), "kind \"fifo\"");
  ExpectRefused(Replace(bytes, "prodgate.seal/2", "prodgate.seal/9"), "prodgate.seal/9");
  ExpectRefused(Replace(bytes, "\"algorithm\":\"sha256\"", "\"algorithm\":\"md5\""),
                "algorithm \"md5\"");
}

TEST(SealManifest, RefusesARootThatDoesNotMatchTheEntries) {
  SealManifest m = Sample();
  m.files[0].sha256 = Sha256Of("something else");
  ExpectRefused(Bytes(m), "does not match the tree digest");
}

TEST(SealManifest, RefusesASymlinkEntryWhoseDigestIsNotItsTarget) {
  SealManifest m = Sample();
  m.files[1].target = "elsewhere";
  m.root = TreeDigest(m.files, m.ignore);
  ExpectRefused(Bytes(m), "symlink target");
}

TEST(SealManifest, ReportsEveryProblemNotOnlyTheFirst) {
  SealManifest m = Sample();
  m.files[0].path = "../a";
  m.files[1].path = "/b";
  m.root = TreeDigest(m.files, m.ignore);
  auto r = ParseManifest(Bytes(m), "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("../a"), std::string::npos);
  EXPECT_NE(r.status().what().find("/b"), std::string::npos);
}

}  // namespace
}  // namespace prodgate::seal
