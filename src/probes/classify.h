// How one refusal is judged (the probe suite's own rules, probes/probes.h).
//
// A probe runs a command an attacker or a careless user would run and states what prodgate
// must do: exit with one of the refusal codes (never 0) and name the problem — every reason
// must appear in its stdout or stderr. What it observed is classified:
//   - FAILED_CLOSED: the exit code is an expected refusal code and every reason is named;
//   - LEAKED: the command was let through (exit 0), exited with another code, left out a
//     reason (refused for the wrong reason), or printed a forbidden token.
// Forbidden tokens are the secrets the probes plant, private key material, and an ALLOW for
// a production scope; a report names which one leaked, never the token itself.
#pragma once

#include <string>
#include <vector>

namespace prodgate::probes {

struct ForbiddenToken {
  enum class Kind {
    kLiteral,          // these exact bytes
    kProductionAllow,  // the gate's ALLOW for a scope named production*, as text or JSON
  };
  Kind kind = Kind::kLiteral;
  std::string name;   // what it is, for reports ("planted AWS access key id")
  std::string bytes;  // kLiteral only; never printed
};

// The names of the tokens that occur in `text`, in the order of `tokens`, each once.
std::vector<std::string> FindForbidden(const std::string& text,
                                       const std::vector<ForbiddenToken>& tokens);

// True iff `text` shows the gate allowing an action in a production scope: a text line
// "ALLOW <action> in production…" or a JSON gate decision with verdict ALLOW and a scope
// that starts with "production".
bool ShowsProductionAllow(const std::string& text);

struct Expectation {
  std::vector<int> exit_codes;       // the refusal codes allowed (1 HOLD/FAIL, 2, 3); never 0
  std::vector<std::string> reasons;  // each must appear in stdout or stderr
};

struct Observation {
  int exit_code = -1;
  std::string out, err;
};

struct Classification {
  bool failed_closed = false;
  std::string detail;  // one line: what was observed, or what leaked
};

Classification Classify(const Expectation& expect, const Observation& seen,
                        const std::vector<ForbiddenToken>& tokens);

}  // namespace prodgate::probes
