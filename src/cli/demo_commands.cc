// demo: the FIX7 story end to end (demo/demo.h).
#include <memory>

#include "cli/commands.h"
#include "demo/demo.h"

namespace prodgate::cli {
namespace {

void RegisterDemoCommands(CLI::App& app, const GlobalFlags&, int& exit_code) {
  auto o = std::make_shared<demo::DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "The FIX7 story end to end in a fresh workspace: what is proven, what holds");
  cmd->add_option("--dir", o->dir, "where to run it (default: a new directory under $TMPDIR)");
  cmd->add_option("--scale", o->scale, "surrogate scale (100: about 105 k rows)");
  cmd->add_flag("--verbose", o->verbose, "print every command and its output");
  cmd->callback([o, &exit_code] {
    auto outcome = demo::RunDemo(*o);
    if (!outcome.ok()) {
      exit_code = ReportError(outcome.status());
      return;
    }
    Print(outcome->summary);
    exit_code = outcome->ok ? 0 : 1;
  });
}

PRODGATE_COMMAND_GROUP(90, RegisterDemoCommands);

}  // namespace
}  // namespace prodgate::cli
