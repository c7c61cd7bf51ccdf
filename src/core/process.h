// Running another program: argv (argv[0] looked up in PATH), a working directory, stdin from
// /dev/null, and stdout/stderr either captured or inherited. Used by `gate run`, packet
// commands and the probe suite.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace prodgate {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + the signal that killed it
  std::string out, err;
  double seconds = 0;
};

struct ProcessOptions {
  std::string cwd;         // empty: the current directory
  bool capture = true;     // false: the child shares this process's stdout and stderr
  bool stdin_null = true;  // false: the child shares stdin
  std::map<std::string, std::string> env;  // added to (or replacing in) the environment
};

// Fails (BadInput) only when the program cannot be started.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const ProcessOptions& o = {});

// The path of the running executable (/proc/self/exe).
std::string SelfExecutable();

}  // namespace prodgate
