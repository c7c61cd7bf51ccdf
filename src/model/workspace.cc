#include "model/workspace.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/file_io.h"
#include "core/sha256.h"
#include "core/toml.h"
#include "core/tool.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::model {
namespace {

namespace fs = std::filesystem;

// The digest the ledger recorded for `subject`'s file, from its last event (re-hashed, so
// an edited event is not believed).
Result<std::optional<std::string>> RecordedDigest(ledger::LedgerStore& store,
                                                  std::string_view subject, const char* field) {
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> events, store.EventsAbout(subject));
  if (events.empty()) return std::optional<std::string>();
  const ledger::Event& last = events.back();
  PG_RETURN_IF_ERROR(ledger::CheckEventHash(last));
  return std::optional<std::string>(last.body.value(field, ""));
}

}  // namespace

std::optional<std::string> FindWorkspaceRoot(const std::string& explicit_root) {
  if (!explicit_root.empty()) return explicit_root;
  std::error_code ec;
  fs::path at = fs::current_path(ec);
  while (!ec && !at.empty()) {
    // A workspace whose config is gone (its ledger is still there), or a directory that
    // cannot be searched, is taken as the root: opening it then fails with the reason,
    // instead of this search silently looking further up or finding nothing.
    if (fs::exists(at / ".prodgate" / "config.toml", ec) || ec) return at.string();
    if (fs::exists(at / ".prodgate" / "ledger.db", ec) || ec) return at.string();
    if (at == at.root_path()) break;
    at = at.parent_path();
  }
  return std::nullopt;
}

std::string LocalActor() {
  struct passwd* pw = ::getpwuid(::geteuid());
  return std::string("local:") + (pw != nullptr ? pw->pw_name : std::to_string(::geteuid()));
}

Result<Workspace> OpenWorkspace(const std::string& explicit_root,
                                const std::string& ledger_location, bool check_config) {
  auto root = FindWorkspaceRoot(explicit_root);
  if (!root) {
    return Status::BadInput(
        "no prodgate workspace here or in any parent directory",
        "run `prodgate init` in the project directory, or pass --workspace DIR");
  }
  Workspace ws;
  ws.root = fs::absolute(*root).lexically_normal().string();
  if (ws.root.size() > 1 && ws.root.back() == '/') ws.root.pop_back();
  if (!fs::exists(ws.config_path())) {
    return Status::BadInput(
        fmt::format("{} is not a prodgate workspace (no {})", ws.root, ws.config_path()),
        "run `prodgate init` there first");
  }
  PG_ASSIGN_OR_RETURN(std::string config_bytes, ReadFile(ws.config_path(), 1 << 20));
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(config_bytes, ws.config_path()));
  PG_ASSIGN_OR_RETURN(ws.config, ParseConfig(doc, ws.config_path()));
  PG_ASSIGN_OR_RETURN(
      ws.ledger, ledger::OpenLedger(ledger_location.empty() ? ws.ledger_path() : ledger_location,
                                    /*create=*/false));
  if (!check_config) return ws;
  PG_ASSIGN_OR_RETURN(auto recorded, RecordedDigest(*ws.ledger, "config", "config_sha256"));
  std::string actual = ToHex(Sha256Of(config_bytes));
  if (!recorded || *recorded != actual) {
    return Status::BadInput(
        fmt::format("{} (sha256 {}) is not the configuration recorded in the ledger ({}): it "
                    "changed outside prodgate, and the config decides what every gate holds",
                    ws.config_path(), actual.substr(0, 12),
                    recorded ? recorded->substr(0, 12) : std::string("none")),
        "undo the edit, or have an owner accept it: prodgate config accept --key OWNER_KEY");
  }
  return ws;
}

Result<Workspace> InitWorkspace(const std::string& root, const std::string& actor,
                                const std::string& ledger_location) {
  Workspace ws;
  ws.root = fs::absolute(root).lexically_normal().string();
  if (ws.root.size() > 1 && ws.root.back() == '/') ws.root.pop_back();
  std::error_code ec;
  if (fs::exists(ws.config_path(), ec) || fs::exists(ws.ledger_path(), ec)) {
    return Status::BadInput(fmt::format("{} already holds a prodgate workspace", ws.root),
                            "use it as it is; a workspace is never re-initialized over itself");
  }
  fs::create_directories(ws.dir(), ec);
  if (ec) {
    return Status::BadInput(fmt::format("cannot create {}: {}", ws.dir(), ec.message()),
                            "check the directory and its permissions");
  }
  std::string config_text = DefaultConfigToml();
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(config_text, "default config"));
  PG_ASSIGN_OR_RETURN(ws.config, ParseConfig(doc, "default config"));
  PG_RETURN_IF_ERROR(WriteFileAtomic(ws.config_path(), config_text, 0644));
  PG_ASSIGN_OR_RETURN(
      ws.ledger, ledger::OpenLedger(ledger_location.empty() ? ws.ledger_path() : ledger_location,
                                    /*create=*/true));
  PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
  if (head.seq != 0) {
    return Status::BadInput(
        fmt::format("the ledger at {} holds {} events already: it belongs to another workspace",
                    ledger_location, head.seq),
        "give a new ledger database, or use that workspace");
  }
  std::string digest = ToHex(Sha256Of(config_text));
  auto first = ws.ledger->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = actor;
        d.kind = "workspace.init";
        d.body = {{"config_sha256", digest}, {"tool", ToolJson()}};
        d.subjects = {"config"};
        return d;
      },
      Project);
  if (!first.ok()) return first.status();
  return ws;
}

}  // namespace prodgate::model
