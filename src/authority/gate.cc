#include "authority/gate.h"

#include <fmt/format.h>

#include <set>

#include "authority/anchor.h"
#include "authority/trust.h"
#include "authority/verified_ledger.h"
#include "core/process.h"
#include "core/redact.h"
#include "core/tool.h"
#include "model/blocker.h"
#include "model/grant.h"
#include "model/lane.h"

namespace prodgate::authority {
namespace {

using model::GrantState;

std::string Short(const std::string& id) { return id.substr(0, 12); }

class Evaluator {
 public:
  Evaluator(model::Workspace& ws, const GateRequest& r) : ws_(ws), reader_(ws.state()), d_{} {
    d_.request = r;
    d_.checked_at = ledger::NowUtc();
  }

  void Hold(std::string code, std::string message, std::string release, std::string blocker = "",
            std::string grant = "") {
    d_.reasons.push_back({std::move(code), std::move(message), std::move(release),
                          std::move(blocker), std::move(grant)});
  }

  Result<GateDecision> Run() {
    const GateRequest& r = d_.request;
    bool action_known = ws_.config.KnownAction(r.action);
    bool scope_known = ws_.config.KnownScope(r.scope);
    if (!action_known) {
      Hold("unknown_action", fmt::format("action \"{}\" is not known to the config", r.action),
           fmt::format("use one of: {}", fmt::join(ws_.config.actions, ", ")));
    }
    if (!scope_known) {
      Hold("unknown_scope", fmt::format("scope \"{}\" is not known to the config", r.scope),
           fmt::format("use one of: {}", fmt::join(ws_.config.scopes, ", ")));
    }
    auto* v = dynamic_cast<VerifiedLedger*>(ws_.proven.get());
    if (v == nullptr) return Status::Internal("the gate decides from a verified chain only");
    d_.head = v->head();
    if (!v->ok()) {
      Hold("ledger_broken", fmt::format("the ledger does not verify: {}", v->problem()),
           "restore the ledger from a copy whose head you trust; run `prodgate ledger verify`");
    }
    PG_ASSIGN_OR_RETURN(ledger::LedgerProtection protection, ws_.ledger->Protection());
    d_.ledger_kind = std::string(ledger::LedgerKindName(protection.kind));
    d_.ledger_limits = protection.gaps;
    auto trust = TrustOf(reader_);
    if (!trust.ok()) Hold("trust_broken", trust.status().what(), trust.status().fix());
    if (!action_known || !scope_known) return d_;
    const bool production = r.scope == "production";
    PG_RETURN_IF_ERROR(CheckAnchorOf(*v, protection, production));
    CheckToolPin();
    PG_RETURN_IF_ERROR(CheckExecutor(trust));
    PG_RETURN_IF_ERROR(CheckLane());
    PG_RETURN_IF_ERROR(CheckBlockers());
    if (production) PG_RETURN_IF_ERROR(CheckProduction(trust));
    if (trust.ok()) PG_RETURN_IF_ERROR(CheckGrants(*trust));
    d_.allow = d_.reasons.empty() && !d_.grant.empty();
    return d_;
  }

 private:
  // While a lane is open, only its option's (action, scope) pairs may pass.
  Status CheckLane() {
    PG_ASSIGN_OR_RETURN(auto current, reader_.Get("workspace", "lane"));
    if (!current || current->value("name", "").empty()) return Status::Ok();
    std::string name = current->value("name", "");
    PG_ASSIGN_OR_RETURN(auto doc, reader_.Get("lanes", name));
    if (!doc) return Status::Internal(fmt::format("the open lane {} has no record", name));
    PG_ASSIGN_OR_RETURN(model::LaneState lane, model::LaneState::FromJson(*doc));
    if (!lane.Authorizes(d_.request.action, d_.request.scope)) {
      std::vector<std::string> pairs;
      for (const auto& r : lane.authority) pairs.push_back(r.action + " in " + r.scope);
      Hold("lane_authority",
           fmt::format(
               "lane {} works under {} of {}, which authorizes {}; not {} in {}", lane.name,
               lane.option, lane.decision,
               pairs.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(pairs, ", ")),
               d_.request.action, d_.request.scope),
           "close the lane, and have an owner select an option that authorizes this action");
    }
    return Status::Ok();
  }

  // Only the open blockers that name a label holding (action, scope) are read (the index
  // gates/<label>, projector.h): the cost follows what can hold, not the size of the map.
  Status CheckBlockers() {
    std::set<std::string> ids;
    for (const auto& [label, rules] : ws_.config.gates) {
      if (!ws_.config.GateHolds(label, d_.request.action, d_.request.scope)) continue;
      PG_ASSIGN_OR_RETURN(auto index, reader_.Get("gates", label));
      if (!index) continue;
      for (const auto& id : index->value("open", Json::array())) {
        if (id.is_string()) ids.insert(id.get<std::string>());
      }
    }
    for (const auto& id : ids) {
      PG_ASSIGN_OR_RETURN(auto doc, reader_.Get("blockers", id));
      if (!doc) return Status::Internal(fmt::format("blocker {} is indexed but absent", id));
      PG_ASSIGN_OR_RETURN(model::Blocker b, model::Blocker::FromJson(*doc));
      if (!b.open()) continue;
      Hold("blocker_open",
           fmt::format("blocker {} is {} and holds {} ({}): {}", b.id, b.status,
                       fmt::join(b.blocks, ", "),
                       b.actor_needed.empty()
                           ? "no actor named"
                           : "needs " + fmt::format("{}", fmt::join(b.actor_needed, " + ")),
                       b.item),
           fmt::format("{}; then {}", b.next_action.empty() ? "do what it needs" : b.next_action,
                       model::HowItCloses(b)),
           b.id);
    }
    return Status::Ok();
  }

  // A blocker a grant requires closed, as the verified state has it.
  Result<std::optional<model::Blocker>> BlockerById(const std::string& id) {
    PG_ASSIGN_OR_RETURN(auto doc, reader_.Get("blockers", id));
    if (!doc) return std::optional<model::Blocker>();
    PG_ASSIGN_OR_RETURN(model::Blocker b, model::Blocker::FromJson(*doc));
    return std::optional<model::Blocker>(std::move(b));
  }

  // The anchor found for this workspace must vouch for it; production needs one.
  Status CheckAnchorOf(VerifiedLedger& v, const ledger::LedgerProtection& protection,
                       bool production) {
    auto found = FindAnchor(d_.request.anchor, v.workspace_id());
    if (!found.ok()) {
      Hold("anchor_invalid", found.status().what(), found.status().fix());
      return Status::Ok();
    }
    if (!found->anchor) {
      if (production) {
        Hold("no_trust_anchor",
             fmt::format("production needs the workspace's trust anchor, and there is none ({})",
                         found->searched),
             fmt::format("the owners make it (prodgate anchor create --out {}.json) and install it "
                         "root-owned as /etc/prodgate/anchors/{}.json, or pass --anchor FILE",
                         v.workspace_id(), v.workspace_id()));
      }
      return Status::Ok();
    }
    PG_ASSIGN_OR_RETURN(std::vector<AnchorProblem> problems,
                        CheckAnchor(ws_, *found, protection, production));
    for (auto& p : problems) Hold(std::move(p.code), std::move(p.message), std::move(p.release));
    if (problems.empty()) {
      d_.anchor = found->path;
      for (const auto& o : found->anchor->owners) pinned_owners_.insert(o.id);
    }
    return Status::Ok();
  }

  // The executor: a key the chain trusts (its signature on the intent is what the record of
  // the run rests on), of a role the config lets execute in this scope; in such a scope
  // (production by default) a run without a key has no executor to check, and holds.
  Status CheckExecutor(const Result<Trust>& trust) {
    const GateRequest& r = d_.request;
    const auto& rules = ws_.config.authority;
    if (r.executor.empty()) {
      if (rules.ExecuteRestricted(r.scope)) {
        Hold("executor_unknown",
             fmt::format("{} in {} needs an executor the config allows ({}), and none is named",
                         r.action, r.scope, fmt::join(rules.execute.at(r.scope), ", ")),
             "gate run --key EXECUTOR_KEY (gate check --executor KEY_ID) with an operator's or "
             "ci key");
      }
      return Status::Ok();
    }
    if (!trust.ok()) return Status::Ok();
    const TrustedKey* k = trust->Find(r.executor);
    if (k == nullptr) {
      Hold("executor_untrusted",
           fmt::format("the executor's key {} is not trusted by this workspace", r.executor),
           "run with a trusted operator's key (--key), or have the owners trust it");
    } else if (!rules.MayExecute(r.scope, RoleName(k->role))) {
      Hold("executor_role",
           fmt::format("the executor {} ({}) is {}, and {} in {} is run by {} only", k->id, k->name,
                       RoleName(k->role), r.action, r.scope,
                       fmt::join(rules.execute.at(r.scope), ", ")),
           "run it with the key of a role the config names in [authority] execute");
    }
    return Status::Ok();
  }

  // The config may pin the binary the gate answers from (the seeds' "hardened validator
  // pinned by sha256"): another binary, a modified prodgate included, holds everything.
  void CheckToolPin() {
    const std::string& pin = ws_.config.authority.tool_sha256;
    if (pin.empty() || ToolDigest() == pin) return;
    Hold("tool_not_pinned",
         fmt::format("this prodgate ({}, sha256 {}) is not the binary the config pins ({})",
                     SelfExecutable(), ToolDigest().substr(0, 12), pin.substr(0, 12)),
         "run the pinned prodgate, or have the owners accept a config pinning this one");
  }

  Status CheckProduction(const Result<Trust>& trust) {
    const GateRequest& r = d_.request;
    if (r.change.empty()) {
      Hold("change_required",
           "a production action must name the change it runs (the seal root of its bytes)",
           "pass --change SEAL_ROOT from `prodgate seal` of the reviewed change");
      return Status::Ok();
    }
    PG_ASSIGN_OR_RETURN(auto doc, reader_.Get("rehearsals", r.change));
    if (!doc) {
      Hold("no_rehearsal", fmt::format("no rehearsal is recorded for change {}", Short(r.change)),
           "prove the rollback on an isolated clone: prodgate rehearse --target CLONE --apply "
           "FILE --rollback FILE");
      return Status::Ok();
    }
    if (doc->value("verdict", "") != "PASS") {
      Hold("rehearsal_failed",
           fmt::format("the last rehearsal of change {} did not pass ({})", Short(r.change),
                       doc->value("verdict", "?")),
           "fix the change or its rollback and rehearse again until it passes");
    } else {
      PG_RETURN_IF_ERROR(CheckRehearsalSigned(*doc, trust));
    }
    return Status::Ok();
  }

  // The rehearsal a production action rests on must be signed by a trusted key: an
  // unsigned rehearsal.result is a claim anyone with write access to the ledger can append.
  // The chain verified the rehearsal's signature when it folded the event (against the keys
  // in force then); the signer must still be trusted now.
  Status CheckRehearsalSigned(const Json& rehearsal, const Result<Trust>& trust) {
    const auto& attest = ws_.config.authority.attest;
    const std::string fix =
        fmt::format("rehearse again with --key KEY, the key of a role that attests ({})",
                    fmt::join(attest, ", "));
    const int64_t seq = rehearsal.value("seq", int64_t{0});
    const std::string actor = rehearsal.value("actor", "");
    if (!rehearsal.value("signed", false)) {
      Hold("rehearsal_unsigned",
           fmt::format("the passing rehearsal of change {} (event {}) is not signed",
                       Short(d_.request.change), seq),
           fix);
      return Status::Ok();
    }
    const TrustedKey* k = trust.ok() ? trust->Find(actor) : nullptr;
    if (k == nullptr) {
      Hold("rehearsal_unsigned",
           fmt::format("the rehearsal of change {} (event {}) is signed by {}, a key no longer "
                       "trusted",
                       Short(d_.request.change), seq, actor),
           fix);
    } else if (!ws_.config.authority.MayAttest(RoleName(k->role))) {
      Hold("rehearsal_not_attested",
           fmt::format("the rehearsal of change {} (event {}) is signed by {} ({}), whose role {} "
                       "does not attest for production: the agent that prepared a change does "
                       "not prove it alone",
                       Short(d_.request.change), seq, k->id, k->name, RoleName(k->role)),
           fix);
    }
    return Status::Ok();
  }

  // Every problem of one grant; empty when it allows.
  Result<std::vector<HoldReason>> GrantProblems(const Json& doc, const Trust& trust) {
    std::vector<HoldReason> p;
    PG_ASSIGN_OR_RETURN(GrantState g, GrantState::FromJson(doc));
    const GateRequest& r = d_.request;
    const std::string gid = Short(g.id);
    auto add = [&](std::string code, std::string msg, std::string release) {
      p.push_back(
          {std::move(code), fmt::format("grant {}: {}", gid, msg), std::move(release), "", g.id});
    };
    PG_ASSIGN_OR_RETURN(std::string bytes, g.terms.SigningBytes());
    PG_ASSIGN_OR_RETURN(std::string id, g.terms.Id());
    if (id != g.id) {
      add("grant_tampered", "its id is not the hash of its terms", "an owner issues a new grant");
      return p;
    }
    std::set<std::string> good;
    for (const auto& s : g.signatures) {
      const TrustedKey* k = trust.Find(s.key);
      if (k == nullptr) {
        add("grant_untrusted_signer", fmt::format("signed by {}, which is not trusted", s.key),
            "an owner adds the key to the trust, or another owner signs");
        continue;
      }
      if (!VerifySignature(k->key, bytes, s.sig)) {
        add("grant_signature_invalid",
            fmt::format("the signature by {} ({}) does not verify: the grant was forged or altered",
                        k->id, k->name),
            "an owner issues a new grant");
        continue;
      }
      if (k->role != Role::kOwner || !trust.MayGrant(*k, g.terms.action)) {
        add("grant_signer_not_owner",
            fmt::format("signed by {} ({}), who may not grant {}", k->id, k->name, g.terms.action),
            "an owner with the right to grant it signs");
        continue;
      }
      if (!g.terms.requester.empty() && s.key == g.terms.requester) {
        add("grant_self_approved", fmt::format("{} requested it and signed it", s.key),
            "another owner signs: requester and approver are never the same key");
        continue;
      }
      good.insert(s.key);
    }
    int threshold = ws_.config.Threshold(g.terms.action);
    const std::set<std::string> approvers = good;
    std::vector<std::string> not_counted;
    if (threshold >= 2) {
      // One person's second key must not make a second signature (IndependentOwners).
      PG_ASSIGN_OR_RETURN(std::set<std::string> counts,
                          IndependentOwners(reader_, threshold, pinned_owners_));
      for (auto it = good.begin(); it != good.end();) {
        if (counts.count(*it)) {
          ++it;
        } else {
          const TrustedKey* k = trust.Find(*it);
          not_counted.push_back(fmt::format("{} ({})", *it, k ? k->name : "?"));
          it = good.erase(it);
        }
      }
    }
    if (static_cast<int>(good.size()) < threshold) {
      add("grant_threshold_not_met",
          fmt::format("{} of the {} owner signatures {} needs{}", good.size(), threshold,
                      g.terms.action,
                      not_counted.empty()
                          ? std::string()
                          : fmt::format("; not counted: {}, admitted by fewer than {} owners "
                                        "that count and not named by the trust anchor",
                                        fmt::join(not_counted, ", "), threshold)),
          not_counted.empty()
              ? fmt::format("another owner signs: prodgate grant sign {} --key OWNER_KEY", gid)
              : fmt::format("an owner the trust anchor names, or one admitted by {} such owners, "
                            "signs: prodgate grant sign {} --key OWNER_KEY",
                            threshold, gid));
    }
    if (!r.executor.empty() && approvers.count(r.executor)) {
      add("executor_is_approver", fmt::format("{} approved it and cannot also run it", r.executor),
          "an operator other than the approving owners runs the action");
    }
    auto now = ledger::ParseUtc(d_.checked_at);
    auto nb = ledger::ParseUtc(g.terms.not_before);
    auto ex = ledger::ParseUtc(g.terms.expires);
    if (!nb || !ex || !now) {
      add("grant_tampered", "its validity window is malformed", "an owner issues a new grant");
    } else if (*now < *nb) {
      add("grant_not_yet_valid",
          fmt::format("valid from {} (now {})", g.terms.not_before, d_.checked_at),
          "wait until then, or an owner issues a grant valid now");
    } else if (*now >= *ex) {
      add("grant_expired", fmt::format("expired at {}", g.terms.expires),
          fmt::format("an owner issues a new grant: prodgate grant issue --action {} --scope {} "
                      "--key OWNER_KEY",
                      g.terms.action, g.terms.scope));
    }
    if (g.revoked) {
      add("grant_revoked",
          fmt::format("revoked by {} at {}: {}", g.revoked_by, g.revoked_at, g.revoke_reason),
          "an owner issues a new grant");
    }
    if (g.used >= g.terms.uses) {
      add("grant_used_up", fmt::format("all {} use(s) consumed", g.terms.uses),
          "an owner issues a new grant");
    }
    if (r.scope == "production" && g.terms.change.empty()) {
      add("grant_unbound_change", "a production grant must name the change it allows",
          "an owner issues a grant with --change SEAL_ROOT");
    }
    if (!g.terms.change.empty() && g.terms.change != r.change) {
      add("grant_change_mismatch",
          fmt::format("bound to change {}, not {}", Short(g.terms.change),
                      r.change.empty() ? std::string("(none given)") : Short(r.change)),
          "run the change the grant names, or an owner grants this change");
    }
    if (!g.terms.target.empty() && g.terms.target != r.target) {
      add("grant_target_mismatch",
          fmt::format("bound to target {}, not {}", g.terms.target,
                      r.target.empty() ? std::string("(none given)") : r.target),
          "run against the target the grant names, or an owner grants this target");
    }
    for (const auto& bid : g.terms.requires_closed) {
      PG_ASSIGN_OR_RETURN(auto blocker, BlockerById(bid));
      if (!blocker) {
        add("grant_requires_unknown_blocker",
            fmt::format("requires blocker {}, which does not exist", bid),
            "an owner issues a grant that names existing blockers");
      } else if (blocker->open()) {
        add("grant_requires_open_blocker",
            fmt::format("requires blocker {} closed; it is {}", bid, blocker->status),
            model::HowItCloses(*blocker));
      }
    }
    return p;
  }

  Status CheckGrants(const Trust& trust) {
    const GateRequest& r = d_.request;
    PG_ASSIGN_OR_RETURN(std::vector<Json> docs, reader_.List("grants"));
    std::vector<HoldReason> problems;
    std::vector<std::string> other_scopes;
    int candidates = 0;
    for (const auto& doc : docs) {
      const Json& terms = doc.value("terms", Json::object());
      if (terms.value("action", "") != r.action) continue;
      if (terms.value("scope", "") != r.scope) {
        other_scopes.push_back(
            fmt::format("{} ({})", Short(doc.value("id", "")), terms.value("scope", "")));
        continue;
      }
      ++candidates;
      PG_ASSIGN_OR_RETURN(std::vector<HoldReason> p, GrantProblems(doc, trust));
      if (p.empty()) {
        d_.grant = doc.value("id", "");
        return Status::Ok();
      }
      problems.insert(problems.end(), p.begin(), p.end());
    }
    std::string others = other_scopes.empty()
                             ? ""
                             : fmt::format(
                                   "; grants for {} in other scopes do not count (no scope implies "
                                   "another): {}",
                                   r.action, fmt::join(other_scopes, ", "));
    if (candidates == 0) {
      Hold("no_grant", fmt::format("no grant for {} in scope {}{}", r.action, r.scope, others),
           fmt::format("an owner issues one: prodgate grant issue --action {} --scope {}{} --key "
                       "OWNER_KEY",
                       r.action, r.scope, r.change.empty() ? "" : " --change " + r.change));
    } else {
      Hold("no_valid_grant",
           fmt::format("none of the {} grant(s) for {} in scope {} allows it{}", candidates,
                       r.action, r.scope, others),
           "see the grant reasons below");
      d_.reasons.insert(d_.reasons.end(), problems.begin(), problems.end());
    }
    return Status::Ok();
  }

  model::Workspace& ws_;
  ledger::ProjectionTxn& reader_;
  std::set<std::string> pinned_owners_;  // the owners a trust anchor that vouches names
  GateDecision d_;
};

}  // namespace

Json GateDecision::ToJson() const {
  Json reasons_json = Json::array();
  for (const auto& r : reasons) {
    Json j = {{"code", r.code}, {"message", r.message}, {"release", r.release}};
    if (!r.blocker.empty()) j["blocker"] = r.blocker;
    if (!r.grant.empty()) j["grant"] = r.grant;
    reasons_json.push_back(j);
  }
  return Json{{"format", "prodgate.gate/1"},
              {"verdict", allow ? "ALLOW" : "HOLD"},
              {"action", request.action},
              {"scope", request.scope},
              {"change", request.change},
              {"target", request.target},
              {"grant", grant},
              {"reasons", reasons_json},
              {"ledger_head", {{"seq", head.seq}, {"hash", ToHex(head.hash)}}},
              {"ledger", {{"kind", ledger_kind}, {"cannot_protect_against", ledger_limits}}},
              {"anchor", anchor},
              {"executor", request.executor},
              {"checked_at", checked_at}};
}

// The target a request names, as the gate compares, records and prints it (a grant's target
// is kept the same way, so the two compare equal without either holding a password).
Result<GateRequest> Shown(GateRequest r) {
  if (!r.target.empty()) {
    PG_ASSIGN_OR_RETURN(r.target, BindableTarget(r.target));
  }
  return r;
}

Result<GateDecision> CheckGate(model::Workspace& ws, const GateRequest& request) {
  PG_ASSIGN_OR_RETURN(GateRequest shown, Shown(request));
  Evaluator eval(ws, shown);
  return eval.Run();
}

Result<GatedRun> RunGated(model::Workspace& ws, const GateRequest& request,
                          const std::vector<std::string>& argv, const PrivateKey* executor_key) {
  if (argv.empty()) {
    return Status::BadInput("no command to run",
                            "give it after --: prodgate gate run ... -- CMD ARGS");
  }
  GatedRun out;
  PG_ASSIGN_OR_RETURN(GateRequest r, Shown(request));
  if (executor_key != nullptr) r.executor = executor_key->Id();
  bool held = false;
  auto intent = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    // Under the write lock, the verified state at the head the intent chains onto
    // (AppendEvent verified the events appended since the workspace was opened).
    Evaluator eval(ws, r);
    PG_ASSIGN_OR_RETURN(out.decision, eval.Run());
    if (!out.decision.allow) {
      held = true;
      return Status::BadInput("HOLD");  // refuses the append: nothing is written
    }
    Json body = {{"action", r.action},
                 {"scope", r.scope},
                 {"change", r.change},
                 {"target", r.target},
                 {"grant", out.decision.grant},
                 {"argv", RedactArgv(argv)},
                 {"ledger_head", ToHex(out.decision.head.hash)}};
    return DraftBy(executor_key, "action.intent", body);
  });
  if (held) {
    // The attempt leaves a trace (lane reports count it): what was asked and why it held,
    // signed when the executor's key is trusted. The target and the command are not
    // recorded: they may hold credentials. A ledger that does not verify takes no record.
    Json codes = Json::array();
    for (const auto& reason : out.decision.reasons) codes.push_back(reason.code);
    Status recorded = model::RecordRefusal(ws, "refused.gate_run",
                                           {{"action", r.action},
                                            {"scope", r.scope},
                                            {"change", r.change},
                                            {"executor", r.executor},
                                            {"codes", codes}},
                                           SignerOf(executor_key));
    out.refusal_recorded = recorded.ok();
    return out;
  }
  if (!intent.ok()) {
    if (intent.status().code() == StatusCode::kUnknownOutcome) {
      return Status::UnknownOutcome(
          fmt::format("the command did NOT run: the write of its intent was not confirmed: {}",
                      intent.status().what()),
          "if `prodgate ledger log` shows the action.intent, one use of the grant is consumed; "
          "check the disk or server first. " +
              intent.status().fix());
    }
    return Status::Internal(
        fmt::format("the intent could not be recorded, so the command did not run: {}",
                    intent.status().what()),
        intent.status().fix());
  }
  out.intent = ToHex(intent->hash);
  ProcessOptions run;
  run.capture = false;  // the operator sees the command's own output
  run.stdin_null = false;
  auto ran = RunProcess(argv, run);
  Json finish_body = {{"intent", out.intent}};
  if (ran.ok()) {
    out.ran = true;
    out.exit_code = ran->exit_code;
    finish_body["exit_code"] = out.exit_code;
  } else {
    // The use is consumed (the intent was committed before the attempt), and the record says
    // the command never started, with why.
    // The error quotes argv[0], which may be a whole command line.
    std::string what = ran.status().what();
    if (size_t at = what.find(argv[0]); at != std::string::npos) {
      what.replace(at, argv[0].size(), RedactCommandLine(argv[0]));
    }
    out.spawn_error = RedactSecrets(what);
    finish_body["exit_code"] = -1;
    finish_body["spawn_failed"] = out.spawn_error;
  }
  auto finish = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    return DraftBy(executor_key, "action.finish", finish_body);
  });
  if (!finish.ok()) {
    return Status::Internal(
        fmt::format("the command {} but its outcome could not be recorded: {}",
                    out.ran ? fmt::format("ran (exit {})", out.exit_code)
                            : "could not be started (" + out.spawn_error + ")",
                    finish.status().what()),
        "record what happened by hand; the ledger holds the intent " + out.intent.substr(0, 12));
  }
  return out;
}

Json GatedRun::ToJson() const {
  std::string outcome = ran ? "ran" : !spawn_error.empty() ? "not_started" : "held";
  Json j = {{"format", "prodgate.gate-run/1"},
            {"outcome", outcome},
            {"decision", decision.ToJson()},
            {"intent", intent}};
  if (outcome == "held") j["refusal_recorded"] = refusal_recorded;
  if (ran) j["command_exit_code"] = exit_code;
  if (!spawn_error.empty()) j["spawn_error"] = spawn_error;
  return j;
}

int GateRunExitCode(const Result<GatedRun>& run) {
  if (!run.ok()) {
    return run.status().code() == StatusCode::kBadInput ? kRunBadInput : kRunInternal;
  }
  if (!run->spawn_error.empty()) return kRunNotStarted;
  if (!run->ran) return kRunHeld;
  const int c = run->exit_code;
  return c >= kRunHeld && c <= kRunNotStarted ? 123 : c;
}

}  // namespace prodgate::authority
