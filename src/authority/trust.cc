#include "authority/trust.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/file_io.h"
#include "core/sha256.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::authority {
namespace {

constexpr std::string_view kTrustFormat = "prodgate.trust/1";

Status BadTrust(const std::string& what) {
  return Status::BadInput("trust file: " + what,
                          "restore .prodgate/trust.json; change it only with `prodgate trust add`");
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

Json Trust::ToJson() const {
  Json ks = Json::array();
  for (const auto& k : keys) {
    ks.push_back({{"id", k.id},
                  {"name", k.name},
                  {"role", RoleName(k.role)},
                  {"public_key", k.key.Base64()},
                  {"added_at", k.added_at}});
  }
  return Json{{"format", kTrustFormat}, {"keys", ks}, {"grant_rights", grant_rights}};
}

// Every field these documents read is a string: anything else is refused here, so that no
// later read can throw on a wrong type.
static bool StringFields(const Json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (j.contains(k) && !j[k].is_string()) return false;
  }
  return true;
}

Result<Trust> Trust::FromJson(const Json& j) {
  if (!j.is_object() || !StringFields(j, {"format"}) || j.value("format", "") != kTrustFormat) {
    return BadTrust("not a prodgate.trust/1 document");
  }
  Trust t;
  if (!j.contains("keys") || !j["keys"].is_array()) return BadTrust("\"keys\" must be an array");
  for (const auto& k : j["keys"]) {
    if (!k.is_object() || !StringFields(k, {"id", "name", "added_at", "role", "public_key"})) {
      return BadTrust("a key entry is not an object of strings");
    }
    TrustedKey tk;
    tk.id = k.value("id", "");
    tk.name = k.value("name", "");
    tk.added_at = k.value("added_at", "");
    PG_ASSIGN_OR_RETURN(tk.role, ParseRole(k.value("role", "")));
    PG_ASSIGN_OR_RETURN(tk.key, PublicKey::FromBase64(k.value("public_key", "")));
    if (tk.key.Id() != tk.id) return BadTrust(fmt::format("key {} does not match its id", tk.id));
    if (t.Find(tk.id) != nullptr) return BadTrust(fmt::format("key {} is listed twice", tk.id));
    t.keys.push_back(std::move(tk));
  }
  if (j.contains("grant_rights")) {
    if (!j["grant_rights"].is_object()) return BadTrust("\"grant_rights\" must be an object");
    t.grant_rights.clear();
    for (const auto& [role, actions] : j["grant_rights"].items()) {
      PG_RETURN_IF_ERROR(ParseRole(role).status());
      if (!actions.is_array()) return BadTrust("grant rights must be arrays of actions");
      for (const auto& a : actions) {
        if (!a.is_string()) return BadTrust("grant rights must be arrays of actions");
        t.grant_rights[role].push_back(a);
      }
    }
  }
  return t;
}

Result<Trust> LoadTrust(model::Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> events, ws.ledger->EventsAbout("trust"));
  std::error_code ec;
  bool exists = std::filesystem::exists(ws.trust_path(), ec);
  if (events.empty()) {
    if (exists) {
      return BadTrust(
          fmt::format("{} exists but the ledger has no record of it: it was not made "
                      "by prodgate",
                      ws.trust_path()));
    }
    return Trust{};
  }
  const ledger::Event& last = events.back();
  PG_RETURN_IF_ERROR(ledger::CheckEventHash(last));
  // The trust is what its events made: the first event adds the first owner; every later one
  // must be signed by an owner the events before it trusted, or the trust was changed behind
  // prodgate (an unsigned trust.update is a claim anyone with write access could append).
  Trust derived;
  for (const auto& e : events) {
    PG_RETURN_IF_ERROR(ledger::CheckEventHash(e));
    if (!derived.keys.empty()) {
      const TrustedKey* signer = derived.Find(e.actor);
      PG_ASSIGN_OR_RETURN(std::string pre, e.Preimage());
      if (e.sig.empty() || signer == nullptr || signer->role != Role::kOwner ||
          !VerifySignature(signer->key, pre, e.sig)) {
        return BadTrust(fmt::format(
            "trust event {} is not signed by an owner trusted before it: the trust was changed "
            "behind prodgate",
            e.seq));
      }
    }
    const Json& added = e.body.contains("added") ? e.body["added"] : Json();
    if (!added.is_object() || !StringFields(added, {"id", "name", "role", "public_key"})) {
      return BadTrust(fmt::format("trust event {} does not say which key it added", e.seq));
    }
    TrustedKey k;
    k.id = added.value("id", "");
    k.name = added.value("name", "");
    PG_ASSIGN_OR_RETURN(k.role, ParseRole(added.value("role", "")));
    PG_ASSIGN_OR_RETURN(k.key, PublicKey::FromBase64(added.value("public_key", "")));
    if (k.key.Id() != k.id || (derived.keys.empty() && k.role != Role::kOwner)) {
      return BadTrust(
          fmt::format("trust event {} adds a key that does not match its id, or a first key that "
                      "is not an owner's",
                      e.seq));
    }
    derived.keys.push_back(std::move(k));
  }
  if (!exists) {
    return BadTrust(fmt::format("{} is missing, but the ledger recorded one (event {})",
                                ws.trust_path(), last.seq));
  }
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ws.trust_path(), 4 << 20));
  std::string digest = ToHex(Sha256Of(bytes));
  if (digest != last.body.value("trust_sha256", "")) {
    return BadTrust(
        fmt::format("{} (sha256 {}) is not the file recorded in the ledger at event "
                    "{}: it was edited outside prodgate",
                    ws.trust_path(), digest.substr(0, 12), last.seq));
  }
  PG_ASSIGN_OR_RETURN(Json doc, ParseCanonicalDocument(bytes, ws.trust_path()));
  PG_ASSIGN_OR_RETURN(Trust trust, Trust::FromJson(doc));
  // The file must hold exactly the keys, with the roles, that the events added.
  bool same = trust.keys.size() == derived.keys.size();
  for (size_t i = 0; same && i < trust.keys.size(); ++i) {
    const TrustedKey* d = derived.Find(trust.keys[i].id);
    same = d != nullptr && d->role == trust.keys[i].role &&
           d->key.Base64() == trust.keys[i].key.Base64();
  }
  if (!same) {
    return BadTrust(fmt::format("{} does not hold the keys and roles its ledger events added",
                                ws.trust_path()));
  }
  return trust;
}

ledger::EventDraft SignedDraft(const PrivateKey& key, std::string kind, Json body,
                               std::vector<std::string> subjects) {
  ledger::EventDraft d;
  d.actor = key.Id();
  d.kind = std::move(kind);
  d.body = std::move(body);
  d.subjects = std::move(subjects);
  const PrivateKey* k = &key;
  d.sign = [k](std::string_view preimage) { return k->Sign(preimage); };
  return d;
}

Result<TrustedKey> AddTrustedKey(model::Workspace& ws, TrustedKey key, const PrivateKey* signer) {
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  if (trust.Find(key.id) != nullptr) {
    return Status::BadInput(fmt::format("key {} ({}) is already trusted", key.id, key.name),
                            "nothing to do");
  }
  if (trust.keys.empty()) {
    if (key.role != Role::kOwner) {
      return Status::BadInput("the first trusted key must be an owner's",
                              "add an owner key first: prodgate trust add OWNER.pub.json");
    }
  } else {
    if (signer == nullptr) {
      return Status::BadInput("adding a key to the trust needs an owner's signature",
                              "pass --key OWNER_KEY of an owner already trusted");
    }
    const TrustedKey* s = trust.Find(signer->Id());
    if (s == nullptr || s->role != Role::kOwner) {
      return Status::BadInput(
          fmt::format("key {} is not a trusted owner", signer->Id()),
          "sign with the private key of an owner listed by `prodgate trust list`");
    }
  }
  key.added_at = ledger::NowUtc();
  trust.keys.push_back(key);
  PG_ASSIGN_OR_RETURN(std::string bytes,
                      CanonicalJson(trust.ToJson(), NumberPolicy::kIntegersOnly));
  bytes.push_back('\n');
  std::string digest = ToHex(Sha256Of(bytes));
  // The ledger records the new digest first; the file follows. If the file write fails the
  // trust no longer matches its record and is refused until restored: closed, not open.
  Json body = {{"trust_sha256", digest},
               {"added",
                {{"id", key.id},
                 {"name", key.name},
                 {"role", RoleName(key.role)},
                 {"public_key", key.key.Base64()}}}};
  auto appended = ws.ledger->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        if (signer != nullptr) return SignedDraft(*signer, "trust.update", body, {"trust"});
        ledger::EventDraft d;
        d.actor = model::LocalActor();
        d.kind = "trust.update";
        d.body = body;
        d.subjects = {"trust"};
        return d;
      },
      model::Project);
  if (!appended.ok()) return appended.status();
  PG_RETURN_IF_ERROR(WriteFileAtomic(ws.trust_path(), bytes, 0644));
  return key;
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
