// The keys a workspace trusts, and their roles (DESIGN.md §3.10 point 2): only what signed
// trust events in the verified chain made (authority/verified_ledger.h). There is no trust
// file: a key's role is the role an owner-signed change gave it, never what its .pub.json
// says, and a change needs the owners' threshold of signatures.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "authority/keys.h"
#include "core/canonical_json.h"
#include "model/workspace.h"

namespace prodgate::authority {

struct TrustedKey {
  std::string id;
  std::string name;
  Role role = Role::kAgent;
  PublicKey key;
  int64_t added_seq = 0;  // the event whose change added it
};

struct Trust {
  std::vector<TrustedKey> keys;  // in force
  // role → actions it may grant ("*" = all): owners grant everything, nobody else.
  std::map<std::string, std::vector<std::string>> grant_rights = {{"owner", {"*"}}};

  const TrustedKey* Find(std::string_view id) const;
  bool MayGrant(const TrustedKey& k, std::string_view action) const;
  int Owners() const;
  Json ToJson() const;
};

// The trust of the verified chain (ws.proven). Refused when the workspace was not opened
// through OpenCheckedWorkspace or its chain does not verify.
Result<Trust> LoadTrust(model::Workspace& ws);

// Refuses a key the verified chain does not trust (in any role): an event it signed would
// break the chain.
Status RequireTrustedKey(model::Workspace& ws, const PrivateKey& key);

// What a trust change does: add a key with its role, remove a key, or accept a config
// digest (exactly one).
// What the old key signs to hand over to the new one (trust rotate): "prodgate.rotate/1\n"
// OLD_ID "\n" NEW_ID.
std::string RotationBytes(std::string_view old_id, std::string_view new_id);

struct TrustChangeRequest {
  std::optional<TrustedKey> add;  // with rotate_from: the new key (it takes the old one's role)
  std::string rotate_from;        // key id: replace it by `add` in one change
  std::string endorsement;        // the old key's signature over RotationBytes
  std::string remove;             // key id
  std::string accept_config;      // config.toml's SHA-256 hex
  std::string reason;
};

struct TrustChangeOutcome {
  std::string proposal;  // id (hash of its trust.propose event), or "" for a bootstrap
  int64_t threshold = 1;
  std::vector<std::string> signers;
  bool applied = false;  // in force now
};

// Proposes a change signed by `owner` (a trusted owner), needing `threshold` owners. With
// threshold 1 it is in force at once. The first key of a workspace with no owner must be an
// owner's; it is added without a signature (or signed by itself: `owner` may be its key).
Result<TrustChangeOutcome> ProposeTrustChange(model::Workspace& ws, const TrustChangeRequest& r,
                                              const PrivateKey* owner, int64_t threshold);
// Adds `owner`'s signature to a pending proposal (an id prefix of 8+ hex digits).
Result<TrustChangeOutcome> SignTrustChange(model::Workspace& ws, std::string_view proposal,
                                           const PrivateKey& owner);

// The public half of a key as `prodgate key new` writes it next to the private key:
// {"format":"prodgate.key/1","id","name","role","public_key"}. The role in it is a
// suggestion for `trust add`; the chain decides.
Json PublicKeyDocument(const TrustedKey& k);
Result<TrustedKey> ReadPublicKeyDocument(const std::string& path);

// An event draft signed by `key` (actor = its id).
ledger::EventDraft SignedDraft(const PrivateKey& key, std::string kind, Json body);
// `key` as the signer of what a model command appends (nullptr: unsigned, the local user).
model::Signer SignerOf(const PrivateKey* key);

// Signed by `key` when given, else unsigned by the local user (model::LocalActor).
ledger::EventDraft DraftBy(const PrivateKey* key, std::string kind, Json body);

// An attempt refused for want of authority: records `kind` (model::RecordRefusal, with
// body.reason = why.what()) and returns `why` as bad input, saying whether the record was
// taken. Signed by `key` when the chain trusts it, else unsigned and naming it (nullptr: the
// local user, who gave no key).
Status RefusedForAuthority(model::Workspace& ws, const std::string& kind, Json body,
                           const PrivateKey* key, const Status& why);

}  // namespace prodgate::authority
