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

// Who may close a blocker with `blocker close` (DESIGN.md §3.5), by the role name of the
// signing key (authority/keys.h): a needs-grant blocker, nobody (the grants it names close
// it); a needs-owner-decision blocker, nobody (an owner's selection closes it); a blocker
// whose actor_needed names owner, operator or ci, one of those roles; any other human-only
// category, an owner; the rest (engineering work), any trusted key. "" when `role` may; else
// why not, naming who may.
std::string WhyRoleMayNotClose(const Blocker& b, std::string_view role);

// How `b` closes and who closes it, as a command to run (the release of a blocker_open hold).
std::string HowItCloses(const Blocker& b);

// True when `after` holds less than `before`: a gate label dropped, or a way of closing it
// that `before` did not have (a role's close, an owner's grant for a needs-grant blocker, an
// owner's selection for a needs-owner-decision one; WhyRoleMayNotClose). Only an owner
// weakens a blocker; anyone may strengthen one (a new label, fewer ways to close it).
bool Weakens(const Blocker& before, const Blocker& after);

// Makes `after` hold at least what `before` holds: the labels it dropped are added back, and
// when it would let another role close, the category and actors of `before` are kept. Returns
// what was kept, one line per blocker and reason (empty when `after` does not weaken).
std::vector<std::string> KeepHolds(const Blocker& before, Blocker& after);

}  // namespace prodgate::model
