// key, trust, grant, decision, gate, ids.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "authority/anchor.h"
#include "authority/decisions.h"
#include "authority/gate.h"
#include "authority/grants.h"
#include "authority/trust.h"
#include "cli/context.h"
#include "core/file_io.h"
#include "model/blocker_ops.h"
#include "model/ids.h"
#include "render/authority_report.h"

namespace prodgate::cli {
namespace {

namespace fs = std::filesystem;

void RegisterKeyCommands(CLI::App& app, int& exit_code) {
  CLI::App* key = app.add_subcommand("key", "Ed25519 keys of owners, operators and agents");
  key->require_subcommand(1);
  struct Args {
    std::string name, role, out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd =
      key->add_subcommand("new", "Make a key pair: NAME.pem (private, 0600) and NAME.pub.json");
  cmd->add_option("--name", a->name, "whose key")->required();
  cmd->add_option("--role", a->role, "owner, operator or agent")->required();
  cmd->add_option("--out", a->out, "private key file (default: ~/.prodgate/keys/NAME.pem)");
  cmd->callback([a, &exit_code] {
    auto role = authority::ParseRole(a->role);
    if (!role.ok()) {
      exit_code = ReportError(role.status());
      return;
    }
    std::string out = a->out;
    if (out.empty()) {
      const char* home = std::getenv("HOME");
      fs::path dir = fs::path(home ? home : ".") / ".prodgate" / "keys";
      std::error_code ec;
      fs::create_directories(dir, ec);
      fs::permissions(dir, fs::perms::owner_all, ec);
      out = (dir / (a->name + ".pem")).string();
    }
    auto k = authority::PrivateKey::Generate();
    if (!k.ok()) {
      exit_code = ReportError(k.status());
      return;
    }
    Status s = k->Save(out);
    if (!s.ok()) {
      exit_code = ReportError(s);
      return;
    }
    authority::TrustedKey pub{k->Id(), a->name, *role, k->public_key(), 0};
    std::string pub_path =
        (out.ends_with(".pem") ? out.substr(0, out.size() - 4) : out) + ".pub.json";
    auto doc = CanonicalJson(authority::PublicKeyDocument(pub), NumberPolicy::kIntegersOnly);
    s = WriteFileAtomic(pub_path, *doc + "\n", 0644);
    if (!s.ok()) {
      exit_code = ReportError(s);
      return;
    }
    Print(fmt::format("key {} ({}, {})\n  private {}\n  public  {}\n", pub.id, a->name, a->role,
                      out, pub_path));
    exit_code = 0;
  });
}

void RegisterTrustCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* trust = app.add_subcommand("trust", "The keys this workspace trusts");
  trust->require_subcommand(1);
  auto report = [](const authority::TrustChangeOutcome& o, const std::string& what) {
    if (o.applied) {
      Print(fmt::format("{}: in force\n", what));
    } else {
      Print(fmt::format(
          "{}: proposed as {}, {} of {} owner signature(s); another owner signs "
          "with: prodgate trust sign {} --key OWNER_KEY\n",
          what, o.proposal.substr(0, 12), o.signers.size(), o.threshold, o.proposal.substr(0, 12)));
    }
  };
  {
    struct Args {
      std::string pub, key;
      int64_t threshold = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = trust->add_subcommand(
        "add",
        "Trust a public key in its role (signed by trusted owners; the first key must be an "
        "owner)");
    cmd->add_option("public", a->pub, "NAME.pub.json from `prodgate key new`")->required();
    cmd->add_option("--key", a->key, "a trusted owner's private key (not needed for the first)");
    cmd->add_option("--threshold", a->threshold,
                    "owner signatures the change needs (default: the anchor's, else 1)");
    cmd->callback([a, report, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto pub = authority::ReadPublicKeyDocument(a->pub);
        if (!pub.ok()) return ReportError(pub.status());
        auto signer = KeyIfGiven(a->key);
        if (!signer.ok()) return ReportError(signer.status());
        auto threshold = authority::ThresholdForChanges(ws, global.anchor, a->threshold);
        if (!threshold.ok()) return ReportError(threshold.status());
        authority::TrustChangeRequest r;
        r.add = *pub;
        auto o = authority::ProposeTrustChange(ws, r, *signer ? &**signer : nullptr, *threshold);
        if (!o.ok()) return ReportError(o.status());
        report(*o, fmt::format("trust {} ({}, {})", pub->id, pub->name,
                               authority::RoleName(pub->role)));
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id, key, reason;
      int64_t threshold = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        trust->add_subcommand("remove", "Stop trusting a key (a leaked one): signed by owners");
    cmd->add_option("key-id", a->id, "the key's id (ed25519:…)")->required();
    cmd->add_option("--key", a->key, "a trusted owner's private key")->required();
    cmd->add_option("--reason", a->reason, "why");
    cmd->add_option("--threshold", a->threshold,
                    "owner signatures the change needs (default: the anchor's, else 1)");
    cmd->callback([a, report, &global, &exit_code] {
      WithWsAndKey(
          global, a->key, exit_code, [&](model::Workspace& ws, const authority::PrivateKey& owner) {
            auto threshold = authority::ThresholdForChanges(ws, global.anchor, a->threshold);
            if (!threshold.ok()) return ReportError(threshold.status());
            authority::TrustChangeRequest r;
            r.remove = a->id;
            r.reason = a->reason;
            auto o = authority::ProposeTrustChange(ws, r, &owner, *threshold);
            if (!o.ok()) return ReportError(o.status());
            report(*o, fmt::format("remove {}", a->id));
            return 0;
          });
    });
  }
  // The same command as `trust rotate` and `key rotate`.
  auto add_rotate = [&, report](CLI::App* parent) {
    struct Args {
      std::string id, pub, old_key, key;
      int64_t threshold = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent->add_subcommand(
        "rotate",
        "Replace a trusted key by a new one in its role: the old key endorses the new one, "
        "owners sign");
    cmd->add_option("key-id", a->id, "the old key's id (ed25519:…)")->required();
    cmd->add_option("--new", a->pub, "the new key's NAME.pub.json (its role is ignored)")
        ->required();
    cmd->add_option("--old-key", a->old_key, "the old key's private key (it endorses the new)")
        ->required();
    cmd->add_option("--key", a->key, "a trusted owner's private key")->required();
    cmd->add_option("--threshold", a->threshold,
                    "owner signatures the change needs (default: the anchor's, else 1)");
    cmd->callback([a, report, &global, &exit_code] {
      WithWsAndKey(
          global, a->key, exit_code, [&](model::Workspace& ws, const authority::PrivateKey& owner) {
            auto pub = authority::ReadPublicKeyDocument(a->pub);
            if (!pub.ok()) return ReportError(pub.status());
            auto old = authority::PrivateKey::Load(a->old_key);
            if (!old.ok()) return ReportError(old.status());
            if (old->Id() != a->id) {
              return ReportError(
                  Status::BadInput(fmt::format("--old-key holds {}, not {}", old->Id(), a->id),
                                   "pass the private key of the key being rotated"));
            }
            auto endorsement = old->Sign(authority::RotationBytes(a->id, pub->id));
            if (!endorsement.ok()) return ReportError(endorsement.status());
            auto threshold = authority::ThresholdForChanges(ws, global.anchor, a->threshold);
            if (!threshold.ok()) return ReportError(threshold.status());
            authority::TrustChangeRequest r;
            r.add = *pub;
            r.rotate_from = a->id;
            r.endorsement = *endorsement;
            auto o = authority::ProposeTrustChange(ws, r, &owner, *threshold);
            if (!o.ok()) return ReportError(o.status());
            report(*o, fmt::format("rotate {} to {}", a->id, pub->id));
            return 0;
          });
    });
  };
  add_rotate(trust);
  add_rotate(app.get_subcommand("key"));
  {
    struct Args {
      std::string id, key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        trust->add_subcommand("sign", "Add an owner's signature to a pending trust change");
    cmd->add_option("proposal", a->id, "the proposal's id (8+ hex digits)")->required();
    cmd->add_option("--key", a->key, "a trusted owner's private key")->required();
    cmd->callback([a, report, &global, &exit_code] {
      // The config file may be the one a pending proposal accepts: not checked here.
      auto ws = OpenWs(global, /*allow_broken=*/false, /*check_config=*/false);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      WithKey(*ws, a->key, exit_code,
              [&](model::Workspace& ws, const authority::PrivateKey& owner) {
                auto o = authority::SignTrustChange(ws, a->id, owner);
                if (!o.ok()) return ReportError(o.status());
                report(*o, fmt::format("proposal {}", o->proposal.substr(0, 12)));
                return 0;
              });
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = trust->add_subcommand("list", "List trusted keys and pending trust changes");
    cmd->add_flag("--json", *json, "print as JSON");
    cmd->callback([json, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto t = authority::LoadTrust(ws);
        if (!t.ok()) return ReportError(t.status());
        auto proposals = authority::TrustProposals(ws.state());
        if (!proposals.ok()) return ReportError(proposals.status());
        if (*json) {
          Json j = t->ToJson();
          Json pending = Json::array();
          for (const auto& p : *proposals) {
            if (p.applied_seq != 0) continue;
            pending.push_back({{"id", p.id},
                               {"change", p.change},
                               {"threshold", p.threshold},
                               {"signers", p.signers}});
          }
          j["pending"] = pending;
          return PrintResult(render::JsonDocument(j));
        }
        Print(render::TrustText(*t, *proposals));
        return 0;
      });
    });
  }
}

void RegisterGrantCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* grant =
      app.add_subcommand("grant", "Owners' signed permissions for one action in one scope");
  grant->require_subcommand(1);
  {
    struct Args {
      authority::GrantRequest r;
      std::vector<std::string> requires_closed;
      std::string key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = grant->add_subcommand("issue", "Issue a grant, signed with an owner's key");
    cmd->add_option("--action", a->r.action, "the action")->required();
    cmd->add_option("--scope", a->r.scope, "the scope (no scope implies another)")->required();
    cmd->add_option("--change", a->r.change, "bind to this change (seal root)");
    cmd->add_option("--target", a->r.target, "bind to this target (database identity)");
    cmd->add_option("--uses", a->r.uses, "how many times it may be used (default 1)");
    cmd->add_option("--expires", a->r.expires_in, "validity from not-before (default 24h)");
    cmd->add_option("--not-before", a->r.not_before, "valid from (RFC 3339 UTC; default now)");
    cmd->add_option("--expires-at", a->r.expires_at,
                    "valid until (RFC 3339 UTC; overrides --expires)");
    auto* rc = Repeatable(
        cmd->add_option("--requires-closed", a->requires_closed,
                        "blocker ids that must be closed (default: every blocker holding it)")
            ->delimiter(','));
    cmd->add_option("--requester", a->r.requester, "key id of who asked for it");
    cmd->add_option("--key", a->key, "the owner's private key")->required();
    cmd->callback([a, rc, &global, &exit_code] {
      WithWsAndKey(global, a->key, exit_code, [&](model::Workspace& ws, authority::PrivateKey& k) {
        if (rc->count()) a->r.requires_closed = a->requires_closed;
        auto g = authority::IssueGrant(ws, a->r, k);
        if (!g.ok()) return ReportError(g.status());
        auto closed = authority::BlockersClosedBy(ws, "grant:" + g->id);
        if (!closed.ok()) return ReportError(closed.status());
        std::string out = render::GrantText(*g);
        for (const auto& b : *closed) out += fmt::format("  closed blocker {} (needs-grant)\n", b);
        Print(out);
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id, key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        grant->add_subcommand("sign", "Co-sign a grant (thresholds count distinct owners)");
    cmd->add_option("id", a->id, "grant id (8+ hex digits)")->required();
    cmd->add_option("--key", a->key, "another owner's private key")->required();
    cmd->callback([a, &global, &exit_code] {
      WithWsAndKey(global, a->key, exit_code, [&](model::Workspace& ws, authority::PrivateKey& k) {
        auto g = authority::SignGrant(ws, a->id, k);
        if (!g.ok()) return ReportError(g.status());
        Print(render::GrantText(*g));
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id, key, reason;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = grant->add_subcommand("revoke", "Revoke a grant at once");
    cmd->add_option("id", a->id, "grant id")->required();
    cmd->add_option("--key", a->key, "an owner's private key")->required();
    cmd->add_option("--reason", a->reason, "why");
    cmd->callback([a, &global, &exit_code] {
      WithWsAndKey(global, a->key, exit_code, [&](model::Workspace& ws, authority::PrivateKey& k) {
        auto g = authority::RevokeGrant(ws, a->id, k, a->reason);
        if (!g.ok()) return ReportError(g.status());
        Print(render::GrantText(*g));
        return 0;
      });
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = grant->add_subcommand("list", "List grants");
    cmd->add_flag("--json", *json, "print as JSON");
    cmd->callback([json, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto gs = authority::ListGrants(ws);
        if (!gs.ok()) return ReportError(gs.status());
        if (*json) {
          Json arr = Json::array();
          for (const auto& g : *gs) arr.push_back(g.ToJson());
          return PrintResult(render::JsonDocument({{"grants", arr}}));
        }
        Print(render::GrantListText(*gs));
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
    CLI::App* cmd = grant->add_subcommand("show", "Show one grant");
    cmd->add_option("id", a->id, "grant id")->required();
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto g = authority::FindGrant(ws, a->id);
        if (!g.ok()) return ReportError(g.status());
        if (a->json) return PrintResult(render::JsonDocument(g->ToJson()));
        Print(render::GrantText(*g));
        return 0;
      });
    });
  }
}

void RegisterDecisionCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* decision =
      app.add_subcommand("decision", "Questions for an owner: exactly one option, default HOLD");
  decision->require_subcommand(1);
  {
    auto file = std::make_shared<std::string>();
    CLI::App* cmd =
        decision->add_subcommand("new", "Record a decision from a spec file (TOML or JSON)");
    cmd->add_option("--file", *file, "the decision spec")->required();
    cmd->callback([file, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto d = authority::NewDecision(ws, *file, model::LocalActor());
        if (!d.ok()) return ReportError(d.status());
        Print(fmt::format("decision {} recorded; selected: none (default {})\n", d->spec.id, [&] {
          for (const auto& o : d->spec.options) {
            if (o.is_default) return o.id;
          }
          return std::string("HOLD");
        }()));
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id, option, key;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = decision->add_subcommand("select", "An owner selects exactly one option");
    cmd->add_option("id", a->id, "decision id")->required();
    cmd->add_option("--option", a->option, "the one option")->required();
    cmd->add_option("--key", a->key, "the owner's private key")->required();
    cmd->callback([a, &global, &exit_code] {
      WithWsAndKey(global, a->key, exit_code, [&](model::Workspace& ws, authority::PrivateKey& k) {
        auto d = authority::SelectOption(ws, a->id, a->option, k);
        if (!d.ok()) return ReportError(d.status());
        std::string out = fmt::format("decision {}: selected {} by {}\n", d->spec.id, d->selected,
                                      d->selected_by);
        for (const auto& g : d->grants_issued) {
          out += fmt::format("  issued grant {}\n", g.substr(0, 12));
          auto closed = authority::BlockersClosedBy(ws, "grant:" + g);
          if (!closed.ok()) return ReportError(closed.status());
          for (const auto& b : *closed)
            out += fmt::format("  closed blocker {} (needs-grant)\n", b);
        }
        auto closed = authority::BlockersClosedBy(ws, "decision:" + d->spec.id + ":" + d->selected);
        if (!closed.ok()) return ReportError(closed.status());
        for (const auto& b : *closed) {
          out += fmt::format("  closed blocker {} (needs-owner-decision)\n", b);
        }
        Print(out);
        return 0;
      });
    });
  }
  {
    struct Args {
      std::string id, output;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = decision->add_subcommand("render", "The decision packet in Markdown");
    cmd->add_option("id", a->id, "decision id")->required();
    cmd->add_option("-o,--output", a->output, "file (default: stdout)");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto d = authority::FindDecision(ws, a->id);
        if (!d.ok()) return ReportError(d.status());
        auto bs = model::ListBlockers(ws);
        if (!bs.ok()) return ReportError(bs.status());
        return Emit(render::DecisionMarkdown(*d, *bs, ws.config), a->output);
      });
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = decision->add_subcommand("list", "List decisions");
    cmd->add_flag("--json", *json, "print as JSON");
    cmd->callback([json, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto ds = authority::ListDecisions(ws);
        if (!ds.ok()) return ReportError(ds.status());
        if (*json) {
          Json arr = Json::array();
          for (const auto& d : *ds) arr.push_back(d.ToJson());
          return PrintResult(render::JsonDocument({{"decisions", arr}}));
        }
        Print(render::DecisionListText(*ds));
        return 0;
      });
    });
  }
}

void AddGateOptions(CLI::App* cmd, authority::GateRequest& r) {
  cmd->add_option("--action", r.action, "the action")->required();
  cmd->add_option("--scope", r.scope, "the scope")->required();
  cmd->add_option("--change", r.change, "the change (seal root of its bytes)");
  cmd->add_option("--target", r.target, "the target (database identity)");
}

void RegisterGateCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* gate = app.add_subcommand("gate", "ALLOW or HOLD an action, with every reason");
  gate->require_subcommand(1);
  {
    struct Args {
      authority::GateRequest r;
      bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        gate->add_subcommand("check", "ALLOW (exit 0) or HOLD (exit 1) with every reason");
    AddGateOptions(cmd, a->r);
    cmd->add_option("--executor", a->r.executor,
                    "the key id of who would run it (gate run --key): checked as gate run does");
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, /*allow_broken=*/true, [&](model::Workspace& ws) {
        a->r.anchor = global.anchor;
        auto d = authority::CheckGate(ws, a->r);
        if (!d.ok()) return ReportError(d.status());
        if (a->json) {
          int rc = PrintResult(render::JsonDocument(d->ToJson()));
          if (rc != 0) return rc;
        } else {
          Print(render::GateText(*d));
        }
        return d->allow ? 0 : 1;
      });
    });
  }
  {
    struct Args {
      authority::GateRequest r;
      std::string key, report;
      std::vector<std::string> argv;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = gate->add_subcommand(
        "run",
        "Check, consume one use and record the intent, run CMD, record its exit status. Exit: "
        "the command's status; 124 HOLD, 125 bad input, 126 internal error, 127 not started");
    AddGateOptions(cmd, a->r);
    cmd->add_option("--key", a->key, "the executor's private key (signs the intent)");
    cmd->add_option("--report", a->report, "write the prodgate.gate-run/1 JSON report here");
    cmd->add_option("command", a->argv, "-- CMD ARGS...")->required();
    cmd->callback([a, &global, &exit_code] {
      auto ws = OpenWs(global, /*allow_broken=*/true);
      Result<authority::GatedRun> run = ws.status();
      if (ws.ok()) {
        a->r.anchor = global.anchor;
        auto key = KeyIfGiven(a->key);
        run = key.ok() ? authority::RunGated(*ws, a->r, a->argv, *key ? &**key : nullptr)
                       : Result<authority::GatedRun>(key.status());
      }
      exit_code = authority::GateRunExitCode(run);
      if (!run.ok()) {
        ReportError(run.status());
      } else if (!run->spawn_error.empty()) {
        std::fprintf(stderr,
                     "prodgate: the command could not be started: %s (the use is "
                     "consumed; the ledger records it as not started)\n",
                     run->spawn_error.c_str());
      } else if (!run->ran) {
        std::fputs(render::GateText(run->decision).c_str(), stderr);
        std::fputs(run->refusal_recorded
                       ? "the command did not run; the refusal is recorded (refused.gate_run)\n"
                       : "the command did not run; the ledger took no record of the refusal\n",
                   stderr);
      }
      if (!a->report.empty() && run.ok()) {
        auto text = render::JsonDocument(run->ToJson());
        if (!text.ok() || Emit(*text, a->report) != 0) exit_code = authority::kRunInternal;
      }
    });
  }
}

void RegisterIdsCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* ids = app.add_subcommand("ids", "Id reservations above a registry's ceiling");
  ids->require_subcommand(1);
  struct Args {
    std::string prefix;
    int64_t count = 0;
    int64_t ceiling = -1;
    bool json = false;
  };
  {
    auto a = std::make_shared<Args>();
    CLI::App* cmd = ids->add_subcommand("reserve", "Reserve the next COUNT ids of PREFIX");
    cmd->add_option("--prefix", a->prefix, "e.g. TKT-OBJ")->required();
    cmd->add_option("--count", a->count, "how many")->required();
    auto* ceiling =
        cmd->add_option("--ceiling", a->ceiling, "the registry's highest id (first time)");
    cmd->callback([a, ceiling, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto s =
            model::ReserveIds(ws, a->prefix, a->count,
                              ceiling->count() ? std::optional<int64_t>(a->ceiling) : std::nullopt,
                              model::LocalActor());
        if (!s.ok()) return ReportError(s.status());
        Print(render::IdsText(*s));
        return 0;
      });
    });
  }
  {
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        ids->add_subcommand("fold", "Fold the reserved ids into the canonical registry");
    cmd->add_option("--prefix", a->prefix, "e.g. TKT-OBJ")->required();
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto s = model::FoldIds(ws, a->prefix, model::LocalActor());
        if (!s.ok()) return ReportError(s.status());
        Print(render::IdsText(*s));
        return 0;
      });
    });
  }
  {
    auto a = std::make_shared<Args>();
    CLI::App* cmd = ids->add_subcommand("verify", "Check reservations against their events");
    cmd->add_option("--prefix", a->prefix, "e.g. TKT-OBJ")->required();
    cmd->add_flag("--json", a->json, "print as JSON");
    cmd->callback([a, &global, &exit_code] {
      WithWs(global, exit_code, [&](model::Workspace& ws) {
        auto v = model::VerifyIds(ws, a->prefix);
        if (!v.ok()) return ReportError(v.status());
        if (a->json) {
          Json j = v->state.ToJson();
          j["verdict"] = v->ok ? "PASS" : "FAIL";
          j["problems"] = v->problems;
          int rc = PrintResult(render::JsonDocument(j));
          return rc != 0 ? rc : v->ok ? 0 : 1;
        }
        std::string out = (v->ok ? "PASS " : "FAIL ") + render::IdsText(v->state);
        for (const auto& p : v->problems) out += "  " + p + "\n";
        Print(out);
        return v->ok ? 0 : 1;
      });
    });
  }
}

void RegisterAuthorityCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  RegisterKeyCommands(app, exit_code);
  RegisterTrustCommands(app, global, exit_code);
  RegisterGrantCommands(app, global, exit_code);
  RegisterDecisionCommands(app, global, exit_code);
  RegisterGateCommands(app, global, exit_code);
  RegisterIdsCommands(app, global, exit_code);
}

PRODGATE_COMMAND_GROUP(35, RegisterAuthorityCommands);

}  // namespace
}  // namespace prodgate::cli
