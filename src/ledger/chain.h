// Verifying the hash chain (DESIGN.md §3.4).
//
// Full verification walks every event in seq order and checks: seq runs 1, 2, 3… without a
// gap; each event's hash is the SHA-256 of its preimage; each prev is the previous event's
// hash (64 zeros for event 1). The first event that breaks a rule is named. With an expected
// head (a hash recorded elsewhere, e.g. in an evidence packet), the chain must contain it,
// which detects truncation.
//
// This checks hashes and links only. The authority's verification (authority/
// verified_ledger.h) runs the same per-event step (CheckLink) and adds signatures and the
// rules of each event kind, from genesis or from the verifier's own checkpoint.
#pragma once

#include <optional>
#include <string>

#include "ledger/store.h"

namespace prodgate::ledger {

struct ChainReport {
  bool ok = false;
  int64_t events = 0;
  Head head;
  std::optional<int64_t> first_bad_seq;
  std::string problem;  // what broke at first_bad_seq, or about the expected head
  std::optional<int64_t> expected_head_seq;  // where the expected head was found
};

// Full verification. A store error (unreadable row, malformed document) is reported as a
// broken chain at that event, not as an error: a damaged ledger is a verdict.
Result<ChainReport> VerifyChain(LedgerStore& store, const std::optional<Digest>& expect_head = {});

// Checks one event's hash against its preimage.
Status CheckEventHash(const Event& e);

// The chain rule for one event after `at`: its seq is at.seq + 1, its prev is at.hash (64
// zeros for event 1) and its hash is the hash of its preimage. The error names the event.
Status CheckLink(const Head& at, const Event& e);

}  // namespace prodgate::ledger
