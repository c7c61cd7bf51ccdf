#include "core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace prodgate {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

unsigned ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Sets the process umask for the scope of one test.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

// ---------------------------------------------------------------------------------------
// WriteFileAtomic

TEST(CoreFileIo, WriteFileAtomicCreatesAndReplaces) {
  ScratchDir dir;
  const std::string path = dir / "report.json";
  ASSERT_TRUE(WriteFileAtomic(path, "a much longer first version\n").ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), "a much longer first version\n");

  ASSERT_TRUE(WriteFileAtomic(path, std::string("short\0x", 7)).ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), std::string("short\0x", 7));  // no old tail left

  ASSERT_TRUE(WriteFileAtomic(path, "").ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), "");
  EXPECT_EQ(DirEntries(dir.path()), std::vector<std::string>{"report.json"});
}

TEST(CoreFileIo, WriteFileAtomicReplacesReadOnlyFile) {
  ScratchDir dir;
  const std::string path = dir / "sealed.json";
  ASSERT_TRUE(WriteFileAtomic(path, "old", 0444).ok());
  EXPECT_EQ(ModeOf(path), 0444u);
  ASSERT_TRUE(WriteFileAtomic(path, "new", 0644).ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), "new");
  EXPECT_EQ(ModeOf(path), 0644u);
}

TEST(CoreFileIo, WriteFileAtomicSetsModeDespiteUmask) {
  ScratchDir dir;
  ScopedUmask mask(077);
  for (unsigned mode : {0600u, 0755u, 0666u}) {
    const std::string path = dir / "f";
    ASSERT_TRUE(WriteFileAtomic(path, "x", mode).ok());
    EXPECT_EQ(ModeOf(path), mode) << std::oct << mode;
  }
  // The default is 0644.
  ASSERT_TRUE(WriteFileAtomic(dir / "g", "x").ok());
  EXPECT_EQ(ModeOf(dir / "g"), 0644u);
}

TEST(CoreFileIo, WriteFileAtomicLeavesNoTemporaryFile) {
  ScratchDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "a.txt", std::string(100000, 'a')).ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "b.txt", "b").ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "a.txt", "replaced").ok());
  EXPECT_EQ(DirEntries(dir.path()), (std::vector<std::string>{"a.txt", "b.txt"}));
}

TEST(CoreFileIo, WriteFileAtomicIntoMissingDirectoryIsInternal) {
  ScratchDir dir;
  const std::string path = dir / "missing/sub/out.json";
  Status s = WriteFileAtomic(path, "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.exit_code(), 3);
  EXPECT_NE(s.what().find(dir / "missing/sub"), std::string::npos) << s.what();
  EXPECT_FALSE(fs::exists(dir / "missing"));
  EXPECT_TRUE(DirEntries(dir.path()).empty());
}

TEST(CoreFileIo, WriteFileAtomicFailingRenameCleansUp) {
  ScratchDir dir;
  // The target is a non-empty directory: the rename fails after the temporary was written.
  testing::WriteFile(dir / "target/keep", "k");
  Status s = WriteFileAtomic(dir / "target", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.what().find(dir / "target"), std::string::npos) << s.what();
  EXPECT_EQ(DirEntries(dir.path()), std::vector<std::string>{"target"});
  EXPECT_EQ(testing::ReadFileOrDie(dir / "target/keep"), "k");
}

// ---------------------------------------------------------------------------------------
// ReadFile

TEST(CoreFileIo, ReadFileReadsExactBytes) {
  ScratchDir dir;
  std::string bytes;
  for (int i = 0; i < 70000; ++i) bytes.push_back(static_cast<char>(i * 31 % 256));
  testing::WriteFile(dir / "blob", bytes);
  auto got = ReadFile(dir / "blob");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == bytes);

  testing::WriteFile(dir / "empty", "");
  auto empty = ReadFile(dir / "empty", 0);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
}

TEST(CoreFileIo, ReadFileRefusesMissingFile) {
  ScratchDir dir;
  auto got = ReadFile(dir / "nope.json");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kBadInput);
  EXPECT_NE(got.status().what().find(dir / "nope.json"), std::string::npos);
}

TEST(CoreFileIo, ReadFileRefusesDirectory) {
  ScratchDir dir;
  fs::create_directory(dir / "sub");
  auto got = ReadFile(dir / "sub");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kBadInput);
  EXPECT_NE(got.status().what().find(dir / "sub"), std::string::npos);
  EXPECT_NE(got.status().what().find("not a regular file"), std::string::npos);
}

TEST(CoreFileIo, ReadFileRefusesDevice) {
  auto got = ReadFile("/dev/null");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kBadInput);
  EXPECT_NE(got.status().what().find("/dev/null is not a regular file"), std::string::npos);
}

TEST(CoreFileIo, ReadFileRefusesFifoWithoutBlocking) {
  ScratchDir dir;
  const std::string fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer ever opens the fifo: a blocking open would never return.
  auto future = std::async(std::launch::async, [&] { return ReadFile(fifo); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Unblock the reader so that the test can end, then fail.
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    FAIL() << "ReadFile blocked on a fifo";
  }
  auto got = future.get();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kBadInput);
  EXPECT_NE(got.status().what().find(fifo + " is not a regular file"), std::string::npos)
      << got.status().what();
}

TEST(CoreFileIo, ReadFileRefusesFileOverLimit) {
  ScratchDir dir;
  testing::WriteFile(dir / "exact", std::string(100, 'x'));
  testing::WriteFile(dir / "over", std::string(101, 'x'));
  auto exact = ReadFile(dir / "exact", 100);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->size(), 100u);

  auto over = ReadFile(dir / "over", 100);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kBadInput);
  EXPECT_NE(over.status().what().find(dir / "over"), std::string::npos);
  EXPECT_NE(over.status().what().find("limit of 100 bytes"), std::string::npos)
      << over.status().what();
}

// ---------------------------------------------------------------------------------------
// ReadFull, UniqueFd

TEST(CoreFileIo, ReadFullStopsAtEndOfFile) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd rd(fds[0]);
  {
    UniqueFd wr(fds[1]);
    ASSERT_EQ(::write(wr.get(), "hello", 5), 5);
  }  // closes the write end
  char buf[16] = {};
  auto n = ReadFull(rd.get(), buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(std::string(buf, 5), "hello");
  auto again = ReadFull(rd.get(), buf, sizeof buf);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);

  auto bad = ReadFull(-1, buf, sizeof buf);
  EXPECT_FALSE(bad.ok());
}

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(CoreFileIo, UniqueFdOwnsItsDescriptor) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd a(raw);
    EXPECT_TRUE(a.valid());
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(b.get(), raw);
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));

  raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd c(raw);
    EXPECT_EQ(c.release(), raw);
    EXPECT_FALSE(c.valid());
  }
  EXPECT_TRUE(IsOpen(raw));  // released: still open
  ::close(raw);

  int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int second = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  {
    UniqueFd d(first);
    d = UniqueFd(second);  // closes the first
    EXPECT_FALSE(IsOpen(first));
    EXPECT_EQ(d.get(), second);
  }
  EXPECT_FALSE(IsOpen(second));
}

}  // namespace
}  // namespace prodgate
