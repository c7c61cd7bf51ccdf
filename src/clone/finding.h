// What a clone check reports: one outcome per check, with every finding of that check.
// A finding names the thing and the fix, and carries its location as data; it never
// carries a secret value.
#pragma once

#include <string>
#include <vector>

#include "core/canonical_json.h"

namespace prodgate::clone {

struct Finding {
  std::string rule;  // what was violated: "production-identity", "github-pat", "missing-column"…
  std::string message;          // one line, naming the thing
  std::string fix;              // what would make it right
  Json where = Json::object();  // structured location (table, column, key, offset, length…)
};

enum class CheckState { kPass, kFail, kNotRun };

struct CheckOutcome {
  std::string name;  // "isolation", "secrets", "schema"
  CheckState state = CheckState::kPass;
  std::vector<Finding> findings;
  Json facts = Json::object();  // what was examined (counts, rules, paths)
  std::string note;             // why it did not run, or what it could not see

  void Add(Finding f) {
    findings.push_back(std::move(f));
    state = CheckState::kFail;
  }
};

// "PASS", "FAIL", "NOT RUN"
std::string_view CheckStateName(CheckState s);

}  // namespace prodgate::clone
