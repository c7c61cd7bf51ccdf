// `prodgate clone check`: is this database a clone that is safe to rehearse on?
// (DESIGN.md §3.8). Three checks, each reported with every finding:
//
//   isolation  the target is not a production database (isolation.h), and it carries the
//              prodgate_clone marker with valid provenance;
//   secrets    no credential in any value, schema object or (with raw_file) file byte
//              (secret_check.h);
//   schema     the tables, columns, types and keys of the schema spec (schema_spec.h); not
//              run when no spec is given.
//
// The verdict passes only when every check that ran passed. Bad input (an unparsable target
// or spec, an unreadable database, a zero-rule scanner) is a failed Status: never a verdict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clone/finding.h"
#include "clone/isolation.h"
#include "clone/schema_spec.h"
#include "clone/secret_rules.h"
#include "core/status.h"

namespace prodgate::clone {

inline constexpr std::string_view kCloneCheckFormat = "prodgate.clone-check/1";

struct CloneCheckOptions {
  std::vector<ProductionIdentity> production;
  std::optional<std::string> schema_spec;  // path of a prodgate.schema/1 TOML file
  bool raw_file = false;
  std::vector<SecretRule> rules = DefaultSecretRules();
};

struct CloneCheckReport {
  std::string target;
  bool pass = false;
  std::vector<CheckOutcome> checks;  // isolation, secrets, schema
};

Result<CloneCheckReport> CheckClone(std::string_view target, const CloneCheckOptions& options);

}  // namespace prodgate::clone
