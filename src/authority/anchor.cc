#include "authority/anchor.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "authority/verified_ledger.h"
#include "core/file_io.h"
#include "core/file_safety.h"

namespace prodgate::authority {
namespace {

Status BadAnchor(const std::string& what) {
  return Status::BadInput("trust anchor: " + what,
                          "use the file `prodgate anchor create` wrote, unedited");
}

std::string Str(const Json& j, const char* k) {
  return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
}

}  // namespace

// The chain's side of the anchor: its genesis, the event it pins and the owners there, and
// the owner signatures of every trust or config change since.
static Status CheckChainAgainstAnchor(model::Workspace& ws, VerifiedLedger& v,
                                      const FoundAnchor& found, std::vector<AnchorProblem>& p) {
  const Anchor& a = *found.anchor;
  const std::string reinstall =
      "have the owners make the anchor of this workspace (prodgate anchor create) and install "
      "it root-owned, or use the workspace the anchor names";
  if (v.genesis() != a.genesis) {
    p.push_back(
        {"workspace_not_anchored",
         fmt::format("this workspace's ledger begins with event {}, the anchor {} pins {}: "
                     "the workspace was re-initialised, swapped or its ledger replaced",
                     ToHex(v.genesis()).substr(0, 12), found.path, ToHex(a.genesis).substr(0, 12)),
         reinstall});
    return Status::Ok();
  }
  auto pinned = ws.ledger->EventAt(a.at.seq);
  if (!pinned.ok() || !pinned->has_value() || (**pinned).hash != a.at.hash ||
      a.at.seq > v.head().seq) {
    p.push_back({"workspace_not_anchored",
                 fmt::format("event {} is not the one the anchor pinned ({}): the ledger's "
                             "history before it was rewritten or truncated",
                             a.at.seq, ToHex(a.at.hash).substr(0, 12)),
                 "restore the ledger whose history the anchor pinned"});
    return Status::Ok();
  }
  PG_ASSIGN_OR_RETURN(std::vector<TrustedKey> owners, OwnersAt(ws.state(), a.at.seq));
  std::set<std::string> chain_owners, anchor_owners;
  for (const auto& o : owners) chain_owners.insert(o.id + "=" + o.key.Base64());
  for (const auto& o : a.owners) anchor_owners.insert(o.id + "=" + o.key.Base64());
  if (chain_owners != anchor_owners) {
    p.push_back({"anchor_mismatch",
                 fmt::format("at event {} the chain's owners are not the {} owner(s) the anchor "
                             "{} names",
                             a.at.seq, a.owners.size(), found.path),
                 reinstall});
  }
  PG_ASSIGN_OR_RETURN(std::vector<RuleChange> changes, RuleChanges(ws.state()));
  for (const auto& c : changes) {
    if (c.seq <= a.at.seq) continue;
    if (static_cast<int64_t>(c.owners.size()) < a.threshold) {
      p.push_back({"trust_below_threshold",
                   fmt::format("event {} changed the {} ({}) with {} owner signature(s); the "
                               "anchor requires {}",
                               c.seq, c.kind, c.what, c.owners.size(), a.threshold),
                   fmt::format("make the change as a proposal that {} owners sign (prodgate trust "
                               "add|remove … --threshold {}, prodgate trust sign), after undoing "
                               "this one the same way",
                               a.threshold, a.threshold)});
    }
  }
  return Status::Ok();
}

Json Anchor::ToJson() const {
  Json os = Json::array();
  for (const auto& o : owners) {
    os.push_back({{"id", o.id}, {"name", o.name}, {"public_key", o.key.Base64()}});
  }
  Json ledger = {{"require", ledger_require}};
  if (!ledger_identity.empty()) ledger["identity"] = ledger_identity;
  return Json{{"format", kAnchorFormat},
              {"workspace", workspace},
              {"genesis", ToHex(genesis)},
              {"at", {{"seq", at.seq}, {"hash", ToHex(at.hash)}}},
              {"owners", os},
              {"threshold", threshold},
              {"ledger", ledger},
              {"allow_root", allow_root},
              {"created_at", created_at}};
}

Result<Anchor> Anchor::FromJson(const Json& j) {
  if (!j.is_object() || Str(j, "format") != kAnchorFormat) {
    return BadAnchor("not a prodgate.anchor/1 document");
  }
  Anchor a;
  a.workspace = Str(j, "workspace");
  auto g = DigestFromHex(Str(j, "genesis"));
  if (!g || a.workspace.empty()) return BadAnchor("no workspace id or genesis hash");
  a.genesis = *g;
  const Json& at = j.contains("at") ? j["at"] : Json();
  auto h = DigestFromHex(Str(at, "hash"));
  if (!at.is_object() || !at.contains("seq") || !at["seq"].is_number_integer() || !h ||
      at["seq"].get<int64_t>() < 1) {
    return BadAnchor("\"at\" must name an event: {\"seq\":N,\"hash\":\"…\"}");
  }
  a.at = ledger::Head{at["seq"].get<int64_t>(), *h};
  if (!j.contains("owners") || !j["owners"].is_array() || j["owners"].empty()) {
    return BadAnchor("it names no owner");
  }
  std::set<std::string> seen;
  for (const auto& o : j["owners"]) {
    AnchorOwner owner;
    owner.id = Str(o, "id");
    owner.name = Str(o, "name");
    auto k = PublicKey::FromBase64(Str(o, "public_key"));
    if (!k.ok() || k->Id() != owner.id) {
      return BadAnchor(fmt::format("owner {} does not match its public key", owner.id));
    }
    if (!seen.insert(owner.id).second) return BadAnchor(fmt::format("owner {} twice", owner.id));
    owner.key = *k;
    a.owners.push_back(std::move(owner));
  }
  if (!j.contains("threshold") || !j["threshold"].is_number_integer() ||
      j["threshold"].get<int64_t>() < 1 ||
      j["threshold"].get<int64_t>() > static_cast<int64_t>(a.owners.size())) {
    return BadAnchor("\"threshold\" must be a number of owners from 1 to the owners it names");
  }
  a.threshold = j["threshold"].get<int64_t>();
  const Json& ledger = j.contains("ledger") ? j["ledger"] : Json();
  a.ledger_require = Str(ledger, "require");
  a.ledger_identity = Str(ledger, "identity");
  if (a.ledger_require != "protected" && a.ledger_require != "local") {
    return BadAnchor("\"ledger\".\"require\" must be \"protected\" or \"local\"");
  }
  if (!j.contains("allow_root") || !j["allow_root"].is_boolean()) {
    return BadAnchor("\"allow_root\" must be true or false");
  }
  a.allow_root = j["allow_root"].get<bool>();
  a.created_at = Str(j, "created_at");
  return a;
}

Result<FoundAnchor> FindAnchor(const std::string& explicit_path, const std::string& workspace_id) {
  FoundAnchor f;
  std::vector<std::string> places;
  std::string path;
  if (!explicit_path.empty()) {
    path = explicit_path;
    places.push_back("--anchor " + explicit_path);
  } else if (const char* env = std::getenv("PRODGATE_ANCHOR"); env != nullptr && *env != '\0') {
    path = env;
    places.push_back("$PRODGATE_ANCHOR " + path);
  } else {
    const char* dir = std::getenv("PRODGATE_ANCHOR_DIR");
    std::string base = dir != nullptr && *dir != '\0' ? dir : "/etc/prodgate/anchors";
    path = base + "/" + workspace_id + ".json";
    places.push_back(path);
  }
  f.searched = fmt::format("{}", fmt::join(places, ", "));
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!explicit_path.empty() || std::getenv("PRODGATE_ANCHOR") != nullptr) {
      return Status::BadInput(fmt::format("no trust anchor at {}", path),
                              "give the anchor file the owners installed");
    }
    return f;  // none here
  }
  PG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, 1 << 20));
  auto doc = ParseCanonicalDocument(bytes, path);
  if (!doc.ok()) return BadAnchor(fmt::format("{}: {}", path, doc.status().what()));
  PG_ASSIGN_OR_RETURN(Anchor a, Anchor::FromJson(*doc));
  f.anchor = std::move(a);
  f.path = path;
  Status safe = NotWritableBy(path, ::geteuid());
  if (!safe.ok()) f.unsafe = safe.what();
  return f;
}

Result<std::vector<AnchorProblem>> CheckAnchor(model::Workspace& ws, const FoundAnchor& found,
                                               const ledger::LedgerProtection& protection,
                                               bool production) {
  std::vector<AnchorProblem> p;
  if (!found.anchor) return p;
  const Anchor& a = *found.anchor;
  if (!found.unsafe.empty()) {
    p.push_back({"anchor_unsafe",
                 fmt::format("the trust anchor {} is not believed: {}", found.path, found.unsafe),
                 "install it owned by root, mode 0644, in a directory only root may write "
                 "(e.g. /etc/prodgate/anchors/)"});
  }
  auto* v = dynamic_cast<VerifiedLedger*>(ws.proven.get());
  if (v == nullptr) return Status::Internal("the anchor is checked against a verified chain");
  PG_RETURN_IF_ERROR(CheckChainAgainstAnchor(ws, *v, found, p));
  if (!production) return p;
  if (a.ledger_require == "protected") {
    if (protection.kind != ledger::LedgerKind::kPostgresProtected) {
      p.push_back(
          {"ledger_unprotected",
           fmt::format("production is decided from the protected team ledger only, and this "
                       "one is {}: {}",
                       ledger::LedgerKindName(protection.kind), fmt::join(protection.gaps, "; ")),
           "use the team ledger made by `prodgate ledger provision`, connected as a writer role "
           "(--ledger postgresql://…), or have the owners anchor a local ledger explicitly"});
    } else if (!a.ledger_identity.empty() && a.ledger_identity != protection.identity) {
      p.push_back({"ledger_not_anchored",
                   fmt::format("the ledger is {}, the anchor pins {}", protection.identity,
                               a.ledger_identity),
                   "point --ledger at the database the anchor names"});
    }
  }
  if (::geteuid() == 0 && !a.allow_root) {
    p.push_back({"invoker_is_root",
                 "prodgate runs as root, which can write any file, the anchor included: no "
                 "anchor protects itself from its invoker",
                 "run the executor as an unprivileged user, or have the owners make an anchor "
                 "with --allow-root (a CI container)"});
  }
  return p;
}

Result<Anchor> MakeAnchor(model::Workspace& ws, const AnchorRequest& r) {
  auto* v = dynamic_cast<VerifiedLedger*>(ws.proven.get());
  if (v == nullptr || !v->ok()) {
    return Status::BadInput("the ledger does not verify: no anchor is made for it",
                            "run `prodgate ledger verify`");
  }
  Anchor a;
  a.workspace = v->workspace_id();
  a.genesis = v->genesis();
  a.at = v->head();
  PG_ASSIGN_OR_RETURN(std::vector<TrustedKey> owners, OwnersAt(ws.state(), a.at.seq));
  if (owners.empty()) {
    return Status::BadInput("the workspace trusts no owner yet",
                            "add the owners first: prodgate trust add OWNER.pub.json");
  }
  for (const auto& o : owners) a.owners.push_back({o.id, o.name, o.key});
  if (r.threshold < 1 || r.threshold > static_cast<int64_t>(owners.size())) {
    return Status::BadInput(
        fmt::format("a threshold of {} cannot be met by {} owner(s)", r.threshold, owners.size()),
        "give --threshold from 1 to the number of owners");
  }
  a.threshold = r.threshold;
  PG_ASSIGN_OR_RETURN(ledger::LedgerProtection protection, ws.ledger->Protection());
  if (r.allow_local_ledger) {
    a.ledger_require = "local";
  } else {
    if (protection.kind != ledger::LedgerKind::kPostgresProtected) {
      return Status::BadInput(
          fmt::format("this workspace's ledger is {}, not the protected team ledger: {}",
                      ledger::LedgerKindName(protection.kind), fmt::join(protection.gaps, "; ")),
          "use a ledger made by `prodgate ledger provision` (and open it as a writer role), or "
          "pass --allow-local-ledger to let production rest on a ledger its writer can truncate");
    }
    a.ledger_require = "protected";
    a.ledger_identity = protection.identity;
  }
  a.allow_root = r.allow_root;
  a.created_at = ledger::NowUtc();
  return a;
}

Result<AnchorReport> ReportAnchor(model::Workspace& ws, const std::string& anchor_path) {
  auto* v = dynamic_cast<VerifiedLedger*>(ws.proven.get());
  if (v == nullptr) return Status::Internal("the anchor is checked against a verified chain");
  AnchorReport r;
  r.workspace_id = v->workspace_id();
  r.genesis = v->genesis();
  PG_ASSIGN_OR_RETURN(r.found, FindAnchor(anchor_path, v->workspace_id()));
  PG_ASSIGN_OR_RETURN(r.protection, ws.ledger->Protection());
  if (!v->ok()) {
    r.problems.push_back({"ledger_broken",
                          fmt::format("the ledger does not verify: {}", v->problem()),
                          "restore the ledger from a copy whose head you trust"});
  }
  PG_ASSIGN_OR_RETURN(std::vector<AnchorProblem> p,
                      CheckAnchor(ws, r.found, r.protection, /*production=*/true));
  r.problems.insert(r.problems.end(), p.begin(), p.end());
  return r;
}

Result<int64_t> ThresholdForChanges(model::Workspace& ws, const std::string& anchor_path,
                                    int64_t requested) {
  if (requested > 0) return requested;
  auto* v = dynamic_cast<VerifiedLedger*>(ws.proven.get());
  if (v == nullptr) return int64_t{1};
  PG_ASSIGN_OR_RETURN(FoundAnchor found, FindAnchor(anchor_path, v->workspace_id()));
  return found.anchor ? found.anchor->threshold : int64_t{1};
}

}  // namespace prodgate::authority
