// Probes against clone checks: isolation, secrets, schema, engines, unreadable databases.
#include <fmt/format.h>

#include <filesystem>

#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Rehearse(const std::string& target, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"rehearse",         "--target",       target,
                                   "--apply",          "fix7/apply.sql", "--rollback",
                                   "fix7/rollback.sql"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string ProductionFlag(Fixture& f) { return "directus-prod=sqlite:" + f.Path("production.db"); }

void CloneNotIsolated(Fixture& f) {
  if (!f.AddProduction()) return;
  // A plain copy of some data: no prodgate_clone marker, no provenance.
  f.Sql("plain.db",
        "CREATE TABLE birth_registry(id INTEGER PRIMARY KEY, object_id TEXT); "
        "INSERT INTO birth_registry VALUES (1, 'TKT-OBJ-001');");
  f.Refused("clone check", {"clone", "check", "sqlite:plain.db", "--production", ProductionFlag(f)},
            {1}, {"marker-missing"});
  f.Refused("rehearse on it", Rehearse("sqlite:plain.db", {"--out", "out"}), {1},
            {"FAIL     isolation", "target: untouched"});
}

void CloneNamesNoProduction(Fixture& f) {
  if (!f.MakeClone("clone.db")) return;
  // Nothing says what production is: isolation is not shown.
  f.Refused("clone check without a production identity", {"clone", "check", "sqlite:clone.db"}, {1},
            {"no-production-identities"});
}

void ClonePointsToProduction(Fixture& f) {
  if (!f.AddProduction()) return;
  std::string before = f.DbRoot("production.db");
  std::error_code ec;
  fs::create_symlink(f.Path("production.db"), f.Path("innocent.db"), ec);
  if (!ec) fs::create_hard_link(f.Path("production.db"), f.Path("hardlink.db"), ec);
  if (ec) {
    f.Broken("link: " + ec.message());
    return;
  }
  // production.db carries a clone marker (it was made by surrogate): only its identity gives
  // it away. The rehearsal reads the workspace's [[production]] list; clone check is given it.
  for (const char* target : {"sqlite:production.db", "sqlite:innocent.db"}) {
    f.Refused(fmt::format("rehearse on {}", target),
              Rehearse(target, {"--out", std::string("out-") + (target + 7)}), {1},
              {"FAIL     isolation", "is production \"directus-prod\"", "target: untouched"});
  }
  for (const char* target :
       {"sqlite:innocent.db", "sqlite:./keys/../production.db", "sqlite:hardlink.db"}) {
    f.Refused(fmt::format("clone check of {}", target),
              {"clone", "check", target, "--production", ProductionFlag(f)}, {1},
              {"production-identity"});
  }
  f.Require(!before.empty() && f.DbRoot("production.db") == before, "production changed");
}

void CloneContainsSecrets(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  // Real-looking credentials left in the copy: an AWS key id, a GitHub token, a PEM key.
  f.Sql(
      "clone.db",
      fmt::format("UPDATE directus_users SET token = '{}' WHERE rowid = 1; "
                  "UPDATE directus_users SET password = '{}' WHERE rowid = 2; "
                  "UPDATE system_issues SET title = 'rotate {} today' WHERE rowid = 1;",
                  PlantedSecrets::kAwsKeyId, PlantedSecrets::Pem(), PlantedSecrets::kGithubToken));
  std::string before = f.DbRoot("clone.db");
  f.Refused("clone check",
            {"clone", "check", "sqlite:clone.db", "--production", ProductionFlag(f), "--json"}, {1},
            {"aws-access-key-id", "github-pat", "private-key-pem"});
  f.Refused("rehearse on it", Rehearse("sqlite:clone.db", {"--out", "out"}), {1},
            {"FAIL     secrets", "target: untouched"});
  std::string report = f.Read("out/rehearsal.json");
  f.Require(report.find(PlantedSecrets::kAwsKeyId) == std::string::npos &&
                report.find(PlantedSecrets::kGithubToken) == std::string::npos &&
                report.find(PlantedSecrets::kPemBody) == std::string::npos,
            "the rehearsal report holds a planted secret");
  f.Require(f.DbRoot("clone.db") == before, "the refused rehearsal changed the clone");
}

void SchemaMismatchIgnored(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  // The clone lost a table and a column: a rehearsal on it proves nothing about production.
  f.Sql("clone.db",
        "DROP TABLE system_issues; ALTER TABLE birth_registry DROP COLUMN payload_sha256;");
  f.Refused("clone check --schema",
            {"clone", "check", "sqlite:clone.db", "--schema", "fix7/schema.toml", "--production",
             ProductionFlag(f), "--json"},
            {1}, {"missing-table", "missing-column"});
  f.Refused("rehearse --schema",
            Rehearse("sqlite:clone.db", {"--schema", "fix7/schema.toml", "--out", "out"}), {1},
            {"FAIL     schema", "target: untouched"});
}

void UnknownTargetEngine(Fixture& f) {
  if (!f.WriteExamples()) return;
  std::string head = f.LedgerHead();
  f.Refused("rehearse on oracle:", Rehearse("oracle:prod", {"--out", "out"}), {2},
            {"unknown engine"});
  f.Refused("clone check of mysql:", {"clone", "check", "mysql://db/prod"}, {2},
            {"unknown engine"});
  f.Require(f.LedgerHead() == head && !fs::exists(f.Path("out")),
            "a refused rehearsal left a trace");
}

void UnreadableDatabase(Fixture& f) {
  std::string junk;
  for (int i = 0; i < 8192; ++i) junk += static_cast<char>((i * 131 + 7) % 251);
  f.Write("junk.db", junk);
  f.Refused("db hash of a file that is not a database", {"db", "hash", "sqlite:junk.db"}, {2},
            {"cannot read the database"});
  if (!f.MakeClone("clone.db")) return;
  std::error_code ec;
  fs::copy_file(f.Path("clone.db"), f.Path("cut.db"), ec);
  if (!ec) fs::resize_file(f.Path("cut.db"), 20000, ec);
  if (ec) {
    f.Broken("truncate: " + ec.message());
    return;
  }
  f.Refused("db hash of a truncated database", {"db", "hash", "sqlite:cut.db"}, {2}, {"malformed"});
  f.Refused("db diff against it", {"db", "diff", "sqlite:clone.db", "sqlite:cut.db"}, {2},
            {"malformed"});
}

void PasswordInTarget(Fixture& f) {
  if (!f.WriteExamples()) return;
  const std::string pw = "Pr0beTargetPw7";
  f.AddToken({ForbiddenToken::Kind::kLiteral, "a password typed in a target", pw});
  // Forms libpq reads (an unreachable server), forms it cannot read, no engine, and a command
  // line: none may print, write or record the password.
  const std::string uri = "postgresql://app:" + pw + "@/app?host=/nonexistent-prodgate-probe";
  f.Refused("db hash of an unreachable server", {"db", "hash", uri}, {2}, {"app:***@"});
  f.Refused("db hash of a keyword string libpq cannot parse",
            {"db", "hash", "postgresql:host=h password=" + pw + " dbname"}, {2},
            {"refused, and not shown"});
  f.Refused(
      "clone check naming an unparsable production",
      {"clone", "check", "sqlite:none.db", "--production", "p=postgresql://u:" + pw + "@[::1"}, {2},
      {"not shown"});
  f.Refused("rehearse on it", Rehearse(uri, {"--out", "out"}), {1}, {"cannot connect", "app:***@"});
  f.Refused("a grant bound to an unparsable target",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--target",
             "postgresql:" + pw, "--key", "keys/alice.pem"},
            {2}, {"not shown"});
  std::string head = f.LedgerHead();
  if (f.Issue({"--action", "apply", "--scope", "clone", "--target", uri}).empty()) return;
  f.Setup("gate run with a password in its target and its command",
          {"gate", "run", "--action", "apply", "--scope", "clone", "--target", uri, "--key",
           "keys/carol.pem", "--", "env", "PGPASSWORD=" + pw, "true"});
  // Every event, and the report files, go through the scan too.
  f.Setup("ledger export", {"ledger", "export"});
  f.Require(f.Read(".prodgate/ledger.db").find(pw) == std::string::npos,
            "the password is in the ledger file");
}

}  // namespace

std::vector<Probe> CloneProbes() {
  return {
      {{"clone_not_isolated", "clone", "a database without the clone marker table"},
       CloneNotIsolated,
       3},
      {{"clone_names_no_production", "clone", "a clone check that names no production at all"},
       CloneNamesNoProduction},
      {{"clone_points_to_production", "clone",
        "the configured production database as the target: directly, via a symlink, a ../ path, a "
        "hard link"},
       ClonePointsToProduction,
       4},
      {{"clone_contains_secrets", "clone",
        "an AWS key id, a GitHub token and a PEM private key planted in the clone"},
       CloneContainsSecrets,
       4},
      {{"schema_mismatch_ignored", "clone", "a clone missing a table and a column of the spec"},
       SchemaMismatchIgnored,
       3},
      {{"unknown_target_engine", "clone", "a target on an engine prodgate does not know"},
       UnknownTargetEngine},
      {{"unreadable_database", "clone", "a database that is junk, or truncated, hashed"},
       UnreadableDatabase},
      {{"password_in_target", "clone",
        "a password in targets (URI, keyword string, unparsable) and in gate run's command line"},
       PasswordInTarget,
       2},
  };
}

}  // namespace prodgate::probes
