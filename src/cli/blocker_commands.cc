// blocker, evidence.
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "core/file_io.h"
#include "core/toml.h"
#include "evidence/registry.h"
#include "model/blocker_map.h"
#include "model/blocker_ops.h"
#include "render/authority_report.h"

namespace prodgate::cli {
namespace {

// Prints a blocker (text or JSON), or the error.
int ShowBlocker(const Result<model::Blocker>& b, bool json) {
  if (!b.ok()) return ReportError(b.status());
  if (json) return PrintResult(render::JsonDocument(b->ToJson()));
  Print(render::BlockerText(*b));
  return 0;
}

Result<std::vector<model::Blocker>> ReadMapFile(const std::string& path, const model::Config& c) {
  PG_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64 << 20));
  PG_ASSIGN_OR_RETURN(model::ImportedMap m, model::ParseBlockerMap(text, path, c));
  return m.blockers;
}

void RegisterBlockerCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* blocker = app.add_subcommand("blocker", "Production blockers: what holds which gate");
  blocker->require_subcommand(1);
  {
    struct Args {
      std::string file, key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand(
        "import", "Record a blocker map file (any known shape, text around the JSON included)");
    cmd->add_option("file", a->file, "map file")->required();
    cmd->add_option("--key", a->key,
                    "sign the import (only an owner's import may make a blocker hold less)");
    cmd->callback([a, &global, &exit_code] {
      const std::string* file = &a->file;
      WithWsAndSigner(global, a->key, exit_code, [&](model::Workspace& ws, const model::Signer& s) {
        auto r = model::ImportBlockerMap(ws, *file, s);
        if (!r.ok()) return ReportError(r.status());
        std::string out =
            fmt::format("imported {} ({} shape): {} blockers added, {} updated (event {})\n", *file,
                        r->map.shape, r->added, r->updated, r->seq);
        for (const auto& w : r->map.warnings) out += "warning: " + w + "\n";
        for (const auto& k : r->kept) {
          out += "kept: " + k + " (only an owner's import, --key OWNER_KEY, holds less)\n";
        }
        Print(out);
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string format = "json", output;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("export", "Write the live blocker map");
    cmd->add_option("--format", a->format, "json or markdown")
        ->check(CLI::IsMember({"json", "markdown"}));
    cmd->add_option("-o,--output", a->output, "file (default: stdout)");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto bs = model::ListBlockers(ws);
        if (!bs.ok()) return ReportError(bs.status());
        if (a->format == "markdown") return Emit(model::ExportMarkdown(*bs, ws.config), a->output);
        auto doc =
            CanonicalJson(model::ExportJson(*bs, Json::object()), NumberPolicy::kIntegersOnly);
        if (!doc.ok()) return ReportError(doc.status());
        return Emit(*doc + "\n", a->output);
      });
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = blocker->add_subcommand("list", "List blockers");
    cmd->add_flag("--json", *json, "print as JSON");
    cmd->callback([json, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto bs = model::ListBlockers(ws);
        if (!bs.ok()) return ReportError(bs.status());
        if (*json) return PrintResult(render::JsonDocument(model::ExportJson(*bs, Json::object())));
        Print(render::BlockerListText(*bs));
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id;
      bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("show", "Show one blocker");
    cmd->add_option("id", a->id, "blocker id")->required();
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        return ShowBlocker(model::FindBlocker(ws, a->id), a->json);
      });
    });
  }
  {
    struct Args {
      model::Blocker b;
      std::string key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("add", "Add a blocker");
    cmd->add_option("--key", a->key, "sign it with this key");
    cmd->add_option("--id", a->b.id, "blocker id")->required();
    cmd->add_option("--item", a->b.item, "what is blocking")->required();
    cmd->add_option("--blocks", a->b.blocks, "gate labels it holds (repeatable)")->required();
    cmd->add_option("--category", a->b.category, "engineering or needs-…");
    cmd->add_option("--actor", a->b.actor_needed, "who is needed (repeatable)");
    cmd->add_option("--next-action", a->b.next_action, "what would move it");
    cmd->add_option("--status", a->b.status, "OPEN (default), OPEN_DESIGN_DELIVERED, …");
    cmd->callback([a, &global, &exit_code] {
      WithWsAndSigner(global, a->key, exit_code, [&](model::Workspace& ws, const model::Signer& s) {
        return ShowBlocker(model::AddBlocker(ws, a->b, s), false);
      });
    });
  }
  {
    struct Args {
      std::string id, status, category, next_action, item, note, key;
      std::vector<std::string> actors, blocks;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("set", "Change a blocker (not its closing: see close)");
    cmd->add_option("id", a->id, "blocker id")->required();
    auto* status = cmd->add_option("--status", a->status, "OPEN, OPEN_DESIGN_DELIVERED, …");
    auto* category = cmd->add_option("--category", a->category, "engineering or needs-…");
    auto* next = cmd->add_option("--next-action", a->next_action, "what would move it");
    auto* item = cmd->add_option("--item", a->item, "what is blocking");
    auto* actors = Repeatable(cmd->add_option("--actor", a->actors, "who is needed (repeatable)"));
    auto* blocks =
        Repeatable(cmd->add_option("--blocks", a->blocks, "gate labels it holds (repeatable)"));
    cmd->add_option("--note", a->note, "why");
    cmd->add_option("--key", a->key, "sign it (an owner's key when the blocker would hold less)");
    cmd->callback([a, status, category, next, item, actors, blocks, &global, &exit_code] {
      WithWsAndSigner(global, a->key, exit_code, [&](model::Workspace& ws, const model::Signer& s) {
        model::BlockerChanges c;
        if (status->count()) c.status = a->status;
        if (category->count()) c.category = a->category;
        if (next->count()) c.next_action = a->next_action;
        if (item->count()) c.item = a->item;
        if (actors->count()) c.actor_needed = a->actors;
        if (blocks->count()) c.blocks = a->blocks;
        c.note = a->note;
        return ShowBlocker(model::UpdateBlocker(ws, a->id, c, s), false);
      });
    });
  }
  {
    struct Args {
      std::string id, note, key;
      std::vector<std::string> evidence;
    };
    for (bool propose : {false, true}) {
      auto a = std::make_shared<Args>();
      CLI::App* cmd =
          propose ? blocker->add_subcommand(
                        "propose-close",
                        "Propose a close with evidence, for the role the blocker needs (any "
                        "trusted key, the agent's included)")
                  : blocker->add_subcommand(
                        "close",
                        "Close a blocker with evidence that verifies now, signed by the role its "
                        "category needs");
      cmd->add_option("id", a->id, "blocker id")->required();
      Repeatable(
          cmd->add_option("--evidence", a->evidence, "seal root of recorded evidence (repeatable)")
              ->required());
      cmd->add_option("--note", a->note, "what the evidence shows");
      cmd->add_option("--key", a->key, "the signer's private key")->required();
      cmd->callback([a, propose, &global, &exit_code] {
        WithWsAndSigner(
            global, a->key, exit_code, [&](model::Workspace& ws, const model::Signer& s) {
              return ShowBlocker(propose
                                     ? evidence::ProposeClose(ws, a->id, a->evidence, a->note, s)
                                     : evidence::CloseBlocker(ws, a->id, a->evidence, a->note, s),
                                 false);
            });
      });
    }
  }
  {
    struct Args {
      std::string id, note, key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("reopen", "Reopen a closed blocker (signed)");
    cmd->add_option("id", a->id, "blocker id")->required();
    cmd->add_option("--note", a->note, "why");
    cmd->add_option("--key", a->key, "a trusted key")->required();
    cmd->callback([a, &global, &exit_code] {
      WithWsAndSigner(global, a->key, exit_code, [&](model::Workspace& ws, const model::Signer& s) {
        return ShowBlocker(model::ReopenBlocker(ws, a->id, a->note, s), false);
      });
    });
  }
  {
    struct Args {
      std::string a, b;
      bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand("diff", "What changed between two blocker map files");
    cmd->add_option("a", a->a, "older map file")->required();
    cmd->add_option("b", a->b, "newer map file")->required();
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->callback([a, &global, &exit_code] {
      // A diff of two files needs the config's gate labels; outside a workspace the defaults.
      model::Config config;
      auto ws = OpenWs(global);
      if (ws.ok()) {
        config = ws->config;
      } else {
        auto doc = ParseToml(model::DefaultConfigToml(), "default config");
        config = *model::ParseConfig(*doc, "default config");
      }
      auto ma = ReadMapFile(a->a, config);
      auto mb = ReadMapFile(a->b, config);
      if (!ma.ok() || !mb.ok()) {
        exit_code = ReportError(!ma.ok() ? ma.status() : mb.status());
        return;
      }
      model::MapDiff d = model::DiffBlockerMaps(*ma, *mb);
      if (a->json) {
        int rc = PrintResult(render::JsonDocument(model::DiffToJson(d)));
        exit_code = rc != 0 ? rc : d.empty() ? 0 : 1;
        return;
      }
      Print(model::RenderDiffText(d));
      exit_code = d.empty() ? 0 : 1;
    });
  }
  {
    struct Args {
      bool json = false;
      std::string file;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = blocker->add_subcommand(
        "summary", "Open blockers, engineering ones remaining, and whether a decision is next");
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->add_option("--file", a->file, "summarize a map file instead of the live map");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto bs = a->file.empty() ? model::ListBlockers(ws) : ReadMapFile(a->file, ws.config);
        if (!bs.ok()) return ReportError(bs.status());
        model::BlockerSummary s = model::Summarize(*bs);
        if (a->json) return PrintResult(render::JsonDocument(model::SummaryToJson(s)));
        Print(model::RenderSummaryText(s));
        return 0;
      });
    });
  }

  CLI::App* evidence = app.add_subcommand("evidence", "Sealed artifacts blockers close with");
  evidence->require_subcommand(1);
  {
    struct Args {
      std::string dir, manifest;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = evidence->add_subcommand("add", "Record a sealed directory that verifies now");
    cmd->add_option("dir", a->dir, "sealed directory")->required();
    cmd->add_option("--manifest", a->manifest, "its manifest (default DIR/prodgate.seal.json)");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto r = evidence::AddEvidence(ws, a->dir, a->manifest, model::LocalActor());
        if (!r.ok()) return ReportError(r.status());
        Print(fmt::format("evidence {} recorded: {}\n", r->root, r->dir));
        return 0;
      });
    });
  }
  {
    CLI::App* cmd = evidence->add_subcommand("list", "List recorded evidence");
    cmd->callback([&global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto docs = ws.state().List("evidence");
        if (!docs.ok()) return ReportError(docs.status());
        std::string out;
        for (const auto& d : *docs)
          out += fmt::format("{}  {}\n", d.value("root", ""), d.value("dir", ""));
        Print(out.empty() ? "no evidence\n" : out);
        return 0;
      });
    });
  }
}

PRODGATE_COMMAND_GROUP(30, RegisterBlockerCommands);

}  // namespace
}  // namespace prodgate::cli
