// A production blocker (DESIGN.md §3.5): something that holds one or more gates until it is
// closed with evidence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::model {

inline constexpr const char* kBlockerStatuses[] = {"OPEN", "OPEN_DESIGN_DELIVERED",
                                                   "OPEN_PARTIALLY_DISCHARGED", "CLOSED"};
bool IsBlockerStatus(std::string_view s);
inline bool IsOpenStatus(std::string_view s) { return IsBlockerStatus(s) && s != "CLOSED"; }

struct Blocker {
  std::string id;
  std::string item;
  std::string status = "OPEN";
  std::string category;  // "" = not categorized yet (never counted as engineering or human)
  std::vector<std::string> actor_needed;
  std::string next_action;
  std::vector<std::string> blocks;    // gate labels (model/config.h)
  std::vector<std::string> evidence;  // seal root digests that verified when it closed
  Json extra = Json::object();        // fields of the source document prodgate has no slot for

  bool open() const { return status != "CLOSED"; }
  // {"id","item","status","category","actor_needed","next_action","blocks","evidence","extra"}
  Json ToJson() const;
  // Strict: the shape ToJson writes, known statuses, strings where strings belong.
  static Result<Blocker> FromJson(const Json& j);
};

}  // namespace prodgate::model
