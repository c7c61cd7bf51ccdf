// Evidence packets made by prodgate: build from files, a rehearsal or a lane; tampering with
// each kind of file is detected and named; a rerun names a changed output; a mirror shares
// bytes already present and re-verifies.
#include <filesystem>
#include <fstream>

#include "tests/e2e/workspace.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

class PacketTest : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    WriteFile(dir_ / "change/apply.sql", "UPDATE t SET x = 1;\n");
    WriteFile(dir_ / "change/rollback.sql", "UPDATE t SET x = 0;\n");
    ASSERT_EQ(Pg({"seal", dir_ / "change"}).exit_code, 0);
    WriteFile(dir_ / "notes.md", "reviewed \xe2\x80\x94 by the owner\n");
    RunResult r = Pg({"packet", "build", "--out", dir_ / "p", dir_ / "change", dir_ / "notes.md"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  RunResult Verify(const std::string& bag) { return Pg({"packet", "verify", bag}); }
  void Append(const std::string& rel, const std::string& bytes) {
    std::string path = dir_ / ("p/" + rel);
    WriteFile(path, ReadFileOrDie(path) + bytes);
  }
};

TEST_F(PacketTest, BuiltFromFilesItVerifiesAndRerunsToAMatch) {
  EXPECT_EQ(Verify(dir_ / "p").exit_code, 0);
  std::string bag_info = ReadFileOrDie(dir_ / "p/bag-info.txt");
  for (const char* label : {"Payload-Oxum:", "Bagging-Date:", "External-Identifier:",
                            "Prodgate-Deterministic-Tree-Sha256:", "Prodgate-Ledger-Head:",
                            "Prodgate-Tool-Sha256:", "Prodgate-Tool-Version:"}) {
    EXPECT_NE(bag_info.find(label), std::string::npos) << label << " in\n" << bag_info;
  }
  EXPECT_TRUE(fs::exists(dir_ / "p/data/commands.json"));
  EXPECT_TRUE(fs::exists(dir_ / "p/data/volatile/timings.json"));
  RunResult rerun = Pg({"packet", "rerun", dir_ / "p"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_NE(rerun.out.find("PACKET_TREE MATCH"), std::string::npos) << rerun.out;
}

// A reviewer re-running with another build is told so, with both digests: any difference
// may be the tool's. The control: the same build says nothing of the tool.
TEST_F(PacketTest, ARerunByAnotherBuildNamesTheToolMismatch) {
  RunResult same = Pg({"packet", "rerun", dir_ / "p"});
  EXPECT_EQ(same.out.find("TOOL MISMATCH"), std::string::npos) << same.out;
  std::string other = dir_ / "prodgate-other";
  fs::copy_file(PRODGATE_BIN, other);
  fs::permissions(other, fs::perms::owner_all);
  {
    std::ofstream f(other, std::ios::binary | std::ios::app);
    f << '\0';  // one byte more: another digest
  }
  RunResult rerun = RunCommand({other, "packet", "rerun", dir_ / "p"}, ws_);
  EXPECT_NE(rerun.out.find("TOOL MISMATCH: the packet was made by prodgate"), std::string::npos)
      << rerun.out << rerun.err;
  std::string bag_info = ReadFileOrDie(dir_ / "p/bag-info.txt");
  size_t at = bag_info.find("Prodgate-Tool-Sha256: ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(rerun.out.find(bag_info.substr(at + 22, 64)), std::string::npos) << rerun.out;
}

TEST_F(PacketTest, TamperingWithEachKindOfFileIsDetectedAndNamed) {
  struct Case {
    std::string file, needle;
  };
  for (const Case& c :
       std::vector<Case>{{"data/artifacts/files/notes.md", "data/artifacts/files/notes.md"},
                         {"bag-info.txt", "bag-info.txt"},
                         {"bagit.txt", "bagit.txt"},
                         {"manifest-sha256.txt", "manifest-sha256.txt"},
                         {"tagmanifest-sha256.txt", "tagmanifest-sha256.txt"}}) {
    fs::remove_all(dir_ / "q");
    fs::copy(dir_ / "p", dir_ / "q", fs::copy_options::recursive);
    std::string path = dir_ / ("q/" + c.file);
    std::string bytes = ReadFileOrDie(path);
    WriteFile(path, bytes + (c.file.ends_with(".txt") && c.file != "bagit.txt" ? "# x\n" : "x\n"));
    RunResult r = Pg({"packet", "verify", dir_ / "q"});
    EXPECT_NE(r.exit_code, 0) << c.file << ":\n" << r.out;
    EXPECT_NE((r.out + r.err).find(c.needle), std::string::npos) << c.file << ":\n"
                                                                 << r.out << r.err;
    // A tampered packet never re-runs to a match.
    RunResult rerun = Pg({"packet", "rerun", dir_ / "q"});
    EXPECT_NE(rerun.exit_code, 0) << c.file;
    EXPECT_EQ(rerun.out.find("PACKET_TREE MATCH"), std::string::npos) << c.file;
  }
}

TEST_F(PacketTest, ARerunWithAChangedOutputNamesTheDifference) {
  // The recorded output of `prodgate verify` is replaced by other bytes, and the manifests
  // are re-written to match and the packet tree digest dropped, as a forger would: the bag
  // verifies as a plain bag, and the rerun does not match.
  std::string out = dir_ / "p/data/outputs/01.stdout";
  ASSERT_TRUE(fs::exists(out));
  WriteFile(out, ReadFileOrDie(out) + "forged line\n");
  RunResult fix = Shell(
      "cd p && sha=$(sha256sum data/outputs/01.stdout | cut -c1-64) && "
      "sed -i \"s|^[0-9a-f]\\{64\\}  data/outputs/01.stdout|$sha  data/outputs/01.stdout|\" "
      "manifest-sha256.txt && rm -f manifest-sha512.txt tagmanifest-sha512.txt && "
      "grep -v 'manifest-sha512.txt' tagmanifest-sha256.txt > t && mv t tagmanifest-sha256.txt && "
      "sha=$(sha256sum manifest-sha256.txt | cut -c1-64) && "
      "sed -i \"s|^[0-9a-f]\\{64\\}  manifest-sha256.txt|$sha  manifest-sha256.txt|\" "
      "tagmanifest-sha256.txt && "
      "oxum=$(find data -type f -printf '%s\\n' | awk '{s+=$1; n++} END {print s \".\" n}') && "
      "sed -i \"s|^Payload-Oxum: .*|Payload-Oxum: $oxum|\" bag-info.txt && "
      "sed -i '/^Prodgate-Packet-Tree-Sha256:/d' bag-info.txt && "
      "sha=$(sha256sum bag-info.txt | cut -c1-64) && "
      "sed -i \"s|^[0-9a-f]\\{64\\}  bag-info.txt|$sha  bag-info.txt|\" tagmanifest-sha256.txt",
      dir_.path());
  ASSERT_EQ(fix.exit_code, 0) << fix.err;
  RunResult v = Verify(dir_ / "p");
  ASSERT_EQ(v.exit_code, 0) << "the forged bag should be internally consistent:\n" << v.out;
  RunResult rerun = Pg({"packet", "rerun", dir_ / "p"});
  EXPECT_EQ(rerun.exit_code, 1) << rerun.out;
  EXPECT_NE(rerun.out.find("PACKET_TREE MISMATCH"), std::string::npos) << rerun.out;
  EXPECT_NE(rerun.out.find("outputs/01.stdout"), std::string::npos) << rerun.out;
  // Seen from the recorded bytes, the re-run output lacks the forged line.
  EXPECT_NE(rerun.out.find("truncated"), std::string::npos) << rerun.out;
}

TEST_F(PacketTest, AMirrorSharesBytesAlreadyThereAndVerifies) {
  RunResult first = Pg({"packet", "mirror", dir_ / "p", dir_ / "m"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // A second packet with the same artifacts: its payload bytes are referenced, not copied.
  ASSERT_EQ(
      Pg({"packet", "build", "--out", dir_ / "p2", dir_ / "change", dir_ / "notes.md"}).exit_code,
      0);
  RunResult second = Pg({"packet", "mirror", dir_ / "p2", dir_ / "m"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(second.out.find(" 0 already there"), std::string::npos) << second.out;
  // Same bytes, one inode.
  std::string a, b;
  for (const auto& e : fs::directory_iterator(dir_ / "m")) {
    if (e.path().filename() == ".objects") continue;
    (a.empty() ? a : b) = e.path().string();
  }
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(
      fs::equivalent(a + "/data/artifacts/files/notes.md", b + "/data/artifacts/files/notes.md"));
  // Mirroring a packet that does not verify is refused.
  Append("data/artifacts/files/notes.md", "tampered\n");
  RunResult bad = Pg({"packet", "mirror", dir_ / "p", dir_ / "m2"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "m2") && !fs::is_empty(dir_ / "m2"));
}

TEST_F(PacketTest, BuildRefusesWhatTheLedgerDoesNotVouchFor) {
  ExpectRefused({"packet", "build", "--out", dir_ / "r", "--rehearsal", "deadbeefdeadbeef"}, 2,
                "no rehearsal");
  ExpectRefused({"packet", "build", "--out", dir_ / "r", "--lane", "nosuch"}, 2, "nosuch");
  ExpectRefused({"packet", "build", "--out", dir_ / "r"}, 2, "nothing to pack");
  ExpectRefused({"packet", "build", "--out", dir_ / "r", dir_ / "missing.txt"}, 2, "missing.txt");
  ExpectRefused({"packet", "build", "--out", dir_ / "r", "--lane", "L", "--rehearsal", "1"}, 2,
                "two packets");
  EXPECT_FALSE(fs::exists(dir_ / "r"));
}

TEST_F(PacketTest, ARehearsalReportChangedAfterItWasRecordedIsNotPacked) {
  std::string ex = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/";
  ASSERT_EQ(Pg({"surrogate", "--spec", ex + "surrogate.toml", "--seed", "7", "--out",
                "sqlite:" + (dir_ / "c.db")})
                .exit_code,
            0);
  RunResult r = Pg({"rehearse", "--target", "sqlite:c.db", "--apply", ex + "apply.sql",
                    "--rollback", ex + "rollback.sql", "--production", "p=sqlite:/srv/p.db",
                    "--out", dir_ / "reh", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string change = JsonOut(r)["change"];
  // Control: as recorded, it packs.
  ASSERT_EQ(Pg({"packet", "build", "--out", dir_ / "ok", "--rehearsal", change}).exit_code, 0);
  std::string report = dir_ / "reh/rehearsal.json";
  WriteFile(report, ReadFileOrDie(report) + " ");
  ExpectRefused({"packet", "build", "--out", dir_ / "r", "--rehearsal", change}, 2,
                "changed after it was recorded");
  EXPECT_FALSE(fs::exists(dir_ / "r"));
}

TEST_F(PacketTest, AnOpenLaneIsNotPacked) {
  WriteFile(dir_ / "d.toml", R"(id = "D"
title = "t"
[[options]]
id = "HOLD"
summary = "hold"
default = true
hold = true
[[options]]
id = "R"
summary = "rehearse"
grants = [{ action = "rehearse", scope = "clone", uses = 1 }]
)");
  ASSERT_EQ(Pg({"decision", "new", "--file", dir_ / "d.toml"}).exit_code, 0);
  ASSERT_EQ(Pg({"decision", "select", "D", "--option", "R", "--key", Key("alice")}).exit_code, 0);
  ASSERT_EQ(Pg({"lane", "open", "L", "--decision", "D", "--option", "R"}).exit_code, 0);
  ExpectRefused({"packet", "build", "--out", dir_ / "r", "--lane", "L"}, 2, "still open");
  ASSERT_EQ(Pg({"lane", "close", "--out", dir_ / "lane"}).exit_code, 0);
  EXPECT_EQ(Pg({"packet", "build", "--out", dir_ / "r", "--lane", "L"}).exit_code, 0);  // control
}

}  // namespace
}  // namespace prodgate::testing
