#include "authority/lanes.h"

#include <fmt/format.h>

#include "authority/decisions.h"

namespace prodgate::authority {

Result<model::LaneState> OpenLane(model::Workspace& ws, const std::string& name,
                                  const std::string& decision, const std::string& option,
                                  const std::string& actor) {
  if (name.empty() || name.find_first_of(" \t\r\n/") != std::string::npos) {
    return Status::BadInput(fmt::format("lane name \"{}\" is not usable", name),
                            "use a name without spaces or '/', e.g. FIX7-P0-CLONE-REHEARSAL");
  }
  PG_ASSIGN_OR_RETURN(auto current, model::CurrentLane(ws));
  if (current) {
    return Status::BadInput(fmt::format("lane {} is open", current->name),
                            fmt::format("close it first: prodgate lane close", current->name));
  }

  PG_ASSIGN_OR_RETURN(model::DecisionState d, FindDecision(ws, decision));
  if (d.selected.empty()) {
    return Status::BadInput(
        fmt::format("decision {} has no selected option; a lane works under an owner's selection",
                    decision),
        fmt::format(
            "an owner selects one: prodgate decision select {} --option OPT --key OWNER_KEY",
            decision));
  }
  if (d.selected != option) {
    return Status::BadInput(
        fmt::format("decision {} selected {}, not {}", decision, d.selected, option),
        fmt::format("open the lane under --option {}", d.selected));
  }
  const model::DecisionOption* opt = d.spec.FindOption(option);
  if (opt == nullptr || opt->hold) {
    return Status::BadInput(
        fmt::format("option {} holds: it authorizes nothing to work under", option),
        "a lane needs an option that authorizes some work");
  }
  Json authority = Json::array();
  for (const auto& g : opt->grants) authority.push_back({{"action", g.action}, {"scope", g.scope}});
  Json lane = {
      {"name", name}, {"decision", decision}, {"option", option}, {"authority", authority}};
  auto appended =
      model::AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
        // Inside the append's transaction: one open lane, and one lane of a name, whatever runs
        // at the same time.
        PG_ASSIGN_OR_RETURN(auto open, txn.Get("workspace", "lane"));
        if (open && !open->value("name", "").empty()) {
          return Status::BadInput(fmt::format("lane {} is open", open->value("name", "")),
                                  "close it first: prodgate lane close");
        }
        PG_ASSIGN_OR_RETURN(auto existing, txn.Get("lanes", name));
        if (existing) {
          return Status::BadInput(fmt::format("lane \"{}\" existed before", name),
                                  "give the new lane its own name");
        }
        ledger::EventDraft e;
        e.actor = actor;
        e.kind = "lane.open";
        e.body = {{"lane", lane}};
        return e;
      });
  if (!appended.ok()) return appended.status();
  return model::FindLane(ws, name);
}

Result<model::LaneState> RecordLaneClose(model::Workspace& ws, const std::string& name,
                                         const Json& produced, const std::string& actor) {
  PG_ASSIGN_OR_RETURN(model::LaneState lane, model::FindLane(ws, name));
  if (!lane.open()) return Status::BadInput(fmt::format("lane {} is closed already", name));
  auto appended =
      model::AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
        PG_ASSIGN_OR_RETURN(auto now, txn.Get("lanes", name));
        if (now && now->value("closed_seq", int64_t{0}) != 0) {
          return Status::BadInput(fmt::format("lane {} was closed meanwhile", name));
        }
        ledger::EventDraft e;
        e.actor = actor;
        e.kind = "lane.close";
        e.body = {{"name", name}, {"close", produced}};
        return e;
      });
  if (!appended.ok()) return appended.status();
  return model::FindLane(ws, name);
}

}  // namespace prodgate::authority
