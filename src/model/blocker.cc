#include "model/blocker.h"

#include <fmt/format.h>

namespace prodgate::model {

bool IsBlockerStatus(std::string_view s) {
  for (const char* k : kBlockerStatuses) {
    if (s == k) return true;
  }
  return false;
}

Json Blocker::ToJson() const {
  return Json{{"id", id},
              {"item", item},
              {"status", status},
              {"category", category},
              {"actor_needed", actor_needed},
              {"next_action", next_action},
              {"blocks", blocks},
              {"evidence", evidence},
              {"extra", extra}};
}

Result<Blocker> Blocker::FromJson(const Json& j) {
  auto bad = [&](const std::string& what) {
    return Status::BadInput(
        fmt::format("blocker {}: {}", j.is_object() && j.contains("id") ? j["id"].dump() : "?",
                    what),
        "restore the blocker from the ledger (prodgate ledger rebuild)");
  };
  if (!j.is_object()) return bad("not an object");
  Blocker b;
  for (const auto& [k, v] : j.items()) {
    if (k == "id" || k == "item" || k == "status" || k == "category" || k == "next_action") {
      if (!v.is_string()) return bad(fmt::format("\"{}\" must be a string", k));
    } else if (k == "actor_needed" || k == "blocks" || k == "evidence") {
      if (!v.is_array()) return bad(fmt::format("\"{}\" must be an array of strings", k));
      for (const auto& s : v) {
        if (!s.is_string()) return bad(fmt::format("\"{}\" must be an array of strings", k));
      }
    } else if (k == "extra") {
      if (!v.is_object()) return bad("\"extra\" must be an object");
    } else {
      return bad(fmt::format("unknown field \"{}\"", k));
    }
  }
  if (!j.contains("id") || j["id"].get<std::string>().empty()) return bad("no id");
  b.id = j["id"];
  b.item = j.value("item", "");
  b.status = j.value("status", "OPEN");
  if (!IsBlockerStatus(b.status)) return bad(fmt::format("unknown status \"{}\"", b.status));
  b.category = j.value("category", "");
  b.next_action = j.value("next_action", "");
  if (j.contains("actor_needed"))
    b.actor_needed = j["actor_needed"].get<std::vector<std::string>>();
  if (j.contains("blocks")) b.blocks = j["blocks"].get<std::vector<std::string>>();
  if (j.contains("evidence")) b.evidence = j["evidence"].get<std::vector<std::string>>();
  if (j.contains("extra")) b.extra = j["extra"];
  return b;
}

}  // namespace prodgate::model
