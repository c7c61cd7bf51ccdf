#include "model/workspace.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <span>

#include "core/file_io.h"
#include "core/redact.h"
#include "core/sha256.h"
#include "core/toml.h"
#include "core/tool.h"
#include "ledger/chain.h"
#include "model/projector.h"

namespace prodgate::model {
namespace {

namespace fs = std::filesystem;

// The store's projections, read-only: what a workspace opened without verification reads.
class StoreReader : public ledger::ProjectionTxn {
 public:
  explicit StoreReader(ledger::LedgerStore& s) : s_(s) {}
  Result<std::optional<Json>> Get(std::string_view t, std::string_view id) override {
    return s_.GetProjection(t, id);
  }
  Result<ledger::ProjectionEntries> Entries(std::string_view t) override {
    return s_.ListProjection(t);
  }
  Status Put(std::string_view, std::string_view, const Json&) override {
    return Status::Internal("the state of a workspace is written only by appending events");
  }
  Status Remove(std::string_view, std::string_view) override {
    return Status::Internal("the state of a workspace is written only by appending events");
  }

 private:
  ledger::LedgerStore& s_;
};

}  // namespace

ledger::ProjectionTxn& Workspace::state() {
  if (proven) return proven->tables();
  if (!store_reader_) store_reader_ = std::make_shared<StoreReader>(*ledger);
  return *store_reader_;
}

Result<ledger::Event> AppendEvent(Workspace& ws, const ledger::PrepareFn& prepare) {
  auto checked_prepare = [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
    // Under the write lock, before the event is inserted: the verified state reaches the
    // head the event will chain onto.
    if (ws.proven) PG_RETURN_IF_ERROR(ws.proven->Refresh(*ws.ledger));
    return prepare(txn);
  };
  auto checked_project = [&](const ledger::Event& e, ledger::ProjectionTxn& txn) -> Status {
    if (ws.proven) PG_RETURN_IF_ERROR(ws.proven->Admits(e));
    return Project(e, txn);
  };
  PG_ASSIGN_OR_RETURN(ledger::Event e, ws.ledger->Append(checked_prepare, checked_project));
  if (ws.proven) PG_RETURN_IF_ERROR(ws.proven->Refresh(*ws.ledger));
  return e;
}

Result<std::vector<ledger::Event>> VerifiedEventsOfKind(Workspace& ws, std::string_view kind) {
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> events, ws.ledger->EventsOfKind(kind));
  if (ws.proven) {
    const int64_t head = ws.proven->head().seq;
    std::erase_if(events, [&](const ledger::Event& e) { return e.seq > head; });
  }
  return events;
}

Status RecordRefusal(Workspace& ws, const std::string& kind, Json body, const Signer& signer) {
  const bool trusted = signer.signs() && !RoleInForce(ws, signer.key_id).empty();
  if (signer.signs() && !trusted) body["key"] = signer.key_id;  // named, not signed
  bool repeated = false;
  auto appended = AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
    PG_ASSIGN_OR_RETURN(auto last, ws.ledger->EventAt(head.seq));
    if (last && last->kind == kind && last->body == body &&
        last->actor == (trusted ? signer.key_id : LocalActor())) {
      repeated = true;
      return Status::BadInput("repeated");  // writes nothing
    }
    return trusted ? signer.Draft(kind, body) : Signer{}.Draft(kind, body);
  });
  return repeated ? Status::Ok() : appended.status();
}

std::string Signer::Actor() const { return signs() ? key_id : LocalActor(); }

ledger::EventDraft Signer::Draft(std::string kind, Json body) const {
  ledger::EventDraft d;
  d.actor = Actor();
  d.kind = std::move(kind);
  d.body = std::move(body);
  if (signs()) d.sign = sign;
  return d;
}

std::string RoleInForce(Workspace& ws, const std::string& key_id) {
  if (key_id.empty()) return "";
  auto doc = ws.state().Get("keys", key_id);
  if (!doc.ok() || !doc->has_value() || (**doc).value("removed_seq", int64_t{0}) != 0) return "";
  return (**doc).value("role", "");
}

std::string WorkspaceId(const ledger::Event& genesis) {
  std::string id = genesis.body.value("workspace_id", "");
  return id.empty() ? ToHex(genesis.hash).substr(0, 32) : id;
}

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

bool ValidWorkspaceId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] == '.') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<Workspace> OpenWorkspace(const std::string& explicit_root,
                                const std::string& ledger_location) {
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
  return ws;
}

Result<Workspace> InitWorkspace(const std::string& root, const std::string& actor,
                                const std::string& ledger_location,
                                const std::string& workspace_id) {
  if (!workspace_id.empty() && !ValidWorkspaceId(workspace_id)) {
    return Status::BadInput(fmt::format("workspace id \"{}\" is not usable", workspace_id),
                            "use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'");
  }
  Workspace ws;
  ws.root = fs::absolute(root).lexically_normal().string();
  if (ws.root.size() > 1 && ws.root.back() == '/') ws.root.pop_back();
  std::error_code ec;
  if (fs::exists(ws.config_path(), ec) || fs::exists(ws.ledger_path(), ec)) {
    return Status::BadInput(fmt::format("{} already holds a prodgate workspace", ws.root),
                            "use it as it is; a workspace is never re-initialized over itself");
  }
  // A refused init leaves no half workspace: what it made before the ledger would not open
  // (or was another workspace's) is removed again.
  fs::path made;  // the outermost directory this init creates, if any
  for (fs::path p = ws.dir(); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) made = p;
  fs::create_directories(ws.dir(), ec);
  if (ec) {
    return Status::BadInput(fmt::format("cannot create {}: {}", ws.dir(), ec.message()),
                            "check the directory and its permissions");
  }
  auto undo = [&](Status why) {
    std::error_code ignored;
    if (!made.empty()) {
      fs::remove_all(made, ignored);
    } else {
      fs::remove(ws.config_path(), ignored);
    }
    return why;
  };
  std::string config_text = DefaultConfigToml();
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(config_text, "default config"));
  PG_ASSIGN_OR_RETURN(ws.config, ParseConfig(doc, "default config"));
  if (Status s = WriteFileAtomic(ws.config_path(), config_text, 0644); !s.ok()) return undo(s);
  auto opened = ledger::OpenLedger(ledger_location.empty() ? ws.ledger_path() : ledger_location,
                                   /*create=*/true);
  if (!opened.ok()) return undo(opened.status());
  ws.ledger = std::move(opened).value();
  PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
  if (head.seq != 0) {
    ws.ledger.reset();
    return undo(Status::BadInput(
        fmt::format("the ledger at {} holds {} events already: it belongs to another workspace",
                    ShownTarget(ledger_location), head.seq),
        "give a new ledger database, or use that workspace"));
  }
  std::string digest = ToHex(Sha256Of(config_text));
  std::string id = workspace_id;
  if (id.empty()) {
    PG_ASSIGN_OR_RETURN(id, RandomHex(16));
  }
  auto first = AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    ledger::EventDraft d;
    d.actor = actor;
    d.kind = "workspace.init";
    d.body = {{"config_sha256", digest}, {"tool", ToolJson()}, {"workspace_id", id}};
    return d;
  });
  if (!first.ok()) return first.status();
  return ws;
}

}  // namespace prodgate::model
