#include "evidence/registry.h"

#include <fmt/format.h>

#include <filesystem>

#include "ledger/event.h"
#include "model/blocker_ops.h"
#include "model/projector.h"
#include "seal/manifest.h"
#include "seal/verify.h"

namespace prodgate::evidence {
namespace {

namespace fs = std::filesystem;

// Verifies the tree now; refuses anything but PASS, naming what differs.
Result<std::string> VerifyNow(const std::string& dir, const std::string& manifest) {
  seal::VerifyOptions o;
  o.root = dir;
  o.manifest = manifest;
  o.progress = false;
  PG_ASSIGN_OR_RETURN(seal::VerifyReport r, seal::Verify(o));
  if (!r.pass) {
    std::vector<std::string> what;
    for (const auto& d : r.drifts) {
      std::vector<std::string_view> classes;
      for (auto c : d.classes) classes.push_back(seal::DriftClassName(c));
      what.push_back(fmt::format("{} ({})", d.path, fmt::join(classes, ", ")));
    }
    return Status::BadInput(
        fmt::format("evidence {} does not verify now: {}", dir, fmt::join(what, "; ")),
        "restore the sealed bytes (prodgate verify shows how they differ) or seal new evidence");
  }
  return ToHex(r.sealed_root);
}

}  // namespace

Result<EvidenceRecord> AddEvidence(model::Workspace& ws, const std::string& dir,
                                   const std::string& manifest, const std::string& actor) {
  EvidenceRecord rec;
  std::error_code ec;
  rec.dir = fs::weakly_canonical(fs::absolute(dir), ec).string();
  rec.manifest =
      fs::weakly_canonical(
          fs::absolute(manifest.empty() ? (fs::path(dir) / seal::kDefaultManifestName).string()
                                        : manifest),
          ec)
          .string();
  PG_ASSIGN_OR_RETURN(rec.root, VerifyNow(rec.dir, rec.manifest));
  auto appended = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    ledger::EventDraft d;
    d.actor = actor;
    d.kind = "evidence.add";
    d.body = {{"root", rec.root}, {"dir", rec.dir}, {"manifest", rec.manifest}};
    return d;
  });
  if (!appended.ok()) return appended.status();
  return rec;
}

Result<EvidenceRecord> FindEvidence(model::Workspace& ws, std::string_view root) {
  PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("evidence", root));
  if (!doc) {
    return Status::BadInput(
        fmt::format("no evidence with seal root {} is recorded", root),
        "seal the artifact and record it: prodgate seal DIR && prodgate evidence add DIR");
  }
  return EvidenceRecord{doc->value("root", ""), doc->value("dir", ""), doc->value("manifest", "")};
}

namespace {

// Each root recorded as evidence and verifying now, as the close or proposal records it.
Result<Json> VerifiedEvidence(model::Workspace& ws, const std::string& id,
                              const std::vector<std::string>& roots) {
  if (roots.empty()) {
    return Status::BadInput(fmt::format("closing blocker {} needs evidence", id),
                            "pass --evidence SEAL_ROOT of a sealed artifact that shows it is done");
  }
  Json evidence = Json::array();
  for (const auto& root : roots) {
    PG_ASSIGN_OR_RETURN(EvidenceRecord rec, FindEvidence(ws, root));
    PG_ASSIGN_OR_RETURN(std::string verified_root, VerifyNow(rec.dir, rec.manifest));
    if (verified_root != rec.root) {
      return Status::BadInput(
          fmt::format("evidence {} was recorded with seal root {} but its manifest now has root "
                      "{}: the manifest was replaced",
                      rec.dir, rec.root.substr(0, 12), verified_root.substr(0, 12)),
          "record the evidence again with `prodgate evidence add`");
    }
    evidence.push_back({{"root", rec.root}, {"dir", rec.dir}, {"verified_at", ledger::NowUtc()}});
  }
  return evidence;
}

Status MustBeOpen(const std::optional<model::Blocker>& current, const std::string& id) {
  // Under the write lock: two concurrent closes give one close and one refusal.
  if (!current) return Status::BadInput(fmt::format("no blocker \"{}\"", id));
  if (!current->open()) {
    return Status::BadInput(fmt::format("blocker {} was closed meanwhile", id), "nothing to do");
  }
  return Status::Ok();
}

}  // namespace

Result<model::Blocker> CloseBlocker(model::Workspace& ws, const std::string& id,
                                    const std::vector<std::string>& roots, const std::string& note,
                                    const model::Signer& signer) {
  PG_ASSIGN_OR_RETURN(model::Blocker b, model::FindBlocker(ws, id));
  if (!b.open()) {
    return Status::BadInput(fmt::format("blocker {} is already closed", id), "nothing to do");
  }
  if (!signer.signs()) {
    return Status::BadInput(fmt::format("closing blocker {} needs a signature", id),
                            "pass --key KEY of the role the blocker needs; an agent proposes a "
                            "close instead: prodgate blocker propose-close");
  }
  const std::string role = model::RoleInForce(ws, signer.key_id);
  std::string why = role.empty() ? fmt::format("key {} is not trusted", signer.key_id)
                                 : model::WhyRoleMayNotClose(b, role);
  if (!why.empty()) {
    Status recorded = model::RecordRefusal(ws, "refused.blocker_close",
                                           {{"id", id}, {"role", role}, {"reason", why}}, signer);
    return Status::BadInput(
        why + (recorded.ok() ? " (the refused close is recorded)" : ""),
        role.empty() ? "sign with a key the workspace trusts"
                     : fmt::format("have that role close it, or propose the close for it: "
                                   "prodgate blocker propose-close {} --evidence ROOT --key KEY",
                                   id));
  }
  PG_ASSIGN_OR_RETURN(Json evidence, VerifiedEvidence(ws, id, roots));
  return model::AppendBlockerEvent(
      ws, id, "blocker.close", {{"id", id}, {"evidence", evidence}, {"note", note}}, signer,
      [&](const std::optional<model::Blocker>& current) { return MustBeOpen(current, id); });
}

Result<model::Blocker> ProposeClose(model::Workspace& ws, const std::string& id,
                                    const std::vector<std::string>& roots, const std::string& note,
                                    const model::Signer& signer) {
  if (!signer.signs() || model::RoleInForce(ws, signer.key_id).empty()) {
    return Status::BadInput(fmt::format("a close proposal for {} is signed by a trusted key", id),
                            "pass --key KEY of a key the workspace trusts");
  }
  PG_ASSIGN_OR_RETURN(Json evidence, VerifiedEvidence(ws, id, roots));
  return model::AppendBlockerEvent(
      ws, id, "blocker.propose_close", {{"id", id}, {"evidence", evidence}, {"note", note}}, signer,
      [&](const std::optional<model::Blocker>& current) { return MustBeOpen(current, id); });
}

}  // namespace prodgate::evidence
