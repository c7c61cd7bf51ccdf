// The secret scanner: the rule set (secret_rules.h) compiled into one Vectorscan database,
// run over database values and raw files. Findings carry where a secret is, never what it is.
//
// How values are scanned. Values are appended to a batch, separated by one NUL byte, and the
// batch (about 1 MiB) is scanned in one hs_scan call in block mode: one call per value would
// cost more than the scan itself for short values. No rule can match a NUL byte, so no match
// spans two values. The scan runs in two passes, because Vectorscan's start-of-match
// tracking (HS_FLAG_SOM_LEFTMOST) costs a factor of about 40 in throughput on these rules,
// and three times the compile time:
//   1. the whole batch against all rules compiled together without start-of-match: which
//      rule matches in which value (almost never, in a clone);
//   2. each such value against that one rule compiled with start-of-match (compiled on first
//      use, then kept), which gives every match with its start.
// Each match is then checked inside its own value (secret_rules.h: secret part, exact length,
// entropy, placeholders), and one secret is reported once per rule, however many end offsets
// the engine reports for it. Raw files are scanned the same way, in 16 MiB windows; a match's
// second pass covers the 64 KiB before its end (a longer match is reported from there). If a
// rule cannot be compiled with start-of-match, its matches are still reported, at their end
// offset with length 0: a finding is never dropped for want of an offset.
//
// A scanner with no rule is refused (DESIGN.md §4: a zero-rule scan proves nothing).
//
// Thread-safety: a SecretScanner holds one scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clone/secret_rules.h"
#include "core/status.h"

struct hs_database;
struct hs_scratch;

namespace prodgate::clone {

// A verified secret inside one scanned value (or file): byte offset and length of the
// match. Never the bytes themselves.
struct SecretMatch {
  size_t rule = 0;  // index into SecretScanner::rules()
  uint64_t offset = 0;
  uint64_t length = 0;
};

class SecretScanner {
 public:
  static Result<std::unique_ptr<SecretScanner>> Compile(std::vector<SecretRule> rules);
  ~SecretScanner();
  SecretScanner(const SecretScanner&) = delete;
  SecretScanner& operator=(const SecretScanner&) = delete;

  const std::vector<SecretRule>& rules() const { return rules_; }

  // Every verified secret in one value.
  std::vector<SecretMatch> ScanValue(std::string_view value);

  // Values scanned together (see above). Add values with a caller's tag, then Flush: the
  // callback receives (tag, match) for every verified secret; the batch is then empty.
  class Batch {
   public:
    explicit Batch(SecretScanner& scanner) : scanner_(scanner) {}
    void Add(std::string_view value, uint64_t tag);
    bool full() const { return buffer_.size() >= kTargetBytes; }
    void Flush(const std::function<void(uint64_t tag, const SecretMatch&)>& on_secret);
    uint64_t bytes_scanned() const { return bytes_scanned_; }

   private:
    static constexpr size_t kTargetBytes = 1 << 20;
    SecretScanner& scanner_;
    std::string buffer_;
    std::vector<uint64_t> starts_;  // offset of each value in buffer_
    std::vector<uint64_t> tags_;
    uint64_t bytes_scanned_ = 0;
  };

  // Scans the raw bytes of a file (free pages, journals: what a logical scan cannot see),
  // in overlapping windows; offsets are file offsets.
  Result<std::vector<SecretMatch>> ScanFile(const std::string& path, uint64_t* bytes = nullptr);

 private:
  struct Hit {
    unsigned rule;
    unsigned long long from, to;
  };
  struct End {
    unsigned rule;
    unsigned long long to;
  };
  explicit SecretScanner(std::vector<SecretRule> rules)
      : rules_(std::move(rules)),
        by_rule_(rules_.size(), nullptr),
        by_rule_failed_(rules_.size()) {}
  // Pass 1: the rule and end offset of every match in `data`.
  Status EndScan(std::string_view data, std::vector<End>& ends);
  // Pass 2 and verification of one rule over `data`; offsets relative to it. `end` is a match
  // end pass 1 saw, reported as is when the rule has no start-of-match database.
  std::vector<SecretMatch> ScanRegion(std::string_view data, unsigned rule, uint64_t end);
  // Checks a raw hit inside `value` (hit offsets relative to it); returns the secret match.
  bool Verify(std::string_view value, const Hit& hit, SecretMatch& out) const;

  std::vector<SecretRule> rules_;
  ::hs_database* all_ = nullptr;         // every rule, no start-of-match (pass 1)
  std::vector<::hs_database*> by_rule_;  // one rule each, start-of-match (pass 2), lazily
  std::vector<bool> by_rule_failed_;
  ::hs_scratch* scratch_ = nullptr;  // grown to fit every database
};

}  // namespace prodgate::clone
