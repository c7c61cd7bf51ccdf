// prodgate_faultshim: an LD_PRELOAD library that makes write-side system calls fail, for
// the I/O fault tests of tests/crash/ (docs/robustness.md).
//
// Configured by the environment of the process it is preloaded into (and inherited by its
// children, each of which counts on its own):
//   PRODGATE_FAULT_CALL   comma-separated calls to fault: write, writev, pwrite (also
//                         pwrite64, pwritev), copy (copy_file_range and sendfile: the kernel
//                         copies of std::filesystem::copy_file), fsync, fdatasync. Unset or
//                         empty: no fault.
//   PRODGATE_FAULT_AFTER  N: the first N matching calls succeed, the later ones fail
//                         (default 0).
//   PRODGATE_FAULT_TIMES  K: fail K calls and then succeed again (a transient fault);
//                         default: fail every later call (a disk that stays full).
//   PRODGATE_FAULT_ERRNO  ENOSPC (default), EIO or EDQUOT.
//   PRODGATE_FAULT_PATH   only calls on files whose path contains this text count.
//   PRODGATE_FAULT_LOG    a file; one line "<call> <path>" is appended for every failed call.
//   PRODGATE_FAULT_TALLY  a file; at exit, one line "<matching calls>" is appended (to learn
//                         the range of PRODGATE_FAULT_AFTER worth trying).
// Only calls on regular files other than stdin, stdout and stderr count and fail, so the
// error message the program prints is seen wherever its output goes.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { kWrite = 1, kWritev = 2, kPwrite = 4, kFsync = 8, kFdatasync = 16, kCopy = 32 };

static int g_calls = -1;  // bit set of faulted calls; -1 until configured
static long g_after, g_times = -1, g_errno = ENOSPC;
static const char* g_path;
static const char* g_log;
static atomic_long g_seen;

static void Configure(void) {
  if (g_calls >= 0) return;
  int calls = 0;
  const char* c = getenv("PRODGATE_FAULT_CALL");
  if (c != NULL) {
    if (strstr(c, "write") != NULL) {
      // "write" alone, not as a part of "pwrite" or "writev".
      for (const char* p = c; (p = strstr(p, "write")) != NULL; p += 5) {
        int starts = p == c || p[-1] == ',';
        int ends = p[5] == '\0' || p[5] == ',';
        if (starts && ends) calls |= kWrite;
      }
    }
    if (strstr(c, "writev") != NULL) calls |= kWritev;
    if (strstr(c, "pwrite") != NULL) calls |= kPwrite;
    if (strstr(c, "copy") != NULL) calls |= kCopy;
    if (strstr(c, "fsync") != NULL) calls |= kFsync;
    if (strstr(c, "fdatasync") != NULL) calls |= kFdatasync;
  }
  const char* s = getenv("PRODGATE_FAULT_AFTER");
  g_after = s ? atol(s) : 0;
  s = getenv("PRODGATE_FAULT_TIMES");
  g_times = s ? atol(s) : -1;
  s = getenv("PRODGATE_FAULT_ERRNO");
  if (s != NULL && strcmp(s, "EIO") == 0) g_errno = EIO;
  if (s != NULL && strcmp(s, "EDQUOT") == 0) g_errno = EDQUOT;
  g_path = getenv("PRODGATE_FAULT_PATH");
  if (g_path != NULL && *g_path == '\0') g_path = NULL;
  g_log = getenv("PRODGATE_FAULT_LOG");
  g_calls = calls;
}

static void* Next(const char* name) { return dlsym(RTLD_NEXT, name); }

__attribute__((destructor)) static void Tally(void) {
  const char* tally = getenv("PRODGATE_FAULT_TALLY");
  if (tally == NULL) return;
  ssize_t (*real_write)(int, const void*, size_t) = Next("write");
  int fd = open(tally, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[32];
  int len = snprintf(line, sizeof line, "%ld\n", atomic_load(&g_seen));
  if (len > 0) (void)real_write(fd, line, (size_t)len);
  close(fd);
}

// Whether this call fails; sets errno when it does.
static int Fault(int call, int fd, const char* name) {
  Configure();
  if ((g_calls & call) == 0 || fd <= 2) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  char path[4096] = "?";
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n >= 0) path[n] = '\0';
  if (g_path != NULL && strstr(path, g_path) == NULL) return 0;
  long k = atomic_fetch_add(&g_seen, 1);
  if (k < g_after) return 0;
  if (g_times >= 0 && k >= g_after + g_times) return 0;
  if (g_log != NULL) {
    ssize_t (*real_write)(int, const void*, size_t) = Next("write");
    int lfd = open(g_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (lfd >= 0) {
      char line[4200];
      int len = snprintf(line, sizeof line, "%s %s\n", name, path);
      if (len > 0) (void)real_write(lfd, line, (size_t)len);
      close(lfd);
    }
  }
  errno = (int)g_errno;
  return 1;
}

ssize_t write(int fd, const void* buf, size_t count) {
  static ssize_t (*real)(int, const void*, size_t);
  if (real == NULL) real = Next("write");
  if (Fault(kWrite, fd, "write")) return -1;
  return real(fd, buf, count);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static ssize_t (*real)(int, const struct iovec*, int);
  if (real == NULL) real = Next("writev");
  if (Fault(kWritev, fd, "writev")) return -1;
  return real(fd, iov, iovcnt);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static ssize_t (*real)(int, const void*, size_t, off_t);
  if (real == NULL) real = Next("pwrite");
  if (Fault(kPwrite, fd, "pwrite")) return -1;
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static ssize_t (*real)(int, const void*, size_t, off64_t);
  if (real == NULL) real = Next("pwrite64");
  if (Fault(kPwrite, fd, "pwrite64")) return -1;
  return real(fd, buf, count, offset);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static ssize_t (*real)(int, const struct iovec*, int, off_t);
  if (real == NULL) real = Next("pwritev");
  if (Fault(kPwrite, fd, "pwritev")) return -1;
  return real(fd, iov, iovcnt, offset);
}

ssize_t copy_file_range(int fd_in, off64_t* off_in, int fd_out, off64_t* off_out, size_t len,
                        unsigned int flags) {
  static ssize_t (*real)(int, off64_t*, int, off64_t*, size_t, unsigned int);
  if (real == NULL) real = Next("copy_file_range");
  if (Fault(kCopy, fd_out, "copy_file_range")) return -1;
  return real(fd_in, off_in, fd_out, off_out, len, flags);
}

ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
  static ssize_t (*real)(int, int, off_t*, size_t);
  if (real == NULL) real = Next("sendfile");
  if (Fault(kCopy, out_fd, "sendfile")) return -1;
  return real(out_fd, in_fd, offset, count);
}

ssize_t sendfile64(int out_fd, int in_fd, off64_t* offset, size_t count) {
  static ssize_t (*real)(int, int, off64_t*, size_t);
  if (real == NULL) real = Next("sendfile64");
  if (Fault(kCopy, out_fd, "sendfile64")) return -1;
  return real(out_fd, in_fd, offset, count);
}

int fsync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = Next("fsync");
  if (Fault(kFsync, fd, "fsync")) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = Next("fdatasync");
  if (Fault(kFdatasync, fd, "fdatasync")) return -1;
  return real(fd);
}
