// Probes against the rehearsal: a change that proves nothing, a rollback that does not
// restore, a database error halfway, and a rehearsal that would overwrite evidence.
#include <fmt/format.h>

#include <filesystem>

#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Rehearse(const std::string& apply, const std::string& rollback,
                                  const std::string& out) {
  return {"rehearse",   "--target", "sqlite:clone.db", "--apply", apply,
          "--rollback", rollback,   "--out",           out};
}

// A workspace that names production, and a FIX7 clone; returns the clone's logical hash.
std::string CloneFixture(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return "";
  std::string root = f.DbRoot("clone.db");
  if (root.empty()) f.Broken("the clone has no logical hash");
  return root;
}

void ApplyDidNotMutate(Fixture& f) {
  std::string before = CloneFixture(f);
  if (before.empty()) return;
  f.Write("noop.sql", "SELECT count(*) FROM birth_registry;\n");
  f.Refused("rehearse a change that changes nothing", Rehearse("noop.sql", "noop.sql", "out"), {1},
            {"FAIL     after_apply", "changed nothing"});
  f.Require(f.DbRoot("clone.db") == before, "the clone was not restored");
}

void RollbackDidNotRestore(Fixture& f) {
  std::string before = CloneFixture(f);
  if (before.empty()) return;
  auto r = f.Refused("rehearse with a rollback that forgets one row",
                     Rehearse("fix7/apply.sql", "fix7/rollback_broken.sql", "out"), {1},
                     {"FAIL     after_rollback", "birth_registry", "target: restored"});
  if (!r) return;
  f.Require(f.DbRoot("clone.db") == before, "the clone was not restored");
  // The failed rehearsal is what the gate sees for that change in production.
  std::string change = RehearsedChange(r->out);
  if (change.empty()) {
    f.Broken("the rehearsal printed no change");
    return;
  }
  f.Refused("gate check for that change in production",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change},
            {1}, {"rehearsal_failed"});
}

void RehearsalDbError(Fixture& f) {
  std::string before = CloneFixture(f);
  if (before.empty()) return;
  // The apply ran; the rollback fails on its first statement.
  f.Write("rollback_error.sql", "DELETE FROM no_such_table;\n");
  f.Refused("rehearse with a rollback that errors",
            Rehearse("fix7/apply.sql", "rollback_error.sql", "out"), {1},
            {"FAIL     rollback", "no_such_table", "target: restored"});
  f.Require(f.DbRoot("clone.db") == before, "the clone was left half-applied");
}

void RehearsalOutDirNotEmpty(Fixture& f) {
  if (!f.WriteExamples() || !f.MakeClone("clone.db")) return;
  f.Write("evidence/rehearsal.json", "{\"verdict\":\"PASS\"}\n");
  std::string head = f.LedgerHead();
  std::string before = f.DbRoot("clone.db");
  f.Refused("rehearse into a directory that holds evidence",
            Rehearse("fix7/apply.sql", "fix7/rollback.sql", "evidence"), {2}, {"not empty"});
  f.Require(f.Read("evidence/rehearsal.json") == "{\"verdict\":\"PASS\"}\n",
            "the refused rehearsal overwrote evidence");
  f.Require(f.LedgerHead() == head, "the refused rehearsal changed the ledger");
  f.Require(f.DbRoot("clone.db") == before, "the refused rehearsal changed the clone");
}

}  // namespace

std::string RehearsedChange(const std::string& text) {
  const std::string prefix = "rehearsal of change ";
  size_t at = text.find(prefix);
  if (at == std::string::npos || text.size() < at + prefix.size() + 64) return "";
  return text.substr(at + prefix.size(), 64);
}

std::vector<Probe> RehearseProbes() {
  return {
      {{"apply_did_not_mutate", "rehearse", "a change whose apply script changes nothing"},
       ApplyDidNotMutate,
       3},
      {{"rollback_did_not_restore", "rehearse",
        "the FIX7 rollback that forgets TKT-OBJ-507, then the gate for that change"},
       RollbackDidNotRestore,
       3},
      {{"rehearsal_db_error", "rehearse", "a rollback that fails with an SQL error halfway"},
       RehearsalDbError,
       3},
      {{"rehearsal_out_dir_not_empty", "rehearse",
        "a rehearsal told to write where earlier evidence lies"},
       RehearsalOutDirNotEmpty},
  };
}

}  // namespace prodgate::probes
