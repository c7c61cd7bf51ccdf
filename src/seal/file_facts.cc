#include "seal/file_facts.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/canonical_json.h"
#include "core/file_io.h"
#include "core/parallel.h"
#include "core/unicode.h"

namespace prodgate::seal {
namespace {

bool IsAscii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string DescribeEol(const EolCounts& e) {
  int kinds = (e.lf > 0) + (e.crlf > 0) + (e.cr > 0);
  if (kinds == 0) return "no line endings";
  if (kinds == 1) return e.lf ? "LF" : e.crlf ? "CRLF" : "CR";
  return fmt::format("mixed (LF {}, CRLF {}, CR {})", e.lf, e.crlf, e.cr);
}

struct FactsBuilder::TextState {
  std::string pending;  // input bytes not yet processed (a block ends before an ASCII byte)
  bool bom_checked = false;
  bool bom = false;
  bool prev_cr = false;  // last processed byte was CR (a following LF completes CR LF)
  EolCounts eol;
  // The lf form is hashed one byte behind, so that Finish can also hash it with its final
  // byte removed (for the final-newline diagnosis).
  Sha256 lf;
  bool has_last = false;
  char last = 0;
  bool nfc_alive = true;
  bool is_nfc = true;
  Sha256 nfc, fold;
  // JSON: undecided until the first non-whitespace byte of the body.
  enum class Json { kUndecided, kCandidate, kNo } json = Json::kUndecided;
  std::string json_text;
  std::string lf_block;  // scratch
};

FactsBuilder::FactsBuilder(FactsOptions options) : options_(options) {
  if (options_.text) text_ = new TextState();
}

FactsBuilder::~FactsBuilder() { delete text_; }

void FactsBuilder::FeedRaw(std::span<const uint8_t> bytes) {
  if (options_.prefix_len && !prefix_ && size_ + bytes.size() >= *options_.prefix_len) {
    size_t head = static_cast<size_t>(*options_.prefix_len - size_);
    raw_.Update(bytes.subspan(0, head));
    prefix_ = Sha256(raw_).Finish();
    raw_.Update(bytes.subspan(head));
  } else {
    raw_.Update(bytes);
  }
  size_ += bytes.size();
}

void FactsBuilder::Update(std::span<const uint8_t> bytes) {
  FeedRaw(bytes);
  if (text_ == nullptr) return;
  TextState& t = *text_;
  t.pending.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!t.bom_checked) {
    if (t.pending.size() < 3) return;
    t.bom_checked = true;
    if (t.pending.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      t.bom = true;
      t.pending.erase(0, 3);
    }
  }
  // Cut before the last ASCII byte.
  size_t cut = t.pending.size();
  while (cut > 0 && static_cast<unsigned char>(t.pending[cut - 1]) >= 0x80) --cut;
  if (cut == 0) {
    if (t.pending.size() <= kMaxNfcCarry) return;
    // No ASCII byte in kMaxNfcCarry bytes: give up the NFC facts, cut at a character start.
    t.nfc_alive = false;
    cut = t.pending.size();
    while (cut > 0 && (static_cast<unsigned char>(t.pending[cut - 1]) & 0xC0) == 0x80) --cut;
    if (cut > 0) --cut;  // before the lead byte
    if (cut == 0) {
      delete text_;  // not UTF-8 at all
      text_ = nullptr;
      return;
    }
  } else {
    --cut;
  }
  if (!ProcessBlock(t, std::string_view(t.pending).substr(0, cut))) {
    delete text_;
    text_ = nullptr;
    return;
  }
  t.pending.erase(0, cut);
}

bool FactsBuilder::ProcessBlock(TextState& t, std::string_view block) {
  if (block.empty()) return true;
  if (std::memchr(block.data(), 0, block.size()) != nullptr) return false;
  const bool ascii = IsAscii(block);
  if (!ascii && !IsValidUtf8(block)) return false;

  // JSON candidacy and text.
  if (t.json == TextState::Json::kUndecided) {
    for (char c : block) {
      if (IsJsonSpace(c)) continue;
      t.json = (c == '{' || c == '[') ? TextState::Json::kCandidate : TextState::Json::kNo;
      break;
    }
  }
  if (t.json != TextState::Json::kNo) {
    if (t.json_text.size() + block.size() > kMaxJsonBytes) {
      t.json = TextState::Json::kNo;
      std::string().swap(t.json_text);
    } else {
      t.json_text.append(block);
    }
  }

  // Line endings and the lf form.
  std::string_view lf_view;
  if (std::memchr(block.data(), '\r', block.size()) == nullptr &&
      !(t.prev_cr && block.front() == '\n')) {
    t.eol.lf += static_cast<uint64_t>(std::count(block.begin(), block.end(), '\n'));
    t.prev_cr = false;
    lf_view = block;
  } else {
    t.lf_block.clear();
    for (char c : block) {
      if (c == '\r') {
        t.lf_block.push_back('\n');
        ++t.eol.cr;
        t.prev_cr = true;
      } else if (c == '\n') {
        if (t.prev_cr) {
          --t.eol.cr;
          ++t.eol.crlf;
        } else {
          t.lf_block.push_back('\n');
          ++t.eol.lf;
        }
        t.prev_cr = false;
      } else {
        t.lf_block.push_back(c);
        t.prev_cr = false;
      }
    }
    lf_view = t.lf_block;
  }
  if (lf_view.empty()) return true;
  if (t.has_last) t.lf.Update(std::string_view(&t.last, 1));
  t.lf.Update(lf_view.substr(0, lf_view.size() - 1));
  t.last = lf_view.back();
  t.has_last = true;

  // NFC and the typographic fold (identities on ASCII).
  if (t.nfc_alive) {
    if (ascii) {
      t.nfc.Update(lf_view);
      t.fold.Update(lf_view);
    } else {
      std::optional<std::string> nfc = ToNfc(lf_view);
      if (!nfc) return false;
      if (*nfc != lf_view) t.is_nfc = false;
      t.nfc.Update(*nfc);
      if (HasTypography(*nfc)) {
        t.fold.Update(FoldTypography(*nfc));
      } else {
        t.fold.Update(*nfc);
      }
    }
  }
  return true;
}

FileFacts FactsBuilder::Finish() {
  FileFacts f;
  f.size = size_;
  f.prefix_sha256 = prefix_;
  if (options_.prefix_len && !prefix_ && size_ == *options_.prefix_len) {
    f.prefix_sha256 = Sha256(raw_).Finish();
  }
  f.sha256 = raw_.Finish();
  if (text_ == nullptr) return f;
  TextState& t = *text_;
  if (!t.bom_checked && t.pending.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    t.bom = true;
    t.pending.erase(0, 3);
  }
  if (!ProcessBlock(t, t.pending)) return f;

  TextFacts text;
  text.bom = t.bom;
  text.eol = t.eol;
  text.final_newline = t.has_last && t.last == '\n';
  {
    Sha256 without_last(t.lf);
    Sha256 with_last(t.lf);
    if (t.has_last) with_last.Update(std::string_view(&t.last, 1));
    Sha256 toggled(with_last);
    text.lf_sha256 = with_last.Finish();
    if (text.final_newline) {
      f.lf_toggled_sha256 = without_last.Finish();
    } else {
      toggled.Update("\n");
      f.lf_toggled_sha256 = toggled.Finish();
    }
  }
  if (t.nfc_alive) {
    text.nfc = t.is_nfc;
    text.nfc_sha256 = t.nfc.Finish();
    text.fold_sha256 = t.fold.Finish();
  }
  if (t.json == TextState::Json::kCandidate) {
    auto parsed = ParseJson(t.json_text, NumberPolicy::kAny, "file");
    if (parsed.ok()) {
      auto canonical = CanonicalJson(*parsed, NumberPolicy::kAny);
      if (canonical.ok()) text.json_sha256 = Sha256Of(*canonical);
    }
  }
  f.text = text;
  return f;
}

FileFacts FactsOfBytes(std::string_view bytes, FactsOptions options) {
  FactsBuilder b(options);
  b.Update(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return b.Finish();
}

Result<FileFacts> FactsOfFile(const std::string& path, FactsOptions options,
                              std::span<uint8_t> buffer, Progress* progress) {
  // Only a path that lstat shows as a regular file is opened (opening some devices acts on
  // them). A device or fifo swapped in between the lstat and the open is still opened, but
  // O_NONBLOCK (a fifo must not hang us) and O_NOCTTY blunt that, and the fstat below
  // refuses it.
  struct stat named;
  if (::lstat(path.c_str(), &named) != 0) {
    return Status::BadInput(fmt::format("cannot read {}: {}", path, ErrnoText(errno)),
                            "make the file readable (or --ignore it) and run again");
  }
  if (!S_ISREG(named.st_mode)) {
    return Status::BadInput(fmt::format("{} is not a regular file", path),
                            "the tree changed while prodgate read it; run again when it is quiet");
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("cannot read {}: {}", path, ErrnoText(errno)),
                            "make the file readable (or --ignore it) and run again");
  }
  struct stat before;
  if (::fstat(fd.get(), &before) != 0 || !S_ISREG(before.st_mode)) {
    return Status::BadInput(fmt::format("{} is no longer a regular file", path),
                            "the tree changed while prodgate read it; run again when it is quiet");
  }
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  FactsBuilder builder(options);
  const auto expected = static_cast<uint64_t>(before.st_size);
  // Holes of a sparse file read as zeros; feeding zeros from memory instead of reading
  // them saves the kernel from materializing every page (measured: 4 GiB sparse file,
  // 18 s mostly system time by read(), 3 s with this). Small files skip the two lseeks.
  const bool sparse_aware =
      expected >= (uint64_t{1} << 20) && static_cast<uint64_t>(before.st_blocks) * 512 < expected;
  static const std::vector<uint8_t> kZeros(size_t{1} << 18, 0);
  uint64_t done = 0;
  uint64_t data_end = expected;  // end of the current data extent (sparse_aware only)
  while (done < expected) {
    if (sparse_aware && done == data_end) {
      off_t data = ::lseek(fd.get(), static_cast<off_t>(done), SEEK_DATA);
      uint64_t hole_end = data < 0 ? expected : std::min<uint64_t>(data, expected);
      while (done < hole_end) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kZeros.size(), hole_end - done));
        builder.Update(std::span(kZeros.data(), n));
        done += n;
        if (progress != nullptr) progress->Add(0, n);
      }
      if (done >= expected) break;
      off_t hole = ::lseek(fd.get(), static_cast<off_t>(done), SEEK_HOLE);
      data_end = hole < 0 ? expected : std::min<uint64_t>(hole, expected);
      if (::lseek(fd.get(), static_cast<off_t>(done), SEEK_SET) < 0) {
        return Status::BadInput(fmt::format("cannot seek in {}: {}", path, ErrnoText(errno)));
      }
    }
    const uint64_t limit = sparse_aware ? data_end : expected;
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), limit - done));
    auto got = ReadFull(fd.get(), buffer.data(), want);
    if (!got.ok()) return got.status().WithContext(path);
    if (*got == 0) break;
    builder.Update(buffer.subspan(0, *got));
    done += *got;
    if (progress != nullptr) progress->Add(0, *got);
  }
  struct stat after;
  if (::fstat(fd.get(), &after) != 0 || done != expected || after.st_size != before.st_size ||
      after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
      after.st_mtim.tv_nsec != before.st_mtim.tv_nsec ||
      after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
      after.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
    return Status::BadInput(fmt::format("{} changed while it was being hashed", path),
                            "stop whatever writes to it, then run the command again");
  }
  FileFacts facts = builder.Finish();
  facts.dev = static_cast<uint64_t>(before.st_dev);
  facts.ino = static_cast<uint64_t>(before.st_ino);
  return facts;
}

std::vector<Result<FileFacts>> HashFiles(const std::vector<HashJob>& jobs, Progress* progress) {
  std::vector<Result<FileFacts>> results(jobs.size(),
                                         Result<FileFacts>(Status::Internal("not hashed")));
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].size > jobs[b].size; });
  const unsigned workers = WorkerCount();
  // 256 KiB: large enough to amortize the read system call, small enough to stay in L2
  // while SHA-256 runs over it.
  constexpr size_t kBufferBytes = size_t{256} << 10;
  std::vector<AlignedBuffer> buffers;
  for (unsigned w = 0; w < workers; ++w) buffers.emplace_back(kBufferBytes);
  ParallelFor(order.size(), workers, [&](size_t k, unsigned worker) {
    const HashJob& job = jobs[order[k]];
    results[order[k]] = FactsOfFile(job.path, job.options, buffers[worker].span(), progress);
    if (progress != nullptr) progress->Add(1, 0);
  });
  return results;
}

}  // namespace prodgate::seal
