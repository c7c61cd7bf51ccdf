// Closing a lane: the lane report, the refreshed blocker map, the decision packet for what
// comes next and an evidence packet of all of it, then lane.close in the ledger with their
// digests (DESIGN.md §3.9).
//
// Written into OUT:
//   lane-report.json     evidence/lane_report.h, canonical JSON
//   blocker-map.json     the refreshed map, canonical JSON
//   decision-packet.md   the next decision (a spec given at close, recorded now) or, without
//                        one, the lane's own decision re-rendered with the live blockers
//   packet/              a BagIt packet (evidence/packet.h) holding the three above, every
//                        evidence directory recorded during the lane and every rehearsal's
//                        output directory, with a `prodgate verify` command per sealed tree
#pragma once

#include <string>

#include "model/lane.h"
#include "model/workspace.h"

namespace prodgate::evidence {

struct LaneCloseOutcome {
  model::LaneState lane;
  std::string out;
  std::string final_status;
  std::string packet_tree;
  std::vector<std::string> notes;  // artifacts that could not be included, and why
};

Result<LaneCloseOutcome> CloseLane(model::Workspace& ws, const std::string& out,
                                   const std::string& next_decision_spec, const std::string& actor);

}  // namespace prodgate::evidence
