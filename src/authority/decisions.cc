#include "authority/decisions.h"

#include <fmt/format.h>

#include "authority/grants.h"
#include "authority/trust.h"
#include "core/file_io.h"
#include "core/toml.h"
#include "model/blocker.h"

namespace prodgate::authority {

Result<model::DecisionState> NewDecision(model::Workspace& ws, const std::string& spec_path,
                                         const std::string& actor) {
  Json doc;
  if (spec_path.ends_with(".json")) {
    PG_ASSIGN_OR_RETURN(std::string text, ReadFile(spec_path, 1 << 20));
    PG_ASSIGN_OR_RETURN(doc, ParseJson(text, NumberPolicy::kIntegersOnly, spec_path));
  } else {
    PG_ASSIGN_OR_RETURN(doc, ReadTomlFile(spec_path));
  }
  auto spec = model::DecisionSpec::FromJson(doc, ws.config);
  if (!spec.ok()) return spec.status().WithContext(spec_path);
  auto appended =
      model::AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
        // Inside the append's transaction: two concurrent decisions of one id give one success.
        PG_ASSIGN_OR_RETURN(auto existing, txn.Get("decisions", spec->id));
        if (existing) {
          return Status::BadInput(fmt::format("decision \"{}\" exists already", spec->id),
                                  "give the new decision its own id");
        }
        ledger::EventDraft d;
        d.actor = actor;
        d.kind = "decision.new";
        d.body = {{"spec", spec->ToJson()}};
        return d;
      });
  if (!appended.ok()) return appended.status();
  return FindDecision(ws, spec->id);
}

Result<model::DecisionState> SelectOption(model::Workspace& ws, std::string_view decision,
                                          std::string_view option, const PrivateKey& owner) {
  PG_ASSIGN_OR_RETURN(model::DecisionState d, FindDecision(ws, decision));
  PG_ASSIGN_OR_RETURN(Trust trust, LoadTrust(ws));
  const TrustedKey* k = trust.Find(owner.Id());
  if (k == nullptr || k->role != Role::kOwner) {
    return RefusedForAuthority(
        ws, "refused.decision_select", {{"id", d.spec.id}, {"option", option}}, &owner,
        Status::BadInput(
            fmt::format("key {} is not a trusted owner; only an owner selects an option",
                        owner.Id()),
            "the owner selects with their own key: prodgate decision select ID --option OPT "
            "--key OWNER_KEY"));
  }
  if (!d.selected.empty()) {
    return Status::BadInput(fmt::format("decision {} is already selected: {} (by {})", d.spec.id,
                                        d.selected, d.selected_by),
                            "a selection is final; record a new decision to change course");
  }
  const model::DecisionOption* opt = d.spec.FindOption(option);
  if (opt == nullptr) {
    std::vector<std::string> ids;
    for (const auto& o : d.spec.options) ids.push_back(o.id);
    return Status::BadInput(fmt::format("decision {} has no option \"{}\"", d.spec.id, option),
                            fmt::format("choose exactly one of: {}", fmt::join(ids, ", ")));
  }
  for (const auto& id : opt->closes) {
    PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("blockers", id));
    if (!doc) {
      return Status::BadInput(
          fmt::format("option {} closes blocker {}, which does not exist", opt->id, id),
          "list blockers with `prodgate blocker list`");
    }
    PG_ASSIGN_OR_RETURN(model::Blocker b, model::Blocker::FromJson(*doc));
    if (!b.open() || b.category != "needs-owner-decision") {
      return Status::BadInput(
          fmt::format("option {} closes blocker {}, which is {} and {}: only an open "
                      "needs-owner-decision blocker closes by a selection",
                      opt->id, id, b.status, b.category.empty() ? "uncategorized" : b.category),
          "record a new decision whose option names the open owner-decision blockers");
    }
  }
  std::string at = ledger::NowUtc();
  PG_ASSIGN_OR_RETURN(std::string bytes, model::SelectionBytes(d.spec.id, opt->id, at));
  PG_ASSIGN_OR_RETURN(std::string sig, owner.Sign(bytes));
  Json grants = Json::array();
  std::vector<ActionScope> pairs;
  for (const auto& og : opt->grants) {
    GrantRequest r;
    r.action = og.action;
    r.scope = og.scope;
    r.change = og.change;
    r.target = og.target;
    r.uses = og.uses;
    r.expires_in = og.expires;
    r.decision = d.spec.id;
    r.option = opt->id;
    PG_ASSIGN_OR_RETURN(Json g, PrepareGrant(ws, r, owner, trust));
    grants.push_back(std::move(g));
    pairs.emplace_back(og.action, og.scope);
  }
  PG_ASSIGN_OR_RETURN(auto closed_by_grant, BlockersClosedByGrants(ws, pairs));
  for (size_t i = 0; i < grants.size(); ++i) {
    if (!closed_by_grant[i].empty()) grants[i]["closes"] = closed_by_grant[i];
  }
  Json body = {
      {"id", d.spec.id}, {"option", opt->id}, {"at", at}, {"sig", sig}, {"grants", grants}};
  if (!opt->closes.empty()) body["closes"] = opt->closes;
  auto appended =
      model::AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
        PG_ASSIGN_OR_RETURN(auto now, txn.Get("decisions", d.spec.id));
        if (now && !now->value("selected", "").empty()) {
          return Status::BadInput(fmt::format("decision {} was selected meanwhile: {}", d.spec.id,
                                              now->value("selected", "")),
                                  "a selection is final; record a new decision to change course");
        }
        return SignedDraft(owner, "decision.select", body);
      });
  if (!appended.ok()) return appended.status();
  return FindDecision(ws, d.spec.id);
}

Result<model::DecisionState> FindDecision(model::Workspace& ws, std::string_view id) {
  PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("decisions", id));
  if (!doc) {
    return Status::BadInput(fmt::format("no decision \"{}\"", id),
                            "list them with `prodgate decision list`");
  }
  return model::DecisionState::FromJson(*doc, ws.config);
}

Result<std::vector<model::DecisionState>> ListDecisions(model::Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("decisions"));
  std::vector<model::DecisionState> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(model::DecisionState s, model::DecisionState::FromJson(d, ws.config));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace prodgate::authority
