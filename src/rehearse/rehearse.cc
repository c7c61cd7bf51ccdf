#include "rehearse/rehearse.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "clone/clone_check.h"
#include "clone/report.h"
#include "core/file_io.h"
#include "core/redact.h"
#include "core/sha256.h"
#include "core/tool.h"
#include "db/database.h"
#include "db/diff.h"
#include "db/report.h"
#include "seal/seal.h"

namespace prodgate::rehearse {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxScript = uint64_t{256} << 20;

std::string Hex(const Digest& d) { return ToHex(d); }

// "a.b" → "a"."b" for PostgreSQL (schema-qualified names); SQLite names are one identifier.
std::string QuoteName(const std::string& name, bool schema_qualified) {
  auto quote = [](std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q.push_back('"');
      q.push_back(c);
    }
    return q + "\"";
  };
  size_t dot = name.find('.');
  if (schema_qualified && dot != std::string::npos) {
    return quote(std::string_view(name).substr(0, dot)) + "." +
           quote(std::string_view(name).substr(dot + 1));
  }
  return quote(name);
}

class Runner {
 public:
  Runner(const RehearsalSpec& spec, RehearsalReport& report) : spec_(spec), r_(report) {}

  void Run() {
    if (!CloneChecks()) return;
    snapshot_ = r_.out + "/.snapshot";
    if (!TimedStep("snapshot", [&](Step& s) {
          PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadOnly));
          PG_RETURN_IF_ERROR(db->Snapshot(snapshot_));
          s.detail = "the whole target copied before anything ran";
          return Status::Ok();
        })) {
      return;
    }
    r_.restored = "untouched";
    std::optional<db::LogicalHash> before = HashStep("before");
    if (!before) return;
    r_.before = Hex(before->root);
    touched_ = true;
    if (!ScriptStep("apply", apply_sql_)) return Restore();
    std::optional<db::LogicalHash> after_apply = HashStep("after_apply");
    if (!after_apply) return Restore();
    r_.after_apply = Hex(after_apply->root);
    bool mutated = after_apply->root != before->root;
    Last().verdict = mutated ? "PASS" : "FAIL";
    Last().detail =
        mutated ? fmt::format("differs from before in {}", ChangedTables(*before, *after_apply))
                : "the apply script changed nothing: a rehearsal of a change that "
                  "does not change the data proves nothing about its rollback";
    if (!mutated) return Restore();
    if (!ScriptStep("rollback", rollback_sql_)) return Restore();
    std::optional<db::LogicalHash> after_rollback = HashStep("after_rollback");
    if (!after_rollback) return Restore();
    r_.after_rollback = Hex(after_rollback->root);
    if (!JudgeRollback(*before, *after_rollback)) return Restore();
    if (spec_.reapply && !Reapply(*before, *after_apply)) return Restore();
    NegativeControls(*before, *after_apply);
    Restore(&*before);
  }

 private:
  Step& Last() { return r_.steps.back(); }

  // Runs `body` as step `name`; a failed Status makes the step FAIL with its message.
  bool TimedStep(const std::string& name, const std::function<Status(Step&)>& body) {
    if (spec_.on_step) spec_.on_step(name);
    Step s;
    s.name = name;
    auto t0 = Clock::now();
    Status st = body(s);
    s.milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    if (!st.ok()) {
      s.verdict = "FAIL";
      s.detail = st.ToString();
    } else if (s.verdict.empty()) {
      s.verdict = "PASS";
    }
    r_.steps.push_back(std::move(s));
    return r_.steps.back().verdict != "FAIL";
  }

  Result<std::unique_ptr<db::Database>> Open(db::OpenMode mode) {
    return db::OpenTarget(spec_.target, mode);
  }

  bool CloneChecks() {
    clone::CloneCheckOptions o;
    o.production = spec_.production;
    if (!spec_.schema.empty()) o.schema_spec = spec_.schema;
    auto t0 = Clock::now();
    auto checked = clone::CheckClone(spec_.target, o);
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    if (!checked.ok()) {
      r_.steps.push_back({"isolation", "FAIL", checked.status().ToString(), ms, Json::object()});
      return false;
    }
    if (auto text = clone::CloneCheckJson(*checked); text.ok()) {
      r_.clone_check = Json::parse(*text, nullptr, false);
    }
    bool pass = true;
    for (const auto& c : checked->checks) {
      Step s;
      s.name = c.name;
      s.milliseconds = ms;
      s.verdict = c.state == clone::CheckState::kPass   ? "PASS"
                  : c.state == clone::CheckState::kFail ? "FAIL"
                                                        : "SKIPPED";
      s.detail = c.findings.empty() ? c.note
                                    : fmt::format("{} finding(s); the first: {}", c.findings.size(),
                                                  c.findings.front().message);
      if (s.verdict == "FAIL") pass = false;
      r_.steps.push_back(std::move(s));
    }
    if (spec_.schema.empty() && std::none_of(r_.steps.begin(), r_.steps.end(),
                                             [](const Step& s) { return s.name == "schema"; })) {
      r_.steps.push_back({"schema", "SKIPPED", "no --schema spec was given", 0, Json::object()});
    }
    return pass;
  }

  std::optional<db::LogicalHash> HashStep(const std::string& name) {
    std::optional<db::LogicalHash> h;
    TimedStep(name, [&](Step& s) {
      PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadOnly));
      PG_ASSIGN_OR_RETURN(db::LogicalHash got, db->Hash());
      s.facts = {
          {"root", Hex(got.root)}, {"schema", Hex(got.schema)}, {"tables", got.tables.size()}};
      h = std::move(got);
      return Status::Ok();
    });
    return h;
  }

  bool ScriptStep(const std::string& name, const std::string& sql) {
    return TimedStep(name, [&](Step& s) {
      PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadWrite));
      PG_RETURN_IF_ERROR(db->Execute(sql));
      s.detail = fmt::format("{} bytes of SQL ran on a fresh connection", sql.size());
      return Status::Ok();
    });
  }

  static std::string ChangedTables(const db::LogicalHash& a, const db::LogicalHash& b) {
    std::vector<std::string> names;
    if (a.schema != b.schema) names.push_back("(schema)");
    for (const auto& t : b.tables) {
      const db::TableHash* o = a.FindTable(t.name);
      if (o == nullptr || o->digest != t.digest) names.push_back(t.name);
    }
    for (const auto& t : a.tables) {
      if (b.FindTable(t.name) == nullptr) names.push_back(t.name + " (dropped)");
    }
    return names.empty() ? "(sequences only)" : fmt::format("{}", fmt::join(names, ", "));
  }

  static std::string SequenceNote(const db::LogicalHash& a, const db::LogicalHash& b) {
    std::vector<std::string> moved;
    for (const auto& s : b.sequences) {
      auto it = std::find_if(a.sequences.begin(), a.sequences.end(),
                             [&](const db::Sequence& x) { return x.name == s.name; });
      if (it == a.sequences.end() || it->value != s.value) {
        moved.push_back(fmt::format(
            "{} {}→{}", s.name,
            it == a.sequences.end() ? std::string("none") : std::to_string(it->value), s.value));
      }
    }
    if (moved.empty()) return "";
    return fmt::format("; sequences moved (reported apart, not part of the proof): {}",
                       fmt::join(moved, ", "));
  }

  bool JudgeRollback(const db::LogicalHash& before, const db::LogicalHash& after) {
    bool equal = before.root == after.root;
    Last().verdict = equal ? "PASS" : "FAIL";
    if (equal) {
      Last().detail = "equal to before, row for row" + SequenceNote(before, after);
      return true;
    }
    Last().detail = fmt::format("differs from before in {}", ChangedTables(before, after));
    // Localize: the target against the snapshot, row by row.
    auto a = db::OpenTarget("sqlite:" + snapshot_, db::OpenMode::kReadOnly);
    if (spec_.target.starts_with("sqlite:") && a.ok()) {
      auto b = Open(db::OpenMode::kReadOnly);
      if (b.ok()) {
        auto d = db::DiffDatabases(**a, **b);
        if (d.ok()) {
          r_.rollback_diff = db::DiffJson(*d);
          Last().detail += "; the row-level diff against the snapshot is in rollback_diff";
        }
      }
    }
    return false;
  }

  bool Reapply(const db::LogicalHash& before, const db::LogicalHash& after_apply) {
    if (!ScriptStep("reapply", apply_sql_)) return false;
    Step& apply_step = Last();
    auto again = HashStep("reapply_hash");
    if (!again) return false;
    r_.steps.pop_back();
    if (again->root != after_apply.root) {
      apply_step.verdict = "FAIL";
      apply_step.detail =
          fmt::format("apply after rollback gave another state ({}) than the first apply",
                      ChangedTables(after_apply, *again));
      return false;
    }
    if (!ScriptStep("rollback_again", rollback_sql_)) return false;
    r_.steps.pop_back();
    auto back = HashStep("reapply_hash");
    if (!back) return false;
    r_.steps.pop_back();
    if (back->root != before.root) {
      apply_step.verdict = "FAIL";
      apply_step.detail = fmt::format("the second rollback did not restore before ({})",
                                      ChangedTables(before, *back));
      return false;
    }
    apply_step.detail = "apply again gave after_apply's hash; rollback again gave before's";
    return true;
  }

  // Each control returns the observed comparison: "FAIL" when the comparator caught it.
  void NegativeControls(const db::LogicalHash& before, const db::LogicalHash& after_apply) {
    TimedStep("negative_control", [&](Step& s) {
      Json controls = Json::array();
      bool all_caught = true;
      auto record = [&](std::string name, bool caught, std::string detail) {
        all_caught = all_caught && caught;
        controls.push_back({{"name", std::move(name)},
                            {"expected", "FAIL"},
                            {"observed", caught ? "FAIL" : "PASS"},
                            {"detail", std::move(detail)}});
      };
      record("no_rollback", after_apply.root != before.root,
             "the state after apply alone, compared with before");
      PG_RETURN_IF_ERROR(RowDeletedControl(before, record));
      if (!spec_.broken_rollback.empty()) {
        PG_RETURN_IF_ERROR(RestoreSnapshot());
        PG_RETURN_IF_ERROR(RunScript(apply_sql_));
        PG_RETURN_IF_ERROR(RunScript(broken_sql_));
        PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadOnly));
        PG_ASSIGN_OR_RETURN(db::LogicalHash h, db->Hash());
        record("broken_rollback", h.root != before.root,
               fmt::format("apply, then {}, compared with before", spec_.broken_rollback));
      }
      s.facts = {{"controls", controls}};
      s.verdict = all_caught ? "PASS" : "FAIL";
      s.detail = all_caught ? fmt::format("all {} controls failed, as they must", controls.size())
                            : "a control passed: the comparison cannot tell a bad rollback apart";
      return Status::Ok();
    });
  }

  // Deletes the row with the smallest key from the first keyed table with rows where the
  // engine lets it (a foreign key may refuse; then the next table is tried).
  template <typename Record>
  Status RowDeletedControl(const db::LogicalHash& before, Record& record) {
    PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadWrite));
    PG_ASSIGN_OR_RETURN(db::Schema schema, db->Introspect());
    bool pg = !spec_.target.starts_with("sqlite:");
    const db::Table* victim = nullptr;
    std::vector<std::string> refused;
    for (const auto& t : schema.tables) {
      const db::TableHash* th = before.FindTable(t.name);
      if (t.key_kind == db::KeyKind::kNone || t.key.empty() || th == nullptr || th->rows == 0 ||
          t.name == "prodgate_clone") {
        continue;
      }
      std::vector<std::string> keys;
      for (const auto& k : t.key) keys.push_back(QuoteName(k, false));
      std::string cols = fmt::format("{}", fmt::join(keys, ", "));
      std::string table = QuoteName(t.name, pg);
      Status st = db->Execute(
          fmt::format("DELETE FROM {0} WHERE ({1}) IN (SELECT {1} FROM {0} ORDER BY {1} LIMIT 1)",
                      table, cols));
      if (st.ok()) {
        victim = &t;
        break;
      }
      refused.push_back(t.name);
    }
    db.reset();
    if (victim == nullptr) {
      record("rollback_plus_row_deleted", false,
             fmt::format(
                 "not run: no keyed table with rows would let a row be deleted{}; the "
                 "comparator is unproven",
                 refused.empty() ? "" : fmt::format(" (refused: {})", fmt::join(refused, ", "))));
      return Status::Ok();
    }
    PG_ASSIGN_OR_RETURN(auto reader, Open(db::OpenMode::kReadOnly));
    PG_ASSIGN_OR_RETURN(db::LogicalHash h, reader->Hash({.tables = {victim->name}}));
    const db::TableHash* now = h.FindTable(victim->name);
    const db::TableHash* was = before.FindTable(victim->name);
    bool caught = now == nullptr || now->digest != was->digest;
    record(
        "rollback_plus_row_deleted", caught,
        fmt::format("after the rollback, the row of {} with the smallest key deleted; {} rows → {}",
                    victim->name, was->rows, now ? now->rows : 0));
    return Status::Ok();
  }

  Status RunScript(const std::string& sql) {
    PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadWrite));
    return db->Execute(sql);
  }

  Status RestoreSnapshot() {
    PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadWrite));
    return db->Restore(snapshot_);
  }

  // Puts the target back as it was. With `before`, this is the snapshot_restore step (the
  // restored hash must equal before); without, it is the clean-up after a failure.
  void Restore(const db::LogicalHash* before = nullptr) {
    if (!touched_) return;
    if (before == nullptr) {
      Status st = RestoreSnapshot();
      r_.restored = st.ok() ? "restored"
                            : "NOT RESTORED: " + st.ToString() + " (the snapshot is kept at " +
                                  snapshot_ + ")";
      if (st.ok()) keep_snapshot_ = false;
      return;
    }
    TimedStep("snapshot_restore", [&](Step& s) {
      // Until the restored hash is seen equal to before, the target is not restored: a
      // failure below must keep the snapshot (it was discarded when this still said
      // "untouched"; tests/crash/fault_test.cc).
      Status restored = RestoreSnapshot();
      if (!restored.ok()) {
        r_.restored =
            "NOT RESTORED: " + restored.ToString() + " (the snapshot is kept at " + snapshot_ + ")";
        return restored;
      }
      const std::string kept = " (the snapshot is kept at " + snapshot_ + ")";
      r_.restored = "NOT RESTORED: the restored target could not be hashed" + kept;
      PG_ASSIGN_OR_RETURN(auto db, Open(db::OpenMode::kReadOnly));
      PG_ASSIGN_OR_RETURN(db::LogicalHash h, db->Hash());
      if (h.root != before->root) {
        s.verdict = "FAIL";
        s.detail =
            fmt::format("the restored target differs from before in {}", ChangedTables(*before, h));
        r_.restored =
            "NOT RESTORED: the restored target differs from before (the snapshot is kept at " +
            snapshot_ + ")";
        return Status::Ok();
      }
      s.detail = "restored from the snapshot; equal to before";
      r_.restored = "restored";
      keep_snapshot_ = false;
      return Status::Ok();
    });
  }

 public:
  std::string apply_sql_, rollback_sql_, broken_sql_;
  bool keep_snapshot_ = true;
  std::string snapshot_;

 private:
  const RehearsalSpec& spec_;
  RehearsalReport& r_;
  bool touched_ = false;
};

Json StepJson(const Step& s) {
  Json j = {{"name", s.name},
            {"verdict", s.verdict},
            {"detail", s.detail},
            {"milliseconds", s.milliseconds}};
  if (!s.facts.empty()) j["facts"] = s.facts;
  return j;
}

}  // namespace

Json RehearsalReport::ToJson() const {
  Json steps_json = Json::array();
  for (const auto& s : steps) steps_json.push_back(StepJson(s));
  Json j = {{"format", kRehearsalFormat},
            {"change", change},
            {"target", target},
            {"verdict", verdict},
            {"before", before},
            {"after_apply", after_apply},
            {"after_rollback", after_rollback},
            {"steps", steps_json},
            {"clone_check", clone_check},
            {"target_state", restored},
            {"out", out},
            {"tool", {{"version", ToolVersion()}, {"sha256", ToolDigest()}}}};
  if (!rollback_diff.is_null()) j["rollback_diff"] = rollback_diff;
  return j;
}

Result<RehearsalReport> Rehearse(const RehearsalSpec& spec) {
  PG_RETURN_IF_ERROR(db::ParseTarget(spec.target).status());
  std::error_code ec;
  if (fs::exists(spec.out, ec) && !fs::is_empty(spec.out, ec)) {
    return Status::BadInput(fmt::format("{} exists and is not empty", spec.out),
                            "give a new directory for the rehearsal's outputs (--out)");
  }
  RehearsalReport r;
  r.target = ShownTarget(spec.target);
  r.restored = "untouched";
  Runner runner(spec, r);
  PG_ASSIGN_OR_RETURN(runner.apply_sql_, ReadFile(spec.apply, kMaxScript));
  PG_ASSIGN_OR_RETURN(runner.rollback_sql_, ReadFile(spec.rollback, kMaxScript));
  if (!spec.broken_rollback.empty()) {
    PG_ASSIGN_OR_RETURN(runner.broken_sql_, ReadFile(spec.broken_rollback, kMaxScript));
  }
  fs::create_directories(spec.out + "/change", ec);
  if (ec) {
    return Status::BadInput(fmt::format("cannot create {}: {}", spec.out, ec.message()),
                            "give a writable directory with --out");
  }
  r.out = fs::absolute(spec.out).lexically_normal().string();
  // The change: exactly the bytes that run, sealed; its root names the change everywhere.
  PG_RETURN_IF_ERROR(WriteFileAtomic(r.out + "/change/apply.sql", runner.apply_sql_, 0644));
  PG_RETURN_IF_ERROR(WriteFileAtomic(r.out + "/change/rollback.sql", runner.rollback_sql_, 0644));
  seal::SealOptions so;
  so.dir = r.out + "/change";
  so.progress = false;
  PG_ASSIGN_OR_RETURN(seal::SealOutcome sealed, seal::Seal(so));
  r.change = ToHex(sealed.manifest.root);
  r.steps.push_back({"change", "PASS",
                     fmt::format("apply.sql and rollback.sql sealed in {}/change", r.out), 0,
                     Json{{"apply_sha256", ToHex(Sha256Of(runner.apply_sql_))},
                          {"rollback_sha256", ToHex(Sha256Of(runner.rollback_sql_))}}});
  runner.Run();
  bool pass = true;
  for (const auto& s : r.steps) {
    if (s.verdict == "FAIL") pass = false;
  }
  // The proof needs every one of these to have run and passed; a missing one is a FAIL.
  for (const char* needed :
       {"isolation", "secrets", "snapshot", "before", "apply", "after_apply", "rollback",
        "after_rollback", "negative_control", "snapshot_restore"}) {
    bool ran = std::any_of(r.steps.begin(), r.steps.end(),
                           [&](const Step& s) { return s.name == needed && s.verdict == "PASS"; });
    if (!ran) pass = false;
  }
  r.verdict = pass ? "PASS" : "FAIL";
  if (!runner.snapshot_.empty() && (!runner.keep_snapshot_ || r.restored == "untouched")) {
    auto db = db::OpenTarget(spec.target, db::OpenMode::kReadOnly);
    Status discarded = db.ok() ? (*db)->DiscardSnapshot(runner.snapshot_) : db.status();
    if (!discarded.ok()) r.restored += "; the snapshot was not discarded: " + discarded.ToString();
  }
  PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(r.ToJson(), NumberPolicy::kIntegersOnly));
  PG_RETURN_IF_ERROR(WriteFileAtomic(r.out + "/rehearsal.json", text + "\n", 0644));
  r.report_sha256 = ToHex(Sha256Of(text + "\n"));
  return r;
}

}  // namespace prodgate::rehearse
