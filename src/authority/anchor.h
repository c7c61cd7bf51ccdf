// The trust anchor (DESIGN.md §3.10 point 2): a file outside the workspace, made by its
// owners (`prodgate anchor create`) and installed where the invoking user cannot write it
// (root-owned, mode 0644, in a root-owned directory), that pins
//   - the workspace's identity: the hash of its first event (a re-initialised, swapped or
//     replaced workspace begins with another one);
//   - one event of its chain and the owners in force there (history before it cannot be
//     rewritten, and the owners cannot be replaced by keys an agent made);
//   - the threshold of owner signatures every later trust or config change needs;
//   - what ledger production may be decided from: the protected team ledger (and which
//     database it is), or, where the owners say so, a local one;
//   - whether a root invoker may act in production (a CI container).
//
// Format (canonical JSON, RFC 8785, integers only):
//   {"format":"prodgate.anchor/1","workspace":"<id>","genesis":"<hex>",
//    "at":{"seq":N,"hash":"<hex>"},
//    "owners":[{"id":"ed25519:…","name":"…","public_key":"<base64>"}],
//    "threshold":N,
//    "ledger":{"require":"protected","identity":"host=… port=… dbname=…"}
//           | {"require":"local"},
//    "allow_root":false,"created_at":"…Z"}
//
// Where it is looked for, first found wins: --anchor FILE, $PRODGATE_ANCHOR, then
// $PRODGATE_ANCHOR_DIR (default /etc/prodgate/anchors) + "/<workspace id>.json". Each of
// these may be set by whoever sets the invoker's environment, which is why the file is
// believed only when core/file_safety.h's NotWritableBy holds for the invoker: a file the
// invoker (or an agent running as the invoker) could have written is refused, whatever path
// led to it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authority/trust.h"
#include "core/canonical_json.h"
#include "ledger/store.h"
#include "model/workspace.h"

namespace prodgate::authority {

inline constexpr std::string_view kAnchorFormat = "prodgate.anchor/1";

struct AnchorOwner {
  std::string id, name;
  PublicKey key;
};

struct Anchor {
  std::string workspace;
  Digest genesis{};
  ledger::Head at;
  std::vector<AnchorOwner> owners;
  int64_t threshold = 1;
  std::string ledger_require = "protected";  // "protected" or "local"
  std::string ledger_identity;               // for "protected": the database, or "" (any)
  bool allow_root = false;
  std::string created_at;

  Json ToJson() const;
  static Result<Anchor> FromJson(const Json& j);
};

// Where the anchor of a workspace was found, or why none was.
struct FoundAnchor {
  std::optional<Anchor> anchor;
  std::string path;      // the file read ("" when none was found)
  std::string searched;  // the places looked in, for the message when none is found
  std::string unsafe;    // why the file found is not believed ("" when it is)
};

// Looks in the places above. A file that exists but cannot be read or parsed is an error
// naming it; a file the invoker could write is returned with `unsafe` set.
Result<FoundAnchor> FindAnchor(const std::string& explicit_path, const std::string& workspace_id);

// One reason an anchor does not vouch for this workspace now.
struct AnchorProblem {
  std::string code;  // workspace_not_anchored, anchor_mismatch, trust_below_threshold,
                     // ledger_unprotected, ledger_not_anchored, invoker_is_root, anchor_unsafe
  std::string message;
  std::string release;
};

// Checks the verified state (ws.proven) against the anchor: genesis, the pinned event, the
// owners there, the threshold of every later change, and, when `production`, the ledger's
// protection and the invoker. Empty: the anchor vouches for it.
Result<std::vector<AnchorProblem>> CheckAnchor(model::Workspace& ws, const FoundAnchor& found,
                                               const ledger::LedgerProtection& protection,
                                               bool production);

struct AnchorRequest {
  int64_t threshold = 1;
  bool allow_local_ledger = false;  // else the ledger must be the protected one it is now
  bool allow_root = false;
};
// The anchor of the workspace as its verified chain stands now: its genesis, its head, the
// owners in force and the ledger it is on. Refused on a chain that does not verify, with no
// owner, with a threshold above the number of owners, or, without allow_local_ledger, on a
// ledger that is not the protected team ledger.
Result<Anchor> MakeAnchor(model::Workspace& ws, const AnchorRequest& r);

// What `anchor show|verify` says: the anchor found (or where none was), and every reason it
// does not vouch for the workspace, production's included.
struct AnchorReport {
  FoundAnchor found;
  std::vector<AnchorProblem> problems;
  ledger::LedgerProtection protection;
  std::string workspace_id;
  Digest genesis{};
  bool vouches() const { return found.anchor.has_value() && problems.empty(); }
};
Result<AnchorReport> ReportAnchor(model::Workspace& ws, const std::string& anchor_path);

// The owner threshold a new trust change asks for: `requested` when above 0, else the
// threshold of the anchor found for the workspace, else 1.
Result<int64_t> ThresholdForChanges(model::Workspace& ws, const std::string& anchor_path,
                                    int64_t requested);

}  // namespace prodgate::authority
