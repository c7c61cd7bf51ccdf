// Evidence: sealed artifacts the ledger knows by their seal root, and closing a blocker
// with evidence that verifies at that moment (DESIGN.md §3.5).
//
// `AddEvidence` records a sealed directory (its manifest must exist and the tree must verify
// now). `CloseBlocker` resolves each digest to its recorded directory and runs the seal
// verification again: only if every one is byte-identical to its seal is the close written.
#pragma once

#include <string>
#include <vector>

#include "model/blocker.h"
#include "model/workspace.h"

namespace prodgate::evidence {

struct EvidenceRecord {
  std::string root;      // seal root digest
  std::string dir;       // absolute path of the sealed tree
  std::string manifest;  // absolute path of its manifest
};

// Verifies DIR against its manifest (default DIR/prodgate.seal.json) and records it.
Result<EvidenceRecord> AddEvidence(model::Workspace& ws, const std::string& dir,
                                   const std::string& manifest, const std::string& actor);

Result<EvidenceRecord> FindEvidence(model::Workspace& ws, std::string_view root);

// Closes blocker `id` with the evidence named by `roots` (each recorded and verifying now),
// signed by `signer`, whose role must be one the blocker's category admits
// (model::WhyRoleMayNotClose); a refused close is recorded (refused.blocker_close).
Result<model::Blocker> CloseBlocker(model::Workspace& ws, const std::string& id,
                                    const std::vector<std::string>& roots, const std::string& note,
                                    const model::Signer& signer);

// Proposes that the right role close blocker `id` with that evidence (any trusted key, the
// agent's included): listed on the blocker until a close.
Result<model::Blocker> ProposeClose(model::Workspace& ws, const std::string& id,
                                    const std::vector<std::string>& roots, const std::string& note,
                                    const model::Signer& signer);

}  // namespace prodgate::evidence
