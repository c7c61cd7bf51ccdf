#include "demo/demo.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "authority/gate.h"
#include "core/canonical_json.h"
#include "core/file_io.h"
#include "core/process.h"

namespace prodgate::demo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLane = "FIX7_P0_SHAPED_CLONE";
constexpr const char* kLaneDecision = "FIX7-P0-CLONE-REHEARSAL-DECISION-2026-06-12";
constexpr const char* kLaneOption = "AUTHORIZE_PRODUCTION_SHAPED_CLONE_REHEARSAL_ONLY";
// What only the owner may settle before the lane: a needs-owner-decision blocker, closed by
// the owner's signed selection of the lane option (whose `closes` the demo adds to its copy of
// fix7/lane-decision.toml; the example itself closes nothing).
constexpr const char* kOwnerBlocker = "FIX7-P0-CLONE-REHEARSAL-AUTH-1";

// Runs prodgate commands in the demo directory and checks each one's exit code.
class Driver {
 public:
  Driver(std::string dir, bool verbose) : dir_(std::move(dir)), verbose_(verbose) {}

  // Runs `prodgate ARGS` and requires exit code `expect`. On a deviation, records what
  // happened in failure() and returns nullopt.
  std::optional<ProcessResult> Step(const std::string& title, std::vector<std::string> args,
                                    int expect) {
    if (!failure_.empty()) return std::nullopt;
    ++steps_;
    std::string shown = fmt::format("prodgate {}", fmt::join(args, " "));
    args.insert(args.begin(), SelfExecutable());
    ProcessOptions o;
    o.cwd = dir_;
    o.env = {{"PRODGATE_DEMO", "1"}};
    auto r = RunProcess(args, o);
    if (!r.ok()) {
      failure_ =
          fmt::format("step {} ({}): {}\n  $ {}", steps_, title, r.status().ToString(), shown);
      return std::nullopt;
    }
    if (verbose_) {
      std::cerr << fmt::format("[{:2}] {}\n  $ {}   → exit {}\n{}{}", steps_, title, shown,
                               r->exit_code, Indent(r->out), Indent(r->err));
    }
    if (r->exit_code != expect) {
      failure_ = fmt::format("step {} ({}) exited {}, but must exit {}\n  $ {}\n{}{}", steps_,
                             title, r->exit_code, expect, shown, Indent(r->out), Indent(r->err));
      return std::nullopt;
    }
    return std::move(*r);
  }

  std::optional<Json> JsonStep(const std::string& title, std::vector<std::string> args,
                               int expect) {
    auto r = Step(title, std::move(args), expect);
    if (!r) return std::nullopt;
    Json j = Json::parse(r->out, nullptr, false);
    if (j.is_discarded()) {
      failure_ = fmt::format("step {} ({}) did not print JSON:\n{}", steps_, title, Indent(r->out));
      return std::nullopt;
    }
    return j;
  }

  void Fail(const std::string& why) {
    if (failure_.empty()) failure_ = fmt::format("after step {}: {}", steps_, why);
  }
  const std::string& failure() const { return failure_; }
  int steps() const { return steps_; }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }

  static std::string Indent(const std::string& text) {
    std::string out;
    size_t lines = 0;
    for (size_t i = 0; i < text.size() && lines < 40; ++lines) {
      size_t nl = text.find('\n', i);
      out += "    " + text.substr(i, nl == std::string::npos ? std::string::npos : nl - i) + "\n";
      i = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
  }

 private:
  std::string dir_;
  bool verbose_;
  std::string failure_;
  int steps_ = 0;
};

std::string StepVerdict(const Json& report, const std::string& name) {
  for (const auto& s : report.value("steps", Json::array())) {
    if (s.value("name", "") == name) return s.value("verdict", "");
  }
  return "";
}

}  // namespace

Result<DemoOutcome> RunDemo(const DemoOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  DemoOutcome outcome;
  std::error_code ec;
  if (options.dir.empty()) {
    std::string t = (fs::temp_directory_path() / "prodgate-demo-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr)
      return Status::Internal("cannot create a directory for the demo");
    outcome.dir = t;
  } else {
    if (fs::exists(options.dir, ec) && !fs::is_empty(options.dir, ec)) {
      return Status::BadInput(fmt::format("{} exists and is not empty", options.dir),
                              "give a new directory, or none (a fresh one is made under $TMPDIR)");
    }
    fs::create_directories(options.dir, ec);
    if (ec) return Status::BadInput(fmt::format("cannot create {}: {}", options.dir, ec.message()));
    outcome.dir = fs::absolute(options.dir).lexically_normal().string();
  }
  const std::string& w = outcome.dir;
  fs::create_directories(w + "/keys", ec);
  for (const auto& f : ExampleFiles()) {
    const std::string path = w + "/fix7/" + f.name;
    fs::create_directories(fs::path(path).parent_path(), ec);
    std::string content = f.content;
    if (std::string_view(f.name) == "lane-decision.toml") {
      const std::string anchor =
          "grants = [{ action = \"rehearse\", scope = \"clone\", uses = 5, expires = \"24h\" }]\n";
      size_t at = content.find(anchor);
      if (at == std::string::npos) {
        return Status::Internal("fix7/lane-decision.toml no longer grants the clone rehearsal",
                                "update the demo with the example");
      }
      content.insert(at + anchor.size(), fmt::format("closes = [\"{}\"]\n", kOwnerBlocker));
    }
    PG_RETURN_IF_ERROR(WriteFileAtomic(path, content, 0644));
  }
  Driver d(w, options.verbose);
  // 1. The workspace, the people and the production identity.
  d.Step("a workspace", {"init", "."}, 0);
  d.Step("the owner's key",
         {"key", "new", "--name", "owner", "--role", "owner", "--out", "keys/owner.pem"}, 0);
  d.Step("the operator's key",
         {"key", "new", "--name", "operator", "--role", "operator", "--out", "keys/operator.pem"},
         0);
  d.Step("the agent's key",
         {"key", "new", "--name", "agent", "--role", "agent", "--out", "keys/agent.pem"}, 0);
  d.Step("the first owner is trusted", {"trust", "add", "keys/owner.pub.json"}, 0);
  d.Step("the owner trusts the operator",
         {"trust", "add", "keys/operator.pub.json", "--key", "keys/owner.pem"}, 0);
  d.Step("the owner trusts the agent",
         {"trust", "add", "keys/agent.pub.json", "--key", "keys/owner.pem"}, 0);
  if (d.failure().empty()) {
    auto config = ReadFile(w + "/.prodgate/config.toml");
    if (!config.ok()) return config.status();
    PG_RETURN_IF_ERROR(WriteFileAtomic(
        w + "/.prodgate/config.toml",
        *config +
            "\n# The demo's production database: no clone may be it.\n[[production]]\n"
            "name = \"directus-prod\"\ntarget = \"sqlite:" +
            w + "/production.db\"\n",
        0644));
  }
  d.Step("an edited config holds everything until an owner accepts it",
         {"gate", "check", "--action", "rehearse", "--scope", "clone"}, 2);
  d.Step("the owner accepts the production identity",
         {"config", "accept", "--key", "keys/owner.pem"}, 0);

  // 2. The blocker map of the seeds, and the owner's decision that opens the lane.
  d.Step("import the seed blocker map",
         {"blocker", "import", "fix7/seeds/001_aadb98cec8920608.txt"}, 0);
  auto summary = d.JsonStep("the blocker summary", {"blocker", "summary", "--json"}, 0);
  d.Step(
      "the agent records what only the owner may decide",
      {"blocker", "add", "--id", kOwnerBlocker, "--item",
       "the owner decides whether a production-shaped clone rehearsal may run at all", "--blocks",
       "production", "--category", "needs-owner-decision", "--key", "keys/agent.pem"},
      0);
  d.Step("the decision before the lane", {"decision", "new", "--file", "fix7/lane-decision.toml"},
         0);
  d.Step("the agent may not select an option",
         {"decision", "select", kLaneDecision, "--option", kLaneOption, "--key", "keys/agent.pem"},
         2);
  auto selected = d.Step(
      "the owner selects the clone rehearsal only, which closes the owner's blocker",
      {"decision", "select", kLaneDecision, "--option", kLaneOption, "--key", "keys/owner.pem"}, 0);
  auto owner_blocker =
      d.JsonStep("the owner's blocker is closed", {"blocker", "show", kOwnerBlocker, "--json"}, 0);
  if (owner_blocker && owner_blocker->value("status", "") != "CLOSED") {
    d.Fail(fmt::format("{} is {} after the owner's selection", kOwnerBlocker,
                       owner_blocker->value("status", "?")));
  }
  d.Step("a lane under that option",
         {"lane", "open", kLane, "--decision", kLaneDecision, "--option", kLaneOption}, 0);

  // 3. The change, sealed, and the CI gate on its bytes.
  if (d.failure().empty()) {
    fs::create_directories(w + "/change", ec);
    fs::copy_file(w + "/fix7/apply.sql", w + "/change/apply.sql", ec);
    fs::copy_file(w + "/fix7/rollback.sql", w + "/change/rollback.sql", ec);
    if (ec) d.Fail("cannot copy the change: " + ec.message());
  }
  d.Step("seal the change", {"seal", "change"}, 0);
  d.Step("CI gate: the sealed bytes verify", {"verify", "--root", "change"}, 0);
  if (d.failure().empty()) {
    fs::copy(w + "/change", w + "/change-edited", fs::copy_options::recursive, ec);
    auto text = ReadFile(w + "/change-edited/apply.sql");
    if (!text.ok()) return text.status();
    std::string crlf;
    for (char c : *text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    PG_RETURN_IF_ERROR(WriteFileAtomic(w + "/change-edited/apply.sql", crlf, 0644));
  }
  std::optional<ProcessResult> drift;
  if (d.failure().empty()) {
    drift =
        d.Step("CI gate: the same change with CRLF line ends fails",
               {"verify", "--manifest", "change/prodgate.seal.json", "--root", "change-edited"}, 1);
  }

  // 4. The clone: a production-shaped surrogate, checked.
  std::string scale = fmt::format("{}", options.scale);
  auto made = d.Step("a production-shaped surrogate",
                     {"surrogate", "--spec", "fix7/surrogate.toml", "--seed", "7", "--scale", scale,
                      "--out", "sqlite:clone.db"},
                     0);
  d.Step("production itself (for the isolation check)",
         {"surrogate", "--spec", "fix7/surrogate.toml", "--seed", "8", "--out",
          "sqlite:production.db"},
         0);
  d.Step("clone check: isolated, secret-free, as specified",
         {"clone", "check", "sqlite:clone.db", "--schema", "fix7/schema.toml", "--production",
          "directus-prod=sqlite:" + w + "/production.db"},
         0);
  d.Step("clone check: production is not a clone",
         {"clone", "check", "sqlite:production.db", "--production",
          "directus-prod=sqlite:" + w + "/production.db"},
         1);

  // 5. The rehearsal, with its negative controls.
  auto rehearsal = d.JsonStep(
      "rehearse apply and rollback on the clone",
      {"rehearse", "--target", "sqlite:clone.db", "--apply", "change/apply.sql", "--rollback",
       "change/rollback.sql", "--schema", "fix7/schema.toml", "--reapply", "--broken-rollback",
       "fix7/rollback_broken.sql", "--out", "rehearsal", "--key", "keys/operator.pem", "--json"},
      0);
  std::string change = rehearsal ? rehearsal->value("change", "") : "";

  // 6. Production inside the lane: refused.
  auto refused = d.Step("inside the lane, production execution is refused",
                        {"gate", "run", "--action", "execute", "--scope", "production", "--change",
                         change, "--", "touch", "production-was-touched"},
                        authority::kRunHeld);
  if (d.failure().empty() && fs::exists(w + "/production-was-touched"))
    d.Fail("the refused command ran");

  // 7. The evidence packet of the rehearsal: built, verified, re-run.
  d.Step("pack the rehearsal",
         {"packet", "build", "--out", "packets/rehearsal", "--rehearsal", change}, 0);
  d.Step("verify the packet", {"packet", "verify", "packets/rehearsal"}, 0);
  auto rerun = d.Step("re-run the packet's checks", {"packet", "rerun", "packets/rehearsal"}, 0);
  if (rerun && rerun->out.find("PACKET_TREE MATCH") == std::string::npos)
    d.Fail("rerun did not print PACKET_TREE MATCH");

  // 8. The fail-closed probe suite, recorded for the lane report.
  auto probes = d.Step("the probe suite: every attack refused, the control allowed, nothing leaked",
                       {"probes", "--record"}, 0);

  // 9. The lane closes; production still holds.
  d.Step("close the lane",
         {"lane", "close", "--out", "lane", "--next-decision", "fix7/decision.toml"}, 0);
  d.Step("verify the lane's packet", {"packet", "verify", "lane/packet"}, 0);
  d.Step("re-run the lane's packet", {"packet", "rerun", "lane/packet"}, 0);
  // The broken rollback on its own, after the lane: a rehearsal that must FAIL.
  auto broken =
      d.JsonStep("the broken rollback alone fails its rehearsal",
                 {"rehearse", "--target", "sqlite:clone.db", "--apply", "change/apply.sql",
                  "--rollback", "fix7/rollback_broken.sql", "--out", "rehearsal-broken", "--json"},
                 1);
  // 10. Who closes: the surrogate rehearsal is evidence, but the rollback blocker waits for the
  // operator's real data and the owner; the agent may only propose the close.
  d.Step("seal the rehearsal as evidence", {"seal", "rehearsal"}, 0);
  d.Step("record it", {"evidence", "add", "rehearsal"}, 0);
  std::string evidence;
  if (d.failure().empty()) {
    auto seal = ReadFile(w + "/rehearsal/prodgate.seal.json");
    if (!seal.ok()) return seal.status();
    Json j = Json::parse(*seal, nullptr, false);
    evidence = j.is_object() ? j.value("root", "") : "";
  }
  auto agent_close = d.Step("the agent may not close a blocker the operator and owner must close",
                            {"blocker", "close", "FIX7-P0-DRYRUN-PROD-ROLLBACK-1", "--evidence",
                             evidence, "--key", "keys/agent.pem"},
                            2);
  d.Step("the agent proposes the close instead",
         {"blocker", "propose-close", "FIX7-P0-DRYRUN-PROD-ROLLBACK-1", "--evidence", evidence,
          "--note", "the surrogate leg; the real-dump leg is the operator's", "--key",
          "keys/agent.pem"},
         0);
  auto gate = d.JsonStep("cutover in production",
                         {"gate", "check", "--action", "cutover", "--scope", "production",
                          "--change", change, "--json"},
                         1);
  d.Step("the ledger verifies", {"ledger", "verify"}, 0);

  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!d.failure().empty()) {
    outcome.summary = fmt::format("prodgate demo FAILED in {}\n{}\n", w, d.failure());
    return outcome;
  }
  // The summary: every line derived from what the commands printed.
  auto lane_text = ReadFile(w + "/lane/lane-report.json");
  Json lane = Json::parse(lane_text.ok() ? *lane_text : std::string("{}"), nullptr, false);
  std::string s;
  s += fmt::format("prodgate demo: the FIX7 story, {} steps, each as it must be, in {:.1f} s\n",
                   d.steps(), outcome.seconds);
  s += fmt::format("workspace {}\n\nProven\n", w);
  s += fmt::format("  change    {} (apply.sql + rollback.sql, sealed)\n", change);
  s += fmt::format(
      "  CI gate   the sealed bytes verify; a CRLF copy fails ({})\n",
      drift && drift->out.find("eol_changed") != std::string::npos ? "eol_changed" : "drift");
  std::string rows = "?";
  if (made) {
    auto p = made->out.find(" rows");
    auto b = made->out.rfind(' ', p == std::string::npos ? 0 : p - 1);
    if (p != std::string::npos && b != std::string::npos) rows = made->out.substr(b + 1, p - b - 1);
  }
  s += fmt::format(
      "  clone     {} rows, isolation {}, secrets {}, schema {}; production itself refused\n", rows,
      StepVerdict(*rehearsal, "isolation"), StepVerdict(*rehearsal, "secrets"),
      StepVerdict(*rehearsal, "schema"));
  s += fmt::format("  rehearsal {}: before {} = after rollback, after apply {} differs\n",
                   rehearsal->value("verdict", ""), rehearsal->value("before", "").substr(0, 12),
                   rehearsal->value("after_apply", "").substr(0, 12));
  size_t controls = 0;
  for (const auto& st : rehearsal->value("steps", Json::array())) {
    if (st.value("name", "") == "negative_control") controls = st["facts"]["controls"].size();
  }
  s += fmt::format(
      "            negative controls: {} of {} FAILED as they must; snapshot/restore {}; "
      "the broken rollback alone: {}\n",
      StepVerdict(*rehearsal, "negative_control") == "PASS" ? controls : 0, controls,
      StepVerdict(*rehearsal, "snapshot_restore"), broken->value("verdict", ""));
  s += "  packets   packets/rehearsal and lane/packet verify offline; rerun: PACKET_TREE MATCH\n";
  if (probes) {
    // The suite's last line is its verdict.
    std::string out = probes->out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    s += fmt::format("  probes    {}\n", out.substr(out.rfind('\n') + 1));
  }
  s += fmt::format("  lane      {}\n", lane.value("final_status", "?"));
  if (selected && owner_blocker) {
    // `decision select` prints "closed blocker ID …" for each blocker its option closed.
    bool said =
        selected->out.find(std::string("closed blocker ") + kOwnerBlocker) != std::string::npos;
    s += fmt::format(
        "  owner     the selection of {} closed {} ({}{}): {}\n", kLaneOption, kOwnerBlocker,
        owner_blocker->value("category", ""),
        said ? ", which only an owner's selection closes" : "; the selection said nothing",
        owner_blocker->value("status", ""));
  }
  s += "\nHeld\n";
  s += "  inside the lane, `execute` in production was refused; the command never ran\n";
  if (agent_close) {
    std::string why = agent_close->err.substr(0, agent_close->err.find('\n'));
    if (why.starts_with("prodgate: error: ")) why = why.substr(17);
    s += "  the agent's close: " + why + "\n";
  }
  s += fmt::format("  cutover in production: {}\n", gate->value("decision", "HOLD"));
  for (const auto& r : gate->value("reasons", Json::array())) {
    s += fmt::format("    - {}: {}\n", r.value("code", ""), r.value("message", ""));
  }
  s += fmt::format("\nWho must act\n  {}\n", lane.value("next_macro", "?"));
  if (summary) {
    s += fmt::format("  open blockers {}, engineering blockers {}\n",
                     summary->value("open_count", -1),
                     summary->value("engineering_blockers_remaining", -1));
  }
  s += fmt::format(
      "\nArtifacts (in {})\n  change/            the sealed change\n  rehearsal/         "
      "rehearsal.json, the "
      "sealed change it ran\n  packets/rehearsal/ the rehearsal's evidence packet (BagIt)\n  lane/ "
      "             "
      "lane-report.json, blocker-map.json, decision-packet.md, packet/\n  .prodgate/         the "
      "ledger\n",
      w);
  (void)refused;
  outcome.ok = true;
  outcome.summary = s;
  return outcome;
}

}  // namespace prodgate::demo
