// clone check, clone rules, clone scan, surrogate.
#include <memory>

#include "cli/commands.h"
#include "cli/context.h"
#include "clone/clone_check.h"
#include "clone/report.h"
#include "clone/secret_scan.h"
#include "clone/surrogate.h"
#include "rehearse/rehearse.h"

namespace prodgate::cli {
namespace {

void RegisterCloneCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* group = app.add_subcommand(
      "clone", "Check that a database is an isolated, secret-free, production-shaped clone");
  group->require_subcommand(1);
  {
    struct Args {
      std::string target, schema;
      std::vector<std::string> production;
      bool raw = false, json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        "check", "Isolation, secrets and schema of a clone, with every finding (docs/clone.md)");
    cmd->add_option("target", args->target, "the clone, e.g. sqlite:./clone.db")->required();
    cmd->add_option("--schema", args->schema, "schema spec (TOML) the clone must satisfy");
    Repeatable(
        cmd->add_option("--production", args->production,
                        "a production database the clone must not be: TARGET or NAME=TARGET "
                        "(repeatable; inside a workspace its [[production]] list always applies)"));
    cmd->add_flag("--raw", args->raw,
                  "also scan the raw file bytes (deleted rows, free pages, the WAL)");
    cmd->add_flag("--json", args->json, "print the prodgate.clone-check/1 document");
    cmd->callback([args, &global, &exit_code] {
      clone::CloneCheckOptions options;
      // Inside a workspace, its production list is never skipped: a workspace that cannot
      // be opened is an error, not a check without it.
      if (model::FindWorkspaceRoot(global.workspace)) {
        auto ws = OpenWs(global);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        options.production = rehearse::ProductionIdentities(*ws);
      }
      for (const auto& p : args->production)
        options.production.push_back(clone::ParseProductionArgument(p));
      if (!args->schema.empty()) options.schema_spec = args->schema;
      options.raw_file = args->raw;
      auto report = clone::CheckClone(args->target, options);
      if (!report.ok()) {
        exit_code = ReportError(report.status());
        return;
      }
      if (args->json) {
        int rc = PrintResult(clone::CloneCheckJson(*report));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(clone::CloneCheckText(*report));
      }
      exit_code = report->pass ? 0 : 1;
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = group->add_subcommand("rules", "List the secret rules the scan applies");
    cmd->add_flag("--json", *json, "print the rules with their patterns");
    cmd->callback([json, &exit_code] {
      const auto& rules = clone::DefaultSecretRules();
      if (*json) {
        exit_code = PrintResult(clone::RulesJson(rules));
      } else {
        Print(clone::RulesText(rules));
        exit_code = 0;
      }
    });
  }
  {
    struct Args {
      std::vector<std::string> files;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        "scan", "Scan raw files (dumps, database files) for secrets; findings are redacted");
    cmd->add_option("files", args->files, "files to scan")->required();
    cmd->add_flag("--json", args->json, "print the prodgate.secret-scan/1 document");
    cmd->callback([args, &exit_code] {
      auto scanner = clone::SecretScanner::Compile(clone::DefaultSecretRules());
      if (!scanner.ok()) {
        exit_code = ReportError(scanner.status());
        return;
      }
      std::vector<clone::FileScan> scans;
      bool any = false;
      for (const auto& f : args->files) {
        clone::FileScan s;
        s.path = f;
        auto matches = (*scanner)->ScanFile(f, &s.bytes);
        if (!matches.ok()) {
          exit_code = ReportError(matches.status());
          return;
        }
        s.matches = std::move(*matches);
        any |= !s.matches.empty();
        scans.push_back(std::move(s));
      }
      if (args->json) {
        int rc = PrintResult(clone::FileScanJson(scans, (*scanner)->rules()));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(clone::FileScanText(scans, (*scanner)->rules()));
      }
      exit_code = any ? 1 : 0;
    });
  }
}

void RegisterSurrogateCommand(CLI::App& app, const GlobalFlags&, int& exit_code) {
  struct Args {
    clone::SurrogateOptions options;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "surrogate", "Generate a production-shaped synthetic database from a spec (docs/clone.md)");
  cmd->add_option("--spec", args->options.spec_path, "surrogate spec (TOML)")->required();
  cmd->add_option("--seed", args->options.seed, "seed: the same spec and seed give the same data")
      ->required();
  cmd->add_option("--scale", args->options.scale, "multiply every table's row count")
      ->capture_default_str();
  cmd->add_option("--out", args->options.target, "the database to create, e.g. sqlite:./clone.db")
      ->required();
  cmd->add_flag("--force", args->options.replace, "replace the output file if it exists");
  cmd->add_flag("--json", args->json, "print the prodgate.surrogate/1 report");
  cmd->callback([args, &exit_code] {
    auto report = clone::GenerateSurrogate(args->options);
    if (!report.ok()) {
      exit_code = ReportError(report.status());
      return;
    }
    if (args->json) {
      exit_code = PrintResult(clone::SurrogateJson(*report));
    } else {
      Print(clone::SurrogateText(*report));
      exit_code = 0;
    }
  });
}

PRODGATE_COMMAND_GROUP(50, RegisterCloneCommands);
PRODGATE_COMMAND_GROUP(55, RegisterSurrogateCommand);

}  // namespace
}  // namespace prodgate::cli
