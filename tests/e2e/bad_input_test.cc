// Bad input: every case is refused with exit 2, a message that names the problem, and
// nothing written.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = dir_ / "tree";
    WriteFile(tree_ + "/a.txt", "alpha\n");
    WriteFile(tree_ + "/b/c.json", "{\"k\": 1}\n");
    WriteFile(tree_ + "/d.txt", "delta\n");
  }
  RunResult SealTree(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"seal", tree_, "--keep"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Prodgate(args, dir_.path());
  }
  // Expects a refused seal: exit 2, the message, and no manifest or object store written.
  void ExpectSealRefused(const std::string& needle, std::vector<std::string> extra = {}) {
    RunResult r = SealTree(extra);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, needle)) << "stderr: " << r.err << "\nexpected: " << needle;
    EXPECT_TRUE(Contains(r.err, "fix:")) << r.err;
    EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json")) << "a refused seal wrote a manifest";
    EXPECT_FALSE(fs::exists(tree_ + "/.prodgate")) << "a refused seal wrote objects";
    EXPECT_EQ(r.out, "");
  }
  // Edits the sealed manifest with a Python statement on `d` (the parsed document), keeps it
  // canonical and its root consistent, so that the rule under test is what refuses it.
  void EditManifest(const std::string& statement, bool fix_root = true) {
    std::string script =
        "import json,hashlib,sys\n"
        "p=sys.argv[1]; d=json.load(open(p,encoding='utf-8'))\n" +
        statement + "\n" +
        // The seal/2 root (docs/seal.md): kind, mode, digest, size, path; then the ignore list.
        (fix_root ? "d['root']=hashlib.sha256((''.join('%s %s %s %d %s\\n'%(f['kind'],"
                    "f.get('mode','-'),f['sha256'],f['size'],f['path']) for f in d['files'])+"
                    "'ignore '+json.dumps(d['ignore'],separators=(',',':'),ensure_ascii=False)+"
                    "'\\n').encode()).hexdigest()\n"
                  : "") +
        "open(p,'w',encoding='utf-8').write(json.dumps(d,sort_keys=True,separators=(',',':'),"
        "ensure_ascii=False)+'\\n')\n";
    WriteFile(dir_ / "edit.py", script);
    RunResult r = RunCommand({"python3", dir_ / "edit.py", tree_ + "/prodgate.seal.json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void ExpectVerifyRefused(const std::string& needle) {
    std::string junit = dir_ / "junit.xml";
    RunResult r = Prodgate({"verify", "--root", tree_, "--junit", junit}, dir_.path());
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, needle)) << "stderr: " << r.err << "\nexpected: " << needle;
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(junit)) << "a refused verify wrote a JUnit report";
  }
  ScratchDir dir_;
  std::string tree_;
};

TEST_F(BadInput, ControlTheUneditedManifestVerifies) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("pass");  // the edit round trip itself keeps a valid manifest valid
  RunResult r = Prodgate({"verify", "--root", tree_}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(BadInput, ManifestPathWithDotDot) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'][0]['path']='../outside.txt'");
  ExpectVerifyRefused("'..' component");
}

TEST_F(BadInput, ManifestAbsolutePath) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'][0]['path']='/etc/passwd'");
  ExpectVerifyRefused("absolute path");
}

TEST_F(BadInput, ManifestBackslash) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'][0]['path']='b\\\\c.json'");
  ExpectVerifyRefused("backslash");
}

TEST_F(BadInput, ManifestNulCrLfInNames) {
  for (const auto& [ch, rule] : std::vector<std::pair<std::string, std::string>>{
           {"\\x00", "NUL"}, {"\\r", "carriage return"}, {"\\n", "line feed"}}) {
    fs::remove_all(tree_ + "/.prodgate");
    ASSERT_EQ(SealTree().exit_code, 0);
    EditManifest("d['files'][0]['path']='a" + ch + "b.txt'");
    ExpectVerifyRefused(rule);
  }
}

TEST_F(BadInput, ManifestDuplicateEntry) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'].insert(1, d['files'][0])");
  ExpectVerifyRefused("duplicate entry \"a.txt\"");
}

TEST_F(BadInput, ManifestNotCanonical) {
  ASSERT_EQ(SealTree().exit_code, 0);
  std::string m = tree_ + "/prodgate.seal.json";
  RunResult r = RunCommand({"python3", "-c",
                            "import json,sys; p=sys.argv[1]; d=json.load(open(p)); "
                            "open(p,'w').write(json.dumps(d, indent=2, sort_keys=True))",
                            m});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectVerifyRefused("not in canonical form");
}

TEST_F(BadInput, ManifestTruncated) {
  ASSERT_EQ(SealTree().exit_code, 0);
  ASSERT_EQ(Shell("truncate -s 200 prodgate.seal.json", tree_).exit_code, 0);
  ExpectVerifyRefused("not valid JSON");
}

TEST_F(BadInput, ManifestFloatWhereAnIntegerBelongs) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'][0]['size']=6.0", /*fix_root=*/false);
  ExpectVerifyRefused("files[0].size");
}

TEST_F(BadInput, ManifestEditedRoot) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['files'][0]['sha256']='0'*64", /*fix_root=*/false);
  ExpectVerifyRefused("does not match the tree digest");
}

TEST_F(BadInput, ManifestWithSignaturesThisBuildCannotCheck) {
  ASSERT_EQ(SealTree().exit_code, 0);
  EditManifest("d['signatures']=[{'key':'k','sig':'AAAA'}]");
  ExpectVerifyRefused("signature");
}

TEST_F(BadInput, ManifestMissing) { ExpectVerifyRefused("cannot read"); }

TEST_F(BadInput, SymlinkThatEscapesTheRoot) {
  fs::create_symlink("../../etc/passwd", tree_ + "/b/escape");
  fs::create_symlink("/etc/passwd", tree_ + "/absolute");
  ExpectSealRefused("symlink b/escape leaves the root");
  ExpectSealRefused("symlink absolute leaves the root");
}

TEST_F(BadInput, SymlinkThroughAnotherSymlinkThatEscapes) {
  fs::create_symlink("/etc", tree_ + "/etc-link");
  fs::create_symlink("etc-link/passwd", tree_ + "/sneaky");
  ExpectSealRefused("symlink sneaky leaves the root");
}

TEST_F(BadInput, SymlinkInsideTheRootIsFine) {
  fs::create_symlink("../a.txt", tree_ + "/b/up");
  RunResult r = SealTree();
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(BadInput, Fifo) {
  ASSERT_EQ(::mkfifo((tree_ + "/b/pipe").c_str(), 0644), 0);
  ExpectSealRefused("b/pipe is a fifo");
}

TEST_F(BadInput, Socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = tree_ + "/sock";
  ASSERT_LT(path.size(), sizeof(addr.sun_path));
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ExpectSealRefused("sock is a socket");
  ::close(fd);
}

TEST_F(BadInput, DeviceNode) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating a device node needs root";
  ASSERT_EQ(::mknod((tree_ + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ExpectSealRefused("null is a character device");
}

TEST_F(BadInput, UnreadableFile) {
  WriteFile(tree_ + "/secret.txt", "no\n");
  fs::permissions(tree_ + "/secret.txt", fs::perms(0000));
  if (::geteuid() != 0) {
    ExpectSealRefused("cannot read");
    return;
  }
  // root reads anything: run prodgate as nobody over a tree nobody may traverse, except
  // for the one unreadable file.
  ASSERT_EQ(Shell("chmod -R a+rX . && chmod 0000 tree/secret.txt && chmod 0777 tree", dir_.path())
                .exit_code,
            0);
  RunResult r = RunCommand(
      {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PRODGATE_BIN, "seal", tree_},
      dir_.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot read")) << r.err;
  EXPECT_TRUE(Contains(r.err, "secret.txt")) << r.err;
  EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json"));
}

TEST_F(BadInput, FileThatChangesWhileItIsHashed) {
  std::string big = tree_ + "/growing.log";
  ASSERT_EQ(Shell("head -c 67108864 /dev/zero | tr '\\0' 'x' > growing.log", tree_).exit_code, 0);
  // A writer appends in a tight loop for as long as the seal runs.
  pid_t writer = ::fork();
  if (writer == 0) {
    int fd = ::open(big.c_str(), O_WRONLY | O_APPEND);
    while (true) {
      if (::write(fd, "y", 1) != 1) _exit(1);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RunResult r = SealTree();
  ::kill(writer, SIGKILL);
  ::waitpid(writer, nullptr, 0);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "growing.log changed while it was being hashed")) << r.err;
  EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json"));
}

TEST_F(BadInput, NamesEqualAfterNfcOrCaseFoldingWarnOrRefuseWithStrict) {
  WriteFile(tree_ + "/README.md", "upper\n");
  WriteFile(tree_ + "/readme.md", "lower\n");
  WriteFile(tree_ + "/caf\xC3\xA9.txt", "nfc\n");
  WriteFile(tree_ + "/cafe\xCC\x81.txt", "nfd\n");
  ExpectSealRefused("names equal after case folding: README.md, readme.md", {"--strict"});
  ExpectSealRefused("names equal after Unicode normalization (NFC)", {"--strict"});
  RunResult lenient = SealTree();
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_TRUE(Contains(lenient.err, "warning: names equal after case folding")) << lenient.err;
  EXPECT_TRUE(fs::exists(tree_ + "/prodgate.seal.json"));
}

TEST_F(BadInput, FileNamesThatBreakThePathRules) {
  WriteFile(tree_ + "/new\nline.txt", "x\n");
  WriteFile(tree_ + "/back\\slash.txt", "x\n");
  WriteFile(tree_ + "/latin1-\xE9.txt", "x\n");
  RunResult r = SealTree();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "new\\x0aline.txt")) << r.err;  // shown escaped, on one line
  EXPECT_TRUE(Contains(r.err, "backslash")) << r.err;
  EXPECT_TRUE(Contains(r.err, "not valid UTF-8")) << r.err;
  EXPECT_TRUE(Contains(r.err, "3 problems")) << r.err;  // every problem, not the first
  EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json"));
}

TEST_F(BadInput, NotADirectoryAndBadIgnorePattern) {
  RunResult r = Prodgate({"seal", tree_ + "/a.txt"}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "is not a directory")) << r.err;
  RunResult p = Prodgate({"seal", tree_, "--ignore", "/"}, dir_.path());
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_TRUE(Contains(p.err, "ignore pattern")) << p.err;
  EXPECT_FALSE(fs::exists(tree_ + "/prodgate.seal.json"));
}

TEST_F(BadInput, UsageErrorsExitTwo) {
  EXPECT_EQ(Prodgate({"seal", "--no-such-flag"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(Prodgate({"explain", "only-one"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(Prodgate({"no-such-command"}, dir_.path()).exit_code, 2);
  EXPECT_EQ(Prodgate({}, dir_.path()).exit_code, 2);
  EXPECT_EQ(Prodgate({"--help"}, dir_.path()).exit_code, 0);
}

TEST_F(BadInput, ExplainClassifiesAndExitCodesFollow) {
  WriteFile(dir_ / "old.txt", "one\ntwo\n");
  WriteFile(dir_ / "same.txt", "one\ntwo\n");
  WriteFile(dir_ / "crlf.txt", "one\r\ntwo\r\n");
  RunResult same = Prodgate({"explain", dir_ / "old.txt", dir_ / "same.txt"}, dir_.path());
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_TRUE(Contains(same.out, "IDENTICAL"));
  RunResult crlf =
      Prodgate({"explain", "--json", dir_ / "old.txt", dir_ / "crlf.txt"}, dir_.path());
  EXPECT_EQ(crlf.exit_code, 1);
  EXPECT_EQ(JsonOut(crlf)["classes"], nlohmann::json{"eol_changed"});
  RunResult missing = Prodgate({"explain", dir_ / "old.txt", dir_ / "nope.txt"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "nope.txt"));
}

}  // namespace
}  // namespace prodgate::testing
