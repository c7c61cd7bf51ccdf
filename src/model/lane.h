// Lanes (DESIGN.md §3.9; compare seed 002's "macro"): a unit of work opened under one
// selected decision option, whose authority is exactly the (action, scope) pairs of that
// option's grants. At most one lane is open in a workspace at a time; while it is open the
// gate holds every action outside its authority. Its report is derived from the events
// between its lane.open and lane.close, never typed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/workspace.h"

namespace prodgate::model {

struct LaneState {
  std::string name;
  std::string decision, option;
  std::vector<GateRule> authority;  // exact (action, scope) pairs, no wildcards
  int64_t opened_seq = 0, closed_seq = 0;
  std::string opened_at, closed_at;
  Json close = Json::object();  // what lane.close recorded: report and packet digests

  bool open() const { return closed_seq == 0; }
  bool Authorizes(std::string_view action, std::string_view scope) const;
  Json ToJson() const;
  static Result<LaneState> FromJson(const Json& j);
};

// The open lane, if any.
Result<std::optional<LaneState>> CurrentLane(Workspace& ws);
Result<LaneState> FindLane(Workspace& ws, const std::string& name);
Result<std::vector<LaneState>> ListLanes(Workspace& ws);

}  // namespace prodgate::model
