// The CI examples are real: their `prodgate verify` lines run as written.
#include <filesystem>
#include <regex>

#include "tests/e2e/e2e.h"

namespace prodgate::testing {
namespace {

std::string VerifyLine(const std::string& file) {
  std::string text = ReadFileOrDie(std::string(PRODGATE_SOURCE_DIR) + "/examples/ci/" + file);
  std::smatch m;
  EXPECT_TRUE(std::regex_search(text, m, std::regex("(prodgate verify [^\\n]*)")))
      << file << " has no prodgate verify line";
  return m.size() > 1 ? m[1].str() : "";
}

TEST(CiExamples, VerifyCommandsRunAsWritten) {
  for (const char* file : {"github-actions.yml", "gitlab-ci.yml"}) {
    SCOPED_TRACE(file);
    ScratchDir repo;
    WriteFile(repo / "deploy/app.conf", "replicas = 3\n");
    WriteFile(repo / "deploy/migrate.sql", "ALTER TABLE t ADD COLUMN c TEXT;\n");
    ASSERT_EQ(Prodgate({"seal", "deploy"}, repo.path()).exit_code, 0);
    std::string line = VerifyLine(file);
    // Run the line with our binary standing in for `prodgate` on PATH.
    std::string bin_dir = std::filesystem::path(PRODGATE_BIN).parent_path().string();
    std::string script = "PATH=" + bin_dir + ":$PATH " + line;
    RunResult pass = Shell(script, repo.path());
    EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
    EXPECT_NE(ReadFileOrDie(repo / "prodgate-junit.xml").find("failures=\"0\""), std::string::npos);
    WriteFile(repo / "deploy/app.conf", "replicas = 30\n");
    RunResult fail = Shell(script, repo.path());
    EXPECT_EQ(fail.exit_code, 1) << fail.out << fail.err;
    EXPECT_NE(ReadFileOrDie(repo / "prodgate-junit.xml").find("failures=\"1\""), std::string::npos);
  }
}

}  // namespace
}  // namespace prodgate::testing
