// Decisions (DESIGN.md §3.6; compare seed 004): a question for an owner with options,
// exactly one default which holds (issues nothing), and `selected` empty until an owner signs
// the selection of exactly one option. An option may carry the grants it issues.
#pragma once

#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"
#include "model/config.h"

namespace prodgate::model {

struct OptionGrant {
  std::string action, scope, change, target;
  int64_t uses = 1;
  std::string expires = "24h";  // a duration from the selection
};

struct DecisionOption {
  std::string id;
  std::string summary;
  bool is_default = false;
  bool hold = false;  // selecting it authorizes nothing
  std::vector<OptionGrant> grants;
  // The needs-owner-decision blockers selecting it closes (each open when it is selected).
  std::vector<std::string> closes;
};

struct DecisionSpec {
  std::string id;
  std::string title;
  std::string summary;
  std::vector<std::string> changes;  // "What changed (this lane)"
  std::string recommendation;
  // Gate labels whose blockers the preconditions table lists; empty: every blocker.
  std::vector<std::string> precondition_gates;
  std::vector<DecisionOption> options;

  Json ToJson() const;
  // Validates against the config: unique option ids, exactly one default, the default holds
  // and issues nothing, every grant's action and scope known, durations valid.
  static Result<DecisionSpec> FromJson(const Json& j, const Config& config);
  const DecisionOption* FindOption(std::string_view id) const;
};

// A decision as the ledger knows it (projection "decisions").
struct DecisionState {
  DecisionSpec spec;
  std::string selected;  // "" until selected
  std::string selected_by, selected_at, selection_sig;
  std::vector<std::string> grants_issued;

  Json ToJson() const;
  static Result<DecisionState> FromJson(const Json& j, const Config& config);
};

// The bytes an owner signs to select `option` of `decision`.
Result<std::string> SelectionBytes(std::string_view decision, std::string_view option,
                                   std::string_view at);

}  // namespace prodgate::model
