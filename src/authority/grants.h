// Issuing, co-signing and revoking grants (DESIGN.md §3.6). Every rule is checked before the
// ledger is touched; a refusal writes nothing.
//
// Rules: action and scope known to the config; a change is a 64-hex seal root; signers are
// trusted owners with the right to grant the action, each signs at most once, and none of
// them is the requester; the window is not empty; every required blocker exists. By default
// a grant requires closed every blocker that holds its (action, scope) when it is issued.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authority/keys.h"
#include "authority/trust.h"
#include "model/grant.h"
#include "model/workspace.h"

namespace prodgate::authority {

struct GrantRequest {
  std::string action, scope, change, target;
  int64_t uses = 1;
  std::string expires_in = "24h";                           // duration from not_before
  std::string not_before;                                   // RFC 3339; default now
  std::string expires_at;                                   // RFC 3339; overrides expires_in
  std::optional<std::vector<std::string>> requires_closed;  // default: blockers holding it
  std::string requester;                                    // key id, optional
  std::string decision, option;                             // set by decision select
};

Result<model::GrantState> IssueGrant(model::Workspace& ws, const GrantRequest& request,
                                     const PrivateKey& owner);

// Checks a request and signs its terms without writing anything: the body of a grant.issue
// event, {"id","terms","signatures"}. Decision selections embed these in their own event.
Result<Json> PrepareGrant(model::Workspace& ws, const GrantRequest& request,
                          const PrivateKey& owner, const Trust& trust);
Result<model::GrantState> SignGrant(model::Workspace& ws, std::string_view id,
                                    const PrivateKey& owner);
Result<model::GrantState> RevokeGrant(model::Workspace& ws, std::string_view id,
                                      const PrivateKey& owner, const std::string& reason);

// Finds a grant by id or a unique prefix of at least 8 hex digits.
Result<model::GrantState> FindGrant(model::Workspace& ws, std::string_view id);
Result<std::vector<model::GrantState>> ListGrants(model::Workspace& ws);

// The open needs-grant blockers that grants for `pairs` (action, scope) close, each listed
// under the first pair it is closed by: a blocker is closed when one of its gate labels holds
// one of the pairs and every one of its labels holds some grant, an issued one not revoked
// or one of `pairs` (FIX7-P0-PLAN-SEPARATE-AUTH-1 "each need separate authorization" closes
// with the last of its per-action grants).
using ActionScope = std::pair<std::string, std::string>;
Result<std::vector<std::vector<std::string>>> BlockersClosedByGrants(
    model::Workspace& ws, const std::vector<ActionScope>& pairs);

// Blocker ids whose gates hold (action, scope), open or closed.
Result<std::vector<std::string>> BlockersHolding(model::Workspace& ws, std::string_view action,
                                                 std::string_view scope);

// The blockers whose evidence is `tag` ("grant:ID", "decision:ID:OPTION"): what a grant or
// a selection closed.
Result<std::vector<std::string>> BlockersClosedBy(model::Workspace& ws, const std::string& tag);

}  // namespace prodgate::authority
