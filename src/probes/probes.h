// `prodgate probes`: the fail-closed probe suite (DESIGN.md §4, issue 7).
//
// Each probe plays an attacker or a careless user against the product as a user meets it:
// it builds its own scratch fixture (a fresh directory under one run directory in $TMPDIR,
// removed afterwards), runs the real binary (this very executable) with the commands such a
// person would type, and asserts that prodgate refuses — the right non-zero exit code and
// the message or reason code that names the problem (probes/classify.h) — and, where it
// matters, that nothing changed (the ledger head, the target database, no command ran).
// Result per probe: FAILED_CLOSED, or LEAKED (let through, refused for the wrong reason, a
// fixture that could not be built, or a forbidden token printed).
//
// A control — the valid case: a rehearsal that passes on an isolated clone, a grant for a
// non-production scope, gate check and gate run — must be ALLOWED, or the refusals prove
// nothing. It runs with every suite, `--only` included.
//
// Every output (stdout and stderr of every command, setup included, of every probe and of
// the control) is scanned for forbidden tokens: the fake secrets the probes plant, the
// private key material of every key the suite made, and an ALLOW for a production scope.
//
// Workspaces: the suite makes one (init, four keys, trust) and each probe starts from a
// copy of it in its own directory, so that `init` (which hashes the tool) runs once.
// Probes run on every core; the verdict does not depend on their order.
#pragma once

#include "model/workspace.h"

#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::probes {

struct ProbeInfo {
  std::string name;    // e.g. "clone_not_isolated"
  std::string module;  // the module whose rule it tries to break: seal, ledger, authority…
  std::string attack;  // one line: what the attacker or careless user does
};

// Every probe, in report order.
const std::vector<ProbeInfo>& ProbeList();

struct ProbeResult {
  ProbeInfo info;
  bool failed_closed = false;
  std::string detail;  // one line
  double seconds = 0;
  int outputs = 0;  // command outputs scanned
};

struct TokenLeak {
  std::string where;    // probe name, or "control"
  std::string token;    // the token's name, never its bytes
  std::string command;  // the command whose output held it
};

struct SuiteReport {
  std::vector<ProbeResult> probes;
  bool control_allowed = false;
  std::string control_detail;
  int outputs_scanned = 0;
  std::vector<TokenLeak> leaks;
  double seconds = 0;

  // PASS iff every probe failed closed, the control was allowed and no token leaked.
  bool pass() const;
  Json ToJson() const;       // {"verdict", "probes", "control", "forbidden_token_scan", …}
  std::string Text() const;  // a table, the control, the scan, the verdict
};

struct SuiteOptions {
  std::string only;      // run this probe alone (and the control); empty: all
  unsigned workers = 0;  // 0: one per core
};

// Bad input (an unknown --only name) is a failed Status; so is a run directory that cannot
// be made, or a template workspace that cannot be built (internal). Probe results are in
// the report.
Result<SuiteReport> RunProbes(const SuiteOptions& options);

// Appends probes.result (subject "probes"): the verdict and the counts. Lane reports derive
// bad_inputs_fail_closed from the last one in the lane.
Result<int64_t> RecordProbes(model::Workspace& ws, const SuiteReport& report,
                             const std::string& actor);

}  // namespace prodgate::probes
