// The rollback rehearsal (DESIGN.md §3.7–§3.8): apply a change and its rollback on an
// isolated, secret-free clone and prove, by logical hash, that the rollback restored the
// data row for row. The result feeds the gate: a production action on change C needs the
// last rehearsal of C to have passed (authority/gate.cc).
//
// The steps, in order; the first FAIL among the gating steps stops the run (nothing after
// it touches the target), and whatever ran is restored from the snapshot:
//
//   change            apply and rollback are copied into OUT/change/ and sealed there; the
//                     seal root of that tree is the change digest, the name the gate uses
//   isolation         clone/ isolation: not a production identity, clone marker present
//   secrets           clone/ secret scan of every value
//   schema            clone/ schema spec (SKIPPED without --schema)
//   snapshot          the whole target copied to OUT/.snapshot (db Snapshot)
//   before            logical hash of the target
//   apply             the apply script, on its own connection
//   after_apply       logical hash; PASS when it differs from before (a change that changes
//                     nothing proves nothing about its rollback)
//   rollback          the rollback script, on a fresh connection
//   after_rollback    logical hash; PASS when its root equals before's. Sequences are
//                     reported apart and never make it fail. On FAIL the row-level diff
//                     against the snapshot is in the report.
//   reapply           (--reapply) apply again: after_apply's hash again; then rollback again:
//                     before's hash again
//   negative_control  the comparator must FAIL on bad rollbacks: (1) no rollback (the state
//                     after apply) differs from before; (2) the rollback plus one row deleted
//                     from a keyed table (the row with the smallest key) differs from before;
//                     (3) with --broken-rollback, apply + that script differs from before.
//                     PASS when every control failed as it must.
//   snapshot_restore  the target restored from the snapshot; its hash equals before
//
// Verdict PASS when every step that ran passed and none that must run was skipped.
// Exit semantics (cli): 0 PASS, 1 FAIL, 2 bad input (no step ran on the target).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "clone/isolation.h"
#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::rehearse {

inline constexpr std::string_view kRehearsalFormat = "prodgate.rehearsal/1";

struct RehearsalSpec {
  std::string target;           // "sqlite:PATH" or a PostgreSQL target
  std::string apply;            // path of the apply script
  std::string rollback;         // path of the rollback script
  std::string schema;           // optional schema spec (TOML)
  std::string broken_rollback;  // optional: a rollback known to be wrong (a third control)
  bool reapply = false;
  std::string out;  // the output directory: created; refused when it exists and is not empty
  std::vector<clone::ProductionIdentity> production;
  std::function<void(const std::string& step)> on_step;  // progress, may be empty
};

struct Step {
  std::string name;
  std::string verdict;  // "PASS", "FAIL", "SKIPPED"
  std::string detail;
  int64_t milliseconds = 0;
  Json facts = Json::object();
};

struct RehearsalReport {
  std::string change;  // seal root of OUT/change (hex)
  std::string target;
  std::string verdict;                              // "PASS" or "FAIL"
  std::string before, after_apply, after_rollback;  // logical hash roots (hex), "" if not taken
  std::vector<Step> steps;
  Json clone_check = Json::object();
  Json rollback_diff;         // the row-level diff when after_rollback failed
  std::string restored;       // what became of the target: "restored", "untouched", or the problem
  std::string out;            // absolute path of OUT
  std::string report_sha256;  // of OUT/rehearsal.json as written

  Json ToJson() const;
};

// Runs the rehearsal and writes OUT/rehearsal.json. A failed Status means bad input found
// before the target was touched (unparsable target, missing script, OUT not empty); every
// later problem is a FAIL step in the report.
Result<RehearsalReport> Rehearse(const RehearsalSpec& spec);

}  // namespace prodgate::rehearse

namespace prodgate::model {
struct Workspace;
struct Config;
}  // namespace prodgate::model

namespace prodgate::rehearse {

// While a lane is open, a rehearsal runs only when the lane's option authorizes
// (rehearse, clone). Returns why not, or "" when it may run.
Result<std::string> LaneRefusal(model::Workspace& ws);

// Where a rehearsal writes without --out: .prodgate/rehearsals/<UTC time>-<pid>.
std::string DefaultOutDir(const model::Workspace& ws);

// The production identities of the workspace config ([[production]]); a relative SQLite
// path is taken relative to the workspace root.
std::vector<clone::ProductionIdentity> ProductionIdentities(const model::Workspace& ws);

// Appends rehearsal.result: the change, the
// verdict, the three hashes, every step's verdict, the report's digest and where it is. The
// gate reads the last one per change. Returns the event's sequence number.
// `sign`, when set, signs the event as `actor` (a key id): the gate counts only a signed
// rehearsal, by a trusted key, towards a production action.
Result<int64_t> RecordRehearsal(
    model::Workspace& ws, const RehearsalReport& report, const std::string& actor,
    const std::function<Result<std::string>(std::string_view preimage)>& sign = {});

}  // namespace prodgate::rehearse
