// The workspace configuration, `.prodgate/config.toml` (format "prodgate.config/1").
//
// It names the actions and scopes gates know, the gate labels a blocker's `blocks` may use
// and the (action, scope) pairs each label holds, the free-text blocker categories of
// imported maps and the category each means, the owner-signature threshold per action, and
// the production identities a clone must never be. Unknown names anywhere are refused:
// nothing is held or released by a name prodgate does not know.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::model {

inline constexpr std::string_view kConfigFormat = "prodgate.config/1";

// Blocker categories (DESIGN.md §3.5): engineering, or one that needs a human.
inline constexpr const char* kEngineering = "engineering";
inline constexpr const char* kHumanCategories[] = {
    "needs-live-production-read", "needs-ci-adoption",  "needs-real-data", "needs-grant",
    "needs-owner-decision",       "needs-data-handoff",
};
bool IsKnownCategory(std::string_view category);
bool IsHumanCategory(std::string_view category);

// One (action, scope) pattern a gate label holds; "*" matches any.
struct GateRule {
  std::string action = "*";
  std::string scope = "*";
  bool Matches(std::string_view a, std::string_view s) const;
};

struct ProductionIdentity {
  std::string name;
  std::string target;             // "sqlite:/path" or a PostgreSQL URI / keyword string
  std::string system_identifier;  // PostgreSQL only, optional
};

// Who may do what, by role name (authority/keys.h: owner, operator, ci, agent).
struct AuthorityRules {
  // Roles whose signature on a rehearsal counts for production; never the agent.
  std::vector<std::string> attest = {"operator", "owner", "ci"};
  // Scope → roles that may run `gate run` in it. A scope not named: any trusted key, or none.
  std::map<std::string, std::vector<std::string>> execute = {{"production", {"operator", "ci"}}};
  // The prodgate binary the gate answers from (SHA-256 hex of the file), or "" (not pinned).
  std::string tool_sha256;

  bool MayAttest(std::string_view role) const;
  // True when `role` may execute in `scope` (always when the scope names no roles).
  bool MayExecute(std::string_view scope, std::string_view role) const;
  bool ExecuteRestricted(std::string_view scope) const { return execute.count(std::string(scope)); }
};

struct Config {
  std::vector<std::string> actions;
  std::vector<std::string> scopes;
  std::map<std::string, std::vector<GateRule>> gates;  // label → rules
  std::map<std::string, std::string> categories;       // free-text phrase → category
  int default_threshold = 1;
  std::map<std::string, int> thresholds;  // action → owner signatures required
  std::vector<ProductionIdentity> production;
  AuthorityRules authority;

  bool KnownAction(std::string_view a) const;
  bool KnownScope(std::string_view s) const;
  bool KnownGate(std::string_view label) const { return gates.count(std::string(label)) > 0; }
  // True when the gate `label` holds (action, scope).
  bool GateHolds(std::string_view label, std::string_view action, std::string_view scope) const;
  int Threshold(std::string_view action) const;

  // A blocker's free-text `blocks` value as gate labels: a parenthetical remark is dropped
  // ("production-ci (NOT clone rehearsal)" → "production-ci") and "a/b/c" is split when each
  // part is a label. An unknown label is refused, naming it and the fix.
  Result<std::vector<std::string>> ResolveGateLabels(std::string_view raw) const;
  // A category as written in a map: a known category, or a phrase listed in [categories].
  Result<std::string> ResolveCategory(std::string_view raw) const;
};

// Validates a parsed config.toml (ParseToml). Every problem is listed.
Result<Config> ParseConfig(const Json& doc, std::string_view name);
Result<Config> LoadConfig(const std::string& path);

// The config `prodgate init` writes: every action, scope and gate the seeds name.
std::string DefaultConfigToml();

}  // namespace prodgate::model
