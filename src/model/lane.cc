#include "model/lane.h"

#include <fmt/format.h>

namespace prodgate::model {

bool LaneState::Authorizes(std::string_view action, std::string_view scope) const {
  for (const auto& r : authority) {
    if (r.action == action && r.scope == scope) return true;
  }
  return false;
}

Json LaneState::ToJson() const {
  Json auth = Json::array();
  for (const auto& r : authority) auth.push_back({{"action", r.action}, {"scope", r.scope}});
  return Json{{"name", name},           {"decision", decision},     {"option", option},
              {"authority", auth},      {"opened_seq", opened_seq}, {"closed_seq", closed_seq},
              {"opened_at", opened_at}, {"closed_at", closed_at},   {"close", close}};
}

Result<LaneState> LaneState::FromJson(const Json& j) {
  auto malformed = [] {
    return Status::BadInput("lane state is malformed", "run prodgate ledger rebuild");
  };
  if (!j.is_object() || !j.contains("name") || !j.contains("authority") ||
      !j["authority"].is_array()) {
    return malformed();
  }
  for (const char* k : {"name", "decision", "option", "opened_at", "closed_at"}) {
    if (j.contains(k) && !j[k].is_string()) return malformed();
  }
  for (const char* k : {"opened_seq", "closed_seq"}) {
    if (j.contains(k) && !j[k].is_number_integer()) return malformed();
  }
  if (j.contains("close") && !j["close"].is_object()) return malformed();
  for (const auto& r : j["authority"]) {
    if (!r.is_object() || !r.contains("action") || !r["action"].is_string() ||
        !r.contains("scope") || !r["scope"].is_string()) {
      return malformed();
    }
  }
  LaneState l;
  l.name = j.value("name", "");
  l.decision = j.value("decision", "");
  l.option = j.value("option", "");
  for (const auto& r : j["authority"]) {
    l.authority.push_back({r.value("action", ""), r.value("scope", "")});
  }
  l.opened_seq = j.value("opened_seq", int64_t{0});
  l.closed_seq = j.value("closed_seq", int64_t{0});
  l.opened_at = j.value("opened_at", "");
  l.closed_at = j.value("closed_at", "");
  l.close = j.value("close", Json::object());
  return l;
}

Result<std::optional<LaneState>> CurrentLane(Workspace& ws) {
  PG_ASSIGN_OR_RETURN(auto cur, ws.state().Get("workspace", "lane"));
  if (!cur || cur->value("name", "").empty()) return std::optional<LaneState>();
  PG_ASSIGN_OR_RETURN(LaneState l, FindLane(ws, cur->value("name", "")));
  return std::optional<LaneState>(std::move(l));
}

Result<LaneState> FindLane(Workspace& ws, const std::string& name) {
  PG_ASSIGN_OR_RETURN(auto doc, ws.state().Get("lanes", name));
  if (!doc) {
    return Status::BadInput(fmt::format("no lane \"{}\"", name),
                            "list lanes: prodgate lane status");
  }
  return LaneState::FromJson(*doc);
}

Result<std::vector<LaneState>> ListLanes(Workspace& ws) {
  PG_ASSIGN_OR_RETURN(std::vector<Json> docs, ws.state().List("lanes"));
  std::vector<LaneState> out;
  for (const auto& d : docs) {
    PG_ASSIGN_OR_RETURN(LaneState l, LaneState::FromJson(d));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace prodgate::model
