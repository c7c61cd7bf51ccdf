#include "authority/trust.h"

#include <fmt/format.h>

#include "authority/verified_ledger.h"
#include "core/file_io.h"
#include "ledger/chain.h"

namespace prodgate::authority {
namespace {

// Every field these documents read is a string: anything else is refused here, so that no
// later read can throw on a wrong type.
bool StringFields(const Json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (j.contains(k) && !j[k].is_string()) return false;
  }
  return true;
}

Json KeyJson(const TrustedKey& k) {
  return Json{
      {"id", k.id}, {"name", k.name}, {"role", RoleName(k.role)}, {"public_key", k.key.Base64()}};
}

Result<TrustChangeOutcome> OutcomeOf(model::Workspace& ws, const std::string& id) {
  TrustChangeOutcome out;
  PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("proposals", id));
  if (!doc) return Status::Internal(fmt::format("trust proposal {} is not in the state", id));
  PG_ASSIGN_OR_RETURN(TrustProposal p, TrustProposal::FromJson(*doc));
  out.proposal = p.id;
  out.threshold = p.threshold;
  out.signers = p.signers;
  out.applied = p.applied_seq > 0;
  return out;
}

}  // namespace

const TrustedKey* Trust::Find(std::string_view id) const {
  for (const auto& k : keys) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

bool Trust::MayGrant(const TrustedKey& k, std::string_view action) const {
  auto it = grant_rights.find(std::string(RoleName(k.role)));
  if (it == grant_rights.end()) return false;
  for (const auto& a : it->second) {
    if (a == "*" || a == action) return true;
  }
  return false;
}

int Trust::Owners() const {
  int n = 0;
  for (const auto& k : keys) n += k.role == Role::kOwner;
  return n;
}

Json Trust::ToJson() const {
  Json ks = Json::array();
  for (const auto& k : keys) {
    Json j = KeyJson(k);
    j["added_seq"] = k.added_seq;
    ks.push_back(j);
  }
  return Json{{"format", "prodgate.trust/2"}, {"keys", ks}, {"grant_rights", grant_rights}};
}

Result<Trust> LoadTrust(model::Workspace& ws) {
  if (!ws.proven) {
    return Status::Internal(
        "the trust is read from a verified chain, and this workspace was "
        "opened without verifying it");
  }
  if (!ws.proven->ok()) {
    return Status::BadInput(
        fmt::format("the ledger does not verify, so no key can be trusted: {}",
                    ws.proven->problem()),
        "run `prodgate ledger verify`; restore the ledger from a copy whose head you trust");
  }
  return TrustOf(ws.proven->tables());
}

Status RequireTrustedKey(model::Workspace& ws, const PrivateKey& key) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  if (trust.Find(key.Id()) != nullptr) return Status::Ok();
  return Status::BadInput(
      fmt::format("key {} is not trusted by this workspace: what it signs would prove nothing",
                  key.Id()),
      "sign with a key listed by `prodgate trust list`, or have the owners trust it first "
      "(prodgate trust add KEY.pub.json --key OWNER_KEY)");
}

ledger::EventDraft SignedDraft(const PrivateKey& key, std::string kind, Json body) {
  ledger::EventDraft d;
  d.actor = key.Id();
  d.kind = std::move(kind);
  d.body = std::move(body);
  const PrivateKey* k = &key;
  d.sign = [k](std::string_view preimage) { return k->Sign(preimage); };
  return d;
}

model::Signer SignerOf(const PrivateKey* key) {
  model::Signer s;
  if (key == nullptr) return s;
  s.key_id = key->Id();
  s.sign = [key](std::string_view preimage) { return key->Sign(preimage); };
  return s;
}

Status RefusedForAuthority(model::Workspace& ws, const std::string& kind, Json body,
                           const PrivateKey* key, const Status& why) {
  body["reason"] = why.what();
  Status recorded = model::RecordRefusal(ws, kind, std::move(body), SignerOf(key));
  return Status::BadInput(
      why.what() + (recorded.ok() ? " (the refused attempt is recorded)"
                                  : " (the refused attempt could not be recorded)"),
      why.fix());
}

ledger::EventDraft DraftBy(const PrivateKey* key, std::string kind, Json body) {
  if (key != nullptr) return SignedDraft(*key, std::move(kind), std::move(body));
  ledger::EventDraft d;
  d.actor = model::LocalActor();
  d.kind = std::move(kind);
  d.body = std::move(body);
  return d;
}

std::string RotationBytes(std::string_view old_id, std::string_view new_id) {
  return fmt::format("prodgate.rotate/1\n{}\n{}", old_id, new_id);
}

Result<TrustChangeOutcome> ProposeTrustChange(model::Workspace& ws, const TrustChangeRequest& r,
                                              const PrivateKey* owner, int64_t threshold) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  if (int(r.add.has_value()) + int(!r.remove.empty()) + int(!r.accept_config.empty()) != 1) {
    return Status::Internal("a trust change adds a key, removes one or accepts a config");
  }
  Json change;
  if (!r.accept_config.empty()) {
    change = {{"op", "accept-config"}, {"config_sha256", r.accept_config}};
  } else if (r.add && !r.rotate_from.empty()) {
    const TrustedKey* old = trust.Find(r.rotate_from);
    if (old == nullptr) {
      return Status::BadInput(fmt::format("key {} is not trusted", r.rotate_from),
                              "list the trusted keys: prodgate trust list");
    }
    if (trust.Find(r.add->id) != nullptr) {
      return Status::BadInput(fmt::format("key {} is trusted already", r.add->id),
                              "rotate to a new key: prodgate key new");
    }
    if (!VerifySignature(old->key, RotationBytes(old->id, r.add->id), r.endorsement)) {
      return Status::BadInput(
          fmt::format("the old key's endorsement of {} does not verify", r.add->id),
          "pass the old key's private key with --old-key OLD.pem");
    }
    TrustedKey next = *r.add;
    next.role = old->role;  // a rotation never changes a role
    if (next.name.empty()) next.name = old->name;
    change = {
        {"op", "rotate"}, {"old", old->id}, {"key", KeyJson(next)}, {"endorsement", r.endorsement}};
  } else if (r.add) {
    if (trust.Find(r.add->id) != nullptr) {
      return Status::BadInput(fmt::format("key {} ({}) is already trusted", r.add->id, r.add->name),
                              "nothing to do; to change its role, remove it and add it again");
    }
    change = {{"op", "add"}, {"key", KeyJson(*r.add)}};
  } else {
    const TrustedKey* k = trust.Find(r.remove);
    if (k == nullptr) {
      return Status::BadInput(fmt::format("key {} is not trusted", r.remove),
                              "list the trusted keys: prodgate trust list");
    }
    if (k->role == Role::kOwner && trust.Owners() == 1) {
      return Status::BadInput(fmt::format("key {} ({}) is the last owner", k->id, k->name),
                              "add another owner first; a workspace always has an owner");
    }
    change = {{"op", "remove"}, {"key", r.remove}, {"reason", r.reason}};
  }
  if (trust.Owners() == 0) {
    // The bootstrap: the first owner, added by whoever creates the workspace. Its anchor
    // (prodgate anchor create) is what later pins it from outside.
    if (!r.add || r.add->role != Role::kOwner) {
      return Status::BadInput("the first trusted key must be an owner's",
                              "add an owner key first: prodgate trust add OWNER.pub.json");
    }
    if (owner != nullptr && owner->Id() != r.add->id) {
      return Status::BadInput(
          fmt::format("no owner is trusted yet, so {} cannot sign for another key", owner->Id()),
          "add the first owner without --key (or signed by its own key)");
    }
    auto appended =
        model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
          return DraftBy(owner, "trust.update", {{"change", change}});
        });
    if (!appended.ok()) return appended.status();
    TrustChangeOutcome out;
    out.applied = true;
    return out;
  }
  if (owner == nullptr) {
    return RefusedForAuthority(
        ws, "refused.trust_change", {{"change", change}}, nullptr,
        Status::BadInput("a trust change needs an owner's signature",
                         "pass --key OWNER_KEY of an owner already trusted"));
  }
  const TrustedKey* s = trust.Find(owner->Id());
  if (s == nullptr || s->role != Role::kOwner) {
    return RefusedForAuthority(
        ws, "refused.trust_change", {{"change", change}}, owner,
        Status::BadInput(fmt::format("key {} is not a trusted owner", owner->Id()),
                         "sign with the private key of an owner listed by `prodgate trust list`"));
  }
  if (threshold < 1 || threshold > trust.Owners() || threshold > 16) {
    return Status::BadInput(
        fmt::format("a threshold of {} owners cannot be met: {} owner(s) are trusted", threshold,
                    trust.Owners()),
        "give a threshold between 1 and the number of owners");
  }
  auto appended = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    return SignedDraft(*owner, "trust.propose", {{"change", change}, {"threshold", threshold}});
  });
  if (!appended.ok()) return appended.status();
  return OutcomeOf(ws, ToHex(appended->hash));
}

Result<TrustChangeOutcome> SignTrustChange(model::Workspace& ws, std::string_view proposal,
                                           const PrivateKey& owner) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* s = trust.Find(owner.Id());
  if (s == nullptr || s->role != Role::kOwner) {
    return RefusedForAuthority(
        ws, "refused.trust_sign", {{"proposal", std::string(proposal)}}, &owner,
        Status::BadInput(fmt::format("key {} is not a trusted owner", owner.Id()),
                         "sign with the private key of an owner listed by `prodgate trust list`"));
  }
  if (proposal.size() < 8) {
    return Status::BadInput(fmt::format("proposal id \"{}\" is too short", proposal),
                            "give at least 8 hex digits (prodgate trust list shows them)");
  }
  PG_ASSIGN_OR_RETURN(std::vector<TrustProposal> all, TrustProposals(ws.state()));
  std::vector<TrustProposal> matches;
  for (auto& p : all) {
    if (p.id.starts_with(proposal)) matches.push_back(p);
  }
  if (matches.size() != 1) {
    return Status::BadInput(
        fmt::format("\"{}\" matches {} trust proposals", proposal, matches.size()),
        "list them: prodgate trust list");
  }
  const TrustProposal& p = matches.front();
  if (p.applied_seq > 0) {
    return Status::BadInput(
        fmt::format("proposal {} took effect at event {}", p.id.substr(0, 12), p.applied_seq),
        "nothing to sign");
  }
  for (const auto& k : p.signers) {
    if (k == owner.Id()) {
      return Status::BadInput(fmt::format("{} signed proposal {} already", k, p.id.substr(0, 12)),
                              "a threshold counts distinct owners; another owner must sign");
    }
  }
  auto appended = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    return SignedDraft(owner, "trust.sign", {{"id", p.id}});
  });
  if (!appended.ok()) return appended.status();
  return OutcomeOf(ws, p.id);
}

Json PublicKeyDocument(const TrustedKey& k) {
  return Json{{"format", "prodgate.key/1"},
              {"id", k.id},
              {"name", k.name},
              {"role", RoleName(k.role)},
              {"public_key", k.key.Base64()}};
}

Result<TrustedKey> ReadPublicKeyDocument(const std::string& path) {
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, 1 << 16));
  PG_ASSIGN_OR_RETURN(Json j, ParseJson(bytes, NumberPolicy::kIntegersOnly, path));
  if (!j.is_object() || !StringFields(j, {"format", "name", "role", "public_key", "id"}) ||
      j.value("format", "") != "prodgate.key/1") {
    return Status::BadInput(fmt::format("{} is not a prodgate public key document", path),
                            "give the .pub.json file that `prodgate key new` wrote");
  }
  TrustedKey k;
  k.name = j.value("name", "");
  PG_ASSIGN_OR_RETURN(k.role, ParseRole(j.value("role", "")));
  PG_ASSIGN_OR_RETURN(k.key, PublicKey::FromBase64(j.value("public_key", "")));
  k.id = k.key.Id();
  if (j.value("id", "") != k.id) {
    return Status::BadInput(fmt::format("{}: id does not match the public key", path));
  }
  return k;
}

}  // namespace prodgate::authority
