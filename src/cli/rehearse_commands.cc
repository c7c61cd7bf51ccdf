// rehearse: the rollback rehearsal on a clone (rehearse/rehearse.h), recorded in the ledger.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "authority/trust.h"
#include "cli/context.h"
#include "rehearse/rehearse.h"

namespace prodgate::cli {
namespace {

std::string RehearsalText(const rehearse::RehearsalReport& r, int64_t seq) {
  std::string t = fmt::format("rehearsal of change {} on {}: {}\n", r.change, r.target, r.verdict);
  for (const auto& s : r.steps) {
    t += fmt::format("  {:<8} {:<17} {}{}\n", s.verdict, s.name, s.detail,
                     s.milliseconds > 0 ? fmt::format(" ({} ms)", s.milliseconds) : "");
  }
  t += fmt::format("  before         {}\n  after apply    {}\n  after rollback {}\n",
                   r.before.empty() ? "-" : r.before, r.after_apply.empty() ? "-" : r.after_apply,
                   r.after_rollback.empty() ? "-" : r.after_rollback);
  t += fmt::format("  target: {}\n  report: {}/rehearsal.json (sha256 {})\n", r.restored, r.out,
                   r.report_sha256);
  if (seq > 0) t += fmt::format("  recorded in the ledger as event {}\n", seq);
  return t;
}

void RegisterRehearseCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  struct Args {
    std::string target, apply, rollback, schema, broken, out, key;
    std::vector<std::string> production;
    bool reapply = false, json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "rehearse",
      "Apply a change and its rollback on an isolated clone and prove the rollback row-exact");
  cmd->add_option("--target", a->target, "the clone, e.g. sqlite:./clone.db")->required();
  cmd->add_option("--apply", a->apply, "the change's apply script (SQL)")->required();
  cmd->add_option("--rollback", a->rollback, "the change's rollback script (SQL)")->required();
  cmd->add_option("--schema", a->schema, "schema spec (TOML) the clone must satisfy");
  cmd->add_option("--broken-rollback", a->broken,
                  "a rollback known to be wrong: one more negative control that must FAIL");
  cmd->add_flag("--reapply", a->reapply, "apply and roll back a second time");
  cmd->add_option("--out", a->out,
                  "directory for the report and the sealed change (default "
                  ".prodgate/rehearsals/<time>)");
  Repeatable(
      cmd->add_option("--production", a->production,
                      "one more production database the clone must not be: TARGET or NAME=TARGET "
                      "(the workspace's [[production]] list always applies)"));
  cmd->add_option("--key", a->key,
                  "sign the result with this key (a trusted one): only a signed rehearsal "
                  "counts for production");
  cmd->add_flag("--json", a->json, "print the prodgate.rehearsal/1 report");
  cmd->callback([a, &global, &exit_code] {
    auto ws = OpenWs(global);
    if (!ws.ok()) {
      exit_code = ReportError(ws.status());
      return;
    }
    auto key = KeyIfGiven(a->key);
    if (!key.ok()) {
      exit_code = ReportError(key.status());
      return;
    }
    if (*key) {
      // Before anything runs: a result signed by a key the chain does not trust could not be
      // recorded.
      Status trusted = authority::RequireTrustedKey(*ws, **key);
      if (!trusted.ok()) {
        exit_code = ReportError(trusted);
        return;
      }
    }
    auto refusal = rehearse::LaneRefusal(*ws);
    if (!refusal.ok()) {
      exit_code = ReportError(refusal.status());
      return;
    }
    if (!refusal->empty()) {
      std::cerr << "prodgate: HOLD: " << *refusal << "\n";
      exit_code = 1;
      return;
    }
    rehearse::RehearsalSpec spec;
    spec.target = a->target;
    spec.apply = a->apply;
    spec.rollback = a->rollback;
    spec.schema = a->schema;
    spec.broken_rollback = a->broken;
    spec.reapply = a->reapply;
    spec.out = a->out.empty() ? rehearse::DefaultOutDir(*ws) : a->out;
    spec.production = rehearse::ProductionIdentities(*ws);
    for (const auto& p : a->production) {
      spec.production.push_back(clone::ParseProductionArgument(p));
    }
    if (!global.quiet && !a->json) {
      spec.on_step = [](const std::string& step) { std::cerr << "rehearse: " << step << "\n"; };
    }
    auto report = rehearse::Rehearse(spec);
    if (!report.ok()) {
      exit_code = ReportError(report.status());
      return;
    }
    std::function<Result<std::string>(std::string_view)> sign;
    if (*key) {
      const authority::PrivateKey* k = &**key;
      sign = [k](std::string_view preimage) { return k->Sign(preimage); };
    }
    auto seq = rehearse::RecordRehearsal(*ws, *report, ActorOf(*key), sign);
    if (!seq.ok()) {
      exit_code = ReportError(seq.status());
      return;
    }
    if (a->json) {
      exit_code = PrintResult(CanonicalJson(report->ToJson(), NumberPolicy::kIntegersOnly));
      if (exit_code != 0) return;
    } else {
      Print(RehearsalText(*report, *seq));
    }
    exit_code = report->verdict == "PASS" ? 0 : 1;
  });
}

PRODGATE_COMMAND_GROUP(45, RegisterRehearseCommands);

}  // namespace
}  // namespace prodgate::cli
