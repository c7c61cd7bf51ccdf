// prodgate: a fail-closed gate for risky production changes.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

#include "authority/gate.h"
#include "cli/commands.h"
#include "core/tool.h"

namespace prodgate::cli {
namespace {

std::vector<std::pair<int, CommandGroupFn>>& Groups() {
  static std::vector<std::pair<int, CommandGroupFn>> groups;
  return groups;
}

}  // namespace

CommandGroup::CommandGroup(int order, CommandGroupFn fn) { Groups().emplace_back(order, fn); }

void RegisterAllCommandGroups(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  auto groups = Groups();
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, fn] : groups) fn(app, global, exit_code);
}

int ReportError(const Status& status) {
  std::fputs(fmt::format("prodgate: error: {}\n", status.ToString()).c_str(), stderr);
  return status.exit_code();
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int PrintResult(const Result<std::string>& rendered) {
  if (!rendered.ok()) return ReportError(rendered.status());
  Print(*rendered);
  return 0;
}

}  // namespace prodgate::cli

int main(int argc, char** argv) {
  using namespace prodgate;
  CLI::App app{
      "prodgate holds every irreversible production action until its blockers are closed with "
      "evidence, its rollback is proven, its bytes are sealed and an owner has granted it."};
  app.set_version_flag("--version", fmt::format("prodgate {}", ToolVersion()));
  app.require_subcommand(1);
  cli::GlobalFlags global;
  app.add_flag("-q,--quiet", global.quiet, "no progress display");
  app.add_option("--workspace", global.workspace,
                 "workspace directory holding .prodgate/ (default: search upward from here)");
  app.add_option("--ledger", global.ledger,
                 "ledger location (default: the workspace's .prodgate/ledger.db)");
  app.add_option("--anchor", global.anchor,
                 "the workspace's trust anchor (default: $PRODGATE_ANCHOR, then "
                 "/etc/prodgate/anchors/<workspace id>.json)");
  int exit_code = 3;
  cli::RegisterAllCommandGroups(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    app.exit(e);
    // gate run says bad input with its own code, never one a command could return (gate.h).
    for (CLI::App* gate : app.get_subcommands()) {
      if (gate->get_name() != "gate") continue;
      for (CLI::App* sub : gate->get_subcommands()) {
        if (sub->get_name() == "run") return authority::kRunBadInput;
      }
    }
    return 2;  // usage error
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prodgate: internal error: %s\n", e.what());
    return 3;
  }
  return exit_code;
}
