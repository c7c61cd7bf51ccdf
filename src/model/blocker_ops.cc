#include "model/blocker_ops.h"

#include <fmt/format.h>

#include "core/file_io.h"
#include "model/projector.h"

namespace prodgate::model {

// A change that makes a blocker hold less (Weakens) is an owner's: refused, naming the
// blockers, unless `signer` is an owner (the verification refuses it too).
static Status CheckWeakening(Workspace& ws, ledger::ProjectionTxn& txn, const std::string& kind,
                             const Json& body, const Signer& signer) {
  ledger::Event trial;
  trial.kind = kind;
  trial.body = body;
  PG_ASSIGN_OR_RETURN(std::vector<BlockerEffect> effects, BlockerChangesOf(trial, txn));
  std::vector<std::string> weakened;
  for (const auto& e : effects) {
    if (e.before && Weakens(*e.before, e.after)) weakened.push_back(e.after.id);
  }
  if (weakened.empty() || RoleInForce(ws, signer.key_id) == "owner") return Status::Ok();
  return Status::BadInput(
      fmt::format("this makes {} hold less (a gate label dropped, a human-only category or its "
                  "actors changed), which only an owner may",
                  fmt::join(weakened, ", ")),
      "have an owner make the change with --key OWNER_KEY, or keep what the blocker holds");
}

Result<Blocker> AppendBlockerEvent(Workspace& ws, const std::string& id, const std::string& kind,
                                   Json body, const Signer& signer, const BlockerCheck& check) {
  Status weakening;
  auto appended = AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
    // The blocker as of the head this event chains onto, under the write lock.
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("blockers", id));
    std::optional<Blocker> current;
    if (doc) {
      PG_ASSIGN_OR_RETURN(Blocker b, Blocker::FromJson(*doc));
      current = std::move(b);
    }
    if (check) PG_RETURN_IF_ERROR(check(current));
    weakening = CheckWeakening(ws, txn, kind, body, signer);
    PG_RETURN_IF_ERROR(weakening);
    return signer.Draft(kind, body);
  });
  if (!weakening.ok()) {
    // Refused for want of authority: the attempt is recorded (lane reports count it).
    Status recorded = RecordRefusal(
        ws, "refused.blocker_change",
        {{"id", id}, {"kind", kind}, {"attempt", body}, {"reason", weakening.what()}}, signer);
    return Status::BadInput(
        weakening.what() + (recorded.ok() ? " (the refused attempt is recorded)"
                                          : " (the refused attempt could not be recorded)"),
        weakening.fix());
  }
  if (!appended.ok()) return appended.status();
  return FindBlocker(ws, id);
}

static Status MustExist(const std::optional<Blocker>& b, const std::string& id) {
  if (b) return Status::Ok();
  return Status::BadInput(fmt::format("no blocker \"{}\"", id),
                          "list them with `prodgate blocker list`");
}

Result<ImportOutcome> ImportBlockerMap(Workspace& ws, const std::string& path,
                                       const Signer& signer) {
  PG_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64 << 20));
  ImportOutcome out;
  PG_ASSIGN_OR_RETURN(out.map, ParseBlockerMap(text, path, ws.config));
  if (out.map.blockers.empty()) {
    return Status::BadInput(fmt::format("{} holds a map without blockers", path),
                            "import a map that lists its blockers");
  }
  const bool owner = RoleInForce(ws, signer.key_id) == "owner";
  auto appended = AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
    // Under the write lock, against the blockers as of the head this event chains onto. A
    // map imported by anyone but an owner never makes a blocker hold less: what it would
    // weaken is kept (KeepHolds) and reported.
    out.added = out.updated = 0;
    out.kept.clear();
    Json rows = Json::array();
    for (auto b : out.map.blockers) {
      bool given = !b.status.empty();
      if (!given) b.status = "OPEN";  // kept as it is for an existing blocker (projector.cc)
      PG_ASSIGN_OR_RETURN(auto doc, txn.Get("blockers", b.id));
      if (doc) {
        ++out.updated;
        PG_ASSIGN_OR_RETURN(Blocker current, Blocker::FromJson(*doc));
        if (!owner) {
          for (auto& k : KeepHolds(current, b)) out.kept.push_back(std::move(k));
        }
      } else {
        ++out.added;
      }
      rows.push_back({{"blocker", b.ToJson()}, {"status_given", given}});
    }
    Json body = {{"source", {{"name", path}, {"sha256", out.map.source_sha256}}},
                 {"shape", out.map.shape},
                 {"metadata", out.map.metadata},
                 {"blockers", rows}};
    PG_RETURN_IF_ERROR(CheckWeakening(ws, txn, "blocker.import", body, signer));
    return signer.Draft("blocker.import", std::move(body));
  });
  if (!appended.ok()) return appended.status();
  out.seq = appended->seq;
  return out;
}

namespace {

Status CheckLabels(const Config& config, const std::vector<std::string>& labels) {
  for (const auto& l : labels) {
    if (!config.KnownGate(l)) {
      return Status::BadInput(fmt::format("unknown gate label \"{}\"", l),
                              "use a label from [gates] in .prodgate/config.toml");
    }
  }
  return Status::Ok();
}

Status CheckCategory(std::string_view c) {
  if (c.empty() || IsKnownCategory(c)) return Status::Ok();
  return Status::BadInput(
      fmt::format("unknown blocker category \"{}\"", c),
      fmt::format("use engineering or one of {}", fmt::join(kHumanCategories, ", ")));
}

}  // namespace

Result<Blocker> AddBlocker(Workspace& ws, Blocker b, const Signer& signer) {
  if (b.id.empty() || b.item.empty()) {
    return Status::BadInput("a blocker needs an id and an item", "pass --id and --item");
  }
  if (b.blocks.empty()) {
    return Status::BadInput(fmt::format("blocker {} holds no gate", b.id),
                            "pass --blocks LABEL (e.g. production); a blocker that holds nothing "
                            "is not a blocker");
  }
  PG_RETURN_IF_ERROR(CheckLabels(ws.config, b.blocks));
  PG_RETURN_IF_ERROR(CheckCategory(b.category));
  if (!IsOpenStatus(b.status)) {
    return Status::BadInput(fmt::format("a new blocker cannot be {}", b.status),
                            "add it open; close it later with evidence");
  }
  return AppendBlockerEvent(ws, b.id, "blocker.add", {{"blocker", b.ToJson()}}, signer,
                            [&](const std::optional<Blocker>& current) -> Status {
                              if (!current) return Status::Ok();
                              return Status::BadInput(
                                  fmt::format("blocker {} exists already", b.id),
                                  "change it with `prodgate blocker set`");
                            });
}

Result<Blocker> UpdateBlocker(Workspace& ws, const std::string& id, const BlockerChanges& c,
                              const Signer& signer) {
  PG_ASSIGN_OR_RETURN(Blocker b, FindBlocker(ws, id));
  Json changes = Json::object();
  if (c.status) {
    if (*c.status == "CLOSED") {
      return Status::BadInput(fmt::format("blocker {} cannot be set CLOSED", id),
                              fmt::format("close it with evidence that verifies: prodgate blocker "
                                          "close {} --evidence SEAL_ROOT",
                                          id));
    }
    if (!IsBlockerStatus(*c.status)) {
      return Status::BadInput(fmt::format("unknown status \"{}\"", *c.status),
                              "use OPEN, OPEN_DESIGN_DELIVERED or OPEN_PARTIALLY_DISCHARGED");
    }
    if (!b.open()) {
      return Status::BadInput(fmt::format("blocker {} is CLOSED", id),
                              fmt::format("reopen it first: prodgate blocker reopen {}", id));
    }
    if (*c.status != b.status) changes["status"] = *c.status;
  }
  if (c.category) {
    PG_RETURN_IF_ERROR(CheckCategory(*c.category));
    if (*c.category != b.category) changes["category"] = *c.category;
  }
  if (c.next_action && *c.next_action != b.next_action) changes["next_action"] = *c.next_action;
  if (c.item && *c.item != b.item) changes["item"] = *c.item;
  if (c.actor_needed && *c.actor_needed != b.actor_needed)
    changes["actor_needed"] = *c.actor_needed;
  if (c.blocks) {
    PG_RETURN_IF_ERROR(CheckLabels(ws.config, *c.blocks));
    if (c.blocks->empty()) {
      return Status::BadInput("a blocker must hold at least one gate",
                              "close it with evidence instead of emptying it");
    }
    if (*c.blocks != b.blocks) changes["blocks"] = *c.blocks;
  }
  if (changes.empty() && c.note.empty()) {
    return Status::BadInput(fmt::format("nothing to change on blocker {}", id),
                            "pass --status, --category, --next-action, --note …");
  }
  const bool status_change = changes.contains("status");
  return AppendBlockerEvent(
      ws, id, "blocker.update", {{"id", id}, {"changes", changes}, {"note", c.note}}, signer,
      [&](const std::optional<Blocker>& current) -> Status {
        PG_RETURN_IF_ERROR(MustExist(current, id));
        if (status_change && !current->open()) {
          return Status::BadInput(fmt::format("blocker {} was closed meanwhile", id),
                                  fmt::format("reopen it first: prodgate blocker reopen {}", id));
        }
        return Status::Ok();
      });
}

Result<Blocker> ReopenBlocker(Workspace& ws, const std::string& id, const std::string& note,
                              const Signer& signer) {
  if (!signer.signs()) {
    return Status::BadInput(fmt::format("reopening blocker {} needs a signature", id),
                            "pass --key KEY, a key the workspace trusts");
  }
  PG_ASSIGN_OR_RETURN(Blocker b, FindBlocker(ws, id));
  if (b.open()) {
    return Status::BadInput(fmt::format("blocker {} is not closed ({})", id, b.status),
                            "only a CLOSED blocker can be reopened");
  }
  return AppendBlockerEvent(
      ws, id, "blocker.reopen", {{"id", id}, {"note", note}}, signer,
      [&](const std::optional<Blocker>& current) -> Status {
        PG_RETURN_IF_ERROR(MustExist(current, id));
        if (current->open()) {
          return Status::BadInput(fmt::format("blocker {} was reopened meanwhile", id));
        }
        return Status::Ok();
      });
}

Result<Blocker> FindBlocker(Workspace& ws, const std::string& id) {
  PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("blockers", id));
  if (!doc) {
    return Status::BadInput(fmt::format("no blocker \"{}\"", id),
                            "list them with `prodgate blocker list`");
  }
  return Blocker::FromJson(*doc);
}

Result<std::vector<Blocker>> ListBlockers(Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("blockers"));
  std::vector<Blocker> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(Blocker b, Blocker::FromJson(d));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace prodgate::model
