#include <fmt/format.h>
#include <unistd.h>

#include "db/database.h"
#include "ledger/event.h"
#include "model/lane.h"
#include "model/projector.h"
#include "model/workspace.h"
#include "rehearse/rehearse.h"

namespace prodgate::rehearse {

std::vector<clone::ProductionIdentity> ProductionIdentities(const model::Workspace& ws) {
  std::vector<clone::ProductionIdentity> out;
  for (const auto& p : ws.config.production) {
    std::string target = p.target;
    // A relative SQLite path in the config names a file of the workspace, wherever the
    // command runs; resolved against the current directory it would miss production.
    auto name = db::ParseTarget(p.target);
    if (name.ok() && name->engine == "sqlite" && !name->path.empty() && name->path[0] != '/') {
      target = "sqlite:" + ws.root + "/" + name->path;
    }
    out.push_back({p.name, target, p.system_identifier});
  }
  return out;
}

Result<int64_t> RecordRehearsal(
    model::Workspace& ws, const RehearsalReport& r, const std::string& actor,
    const std::function<Result<std::string>(std::string_view preimage)>& sign) {
  Json steps = Json::array();
  for (const auto& s : r.steps) steps.push_back({{"name", s.name}, {"verdict", s.verdict}});
  auto appended = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    ledger::EventDraft e;
    e.actor = actor;
    e.kind = "rehearsal.result";
    e.body = {
        {"change", r.change}, {"verdict", r.verdict},         {"target", r.target},
        {"before", r.before}, {"after_apply", r.after_apply}, {"after_rollback", r.after_rollback},
        {"steps", steps},     {"target_state", r.restored},   {"report_sha256", r.report_sha256},
        {"out", r.out}};
    e.sign = sign;
    return e;
  });
  if (!appended.ok()) return appended.status();
  return appended->seq;
}

Result<std::string> LaneRefusal(model::Workspace& ws) {
  PG_ASSIGN_OR_RETURN(auto lane, model::CurrentLane(ws));
  if (!lane || lane->Authorizes("rehearse", "clone")) return std::string();
  return fmt::format(
      "lane {} is open under {} of {}, which does not authorize rehearse in "
      "scope clone; close the lane or rehearse under a lane whose option grants it",
      lane->name, lane->option, lane->decision);
}

std::string DefaultOutDir(const model::Workspace& ws) {
  std::string stamp = ledger::NowUtc();
  std::erase_if(stamp, [](char c) { return c == ':' || c == '-'; });
  return fmt::format("{}/rehearsals/{}-{}", ws.dir(), stamp, ::getpid());
}

}  // namespace prodgate::rehearse
