#include "cli/context.h"

#include "authority/ledger_audit.h"
#include "core/file_io.h"

namespace prodgate::cli {

Result<model::Workspace> OpenWs(const GlobalFlags& global, bool allow_broken, bool check_config) {
  authority::OpenOptions o;
  o.allow_broken = allow_broken;
  o.check_config = check_config;
  return authority::OpenCheckedWorkspace(global.workspace, global.ledger, o);
}

Result<std::optional<authority::PrivateKey>> KeyIfGiven(const std::string& path) {
  if (path.empty()) return std::optional<authority::PrivateKey>();
  PG_ASSIGN_OR_RETURN(authority::PrivateKey k, authority::PrivateKey::Load(path));
  return std::optional<authority::PrivateKey>(std::move(k));
}

std::string ActorOf(const std::optional<authority::PrivateKey>& key) {
  return key ? key->Id() : model::LocalActor();
}

int Emit(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    Print(text);
    return 0;
  }
  Status s = WriteFileAtomic(path, text, 0644);
  return s.ok() ? 0 : ReportError(s);
}

}  // namespace prodgate::cli
