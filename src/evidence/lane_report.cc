#include "evidence/lane_report.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "model/blocker_map.h"
#include "model/blocker_ops.h"

namespace prodgate::evidence {
namespace {

const std::set<std::string> kReadOnly = {"dryrun", "realrun_precheck", "live_read"};

struct LaneFacts {
  bool production_mutation = false, live_production_contact = false, real_run = false,
       qt001 = false, cutover = false, ci_deploy = false, secrets_changed = false;
  // violations: actions run outside the lane's authority; refusals: attempts prodgate
  // refused for want of authority (refused.* events), which ran nothing.
  std::vector<Json> intents, violations, refusals, rehearsals, evidence, probes, grants, decisions;
  std::map<std::string, Json> last_rehearsal;  // change → last rehearsal.result body
  std::vector<std::string> closed, design_delivered, partially_discharged, reopened;
};

Result<LaneFacts> Collect(model::Workspace& ws, const model::LaneState& lane) {
  LaneFacts f;
  PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
  int64_t last = lane.open() ? head.seq : lane.closed_seq;
  std::map<std::string, int> exit_codes;  // intent hash → exit code
  PG_RETURN_IF_ERROR(ws.ledger->ForEachEvent(lane.opened_seq, last, [&](const ledger::Event& e) {
    const Json& b = e.body;
    if (e.kind == "action.intent") {
      std::string action = b.value("action", ""), scope = b.value("scope", "");
      Json intent = {{"seq", e.seq},
                     {"action", action},
                     {"scope", scope},
                     {"change", b.value("change", "")},
                     {"grant", b.value("grant", "")},
                     {"intent", ToHex(e.hash)}};
      bool production = scope == "production";
      f.production_mutation |= production && !kReadOnly.count(action);
      f.live_production_contact |= production || scope == "production-ci";
      f.real_run |= action == "real_run";
      f.qt001 |= action == "qt001";
      f.cutover |= action == "cutover";
      f.ci_deploy |= action == "ci_deploy" && (production || scope == "production-ci");
      f.secrets_changed |= action == "secrets_change";
      if (!lane.Authorizes(action, scope)) f.violations.push_back(intent);
      f.intents.push_back(intent);
    } else if (e.kind == "action.finish") {
      for (auto& i : f.intents) {
        if (i["intent"] == b.value("intent", ""))
          i["exit_code"] = b.value("exit_code", int64_t{-1});
      }
    } else if (e.kind.starts_with("refused.")) {
      Json r = {{"seq", e.seq}, {"kind", e.kind}, {"actor", e.actor}, {"refused", true}};
      for (const char* k : {"action", "scope", "id", "option", "codes", "reason"}) {
        if (b.contains(k)) r[k] = b[k];
      }
      f.refusals.push_back(std::move(r));
    } else if (e.kind == "trust.update") {
      f.secrets_changed = true;
    } else if (e.kind == "rehearsal.result") {
      f.rehearsals.push_back(b);
      f.last_rehearsal[b.value("change", "")] = b;
    } else if (e.kind == "evidence.add") {
      f.evidence.push_back({{"root", b.value("root", "")}, {"dir", b.value("dir", "")}});
    } else if (e.kind == "probes.result") {
      f.probes.push_back(b);
    } else if (e.kind == "grant.issue") {
      f.grants.push_back({{"id", b.value("id", "")},
                          {"action", b["terms"].value("action", "")},
                          {"scope", b["terms"].value("scope", "")}});
    } else if (e.kind.starts_with("decision.")) {
      f.decisions.push_back(
          {{"kind", e.kind},
           {"id", b.value("id", b.value("spec", Json::object()).value("id", ""))}});
    } else if (e.kind == "blocker.close") {
      f.closed.push_back(b.value("id", ""));
    } else if (e.kind == "blocker.reopen") {
      f.reopened.push_back(b.value("id", ""));
    } else if (e.kind == "blocker.update") {
      std::string status = b.value("changes", Json::object()).value("status", "");
      if (status == "OPEN_DESIGN_DELIVERED") f.design_delivered.push_back(b.value("id", ""));
      if (status == "OPEN_PARTIALLY_DISCHARGED")
        f.partially_discharged.push_back(b.value("id", ""));
    }
    return Status::Ok();
  }));
  return f;
}

// "PASS"/"FAIL" of a step in a rehearsal.result body, or "" when absent.
std::string StepVerdict(const Json& rehearsal, const std::string& step) {
  for (const auto& s : rehearsal.value("steps", Json::array())) {
    if (s.value("name", "") == step) return s.value("verdict", "");
  }
  return "";
}

}  // namespace

Result<Json> ComputeLaneReport(model::Workspace& ws, const model::LaneState& lane) {
  PG_ASSIGN_OR_RETURN(LaneFacts f, Collect(ws, lane));
  PG_ASSIGN_OR_RETURN(std::vector<model::Blocker> blockers, model::ListBlockers(ws));
  model::BlockerSummary summary = model::Summarize(blockers);

  bool production = f.production_mutation || f.real_run || f.qt001 || f.cutover || f.ci_deploy;
  bool any_fail = false, any_pass = false;
  for (const auto& [change, r] : f.last_rehearsal) {
    (r.value("verdict", "") == "PASS" ? any_pass : any_fail) = true;
  }
  std::string outcome = !f.violations.empty() ? "AUTHORITY_VIOLATED"
                        : production          ? "PRODUCTION_TOUCHED"
                        : any_fail            ? "REHEARSAL_FAILED"
                        : any_pass            ? "REHEARSAL_PASSED_NOT_APPLIED"
                                              : "NO_REHEARSAL_NOT_APPLIED";
  std::string final_status = lane.name + "_" + outcome;
  for (char& c : final_status) {
    if (c == '-') c = '_';
  }

  // Rehearsal workstream: the last result per change; self-check lines need all to agree.
  auto all_steps = [&](const std::string& step) -> Json {
    if (f.last_rehearsal.empty()) return "N/A_NO_REHEARSAL";
    for (const auto& [change, r] : f.last_rehearsal) {
      if (StepVerdict(r, step) != "PASS") return false;
    }
    return true;
  };
  Json rehearsal_ws = Json::array();
  for (const auto& [change, r] : f.last_rehearsal) {
    rehearsal_ws.push_back({{"change", change},
                            {"target", r.value("target", "")},
                            {"verdict", r.value("verdict", "")},
                            {"before_hash", r.value("before", "")},
                            {"after_apply_hash", r.value("after_apply", "")},
                            {"after_rollback_hash", r.value("after_rollback", "")},
                            {"report_sha256", r.value("report_sha256", "")}});
  }
  Json probes =
      f.probes.empty() ? Json("N/A_NOT_RUN") : Json(f.probes.back().value("verdict", "") == "PASS");
  Json self_check = {
      {"avoided_production_mutation", !f.production_mutation},
      {"avoided_live_production_contact", !f.live_production_contact},
      {"avoided_real_run_qt001_cutover", !(f.real_run || f.qt001 || f.cutover)},
      {"avoided_ci_deploy_trigger", !f.ci_deploy},
      {"avoided_secrets_change", !f.secrets_changed},
      {"stayed_within_lane_authority", f.violations.empty() && f.refusals.empty()},
      {"clone_isolation_proven", all_steps("isolation")},
      {"clone_secret_free", all_steps("secrets")},
      {"after_apply_differs_from_before", all_steps("after_apply")},
      {"rollback_restores_expected_state", all_steps("after_rollback")},
      {"snapshot_restore_proven", all_steps("snapshot_restore")},
      {"negative_control_fails_closed", all_steps("negative_control")},
      {"bad_inputs_fail_closed", probes},
  };
  std::string next;
  if (summary.open_count == 0) {
    next = "no blocker is open: an owner may decide on a production option, with its own grants";
  } else if (summary.decision_next) {
    std::set<std::string> actors;
    for (const auto& b : blockers) {
      if (b.open()) actors.insert(b.actor_needed.begin(), b.actor_needed.end());
    }
    next = fmt::format("{} decision (default HOLD): every open blocker needs a human ({})",
                       fmt::join(actors, "/"), summary.conclusion);
  } else {
    next = summary.conclusion;
  }
  // Every attempt beyond authority: the actions that ran (refused: false) and those refused.
  Json violations = Json::array();
  for (auto v : f.violations) {
    v["refused"] = false;
    violations.push_back(std::move(v));
  }
  for (const auto& r : f.refusals) violations.push_back(r);
  return Json{{"format", "prodgate.lane-report/1"},
              {"lane", lane.name},
              {"delegated_decision_consumed", lane.option},
              {"decision", lane.decision},
              {"opened_at", lane.opened_at},
              {"final_status", final_status},
              {"production_mutation", f.production_mutation},
              {"live_production_contact", f.live_production_contact},
              {"real_run", f.real_run},
              {"qt001", f.qt001},
              {"cutover", f.cutover},
              {"production_ci_deploy_triggered", f.ci_deploy},
              {"secrets_changed", f.secrets_changed},
              {"actions", f.intents},
              {"authority_violations", violations},
              {"workstream_rehearsal", rehearsal_ws},
              {"workstream_evidence", f.evidence},
              {"workstream_grants", f.grants},
              {"workstream_decisions", f.decisions},
              {"workstream_probes", f.probes.empty() ? Json("N/A_NOT_RUN") : f.probes.back()},
              {"production_blocker_map",
               {{"open_count", summary.open_count},
                {"engineering_blockers_remaining", summary.engineering_open.size()},
                {"newly_closed", f.closed},
                {"design_delivered", f.design_delivered},
                {"partially_discharged", f.partially_discharged}}},
              {"self_check", self_check},
              {"next_macro", next}};
}

Result<Json> RefreshedBlockerMap(model::Workspace& ws, const model::LaneState& lane,
                                 const Json& report) {
  PG_ASSIGN_OR_RETURN(std::vector<model::Blocker> blockers, model::ListBlockers(ws));
  model::BlockerSummary summary = model::Summarize(blockers);
  Json map = model::ExportJson(blockers, Json::object());
  std::vector<std::string> carried;
  for (const auto& b : blockers) {
    if (b.status == "OPEN_PARTIALLY_DISCHARGED") carried.push_back(b.id);
  }
  map["doc"] = lane.name + "-blocker-map";
  map["lane"] = lane.name;
  map["newly_closed_in_this_macro"] = report["production_blocker_map"]["newly_closed"];
  map["design_delivered_in_this_macro"] = report["production_blocker_map"]["design_delivered"];
  map["partially_discharged_carried"] = carried;
  map["open_count"] = summary.open_count;
  map["engineering_blockers_remaining"] = summary.engineering_open.size();
  map["production_work_performed"] = report["production_mutation"];
  map["conclusion"] = summary.conclusion;
  return map;
}

}  // namespace prodgate::evidence
