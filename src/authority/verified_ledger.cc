#include "authority/verified_ledger.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "core/file_safety.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::authority {
namespace {

using ledger::Event;
using ledger::ProjectionTxn;

// A rule an event breaks: ends the fold there.
Status Broken(const Event& e, const std::string& why) {
  return Status::BadInput(fmt::format("event {} ({}) {}", e.seq, e.kind, why));
}

std::string StrField(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

std::string Padded(int64_t seq) { return fmt::format("{:012}", seq); }

Result<std::optional<TrustedKey>> KeyInForce(ProjectionTxn& txn, const std::string& id) {
  PG_ASSIGN_OR_RETURN(auto doc, txn.Get("keys", id));
  if (!doc || doc->value("removed_seq", int64_t{0}) != 0) return std::optional<TrustedKey>();
  TrustedKey k;
  k.id = id;
  k.name = StrField(*doc, "name");
  PG_ASSIGN_OR_RETURN(k.role, ParseRole(StrField(*doc, "role")));
  PG_ASSIGN_OR_RETURN(k.key, PublicKey::FromBase64(StrField(*doc, "public_key")));
  k.added_seq = doc->value("added_seq", int64_t{0});
  return std::optional<TrustedKey>(std::move(k));
}

Result<int> OwnersInForce(ProjectionTxn& txn) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, txn.List("keys"));
  int n = 0;
  for (const auto& d : docs) {
    n += StrField(d, "role") == "owner" && d.value("removed_seq", int64_t{0}) == 0;
  }
  return n;
}

// The key a change adds, checked: its id is the id of its public key, its role is known.
Result<TrustedKey> KeyOfChange(const Event& e, const Json& change) {
  const Json& key = change.contains("key") ? change["key"] : Json();
  if (!key.is_object()) return Broken(e, "adds a key it does not describe");
  TrustedKey k;
  k.id = StrField(key, "id");
  k.name = StrField(key, "name");
  auto role = ParseRole(StrField(key, "role"));
  if (!role.ok()) return Broken(e, "adds a key with an unknown role");
  k.role = *role;
  auto pub = PublicKey::FromBase64(StrField(key, "public_key"));
  if (!pub.ok() || pub->Id() != k.id) return Broken(e, "adds a key whose id is not its own");
  k.key = *pub;
  return k;
}

// The change of a trust event: {"op":"add","key":{…}}, {"op":"remove","key":ID}, or
// {"op":"accept-config","config_sha256":…}; the legacy trust.update body {"added":{…}} is an
// add.
Result<Json> ChangeOf(const Event& e) {
  if (e.body.contains("change")) {
    const Json& c = e.body["change"];
    std::string op = StrField(c, "op");
    if (op == "add" || op == "remove" || op == "accept-config" || op == "rotate") return c;
    return Broken(e, fmt::format("proposes an unknown change \"{}\"", op));
  }
  if (e.kind == "trust.update" && e.body.contains("added")) {
    return Json{{"op", "add"}, {"key", e.body["added"]}};
  }
  return Broken(e, "does not say what it changes");
}

std::string Describe(const Json& change) {
  std::string op = StrField(change, "op");
  if (op == "add") {
    const Json& k = change["key"];
    return fmt::format("add {} {} ({})", StrField(k, "role"), StrField(k, "id"),
                       StrField(k, "name"));
  }
  if (op == "remove") return fmt::format("remove {}", StrField(change, "key"));
  if (op == "rotate") {
    const Json& k = change["key"];
    return fmt::format("rotate {} {} to {} ({})", StrField(k, "role"), StrField(change, "old"),
                       StrField(k, "id"), StrField(k, "name"));
  }
  return fmt::format("accept config {}", StrField(change, "config_sha256").substr(0, 12));
}

// Applies a change that reached its threshold at event `e`, signed by `owners`. A change
// the state no longer admits (a key already in force, a key gone, the last owner) is void:
// recorded as such on its proposal, never applied, and not a broken chain, since two owners
// may propose the same change.
Result<std::string> ApplyChange(const Event& e, const Json& change,
                                const std::vector<std::string>& owners, ProjectionTxn& txn) {
  std::string op = StrField(change, "op");
  std::string kind = "trust";
  if (op == "add") {
    PG_ASSIGN_OR_RETURN(TrustedKey k, KeyOfChange(e, change));
    PG_ASSIGN_OR_RETURN(auto existing, KeyInForce(txn, k.id));
    if (existing) return std::string("void: the key is in force already");
    PG_RETURN_IF_ERROR(txn.Put("keys", k.id,
                               {{"id", k.id},
                                {"name", k.name},
                                {"role", RoleName(k.role)},
                                {"public_key", k.key.Base64()},
                                {"added_seq", e.seq},
                                {"removed_seq", 0}}));
  } else if (op == "rotate") {
    // The old key hands over to the new one: it signed RotationBytes (so whoever proposes it
    // holds the old key, or its holder agreed), the new key takes the old one's role, and
    // both happen at this event.
    PG_ASSIGN_OR_RETURN(TrustedKey k, KeyOfChange(e, change));
    const std::string old_id = StrField(change, "old");
    PG_ASSIGN_OR_RETURN(auto old, KeyInForce(txn, old_id));
    if (!old) return std::string("void: the old key is not in force");
    PG_ASSIGN_OR_RETURN(auto existing, KeyInForce(txn, k.id));
    if (existing) return std::string("void: the new key is in force already");
    if (k.role != old->role) return Broken(e, "rotates a key to one of another role");
    if (!VerifySignature(old->key, RotationBytes(old_id, k.id), StrField(change, "endorsement"))) {
      return Broken(e, "rotates a key without the old key's endorsement of the new one");
    }
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("keys", old_id));
    Json d = *doc;
    d["removed_seq"] = e.seq;
    PG_RETURN_IF_ERROR(txn.Put("keys", old_id, d));
    PG_RETURN_IF_ERROR(txn.Put("keys", k.id,
                               {{"id", k.id},
                                {"name", k.name},
                                {"role", RoleName(k.role)},
                                {"public_key", k.key.Base64()},
                                {"added_seq", e.seq},
                                {"removed_seq", 0},
                                {"rotated_from", old_id}}));
  } else if (op == "remove") {
    std::string id = StrField(change, "key");
    PG_ASSIGN_OR_RETURN(auto existing, KeyInForce(txn, id));
    if (!existing) return std::string("void: the key is not in force");
    PG_ASSIGN_OR_RETURN(int n, OwnersInForce(txn));
    if (existing->role == Role::kOwner && n <= 1) return std::string("void: the last owner");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("keys", id));
    Json d = *doc;
    d["removed_seq"] = e.seq;
    PG_RETURN_IF_ERROR(txn.Put("keys", id, d));
  } else {
    std::string digest = StrField(change, "config_sha256");
    if (!DigestFromHex(digest)) return Broken(e, "accepts a config digest that is not one");
    PG_RETURN_IF_ERROR(txn.Put("workspace", "config", {{"sha256", digest}, {"seq", e.seq}}));
    kind = "config";
  }
  PG_RETURN_IF_ERROR(
      txn.Put("changes", Padded(e.seq),
              {{"seq", e.seq}, {"kind", kind}, {"what", Describe(change)}, {"owners", owners}}));
  return std::string();
}

// trust.update, trust.propose, trust.sign (the rules at the top of the header).
Status FoldTrust(const Event& e, const std::optional<TrustedKey>& signer, ProjectionTxn& txn) {
  PG_ASSIGN_OR_RETURN(int owners, OwnersInForce(txn));
  const bool by_owner = signer && signer->role == Role::kOwner;
  if (e.kind == "trust.sign") {
    if (!by_owner) return Broken(e, "is not signed by an owner in force");
    std::string id = StrField(e.body, "id");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("proposals", id));
    if (!doc) return Broken(e, fmt::format("signs proposal {}, which does not exist", id));
    PG_ASSIGN_OR_RETURN(TrustProposal p, TrustProposal::FromJson(*doc));
    if (p.applied_seq != 0) return Broken(e, "signs a proposal that took effect already");
    if (std::count(p.signers.begin(), p.signers.end(), signer->id)) {
      return Broken(e, "signs a proposal its signer signed already");
    }
    p.signers.push_back(signer->id);
    Json d = *doc;
    d["signers"] = p.signers;
    // Only signers still in force count.
    std::vector<std::string> counted;
    for (const auto& s : p.signers) {
      PG_ASSIGN_OR_RETURN(auto k, KeyInForce(txn, s));
      if (k && k->role == Role::kOwner) counted.push_back(s);
    }
    if (static_cast<int64_t>(counted.size()) >= p.threshold) {
      PG_ASSIGN_OR_RETURN(std::string voided, ApplyChange(e, p.change, counted, txn));
      d["applied_seq"] = e.seq;
      if (!voided.empty()) d["void"] = voided;
    }
    return txn.Put("proposals", id, d);
  }
  PG_ASSIGN_OR_RETURN(Json change, ChangeOf(e));
  if (owners == 0) {
    // The bootstrap: only an owner key can be the first, unsigned or signed by itself.
    if (e.kind != "trust.update" || StrField(change, "op") != "add") {
      return Broken(e, "changes the trust of a workspace that has no owner yet");
    }
    PG_ASSIGN_OR_RETURN(TrustedKey k, KeyOfChange(e, change));
    if (k.role != Role::kOwner) return Broken(e, "adds a first key that is not an owner's");
    if (!e.sig.empty() && e.actor != k.id) return Broken(e, "is signed by a key it does not add");
    PG_ASSIGN_OR_RETURN(std::string voided, ApplyChange(e, change, {}, txn));
    return Status::Ok();
  }
  if (!by_owner) return Broken(e, "changes the trust without an owner's signature");
  if (e.kind == "trust.update") {
    PG_ASSIGN_OR_RETURN(std::string voided, ApplyChange(e, change, {signer->id}, txn));
    return Status::Ok();
  }
  // trust.propose
  const Json& th = e.body.contains("threshold") ? e.body["threshold"] : Json();
  if (!th.is_number_integer() || th.get<int64_t>() < 1 || th.get<int64_t>() > 16) {
    return Broken(e, "proposes a change with a threshold that is not 1 to 16");
  }
  std::string id = ToHex(e.hash);
  Json d = {{"id", id},
            {"change", change},
            {"threshold", th.get<int64_t>()},
            {"signers", Json::array({signer->id})},
            {"seq", e.seq},
            {"applied_seq", 0}};
  if (th.get<int64_t>() <= 1) {
    PG_ASSIGN_OR_RETURN(std::string voided, ApplyChange(e, change, {signer->id}, txn));
    d["applied_seq"] = e.seq;
    if (!voided.empty()) d["void"] = voided;
  }
  return txn.Put("proposals", id, d);
}

// Who may change a blocker (DESIGN.md §3.5): every close, reopen and close proposal is signed
// by a key in force; a close by a role the blocker's category admits
// (model::WhyRoleMayNotClose); a change that holds less (model::Weakens) by an owner.
Status CheckBlockerAuthority(const Event& e, const std::optional<TrustedKey>& signer,
                             ProjectionTxn& txn) {
  auto changes = model::BlockerChangesOf(e, txn);
  if (!changes.ok()) return Broken(e, "cannot be applied: " + changes.status().what());
  const bool close = e.kind == "blocker.close";
  if ((close || e.kind == "blocker.reopen" || e.kind == "blocker.propose_close") && !signer) {
    return Broken(e, "is not signed: a close, a reopen and a close proposal name who made them");
  }
  for (const auto& c : *changes) {
    if (close && c.before) {
      std::string why = model::WhyRoleMayNotClose(*c.before, RoleName(signer->role));
      if (!why.empty()) return Broken(e, why);
    }
    if (c.before && model::Weakens(*c.before, c.after) &&
        (!signer || signer->role != Role::kOwner)) {
      return Broken(e, fmt::format("makes blocker {} hold less (a label, a human-only category "
                                   "or its actors), and only an owner may",
                                   c.after.id));
    }
  }
  return Status::Ok();
}

bool NeedsOwner(std::string_view kind) {
  return kind == "config.accept" || kind == "grant.issue" || kind == "grant.sign" ||
         kind == "grant.revoke" || kind == "decision.select";
}

// One event after `at`: the rules of the header, then its effect on `txn`.
Status FoldEvent(const Event& e, const ledger::Head& at, ProjectionTxn& txn) {
  PG_RETURN_IF_ERROR(ledger::CheckLink(at, e));
  if ((e.seq == 1) != (e.kind == "workspace.init")) {
    return Broken(e, e.seq == 1 ? "is not a workspace.init: a chain begins with one"
                                : "is a second workspace.init");
  }
  std::optional<TrustedKey> signer;
  if (!e.sig.empty()) {
    PG_ASSIGN_OR_RETURN(signer, KeyInForce(txn, e.actor));
    PublicKey key;
    if (signer) {
      key = signer->key;
    } else {
      // Only the first owner's self-signed bootstrap names a key the chain does not hold yet.
      PG_ASSIGN_OR_RETURN(int owners, OwnersInForce(txn));
      auto change = ChangeOf(e);
      auto added = change.ok() ? KeyOfChange(e, *change) : Result<TrustedKey>(change.status());
      if (owners != 0 || e.kind != "trust.update" || !added.ok() || added->id != e.actor) {
        return Broken(e, fmt::format("is signed by {}, a key the chain does not trust at this "
                                     "point",
                                     e.actor));
      }
      key = added->key;
    }
    PG_ASSIGN_OR_RETURN(std::string preimage, e.Preimage());
    if (!VerifySignature(key, preimage, e.sig)) {
      return Broken(e, fmt::format("carries a signature by {} that does not verify: it was "
                                   "forged, or the event was changed after it was signed",
                                   e.actor));
    }
  } else if (!e.actor.starts_with("local:")) {
    return Broken(e, fmt::format("is unsigned but claims the key {} as its actor", e.actor));
  }
  if (e.kind.starts_with("trust.")) {
    PG_RETURN_IF_ERROR(FoldTrust(e, signer, txn));
  } else if (e.kind.starts_with("blocker.")) {
    PG_RETURN_IF_ERROR(CheckBlockerAuthority(e, signer, txn));
  } else if (NeedsOwner(e.kind)) {
    if (!signer || signer->role != Role::kOwner) {
      return Broken(e, "needs an owner's signature and has none");
    }
    if (e.kind == "config.accept") {
      Json change = {{"op", "accept-config"}, {"config_sha256", StrField(e.body, "config_sha256")}};
      PG_ASSIGN_OR_RETURN(std::string voided, ApplyChange(e, change, {signer->id}, txn));
    }
  }
  if (e.seq == 1) {
    PG_RETURN_IF_ERROR(txn.Put("workspace", "genesis",
                               {{"hash", ToHex(e.hash)}, {"workspace_id", model::WorkspaceId(e)}}));
  }
  Status projected = model::Project(e, txn);
  if (!projected.ok()) return Broken(e, "cannot be applied: " + projected.what());
  return Status::Ok();
}

}  // namespace

StateDirectoryChoice StateDirectory() {
  StateDirectoryChoice c;
  std::string base;
  if (const char* d = std::getenv("PRODGATE_STATE_DIR"); d != nullptr && *d != '\0') {
    base = d;
  } else if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x == '/') {
    base = std::string(x) + "/prodgate";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/') {
    base = std::string(h) + "/.local/state/prodgate";
  } else {
    c.why_not = "no PRODGATE_STATE_DIR, XDG_STATE_HOME or HOME names a state directory";
    return c;
  }
  std::string dir = base + "/checkpoints";
  Status s = PrivateDirectory(base, ::geteuid());
  if (s.ok()) s = PrivateDirectory(dir, ::geteuid());
  if (!s.ok()) {
    c.why_not = s.what();
    return c;
  }
  c.path = dir;
  return c;
}

Result<std::shared_ptr<VerifiedLedger>> VerifiedLedger::Open(ledger::LedgerStore& store) {
  return Make(store, true);
}

Result<std::shared_ptr<VerifiedLedger>> VerifiedLedger::OpenWithoutCheckpoint(
    ledger::LedgerStore& store) {
  return Make(store, false);
}

Result<std::shared_ptr<VerifiedLedger>> VerifiedLedger::Make(ledger::LedgerStore& store,
                                                             bool use_checkpoint) {
  std::shared_ptr<VerifiedLedger> v(new VerifiedLedger());
  PG_ASSIGN_OR_RETURN(auto first, store.EventAt(1));
  if (!first) {
    return Status::BadInput("the ledger holds no events: it is not a workspace's ledger",
                            "run `prodgate init`, or point --ledger at the workspace's ledger");
  }
  v->genesis_ = first->hash;
  v->workspace_id_ = model::WorkspaceId(*first);
  StateDirectoryChoice dir;
  if (use_checkpoint) {
    dir = StateDirectory();
  } else {
    dir.why_not = "a full verification from genesis";
  }
  if (!dir.path.empty()) {
    auto cp = ledger::Checkpoint::Open(dir.path, v->genesis_, kFoldVersion);
    if (cp.ok()) {
      v->checkpoint_ = std::move(*cp);
      v->checkpoint_path_ = v->checkpoint_->path();
    } else {
      v->no_checkpoint_reason_ = cp.status().what();
    }
  } else {
    v->no_checkpoint_reason_ = dir.why_not;
  }
  if (v->checkpoint_) {
    v->tables_ = v->checkpoint_.get();
  } else {
    v->memory_ = std::make_unique<ledger::MemoryProjections>();
    v->tables_ = v->memory_.get();
  }
  PG_RETURN_IF_ERROR(v->FoldTail(store));
  return v;
}

std::string VerifiedLedger::checkpoint_verified_at() const {
  return checkpoint_ ? checkpoint_->verified_at() : "";
}

Status VerifiedLedger::Admits(const Event& e) {
  if (!ok_) {
    return Status::BadInput(fmt::format("the ledger does not verify: {}", problem_),
                            "nothing is appended to a ledger that does not verify; run "
                            "`prodgate ledger verify`");
  }
  if (e.seq != head_.seq + 1 || e.prev != head_.hash) {
    return Status::Internal(
        fmt::format("event {} would chain onto event {}, not onto the verified head {}", e.seq,
                    e.seq - 1, head_.seq),
        "try again");
  }
  // A trial fold on top of the verified state, thrown away: only the verdict is kept.
  ledger::OverlayProjections trial(*tables_);
  Status s = FoldEvent(e, head_, trial);
  if (!s.ok()) {
    return Status::BadInput(
        fmt::format("refused before anything was written: {}", s.what()),
        "an event the chain's rules refuse would break the ledger for everyone; use a key the "
        "workspace trusts in the role the event needs");
  }
  return Status::Ok();
}

Status VerifiedLedger::Refresh(ledger::LedgerStore& store) {
  if (!ok_) return Status::Ok();  // stays broken: the callers read ok()
  return FoldTail(store);
}

// Folds events (at.seq, to] into the tables; stops at the first event that breaks a rule,
// whose effects may then be half-applied: the caller discards them (FoldTail).
Status VerifiedLedger::FoldRange(ledger::LedgerStore& store, ledger::Head& at, int64_t to) {
  if (to <= at.seq) return Status::Ok();
  return store.ForEachEvent(at.seq + 1, to, [&](const Event& e) -> Status {
    PG_RETURN_IF_ERROR(FoldEvent(e, at, *tables_));
    at = ledger::Head{e.seq, e.hash};
    ++folded_;
    return Status::Ok();
  });
}

Status VerifiedLedger::FoldTail(ledger::LedgerStore& store) {
  ledger::Head start = head_;
  if (checkpoint_) {
    PG_RETURN_IF_ERROR(checkpoint_->Begin());
    start = checkpoint_->head();
  }
  if (!started_) {
    verified_from_ = start;
    started_ = true;
  }
  auto end = [&](const Status& s) {
    if (checkpoint_) checkpoint_->Rollback();
    return s;
  };
  auto head = store.ReadHead();
  if (!head.ok()) return end(head.status());
  if (start.seq > 0) {
    // The checkpoint's head must still be in the ledger, unchanged.
    auto e = store.EventAt(start.seq);
    if (!e.ok() || !e->has_value() || (**e).hash != start.hash ||
        !ledger::CheckEventHash(**e).ok()) {
      std::string when = checkpoint_ ? checkpoint_->verified_at() : std::string();
      std::string at = when.empty() ? "" : " at " + when;
      ok_ = false;
      first_bad_seq_ = start.seq;
      problem_ = !e.ok() ? fmt::format("event {}, verified before, cannot be read: {}", start.seq,
                                       e.status().what())
                 : !e->has_value()
                     ? fmt::format(
                           "the ledger ends at event {}, before event {} that this user "
                           "verified{}: it was truncated or replaced",
                           head->seq, start.seq, at)
                     : fmt::format(
                           "event {} is not the event this user verified{}: the "
                           "ledger's history was rewritten",
                           start.seq, at);
      head_ = start;
      return end(Status::Ok());
    }
  }
  ledger::Head at = start;
  Status walk = FoldRange(store, at, head->seq);
  if (walk.ok() && at.seq != head->seq) {
    walk = Status::BadInput(
        fmt::format("event {} is missing (the head is event {})", at.seq + 1, head->seq));
  }
  if (!walk.ok()) {
    // The events before the bad one are verified and kept; the bad one's half-applied
    // effects are not: the good prefix is folded again into a clean state.
    ok_ = false;
    first_bad_seq_ = at.seq + 1;
    problem_ = walk.what();
    int64_t good = at.seq;
    if (checkpoint_) {
      checkpoint_->Rollback();
      PG_RETURN_IF_ERROR(checkpoint_->Begin());
      at = checkpoint_->head();
    } else {
      memory_ = std::make_unique<ledger::MemoryProjections>();
      tables_ = memory_.get();
      at = ledger::Head{};
    }
    Status again = FoldRange(store, at, good);
    if (!again.ok()) return end(again);
  }
  head_ = at;
  if (!checkpoint_) return Status::Ok();
  if (at.seq == checkpoint_->head().seq && at.hash == checkpoint_->head().hash) {
    checkpoint_->Rollback();  // nothing folded: nothing to write, no sync
    return Status::Ok();
  }
  Status s = checkpoint_->SetHead(at);
  if (!s.ok()) return end(s);
  return checkpoint_->Commit();
}

Result<Trust> TrustOf(ProjectionTxn& state) {
  Trust t;
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, state.List("keys"));
  for (const auto& d : docs) {
    if (d.value("removed_seq", int64_t{0}) != 0) continue;
    PG_ASSIGN_OR_RETURN(auto k, KeyInForce(state, StrField(d, "id")));
    if (k) t.keys.push_back(std::move(*k));
  }
  std::sort(t.keys.begin(), t.keys.end(),
            [](const TrustedKey& a, const TrustedKey& b) { return a.added_seq < b.added_seq; });
  return t;
}

Result<std::vector<TrustedKey>> OwnersAt(ProjectionTxn& state, int64_t seq) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, state.List("keys"));
  std::vector<TrustedKey> out;
  for (const auto& d : docs) {
    int64_t added = d.value("added_seq", int64_t{0}), removed = d.value("removed_seq", int64_t{0});
    if (StrField(d, "role") != "owner" || added > seq || (removed != 0 && removed <= seq)) continue;
    TrustedKey k;
    k.id = StrField(d, "id");
    k.name = StrField(d, "name");
    k.role = Role::kOwner;
    PG_ASSIGN_OR_RETURN(k.key, PublicKey::FromBase64(StrField(d, "public_key")));
    k.added_seq = added;
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::set<std::string>> IndependentOwners(ProjectionTxn& state, int64_t threshold,
                                                const std::set<std::string>& pinned) {
  PG_ASSIGN_OR_RETURN(std::vector<RuleChange> changes, RuleChanges(state));
  std::map<int64_t, const RuleChange*> by_seq;
  for (const auto& c : changes) by_seq[c.seq] = &c;
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, state.List("keys"));
  std::sort(docs.begin(), docs.end(), [](const Json& a, const Json& b) {
    return a.value("added_seq", int64_t{0}) < b.value("added_seq", int64_t{0});
  });
  std::set<std::string> counted, in_force;
  bool first = true;
  for (const auto& d : docs) {
    if (StrField(d, "role") != "owner") continue;
    const std::string id = StrField(d, "id");
    bool counts = pinned.count(id) > 0 || first || counted.count(d.value("rotated_from", ""));
    first = false;
    if (!counts) {
      auto c = by_seq.find(d.value("added_seq", int64_t{0}));
      int64_t n = 0;
      if (c != by_seq.end()) {
        for (const auto& o : c->second->owners) n += counted.count(o);
      }
      counts = n >= threshold;
    }
    if (counts) counted.insert(id);
    if (d.value("removed_seq", int64_t{0}) == 0) in_force.insert(id);
  }
  std::set<std::string> out;
  for (const auto& id : counted) {
    if (in_force.count(id)) out.insert(id);
  }
  return out;
}

Result<std::vector<RuleChange>> RuleChanges(ProjectionTxn& state) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, state.List("changes"));
  std::vector<RuleChange> out;
  for (const auto& d : docs) {
    RuleChange c;
    c.seq = d.value("seq", int64_t{0});
    c.kind = StrField(d, "kind");
    c.what = StrField(d, "what");
    for (const auto& o : d.value("owners", Json::array())) {
      if (o.is_string()) c.owners.push_back(o.get<std::string>());
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<TrustProposal> TrustProposal::FromJson(const Json& j) {
  TrustProposal p;
  p.id = StrField(j, "id");
  p.change = j.value("change", Json::object());
  p.threshold = j.value("threshold", int64_t{1});
  for (const auto& s : j.value("signers", Json::array())) {
    if (!s.is_string()) return Status::BadInput("a trust proposal's signer is not a key id");
    p.signers.push_back(s.get<std::string>());
  }
  p.seq = j.value("seq", int64_t{0});
  p.applied_seq = j.value("applied_seq", int64_t{0});
  return p;
}

Result<std::vector<TrustProposal>> TrustProposals(ProjectionTxn& state) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, state.List("proposals"));
  std::vector<TrustProposal> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(TrustProposal p, TrustProposal::FromJson(d));
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const TrustProposal& a, const TrustProposal& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace prodgate::authority
