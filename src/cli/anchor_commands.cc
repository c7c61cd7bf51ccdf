// anchor create, show, verify.
#include <fmt/format.h>

#include <memory>

#include "authority/anchor.h"
#include "authority/verified_ledger.h"
#include "cli/context.h"
#include "render/authority_report.h"

namespace prodgate::cli {
namespace {

void RegisterAnchorCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* anchor = app.add_subcommand(
      "anchor", "The workspace's trust anchor: pinned outside the workspace (docs/authority.md)");
  anchor->require_subcommand(1);
  {
    struct Args {
      std::string out;
      authority::AnchorRequest r;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = anchor->add_subcommand(
        "create", "Write the anchor of the workspace as its verified chain stands now");
    cmd->add_option("--out", a->out, "file to write (then install it root-owned)")->required();
    cmd->add_option("--threshold", a->r.threshold,
                    "owner signatures every later trust or config change needs (default 1)");
    cmd->add_flag("--allow-local-ledger", a->r.allow_local_ledger,
                  "let production rest on a local ledger, which its writer can truncate");
    cmd->add_flag("--allow-root", a->r.allow_root,
                  "let a root invoker act in production (a CI container)");
    cmd->callback([a, &global, &exit_code] {
      auto ws = OpenWs(global);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto made = authority::MakeAnchor(*ws, a->r);
      if (!made.ok()) {
        exit_code = ReportError(made.status());
        return;
      }
      auto text = CanonicalJson(made->ToJson(), NumberPolicy::kIntegersOnly);
      if (!text.ok()) {
        exit_code = ReportError(text.status());
        return;
      }
      int rc = Emit(*text + "\n", a->out);
      if (rc != 0) {
        exit_code = rc;
        return;
      }
      Print(fmt::format(
          "anchor of workspace {} written to {}: genesis {}, pinned at event {}, {} owner(s), "
          "threshold {}, ledger {}\ninstall it where no one but root may write it:\n  sudo "
          "install -D -o root -g root -m 0644 {} /etc/prodgate/anchors/{}.json\n",
          made->workspace, a->out, ToHex(made->genesis).substr(0, 12), made->at.seq,
          made->owners.size(), made->threshold, made->ledger_require, a->out, made->workspace));
      exit_code = 0;
    });
  }
  for (const char* verb : {"show", "verify"}) {
    const bool verify = std::string_view(verb) == "verify";
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = anchor->add_subcommand(
        verb, verify ? "Check the workspace against its anchor: exit 0 when it vouches for it"
                     : "Print the anchor found for the workspace and what it vouches for");
    cmd->add_flag("--json", *json, "print as JSON");
    cmd->callback([json, verify, &global, &exit_code] {
      auto ws = OpenWs(global, /*allow_broken=*/true);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto report = authority::ReportAnchor(*ws, global.anchor);
      if (!report.ok()) {
        exit_code = ReportError(report.status());
        return;
      }
      if (*json) {
        int rc = PrintResult(render::JsonDocument(render::AnchorReportJson(*report)));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(render::AnchorReportText(*report));
      }
      exit_code = verify && !report->vouches() ? 1 : 0;
    });
  }
}

PRODGATE_COMMAND_GROUP(36, RegisterAnchorCommands);

}  // namespace
}  // namespace prodgate::cli
