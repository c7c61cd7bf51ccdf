// The trust file, `.prodgate/trust.json` ("prodgate.trust/1"): the public keys prodgate
// trusts, each with its role, and which roles may grant which actions.
//
// The file is sealed by the ledger: every change appends a trust.update event carrying the
// file's new SHA-256, signed by an owner already trusted (the very first key, which must be
// an owner, bootstraps the file unsigned). A trust file whose bytes differ from the last
// recorded digest is refused, and with it every grant that depends on it.
#pragma once

#include <map>
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
  std::string added_at;
};

struct Trust {
  std::vector<TrustedKey> keys;
  // role → actions it may grant ("*" = all). Default: owners grant everything, nobody else.
  std::map<std::string, std::vector<std::string>> grant_rights = {{"owner", {"*"}}};

  const TrustedKey* Find(std::string_view id) const;
  bool MayGrant(const TrustedKey& k, std::string_view action) const;
  Json ToJson() const;
  static Result<Trust> FromJson(const Json& j);
};

// Loads and checks the trust file against the ledger. No file and no record: empty trust.
Result<Trust> LoadTrust(model::Workspace& ws);

// Adds `key` to the trust file and records the new digest in the ledger. `signer` must be a
// trusted owner, except for the first key of an empty trust, which must itself be an owner.
Result<TrustedKey> AddTrustedKey(model::Workspace& ws, TrustedKey key, const PrivateKey* signer);

// The public half of a key as `prodgate key new` writes it next to the private key:
// {"format":"prodgate.key/1","id","name","role","public_key"}.
Json PublicKeyDocument(const TrustedKey& k);
Result<TrustedKey> ReadPublicKeyDocument(const std::string& path);

// An event draft signed by `key` (actor = its id).
ledger::EventDraft SignedDraft(const PrivateKey& key, std::string kind, Json body,
                               std::vector<std::string> subjects);

}  // namespace prodgate::authority
