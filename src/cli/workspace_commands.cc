// init, config, ledger.
#include <fmt/format.h>

#include <memory>

#include "authority/anchor.h"
#include "authority/ledger_audit.h"
#include "cli/context.h"
#include "ledger/chain.h"
#include "ledger/postgres_store.h"
#include "render/authority_report.h"

namespace prodgate::cli {
namespace {

void RegisterWorkspaceCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  {
    struct Args {
      std::string dir = ".";
      std::string id;
      bool print_config = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        app.add_subcommand("init", "Create a workspace: .prodgate/ with config and ledger");
    cmd->add_option("dir", a->dir, "directory to hold .prodgate/ (default: .)");
    cmd->add_option("--id", a->id,
                    "the workspace's id, the name its trust anchor is installed under "
                    "(default: random)");
    cmd->add_flag("--print-config", a->print_config, "print the default config.toml and stop");
    cmd->callback([a, &global, &exit_code] {
      if (a->print_config) {
        Print(model::DefaultConfigToml());
        exit_code = 0;
        return;
      }
      auto ws = model::InitWorkspace(a->dir, model::LocalActor(), global.ledger, a->id);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      Print(
          fmt::format("initialized {}\n  config {}\n  ledger {}\nnext: make an owner key "
                      "(prodgate key new --name NAME --role owner) and trust it (prodgate "
                      "trust add NAME.pub.json)\n",
                      ws->dir(), ws->config_path(),
                      global.ledger.empty() ? ws->ledger_path() : ws->ledger->location()));
      exit_code = 0;
    });
  }
  {
    CLI::App* config = app.add_subcommand("config", "The workspace configuration");
    config->require_subcommand(1);
    struct AcceptArgs {
      std::string key;
      int64_t threshold = 0;
    };
    auto acc = std::make_shared<AcceptArgs>();
    CLI::App* accept =
        config->add_subcommand("accept", "Record the current config.toml as accepted (owners)");
    accept->add_option("--key", acc->key, "owner's private key")->required();
    accept->add_option("--threshold", acc->threshold,
                       "owner signatures the change needs (default: the anchor's, else 1)");
    accept->callback([acc, &global, &exit_code] {
      auto ws = OpenWs(global, /*allow_broken=*/false, /*check_config=*/false);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto owner = authority::PrivateKey::Load(acc->key);
      if (!owner.ok()) {
        exit_code = ReportError(owner.status());
        return;
      }
      auto threshold = authority::ThresholdForChanges(*ws, global.anchor, acc->threshold);
      if (!threshold.ok()) {
        exit_code = ReportError(threshold.status());
        return;
      }
      auto o = authority::AcceptConfig(*ws, *owner, *threshold);
      if (!o.ok()) {
        exit_code = ReportError(o.status());
        return;
      }
      if (o->applied) {
        Print(fmt::format("accepted {}\n", ws->config_path()));
      } else {
        Print(
            fmt::format("proposed {} as {}: {} of {} owner signature(s); until it is in force "
                        "commands refuse the edited config. Another owner signs with: prodgate "
                        "trust sign {} --key OWNER_KEY\n",
                        ws->config_path(), o->proposal.substr(0, 12), o->signers.size(),
                        o->threshold, o->proposal.substr(0, 12)));
      }
      exit_code = 0;
    });
  }
  {
    CLI::App* ledger = app.add_subcommand("ledger", "The hash-chained ledger");
    ledger->require_subcommand(1);
    {
      struct Args {
        std::string expect_head;
        bool json = false;
        bool quick = false;
      };
      auto a = std::make_shared<Args>();
      CLI::App* cmd = ledger->add_subcommand(
          "verify",
          "Check every hash, link, signature and rule from genesis, and that the ledger still "
          "holds what this user verified before; name the first bad event");
      cmd->add_option("--expect-head", a->expect_head,
                      "a head recorded earlier: the chain must contain it (detects truncation)");
      cmd->add_flag("--quick", a->quick,
                    "verify only the events after this user's checkpoint (what the gate does)");
      cmd->add_flag("--json", a->json, "print the result as JSON");
      cmd->callback([a, &global, &exit_code] {
        std::optional<Digest> expect;
        if (!a->expect_head.empty()) {
          expect = DigestFromHex(a->expect_head);
          if (!expect) {
            exit_code = ReportError(Status::BadInput(
                fmt::format("--expect-head \"{}\" is not 64 hex digits", a->expect_head),
                "pass the head hash printed by `prodgate ledger head`"));
            return;
          }
        }
        auto ws = OpenWs(global, /*allow_broken=*/true);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        auto audit = authority::AuditLedger(*ws, expect, /*full=*/!a->quick);
        if (!audit.ok()) {
          exit_code = ReportError(audit.status());
          return;
        }
        if (a->json) {
          int rc = PrintResult(render::JsonDocument(render::LedgerAuditJson(*audit)));
          exit_code = rc != 0 ? rc : audit->ok ? 0 : 1;
          return;
        }
        Print(render::LedgerAuditText(*audit));
        exit_code = audit->ok ? 0 : 1;
      });
    }
    {
      auto json = std::make_shared<bool>(false);
      CLI::App* cmd = ledger->add_subcommand("head", "Print the head: its seq and hash");
      cmd->add_flag("--json", *json, "print as JSON");
      cmd->callback([json, &global, &exit_code] {
        auto ws = OpenWs(global);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        auto head = ws->ledger->ReadHead();
        if (!head.ok()) {
          exit_code = ReportError(head.status());
          return;
        }
        if (*json) {
          exit_code =
              PrintResult(render::JsonDocument({{"seq", head->seq}, {"hash", ToHex(head->hash)}}));
        } else {
          Print(fmt::format("{} {}\n", head->seq, ToHex(head->hash)));
          exit_code = 0;
        }
      });
    }
    {
      struct Args {
        bool json = false;
        int64_t from = 1;
        std::string kind;
      };
      auto a = std::make_shared<Args>();
      CLI::App* cmd = ledger->add_subcommand("log", "List events");
      cmd->add_flag("--json", a->json, "one canonical JSON event per line");
      cmd->add_option("--from", a->from, "first seq to show");
      cmd->add_option("--kind", a->kind, "only events of this kind (prefix match: grant.)");
      cmd->callback([a, &global, &exit_code] {
        auto ws = OpenWs(global);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        std::vector<ledger::Event> events;
        std::string lines;
        Status s =
            ws->ledger->ForEachEvent(a->from, INT64_MAX, [&](const ledger::Event& e) -> Status {
              if (!a->kind.empty() && !e.kind.starts_with(a->kind)) return Status::Ok();
              if (a->json) {
                PG_ASSIGN_OR_RETURN(std::string line,
                                    CanonicalJson(e.ToJson(), NumberPolicy::kIntegersOnly));
                lines += line + "\n";
              } else {
                events.push_back(e);
              }
              return Status::Ok();
            });
        if (!s.ok()) {
          exit_code = ReportError(s);
          return;
        }
        Print(a->json ? lines : render::LedgerLogText(events));
        exit_code = 0;
      });
    }
    {
      auto write = std::make_shared<bool>(false);
      CLI::App* cmd = ledger->add_subcommand(
          "rebuild", "Recompute every projection from the events and compare");
      cmd->add_flag("--write", *write, "replace the stored projections with the recomputed ones");
      cmd->callback([write, &global, &exit_code] {
        auto ws = OpenWs(global);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        auto r = authority::RebuildProjections(*ws, *write);
        if (!r.ok()) {
          exit_code = ReportError(r.status());
          return;
        }
        if (r->differences.empty()) {
          Print("OK projections equal what the events make\n");
          exit_code = 0;
          return;
        }
        std::string out = fmt::format("{} {} difference(s):\n", r->written ? "REWRITTEN" : "FAIL",
                                      r->differences.size());
        for (const auto& d : r->differences) out += "  " + d + "\n";
        Print(out);
        exit_code = r->written ? 0 : 1;
      });
    }
    {
      struct Args {
        std::string location;
        ledger::ProvisionOptions o;
      };
      auto a = std::make_shared<Args>();
      CLI::App* cmd = ledger->add_subcommand(
          "provision",
          "Make the protected team ledger in a PostgreSQL database (as its administrator)");
      cmd->add_option("location", a->location, "postgresql://ADMIN@HOST/DB")->required();
      cmd->add_option("--writer", a->o.writers,
                      "a login role that may append (executors, agents, owners); repeatable");
      cmd->add_option("--reader", a->o.readers, "a login role that may only read; repeatable");
      cmd->add_option("--break-glass", a->o.break_glass,
                      "a login role that may change history (emergencies only); repeatable");
      cmd->add_option("--role-prefix", a->o.prefix, "prefix of the roles made (default prodgate)");
      cmd->callback([a, &exit_code] {
        auto r = ledger::ProvisionPostgresLedger(a->location, a->o);
        if (!r.ok()) {
          exit_code = ReportError(r.status());
          return;
        }
        Print(fmt::format(
            "provisioned the protected ledger in {}\n  owner {} (NOLOGIN: owns the tables)\n"
            "  writer {}: may read and append through prodgate.append\n  reader {}: may read\n"
            "  break-glass {}: the only role that may change history\nUPDATE, DELETE and "
            "TRUNCATE of prodgate.events are refused to everyone else, by privileges and by "
            "triggers.\n",
            r->location, r->owner, r->writer, r->reader, r->break_glass));
        exit_code = 0;
      });
    }
    {
      auto out = std::make_shared<std::string>();
      CLI::App* cmd = ledger->add_subcommand("export", "Write every event as canonical JSON lines");
      cmd->add_option("-o,--output", *out, "file to write (default: stdout)");
      cmd->callback([out, &global, &exit_code] {
        auto ws = OpenWs(global);
        if (!ws.ok()) {
          exit_code = ReportError(ws.status());
          return;
        }
        std::string lines;
        Status s = ws->ledger->ForEachEvent(1, INT64_MAX, [&](const ledger::Event& e) -> Status {
          PG_ASSIGN_OR_RETURN(std::string line,
                              CanonicalJson(e.ToJson(), NumberPolicy::kIntegersOnly));
          lines += line + "\n";
          return Status::Ok();
        });
        exit_code = s.ok() ? Emit(lines, *out) : ReportError(s);
      });
    }
  }
}

PRODGATE_COMMAND_GROUP(20, RegisterWorkspaceCommands);

}  // namespace
}  // namespace prodgate::cli
