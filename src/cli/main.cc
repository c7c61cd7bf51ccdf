// prodgate: a fail-closed gate for risky production changes.
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/tool.h"

namespace prodgate::cli {

int ReportError(const Status& status) {
  std::fputs(fmt::format("prodgate: error: {}\n", status.ToString()).c_str(), stderr);
  return status.exit_code();
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
  int exit_code = 3;
  cli::RegisterSealCommands(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    app.exit(e);
    return 2;  // usage error
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prodgate: internal error: %s\n", e.what());
    return 3;
  }
  return exit_code;
}
