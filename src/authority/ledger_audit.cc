#include "authority/ledger_audit.h"

#include <fmt/format.h>

#include "authority/trust.h"
#include "core/file_io.h"
#include "core/sha256.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::authority {

Result<ledger::Event> AcceptConfig(model::Workspace& ws, const PrivateKey& owner) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(owner.Id());
  if (k == nullptr || k->role != Role::kOwner) {
    return Status::BadInput(fmt::format("key {} is not a trusted owner", owner.Id()),
                            "only an owner accepts a configuration change");
  }
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ws.config_path(), 1 << 20));
  std::string digest = ToHex(Sha256Of(bytes));
  return ws.ledger->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        return SignedDraft(owner, "config.accept", {{"config_sha256", digest}}, {"config"});
      },
      model::Project);
}

Status CheckConfigAccepted(model::Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> events, ws.ledger->EventsAbout("config"));
  if (events.empty()) return Status::BadInput("the ledger has no record of the config");
  const ledger::Event& e = events.back();
  PG_RETURN_IF_ERROR(ledger::CheckEventHash(e));
  if (e.kind == "workspace.init" && e.seq == 1) return Status::Ok();
  const std::string fix = "have an owner accept the config: prodgate config accept --key OWNER_KEY";
  if (e.kind != "config.accept" || e.sig.empty()) {
    return Status::BadInput(
        fmt::format("the config's record (event {}, {}) is not signed by an owner: it was "
                    "appended behind prodgate",
                    e.seq, e.kind),
        fix);
  }
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(e.actor);
  PG_ASSIGN_OR_RETURN(std::string pre, e.Preimage());
  if (k == nullptr || k->role != Role::kOwner || !VerifySignature(k->key, pre, e.sig)) {
    return Status::BadInput(
        fmt::format("the config's record (event {}) is signed by {}, not by a trusted owner", e.seq,
                    e.actor),
        fix);
  }
  return Status::Ok();
}

Result<model::Workspace> OpenCheckedWorkspace(const std::string& root, const std::string& ledger) {
  PG_ASSIGN_OR_RETURN(model::Workspace ws, model::OpenWorkspace(root, ledger));
  PG_RETURN_IF_ERROR(CheckConfigAccepted(ws));
  return ws;
}

Result<LedgerAudit> AuditLedger(model::Workspace& ws, const std::optional<Digest>& expect_head) {
  LedgerAudit a;
  PG_ASSIGN_OR_RETURN(a.chain, ledger::VerifyChain(*ws.ledger, expect_head));
  if (!a.chain.ok) return a;
  auto trust = LoadTrust(ws);
  PG_RETURN_IF_ERROR(ws.ledger->ForEachEvent(1, a.chain.head.seq, [&](const ledger::Event& e) {
    if (e.sig.empty()) return Status::Ok();
    ++a.signed_events;
    if (!trust.ok()) {
      a.signature_problems.push_back(
          fmt::format("event {}: cannot check its signature: {}", e.seq, trust.status().what()));
      return Status::Ok();
    }
    const TrustedKey* k = trust->Find(e.actor);
    if (k == nullptr) {
      a.signature_problems.push_back(fmt::format(
          "event {} ({}) is signed by {}, a key the trust does not hold", e.seq, e.kind, e.actor));
      return Status::Ok();
    }
    PG_ASSIGN_OR_RETURN(std::string pre, e.Preimage());
    if (!VerifySignature(k->key, pre, e.sig)) {
      a.signature_problems.push_back(
          fmt::format("event {} ({}): the signature by {} ({}) does not verify", e.seq, e.kind,
                      k->id, k->name));
    }
    return Status::Ok();
  }));
  if (a.ok()) PG_RETURN_IF_ERROR(ws.ledger->SetVerifiedCheckpoint(a.chain.head));
  return a;
}

Result<RebuildReport> RebuildProjections(model::Workspace& ws, bool write) {
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
