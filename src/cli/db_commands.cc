// db hash, db diff, db snapshot, db restore.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "db/database.h"
#include "db/diff.h"
#include "db/report.h"

namespace prodgate::cli {
namespace {

void RegisterDbCommands(CLI::App& app, const GlobalFlags&, int& exit_code) {
  CLI::App* group = app.add_subcommand("db", "Logical hashes and row-level diffs of databases");
  group->require_subcommand(1);
  {
    struct Args {
      std::string target;
      std::vector<std::string> tables;
      int connections = 0;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        "hash", "Logical hash of a database: its values, never its pages (docs/db.md)");
    cmd->add_option("target", args->target,
                    "database, e.g. sqlite:./clone.db or postgresql://USER@HOST/DBNAME")
        ->required();
    Repeatable(cmd->add_option("--table", args->tables,
                               "hash only this table (repeatable); no root then"));
    cmd->add_option("--connections", args->connections,
                    "PostgreSQL: connections hashing tables in parallel on one snapshot "
                    "(default: up to 4); the result does not depend on it")
        ->check(CLI::Range(1, 64));
    cmd->add_flag("--json", args->json, "print the prodgate.dbhash/1 document");
    cmd->callback([args, &exit_code] {
      auto db = db::OpenTarget(args->target, db::OpenMode::kReadOnly);
      if (!db.ok()) {
        exit_code = ReportError(db.status());
        return;
      }
      auto hash = (*db)->Hash({args->tables, args->connections});
      if (!hash.ok()) {
        exit_code = ReportError(hash.status());
        return;
      }
      if (args->json) {
        exit_code = PrintResult(db::HashJsonText(*hash));
      } else {
        Print(db::HashText(*hash));
        exit_code = 0;
      }
    });
  }
  {
    struct Args {
      std::string a, b;
      size_t limit = 20;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        "diff", "Rows inserted, deleted and changed between A and B, compared byte for byte");
    cmd->add_option("a", args->a, "the 'before' database, e.g. sqlite:./before.db")->required();
    cmd->add_option("b", args->b, "the 'after' database")->required();
    cmd->add_option("--limit", args->limit, "rows shown per table (counts cover all rows)")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "print the prodgate.dbdiff/1 document");
    cmd->callback([args, &exit_code] {
      auto a = db::OpenTarget(args->a, db::OpenMode::kReadOnly);
      if (!a.ok()) {
        exit_code = ReportError(a.status());
        return;
      }
      auto b = db::OpenTarget(args->b, db::OpenMode::kReadOnly);
      if (!b.ok()) {
        exit_code = ReportError(b.status());
        return;
      }
      auto diff = db::DiffDatabases(**a, **b, {args->limit});
      if (!diff.ok()) {
        exit_code = ReportError(diff.status());
        return;
      }
      if (args->json) {
        int rc = PrintResult(db::DiffJsonText(*diff));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(db::DiffText(*diff));
      }
      exit_code = diff->equal ? 0 : 1;
    });
  }
  for (bool restore : {false, true}) {
    struct Args {
      std::string target, file;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = group->add_subcommand(
        restore ? "restore" : "snapshot",
        restore
            ? "Replace the whole database with a snapshot (e.g. a killed rehearsal's OUT/.snapshot)"
            : "Copy the whole database to a new snapshot FILE");
    cmd->add_option("target", args->target, "the database, e.g. sqlite:./clone.db")->required();
    cmd->add_option("file", args->file, "the snapshot file")->required();
    cmd->callback([args, restore, &exit_code] {
      auto db = db::OpenTarget(args->target,
                               restore ? db::OpenMode::kReadWrite : db::OpenMode::kReadOnly);
      if (!db.ok()) {
        exit_code = ReportError(db.status());
        return;
      }
      Status done = restore ? (*db)->Restore(args->file) : (*db)->Snapshot(args->file);
      if (!done.ok()) {
        exit_code = ReportError(done);
        return;
      }
      Print(fmt::format("{} {} {}\n", restore ? "restored" : "snapshot of",
                        (*db)->identity().target,
                        restore ? "from " + args->file : "written to " + args->file));
      exit_code = 0;
    });
  }
}

PRODGATE_COMMAND_GROUP(40, RegisterDbCommands);

}  // namespace
}  // namespace prodgate::cli
