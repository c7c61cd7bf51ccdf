#include "core/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/file_io.h"

extern char** environ;

namespace prodgate {

std::string SelfExecutable() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& o) {
  if (argv.empty()) return Status::BadInput("no program to run");
  // Captured output goes to unlinked temporary files: no pipe can fill up and block.
  char out_name[] = "/tmp/prodgate-run-XXXXXX";
  char err_name[] = "/tmp/prodgate-run-XXXXXX";
  UniqueFd out_fd, err_fd;
  if (o.capture) {
    out_fd = UniqueFd(::mkstemp(out_name));
    err_fd = UniqueFd(::mkstemp(err_name));
    if (!out_fd.valid() || !err_fd.valid()) {
      return Status::Internal(fmt::format("cannot create a temporary file: {}", ErrnoText(errno)));
    }
    ::unlink(out_name);
    ::unlink(err_name);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (o.stdin_null) posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (o.capture) {
    posix_spawn_file_actions_adddup2(&fa, out_fd.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd.get(), 2);
  }
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    std::string key(kv.substr(0, kv.find('=')));
    if (!o.env.count(key)) env_storage.emplace_back(kv);
  }
  for (const auto& [k, v] : o.env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid;
  int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    return Status::BadInput(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)),
                            "check that the program exists and is executable");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::Internal(fmt::format("waiting for {} failed", argv[0]));
  }
  ProcessResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (o.capture) {
    for (auto [fd, text] : {std::pair{out_fd.get(), &r.out}, std::pair{err_fd.get(), &r.err}}) {
      ::lseek(fd, 0, SEEK_SET);
      char buf[65536];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        text->append(buf, static_cast<size_t>(n));
    }
  }
  return r;
}

}  // namespace prodgate
