#include "authority/grants.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/redact.h"
#include "ledger/event.h"
#include "model/blocker.h"
#include "model/blocker_ops.h"

namespace prodgate::authority {
namespace {

using model::GrantState;

// The signer must be a trusted owner with the right to grant `action`, and not the requester.
Status CheckSigner(const Trust& trust, const PrivateKey& key, const model::GrantTerms& t) {
  const TrustedKey* k = trust.Find(key.Id());
  if (k == nullptr) {
    return Status::BadInput(fmt::format("key {} is not trusted", key.Id()),
                            "an owner adds it first: prodgate trust add KEY.pub.json --key OWNER");
  }
  if (k->role != Role::kOwner) {
    return Status::BadInput(fmt::format("key {} ({}) is an {}, and only owners grant", k->id,
                                        k->name, RoleName(k->role)),
                            "ask an owner to issue the grant");
  }
  if (!trust.MayGrant(*k, t.action)) {
    return Status::BadInput(fmt::format("owner {} has no right to grant {}", k->id, t.action),
                            "ask an owner to issue it");
  }
  if (!t.requester.empty() && t.requester == k->id) {
    return Status::BadInput(
        fmt::format("{} requested this grant and cannot approve it", k->id),
        "another owner must sign: the requester and the approver are never the same key");
  }
  return Status::Ok();
}

Result<ledger::Event> AppendGrantEvent(model::Workspace& ws, const PrivateKey& key,
                                       std::string kind, Json body) {
  return model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    return SignedDraft(key, kind, body);
  });
}

}  // namespace

Result<std::vector<std::string>> BlockersHolding(model::Workspace& ws, std::string_view action,
                                                 std::string_view scope) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("blockers"));
  std::vector<std::string> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(model::Blocker b, model::Blocker::FromJson(d));
    for (const auto& label : b.blocks) {
      if (ws.config.GateHolds(label, action, scope)) {
        out.push_back(b.id);
        break;
      }
    }
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> BlockersClosedByGrants(
    model::Workspace& ws, const std::vector<ActionScope>& pairs) {
  std::vector<ActionScope> granted = pairs;
  PG_ASSIGN_OR_RETURN(std::vector<Json> grants, ws.state().List("grants"));
  // Only grants that can still be used: not revoked, not used up, not expired.
  const std::string now = ledger::NowUtc();
  for (const auto& d : grants) {
    auto g = model::GrantState::FromJson(d);
    if (!g.ok() || g->revoked || g->used >= g->terms.uses || g->terms.expires <= now) continue;
    granted.emplace_back(g->terms.action, g->terms.scope);
  }
  auto label_granted = [&](const std::string& label, const std::vector<ActionScope>& among) {
    for (const auto& [a, s] : among) {
      if (ws.config.GateHolds(label, a, s)) return true;
    }
    return false;
  };
  std::vector<std::vector<std::string>> out(pairs.size());
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("blockers"));
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(model::Blocker b, model::Blocker::FromJson(d));
    if (!b.open() || b.category != "needs-grant" || b.blocks.empty()) continue;
    bool all = true;
    for (const auto& l : b.blocks) all = all && label_granted(l, granted);
    if (!all) continue;
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (std::any_of(b.blocks.begin(), b.blocks.end(),
                      [&](const std::string& l) { return label_granted(l, {pairs[i]}); })) {
        out[i].push_back(b.id);
        break;
      }
    }
  }
  return out;
}

Result<Json> PrepareGrant(model::Workspace& ws, const GrantRequest& r, const PrivateKey& owner,
                          const Trust& trust) {
  if (!ws.config.KnownAction(r.action)) {
    return Status::BadInput(fmt::format("unknown action \"{}\"", r.action),
                            fmt::format("use one of: {}", fmt::join(ws.config.actions, ", ")));
  }
  if (!ws.config.KnownScope(r.scope)) {
    return Status::BadInput(fmt::format("unknown scope \"{}\"", r.scope),
                            fmt::format("use one of: {}", fmt::join(ws.config.scopes, ", ")));
  }
  if (!r.change.empty() && !DigestFromHex(r.change)) {
    return Status::BadInput(
        fmt::format("change \"{}\" is not a seal root (64 hex digits)", r.change),
        "pass the root printed by `prodgate seal`");
  }
  if (r.uses < 1) return Status::BadInput("uses must be at least 1");
  model::GrantTerms t;
  t.action = r.action;
  t.scope = r.scope;
  t.change = r.change;
  if (!r.target.empty()) {
    PG_ASSIGN_OR_RETURN(t.target, BindableTarget(r.target));
  }
  t.uses = r.uses;
  t.requester = r.requester;
  t.decision = r.decision;
  t.option = r.option;
  t.issued_at = ledger::NowUtc();
  t.not_before = r.not_before.empty() ? t.issued_at : r.not_before;
  auto nb = ledger::ParseUtc(t.not_before);
  if (!nb) {
    return Status::BadInput(fmt::format("not_before \"{}\" is not RFC 3339 UTC", t.not_before),
                            "write it like 2026-06-12T09:00:00Z");
  }
  if (!r.expires_at.empty()) {
    t.expires = r.expires_at;
  } else {
    PG_ASSIGN_OR_RETURN(int64_t secs, model::ParseDuration(r.expires_in));
    t.expires = ledger::FormatUtc(*nb + secs);
  }
  auto ex = ledger::ParseUtc(t.expires);
  if (!ex || *ex <= *nb) {
    return Status::BadInput(
        fmt::format("the grant would expire ({}) before it is valid ({})", t.expires, t.not_before),
        "give an expiry after not_before");
  }
  PG_ASSIGN_OR_RETURN(std::vector<std::string> holding, BlockersHolding(ws, t.action, t.scope));
  if (r.requires_closed) {
    PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("blockers"));
    for (const auto& id : *r.requires_closed) {
      bool found = false;
      for (const auto& d : docs) found |= d.value("id", "") == id;
      if (!found) {
        return Status::BadInput(fmt::format("requires-closed names unknown blocker \"{}\"", id),
                                "list blockers with `prodgate blocker list`");
      }
    }
    t.requires_closed = *r.requires_closed;
  } else {
    t.requires_closed = holding;
  }
  PG_ASSIGN_OR_RETURN(t.nonce, RandomHex(16));
  PG_RETURN_IF_ERROR(CheckSigner(trust, owner, t));
  PG_ASSIGN_OR_RETURN(std::string bytes, t.SigningBytes());
  PG_ASSIGN_OR_RETURN(std::string id, t.Id());
  PG_ASSIGN_OR_RETURN(std::string sig, owner.Sign(bytes));
  return Json{{"id", id},
              {"terms", t.ToJson()},
              {"signatures", Json::array({{{"key", owner.Id()}, {"sig", sig}}})}};
}

Result<GrantState> IssueGrant(model::Workspace& ws, const GrantRequest& r,
                              const PrivateKey& owner) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(owner.Id());
  if (k == nullptr || k->role != Role::kOwner) {
    return RefusedForAuthority(ws, "refused.grant_issue",
                               {{"action", r.action}, {"scope", r.scope}, {"change", r.change}},
                               &owner, CheckSigner(trust, owner, model::GrantTerms{}));
  }
  PG_ASSIGN_OR_RETURN(Json body, PrepareGrant(ws, r, owner, trust));
  PG_ASSIGN_OR_RETURN(auto closes, BlockersClosedByGrants(ws, {{r.action, r.scope}}));
  if (!closes[0].empty()) body["closes"] = closes[0];
  std::string id = body["id"];
  PG_RETURN_IF_ERROR(AppendGrantEvent(ws, owner, "grant.issue", body).status());
  return FindGrant(ws, id);
}

Result<GrantState> SignGrant(model::Workspace& ws, std::string_view id, const PrivateKey& owner) {
  PG_ASSIGN_OR_RETURN(GrantState g, FindGrant(ws, id));
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  if (Status may = CheckSigner(trust, owner, g.terms); !may.ok()) {
    return RefusedForAuthority(ws, "refused.grant_sign", {{"id", g.id}}, &owner, may);
  }
  for (const auto& s : g.signatures) {
    if (s.key == owner.Id()) {
      return Status::BadInput(
          fmt::format("{} already signed grant {}", owner.Id(), g.id.substr(0, 12)),
          "a threshold counts distinct owners; another owner must sign");
    }
  }
  if (g.revoked) return Status::BadInput(fmt::format("grant {} is revoked", g.id.substr(0, 12)));
  PG_ASSIGN_OR_RETURN(std::string bytes, g.terms.SigningBytes());
  PG_ASSIGN_OR_RETURN(std::string sig, owner.Sign(bytes));
  Json body = {{"id", g.id}, {"signature", {{"key", owner.Id()}, {"sig", sig}}}};
  PG_RETURN_IF_ERROR(AppendGrantEvent(ws, owner, "grant.sign", body).status());
  return FindGrant(ws, g.id);
}

Result<GrantState> RevokeGrant(model::Workspace& ws, std::string_view id, const PrivateKey& owner,
                               const std::string& reason) {
  PG_ASSIGN_OR_RETURN(GrantState g, FindGrant(ws, id));
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(owner.Id());
  if (k == nullptr || k->role != Role::kOwner) {
    return RefusedForAuthority(
        ws, "refused.grant_revoke", {{"id", g.id}}, &owner,
        Status::BadInput(fmt::format("key {} is not a trusted owner", owner.Id()),
                         "revoke with the key of an owner listed by `prodgate trust list`"));
  }
  if (g.revoked)
    return Status::BadInput(fmt::format("grant {} is already revoked", g.id.substr(0, 12)));
  Json body = {{"id", g.id}, {"reason", reason}};
  PG_RETURN_IF_ERROR(AppendGrantEvent(ws, owner, "grant.revoke", body).status());
  return FindGrant(ws, g.id);
}

Result<GrantState> FindGrant(model::Workspace& ws, std::string_view id) {
  if (id.size() < 8) {
    return Status::BadInput(fmt::format("grant id \"{}\" is too short", id),
                            "give at least 8 hex digits (prodgate grant list shows them)");
  }
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("grants"));
  std::vector<GrantState> matches;
  for (const auto& d : docs) {
    if (d.value("id", "").starts_with(id)) {
      PG_ASSIGN_OR_RETURN(GrantState g, GrantState::FromJson(d));
      matches.push_back(std::move(g));
    }
  }
  if (matches.empty()) {
    return Status::BadInput(fmt::format("no grant \"{}\"", id), "list grants: prodgate grant list");
  }
  if (matches.size() > 1) {
    return Status::BadInput(fmt::format("\"{}\" matches {} grants", id, matches.size()),
                            "give more digits of the id");
  }
  return std::move(matches.front());
}

Result<std::vector<GrantState>> ListGrants(model::Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("grants"));
  std::vector<GrantState> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(GrantState g, GrantState::FromJson(d));
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<std::string>> BlockersClosedBy(model::Workspace& ws, const std::string& tag) {
  PG_ASSIGN_OR_RETURN(std::vector<model::Blocker> blockers, model::ListBlockers(ws));
  std::vector<std::string> out;
  for (const auto& b : blockers) {
    if (std::find(b.evidence.begin(), b.evidence.end(), tag) != b.evidence.end()) {
      out.push_back(b.id);
    }
  }
  return out;
}

}  // namespace prodgate::authority
