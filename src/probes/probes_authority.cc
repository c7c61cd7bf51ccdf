// Probes against authority: grants (forged, expired, replayed, out of scope), keys, owners,
// decisions, lanes and the gate's production rules.
#include <fmt/format.h>

#include <filesystem>

#include "authority/gate.h"
#include "authority/keys.h"
#include "ledger/store.h"
#include "model/grant.h"
#include "model/projector.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLaneDecision = "FIX7-P0-CLONE-REHEARSAL-DECISION-2026-06-12";
constexpr const char* kLaneOption = "AUTHORIZE_PRODUCTION_SHAPED_CLONE_REHEARSAL_ONLY";

std::vector<std::string> GateRun(Fixture& f, const std::string& action, const std::string& scope,
                                 const std::string& marker, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"gate", "run", "--action", action, "--scope", scope};
  args.insert(args.end(), more.begin(), more.end());
  args.insert(args.end(), {"--", "touch", f.Path(marker)});
  return args;
}

// The attacker holds the ledger file but no owner key: a grant.issue event for apply in
// clone appended behind prodgate's checks, chained and hashed as prodgate would, its terms
// and the event signed by `signer`; `alter_after_signing` changes the terms once signed
// (uses 1 → 1000).
bool ForgeGrant(Fixture& f, const authority::PrivateKey& signer, bool alter_after_signing) {
  auto store = ledger::OpenLedger(f.Path(".prodgate/ledger.db"), false);
  if (!f.Check(store.status(), "open the ledger")) return false;
  model::GrantTerms t;
  t.action = "apply";
  t.scope = "clone";
  t.not_before = "2020-01-01T00:00:00Z";
  t.expires = "2099-01-01T00:00:00Z";
  t.nonce = "00";
  t.issued_at = t.not_before;
  auto bytes = t.SigningBytes();
  if (!f.Check(bytes.status(), "grant terms")) return false;
  auto sig = signer.Sign(*bytes);
  if (!f.Check(sig.status(), "sign")) return false;
  if (alter_after_signing) t.uses = 1000;
  auto id = t.Id();
  if (!f.Check(id.status(), "grant id")) return false;
  Json body = {{"id", *id},
               {"terms", t.ToJson()},
               {"signatures", Json::array({{{"key", signer.Id()}, {"sig", *sig}}})}};
  auto e = (*store)->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = signer.Id();
        d.kind = "grant.issue";
        d.body = body;
        d.sign = [&signer](std::string_view pre) { return signer.Sign(pre); };
        return d;
      },
      [](const ledger::Event& ev, ledger::ProjectionTxn& txn) { return model::Project(ev, txn); });
  return f.Check(e.status(), "append the forged grant");
}

void GrantForged(Fixture& f) {
  // Mallory makes an owner key nobody trusted.
  f.Setup("mallory's key", {"key", "new", "--name", "mallory", "--role", "owner", "--out",
                            f.Path("keys/mallory.pem")});
  if (!f.ok()) return;
  for (auto& t : KeyMaterialTokens("mallory", f.Read("keys/mallory.pem"))) f.AddToken(t);
  f.Refused("grant issue with an untrusted key",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key("mallory")},
            {2}, {"is not trusted"});
  auto mallory = authority::PrivateKey::Load(f.Key("mallory"));
  if (!f.Check(mallory.status(), "load mallory's key") || !ForgeGrant(f, *mallory, false)) return;
  // An event signed by a key the chain does not trust breaks the chain: nothing passes.
  f.Refused("gate check on the forged grant",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"ledger_broken", "a key the chain does not trust"});
  f.Refused("gate run on the forged grant", GateRun(f, "apply", "clone", "ran"),
            {authority::kRunHeld}, {"HOLD"});
  f.Require(!fs::exists(f.Path("ran")), "the command ran on a forged grant");
}

void GrantAlteredAfterSigning(Fixture& f) {
  auto alice = authority::PrivateKey::Load(f.Key("alice"));
  if (!f.Check(alice.status(), "load alice's key") || !ForgeGrant(f, *alice, true)) return;
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_signature_invalid"});
}

void GrantExpired(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone", "--not-before", "2020-01-01T00:00:00Z",
               "--expires-at", "2020-01-02T00:00:00Z"})
          .empty()) {
    return;
  }
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_expired"});
  f.Refused("gate run", GateRun(f, "apply", "clone", "ran"), {authority::kRunHeld},
            {"grant_expired"});
  f.Require(!fs::exists(f.Path("ran")), "the command ran on an expired grant");
}

void GrantReplayed(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Setup("the one use", GateRun(f, "apply", "clone", "first"));
  f.Refused("the same grant again", GateRun(f, "apply", "clone", "second"), {authority::kRunHeld},
            {"grant_used_up"});
  f.Require(!fs::exists(f.Path("second")), "a used-up grant let the command run");
}

void RehearsalGrantForProduction(Fixture& f) {
  if (f.Issue({"--action", "cutover", "--scope", "rehearsal", "--change", kSomeChange}).empty()) {
    return;
  }
  f.Refused(
      "gate check cutover in production",
      {"gate", "check", "--action", "cutover", "--scope", "production", "--change", kSomeChange},
      {1}, {"no_grant", "no scope implies another"});
  f.Refused("gate run cutover in production",
            GateRun(f, "cutover", "production", "ran", {"--change", kSomeChange}),
            {authority::kRunHeld}, {"no_grant"});
  f.Require(!fs::exists(f.Path("ran")), "a rehearsal grant ran a production cutover");
}

void ProductionPassFromClone(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  auto r = f.Setup("a passing rehearsal on the clone",
                   {"rehearse", "--target", "sqlite:clone.db", "--apply", "fix7/apply.sql",
                    "--rollback", "fix7/rollback.sql", "--out", "rehearsal"});
  if (!r) return;
  std::string change = RehearsedChange(r->out);
  if (change.empty()) {
    f.Broken("the rehearsal printed no change");
    return;
  }
  if (f.Issue({"--action", "apply", "--scope", "clone", "--change", change}).empty()) return;
  f.Setup("the clone grant allows the clone",
          {"gate", "check", "--action", "apply", "--scope", "clone", "--change", change});
  f.Refused("the same pass for production",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change},
            {1}, {"no_grant"});
  f.Refused("gate run in production",
            GateRun(f, "apply", "production", "ran", {"--change", change}), {authority::kRunHeld},
            {"no_grant"});
  f.Require(!fs::exists(f.Path("ran")), "a clone pass ran in production");
}

void ProductionBlockerOpen(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  auto r = f.Setup("a passing rehearsal on the clone",
                   {"rehearse", "--target", "sqlite:clone.db", "--apply", "fix7/apply.sql",
                    "--rollback", "fix7/rollback.sql", "--out", "rehearsal"});
  std::string change = r ? RehearsedChange(r->out) : "";
  if (!f.ok()) return;
  if (change.empty()) {
    f.Broken("the rehearsal printed no change");
    return;
  }
  // Everything is in order (a production grant for this change, its rehearsal passed) but
  // one blocker of production is open.
  f.Setup("an open blocker of production",
          {"blocker", "add", "--id", "B1", "--item", "live read not done", "--blocks", "production",
           "--category", "needs-live-production-read"});
  if (f.Issue({"--action", "apply", "--scope", "production", "--change", change}).empty()) return;
  f.Refused("gate check apply in production",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change},
            {1}, {"blocker_open", "B1"});
  f.Refused("gate run apply in production",
            GateRun(f, "apply", "production", "ran", {"--change", change}), {authority::kRunHeld},
            {"blocker_open"});
  f.Require(!fs::exists(f.Path("ran")), "production ran with an open blocker");
}

void RealrunQt001CutoverToken(Fixture& f) {
  for (const char* action : {"real_run", "qt001", "cutover"}) {
    f.Refused(
        fmt::format("gate check {} in production", action),
        {"gate", "check", "--action", action, "--scope", "production", "--change", kSomeChange},
        {1}, {"no_grant", "no_rehearsal"});
    f.Refused(fmt::format("gate check {} in production, no change", action),
              {"gate", "check", "--action", action, "--scope", "production"}, {1},
              {"change_required"});
  }
  f.Refused("gate run real_run in production",
            GateRun(f, "real_run", "production", "ran", {"--change", kSomeChange}),
            {authority::kRunHeld}, {"no_grant"});
  f.Require(!fs::exists(f.Path("ran")), "real_run ran in production without a grant");
  f.SetSummary(
      "real_run, qt001, cutover in production: HOLD (exit 1, no_grant, no_rehearsal; "
      "change_required without a change); gate run did not run");
}

void LooseKeyPermissions(Fixture& f) {
  std::string head = f.LedgerHead();
  std::error_code ec;
  fs::permissions(f.Key("alice"), fs::perms(0644), ec);
  if (ec) {
    f.Broken("chmod: " + ec.message());
    return;
  }
  f.Refused("grant issue with a 0644 key",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key("alice")},
            {2}, {"its group or others may read it"});
  f.Require(f.LedgerHead() == head, "a refused grant changed the ledger");
}

void RequesterApprovesOwnGrant(Fixture& f) {
  std::string alice = f.KeyId("alice");
  if (alice.empty()) {
    f.Broken("no key id for alice");
    return;
  }
  f.Refused("grant issue --requester alice --key alice",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--requester", alice,
             "--key", f.Key("alice")},
            {2}, {"cannot approve it"});
}

void NonOwnerIssuesGrant(Fixture& f) {
  for (const char* who : {"agent", "carol"}) {
    f.Refused(fmt::format("grant issue by {}", who),
              {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key(who)}, {2},
              {"only owners grant"});
  }
}

void ExecutorIsApprover(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Refused("gate run by the approver",
            GateRun(f, "apply", "clone", "ran", {"--key", f.Key("alice")}), {authority::kRunHeld},
            {"executor_is_approver"});
  f.Require(!fs::exists(f.Path("ran")), "the approver ran what they approved");
}

void NonOwnerSelectsDecision(Fixture& f) {
  if (!f.WriteExamples() ||
      !f.Setup("the decision", {"decision", "new", "--file", "fix7/lane-decision.toml"})) {
    return;
  }
  for (const char* who : {"agent", "carol"}) {
    f.Refused(fmt::format("decision select by {}", who),
              {"decision", "select", kLaneDecision, "--option", kLaneOption, "--key", f.Key(who)},
              {2}, {"only an owner selects"});
  }
  f.Refused("a second option",
            {"decision", "select", kLaneDecision, "--option", "HOLD_PRODUCTION", "--option",
             kLaneOption, "--key", f.Key("alice")},
            {2}, {"option"});
}

void DecisionReselected(Fixture& f) {
  if (!f.WriteExamples() ||
      !f.Setup("the decision", {"decision", "new", "--file", "fix7/lane-decision.toml"}) ||
      !f.Setup("alice selects", {"decision", "select", kLaneDecision, "--option", "HOLD_PRODUCTION",
                                 "--key", f.Key("alice")})) {
    return;
  }
  f.Refused("bob selects another option",
            {"decision", "select", kLaneDecision, "--option", kLaneOption, "--key", f.Key("bob")},
            {2}, {"already selected"});
}

void LaneAuthority(Fixture& f) {
  if (!f.WriteExamples() ||
      !f.Setup("the decision", {"decision", "new", "--file", "fix7/lane-decision.toml"}) ||
      !f.Setup("alice selects the clone rehearsal only",
               {"decision", "select", kLaneDecision, "--option", kLaneOption, "--key",
                f.Key("alice")}) ||
      !f.Setup("the lane",
               {"lane", "open", "L", "--decision", kLaneDecision, "--option", kLaneOption})) {
    return;
  }
  // A valid grant exists for apply, but the lane's option only authorizes rehearse.
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Refused("gate check apply inside the lane",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1}, {"lane_authority"});
  f.Refused("gate run apply inside the lane", GateRun(f, "apply", "clone", "ran"),
            {authority::kRunHeld}, {"lane_authority"});
  f.Require(!fs::exists(f.Path("ran")), "the lane let an action outside its option run");
}

void LaneWithoutSelection(Fixture& f) {
  if (!f.WriteExamples() ||
      !f.Setup("the decision", {"decision", "new", "--file", "fix7/lane-decision.toml"})) {
    return;
  }
  f.Refused("lane open before an owner selected",
            {"lane", "open", "L", "--decision", kLaneDecision, "--option", kLaneOption}, {2},
            {"no selected option"});
}

void UnknownActionScope(Fixture& f) {
  f.Refused("gate check launch in moon", {"gate", "check", "--action", "launch", "--scope", "moon"},
            {1}, {"unknown_action", "unknown_scope"});
  f.Refused("grant issue for launch",
            {"grant", "issue", "--action", "launch", "--scope", "clone", "--key", f.Key("alice")},
            {2}, {"unknown action"});
}

void GrantRevoked(Fixture& f) {
  std::string id = f.Issue({"--action", "apply", "--scope", "clone"});
  if (id.empty()) return;
  f.Refused("revoke by the agent", {"grant", "revoke", id.substr(0, 12), "--key", f.Key("agent")},
            {2}, {"not a trusted owner"});
  f.Setup("bob revokes", {"grant", "revoke", id.substr(0, 12), "--key", f.Key("bob")});
  f.Refused("gate check", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_revoked"});
}

void TrustAddByNonOwner(Fixture& f) {
  f.Setup("mallory's key", {"key", "new", "--name", "mallory", "--role", "owner", "--out",
                            f.Path("keys/mallory.pem")});
  if (!f.ok()) return;
  for (auto& t : KeyMaterialTokens("mallory", f.Read("keys/mallory.pem"))) f.AddToken(t);
  f.Refused("trust add without an owner", {"trust", "add", "keys/mallory.pub.json"}, {2},
            {"needs an owner's signature"});
  f.Refused("trust add signed by the agent",
            {"trust", "add", "keys/mallory.pub.json", "--key", f.Key("agent")}, {2},
            {"not a trusted owner"});
  f.Refused("trust add signed by mallory herself",
            {"trust", "add", "keys/mallory.pub.json", "--key", f.Key("mallory")}, {2},
            {"not a trusted owner"});
}

}  // namespace

// The agent proves its own change: a real, passing rehearsal, signed with the agent's key.
void RehearsalAttestedByAgent(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  auto r =
      f.Setup("a passing rehearsal signed by the agent",
              {"rehearse", "--target", "sqlite:clone.db", "--apply", "fix7/apply.sql", "--rollback",
               "fix7/rollback.sql", "--out", "rehearsal", "--key", f.Key("agent")});
  std::string change = r ? RehearsedChange(r->out) : "";
  if (!f.ok()) return;
  if (change.empty()) {
    f.Broken("the rehearsal printed no change");
    return;
  }
  if (f.Issue({"--action", "apply", "--scope", "production", "--change", change}).empty()) return;
  f.Refused("gate check apply in production",
            {"gate", "check", "--action", "apply", "--scope", "production", "--change", change,
             "--executor", f.KeyId("carol")},
            {1}, {"rehearsal_not_attested"});
}

// The agent (or the approving owner) runs production with its own key.
void ExecutorOfTheWrongRole(Fixture& f) {
  if (f.Issue({"--action", "cutover", "--scope", "production", "--change", kSomeChange}).empty()) {
    return;
  }
  for (const char* who : {"agent", "bob"}) {
    std::string before = f.LedgerHead();
    f.Refused(
        fmt::format("gate run by {}", who),
        GateRun(f, "cutover", "production", "ran", {"--change", kSomeChange, "--key", f.Key(who)}),
        {authority::kRunHeld}, {"executor_role"});
    f.Require(f.KindsAfter(before) == std::vector<std::string>{"refused.gate_run"},
              "a refused executor appended more than its refusal to the ledger");
  }
  f.Refused("gate run with no executor key",
            GateRun(f, "cutover", "production", "ran", {"--change", kSomeChange}),
            {authority::kRunHeld}, {"executor_unknown"});
  f.Require(!fs::exists(f.Path("ran")), "production ran by a role that may not execute");
}

// A config that pins the binary, answered by another binary (a modified prodgate).
void ToolNotPinned(Fixture& f) {
  std::string config = f.Read(".prodgate/config.toml");
  size_t at = config.find("execute = {");
  if (at == std::string::npos) {
    f.Broken("no [authority] execute in config.toml");
    return;
  }
  config.insert(at, "tool_sha256 = \"" + std::string(64, 'a') + "\"\n");
  if (!f.Write(".prodgate/config.toml", config) ||
      !f.Setup("config accept", {"config", "accept", "--key", f.Key("alice")})) {
    return;
  }
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Refused("gate run on an unpinned binary", GateRun(f, "apply", "clone", "ran"),
            {authority::kRunHeld}, {"tool_not_pinned"});
  f.Require(!fs::exists(f.Path("ran")), "an unpinned binary ran the command");
}

namespace {

// An operator's blocker (the real-data handoff), and recorded evidence to close it with.
bool OperatorBlocker(Fixture& f, std::string& root) {
  if (!f.Setup("the operator's blocker",
               {"blocker", "add", "--id", "B1", "--item", "the operator's real dump", "--blocks",
                "apply", "--category", "needs-data-handoff", "--actor", "operator"})) {
    return false;
  }
  f.Write("proof/handoff.md", "dump placed\n");
  f.Setup("seal the proof", {"seal", "proof"});
  f.Setup("record it", {"evidence", "add", "proof"});
  Json seal = Json::parse(f.Read("proof/prodgate.seal.json"), nullptr, false);
  root = seal.is_object() ? seal.value("root", "") : "";
  if (f.ok() && root.empty()) f.Broken("the proof's seal has no root");
  return f.ok();
}

void AgentClosesHumanBlocker(Fixture& f) {
  std::string root;
  if (!OperatorBlocker(f, root)) return;
  std::string head = f.LedgerHead();
  f.Refused("blocker close by the agent",
            {"blocker", "close", "B1", "--evidence", root, "--key", f.Key("agent")}, {2},
            {"only operator may close it", "recorded"});
  f.Require(f.KindsAfter(head) == std::vector<std::string>{"refused.blocker_close"},
            "the refused close was not recorded as refused.blocker_close, or more was written");
  f.Refused("blocker close by an owner",
            {"blocker", "close", "B1", "--evidence", root, "--key", f.Key("alice")}, {2},
            {"only operator may close it"});
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Refused("gate check apply", {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"blocker_open", "B1"});
}

void BlockerRelabelledForAGrant(Fixture& f) {
  std::string root;
  if (!OperatorBlocker(f, root)) return;
  f.Refused("blocker set --category needs-grant by the agent",
            {"blocker", "set", "B1", "--category", "needs-grant", "--key", f.Key("agent")}, {2},
            {"only an owner may"});
  f.Write(
      "relabel.json",
      R"({"blockers":[{"id":"B1","item":"x","blocks":["apply"],"category":"needs-grant","actor_needed":["owner"]}]})");
  f.Setup("the same relabelling imported by the agent",
          {"blocker", "import", "relabel.json", "--key", f.Key("agent")});
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  f.Refused("gate check apply after the owner's grant",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"blocker_open", "B1"});
}

void SecondOwnerKeyForThreshold(Fixture& f) {
  std::string config = f.Read(".prodgate/config.toml");
  size_t at = config.find("default = 1");
  if (at == std::string::npos) {
    f.Broken("the config has no default threshold");
    return;
  }
  if (!f.Write(".prodgate/config.toml", config.insert(at + 11, "\ncutover = 2")) ||
      !f.Setup("a threshold of 2 for cutover", {"config", "accept", "--key", f.Key("alice")})) {
    return;
  }
  std::string id = f.Issue({"--action", "cutover", "--scope", "clone"});
  if (id.empty() ||
      !f.Setup("alice's second owner key",
               {"key", "new", "--name", "alice2", "--role", "owner", "--out", f.Key("alice2")}) ||
      !f.Setup("trusted by alice alone",
               {"trust", "add", f.Path("keys/alice2.pub.json"), "--key", f.Key("alice")}) ||
      !f.Setup("alice2 co-signs", {"grant", "sign", id.substr(0, 12), "--key", f.Key("alice2")})) {
    return;
  }
  f.Refused("gate check cutover", {"gate", "check", "--action", "cutover", "--scope", "clone"}, {1},
            {"grant_threshold_not_met", "not counted"});
}

void RemovedOwnerKey(Fixture& f) {
  if (f.Issue({"--action", "apply", "--scope", "clone"}).empty()) return;
  if (!f.Setup("bob removes alice's leaked key", {"trust", "remove", f.KeyId("alice"), "--reason",
                                                  "leaked", "--key", f.Key("bob")})) {
    return;
  }
  f.Refused("gate check on the leaked key's grant",
            {"gate", "check", "--action", "apply", "--scope", "clone"}, {1},
            {"grant_untrusted_signer"});
  f.Refused("grant issue with the leaked key",
            {"grant", "issue", "--action", "apply", "--scope", "clone", "--key", f.Key("alice")},
            {2}, {"not trusted"});
}

}  // namespace

std::vector<Probe> AuthorityProbes() {
  return {
      {{"agent_closes_human_blocker", "authority",
        "the agent, then an owner, closes the operator's blocker with verifying evidence"},
       AgentClosesHumanBlocker},
      {{"blocker_relabelled_for_grant", "authority",
        "the agent relabels the operator's blocker needs-grant, then an owner grants its action"},
       BlockerRelabelledForAGrant},
      {{"second_owner_key_threshold", "authority",
        "one owner trusts a second key of her own and co-signs a grant that needs two owners"},
       SecondOwnerKeyForThreshold},
      {{"removed_owner_key", "authority",
        "a leaked owner key removed from the trust, then its grant and a new one presented"},
       RemovedOwnerKey},
      {{"rehearsal_attested_by_agent", "authority",
        "a real passing rehearsal signed by the agent that prepared the change, for production"},
       RehearsalAttestedByAgent,
       3},
      {{"executor_wrong_role", "authority",
        "production run with the agent's key, the approving owner's, or no key"},
       ExecutorOfTheWrongRole},
      {{"tool_not_pinned", "authority", "the config pins another prodgate binary"}, ToolNotPinned},
      {{"production_pass_from_clone", "authority",
        "a passing clone rehearsal and a clone grant presented for production"},
       ProductionPassFromClone,
       3},
      {{"production_blocker_open", "authority",
        "a production grant and a passing rehearsal, while a production blocker is open"},
       ProductionBlockerOpen,
       3},
      {{"realrun_qt001_cutover_token", "authority",
        "real_run, qt001 and cutover asked for in production without any grant"},
       RealrunQt001CutoverToken},
      {{"grant_forged", "authority",
        "a grant signed by an untrusted key, issued and then appended to the ledger by hand"},
       GrantForged},
      {{"grant_altered_after_signing", "authority",
        "an owner's grant whose terms were changed after signing, appended by hand"},
       GrantAlteredAfterSigning},
      {{"grant_expired", "authority", "a grant whose window closed"}, GrantExpired},
      {{"grant_replayed", "authority", "a single-use grant presented a second time"},
       GrantReplayed},
      {{"rehearsal_grant_for_production", "authority",
        "a rehearsal-scoped grant presented for a production cutover"},
       RehearsalGrantForProduction},
      {{"grant_revoked", "authority", "a revoked grant; a revocation by the agent"}, GrantRevoked},
      {{"loose_key_permissions", "authority", "an owner's private key chmod 0644"},
       LooseKeyPermissions},
      {{"requester_approves_own_grant", "authority", "the requester signs their own grant"},
       RequesterApprovesOwnGrant},
      {{"non_owner_issues_grant", "authority", "the agent and the operator issue grants"},
       NonOwnerIssuesGrant},
      {{"executor_is_approver", "authority", "the owner who approved runs the command"},
       ExecutorIsApprover},
      {{"trust_add_by_non_owner", "authority",
        "a new owner key trusted without, or with a non-owner's, signature"},
       TrustAddByNonOwner},
      {{"non_owner_selects_decision", "authority",
        "the agent and the operator select a decision option; two options at once"},
       NonOwnerSelectsDecision},
      {{"decision_reselected", "authority", "a second owner selects another option"},
       DecisionReselected},
      {{"lane_authority", "authority",
        "inside a clone-rehearsal lane, apply with a valid grant for it"},
       LaneAuthority},
      {{"lane_without_selection", "authority", "a lane opened before an owner selected"},
       LaneWithoutSelection},
      {{"unknown_action_scope", "authority", "an action and a scope the config does not know"},
       UnknownActionScope},
  };
}

}  // namespace prodgate::probes
