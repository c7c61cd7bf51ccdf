#include "model/blocker.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/config.h"

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

namespace {

// The roles actor_needed names that a key can hold (owner, operator, ci), in its order.
std::vector<std::string> HumanActors(const Blocker& b) {
  std::vector<std::string> roles;
  for (const auto& a : b.actor_needed) {
    if (a == "owner" || a == "operator" || a == "ci") roles.push_back(a);
  }
  return roles;
}

}  // namespace

std::string WhyRoleMayNotClose(const Blocker& b, std::string_view role) {
  if (b.category == "needs-grant") {
    return fmt::format(
        "blocker {} is needs-grant: the owners' grants for what it holds ({}) close it, "
        "not a close",
        b.id, fmt::join(b.blocks, ", "));
  }
  if (b.category == "needs-owner-decision") {
    return fmt::format(
        "blocker {} is needs-owner-decision: an owner's selection of a decision option that "
        "closes it does, not a close",
        b.id);
  }
  std::vector<std::string> roles = HumanActors(b);
  if (roles.empty()) {
    if (!IsHumanCategory(b.category)) return "";  // engineering work, any trusted key
    roles.push_back("owner");
  }
  for (const auto& r : roles) {
    if (r == role) return "";
  }
  return fmt::format("blocker {} is {}: only {} may close it, and this key is {}", b.id, b.category,
                     fmt::join(roles, " or "), role);
}

namespace {

// Every way `b` can be closed: "close by ROLE" for each role WhyRoleMayNotClose admits, and
// the owners' acts that close it without naming it in a close ("an owner's grant", "an owner's
// selection"). Weakens compares these sets: moving an operator's blocker to needs-grant lets
// a routine grant close it, which is a weakening even though only owners grant.
std::vector<std::string> Closers(const Blocker& b) {
  std::vector<std::string> ways;
  if (b.category == "needs-grant") ways.push_back("an owner's grant");
  if (b.category == "needs-owner-decision") ways.push_back("an owner's selection");
  for (const char* r : {"owner", "operator", "ci", "agent"}) {
    if (WhyRoleMayNotClose(b, r).empty()) ways.push_back(fmt::format("close by {}", r));
  }
  return ways;
}

std::vector<std::string> DroppedLabels(const Blocker& before, const Blocker& after) {
  std::vector<std::string> dropped;
  for (const auto& l : before.blocks) {
    if (std::find(after.blocks.begin(), after.blocks.end(), l) == after.blocks.end()) {
      dropped.push_back(l);
    }
  }
  return dropped;
}

// The ways `after` can be closed that `before` could not.
std::vector<std::string> NewClosers(const Blocker& before, const Blocker& after) {
  std::vector<std::string> was = Closers(before), added;
  for (const auto& w : Closers(after)) {
    if (std::find(was.begin(), was.end(), w) == was.end()) added.push_back(w);
  }
  return added;
}

}  // namespace

std::string HowItCloses(const Blocker& b) {
  if (b.category == "needs-grant") {
    return fmt::format("an owner grants what it holds ({}): prodgate grant issue --key OWNER_KEY",
                       fmt::join(b.blocks, ", "));
  }
  if (b.category == "needs-owner-decision") {
    return "an owner selects a decision option that closes it: prodgate decision select ID "
           "--option OPT --key OWNER_KEY";
  }
  std::vector<std::string> roles = HumanActors(b);
  if (roles.empty() && IsHumanCategory(b.category)) roles.push_back("owner");
  if (roles.empty()) {
    return fmt::format(
        "any trusted key closes it with evidence: prodgate blocker close {} "
        "--evidence SEAL_ROOT --key KEY",
        b.id);
  }
  return fmt::format(
      "{} closes it with evidence: prodgate blocker close {} --evidence SEAL_ROOT "
      "--key {}_KEY (an agent proposes: prodgate blocker propose-close)",
      fmt::join(roles, " or "), b.id, roles.size() == 1 ? roles[0] : "THEIR");
}

bool Weakens(const Blocker& before, const Blocker& after) {
  return !DroppedLabels(before, after).empty() || !NewClosers(before, after).empty();
}

std::vector<std::string> KeepHolds(const Blocker& before, Blocker& after) {
  std::vector<std::string> kept;
  for (const auto& l : DroppedLabels(before, after)) {
    after.blocks.push_back(l);
    kept.push_back(fmt::format("{} still holds {}", after.id, l));
  }
  std::vector<std::string> added = NewClosers(before, after);
  if (!added.empty()) {
    kept.push_back(fmt::format("{} keeps category \"{}\" and actors [{}] (the map's would add: {})",
                               after.id, before.category, fmt::join(before.actor_needed, ", "),
                               fmt::join(added, ", ")));
    after.category = before.category;
    after.actor_needed = before.actor_needed;
  }
  return kept;
}

}  // namespace prodgate::model
