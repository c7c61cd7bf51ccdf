// Opening and closing lanes (model/lane.h). A lane opens only under an option an owner has
// selected; its authority is that option's grants' (action, scope) pairs.
#pragma once

#include <string>

#include "model/lane.h"
#include "model/workspace.h"

namespace prodgate::authority {

Result<model::LaneState> OpenLane(model::Workspace& ws, const std::string& name,
                                  const std::string& decision, const std::string& option,
                                  const std::string& actor);

// Records the lane's close with what it produced (digests of the report, the refreshed map,
// the next decision packet, the evidence packet root).
Result<model::LaneState> RecordLaneClose(model::Workspace& ws, const std::string& name,
                                         const Json& produced, const std::string& actor);

}  // namespace prodgate::authority
