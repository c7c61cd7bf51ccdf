// The suite: the template workspace, the probes on every core, the control, the token scan
// and the report.
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>

#include "core/file_io.h"
#include "core/parallel.h"
#include "core/tool.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

const char* const kPeople[][2] = {
    {"alice", "owner"}, {"bob", "owner"}, {"carol", "operator"}, {"agent", "agent"}};

// The planted secrets as tokens: each whole, and without its well-known 4-character prefix
// (AKIA, ghp_, MIIE), so that a print that drops the prefix is caught as well.
std::vector<ForbiddenToken> PlantedTokens() {
  std::vector<ForbiddenToken> t;
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"planted AWS access key id", PlantedSecrets::kAwsKeyId},
           {"planted GitHub token", PlantedSecrets::kGithubToken},
           {"planted PEM private key", PlantedSecrets::kPemBody}}) {
    t.push_back({ForbiddenToken::Kind::kLiteral, name, bytes});
    t.push_back({ForbiddenToken::Kind::kLiteral, name + " (part)", bytes.substr(4)});
  }
  t.push_back({ForbiddenToken::Kind::kProductionAllow, "ALLOW for a production scope", ""});
  return t;
}

// The template every fixture copies: a workspace, four keys, every key trusted.
Status BuildTemplate(const std::string& dir, std::vector<ForbiddenToken>& tokens) {
  std::error_code ec;
  fs::create_directories(dir + "/keys", ec);
  if (ec) return Status::Internal(fmt::format("cannot create {}: {}", dir, ec.message()));
  Fixture t(dir, {});
  t.Setup("init", {"init", "."});
  for (const auto& [who, role] : kPeople) {
    t.Setup(fmt::format("{}'s key", who), {"key", "new", "--name", who, "--role", role, "--out",
                                           t.Path(fmt::format("keys/{}.pem", who))});
  }
  t.Setup("trust alice", {"trust", "add", "keys/alice.pub.json"});
  for (const auto& [who, role] : kPeople) {
    if (std::string(who) == "alice") continue;
    t.Setup(fmt::format("trust {}", who),
            {"trust", "add", fmt::format("keys/{}.pub.json", who), "--key", t.Key("alice")});
  }
  for (const auto& [who, role] : kPeople) {
    for (auto& k : KeyMaterialTokens(who, t.Read(fmt::format("keys/{}.pem", who)))) {
      tokens.push_back(std::move(k));
    }
  }
  if (!t.ok()) {
    return Status::Internal(
        fmt::format("cannot build the probes' template workspace: {}", t.detail()));
  }
  return Status::Ok();
}

// A fresh directory holding a copy of the template.
Status CopyTemplate(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec)
    return Status::Internal(fmt::format("cannot copy the template to {}: {}", to, ec.message()));
  for (const auto& [who, role] : kPeople) {
    fs::permissions(fmt::format("{}/keys/{}.pem", to, who), fs::perms(0600), ec);
  }
  return Status::Ok();
}

// The valid case: a rehearsal that passes on an isolated clone, a grant for apply in the
// clone bound to that change and target, gate check ALLOW and gate run.
void Control(Fixture& f) {
  if (!f.AddProduction() || !f.MakeClone("clone.db")) return;
  auto r = f.Setup("rehearse on the clone", {"rehearse", "--target", "sqlite:clone.db", "--apply",
                                             "fix7/apply.sql", "--rollback", "fix7/rollback.sql",
                                             "--schema", "fix7/schema.toml", "--out", "rehearsal"});
  if (!r) return;
  std::string change = RehearsedChange(r->out);
  if (change.empty()) {
    f.Broken("the rehearsal printed no change");
    return;
  }
  std::vector<std::string> gate = {"--action", "apply", "--scope",  "clone",
                                   "--change", change,  "--target", "sqlite:clone.db"};
  std::vector<std::string> issue = gate;
  if (f.Issue(issue).empty()) return;
  std::vector<std::string> check = {"gate", "check"};
  check.insert(check.end(), gate.begin(), gate.end());
  auto allow = f.Setup("gate check", check);
  if (!allow) return;
  f.Require(allow->out.rfind("ALLOW apply in clone", 0) == 0, "gate check did not print ALLOW");
  std::vector<std::string> run = {"gate", "run"};
  run.insert(run.end(), gate.begin(), gate.end());
  run.insert(run.end(), {"--", "touch", f.Path("ran")});
  f.Setup("gate run", run);
  f.Require(fs::exists(f.Path("ran")), "gate run exited 0 but the command did not run");
  f.SetSummary(
      fmt::format("rehearsal PASS (change {}), grant for apply in clone, gate check "
                  "ALLOW, gate run ran the command",
                  change.substr(0, 12)));
}

int64_t Millis(double seconds) { return static_cast<int64_t>(seconds * 1000 + 0.5); }

}  // namespace

const std::vector<Probe>& AllProbes() {
  static const std::vector<Probe> all = [] {
    std::vector<Probe> v;
    for (auto group :
         {SealProbes, LedgerProbes, AuthorityProbes, EvidenceProbes, CloneProbes, RehearseProbes}) {
      for (auto& p : group()) v.push_back(std::move(p));
    }
    return v;
  }();
  return all;
}

const std::vector<ProbeInfo>& ProbeList() {
  static const std::vector<ProbeInfo> list = [] {
    std::vector<ProbeInfo> v;
    for (const auto& p : AllProbes()) v.push_back(p.info);
    return v;
  }();
  return list;
}

bool SuiteReport::pass() const {
  return control_allowed && leaks.empty() &&
         std::all_of(probes.begin(), probes.end(),
                     [](const ProbeResult& p) { return p.failed_closed; });
}

Json SuiteReport::ToJson() const {
  Json list = Json::array();
  for (const auto& p : probes) {
    list.push_back({{"name", p.info.name},
                    {"module", p.info.module},
                    {"attack", p.info.attack},
                    {"result", p.failed_closed ? "FAILED_CLOSED" : "LEAKED"},
                    {"detail", p.detail},
                    {"outputs", p.outputs},
                    {"milliseconds", Millis(p.seconds)}});
  }
  Json leak_list = Json::array();
  for (const auto& l : leaks) {
    leak_list.push_back({{"where", l.where}, {"token", l.token}, {"command", l.command}});
  }
  return Json{
      {"format", "prodgate.probes/1"},
      {"verdict", pass() ? "PASS" : "FAIL"},
      {"probes", list},
      {"control",
       {{"result", control_allowed ? "ALLOWED" : "REFUSED"}, {"detail", control_detail}}},
      {"forbidden_token_scan", {{"outputs_scanned", outputs_scanned}, {"leaks", leak_list}}},
      {"milliseconds", Millis(seconds)},
      {"tool", ToolJson()}};
}

std::string SuiteReport::Text() const {
  size_t closed = std::count_if(probes.begin(), probes.end(),
                                [](const ProbeResult& p) { return p.failed_closed; });
  size_t w = 7;
  for (const auto& p : probes) w = std::max(w, p.info.name.size());
  std::string t;
  t += fmt::format("{:<{}}  {:<9}  {:<13}  {}\n", "probe", w, "module", "result", "detail");
  for (const auto& p : probes) {
    t += fmt::format("{:<{}}  {:<9}  {:<13}  {}\n", p.info.name, w, p.info.module,
                     p.failed_closed ? "FAILED_CLOSED" : "LEAKED", p.detail);
  }
  t += fmt::format("{:<{}}  {:<9}  {:<13}  {}\n", "control", w, "",
                   control_allowed ? "ALLOWED" : "REFUSED", control_detail);
  t += fmt::format(
      "\nforbidden tokens: {} outputs scanned, {}\n", outputs_scanned,
      leaks.empty() ? std::string("none leaked") : fmt::format("{} leaked", leaks.size()));
  for (const auto& l : leaks) {
    t += fmt::format("  LEAK {} in {}: `{}`\n", l.token, l.where, l.command);
  }
  t += fmt::format("\n{}: {} of {} probes failed closed, {} leaked; control {}; {} in {:.1f} s\n",
                   pass() ? "PASS" : "FAIL", closed, probes.size(), probes.size() - closed,
                   control_allowed ? "allowed" : "REFUSED",
                   leaks.empty() ? "no forbidden token leaked"
                                 : fmt::format("{} forbidden token(s) leaked", leaks.size()),
                   seconds);
  return t;
}

Result<SuiteReport> RunProbes(const SuiteOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<const Probe*> selected;
  for (const auto& p : AllProbes()) {
    if (options.only.empty() || p.info.name == options.only) selected.push_back(&p);
  }
  if (selected.empty()) {
    std::vector<std::string> names;
    for (const auto& p : AllProbes()) names.push_back(p.info.name);
    return Status::BadInput(fmt::format("no probe named \"{}\"", options.only),
                            fmt::format("give one of: {}", fmt::join(names, ", ")));
  }
  std::string root = (fs::temp_directory_path() / "prodgate-probes-XXXXXX").string();
  if (::mkdtemp(root.data()) == nullptr) {
    return Status::Internal(fmt::format("cannot create a directory for the probes under {}",
                                        fs::temp_directory_path().string()));
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{root};

  std::vector<ForbiddenToken> tokens = PlantedTokens();
  const std::string tmpl = root + "/template";
  PG_RETURN_IF_ERROR(BuildTemplate(tmpl, tokens));

  // Item i < selected.size() is a probe; the last item is the control.
  size_t n = selected.size() + 1;
  struct Outcome {
    bool failed_closed = false;
    bool steps_ok = false;  // every step went as it must (tokens aside)
    std::string detail;
    double seconds = 0;
    int outputs = 0;
    std::vector<Fixture::Leak> leaks;
  };
  std::vector<Outcome> outcomes(n);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto weight = [&](size_t i) { return i < selected.size() ? selected[i]->weight : 4; };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weight(a) > weight(b); });
  unsigned workers = options.workers ? options.workers : WorkerCount();
  ParallelFor(n, workers, [&](size_t k, unsigned) {
    size_t i = order[k];
    auto p0 = std::chrono::steady_clock::now();
    std::string dir = fmt::format(
        "{}/{}", root, i < selected.size() ? selected[i]->info.name : std::string("control"));
    Fixture f(dir, tokens);
    Outcome& o = outcomes[i];
    Status copied = CopyTemplate(tmpl, dir);
    if (!copied.ok()) {
      f.Broken(copied.what());
    } else if (i < selected.size()) {
      selected[i]->run(f);
    } else {
      Control(f);
    }
    o.failed_closed = f.failed_closed();
    o.steps_ok = f.ok();
    o.detail = f.detail();
    o.outputs = f.outputs();
    o.leaks = f.ScanOutputs();
    std::error_code ec;
    fs::remove_all(dir, ec);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
  });

  SuiteReport report;
  for (size_t i = 0; i < n; ++i) {
    const Outcome& o = outcomes[i];
    std::string where = i < selected.size() ? selected[i]->info.name : "control";
    if (i < selected.size()) {
      report.probes.push_back({selected[i]->info, o.failed_closed, o.detail, o.seconds, o.outputs});
    } else {
      // The control is allowed when every step succeeded; its leaks count like any other.
      report.control_allowed = o.steps_ok;
      report.control_detail = o.detail;
    }
    report.outputs_scanned += o.outputs;
    for (const auto& l : o.leaks) report.leaks.push_back({where, l.token, l.command});
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace prodgate::probes
