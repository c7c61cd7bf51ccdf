#include "model/projector.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "model/blocker.h"
#include "model/grant.h"

namespace prodgate::model {
namespace {

using ledger::Event;
using ledger::ProjectionTxn;

Status Malformed(const Event& e, const std::string& what) {
  return Status::BadInput(fmt::format("event {} ({}): {}", e.seq, e.kind, what),
                          "the ledger holds an event this prodgate cannot apply; run `prodgate "
                          "ledger verify` and use the prodgate version that wrote it");
}

std::string StrField(const Json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
}

Result<Blocker> LoadBlocker(const Event& e, ProjectionTxn& txn, const std::string& id) {
  PG_ASSIGN_OR_RETURN(auto doc, txn.Get("blockers", id));
  if (!doc) return Malformed(e, fmt::format("no blocker \"{}\"", id));
  return Blocker::FromJson(*doc);
}

// gates/<label> = {"open":[ids…]} (sorted): the open blockers that name each gate label, kept
// in step with every blocker change, so that the gate reads only the blockers that can hold
// the action it is asked about, not every blocker of the map.
class GateIndex {
 public:
  explicit GateIndex(ProjectionTxn& txn) : txn_(txn) {}
  // `before` (nullopt when new) became `after`.
  void Change(const std::optional<Blocker>& before, const Blocker& after) {
    if (before && before->open()) {
      for (const auto& l : before->blocks) edits_[l][before->id] = false;
    }
    if (after.open()) {
      for (const auto& l : after.blocks) edits_[l][after.id] = true;
    }
  }
  Status Write() {
    for (const auto& [label, ids] : edits_) {
      PG_ASSIGN_OR_RETURN(auto doc, txn_.Get("gates", label));
      std::set<std::string> open;
      if (doc) {
        for (const auto& id : doc->value("open", Json::array())) {
          if (id.is_string()) open.insert(id.get<std::string>());
        }
      }
      for (const auto& [id, now_open] : ids) {
        if (now_open) {
          open.insert(id);
        } else {
          open.erase(id);
        }
      }
      PG_RETURN_IF_ERROR(txn_.Put("gates", label, {{"open", open}}));
    }
    return Status::Ok();
  }

 private:
  ProjectionTxn& txn_;
  std::map<std::string, std::map<std::string, bool>> edits_;
};

Status ProjectBlockerChange(const Event& e, ProjectionTxn& txn, GateIndex& index);

// Puts the blocker and notes the change for the index.
Status PutBlocker(ProjectionTxn& txn, GateIndex& index, const std::optional<Blocker>& before,
                  const Blocker& after) {
  index.Change(before, after);
  return txn.Put("blockers", after.id, after.ToJson());
}

Status ProjectBlocker(const Event& e, ProjectionTxn& txn) {
  GateIndex index(txn);
  PG_RETURN_IF_ERROR(ProjectBlockerChange(e, txn, index));
  return index.Write();
}

}  // namespace

Result<std::vector<BlockerEffect>> BlockerChangesOf(const Event& e, ProjectionTxn& txn) {
  const Json& b = e.body;
  std::vector<BlockerEffect> out;
  if (e.kind == "blocker.import") {
    if (!b.contains("blockers") || !b["blockers"].is_array()) return Malformed(e, "no blockers");
    std::set<std::string> seen;
    for (const auto& row : b["blockers"]) {
      if (!row.is_object() || !row.contains("blocker")) {
        return Malformed(e, "an import row without a blocker");
      }
      PG_ASSIGN_OR_RETURN(Blocker incoming, Blocker::FromJson(row["blocker"]));
      if (!seen.insert(incoming.id).second) {
        return Malformed(e, fmt::format("blocker {} is imported twice", incoming.id));
      }
      if (!incoming.open()) return Malformed(e, "an imported map closes no blocker");
      PG_ASSIGN_OR_RETURN(auto existing, txn.Get("blockers", incoming.id));
      std::optional<Blocker> before;
      if (existing) {
        PG_ASSIGN_OR_RETURN(Blocker old, Blocker::FromJson(*existing));
        before = old;
        // A map that does not say a blocker's status leaves it as it is; evidence is never
        // imported, only recorded by a verified close.
        const Json& given = row.contains("status_given") ? row["status_given"] : Json(true);
        if (!given.is_boolean()) return Malformed(e, "status_given must be true or false");
        if (!given.get<bool>()) incoming.status = old.status;
        if (incoming.category.empty()) incoming.category = old.category;
        incoming.evidence = old.evidence;
        for (const auto& [k, v] : old.extra.items()) {
          if (!incoming.extra.contains(k)) incoming.extra[k] = v;
        }
      }
      out.push_back({before, incoming});
    }
    return out;
  }
  if (e.kind == "blocker.add") {
    PG_ASSIGN_OR_RETURN(Blocker nb, Blocker::FromJson(b.value("blocker", Json::object())));
    PG_ASSIGN_OR_RETURN(auto existing, txn.Get("blockers", nb.id));
    if (existing) return Malformed(e, fmt::format("blocker {} is added twice", nb.id));
    if (!nb.open()) return Malformed(e, fmt::format("blocker {} is added closed", nb.id));
    out.push_back({std::nullopt, nb});
    return out;
  }
  std::string id = StrField(b, "id");
  PG_ASSIGN_OR_RETURN(Blocker cur, LoadBlocker(e, txn, id));
  const Blocker before = cur;
  auto note = [&](const std::string& what) {
    if (!cur.extra.contains("history")) cur.extra["history"] = Json::array();
    cur.extra["history"].push_back(
        {{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"what", what}});
  };
  auto strings = [&](const Json& v, std::vector<std::string>& into) -> bool {
    if (!v.is_array()) return false;
    into.clear();
    for (const auto& s : v) {
      if (!s.is_string()) return false;
      into.push_back(s.get<std::string>());
    }
    return true;
  };
  if (e.kind == "blocker.update") {
    const Json& c = b.value("changes", Json::object());
    if (!c.is_object()) return Malformed(e, "changes must be an object");
    for (const auto& [k, v] : c.items()) {
      bool ok = true;
      if (k == "status" || k == "category" || k == "next_action" || k == "item") {
        ok = v.is_string();
        if (ok) {
          std::string s = v.get<std::string>();
          (k == "status"        ? cur.status
           : k == "category"    ? cur.category
           : k == "next_action" ? cur.next_action
                                : cur.item) = s;
        }
      } else if (k == "actor_needed") {
        ok = strings(v, cur.actor_needed);
      } else if (k == "blocks") {
        ok = strings(v, cur.blocks);
      } else {
        return Malformed(e, fmt::format("cannot change \"{}\"", k));
      }
      if (!ok) return Malformed(e, fmt::format("\"{}\" has the wrong type", k));
    }
    if (!IsBlockerStatus(cur.status) || (before.open() && !cur.open()) ||
        (!before.open() && cur.status != before.status)) {
      return Malformed(e,
                       "an update never closes or reopens a blocker (blocker close, blocker "
                       "reopen), nor sets an unknown status");
    }
    note(StrField(b, "note").empty() ? "updated" : StrField(b, "note"));
  } else if (e.kind == "blocker.close") {
    if (!cur.open()) return Malformed(e, fmt::format("blocker {} is closed already", id));
    cur.status = "CLOSED";
    // A close rests on evidence the ledger recorded (evidence.add); that it still verified
    // when closed is the command's check, which the fold cannot repeat without the files.
    for (const auto& ev : b.value("evidence", Json::array())) {
      if (!ev.is_object()) return Malformed(e, "evidence must be objects");
      const std::string root = StrField(ev, "root");
      PG_ASSIGN_OR_RETURN(auto recorded, txn.Get("evidence", root));
      if (!recorded)
        return Malformed(e, fmt::format("it closes on evidence {} nobody recorded", root));
      cur.evidence.push_back(root);
    }
    if (cur.evidence.size() == before.evidence.size()) {
      return Malformed(e, "a close names its evidence");
    }
    note("closed: " + StrField(b, "note"));
  } else if (e.kind == "blocker.reopen") {
    if (cur.open()) return Malformed(e, fmt::format("blocker {} is open already", id));
    cur.status = "OPEN";
    note("reopened: " + StrField(b, "note"));
  } else if (e.kind == "blocker.propose_close") {
    // A proposal changes nothing the gate reads: it is listed until the right role closes.
    if (!cur.open()) return Malformed(e, fmt::format("blocker {} is closed already", id));
    if (!cur.extra.contains("close_proposals")) cur.extra["close_proposals"] = Json::array();
    cur.extra["close_proposals"].push_back({{"seq", e.seq},
                                            {"at", e.at},
                                            {"by", e.actor},
                                            {"evidence", b.value("evidence", Json::array())},
                                            {"note", StrField(b, "note")}});
  } else {
    return Malformed(e, "unknown blocker event");
  }
  out.push_back({before, cur});
  return out;
}

namespace {

Status ProjectBlockerChange(const Event& e, ProjectionTxn& txn, GateIndex& index) {
  PG_ASSIGN_OR_RETURN(std::vector<BlockerEffect> changes, BlockerChangesOf(e, txn));
  for (const auto& c : changes) PG_RETURN_IF_ERROR(PutBlocker(txn, index, c.before, c.after));
  return Status::Ok();
}

// Closes the blockers an owner-signed grant.issue or decision.select names in "closes": each
// must be open and of `category` (needs-grant, needs-owner-decision), whose close is that
// event (authority/verified_ledger.h checks who signed it).
Status CloseNamedBlockers(const Event& e, const Json& holder, ProjectionTxn& txn,
                          const std::string& category, const std::string& evidence) {
  if (!holder.contains("closes")) return Status::Ok();
  const Json& ids = holder["closes"];
  if (!ids.is_array()) return Malformed(e, "\"closes\" must be an array of blocker ids");
  GateIndex index(txn);
  for (const auto& id : ids) {
    if (!id.is_string()) return Malformed(e, "\"closes\" must be an array of blocker ids");
    PG_ASSIGN_OR_RETURN(Blocker b, LoadBlocker(e, txn, id.get<std::string>()));
    if (!b.open() || b.category != category) {
      return Malformed(
          e, fmt::format("it closes blocker {}, which is not an open {} blocker", b.id, category));
    }
    const Blocker before = b;
    b.status = "CLOSED";
    b.evidence.push_back(evidence);
    if (!b.extra.contains("history")) b.extra["history"] = Json::array();
    b.extra["history"].push_back(
        {{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"what", "closed by " + evidence}});
    PG_RETURN_IF_ERROR(PutBlocker(txn, index, before, b));
  }
  return index.Write();
}

// A new grant from {"id","terms","signatures"} (grant.issue, or one grant of a selection).
Status PutNewGrant(const Event& e, const Json& b, ProjectionTxn& txn) {
  GrantState g;
  PG_ASSIGN_OR_RETURN(g.terms, GrantTerms::FromJson(b.value("terms", Json::object())));
  PG_ASSIGN_OR_RETURN(g.id, g.terms.Id());
  if (g.id != StrField(b, "id")) return Malformed(e, "the grant id is not the hash of its terms");
  PG_ASSIGN_OR_RETURN(auto existing, txn.Get("grants", g.id));
  if (existing) return Malformed(e, fmt::format("grant {} is issued twice", g.id));
  for (const auto& s : b.value("signatures", Json::array())) {
    g.signatures.push_back({s.value("key", ""), s.value("sig", "")});
  }
  g.events.push_back(e.seq);
  return txn.Put("grants", g.id, g.ToJson());
}

Status ProjectGrant(const Event& e, ProjectionTxn& txn) {
  const Json& b = e.body;
  if (e.kind == "grant.issue") {
    PG_RETURN_IF_ERROR(PutNewGrant(e, b, txn));
    return CloseNamedBlockers(e, b, txn, "needs-grant", "grant:" + StrField(b, "id"));
  }
  std::string id = StrField(b, "id");
  PG_ASSIGN_OR_RETURN(auto doc, txn.Get("grants", id));
  if (!doc) return Malformed(e, fmt::format("no grant \"{}\"", id));
  PG_ASSIGN_OR_RETURN(GrantState g, GrantState::FromJson(*doc));
  if (e.kind == "grant.sign") {
    const Json& s = b.value("signature", Json::object());
    g.signatures.push_back({s.value("key", ""), s.value("sig", "")});
  } else if (e.kind == "grant.revoke") {
    g.revoked = true;
    g.revoked_by = e.actor;
    g.revoked_at = e.at;
    g.revoke_reason = StrField(b, "reason");
  } else {
    return Malformed(e, "unknown grant event");
  }
  g.events.push_back(e.seq);
  return txn.Put("grants", g.id, g.ToJson());
}

}  // namespace

Status Project(const Event& e, ProjectionTxn& txn) {
  const Json& b = e.body;
  const std::string& k = e.kind;
  if (k == "workspace.init" || k == "config.accept") {
    return txn.Put("workspace", "config",
                   {{"sha256", StrField(b, "config_sha256")}, {"seq", e.seq}});
  }
  if (k == "trust.update" || k == "trust.propose" || k == "trust.sign") {
    // The keys and their roles are folded by the verification, which checks the owners'
    // signatures (authority/verified_ledger.h); here only the last change is noted.
    return txn.Put("workspace", "trust", {{"kind", k}, {"seq", e.seq}});
  }
  if (k.starts_with("refused.")) {
    // An attempt prodgate refused for want of authority (refused.gate_run,
    // refused.blocker_close, refused.decision_select, refused.grant_issue): read by lane
    // reports from the events; it changes no state.
    return Status::Ok();
  }
  if (k.starts_with("blocker.")) return ProjectBlocker(e, txn);
  if (k.starts_with("grant.")) return ProjectGrant(e, txn);
  if (k == "evidence.add") {
    return txn.Put("evidence", StrField(b, "root"),
                   {{"root", StrField(b, "root")},
                    {"dir", StrField(b, "dir")},
                    {"manifest", StrField(b, "manifest")},
                    {"seq", e.seq}});
  }
  if (k == "action.intent") {
    // The intent consumes one use of its grant, in the same transaction that records it.
    std::string grant = StrField(b, "grant");
    PG_ASSIGN_OR_RETURN(auto gdoc, txn.Get("grants", grant));
    if (!gdoc) return Malformed(e, fmt::format("no grant \"{}\"", grant));
    PG_ASSIGN_OR_RETURN(GrantState g, GrantState::FromJson(*gdoc));
    if (g.used >= g.terms.uses) {
      return Malformed(e,
                       fmt::format("grant {} is used beyond its {} use(s)", grant, g.terms.uses));
    }
    ++g.used;
    g.events.push_back(e.seq);
    PG_RETURN_IF_ERROR(txn.Put("grants", g.id, g.ToJson()));
    Json doc = b;
    doc["seq"] = e.seq;
    doc["actor"] = e.actor;
    doc["at"] = e.at;
    return txn.Put("actions", ToHex(e.hash), doc);
  }
  if (k == "action.finish") {
    std::string intent = StrField(b, "intent");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("actions", intent));
    if (!doc) return Malformed(e, fmt::format("no action intent {}", intent));
    Json d = *doc;
    if (d.contains("exit_code"))
      return Malformed(e, fmt::format("action {} finishes twice", intent));
    d["exit_code"] = b.value("exit_code", int64_t{-1});
    if (b.contains("spawn_failed")) d["spawn_failed"] = b["spawn_failed"];
    d["finished_at"] = e.at;
    return txn.Put("actions", intent, d);
  }
  if (k == "decision.new") {
    const std::string id = StrField(b.value("spec", Json::object()), "id");
    PG_ASSIGN_OR_RETURN(auto existing, txn.Get("decisions", id));
    if (existing) return Malformed(e, fmt::format("decision {} is made twice", id));
    Json state = {{"spec", b.value("spec", Json::object())},
                  {"selected", ""},
                  {"selected_by", ""},
                  {"selected_at", ""},
                  {"selection_sig", ""},
                  {"grants_issued", Json::array()}};
    return txn.Put("decisions", id, state);
  }
  if (k == "decision.select") {
    // The selection and the grants of the selected option, in one event.
    std::string id = StrField(b, "id");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("decisions", id));
    if (!doc) return Malformed(e, fmt::format("no decision \"{}\"", id));
    Json d = *doc;
    if (!d.value("selected", "").empty()) return Malformed(e, "the decision was already selected");
    d["selected"] = StrField(b, "option");
    d["selected_by"] = e.actor;
    d["selected_at"] = StrField(b, "at");
    d["selection_sig"] = StrField(b, "sig");
    Json issued = Json::array();
    for (const auto& g : b.value("grants", Json::array())) {
      PG_RETURN_IF_ERROR(PutNewGrant(e, g, txn));
      PG_RETURN_IF_ERROR(
          CloseNamedBlockers(e, g, txn, "needs-grant", "grant:" + StrField(g, "id")));
      issued.push_back(StrField(g, "id"));
    }
    d["grants_issued"] = issued;
    PG_RETURN_IF_ERROR(txn.Put("decisions", id, d));
    return CloseNamedBlockers(e, b, txn, "needs-owner-decision",
                              fmt::format("decision:{}:{}", id, StrField(b, "option")));
  }
  if (k == "ids.reserve" || k == "ids.fold") {
    std::string prefix = StrField(b, "prefix");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("ids", prefix));
    Json d = doc ? *doc
                 : Json{{"prefix", prefix},
                        {"ceiling", b.value("ceiling", int64_t{0})},
                        {"reserved", Json::array()},
                        {"folded", Json::array()}};
    if (k == "ids.reserve") {
      // A reservation starts above the ceiling and above every earlier reservation: two
      // reservations never share an id.
      int64_t first = b.value("first", int64_t{0}), last = b.value("last", int64_t{0});
      int64_t floor = d["ceiling"].get<int64_t>();
      for (const char* key : {"reserved", "folded"}) {
        for (const auto& r : d[key]) floor = std::max(floor, r[1].get<int64_t>());
      }
      if (first <= floor || last < first) {
        return Malformed(
            e, fmt::format("reservation {}..{} of {} is not above {}", first, last, prefix, floor));
      }
      d["reserved"].push_back({first, last});
    } else {
      for (const auto& r : d["reserved"]) d["folded"].push_back(r);
      d["reserved"] = Json::array();
      d["ceiling"] = b.value("ceiling", d["ceiling"].get<int64_t>());
    }
    return txn.Put("ids", prefix, d);
  }
  if (k == "lane.open") {
    Json lane = b.value("lane", Json::object());
    lane["opened_seq"] = e.seq;
    lane["opened_at"] = e.at;
    lane["closed_seq"] = 0;
    lane["closed_at"] = "";
    lane["close"] = Json::object();
    PG_ASSIGN_OR_RETURN(auto current, txn.Get("workspace", "lane"));
    if (current && !current->value("name", "").empty()) {
      return Malformed(e, "a lane is already open");
    }
    PG_ASSIGN_OR_RETURN(auto existing, txn.Get("lanes", StrField(lane, "name")));
    if (existing)
      return Malformed(e, fmt::format("lane {} is opened twice", StrField(lane, "name")));
    PG_RETURN_IF_ERROR(txn.Put("lanes", StrField(lane, "name"), lane));
    return txn.Put("workspace", "lane", {{"name", StrField(lane, "name")}, {"seq", e.seq}});
  }
  if (k == "lane.close") {
    std::string name = StrField(b, "name");
    PG_ASSIGN_OR_RETURN(auto doc, txn.Get("lanes", name));
    if (!doc) return Malformed(e, fmt::format("no lane \"{}\"", name));
    Json lane = *doc;
    lane["closed_seq"] = e.seq;
    lane["closed_at"] = e.at;
    lane["close"] = b.value("close", Json::object());
    PG_RETURN_IF_ERROR(txn.Put("lanes", name, lane));
    return txn.Put("workspace", "lane", {{"name", ""}, {"seq", e.seq}});
  }
  if (k == "probes.result") {  // read by lane reports from the events; no projection
    std::string v = StrField(b, "verdict");
    if (v != "PASS" && v != "FAIL") return Malformed(e, "a probes.result verdict is PASS or FAIL");
    return Status::Ok();
  }
  if (k == "rehearsal.result") {
    Json doc = b;
    doc["seq"] = e.seq;
    doc["actor"] = e.actor;
    doc["signed"] = !e.sig.empty();
    return txn.Put("rehearsals", StrField(b, "change"), doc);
  }
  return Malformed(e, fmt::format("unknown event kind \"{}\"", k));
}

Result<ledger::MemoryProjections> Replay(ledger::LedgerStore& store) {
  ledger::MemoryProjections mem;
  PG_ASSIGN_OR_RETURN(ledger::Head head, store.ReadHead());
  PG_RETURN_IF_ERROR(
      store.ForEachEvent(1, head.seq, [&](const Event& e) { return Project(e, mem); }));
  return mem;
}

Result<ledger::MemoryProjections> ReplayEvents(const std::vector<Event>& events) {
  ledger::MemoryProjections mem;
  for (const auto& e : events) PG_RETURN_IF_ERROR(Project(e, mem));
  return mem;
}

}  // namespace prodgate::model
