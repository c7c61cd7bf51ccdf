// What `prodgate packet build` packs: a closed lane's outputs, a recorded rehearsal, or
// files and directories named on the command line. Each source is checked against the
// ledger before it is packed, so that a packet never holds bytes the ledger does not vouch
// for: a lane's report, map and decision packet must still have the digests lane.close
// recorded; a rehearsal's report must still have the digest rehearsal.result recorded.
#pragma once

#include <string>
#include <vector>

#include "evidence/packet.h"
#include "model/workspace.h"

namespace prodgate::evidence {

struct PacketRequest {
  std::string out;
  std::string lane;       // a closed lane's name
  std::string rehearsal;  // a rehearsal: the ledger sequence number of its rehearsal.result,
                          // or a change digest (prefix of at least 8 hex digits: its last one)
  std::vector<std::string> files;
};

// The packet spec for a request. Directories holding a seal manifest get a recorded
// `prodgate verify` command, so that a rerun re-checks them.
Result<PacketSpec> PacketSpecFor(model::Workspace& ws, const PacketRequest& request);

}  // namespace prodgate::evidence
