// probes: the fail-closed probe suite (probes/probes.h).
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "probes/probes.h"

namespace prodgate::cli {
namespace {

void RegisterProbesCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  struct Args {
    std::string only;
    bool json = false, list = false, record = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "probes",
      "Attack every fail-closed rule in scratch fixtures: each probe must be refused, the "
      "control allowed, no secret printed");
  cmd->add_flag("--json", a->json, "print the prodgate.probes/1 report");
  cmd->add_option("--only", a->only, "run this probe alone (the control always runs)");
  cmd->add_flag("--list", a->list, "list the probes and what each tries");
  cmd->add_flag("--record", a->record,
                "record the result in the workspace's ledger (lane reports read it)");
  cmd->callback([a, &global, &exit_code] {
    if (a->list) {
      std::string text;
      for (const auto& p : probes::ProbeList()) {
        text += fmt::format("{:<36} {:<9} {}\n", p.name, p.module, p.attack);
      }
      Print(text);
      exit_code = 0;
      return;
    }
    std::optional<model::Workspace> ws;
    if (a->record) {  // opened first: a record that cannot be made refuses the run
      auto opened = OpenWs(global);
      if (!opened.ok()) {
        exit_code = ReportError(opened.status());
        return;
      }
      ws = std::move(*opened);
    }
    probes::SuiteOptions options;
    options.only = a->only;
    auto report = probes::RunProbes(options);
    if (!report.ok()) {
      exit_code = ReportError(report.status());
      return;
    }
    if (ws) {
      auto seq = probes::RecordProbes(*ws, *report, model::LocalActor());
      if (!seq.ok()) {
        exit_code = ReportError(seq.status());
        return;
      }
    }
    if (a->json) {
      exit_code = PrintResult(CanonicalJson(report->ToJson(), NumberPolicy::kIntegersOnly));
      if (exit_code != 0) return;
    } else {
      Print(report->Text());
    }
    exit_code = report->pass() ? 0 : 1;
  });
}

PRODGATE_COMMAND_GROUP(85, RegisterProbesCommands);

}  // namespace
}  // namespace prodgate::cli
