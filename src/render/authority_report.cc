#include "render/authority_report.h"

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
    return fmt::format("ALLOW {} with grant {} (ledger head {} at event {})\n", subject,
                       Short(d.grant), Short(ToHex(d.head.hash)), d.head.seq);
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
    out += fmt::format("- **{}**{}{} - {}{}\n", o.id, o.is_default ? " (default" : "",
                       o.is_default ? (o.hold ? ", holds)" : ")") : "", o.summary,
                       grants.empty() ? "" : " Grants: " + grants + ".");
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
  if (a.ok()) {
    out += fmt::format("OK ledger: {} events, head {} (event {}), {} signatures verified\n",
                       a.chain.events, ToHex(a.chain.head.hash), a.chain.head.seq, a.signed_events);
    if (a.chain.expected_head_seq) {
      out += fmt::format("expected head found at event {}\n", *a.chain.expected_head_seq);
    }
    return out;
  }
  out += "FAIL ledger: ";
  if (!a.chain.ok) {
    out += a.chain.problem + "\n";
    if (a.chain.first_bad_seq) out += fmt::format("first bad event: {}\n", *a.chain.first_bad_seq);
  } else {
    out += fmt::format("{} signature problem(s)\n", a.signature_problems.size());
  }
  for (const auto& p : a.signature_problems) out += "  " + p + "\n";
  return out;
}

std::string TrustText(const authority::Trust& t) {
  if (t.keys.empty()) return "no trusted keys\n";
  std::string out;
  for (const auto& k : t.keys) {
    out += fmt::format("{}  {:<8}  {}  added {}\n", k.id, authority::RoleName(k.role), k.name,
                       k.added_at);
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
