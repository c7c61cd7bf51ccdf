// Command registration. cli/ parses arguments and calls the library; it holds no logic.
#pragma once

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace prodgate::cli {

// Global flags shared by every command.
struct GlobalFlags {
  bool quiet = false;
};

// Each Register* adds a command group; its callback stores the process exit code.
void RegisterSealCommands(CLI::App& app, const GlobalFlags& global, int& exit_code);

// Prints a failed Status (what, then fix) to stderr and returns its exit code.
int ReportError(const Status& status);

}  // namespace prodgate::cli
