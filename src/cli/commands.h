// Command registration. cli/ parses arguments and calls the library; it holds no logic.
//
// Each command group lives in its own file and registers itself with
// PRODGATE_COMMAND_GROUP(order, Function): adding a group is adding a file. `order` sets
// the order in --help.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/status.h"

namespace prodgate::cli {

// A repeatable option: one value per occurrence, every occurrence kept, and never the
// positional argument after it (`seal --ignore '*.tmp' DIR` seals DIR).
inline CLI::Option* Repeatable(CLI::Option* option) {
  return option->expected(1)->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

// Global flags shared by every command.
struct GlobalFlags {
  bool quiet = false;
  std::string workspace;  // --workspace DIR; empty: search upward from the working directory
  std::string ledger;     // --ledger LOCATION; empty: the workspace's .prodgate/ledger.db
  std::string anchor;     // --anchor FILE; empty: $PRODGATE_ANCHOR, then /etc/prodgate/anchors
};

// A group's callback stores the process exit code in `exit_code`.
using CommandGroupFn = void (*)(CLI::App& app, const GlobalFlags& global, int& exit_code);

struct CommandGroup {
  CommandGroup(int order, CommandGroupFn fn);
};

// Calls every registered group, in order.
void RegisterAllCommandGroups(CLI::App& app, const GlobalFlags& global, int& exit_code);

// Prints a failed Status (what, then fix) to stderr and returns its exit code.
int ReportError(const Status& status);

// Writes `text` to stdout as is.
void Print(const std::string& text);

// Prints a rendering (stdout) or its error (stderr); returns 0 or the error's exit code.
int PrintResult(const Result<std::string>& rendered);

}  // namespace prodgate::cli

#define PRODGATE_COMMAND_GROUP(order, fn) \
  static const ::prodgate::cli::CommandGroup PG_CONCAT(pg_command_group_, __LINE__)(order, fn)
