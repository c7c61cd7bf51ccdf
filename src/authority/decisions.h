// Decisions (DESIGN.md §3.6): recording one, and an owner's signed selection of exactly
// one option, which issues that option's grants in the same ledger event.
#pragma once

#include <string>
#include <vector>

#include "authority/keys.h"
#include "model/decision.h"
#include "model/workspace.h"

namespace prodgate::authority {

// Reads a decision spec (TOML, or JSON when the file ends in .json), validates it and
// records it. Refuses an id that exists.
Result<model::DecisionState> NewDecision(model::Workspace& ws, const std::string& spec_path,
                                         const std::string& actor);

// The owner's selection of `option`: refused unless the key is a trusted owner, the
// decision exists and is not selected yet, and the option is one of its options. The grants
// of the option are issued (signed by the same owner) in the same event.
Result<model::DecisionState> SelectOption(model::Workspace& ws, std::string_view decision,
                                          std::string_view option, const PrivateKey& owner);

Result<model::DecisionState> FindDecision(model::Workspace& ws, std::string_view id);
Result<std::vector<model::DecisionState>> ListDecisions(model::Workspace& ws);

}  // namespace prodgate::authority
