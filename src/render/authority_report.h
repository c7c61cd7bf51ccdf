// Renderings of the authority half: gate decisions, blockers, grants, decisions (the
// Markdown packet of seed 004), the ledger, the trust and id reservations.
#pragma once

#include <string>
#include <vector>

#include "authority/anchor.h"
#include "authority/gate.h"
#include "authority/ledger_audit.h"
#include "authority/trust.h"
#include "authority/verified_ledger.h"
#include "core/status.h"
#include "ledger/event.h"
#include "model/blocker.h"
#include "model/decision.h"
#include "model/grant.h"
#include "model/ids.h"

namespace prodgate::render {

// Canonical JSON of `j` plus a newline, with the tool's identity added to objects.
Result<std::string> JsonDocument(Json j);

std::string GateText(const authority::GateDecision& d);

std::string BlockerListText(const std::vector<model::Blocker>& blockers);
std::string BlockerText(const model::Blocker& b);

std::string GrantListText(const std::vector<model::GrantState>& grants);
std::string GrantText(const model::GrantState& g);

std::string DecisionListText(const std::vector<model::DecisionState>& ds);
// The decision packet: what it is, what changed, the options (exactly one, default HOLD),
// the preconditions table from the live blockers that hold the spec's precondition gates,
// the recommendation; selected options are shown with who selected them.
std::string DecisionMarkdown(const model::DecisionState& d,
                             const std::vector<model::Blocker>& blockers,
                             const model::Config& config);

std::string LedgerLogText(const std::vector<ledger::Event>& events);
std::string LedgerAuditText(const authority::LedgerAudit& a);
Json LedgerAuditJson(const authority::LedgerAudit& a);
std::string AnchorReportText(const authority::AnchorReport& r);
Json AnchorReportJson(const authority::AnchorReport& r);
// The keys in force, then the proposals that wait for owners' signatures.
std::string TrustText(const authority::Trust& t,
                      const std::vector<authority::TrustProposal>& proposals);
std::string IdsText(const model::IdState& s);

}  // namespace prodgate::render
