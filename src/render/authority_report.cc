#include "render/authority_report.h"

#include "authority/verified_ledger.h"

#include <fmt/format.h>

#include "core/tool.h"

namespace prodgate::render {
namespace {

std::string Short(const std::string& s) { return s.substr(0, 12); }

std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<std::string> JsonDocument(Json j) {
  if (j.is_object()) j["tool"] = ToolJson();
  PG_ASSIGN_OR_RETURN(std::string s, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  return s + "\n";
}

std::string GateText(const authority::GateDecision& d) {
  const auto& r = d.request;
  std::string subject = fmt::format("{} in {}", r.action, r.scope);
  if (!r.change.empty()) subject += fmt::format(", change {}", Short(r.change));
  if (!r.target.empty()) subject += fmt::format(", target {}", r.target);
  if (d.allow) {
    std::string out =
        fmt::format("ALLOW {} with grant {} (ledger head {} at event {}, {} ledger)\n", subject,
                    Short(d.grant), Short(ToHex(d.head.hash)), d.head.seq, d.ledger_kind);
    if (!d.anchor.empty()) out += fmt::format("  anchored by {}\n", d.anchor);
    for (const auto& l : d.ledger_limits)
      out += fmt::format("  this ledger cannot protect against: {}\n", l);
    return out;
  }
  std::string out = fmt::format("HOLD {}: {} reason{}\n", subject, d.reasons.size(),
                                d.reasons.size() == 1 ? "" : "s");
  int i = 0;
  for (const auto& reason : d.reasons) {
    out += fmt::format("  {}. [{}] {}\n     release: {}\n", ++i, reason.code, reason.message,
                       reason.release);
  }
  return out;
}

std::string BlockerListText(const std::vector<model::Blocker>& blockers) {
  std::string out;
  size_t w = 10;
  for (const auto& b : blockers) w = std::max(w, b.id.size());
  for (const auto& b : blockers) {
    out +=
        fmt::format("{:<{}}  {:<26}  {:<27}  {}\n", b.id, w, b.status,
                    b.category.empty() ? "(uncategorized)" : b.category, fmt::join(b.blocks, ", "));
  }
  if (blockers.empty()) out = "no blockers\n";
  return out;
}

std::string BlockerText(const model::Blocker& b) {
  std::string out =
      fmt::format("{}\n  item:         {}\n  status:       {}\n  category:     {}\n", b.id, b.item,
                  b.status, b.category.empty() ? "(uncategorized)" : b.category);
  out += fmt::format("  actor needed: {}\n  next action:  {}\n  blocks:       {}\n",
                     fmt::join(b.actor_needed, " + "), b.next_action, fmt::join(b.blocks, ", "));
  out +=
      fmt::format("  evidence:     {}\n",
                  b.evidence.empty() ? "(none)" : fmt::format("{}", fmt::join(b.evidence, ", ")));
  if (b.open()) out += fmt::format("  closes when:  {}\n", model::HowItCloses(b));
  for (const auto& p : b.extra.value("close_proposals", Json::array())) {
    out += fmt::format("  proposed:     close by {} at {}: {}\n", p.value("by", "?"),
                       p.value("at", "?"), p.value("note", ""));
  }
  if (!b.extra.empty()) out += fmt::format("  extra:        {}\n", b.extra.dump(2));
  return out;
}

std::string GrantListText(const std::vector<model::GrantState>& grants) {
  if (grants.empty()) return "no grants\n";
  std::string out;
  for (const auto& g : grants) {
    std::string state = g.revoked ? "revoked" : g.used >= g.terms.uses ? "used up" : "active";
    out += fmt::format("{}  {:<16} {:<14} uses {}/{}  sigs {}  expires {}  {}{}\n", Short(g.id),
                       g.terms.action, g.terms.scope, g.used, g.terms.uses, g.signatures.size(),
                       g.terms.expires, state,
                       g.terms.change.empty() ? "" : "  change " + Short(g.terms.change));
  }
  return out;
}

std::string GrantText(const model::GrantState& g) {
  const auto& t = g.terms;
  std::string out = fmt::format("grant {}\n", g.id);
  out += fmt::format("  action {}, scope {}\n", t.action, t.scope);
  out += fmt::format("  change: {}\n  target: {}\n", t.change.empty() ? "(any)" : t.change,
                     t.target.empty() ? "(any)" : t.target);
  out += fmt::format("  valid {} .. {}; uses {}/{}\n", t.not_before, t.expires, g.used, t.uses);
  out += fmt::format(
      "  requires closed: {}\n",
      t.requires_closed.empty() ? "(none)" : fmt::format("{}", fmt::join(t.requires_closed, ", ")));
  if (!t.requester.empty()) out += fmt::format("  requested by {}\n", t.requester);
  if (!t.decision.empty())
    out += fmt::format("  issued by decision {} option {}\n", t.decision, t.option);
  for (const auto& s : g.signatures) out += fmt::format("  signed by {}\n", s.key);
  if (g.revoked)
    out += fmt::format("  REVOKED by {} at {}: {}\n", g.revoked_by, g.revoked_at, g.revoke_reason);
  return out;
}

std::string DecisionListText(const std::vector<model::DecisionState>& ds) {
  if (ds.empty()) return "no decisions\n";
  std::string out;
  for (const auto& d : ds) {
    out += fmt::format(
        "{}  {}  {}\n", d.spec.id,
        d.selected.empty() ? "selected: none (default HOLD)" : "selected: " + d.selected,
        d.spec.title);
  }
  return out;
}

std::string DecisionMarkdown(const model::DecisionState& d,
                             const std::vector<model::Blocker>& blockers, const model::Config&) {
  const auto& s = d.spec;
  std::string out = fmt::format("# {}\n\n", s.title.empty() ? s.id : s.title);
  const model::DecisionOption* def = nullptr;
  for (const auto& o : s.options) {
    if (o.is_default) def = &o;
  }
  if (d.selected.empty()) {
    out += fmt::format("This document selects nothing. Default = {}.\n\n", def ? def->id : "HOLD");
  } else {
    out += fmt::format("Selected: **{}** by {} at {} (signed).\n\n", d.selected, d.selected_by,
                       d.selected_at);
  }
  if (!s.summary.empty()) out += s.summary + "\n\n";
  if (!s.changes.empty()) {
    out += "## What changed (this lane)\n\n";
    for (const auto& c : s.changes) out += "- " + c + "\n";
    out += "\n";
  }
  out += fmt::format("## Options (choose exactly one; default {})\n\n", def ? def->id : "HOLD");
  for (const auto& o : s.options) {
    std::string grants;
    for (const auto& g : o.grants) {
      grants += fmt::format("{}{}@{} ×{}", grants.empty() ? "" : ", ", g.action, g.scope, g.uses);
    }
    out += fmt::format("- **{}**{}{} - {}{}{}\n", o.id, o.is_default ? " (default" : "",
                       o.is_default ? (o.hold ? ", holds)" : ")") : "", o.summary,
                       grants.empty() ? "" : " Grants: " + grants + ".",
                       o.closes.empty()
                           ? ""
                           : fmt::format(" Selecting it closes: {}.", fmt::join(o.closes, ", ")));
  }
  out += s.precondition_gates.empty() ? "\n## Preconditions (every blocker in the map)\n\n"
                                      : fmt::format("\n## Preconditions (blockers holding {})\n\n",
                                                    fmt::join(s.precondition_gates, ", "));
  out += "| blocker | status | actor | gate |\n|---|---|---|---|\n";
  int open = 0;
  for (int pass = 0; pass < 2; ++pass) {  // open blockers first, then closed ones
    for (const auto& b : blockers) {
      if (b.open() != (pass == 0)) continue;
      bool relevant = s.precondition_gates.empty();
      for (const auto& label : b.blocks) {
        for (const auto& g : s.precondition_gates) relevant |= label == g;
      }
      if (!relevant) continue;
      open += b.open();
      out += fmt::format("| `{}` | {} | {} | {} |\n", b.id, b.status,
                         Cell(fmt::format("{}", fmt::join(b.actor_needed, " + "))),
                         Cell(b.next_action));
    }
  }
  out += fmt::format("\n{} of them open.\n", open);
  if (!s.recommendation.empty()) out += "\n## Recommendation\n\n" + s.recommendation + "\n";
  return out;
}

std::string LedgerLogText(const std::vector<ledger::Event>& events) {
  std::string out;
  for (const auto& e : events) {
    out += fmt::format("{:>6}  {}  {:<26}  {:<18}  {}{}\n", e.seq, e.at, e.actor, e.kind,
                       Short(ToHex(e.hash)), e.sig.empty() ? "" : "  signed");
  }
  return out;
}

std::string LedgerAuditText(const authority::LedgerAudit& a) {
  std::string out;
  std::string from =
      a.full ? std::string("from genesis")
      : a.verified_from.seq == 0
          ? std::string("from genesis")
          : fmt::format("from this user's checkpoint at event {}", a.verified_from.seq);
  if (a.ok) {
    out += fmt::format(
        "OK ledger: {} events, head {} (event {}); hashes, links, signatures and the rules of "
        "each event verified {} ({} now)\n",
        a.head.seq, ToHex(a.head.hash), a.head.seq, from, a.verified_now);
    if (a.expected_head_seq) {
      out += fmt::format("expected head found at event {}\n", *a.expected_head_seq);
    }
  } else {
    out += "FAIL ledger: " + a.problem + "\n";
    if (a.first_bad_seq) out += fmt::format("first bad event: {}\n", *a.first_bad_seq);
    out += fmt::format("verified through event {} {}\n", a.head.seq, from);
  }
  out += fmt::format("ledger kind: {}\n", ledger::LedgerKindName(a.protection.kind));
  for (const auto& g : a.protection.gaps) out += "  cannot protect against: " + g + "\n";
  out += a.checkpoint.empty() ? fmt::format("checkpoint: none ({})\n", a.no_checkpoint)
                              : fmt::format("checkpoint: {}\n", a.checkpoint);
  return out;
}

Json LedgerAuditJson(const authority::LedgerAudit& a) {
  return Json{{"format", "prodgate.ledger-verify/2"},
              {"verdict", a.ok ? "PASS" : "FAIL"},
              {"head", {{"seq", a.head.seq}, {"hash", ToHex(a.head.hash)}}},
              {"problem", a.problem},
              {"first_bad_seq", a.first_bad_seq ? Json(*a.first_bad_seq) : Json()},
              {"expected_head_seq", a.expected_head_seq ? Json(*a.expected_head_seq) : Json()},
              {"verified_from", a.full ? 0 : a.verified_from.seq},
              {"verified_now", a.verified_now},
              {"full", a.full},
              {"checkpoint", a.checkpoint},
              {"no_checkpoint", a.no_checkpoint},
              {"ledger",
               {{"kind", ledger::LedgerKindName(a.protection.kind)},
                {"identity", a.protection.identity},
                {"cannot_protect_against", a.protection.gaps}}}};
}

std::string AnchorReportText(const authority::AnchorReport& r) {
  std::string out;
  if (!r.found.anchor) {
    out = fmt::format("no trust anchor for workspace {} (looked in {})\n", r.workspace_id,
                      r.found.searched);
  } else {
    const auto& a = *r.found.anchor;
    out = fmt::format(
        "anchor {}\n  workspace {}, genesis {}\n  pinned at event {} ({}), {} owner(s), threshold "
        "{}\n  ledger: {}{}; root invoker: {}\n",
        r.found.path, a.workspace, ToHex(a.genesis).substr(0, 12), a.at.seq,
        ToHex(a.at.hash).substr(0, 12), a.owners.size(), a.threshold, a.ledger_require,
        a.ledger_identity.empty() ? "" : " (" + a.ledger_identity + ")",
        a.allow_root ? "allowed" : "refused");
    for (const auto& o : a.owners) out += fmt::format("    owner {} ({})\n", o.id, o.name);
  }
  out += fmt::format("this ledger: {}\n", ledger::LedgerKindName(r.protection.kind));
  if (r.vouches()) {
    out += "VOUCHES for this workspace\n";
  } else {
    out += fmt::format("DOES NOT VOUCH: {} reason(s)\n", r.problems.size() + !r.found.anchor);
    int i = 0;
    if (!r.found.anchor) {
      out += fmt::format(
          "  {}. [no_trust_anchor] the owners make one: prodgate anchor create "
          "--out {}.json, and install it root-owned\n",
          ++i, r.workspace_id);
    }
    for (const auto& p : r.problems) {
      out += fmt::format("  {}. [{}] {}\n     release: {}\n", ++i, p.code, p.message, p.release);
    }
  }
  return out;
}

Json AnchorReportJson(const authority::AnchorReport& r) {
  Json problems = Json::array();
  if (!r.found.anchor) {
    problems.push_back(
        {{"code", "no_trust_anchor"}, {"message", "no anchor in " + r.found.searched}});
  }
  for (const auto& p : r.problems) {
    problems.push_back({{"code", p.code}, {"message", p.message}, {"release", p.release}});
  }
  return Json{{"format", "prodgate.anchor-report/1"},
              {"verdict", r.vouches() ? "VOUCHES" : "DOES_NOT_VOUCH"},
              {"workspace", r.workspace_id},
              {"genesis", ToHex(r.genesis)},
              {"anchor", r.found.anchor ? r.found.anchor->ToJson() : Json()},
              {"path", r.found.path},
              {"searched", r.found.searched},
              {"ledger", ledger::LedgerKindName(r.protection.kind)},
              {"problems", problems}};
}

std::string TrustText(const authority::Trust& t,
                      const std::vector<authority::TrustProposal>& proposals) {
  std::string out;
  if (t.keys.empty()) out = "no trusted keys\n";
  for (const auto& k : t.keys) {
    out += fmt::format("{}  {:<8}  {}  (since event {})\n", k.id, authority::RoleName(k.role),
                       k.name, k.added_seq);
  }
  for (const auto& p : proposals) {
    if (p.applied_seq != 0) continue;
    out += fmt::format("pending {}  {}: {} of {} owner signature(s)\n", p.id.substr(0, 12),
                       p.change.dump(), p.signers.size(), p.threshold);
  }
  return out;
}

std::string IdsText(const model::IdState& s) {
  Json j = s.ToJson();
  return fmt::format(
      "{}: ceiling {}; reserved {}; canonical fold {}; canonical registry untouched {}\n", s.prefix,
      s.ceiling,
      j["objects_reserved"].get<std::string>().empty() ? "(none)"
                                                       : j["objects_reserved"].get<std::string>(),
      j["canonical_fold"].get<bool>() ? "yes" : "no",
      j["canonical_registry_untouched"].get<bool>() ? "yes" : "no");
}

}  // namespace prodgate::render
