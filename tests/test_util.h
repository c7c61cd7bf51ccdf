// Helpers for tests: scratch directories, files, and running the prodgate binary.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace prodgate::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }

 private:
  std::string path_;
};

// Writes `bytes` to `path`, creating parent directories.
void WriteFile(const std::string& path, std::string_view bytes);
std::string ReadFileOrDie(const std::string& path);

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Starts `argv` (argv[0] is a path or a name looked up in PATH) in `cwd`, stdin from
// /dev/null, stdout and stderr to the descriptors given, with `env` ("K=V" entries) or this
// process's environment. Returns the pid, or -1.
pid_t SpawnChild(const std::vector<std::string>& argv, const std::string& cwd, int out_fd,
                 int err_fd, const std::vector<std::string>* env = nullptr);

// Runs `argv` (argv[0] is a path or a name looked up in PATH) in `cwd`; waits for it.
RunResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = ".");
// Runs `bash -c script` in `cwd`.
RunResult Shell(const std::string& script, const std::string& cwd = ".");

}  // namespace prodgate::testing
