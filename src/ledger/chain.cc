#include "ledger/chain.h"

#include <fmt/format.h>

namespace prodgate::ledger {

Status CheckEventHash(const Event& e) {
  PG_ASSIGN_OR_RETURN(Digest h, ComputeEventHash(e));
  if (h != e.hash) {
    return Status::BadInput(
        fmt::format("event {} ({}) does not hash to its recorded hash: it was "
                    "edited after it was written",
                    e.seq, e.kind));
  }
  return Status::Ok();
}

Status CheckLink(const Head& at, const Event& e) {
  if (e.seq != at.seq + 1) {
    return Status::BadInput(
        fmt::format("event {} follows event {}: event {} is missing", e.seq, at.seq, at.seq + 1));
  }
  if (e.prev != at.hash) {
    return Status::BadInput(fmt::format(
        "event {} ({}) does not link to event {}: its prev is not that event's hash (an event "
        "was removed, replaced or reordered)",
        e.seq, e.kind, at.seq));
  }
  return CheckEventHash(e);
}

namespace {

// Walks events (from, to] starting after `prev`; fills the report on the first break.
Status WalkFrom(LedgerStore& store, Head start, int64_t to, ChainReport& r,
                const std::optional<Digest>& expect_head) {
  Head at = start;
  Status s = store.ForEachEvent(start.seq + 1, to, [&](const Event& e) -> Status {
    PG_RETURN_IF_ERROR(CheckLink(at, e));
    at = Head{e.seq, e.hash};
    if (expect_head && e.hash == *expect_head) r.expected_head_seq = e.seq;
    return Status::Ok();
  });
  r.head = at;
  r.events = at.seq;
  if (!s.ok()) {
    r.ok = false;
    r.first_bad_seq = at.seq + 1;
    r.problem = s.what();
  }
  return Status::Ok();
}

}  // namespace

Result<ChainReport> VerifyChain(LedgerStore& store, const std::optional<Digest>& expect_head) {
  ChainReport r;
  r.ok = true;
  PG_ASSIGN_OR_RETURN(Head head, store.ReadHead());
  PG_RETURN_IF_ERROR(WalkFrom(store, Head{}, head.seq, r, expect_head));
  if (!r.ok) return r;
  PG_ASSIGN_OR_RETURN(int64_t count, store.CountEvents(head.seq));
  if (count != head.seq) {
    r.ok = false;
    r.problem = fmt::format("{} events stored but the head is event {}", count, head.seq);
    return r;
  }
  if (r.head.hash != head.hash) {
    r.ok = false;
    r.problem = "the head changed while it was verified; verify again";
    return r;
  }
  if (expect_head && !r.expected_head_seq) {
    r.ok = false;
    r.problem = fmt::format(
        "the expected head {} is not in the chain: the ledger was truncated or replaced",
        ToHex(*expect_head));
    return r;
  }
  return r;
}

}  // namespace prodgate::ledger
