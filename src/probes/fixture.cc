#include "probes/fixture.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/canonical_json.h"
#include "core/file_io.h"
#include "demo/demo.h"

namespace prodgate::probes {

namespace fs = std::filesystem;

std::string PlantedSecrets::Pem() {
  return fmt::format("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", kPemBody);
}

std::vector<ForbiddenToken> KeyMaterialTokens(const std::string& who, const std::string& pem) {
  std::string body;
  size_t i = 0;
  while (i < pem.size()) {
    size_t nl = pem.find('\n', i);
    std::string line = pem.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    if (!line.empty() && line.rfind("-----", 0) != 0) body += line;
    i = nl == std::string::npos ? pem.size() : nl + 1;
  }
  std::vector<ForbiddenToken> t;
  if (body.empty()) return t;
  t.push_back({ForbiddenToken::Kind::kLiteral, fmt::format("private key of {}", who), body});
  // An Ed25519 PKCS#8 body is a fixed 16-byte prefix and the 32 secret bytes: the last 40
  // base64 characters encode secret bytes only.
  if (body.size() > 40) {
    t.push_back({ForbiddenToken::Kind::kLiteral, fmt::format("private key of {} (part)", who),
                 body.substr(body.size() - 40)});
  }
  return t;
}

Fixture::Fixture(std::string dir, std::vector<ForbiddenToken> tokens)
    : dir_(std::move(dir)), tokens_(std::move(tokens)) {}

std::optional<ProcessResult> Fixture::Run(std::vector<std::string> args,
                                          const std::map<std::string, std::string>& env) {
  std::string shown = fmt::format("prodgate {}", fmt::join(args, " "));
  args.insert(args.begin(), SelfExecutable());
  ProcessOptions o;
  o.cwd = dir_;
  o.env = env;
  // Each probe's workspace is copied from one made once, so all share one genesis: each gets a
  // verifier of its own, as if on a machine of its own (authority/verified_ledger.h).
  o.env.emplace("PRODGATE_STATE_DIR", dir_ + "/.verifier");
  auto r = RunProcess(args, o);
  if (!r.ok()) {
    Broken(fmt::format("{}: {}", shown, r.status().what()));
    return std::nullopt;
  }
  outputs_.push_back({shown, r->out + r->err});
  return std::move(*r);
}

std::optional<ProcessResult> Fixture::Setup(const std::string& what,
                                            std::vector<std::string> args) {
  if (!ok()) return std::nullopt;
  auto r = Run(std::move(args));
  if (!r) return std::nullopt;
  if (r->exit_code != 0) {
    std::string why = r->err.empty() ? r->out : r->err;
    Broken(fmt::format("{} exited {}: {}", what, r->exit_code, why.substr(0, why.find('\n'))));
    return std::nullopt;
  }
  return r;
}

std::optional<ProcessResult> Fixture::Refused(const std::string& what,
                                              std::vector<std::string> args,
                                              std::vector<int> exit_codes,
                                              std::vector<std::string> reasons,
                                              const std::map<std::string, std::string>& env) {
  if (!ok()) return std::nullopt;
  auto r = Run(std::move(args), env);
  if (!r) return std::nullopt;
  Expectation e{std::move(exit_codes), std::move(reasons)};
  // Tokens are scanned over every output at the end (ScanOutputs); here: exit and reasons.
  Classification c = Classify(e, Observation{r->exit_code, r->out, r->err}, {});
  if (!c.failed_closed) {
    failure_ = fmt::format("{}: {}", what, c.detail);
    return std::nullopt;
  }
  refusals_.push_back(fmt::format("{}: {}", what, c.detail));
  return r;
}

bool Fixture::Require(bool fact, const std::string& detail) {
  if (!ok()) return false;
  if (!fact) failure_ = detail;
  return fact;
}

bool Fixture::Broken(const std::string& detail) {
  if (ok()) failure_ = "fixture: " + detail;
  return false;
}

bool Fixture::Check(const Status& s, const std::string& what) {
  if (s.ok()) return true;
  return Broken(fmt::format("{}: {}", what, s.what()));
}

bool Fixture::Write(const std::string& rel, const std::string& text, unsigned mode) {
  if (!ok()) return false;
  std::error_code ec;
  fs::create_directories(fs::path(Path(rel)).parent_path(), ec);
  return Check(WriteFileAtomic(Path(rel), text, mode), "writing " + rel);
}

std::string Fixture::Read(const std::string& rel) {
  auto r = ReadFile(Path(rel));
  if (!r.ok()) {
    Broken(fmt::format("reading {}: {}", rel, r.status().what()));
    return "";
  }
  return *r;
}

bool Fixture::Sql(const std::string& rel_db, const std::string& sql) {
  if (!ok()) return false;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(Path(rel_db).c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  char* err = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : (db ? sqlite3_errmsg(db) : "cannot open");
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return Broken(fmt::format("SQL on {}: {}", rel_db, message));
  return true;
}

bool Fixture::WriteExamples() {
  for (const auto& f : demo::ExampleFiles()) {
    if (!Write(std::string("fix7/") + f.name, f.content)) return false;
  }
  return true;
}

bool Fixture::MakeClone(const std::string& rel_db, const std::string& seed) {
  if (!fs::exists(Path("fix7/surrogate.toml")) && !WriteExamples()) return false;
  return Setup("surrogate " + rel_db, {"surrogate", "--spec", "fix7/surrogate.toml", "--seed", seed,
                                       "--scale", "1", "--out", "sqlite:" + rel_db})
      .has_value();
}

bool Fixture::AddProduction() {
  if (!MakeClone("production.db", "8")) return false;
  std::string config = Read(".prodgate/config.toml");
  if (!ok()) return false;
  if (!Write(".prodgate/config.toml",
             config + "\n[[production]]\nname = \"directus-prod\"\ntarget = \"sqlite:" +
                 Path("production.db") + "\"\n")) {
    return false;
  }
  return Setup("config accept", {"config", "accept", "--key", Key("alice")}).has_value();
}

std::string Fixture::Issue(std::vector<std::string> args, const std::string& who) {
  args.insert(args.begin(), {"grant", "issue"});
  args.insert(args.end(), {"--key", Key(who)});
  auto r = Setup("grant issue", args);
  // "grant <64 hex>\n…"
  if (!r || r->out.size() < 70 || r->out.compare(0, 6, "grant ") != 0) {
    if (r) Broken("grant issue printed no grant id");
    return "";
  }
  return r->out.substr(6, 64);
}

std::string Fixture::LedgerHead() {
  auto r = Run({"ledger", "head"});
  return r && r->exit_code == 0 ? r->out : "";
}

std::vector<std::string> Fixture::KindsAfter(const std::string& head) {
  std::vector<std::string> kinds;
  const std::string from = std::to_string(std::atoll(head.c_str()) + 1);
  auto r = Run({"ledger", "log", "--json", "--from", from});
  if (!r || r->exit_code != 0) return {"(ledger log failed)"};
  size_t at = 0;
  while (at < r->out.size()) {
    size_t end = r->out.find('\n', at);
    if (end == std::string::npos) end = r->out.size();
    Json e = Json::parse(r->out.substr(at, end - at), nullptr, false);
    kinds.push_back(e.is_object() ? e.value("kind", "?") : "?");
    at = end + 1;
  }
  return kinds;
}

std::string Fixture::DbRoot(const std::string& rel_db) {
  auto r = Run({"db", "hash", "sqlite:" + rel_db, "--json"});
  if (!r || r->exit_code != 0) return "";
  Json j = Json::parse(r->out, nullptr, false);
  return j.is_object() ? j.value("root", "") : "";
}

std::string Fixture::KeyId(const std::string& who) {
  Json j = Json::parse(Read("keys/" + who + ".pub.json"), nullptr, false);
  return j.is_object() ? j.value("id", "") : "";
}

bool Fixture::failed_closed() const { return ok() && ScanOutputs().empty(); }

std::string Fixture::detail() const {
  auto leaks = ScanOutputs();
  if (!leaks.empty()) {
    return fmt::format("printed a forbidden token ({}) in `{}`", leaks.front().token,
                       leaks.front().command);
  }
  if (!ok()) return failure_;
  if (!summary_.empty()) return summary_;
  return fmt::format("{}", fmt::join(refusals_, "; "));
}

std::vector<Fixture::Leak> Fixture::ScanOutputs() const {
  std::vector<Leak> leaks;
  for (const auto& o : outputs_) {
    for (const auto& name : FindForbidden(o.text, tokens_)) leaks.push_back({name, o.command});
  }
  return leaks;
}

}  // namespace prodgate::probes
