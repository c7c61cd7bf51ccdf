// The lane report (compare seed 002): every flag, every self-check line and the final
// status computed from the ledger events between the lane's lane.open and its close (or
// the head, while it is open). Nothing in it is typed by a person.
//
// Flags, from the action.intent events of the lane (an intent is an action that ran):
//   production_mutation            an intent in scope production whose action is not
//                                  read-only (dryrun, realrun_precheck, live_read)
//   live_production_contact        an intent in scope production or production-ci
//   real_run / qt001 / cutover     an intent with that action, in any scope
//   production_ci_deploy_triggered an intent of ci_deploy in production or production-ci
//   secrets_changed                an intent of secrets_change, or a trust change, in the lane
// Final status: <LANE>_AUTHORITY_VIOLATED when an intent lies outside the lane's authority;
// else <LANE>_PRODUCTION_TOUCHED when a production flag is set; else from the lane's
// rehearsals (the last result per change): _REHEARSAL_FAILED, _REHEARSAL_PASSED_NOT_APPLIED,
// or _NO_REHEARSAL_NOT_APPLIED.
#pragma once

#include <string>

#include "core/canonical_json.h"
#include "model/lane.h"
#include "model/workspace.h"

namespace prodgate::evidence {

// The lane report document ("format":"prodgate.lane-report/1").
Result<Json> ComputeLaneReport(model::Workspace& ws, const model::LaneState& lane);

// The refreshed blocker map at the end of the lane, in the seeds' shape: blockers, open
// count, newly_closed_in_this_macro, design_delivered_in_this_macro,
// partially_discharged_carried, engineering_blockers_remaining, production_work_performed.
Result<Json> RefreshedBlockerMap(model::Workspace& ws, const model::LaneState& lane,
                                 const Json& report);

}  // namespace prodgate::evidence
