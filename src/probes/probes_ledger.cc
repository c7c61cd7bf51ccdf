// Probes against the ledger and the workspace: edits behind prodgate's back (events,
// projections, config, trust) and a ledger write that fails.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "authority/gate.h"
#include "authority/keys.h"
#include "core/sha256.h"
#include "ledger/store.h"
#include "model/projector.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

// The attacker holds the ledger file: an event appended behind prodgate's checks, chained,
// hashed and projected exactly as prodgate would, unsigned (actor local:mallory) or signed
// with a key the attacker holds.
bool AppendBehind(Fixture& f, const std::string& kind, const Json& body,
                  const authority::PrivateKey* key = nullptr) {
  auto store = ledger::OpenLedger(f.Path(".prodgate/ledger.db"), false);
  if (!f.Check(store.status(), "open the ledger")) return false;
  auto e = (*store)->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = key ? key->Id() : "local:mallory";
        d.kind = kind;
        d.body = body;
        if (key) d.sign = [key](std::string_view pre) { return key->Sign(pre); };
        return d;
      },
      [](const ledger::Event& ev, ledger::ProjectionTxn& txn) {
        (void)model::Project(ev, txn);  // the cache follows as best it can
        return Status::Ok();
      });
  return f.Check(e.status(), "append " + kind);
}

// A verifier that never saw this ledger (a new CI container, another operator's machine).
std::map<std::string, std::string> FreshVerifier(Fixture& f, const std::string& name) {
  return {{"PRODGATE_STATE_DIR", f.Path(".verifier-" + name)}};
}

void LedgerTampered(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Setup("a later event",
          {"blocker", "add", "--id", "B-LATER", "--item", "later", "--blocks", "production"});
  f.Setup("the ledger verifies", {"ledger", "verify"});
  // The attacker holds the file: the grant's one use becomes nine.
  f.Sql(".prodgate/ledger.db",
        "UPDATE events SET doc = replace(doc, '\"uses\":1', '\"uses\":9') WHERE kind = "
        "'grant.issue'");
  f.Refused("ledger verify", {"ledger", "verify"}, {1}, {"first bad event"});
  f.Refused("gate check by a verifier that never saw the ledger",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1}, {"ledger_broken"},
            FreshVerifier(f, "new"));
  // The executor verified the grant before the edit: the edited terms never count.
  f.Setup("the one use", {"gate", "run", "--action", "apply", "--scope", "clone", "--", "true"});
  f.Refused("gate run a second time",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {authority::kRunHeld}, {"grant_used_up"});
  f.Require(!fs::exists(f.Path("ran")), "a use the edit made up was used");
}

void LedgerTruncated(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Setup("the grant's one use",
          {"gate", "run", "--action", "apply", "--scope", "clone", "--", "true"});
  std::string head = f.LedgerHead();  // "<seq> <hash>", with the use recorded
  size_t sp = head.find(' ');
  if (sp == std::string::npos || head.size() < sp + 65) {
    f.Broken("ledger head printed no hash");
    return;
  }
  std::string hash = head.substr(sp + 1, 64);
  // The intent that used it up, and its finish, deleted: the shorter chain still links.
  f.Sql(".prodgate/ledger.db",
        "DELETE FROM events WHERE kind IN ('action.intent', 'action.finish'); DELETE FROM "
        "projections WHERE tbl = 'actions'; UPDATE projections SET doc = "
        "replace(doc, '\"used\":1', '\"used\":0') WHERE tbl = 'grants'");
  f.Refused("gate run on the given-back grant",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {authority::kRunHeld}, {"ledger_broken", "truncated"});
  f.Refused("ledger rebuild --write on it", {"ledger", "rebuild", "--write"}, {2},
            {"does not verify"});
  f.Refused("ledger verify --expect-head (a verifier that never saw it)",
            {"ledger", "verify", "--expect-head", hash}, {1}, {"truncated"},
            FreshVerifier(f, "new"));
  f.Require(!fs::exists(f.Path("ran")), "a single-use grant ran twice");
}

// The deletion above, then the chain continued from the shortened head as if nothing was
// missing: every link and hash is right again.
void LedgerRechained(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Setup("the grant's one use",
          {"gate", "run", "--action", "apply", "--scope", "clone", "--", "true"});
  f.Sql(".prodgate/ledger.db",
        "DELETE FROM events WHERE kind IN ('action.intent', 'action.finish')");
  if (!AppendBehind(
          f, "evidence.add",
          {{"root", std::string(64, 'e')}, {"dir", "/x"}, {"manifest", "/x/prodgate.seal.json"}}) ||
      !AppendBehind(
          f, "evidence.add",
          {{"root", std::string(64, 'f')}, {"dir", "/y"}, {"manifest", "/y/prodgate.seal.json"}})) {
    return;
  }
  f.Refused("gate run on the re-chained ledger",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {authority::kRunHeld}, {"ledger_broken", "rewritten"});
  f.Require(!fs::exists(f.Path("ran")), "a single-use grant ran twice");
}

void ProjectionEdited(Fixture& f) {
  std::string id = f.Issue({"--action", "apply", "--scope", "clone"});
  if (id.empty()) return;
  f.Setup("bob revokes it", {"grant", "revoke", id.substr(0, 12), "--key", f.Key("bob")});
  f.Setup("a blocker of apply",
          {"blocker", "add", "--id", "B-APPLY", "--item", "not yet", "--blocks", "apply"});
  // Un-revoked, and the blocker gone, in the store's projections: a cache no decision reads.
  f.Sql(".prodgate/ledger.db",
        "UPDATE projections SET doc = replace(doc, '\"revoked\":true', '\"revoked\":false') "
        "WHERE tbl = 'grants'; DELETE FROM projections WHERE tbl = 'blockers'");
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_revoked", "blocker_open"});
  f.Refused("gate check by a verifier that never saw the ledger",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_revoked", "blocker_open"}, FreshVerifier(f, "new"));
}

void ConfigEditedBehindLedger(Fixture& f) {
  std::string original = f.Read(".prodgate/config.toml");
  if (!f.AddProduction() || !f.WriteExamples()) return;
  std::string before = f.DbRoot("production.db");
  // Someone drops the production identity, so that production passes for a clone.
  f.Write(".prodgate/config.toml", original);
  f.Refused("rehearse on production",
            {"rehearse", "--target", "sqlite:production.db", "--apply", "fix7/apply.sql",
             "--rollback", "fix7/rollback.sql", "--out", "out"},
            {2}, {"changed outside prodgate"});
  f.Refused("gate check", {"gate", "check", "--action", "rehearse", "--scope", "clone"}, {2},
            {"changed outside prodgate"});
  f.Require(f.DbRoot("production.db") == before && !before.empty(), "production changed");
}

// The agent, holding its own trusted key, signs a trust change that adds an owner key it
// made: a key's role is only what owners gave it.
void OwnerKeyMadeByAgent(Fixture& f) {
  f.Setup("mallory's key", {"key", "new", "--name", "mallory", "--role", "owner", "--out",
                            f.Path("keys/mallory.pem")});
  if (!f.ok()) return;
  auto agent = authority::PrivateKey::Load(f.Key("agent"));
  auto mallory = authority::PrivateKey::Load(f.Path("keys/mallory.pem"));
  if (!f.Check(agent.status(), "the agent's key") || !f.Check(mallory.status(), "mallory's key")) {
    return;
  }
  Json key = {{"id", mallory->Id()},
              {"name", "mallory"},
              {"role", "owner"},
              {"public_key", mallory->public_key().Base64()}};
  if (!AppendBehind(f, "trust.update", {{"change", {{"op", "add"}, {"key", key}}}}, &*agent)) {
    return;
  }
  f.Refused("grant issue by mallory",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key",
             f.Path("keys/mallory.pem")},
            {2}, {"does not verify", "without an owner's signature"});
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"ledger_broken"});
}

void LedgerWriteFails(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  // Another process holds the ledger's write lock for the whole attempt: the intent cannot
  // be written (the same path as a full disk or a read-only file, and it works as root).
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(f.Path(".prodgate/ledger.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
          SQLITE_OK ||
      sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    f.Broken("cannot lock the ledger");
    return;
  }
  f.Refused("gate run while the ledger cannot be written",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {authority::kRunBadInput, authority::kRunInternal}, {"database is locked"},
            {{"PRODGATE_BUSY_TIMEOUT_MS", "300"}});
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  f.Require(!fs::exists(f.Path("ran")), "the command ran without its intent in the ledger");
  // The refused run consumed nothing: the grant still allows, now that the ledger is free.
  f.Setup("the grant is unused", {"gate", "check", "--action", "apply", "--scope", "clone"});
}

void RehearsalResultForged(Fixture& f) {
  // No rehearsal ran: a passing rehearsal.result is written for a change nobody rehearsed.
  const std::string change(64, 'a');
  Json body = {{"after_apply", std::string(64, '2')},
               {"after_rollback", std::string(64, '1')},
               {"before", std::string(64, '1')},
               {"change", change},
               {"out", f.Path("rehearsal")},
               {"report_sha256", std::string(64, '3')},
               {"steps", Json::array()},
               {"target", "sqlite:" + f.Path("clone.db")},
               {"target_state", "restored"},
               {"verdict", "PASS"}};
  if (!AppendBehind(f, "rehearsal.result", body)) return;
  // An owner grants apply in production for that change, trusting the record.
  if (f.Issue({"--action", "apply", "--scope", "production", "--change", change}).empty()) return;
  f.Refused("gate check apply in production on the forged rehearsal",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change},
            {1}, {"rehearsal_unsigned"});
  f.Refused("gate run apply in production on the forged rehearsal",
            {"gate", "run", "--action", "apply", "--scope", "production", "--change", change, "--",
             "touch", f.Path("ran")},
            {authority::kRunHeld}, {"HOLD"});
  f.Require(!fs::exists(f.Path("ran")), "production ran on a forged rehearsal");
}

void ConfigAcceptForged(Fixture& f) {
  if (!f.AddProduction() || !f.WriteExamples()) return;
  // The production identity is pointed elsewhere, and the edit "accepted" by an unsigned
  // config.accept: production.db then looks like any clone (it carries a marker).
  std::string config = f.Read(".prodgate/config.toml");
  size_t at = config.find(f.Path("production.db"));
  if (at == std::string::npos) {
    f.Broken("no production identity in config.toml");
    return;
  }
  config.replace(at, f.Path("production.db").size(), f.Path("elsewhere/production.db"));
  if (!f.Write(".prodgate/config.toml", config) ||
      !AppendBehind(f, "config.accept", {{"config_sha256", ToHex(Sha256Of(config))}})) {
    return;
  }
  std::string before = f.DbRoot("production.db");
  f.Refused("rehearse on production after a forged config accept",
            {"rehearse", "--target", "sqlite:production.db", "--apply", "fix7/apply.sql",
             "--rollback", "fix7/rollback.sql", "--out", "out"},
            {2}, {"needs an owner's signature"});
  f.Require(!before.empty() && f.DbRoot("production.db") == before, "production changed");
}

// Without any key: an unsigned trust change adding an owner key, appended by hand.
void TrustUpdateForged(Fixture& f) {
  auto mallory = authority::PrivateKey::Generate();
  if (!f.Check(mallory.status(), "mallory's key")) return;
  if (!f.Check(mallory->Save(f.Path("keys/m.pem")), "save mallory's key")) return;
  Json key = {{"id", mallory->Id()},
              {"name", "mallory"},
              {"role", "owner"},
              {"public_key", mallory->public_key().Base64()}};
  if (!AppendBehind(f, "trust.update", {{"change", {{"op", "add"}, {"key", key}}}})) return;
  f.Refused(
      "grant issue by mallory",
      {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Path("keys/m.pem")},
      {2}, {"does not verify", "without an owner's signature"});
}

// An owner-signed event's signature replaced by another well-formed one (the bytes an
// attacker can forge without the key): the chain's hashes still link.
void SignatureForgedOnHistory(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  std::string fake = std::string(86, 'A') + "==";
  f.Sql(".prodgate/ledger.db", "UPDATE events SET doc = json_set(doc, '$.sig', '" + fake +
                                   "') WHERE kind = 'grant.issue'");
  f.Refused("gate run by a verifier that never saw the ledger",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {authority::kRunHeld}, {"ledger_broken", "does not verify"}, FreshVerifier(f, "new"));
  f.Refused("ledger verify", {"ledger", "verify"}, {1}, {"does not verify"});
  f.Require(!fs::exists(f.Path("ran")), "the command ran on a forged signature");
}

// The owners' anchor of the fixture's workspace, written to anchor.json (here, in the
// workspace: a real one is root-owned in /etc/prodgate/anchors).
bool MakeAnchor(Fixture& f) {
  return f
      .Setup("the anchor", {"anchor", "create", "--out", f.Path("anchor.json"),
                            "--allow-local-ledger", "--allow-root"})
      .has_value();
}

std::vector<std::string> ProductionCheck(Fixture& f) {
  return {"--anchor", f.Path("anchor.json"), "gate",     "check",    "--action", "cutover",
          "--scope",  "production",          "--change", kSomeChange};
}

void ProductionWithoutAnchor(Fixture& f) {
  if (f.Issue({"--action", "cutover", "--scope", "production", "--change", kSomeChange}).empty()) {
    return;
  }
  f.Refused(
      "gate check cutover in production, no anchor anywhere",
      {"gate", "check", "--action", "cutover", "--scope", "production", "--change", kSomeChange},
      {1}, {"no_trust_anchor"}, {{"PRODGATE_ANCHOR_DIR", f.Path("no-anchors")}});
}

void WorkspaceReinitialized(Fixture& f) {
  if (!MakeAnchor(f)) return;
  // The agent moves the workspace aside and makes a new one where its key is the owner.
  std::error_code ec;
  fs::rename(f.Path(".prodgate"), f.Path(".prodgate.orig"), ec);
  if (ec) {
    f.Broken("cannot move .prodgate aside");
    return;
  }
  f.Setup("init again", {"init", "."});
  f.Setup("the agent's owner key", {"key", "new", "--name", "mallory", "--role", "owner", "--out",
                                    f.Path("keys/mallory.pem")});
  f.Setup("trust it", {"trust", "add", f.Path("keys/mallory.pub.json")});
  if (f.Issue({"--action", "cutover", "--scope", "production", "--change", kSomeChange}, "mallory")
          .empty()) {
    return;
  }
  f.Refused("gate check cutover in production", ProductionCheck(f), {1},
            {"workspace_not_anchored"});
}

void WorkspaceSwapped(Fixture& f) {
  if (!MakeAnchor(f)) return;
  std::error_code ec;
  fs::create_directories(f.Path("other"), ec);
  if (!f.Setup("another workspace", {"init", f.Path("other")})) {
    return;
  }
  fs::rename(f.Path(".prodgate"), f.Path(".prodgate.orig"), ec);
  if (!ec) fs::create_directory_symlink(f.Path("other/.prodgate"), f.Path(".prodgate"), ec);
  if (ec) {
    f.Broken("cannot swap .prodgate for a symlink");
    return;
  }
  f.Refused("gate check cutover in production", ProductionCheck(f), {1},
            {"workspace_not_anchored"});
}

void AnchorWritable(Fixture& f) {
  if (!MakeAnchor(f)) return;
  // An anchor the invoker (or an agent running as it) could rewrite vouches for nothing.
  fs::permissions(f.Path("anchor.json"), fs::perms(0666));
  f.Refused("gate check cutover in production", ProductionCheck(f), {1}, {"anchor_unsafe"});
}

}  // namespace

std::vector<Probe> LedgerProbes() {
  return {
      {{"ledger_tampered", "ledger",
        "an event edited in .prodgate/ledger.db (a grant's uses 1 → 9) with the SQLite API"},
       LedgerTampered},
      {{"ledger_truncated", "ledger",
        "the intent that used up a single-use grant deleted, to run it again"},
       LedgerTruncated},
      {{"ledger_rechained", "ledger",
        "the intent deleted and the chain continued from the shortened head"},
       LedgerRechained},
      {{"projection_edited_behind_ledger", "ledger",
        "a revoked grant un-revoked and a blocker deleted in the store's projections"},
       ProjectionEdited},
      {{"config_edited_behind_ledger", "ledger",
        "the [[production]] identity removed from config.toml by hand"},
       ConfigEditedBehindLedger,
       2},
      {{"owner_key_made_by_agent", "ledger",
        "the agent signs a trust change adding an owner key of its own"},
       OwnerKeyMadeByAgent},
      {{"rehearsal_result_forged", "ledger",
        "a passing rehearsal.result appended to the ledger by hand, then production"},
       RehearsalResultForged},
      {{"config_accept_forged", "ledger",
        "config.toml edited and an unsigned config.accept appended by hand"},
       ConfigAcceptForged,
       3},
      {{"trust_update_forged", "ledger",
        "an unsigned trust change adding an owner key appended by hand"},
       TrustUpdateForged},
      {{"signature_forged_on_history", "ledger",
        "an owner-signed grant's signature replaced by a well-formed forgery"},
       SignatureForgedOnHistory},
      {{"ledger_write_fails", "ledger",
        "gate run while the ledger cannot be written (its write lock held elsewhere)"},
       LedgerWriteFails},
      {{"production_without_anchor", "ledger",
        "cutover in production with an owner's grant, and no trust anchor anywhere"},
       ProductionWithoutAnchor},
      {{"workspace_reinitialized", "ledger",
        ".prodgate moved aside and made anew with the agent's key as its owner"},
       WorkspaceReinitialized},
      {{"workspace_swapped", "ledger", ".prodgate replaced by a symlink to another workspace"},
       WorkspaceSwapped},
      {{"anchor_writable", "ledger", "the trust anchor made writable by the invoker"},
       AnchorWritable},
  };
}

}  // namespace prodgate::probes
