// Verifying the hash chain (DESIGN.md §3.4).
//
// Full verification walks every event in seq order and checks: seq runs 1, 2, 3… without a
// gap; each event's hash is the SHA-256 of its preimage; each prev is the previous event's
// hash (64 zeros for event 1). The first event that breaks a rule is named. With an expected
// head (a hash recorded elsewhere, e.g. in an evidence packet), the chain must contain it,
// which detects truncation.
//
// Incremental verification (VerifyTail) trusts the last full verification's checkpoint only
// after re-hashing the checkpoint event, then checks every event after it. Its cost follows
// the tail, not the ledger: it does not look at events before the checkpoint, so an edit or
// a deletion there is found by the full verification (`ledger verify`, and `gate run`
// before it acts) and, for the events a gate decision relies on, by the gate itself.
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

// Incremental: checkpoint + tail. On success the report's head is current.
Result<ChainReport> VerifyTail(LedgerStore& store);

// Checks one event's hash against its preimage.
Status CheckEventHash(const Event& e);

}  // namespace prodgate::ledger
