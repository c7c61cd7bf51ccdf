// Probes against the ledger and the workspace: edits behind prodgate's back (events,
// projections, config, trust) and a ledger write that fails.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/sha256.h"
#include "ledger/store.h"
#include "model/projector.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

void LedgerTampered(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Setup("the ledger verifies", {"ledger", "verify"});
  // The attacker holds the file: the grant's one use becomes nine.
  f.Sql(".prodgate/ledger.db",
        "UPDATE events SET doc = replace(doc, '\"uses\":1', '\"uses\":9') WHERE kind = "
        "'grant.issue'");
  f.Refused("ledger verify", {"ledger", "verify"}, {1}, {"first bad event"});
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_tampered"});
  f.Refused("gate run",
            {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", f.Path("ran")},
            {1}, {"HOLD"});
  f.Require(!fs::exists(f.Path("ran")), "the command ran on a tampered ledger");
}

void LedgerTruncated(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  std::string head = f.LedgerHead();  // "<seq> <hash>"
  size_t sp = head.find(' ');
  if (sp == std::string::npos || head.size() < sp + 65) {
    f.Broken("ledger head printed no hash");
    return;
  }
  std::string hash = head.substr(sp + 1, 64);
  // The last event deleted: the shorter chain still links, but not to the head seen before.
  f.Sql(".prodgate/ledger.db", "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)");
  f.Refused("ledger verify --expect-head", {"ledger", "verify", "--expect-head", hash}, {1},
            {"truncated"});
}

void ProjectionEdited(Fixture& f) {
  std::string id = f.Issue({"--action", "apply", "--scope", "clone"});
  if (id.empty()) return;
  f.Setup("bob revokes it", {"grant", "revoke", id.substr(0, 12), "--key", f.Key("bob")});
  // Un-revoked in the projection only, where the gate reads.
  f.Sql(".prodgate/ledger.db",
        "UPDATE projections SET doc = replace(doc, '\"revoked\":true', '\"revoked\":false') "
        "WHERE tbl = 'grants'");
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_tampered"});
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

void TrustFileEdited(Fixture& f) {
  std::string trust = f.Read(".prodgate/trust.json");
  size_t at = trust.find("\"role\":\"agent\"");
  if (at == std::string::npos) {
    f.Broken("no agent in trust.json");
    return;
  }
  // The agent promotes itself to owner.
  f.Write(".prodgate/trust.json", trust.replace(at, 14, "\"role\":\"owner\""));
  f.Refused("trust list", {"trust", "list"}, {2}, {"edited outside prodgate"});
  f.Refused("grant issue by the agent",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key("agent")},
            {2}, {"edited outside prodgate"});
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"trust_broken"});
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
            {2, 3}, {"database is locked"}, {{"PRODGATE_BUSY_TIMEOUT_MS", "300"}});
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  f.Require(!fs::exists(f.Path("ran")), "the command ran without its intent in the ledger");
  // The refused run consumed nothing: the grant still allows, now that the ledger is free.
  f.Setup("the grant is unused", {"gate", "check", "--action", "apply", "--scope", "clone"});
}

// The attacker holds the ledger file but no owner key: an unsigned event appended behind
// prodgate's checks, chained, hashed and projected exactly as prodgate would.
bool AppendUnsigned(Fixture& f, const std::string& kind, const Json& body,
                    std::vector<std::string> subjects) {
  auto store = ledger::OpenLedger(f.Path(".prodgate/ledger.db"), false);
  if (!f.Check(store.status(), "open the ledger")) return false;
  auto e = (*store)->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = "local:mallory";
        d.kind = kind;
        d.body = body;
        d.subjects = subjects;
        return d;
      },
      [](const ledger::Event& ev, ledger::ProjectionTxn& txn) { return model::Project(ev, txn); });
  return f.Check(e.status(), "append " + kind);
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
  if (!AppendUnsigned(f, "rehearsal.result", body, {"rehearsal:" + change, "rehearsals"})) return;
  // An owner grants apply in production for that change, trusting the record.
  if (f.Issue({"--action", "apply", "--scope", "production", "--change", change}).empty()) return;
  f.Refused("gate check apply in production on the forged rehearsal",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change},
            {1}, {"rehearsal_unsigned"});
  f.Refused("gate run apply in production on the forged rehearsal",
            {"gate", "run", "--action", "apply", "--scope", "production", "--change", change, "--",
             "touch", f.Path("ran")},
            {1}, {"HOLD"});
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
      !AppendUnsigned(f, "config.accept", {{"config_sha256", ToHex(Sha256Of(config))}},
                      {"config"})) {
    return;
  }
  std::string before = f.DbRoot("production.db");
  f.Refused("rehearse on production after a forged config accept",
            {"rehearse", "--target", "sqlite:production.db", "--apply", "fix7/apply.sql",
             "--rollback", "fix7/rollback.sql", "--out", "out"},
            {2}, {"not signed by an owner"});
  f.Require(!before.empty() && f.DbRoot("production.db") == before, "production changed");
}

void TrustUpdateForged(Fixture& f) {
  std::string trust = f.Read(".prodgate/trust.json");
  size_t at = trust.find("\"role\":\"agent\"");
  if (at == std::string::npos) {
    f.Broken("no agent in trust.json");
    return;
  }
  // The agent promotes itself, and records the new trust file with an unsigned event.
  trust.replace(at, 14, "\"role\":\"owner\"");
  if (!f.Write(".prodgate/trust.json", trust) ||
      !AppendUnsigned(f, "trust.update", {{"trust_sha256", ToHex(Sha256Of(trust))}}, {"trust"})) {
    return;
  }
  f.Refused("grant issue by the self-promoted agent",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key("agent")},
            {2}, {"not signed by an owner trusted before it"});
}

}  // namespace

std::vector<Probe> LedgerProbes() {
  return {
      {{"ledger_tampered", "ledger",
        "an event edited in .prodgate/ledger.db (a grant's uses 1 → 9) with the SQLite API"},
       LedgerTampered},
      {{"ledger_truncated", "ledger", "the last event deleted from the ledger"}, LedgerTruncated},
      {{"projection_edited_behind_ledger", "ledger",
        "a revoked grant un-revoked in the projection table the gate reads"},
       ProjectionEdited},
      {{"config_edited_behind_ledger", "ledger",
        "the [[production]] identity removed from config.toml by hand"},
       ConfigEditedBehindLedger,
       2},
      {{"trust_file_edited", "ledger", "the agent promotes itself to owner in trust.json"},
       TrustFileEdited},
      {{"rehearsal_result_forged", "ledger",
        "a passing rehearsal.result appended to the ledger by hand, then production"},
       RehearsalResultForged},
      {{"config_accept_forged", "ledger",
        "config.toml edited and an unsigned config.accept appended by hand"},
       ConfigAcceptForged,
       3},
      {{"trust_update_forged", "ledger",
        "trust.json edited (agent → owner) and an unsigned trust.update appended by hand"},
       TrustUpdateForged},
      {{"ledger_write_fails", "ledger",
        "gate run while the ledger cannot be written (its write lock held elsewhere)"},
       LedgerWriteFails},
  };
}

}  // namespace prodgate::probes
