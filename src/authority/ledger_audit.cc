#include "authority/ledger_audit.h"

#include <fmt/format.h>

#include "authority/trust.h"
#include "core/file_io.h"
#include "core/sha256.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::authority {

Result<TrustChangeOutcome> AcceptConfig(model::Workspace& ws, const PrivateKey& owner,
                                        int64_t threshold) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(owner.Id());
  if (k == nullptr || k->role != Role::kOwner) {
    return Status::BadInput(fmt::format("key {} is not a trusted owner", owner.Id()),
                            "only an owner accepts a configuration change");
  }
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ws.config_path(), 1 << 20));
  std::string digest = ToHex(Sha256Of(bytes));
  if (threshold > 1) {
    TrustChangeRequest r;
    r.accept_config = digest;
    return ProposeTrustChange(ws, r, &owner, threshold);
  }
  PG_RETURN_IF_ERROR(
      model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        return SignedDraft(owner, "config.accept", {{"config_sha256", digest}});
      }).status());
  TrustChangeOutcome out;
  out.applied = true;
  return out;
}

Result<model::Workspace> OpenCheckedWorkspace(const std::string& root, const std::string& ledger,
                                              const OpenOptions& options) {
  PG_ASSIGN_OR_RETURN(model::Workspace ws, model::OpenWorkspace(root, ledger));
  PG_ASSIGN_OR_RETURN(std::shared_ptr<VerifiedLedger> v, VerifiedLedger::Open(*ws.ledger));
  ws.proven = v;
  if (!v->ok()) {
    if (options.allow_broken) return ws;
    return Status::BadInput(
        fmt::format("the ledger does not verify: {}", v->problem()),
        "nothing is done on a ledger that does not verify; run `prodgate ledger verify`, and "
        "restore the ledger from a copy whose head you trust");
  }
  if (!options.check_config) return ws;
  PG_ASSIGN_OR_RETURN(auto record, ws.state().Get("workspace", "config"));
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ws.config_path(), 1 << 20));
  std::string actual = ToHex(Sha256Of(bytes));
  std::string recorded = record ? record->value("sha256", "") : "";
  if (recorded != actual) {
    return Status::BadInput(
        fmt::format("{} (sha256 {}) is not the configuration the ledger accepted ({}): it "
                    "changed outside prodgate, and the config decides what every gate holds",
                    ws.config_path(), actual.substr(0, 12),
                    recorded.empty() ? std::string("none") : recorded.substr(0, 12)),
        "undo the edit, or have an owner accept it: prodgate config accept --key OWNER_KEY");
  }
  return ws;
}

Result<LedgerAudit> AuditLedger(model::Workspace& ws, const std::optional<Digest>& expect_head,
                                bool full) {
  LedgerAudit a;
  auto* v = dynamic_cast<VerifiedLedger*>(ws.proven.get());
  if (v == nullptr) {
    return Status::Internal("the workspace was opened without verifying its chain");
  }
  a.ok = v->ok();
  a.head = v->head();
  a.problem = v->problem();
  if (!a.ok) a.first_bad_seq = v->first_bad_seq();
  a.verified_from = v->verified_from();
  a.verified_now = v->folded();
  a.checkpoint = v->checkpoint_path();
  a.no_checkpoint = v->no_checkpoint_reason();
  if (full && a.ok) {
    // Once more from genesis in memory, trusting nothing the checkpoint remembers.
    auto again = VerifiedLedger::OpenWithoutCheckpoint(*ws.ledger);
    if (!again.ok()) return again.status();
    a.full = true;
    a.verified_now = (*again)->folded();
    if (!(*again)->ok()) {
      a.ok = false;
      a.head = (*again)->head();
      a.problem = (*again)->problem();
      a.first_bad_seq = (*again)->first_bad_seq();
    } else if ((*again)->head().hash != v->head().hash) {
      a.ok = false;
      a.problem = "the ledger changed while it was verified; verify again";
    }
  }
  if (a.ok && expect_head) {
    PG_ASSIGN_OR_RETURN(auto e, ws.ledger->EventWithHash(*expect_head));
    if (!e || e->seq > a.head.seq) {
      a.ok = false;
      a.problem = fmt::format(
          "the expected head {} is not in the chain: the ledger was truncated or replaced",
          ToHex(*expect_head));
    } else {
      a.expected_head_seq = e->seq;
    }
  }
  PG_ASSIGN_OR_RETURN(a.protection, ws.ledger->Protection());
  return a;
}

Result<RebuildReport> RebuildProjections(model::Workspace& ws, bool write) {
  if (ws.proven && !ws.proven->ok()) {
    return Status::BadInput(
        fmt::format("the ledger does not verify ({}); its events are not replayed",
                    ws.proven->problem()),
        "restore the ledger from a copy whose head you trust");
  }
  RebuildReport r;
  PG_ASSIGN_OR_RETURN(ledger::MemoryProjections mem, model::Replay(*ws.ledger));
  PG_ASSIGN_OR_RETURN(ledger::ProjectionTables stored, ws.ledger->AllProjections());
  const auto& fresh = mem.tables();
  for (const auto& [table, docs] : fresh) {
    for (const auto& [id, doc] : docs) {
      auto t = stored.find(table);
      if (t == stored.end() || !t->second.count(id)) {
        r.differences.push_back(
            fmt::format("{}/{}: missing from the stored projections", table, id));
      } else if (t->second.at(id) != doc) {
        r.differences.push_back(
            fmt::format("{}/{}: stored state differs from its events", table, id));
      }
    }
  }
  for (const auto& [table, docs] : stored) {
    for (const auto& [id, doc] : docs) {
      auto t = fresh.find(table);
      if (t == fresh.end() || !t->second.count(id)) {
        r.differences.push_back(fmt::format("{}/{}: stored but made by no event", table, id));
      }
    }
  }
  if (write && !r.differences.empty()) {
    PG_RETURN_IF_ERROR(ws.ledger->ReplaceProjections(fresh));
    r.written = true;
  }
  return r;
}

}  // namespace prodgate::authority
