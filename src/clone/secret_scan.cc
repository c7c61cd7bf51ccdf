#include "clone/secret_scan.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <hs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "core/file_io.h"

namespace prodgate::clone {
namespace {

// Raw files are scanned in windows that overlap by more than the longest minimal match of
// any rule, so a secret cut by a window edge is whole in the next window. Scanned pages are
// dropped from the mapping, so memory stays at one window whatever the file size.
constexpr uint64_t kFileWindow = uint64_t{16} << 20;
constexpr uint64_t kFileOverlap = uint64_t{64} << 10;
// The second pass over a raw file covers this much before a match's end, and after it.
constexpr uint64_t kRegionBefore = uint64_t{64} << 10;
constexpr uint64_t kRegionAfter = uint64_t{4} << 10;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Characters that continue a secret value after the matched part.
bool IsValueChar(char c) {
  return c != '\0' && !IsSpace(c) && c != '"' && c != '\'' && c != ',' && c != ';' && c != '&' &&
         c != '<' && c != '>' && c != '`';
}

size_t Extend(std::string_view v, size_t at) {
  while (at < v.size() && IsValueChar(v[at])) ++at;
  return at;
}

// A failing hs_scan means a broken database or scratch: nothing can be trusted after it.
[[noreturn]] void ScanFailed() {
  std::fprintf(stderr, "prodgate: internal error: the Vectorscan scan failed\n");
  std::abort();
}

}  // namespace

Result<std::unique_ptr<SecretScanner>> SecretScanner::Compile(std::vector<SecretRule> rules) {
  if (rules.empty()) {
    return Status::BadInput("the secret scan has no rules",
                            "a scan with zero rules proves nothing; use the default rule set");
  }
  std::vector<const char*> patterns;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    patterns.push_back(rules[i].pattern.c_str());
    flags.push_back(rules[i].caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(static_cast<unsigned>(i));
  }
  std::unique_ptr<SecretScanner> s(new SecretScanner(std::move(rules)));
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr, &s->all_,
                       &err) != HS_SUCCESS) {
    std::string rule = err && err->expression >= 0
                           ? s->rules_[static_cast<size_t>(err->expression)].id
                           : std::string("(all)");
    std::string msg = err ? err->message : "unknown error";
    hs_free_compile_error(err);
    return Status::BadInput(fmt::format("secret rule {} does not compile: {}", rule, msg),
                            "fix the rule's pattern");
  }
  if (hs_alloc_scratch(s->all_, &s->scratch_) != HS_SUCCESS) {
    return Status::Internal("cannot allocate Vectorscan scratch space");
  }
  return s;
}

SecretScanner::~SecretScanner() {
  hs_free_scratch(scratch_);
  hs_free_database(all_);
  for (auto* db : by_rule_) hs_free_database(db);
}

Status SecretScanner::EndScan(std::string_view data, std::vector<End>& ends) {
  auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                     void* p) -> int {
    static_cast<std::vector<End>*>(p)->push_back({id, to});
    return 0;
  };
  if (hs_scan(all_, data.data(), static_cast<unsigned>(data.size()), 0, scratch_, on_match,
              &ends) != HS_SUCCESS) {
    return Status::Internal("the Vectorscan scan failed");
  }
  return Status::Ok();
}

std::vector<SecretMatch> SecretScanner::ScanRegion(std::string_view data, unsigned rule,
                                                   uint64_t end) {
  std::vector<SecretMatch> out;
  if (by_rule_[rule] == nullptr && !by_rule_failed_[rule]) {
    unsigned flags = HS_FLAG_SOM_LEFTMOST | (rules_[rule].caseless ? HS_FLAG_CASELESS : 0);
    hs_compile_error_t* err = nullptr;
    if (hs_compile(rules_[rule].pattern.c_str(), flags, HS_MODE_BLOCK, nullptr, &by_rule_[rule],
                   &err) != HS_SUCCESS ||
        hs_alloc_scratch(by_rule_[rule], &scratch_) != HS_SUCCESS) {
      hs_free_compile_error(err);
      by_rule_failed_[rule] = true;
    }
  }
  if (by_rule_failed_[rule]) {
    out.push_back({rule, end, 0});
    return out;
  }
  std::vector<Hit> hits;
  auto on_match = [](unsigned, unsigned long long from, unsigned long long to, unsigned,
                     void* p) -> int {
    auto* h = static_cast<std::vector<Hit>*>(p);
    // The engine reports every end offset of a match that can grow; keep the longest.
    if (!h->empty() && h->back().from == from) {
      h->back().to = std::max(h->back().to, to);
    } else {
      h->push_back({0, from, to});
    }
    return 0;
  };
  if (hs_scan(by_rule_[rule], data.data(), static_cast<unsigned>(data.size()), 0, scratch_,
              on_match, &hits) != HS_SUCCESS) {
    ScanFailed();
  }
  std::set<uint64_t> seen;
  for (Hit h : hits) {
    h.rule = rule;
    SecretMatch m;
    if (Verify(data, h, m) && seen.insert(m.offset).second) out.push_back(m);
  }
  return out;
}

bool SecretScanner::Verify(std::string_view value, const Hit& hit, SecretMatch& out) const {
  const SecretRule& rule = rules_[hit.rule];
  size_t from = hit.from, to = std::min<size_t>(hit.to, value.size());
  if (from >= to) return false;
  size_t s = from, e = to;
  switch (rule.part) {
    case SecretPart::kWhole:
      break;
    case SecretPart::kAssignment: {
      size_t p = from;
      while (p < to && value[p] != ':' && value[p] != '=') ++p;
      if (p >= to) return false;
      ++p;
      while (p < value.size() && IsSpace(value[p])) ++p;
      if (p < value.size() && (value[p] == '"' || value[p] == '\'')) ++p;
      s = p;
      e = Extend(value, s);
      break;
    }
    case SecretPart::kUrlPassword: {
      size_t scheme = value.substr(from, to - from).find("://");
      if (scheme == std::string_view::npos) return false;
      size_t colon = value.substr(0, to).find(':', from + scheme + 3);
      size_t at = value.substr(0, to).rfind('@');
      if (colon == std::string_view::npos || at == std::string_view::npos || at <= colon) {
        return false;
      }
      s = colon + 1;
      e = at;
      break;
    }
    case SecretPart::kAfterSpace: {
      size_t p = to;
      while (p > from && !IsSpace(value[p - 1])) --p;
      s = p;
      e = Extend(value, s);
      break;
    }
  }
  std::string_view secret = value.substr(s, e - s);
  if (rule.exact_length != 0 && secret.size() != rule.exact_length) return false;
  if (rule.min_entropy > 0 && ShannonEntropy(secret) < rule.min_entropy) return false;
  if (!rule.reject_suffix.empty() && secret.ends_with(rule.reject_suffix)) return false;
  if (rule.reject_placeholders && LooksLikePlaceholder(secret)) return false;
  out.rule = hit.rule;
  out.offset = from;
  out.length = std::max(to, e) - from;
  return true;
}

std::vector<SecretMatch> SecretScanner::ScanValue(std::string_view value) {
  std::vector<SecretMatch> out;
  Batch batch(*this);
  batch.Add(value, 0);
  batch.Flush([&](uint64_t, const SecretMatch& m) { out.push_back(m); });
  return out;
}

void SecretScanner::Batch::Add(std::string_view value, uint64_t tag) {
  starts_.push_back(buffer_.size());
  tags_.push_back(tag);
  buffer_.append(value);
  buffer_.push_back('\0');
}

void SecretScanner::Batch::Flush(
    const std::function<void(uint64_t tag, const SecretMatch&)>& on_secret) {
  if (starts_.empty()) return;
  std::vector<End> ends;
  if (!scanner_.EndScan(buffer_, ends).ok()) ScanFailed();
  bytes_scanned_ += buffer_.size() - starts_.size();
  // (value, rule) → the last match end seen there; a match ends inside its value (no rule
  // matches NUL).
  std::map<std::pair<size_t, unsigned>, uint64_t> found;
  for (const End& e : ends) {
    if (e.to == 0) continue;
    size_t v = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), e.to - 1) -
                                   starts_.begin() - 1);
    found[{v, e.rule}] = e.to - starts_[v];
  }
  for (const auto& [key, end] : found) {
    auto [v, rule] = key;
    uint64_t begin = starts_[v];
    uint64_t stop = v + 1 < starts_.size() ? starts_[v + 1] - 1 : buffer_.size() - 1;
    for (const SecretMatch& m :
         scanner_.ScanRegion({buffer_.data() + begin, stop - begin}, rule, end)) {
      on_secret(tags_[v], m);
    }
  }
  buffer_.clear();
  starts_.clear();
  tags_.clear();
}

Result<std::vector<SecretMatch>> SecretScanner::ScanFile(const std::string& path, uint64_t* bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return Status::BadInput(fmt::format("{}: cannot open: {}", path, ErrnoText(errno)));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::BadInput(fmt::format("{}: not a regular file", path));
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (bytes) *bytes = size;
  std::vector<SecretMatch> out;
  if (size == 0) return out;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (map == MAP_FAILED) {
    return Status::BadInput(fmt::format("{}: cannot map: {}", path, ErrnoText(errno)));
  }
  ::madvise(map, size, MADV_SEQUENTIAL);
  std::string_view all(static_cast<const char*>(map), size);
  std::set<std::pair<size_t, uint64_t>> seen;
  Status status;
  for (uint64_t at = 0; at < size;) {
    uint64_t len = std::min(kFileWindow, size - at);
    std::vector<End> ends;
    status = EndScan(all.substr(at, len), ends);
    if (!status.ok()) break;
    // Per rule, the second pass covers the bytes before each match end (merged when they
    // overlap), and a little after it for the verification to see where a token ends.
    std::sort(ends.begin(), ends.end(), [](const End& a, const End& b) {
      return a.rule != b.rule ? a.rule < b.rule : a.to < b.to;
    });
    struct Region {
      unsigned rule;
      uint64_t a, b, end;
    };
    std::vector<Region> regions;
    for (const End& e : ends) {
      uint64_t a = at + (e.to > kRegionBefore ? e.to - kRegionBefore : 0);
      uint64_t b = std::min<uint64_t>(size, at + e.to + kRegionAfter);
      if (!regions.empty() && regions.back().rule == e.rule && a <= regions.back().b) {
        regions.back().b = std::max(regions.back().b, b);
      } else {
        regions.push_back({e.rule, a, b, at + e.to});
      }
    }
    for (const Region& r : regions) {
      for (SecretMatch m : ScanRegion(all.substr(r.a, r.b - r.a), r.rule, r.end - r.a)) {
        m.offset += r.a;
        if (seen.insert({m.rule, m.offset}).second) out.push_back(m);
      }
    }
    if (at + len >= size) break;
    ::madvise(static_cast<char*>(map) + at, len - kFileOverlap, MADV_DONTNEED);
    at += len - kFileOverlap;
  }
  ::munmap(map, size);
  if (!status.ok()) return status;
  std::sort(out.begin(), out.end(), [](const SecretMatch& a, const SecretMatch& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.rule < b.rule;
  });
  return out;
}

}  // namespace prodgate::clone
