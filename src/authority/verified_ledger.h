// What the ledger proves (DESIGN.md §3.10 point 1): the state its events make, folded only
// from events whose hashes, links and signatures verify and that obey the rules of their
// kind. Every decision reads this state; no table beside the chain adds, hides or changes a
// gate input.
//
// Verification, for each event in seq order:
//   chain      ledger::CheckLink: seq follows, prev is the previous hash, hash is the SHA-256
//              of the preimage. Event 1, and only event 1, is workspace.init.
//   signature  a signed event's actor is a key in force at that point of the chain (the keys
//              table below) and its Ed25519 signature over the preimage verifies; an unsigned
//              event's actor is "local:<user>", never a key id. The one exception is the
//              first owner: while the chain trusts no owner, a trust change that adds an
//              owner may be unsigned or signed by the key it adds.
//   kind rules who may append it:
//     trust.update, trust.propose, trust.sign, config.accept, grant.issue, grant.sign,
//     grant.revoke, decision.select   signed by an owner in force
//     blocker.close                  signed, by a role the blocker's category admits
//                                    (model::WhyRoleMayNotClose); needs-grant blockers close
//                                    by the grant.issue, needs-owner-decision ones by the
//                                    decision.select, that names them ("closes")
//     blocker.reopen, .propose_close signed by a key in force
//     any blocker change that holds less (model::Weakens)   signed by an owner
//   then model::Project, which refuses what the state does not allow (a blocker or decision
//   made twice, a grant used beyond its uses, overlapping id reservations, a second open
//   lane…).
// The first event that breaks a rule ends the fold: the state is the state before it, ok()
// is false and problem() names the event and the rule. prodgate never appends such an event,
// so one in the chain was written behind its back.
//
// Trust changes. A change (add a key with its role, remove a key, accept a config digest)
// is proposed by an owner with a threshold N (trust.propose; its event hash is the
// proposal's id) and takes effect at the event where N distinct owners in force have signed
// it (the proposer, then trust.sign events). trust.update is a change with N = 1 (and the
// form of the first owner's bootstrap); config.accept is an accept-config change with N = 1.
// A key's role is only ever the role a change gave it. The last owner cannot be removed.
//
// Tables the fold keeps, beside model::Project's (projector.h):
//   workspace/genesis   {"hash","workspace_id"}
//   keys/<key id>       {"id","name","role","public_key","added_seq","removed_seq"(0: in force)}
//   proposals/<id>      {"id","change","threshold","signers":[key ids],"seq","applied_seq"}
//   changes/<seq:012>   {"seq","kind":"trust"|"config","what","owners":[key ids that signed]}
//
// Where the state lives. In the invoking user's checkpoint (ledger/checkpoint.h) in
// StateDirectory(), so that a verification only folds the events after it; or, when no
// private state directory can be used, in memory, folded from genesis every time (correct,
// slower). A checkpoint whose head event is no longer in the ledger, or changed, means the
// ledger was truncated or rewritten after this user verified it: the verification fails
// naming both, and never silently starts again.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "authority/trust.h"
#include "ledger/checkpoint.h"
#include "ledger/store.h"
#include "model/workspace.h"

namespace prodgate::authority {

// The version of the rules above and of model::Project's tables; a checkpoint folded under
// other rules is folded again. Any change to either changes it: a checkpoint folded by other
// rules may lack a table the gate reads (/2: the gates/<label> index; /3: who closes).
inline constexpr std::string_view kFoldVersion = "prodgate.fold/3";

// Where this user's checkpoints live: $PRODGATE_STATE_DIR, else $XDG_STATE_HOME/prodgate,
// else $HOME/.local/state/prodgate, each + "/checkpoints", made 0700 when missing and used
// only when it is a directory of the invoking user that nobody else may enter. `path` empty:
// none can be used, and `why_not` says why.
struct StateDirectoryChoice {
  std::string path;
  std::string why_not;
};
StateDirectoryChoice StateDirectory();

class VerifiedLedger : public model::ProvenState {
 public:
  // Verifies the events after this user's checkpoint (or all of them) and folds them.
  // A broken chain is a verdict (ok() false), not an error; an error is returned only when the
  // ledger cannot be read at all.
  static Result<std::shared_ptr<VerifiedLedger>> Open(ledger::LedgerStore& store);
  // From genesis, in memory, whatever this user's checkpoint holds (`ledger verify --full`).
  static Result<std::shared_ptr<VerifiedLedger>> OpenWithoutCheckpoint(ledger::LedgerStore& store);

  ledger::ProjectionTxn& tables() override { return *tables_; }
  ledger::Head head() const override { return head_; }
  bool ok() const override { return ok_; }
  const std::string& problem() const override { return problem_; }
  Status Refresh(ledger::LedgerStore& store) override;
  Status Admits(const ledger::Event& e) override;

  int64_t first_bad_seq() const { return first_bad_seq_; }
  const Digest& genesis() const { return genesis_; }
  const std::string& workspace_id() const { return workspace_id_; }
  // The checkpoint this verification started from, and where it is kept ("" when none
  // could be used, with the reason).
  ledger::Head verified_from() const { return verified_from_; }
  const std::string& checkpoint_path() const { return checkpoint_path_; }
  const std::string& no_checkpoint_reason() const { return no_checkpoint_reason_; }
  std::string checkpoint_verified_at() const;
  int64_t folded() const { return folded_; }  // events verified by this process

 private:
  VerifiedLedger() = default;
  static Result<std::shared_ptr<VerifiedLedger>> Make(ledger::LedgerStore& store,
                                                      bool use_checkpoint);
  Status FoldTail(ledger::LedgerStore& store);
  Status FoldRange(ledger::LedgerStore& store, ledger::Head& at, int64_t to);

  std::unique_ptr<ledger::Checkpoint> checkpoint_;
  std::unique_ptr<ledger::MemoryProjections> memory_;
  ledger::ProjectionTxn* tables_ = nullptr;
  ledger::Head head_;
  ledger::Head verified_from_;
  bool ok_ = true;
  bool started_ = false;
  std::string problem_;
  int64_t first_bad_seq_ = 0;
  int64_t folded_ = 0;
  Digest genesis_{};
  std::string workspace_id_;
  std::string checkpoint_path_;
  std::string no_checkpoint_reason_;
};

// The keys in force in `state` and the roles' grant rights.
Result<Trust> TrustOf(ledger::ProjectionTxn& state);
// The owners in force just after event `seq`.
Result<std::vector<TrustedKey>> OwnersAt(ledger::ProjectionTxn& state, int64_t seq);

// A trust or config change that took effect, with the owners whose signatures made it.
struct RuleChange {
  int64_t seq = 0;
  std::string kind;  // "trust" or "config"
  std::string what;  // "add owner ed25519:… (alice)", "accept config <sha>", …
  std::vector<std::string> owners;
};
Result<std::vector<RuleChange>> RuleChanges(ledger::ProjectionTxn& state);

// The owners whose signatures count toward a threshold of `threshold` (>= 2): one owner with
// two keys must not reach it alone, and the chain cannot tell a colleague's key from a second
// key of the same person, so an owner counts only when `pinned` (the trust anchor's owners:
// vouched for from outside the workspace) names it, it is the first owner (the bootstrap), it
// replaced (trust rotate) an owner that counts, or the change that admitted it was signed by at
// least `threshold` owners that count, in the order they were admitted. Owners removed since are
// kept in that history (what they admitted stays admitted) but are not returned.
Result<std::set<std::string>> IndependentOwners(ledger::ProjectionTxn& state, int64_t threshold,
                                                const std::set<std::string>& pinned);

// A pending or applied trust proposal.
struct TrustProposal {
  std::string id;  // hash of its trust.propose event
  Json change;
  int64_t threshold = 1;
  std::vector<std::string> signers;
  int64_t seq = 0, applied_seq = 0;
  static Result<TrustProposal> FromJson(const Json& j);
};
Result<std::vector<TrustProposal>> TrustProposals(ledger::ProjectionTxn& state);

}  // namespace prodgate::authority
