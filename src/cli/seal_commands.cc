// seal, verify, explain.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "core/file_io.h"
#include "core/sha256.h"
#include "render/verify_report.h"
#include "seal/seal.h"
#include "seal/verify.h"

namespace prodgate::cli {
namespace {

void RegisterSealCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  {
    struct Args {
      seal::SealOptions options;
      std::string output;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("seal", "Seal a directory tree into a manifest");
    cmd->add_option("dir", args->options.dir, "directory to seal (default: .)");
    cmd->add_option("-o,--output", args->output, "manifest path (default: DIR/prodgate.seal.json)");
    Repeatable(cmd->add_option("--ignore", args->options.ignore,
                               "glob of paths to leave out (repeatable)"));
    cmd->add_flag("--keep", args->options.keep,
                  "also store the sealed bytes under DIR/.prodgate/objects");
    cmd->add_flag("--strict", args->options.strict,
                  "names equal after NFC or case folding are errors, not warnings");
    cmd->add_flag("--json", args->json, "print the result as JSON");
    cmd->callback([args, &global, &exit_code] {
      if (!args->output.empty()) args->options.output = args->output;
      args->options.progress = !global.quiet;
      auto outcome = seal::Seal(args->options);
      if (!outcome.ok()) {
        exit_code = ReportError(outcome.status());
        return;
      }
      for (const auto& w : outcome->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      if (args->json) {
        exit_code = PrintResult(render::SealJson(*outcome));
      } else {
        Print(render::SealText(*outcome));
        exit_code = 0;
      }
    });
  }
  {
    struct Args {
      std::string manifest, root, against, junit, expect_root;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Check a tree against its seal: byte-identical or FAIL, with the cause");
    cmd->add_option("--manifest", args->manifest,
                    "seal manifest (default: ROOT/prodgate.seal.json)");
    cmd->add_option("--root", args->root, "tree to check (default: the manifest's directory)");
    cmd->add_option("--against", args->against,
                    "directory holding the sealed bytes, to locate the first difference");
    cmd->add_flag("--json", args->json, "print the report as JSON");
    cmd->add_option("--junit", args->junit, "also write a JUnit XML report to this file");
    cmd->add_option("--expect-root", args->expect_root,
                    "FAIL unless the manifest's root is this one (a grant's change, a "
                    "reviewer's record)");
    cmd->callback([args, &global, &exit_code] {
      seal::VerifyOptions options;
      if (!args->expect_root.empty()) {
        auto root = DigestFromHex(args->expect_root);
        if (!root) {
          exit_code = ReportError(Status::BadInput(
              fmt::format("--expect-root \"{}\" is not a seal root (64 hex digits)",
                          args->expect_root),
              "pass the root printed by `prodgate seal` or bound by the grant"));
          return;
        }
        options.expect_root = *root;
      }
      if (!args->manifest.empty()) options.manifest = args->manifest;
      if (!args->root.empty()) options.root = args->root;
      if (!args->against.empty()) options.against = args->against;
      options.progress = !global.quiet;
      auto report = seal::Verify(options);
      if (!report.ok()) {
        exit_code = ReportError(report.status());
        return;
      }
      if (!args->junit.empty()) {
        Status s = WriteFileAtomic(args->junit, render::VerifyJunit(*report));
        if (!s.ok()) {
          exit_code = ReportError(s);
          return;
        }
      }
      if (args->json) {
        int rc = PrintResult(render::VerifyJson(*report));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(render::VerifyText(*report));
      }
      exit_code = report->pass ? 0 : 1;
    });
  }
  {
    struct Args {
      std::string old_path, new_path;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd =
        app.add_subcommand("explain", "Explain how NEW differs from OLD (the drift classifier)");
    cmd->add_option("old", args->old_path, "the original file")->required();
    cmd->add_option("new", args->new_path, "the changed file")->required();
    cmd->add_flag("--json", args->json, "print the result as JSON");
    cmd->callback([args, &exit_code] {
      auto drift = seal::Explain(args->old_path, args->new_path);
      if (!drift.ok()) {
        exit_code = ReportError(drift.status());
        return;
      }
      if (args->json) {
        int rc = PrintResult(render::ExplainJson(*drift, args->old_path));
        if (rc != 0) {
          exit_code = rc;
          return;
        }
      } else {
        Print(render::ExplainText(*drift, args->old_path));
      }
      exit_code = drift->classes.empty() ? 0 : 1;
    });
  }
}

PRODGATE_COMMAND_GROUP(10, RegisterSealCommands);

}  // namespace
}  // namespace prodgate::cli
