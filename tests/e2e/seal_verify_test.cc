// seal → mutate → verify, through the binary, for every drift class of DESIGN.md §3.2.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "core/sha256.h"
#include "seal/manifest.h"
#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A small tree shaped like the seeds' CI-gate inputs: code, config JSON, Markdown with
// typography, SQL, an executable, binary data, a symlink, a file with a BOM and one without
// a final newline.
void WriteSampleTree(const std::string& root) {
  WriteFile(root + "/ci/gate.py", "#!/usr/bin/env python3\n# seal-vs-bytes gate\nprint(\"ok\")\n");
  WriteFile(
      root + "/config/release.json",
      "{\"release\": \"fix7-p0\", \"owner\": \"Zo\xC3\xAB\", \"steps\": [\"seal\", \"verify\"]}\n");
  WriteFile(root + "/docs/runbook.md",
            "# Runbook \xE2\x80\x94 FIX7\n\nStep one \xE2\x80\x94 seal the bytes.\n"
            "\xE2\x80\x9CQuoted\xE2\x80\x9D text.\n");
  WriteFile(root + "/docs/cafe.md", "Le caf\xC3\xA9 est pr\xC3\xAAt.\n");
  WriteFile(root + "/docs/bom.txt", "\xEF\xBB\xBFwith a byte-order mark\n");
  WriteFile(root + "/migrations/001.sql",
            "CREATE TABLE birth_registry (id INTEGER PRIMARY KEY, name TEXT);\n"
            "INSERT INTO birth_registry VALUES (1, 'a');\n");
  WriteFile(root + "/bin/run.sh", "#!/bin/sh\necho run\n");
  fs::permissions(root + "/bin/run.sh", fs::perms(0755));
  std::string blob;
  for (int i = 0; i < 256; ++i) blob.push_back(static_cast<char>(i));
  WriteFile(root + "/data/blob.bin", blob);
  WriteFile(root + "/notes.txt", "no final newline");
  fs::create_symlink("ci/gate.py", root + "/link");
}

class SealVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = dir_ / "tree";
    WriteSampleTree(tree_);
  }
  RunResult Seal(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"seal", tree_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Prodgate(args, dir_.path());
  }
  RunResult Verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify", "--root", tree_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Prodgate(args, dir_.path());
  }
  ScratchDir dir_;
  std::string tree_;
};

struct Mutation {
  const char* name;
  const char* shell;  // run in the tree
  const char* path;
  std::vector<std::string> classes;  // exactly these, in this order
};

void PrintTo(const Mutation& m, std::ostream* os) { *os << m.name; }

class DriftClasses : public SealVerify, public ::testing::WithParamInterface<Mutation> {};

TEST_P(DriftClasses, RealMutationIsReportedByClass) {
  const Mutation& m = GetParam();
  RunResult sealed = Seal({"--keep"});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  RunResult control = Verify();
  ASSERT_EQ(control.exit_code, 0) << control.out << control.err;  // the unmutated tree passes
  EXPECT_EQ(JsonOut(control)["verdict"], "PASS");

  RunResult mutate = Shell(m.shell, tree_);
  ASSERT_EQ(mutate.exit_code, 0) << mutate.err;
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json report = JsonOut(r);
  EXPECT_EQ(report["verdict"], "FAIL");
  EXPECT_EQ(ClassesOf(report, m.path), m.classes) << r.out;
  EXPECT_EQ(report["files"].size(), 1u) << "only the mutated path may be reported:\n" << r.out;
}

const Mutation kMutations[] = {
    {"missing", "rm notes.txt", "notes.txt", {"missing"}},
    {"unsealed", "echo new > extra.txt", "extra.txt", {"unsealed"}},
    {"type_file_to_symlink",
     "rm ci/gate.py && ln -s ../notes.txt ci/gate.py",
     "ci/gate.py",
     {"type_changed"}},
    {"type_symlink_to_directory", "rm link && mkdir link", "link", {"type_changed"}},
    // Verify hashes sealed files while it walks: a sealed file that is now a fifo or a
    // directory must be reported by its new type, and the fifo never opened (no hang).
    {"type_file_to_fifo", "rm notes.txt && mkfifo notes.txt", "notes.txt", {"type_changed"}},
    {"type_file_to_directory", "rm notes.txt && mkdir notes.txt", "notes.txt", {"type_changed"}},
    {"appended_and_mode",
     "echo more >> bin/run.sh && chmod 0700 bin/run.sh",
     "bin/run.sh",
     {"appended", "mode_changed"}},
    {"mode_changed", "chmod 0700 bin/run.sh", "bin/run.sh", {"mode_changed"}},
    {"eol_crlf", "sed -i 's/$/\\r/' migrations/001.sql", "migrations/001.sql", {"eol_changed"}},
    {"bom_added", "sed -i '1s/^/\\xef\\xbb\\xbf/' ci/gate.py", "ci/gate.py", {"bom_added"}},
    {"bom_removed", "sed -i '1s/^\\xef\\xbb\\xbf//' docs/bom.txt", "docs/bom.txt", {"bom_removed"}},
    {"final_newline_added",
     "printf '\\n' >> notes.txt",
     "notes.txt",
     {"final_newline_changed", "appended"}},
    {"final_newline_removed",
     "truncate -s -1 docs/cafe.md",
     "docs/cafe.md",
     {"final_newline_changed", "truncated"}},
    {"encoding_utf16",
     "iconv -f UTF-8 -t UTF-16 docs/runbook.md > /tmp/$$ && cat /tmp/$$ > docs/runbook.md && rm "
     "/tmp/$$",
     "docs/runbook.md",
     {"encoding_changed"}},
    {"json_ensure_ascii",
     "python3 -c 'import json,sys; p=\"config/release.json\"; d=json.load(open(p, "
     "encoding=\"utf-8\")); "
     "open(p,\"w\").write(json.dumps(d, ensure_ascii=True)+\"\\n\")'",
     "config/release.json",
     {"json_reencoded"}},
    {"unicode_nfd",
     "python3 -c 'import unicodedata as u; p=\"docs/cafe.md\"; s=open(p, "
     "encoding=\"utf-8\").read(); "
     "open(p,\"w\", encoding=\"utf-8\").write(u.normalize(\"NFD\", s))'",
     "docs/cafe.md",
     {"unicode_normalization"}},
    {"unicode_em_dash",
     "sed -i 's/\\xe2\\x80\\x94/-/g' docs/runbook.md",
     "docs/runbook.md",
     {"unicode_typography"}},
    {"truncated", "truncate -s 20 migrations/001.sql", "migrations/001.sql", {"truncated"}},
    {"appended", "echo 'DROP TABLE x;' >> migrations/001.sql", "migrations/001.sql", {"appended"}},
    {"content_changed", "sed -i 's/ok/OK/' ci/gate.py", "ci/gate.py", {"content_changed"}},
    {"binary_bit_flip",
     "printf '\\x01' | dd of=data/blob.bin bs=1 seek=7 conv=notrunc status=none",
     "data/blob.bin",
     {"content_changed"}},
};

INSTANTIATE_TEST_SUITE_P(EveryClass, DriftClasses, ::testing::ValuesIn(kMutations),
                         [](const auto& info) { return std::string(info.param.name); });

// verify walks the tree and reads the files at once. A directory swapped back and forth
// with a symlink to a pristine copy must never let the pristine bytes stand in for the
// tampered ones the walk saw: every run FAILs or refuses, none PASSes.
TEST_F(SealVerify, ADirectorySwappedWithASymlinkDuringVerifyNeverPasses) {
  WriteFile(tree_ + "/d/f.txt", "sealed bytes\n");
  ASSERT_EQ(Seal().exit_code, 0);
  fs::create_directories(dir_ / "pristine");
  fs::copy_file(tree_ + "/d/f.txt", dir_ / "pristine/f.txt");
  WriteFile(tree_ + "/d/f.txt", "TAMPERED!!!\n");  // same size: the raw fast path
  fs::create_symlink(dir_ / "pristine", dir_ / "swap");
  std::string a = tree_ + "/d", b = dir_ / "swap";
  std::atomic<bool> stop{false};
  std::atomic<int> exchanges{0};
  std::thread swapper([&] {
    while (!stop) {
      if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) ++exchanges;
    }
  });
  int passed = 0, failed = 0, refused = 0;
  for (int i = 0; i < 150; ++i) {
    RunResult r = Prodgate({"verify", "--root", tree_}, dir_.path());
    (r.exit_code == 0 ? passed : r.exit_code == 1 ? failed : refused)++;
    EXPECT_NE(r.exit_code, 0) << "run " << i << " passed a tampered tree:\n" << r.out << r.err;
    EXPECT_NE(r.exit_code, 3) << r.out << r.err;
  }
  stop = true;
  swapper.join();
  EXPECT_GT(exchanges.load(), 150);
  RecordProperty("failed", failed);
  RecordProperty("refused", refused);
  EXPECT_EQ(passed, 0);
}

// The seven cases of the seeds' CI gate selftest, all at once: every one is reported in a
// single run, none hides another.
TEST_F(SealVerify, SeedSelftestSevenCasesAllReportedInOneRun) {
  ASSERT_EQ(Seal({"--keep"}).exit_code, 0);
  ASSERT_EQ(
      Shell("sed -i 's/ok/KO/' ci/gate.py"                       // sha mismatch
            " && echo more >> migrations/001.sql"                // byte-length mismatch
            " && sed -i 's/\\xe2\\x80\\x94/-/' docs/runbook.md"  // em-dash drift
            " && python3 -c 'import json; p=\"config/release.json\"; "
            "d=json.load(open(p, encoding=\"utf-8\")); open(p,\"w\").write(json.dumps(d)+\"\\n\")'"
            " && sed -i '1s/^/\\xef\\xbb\\xbf/' docs/cafe.md"  // BOM
            " && sed -i 's/$/\\r/' bin/run.sh"                 // CRLF
            " && rm notes.txt",                                // missing file
            tree_)
          .exit_code,
      0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  Json report = JsonOut(r);
  EXPECT_EQ(ClassesOf(report, "ci/gate.py"), std::vector<std::string>{"content_changed"});
  EXPECT_EQ(ClassesOf(report, "migrations/001.sql"), std::vector<std::string>{"appended"});
  EXPECT_EQ(ClassesOf(report, "docs/runbook.md"), std::vector<std::string>{"unicode_typography"});
  EXPECT_EQ(ClassesOf(report, "config/release.json"), std::vector<std::string>{"json_reencoded"});
  EXPECT_EQ(ClassesOf(report, "docs/cafe.md"), std::vector<std::string>{"bom_added"});
  EXPECT_EQ(ClassesOf(report, "bin/run.sh"), std::vector<std::string>{"eol_changed"});
  EXPECT_EQ(ClassesOf(report, "notes.txt"), std::vector<std::string>{"missing"});
  EXPECT_EQ(report["files"].size(), 7u);
}

TEST_F(SealVerify, FirstDifferenceFromTheKeepStoreNamesBothCodePoints) {
  ASSERT_EQ(Seal({"--keep"}).exit_code, 0);
  ASSERT_EQ(Shell("sed -i 's/\\xe2\\x80\\x94 seal/- seal/' docs/runbook.md", tree_).exit_code, 0);
  RunResult r = Prodgate({"verify", "--root", tree_}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("3:10: U+2014 EM DASH → U+002D HYPHEN-MINUS"), std::string::npos) << r.out;
}

TEST_F(SealVerify, FirstDifferenceFromAnAgainstCopy) {
  ASSERT_EQ(Shell("cp -a tree reviewed", dir_.path()).exit_code, 0);
  ASSERT_EQ(Seal().exit_code, 0);  // no --keep: the sealed bytes come from --against
  ASSERT_EQ(Shell("sed -i 's/ok/OK/' ci/gate.py", tree_).exit_code, 0);
  RunResult without = Verify();
  EXPECT_FALSE(JsonOut(without)["files"][0].contains("first_difference"));
  RunResult with = Verify({"--against", dir_ / "reviewed"});
  Json f = JsonOut(with)["files"][0];
  ASSERT_TRUE(f.contains("first_difference")) << with.out;
  EXPECT_EQ(f["first_difference"]["line"], 3);
  EXPECT_EQ(f["first_difference"]["column"], 8);
  EXPECT_EQ(f["first_difference"]["sealed"], "U+006F LATIN SMALL LETTER O");
  EXPECT_EQ(f["first_difference"]["current"], "U+004F LATIN CAPITAL LETTER O");
}

TEST_F(SealVerify, AgainstCopyThatDiffersFromTheSealIsNotTrusted) {
  ASSERT_EQ(
      Shell("cp -a tree reviewed && echo tampered >> reviewed/ci/gate.py", dir_.path()).exit_code,
      0);
  ASSERT_EQ(Seal().exit_code, 0);
  ASSERT_EQ(Shell("sed -i 's/ok/OK/' ci/gate.py", tree_).exit_code, 0);
  Json f = JsonOut(Verify({"--against", dir_ / "reviewed"}))["files"][0];
  EXPECT_FALSE(f.contains("first_difference"));
}

TEST_F(SealVerify, JunitHasOneTestcasePerSealedFile) {
  ASSERT_EQ(Seal().exit_code, 0);
  ASSERT_EQ(Shell("sed -i 's/ok/OK/' ci/gate.py && echo x > extra.txt", tree_).exit_code, 0);
  std::string junit = dir_ / "junit.xml";
  RunResult r = Prodgate({"verify", "--root", tree_, "--junit", junit}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  std::string xml = ReadFileOrDie(junit);
  size_t testcases = 0;
  for (size_t at = 0; (at = xml.find("<testcase ", at)) != std::string::npos; ++at) ++testcases;
  EXPECT_EQ(testcases, 10u + 1u);  // 10 sealed entries + the unsealed file
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"ci/gate.py\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("type=\"content_changed\""), std::string::npos) << xml;
}

TEST_F(SealVerify, HumanReportListsEveryFileAndExitCodesFollowTheVerdict) {
  ASSERT_EQ(Seal().exit_code, 0);
  RunResult pass = Prodgate({"verify", "--root", tree_}, dir_.path());
  EXPECT_EQ(pass.exit_code, 0);
  EXPECT_EQ(pass.out.rfind("PASS ", 0), 0u) << pass.out;
  EXPECT_EQ(pass.err, "");  // no progress display when stderr is not a terminal
  ASSERT_EQ(Shell("rm notes.txt && chmod 600 bin/run.sh", tree_).exit_code, 0);
  RunResult fail = Prodgate({"verify", "--root", tree_}, dir_.path());
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_EQ(fail.out.rfind("FAIL ", 0), 0u) << fail.out;
  EXPECT_NE(fail.out.find("notes.txt"), std::string::npos);
  EXPECT_NE(fail.out.find("mode 0755 → 0600"), std::string::npos) << fail.out;
}

TEST_F(SealVerify, ManifestDefaultsAndIgnoresAreSealed) {
  WriteFile(tree_ + "/scratch.tmp", "ignored");
  WriteFile(tree_ + "/.git/HEAD", "ref: refs/heads/main\n");
  ASSERT_EQ(Seal({"--ignore", "*.tmp"}).exit_code, 0);
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  EXPECT_EQ(m["format"], "prodgate.seal/2");
  EXPECT_EQ(m["ignore"], (Json{"/.prodgate/", "/.git/", "/prodgate.seal.json", "*.tmp"}));
  for (const auto& f : m["files"]) {
    EXPECT_NE(f["path"], "scratch.tmp");
    EXPECT_NE(f["path"], "prodgate.seal.json");
  }
  // Changes to ignored files do not fail verify; the ignore list came from the manifest.
  WriteFile(tree_ + "/other.tmp", "also ignored");
  WriteFile(tree_ + "/.git/HEAD", "ref: refs/heads/other\n");
  EXPECT_EQ(Verify().exit_code, 0);
}

TEST_F(SealVerify, ManifestOutsideTheTree) {
  std::string manifest = dir_ / "elsewhere.json";
  ASSERT_EQ(Seal({"-o", manifest}).exit_code, 0);
  EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json"));
  RunResult r = Prodgate({"verify", "--manifest", manifest, "--root", tree_}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(SealVerify, SealRecordsTextFactsOfDesignSection31) {
  ASSERT_EQ(Seal().exit_code, 0);
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  std::map<std::string, Json> by_path;
  for (const auto& f : m["files"]) by_path[f["path"]] = f;
  Json runbook = by_path["docs/runbook.md"];
  EXPECT_EQ(runbook["kind"], "file");
  EXPECT_EQ(runbook["mode"], "0644");
  EXPECT_EQ(runbook["text"]["utf8"], true);
  EXPECT_EQ(runbook["text"]["eol"], (Json{{"cr", 0}, {"crlf", 0}, {"lf", 4}}));
  EXPECT_TRUE(runbook["text"].contains("fold_sha256"));
  EXPECT_NE(runbook["text"]["fold_sha256"], runbook["text"]["nfc_sha256"]);
  EXPECT_TRUE(by_path["config/release.json"]["text"].contains("json_sha256"));
  EXPECT_EQ(by_path["docs/bom.txt"]["text"]["bom"], true);
  EXPECT_EQ(by_path["notes.txt"]["text"]["final_newline"], false);
  EXPECT_FALSE(by_path["data/blob.bin"].contains("text"));
  EXPECT_EQ(by_path["bin/run.sh"]["mode"], "0755");
  EXPECT_EQ(by_path["link"]["kind"], "symlink");
  EXPECT_EQ(by_path["link"]["target"], "ci/gate.py");
}

TEST_F(SealVerify, KeepStoresEverySealedFileContentAddressed) {
  ASSERT_EQ(Seal({"--keep"}).exit_code, 0);
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  for (const auto& f : m["files"]) {
    if (f["kind"] != "file") continue;
    std::string hex = f["sha256"];
    std::string object = tree_ + "/.prodgate/objects/" + hex.substr(0, 2) + "/" + hex.substr(2);
    ASSERT_TRUE(fs::exists(object)) << object;
    EXPECT_EQ(ReadFileOrDie(object), ReadFileOrDie(tree_ + "/" + f["path"].get<std::string>()));
  }
}

TEST_F(SealVerify, TamperedKeepObjectIsNotUsedAsSealedBytes) {
  ASSERT_EQ(Seal({"--keep"}).exit_code, 0);
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  std::string hex;
  for (const auto& f : m["files"]) {
    if (f["path"] == "ci/gate.py") hex = f["sha256"];
  }
  std::string object = tree_ + "/.prodgate/objects/" + hex.substr(0, 2) + "/" + hex.substr(2);
  fs::permissions(object, fs::perms(0644));
  WriteFile(object, "forged sealed bytes\n");
  ASSERT_EQ(Shell("sed -i 's/ok/OK/' ci/gate.py", tree_).exit_code, 0);
  Json f = JsonOut(Verify())["files"][0];
  EXPECT_EQ(f["classes"], Json{"content_changed"});
  EXPECT_FALSE(f.contains("first_difference"));
}

// README shows a coreutils pipeline that recomputes the tree digest; the test runs exactly
// the text of the README.
TEST_F(SealVerify, TreeDigestEqualsTheCoreutilsOneLinerOfTheReadme) {
  std::string readme = ReadFileOrDie(std::string(PRODGATE_SOURCE_DIR) + "/README.md");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(readme, match,
                                std::regex("<!-- tree-digest -->\\s*```sh\\n([\\s\\S]*?)```")))
      << "README.md lacks the tree-digest block";
  std::string one_liner = match[1];
  WriteFile(tree_ + "/dir with space/name with  spaces.txt", "spaces\n");
  ASSERT_EQ(Seal().exit_code, 0);
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  RunResult r = Shell(one_liner, tree_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, m["root"].get<std::string>() + "\n");
}

TEST_F(SealVerify, LargeSparseFileOverFourGibIsHashedCorrectlyWithProgress) {
  // 2^32 + 4 bytes: a hole, "middle" at 100 MiB, a hole, then "tail" after the 4 GiB
  // boundary. Expected digest computed once with `openssl dgst -sha256` on the same file.
  ASSERT_EQ(
      Shell("truncate -s 4294967296 big.bin && printf middle | dd of=big.bin bs=1 "
            "seek=104857600 conv=notrunc status=none && printf tail >> big.bin && sync big.bin",
            tree_)
          .exit_code,
      0);
  // Sealed on a pseudo-terminal (script(1)), so the long run shows its progress line.
  RunResult r = Shell(
      std::string("script -qefc '") + PRODGATE_BIN + " seal " + tree_ + "' /dev/null", dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("sealing: "), std::string::npos) << "no progress shown:\n" << r.out;
  EXPECT_NE(r.out.find(" MiB/s"), std::string::npos) << r.out;
  Json m = Json::parse(ReadFileOrDie(tree_ + "/prodgate.seal.json"));
  Json entry;
  for (const auto& f : m["files"]) {
    if (f["path"] == "big.bin") entry = f;
  }
  EXPECT_EQ(entry["size"], 4294967300ull);
  EXPECT_EQ(entry["sha256"], "655c37c4d77991fd81537499259fd85f4bea86e324ff1626972e8a874dbb4d8b");
}

}  // namespace
}  // namespace prodgate::testing

namespace prodgate::testing {
namespace {

// A manifest edited by the change's author and re-rooted (canonical, self-consistent) so that
// the edited tree verifies: the seal/2 root moves with every such edit, so the root a grant or
// a reviewer bound FAILs it (--expect-root), and a seal/1 manifest says its root is weak.
TEST_F(SealVerify, AnEditedAndReRootedManifestNeverPassesWithTheReviewedRoot) {
  ASSERT_EQ(Seal().exit_code, 0);
  const std::string manifest = tree_ + "/prodgate.seal.json";
  const std::string reviewed = JsonOut(Verify())["root"];
  ASSERT_EQ(Verify({"--expect-root", reviewed}).exit_code, 0) << "the control";
  const std::string original = ReadFileOrDie(manifest);
  struct Edit {
    const char* what;
    std::function<void(seal::SealManifest&)> manifest;
    std::function<void()> tree;
  };
  const Edit edits[] = {
      {"ignore widened to hide a new file",
       [](seal::SealManifest& m) { m.ignore.push_back("*.evil"); },
       [&] { WriteFile(tree_ + "/payload.evil", "rm -rf /\n"); }},
      {"a script made setuid",
       [](seal::SealManifest& m) {
         for (auto& e : m.files) {
           if (e.path == "bin/run.sh") e.mode = 04755;
         }
       },
       [&] { fs::permissions(tree_ + "/bin/run.sh", fs::perms(04755)); }},
      {"a symlink turned into a file",
       [&](seal::SealManifest& m) {
         for (auto& e : m.files) {
           if (e.path != "link") continue;
           std::string bytes = ReadFileOrDie(tree_ + "/ci/gate.py");
           e.kind = seal::EntryKind::kFile;
           e.mode = 0644;
           e.target.clear();
           e.size = bytes.size();
           e.sha256 = Sha256Of(bytes);
         }
       },
       [&] {
         fs::remove(tree_ + "/link");
         fs::copy_file(tree_ + "/ci/gate.py", tree_ + "/link");
         fs::permissions(tree_ + "/link", fs::perms(0644));
       }},
  };
  for (const auto& e : edits) {
    SCOPED_TRACE(e.what);
    auto m = seal::ParseManifest(original, manifest);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    e.manifest(*m);
    m->root = seal::TreeDigest(m->files, m->ignore);
    WriteFile(manifest, *seal::SerializeManifest(*m));
    e.tree();
    EXPECT_NE(ToHex(m->root), reviewed) << "the edit kept the root";
    RunResult bound = Verify({"--expect-root", reviewed});
    EXPECT_EQ(bound.exit_code, 1) << bound.out << bound.err;
    EXPECT_NE(bound.out.find("root_problem"), std::string::npos) << bound.out;
    // Restore the tree and the manifest for the next edit.
    ASSERT_EQ(std::system(("rm -rf '" + tree_ + "' && mkdir -p '" + tree_ + "'").c_str()), 0);
    WriteSampleTree(tree_);
    WriteFile(manifest, original);
    ASSERT_EQ(Verify({"--expect-root", reviewed}).exit_code, 0);
  }
  // A seal/1 manifest of the same tree: read, verified, and reported weak.
  auto m = seal::ParseManifest(original, manifest);
  ASSERT_TRUE(m.ok());
  m->version = 1;
  m->root = seal::TreeDigestV1(m->files);
  WriteFile(manifest, *seal::SerializeManifest(*m));
  RunResult weak = Prodgate({"verify", "--root", tree_}, dir_.path());
  EXPECT_EQ(weak.exit_code, 0) << weak.out << weak.err;
  EXPECT_NE(weak.out.find("weak_root"), std::string::npos) << weak.out;
  RunResult bad = Prodgate({"verify", "--root", tree_, "--expect-root", "xyz"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
}

// A repeatable option takes one value per occurrence: `seal --ignore '*.tmp' DIR` seals DIR
// with that pattern, never the working directory with DIR as a second pattern.
TEST_F(SealVerify, ARepeatableOptionNeverSwallowsTheDirectory) {
  WriteFile(tree_ + "/scratch.tmp", "x");
  RunResult r = Prodgate({"seal", "--ignore", "*.tmp", tree_, "--json"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(tree_ + "/prodgate.seal.json"));
  EXPECT_FALSE(fs::exists(dir_ / "prodgate.seal.json"));
  auto m = seal::ParseManifest(ReadFileOrDie(tree_ + "/prodgate.seal.json"), "m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE(std::find(m->ignore.begin(), m->ignore.end(), "*.tmp"), m->ignore.end());
  EXPECT_EQ(std::find(m->ignore.begin(), m->ignore.end(), tree_), m->ignore.end());
  EXPECT_GT(m->files.size(), 5u);
}

}  // namespace
}  // namespace prodgate::testing
