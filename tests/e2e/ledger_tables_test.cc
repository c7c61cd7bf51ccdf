// Every table of the ledger, on both stores, edited as an agent with the ledger's files or
// its database owner's role would (DESIGN.md §3.10): rows edited, deleted or inserted, with
// and without recomputing hashes, with and without re-chaining what follows. The gate holds
// and names why, for the executor who verified the ledger before and for a verifier that
// never saw it; nothing an edit adds ever passes. (On the provisioned PostgreSQL ledger these
// edits are refused at the server: postgres_store_test.cc, protected_ledger_test.cc.)
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "authority/keys.h"
#include "core/sha256.h"
#include "ledger/store.h"
#include "tests/e2e/e2e.h"
#include "tests/pg_cluster.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class LedgerTables : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ws_ = dir_.path();
    if (GetParam() == "postgres") {
      auto cluster = SharedPgCluster();
      ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
      cluster_ = *cluster;
      db_ = fmt::format("tables_{}", ++databases_);
      ASSERT_TRUE(cluster_->CreateDatabase(db_).ok());
      ledger_ = cluster_->Uri(db_);
    }
    ASSERT_EQ(Pg({"init", "."}).exit_code, 0);
    for (const char* who : {"alice", "carol"}) {
      ASSERT_EQ(Pg({"key", "new", "--name", who, "--role",
                    std::string(who) == "alice" ? "owner" : "operator", "--out", Key(who)})
                    .exit_code,
                0);
    }
    ASSERT_EQ(Pg({"trust", "add", dir_ / "alice.pub.json"}).exit_code, 0);
    ASSERT_EQ(Pg({"trust", "add", dir_ / "carol.pub.json", "--key", Key("alice")}).exit_code, 0);
    // A single-use grant, used once; a revoked one; a blocker of production; the ledger verified.
    grant_ = IssueGrant({"--action", "apply", "--scope", "clone"});
    ASSERT_EQ(Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "true"}).exit_code,
              0);
    std::string revoked = IssueGrant({"--action", "snapshot", "--scope", "clone"});
    ASSERT_EQ(Pg({"grant", "revoke", revoked.substr(0, 12), "--key", Key("alice")}).exit_code, 0);
    ASSERT_EQ(Pg({"blocker", "add", "--id", "B1", "--item", "x", "--blocks", "permit"}).exit_code,
              0);
    ASSERT_EQ(Pg({"ledger", "verify"}).exit_code, 0);
  }

  std::vector<std::string> Args(std::vector<std::string> args) const {
    if (!ledger_.empty()) args.insert(args.begin(), {"--ledger", ledger_});
    args.insert(args.begin(), PRODGATE_BIN);
    return args;
  }
  RunResult Pg(std::vector<std::string> args) { return RunCommand(Args(std::move(args)), ws_); }
  // A verifier that never saw the ledger.
  RunResult Fresh(std::vector<std::string> args) {
    auto argv = Args(std::move(args));
    argv.insert(argv.begin(),
                {"env", "PRODGATE_STATE_DIR=" + (dir_ / fmt::format("fresh-{}", ++fresh_))});
    return RunCommand(argv, ws_);
  }
  std::string Key(const std::string& who) const { return dir_ / (who + ".pem"); }
  std::string IssueGrant(std::vector<std::string> args) {
    args.insert(args.begin(), {"grant", "issue"});
    args.insert(args.end(), {"--key", Key("alice")});
    RunResult r = Pg(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.size() > 70 ? r.out.substr(6, 64) : "";
  }
  // The attacker's SQL on the ledger's tables (unqualified names): SQLite's file, or the
  // PostgreSQL schema as its superuser with the append-only triggers switched off (what the
  // owner of an unprovisioned ledger can do).
  void Sql(const std::string& sql) {
    if (GetParam() == "postgres") {
      Status s = cluster_->Exec(
          db_, "SET search_path TO prodgate; ALTER TABLE events DISABLE TRIGGER USER; " + sql +
                   "; ALTER TABLE events ENABLE ALWAYS TRIGGER events_append_only; ALTER TABLE "
                   "events ENABLE ALWAYS TRIGGER events_no_truncate;");
      ASSERT_TRUE(s.ok()) << s.ToString();
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / ".prodgate/ledger.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  std::unique_ptr<ledger::LedgerStore> Store() {
    auto s = ledger::OpenLedger(ledger_.empty() ? dir_ / ".prodgate/ledger.db" : ledger_, false);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Rewrites the events from `seq` on: `edit` changes the document of event `seq`; then, with
  // `rehash`, its hash is recomputed, and with `rechain` every later event's prev and hash
  // too, so that the whole chain links again. Signatures cannot be recomputed without keys.
  void Rewrite(int64_t seq, const std::function<void(Json&)>& edit, bool rehash, bool rechain) {
    auto store = Store();
    ASSERT_TRUE(store);
    std::vector<ledger::Event> events;
    ASSERT_TRUE(store
                    ->ForEachEvent(seq, INT64_MAX,
                                   [&](const ledger::Event& e) {
                                     events.push_back(e);
                                     return Status::Ok();
                                   })
                    .ok());
    ASSERT_FALSE(events.empty());
    std::string sql;
    Digest prev = events.front().prev;
    for (size_t i = 0; i < events.size(); ++i) {
      ledger::Event e = events[i];
      if (i == 0) {
        Json doc = e.ToJson();
        edit(doc);
        auto edited = ledger::Event::FromJson(doc);
        ASSERT_TRUE(edited.ok()) << edited.status().ToString();
        e = *edited;
      } else if (!rechain) {
        break;
      }
      e.prev = prev;
      if (i == 0 ? rehash : true) e.hash = *ledger::ComputeEventHash(e);
      prev = e.hash;
      std::string doc = *CanonicalJson(e.ToJson(), NumberPolicy::kIntegersOnly);
      sql += fmt::format(
          "UPDATE events SET hash = {}, prev = {}, kind = {}, doc = {} WHERE seq = {};",
          Quoted(ToHex(e.hash)), Quoted(ToHex(e.prev)), Quoted(e.kind), Quoted(doc), e.seq);
    }
    Sql(sql);
  }
  int64_t SeqOf(const std::string& kind) {
    auto store = Store();
    auto events = store->EventsOfKind(kind);
    EXPECT_TRUE(events.ok() && !events->empty());
    return events.ok() && !events->empty() ? events->front().seq : 0;
  }
  Json Gate(const std::string& action, bool fresh, int expect = 1) {
    std::vector<std::string> args = {"gate",    "check", "--action", action,
                                     "--scope", "clone", "--json"};
    RunResult r = fresh ? Fresh(args) : Pg(args);
    EXPECT_EQ(r.exit_code, expect) << r.out << r.err;
    return JsonOut(r);
  }
  static bool Has(const Json& g, const std::string& code) {
    for (const auto& r : g["reasons"])
      if (r["code"] == code) return true;
    return false;
  }
  // The single-use grant never runs again, for the executor who saw it used.
  void ExpectNoSecondRun() {
    std::string marker = dir_ / "second";
    RunResult r =
        Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_FALSE(fs::exists(marker)) << "a used-up grant ran again";
  }

  static inline int databases_ = 0;
  ScratchDir dir_;
  std::string ws_, ledger_, db_, grant_;
  PgCluster* cluster_ = nullptr;
  int fresh_ = 0;
};

// The intent and its finish deleted from inside history. The executor who verified them
// decides from what it verified (the use stays used); a verifier that never saw them finds
// the gap; `ledger verify` names it.
TEST_P(LedgerTables, EventsTheIntentDeleted) {
  Sql("DELETE FROM events WHERE kind IN ('action.intent', 'action.finish')");
  EXPECT_TRUE(Has(Gate("apply", false), "grant_used_up"));
  EXPECT_TRUE(Has(Gate("apply", true), "ledger_broken"));
  RunResult verify = Pg({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find("missing"), std::string::npos) << verify.out;
  ExpectNoSecondRun();
}

// The same at the tail, where the executor's checkpoint is: it sees the truncation.
TEST_P(LedgerTables, EventsTheTailDeleted) {
  Sql("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)");
  Json g = Gate("apply", false);
  EXPECT_TRUE(Has(g, "ledger_broken")) << g.dump();
  ExpectNoSecondRun();
}

TEST_P(LedgerTables, EventsTheIntentDeletedAndTheChainContinued) {
  const int64_t intent = SeqOf("action.intent");
  // Everything from the intent on removed, then appended anew by prodgate itself (an
  // honest-looking continuation: every link and hash right).
  Sql(fmt::format("DELETE FROM events WHERE seq >= {}", intent));
  Sql("DELETE FROM projections");
  RunResult more = Fresh({"blocker", "add", "--id", "B9", "--item", "y", "--blocks", "permit"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(
        Fresh({"ids", "reserve", "--prefix", "X", "--count", "1", "--ceiling", "0"}).exit_code, 0);
  }
  Json mine = Gate("apply", false);
  EXPECT_TRUE(Has(mine, "ledger_broken")) << mine.dump();
  ExpectNoSecondRun();
}

TEST_P(LedgerTables, EventsAGrantEditedInPlace) {
  const int64_t issue = SeqOf("grant.issue");
  for (bool rehash : {false, true}) {
    for (bool rechain : {false, true}) {
      if (rechain && !rehash) continue;
      SCOPED_TRACE(fmt::format("rehash {} rechain {}", rehash, rechain));
      Rewrite(
          issue,
          [](Json& doc) {
            doc["body"]["terms"]["uses"] = 9;
            // With the terms, the id the grant is known by no longer matches: edit both.
          },
          rehash, rechain);
      Json fresh = Gate("apply", true);
      EXPECT_TRUE(Has(fresh, "ledger_broken")) << fresh.dump();
      ExpectNoSecondRun();
      // Undone for the next variant: uses back to 1, hashes recomputed the same way.
      Rewrite(
          issue, [](Json& doc) { doc["body"]["terms"]["uses"] = 1; }, true, true);
    }
  }
}

TEST_P(LedgerTables, EventsAForgedEventInserted) {
  // An owner-only event appended at the head without the owner's key, hashed and chained.
  auto store = Store();
  ASSERT_TRUE(store);
  auto e = store->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = "local:mallory";
        d.kind = "grant.revoke";
        d.body = {{"id", grant_}, {"reason", "x"}};
        return d;
      },
      [](const ledger::Event&, ledger::ProjectionTxn&) { return Status::Ok(); });
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  for (bool fresh : {false, true}) {
    Json g = Gate("apply", fresh);
    EXPECT_TRUE(Has(g, "ledger_broken")) << g.dump();
  }
}

TEST_P(LedgerTables, ProjectionsEditedDeletedOrInserted) {
  Sql("UPDATE projections SET doc = replace(doc, '\"used\":1', '\"used\":0') WHERE tbl = 'grants';"
      "UPDATE projections SET doc = replace(doc, '\"revoked\":true', '\"revoked\":false') WHERE "
      "tbl = 'grants';"
      "DELETE FROM projections WHERE tbl = 'blockers';"
      "INSERT INTO projections VALUES ('workspace', 'lane', '{\"name\":\"\"}') ON CONFLICT DO "
      "NOTHING;"
      "INSERT INTO projections VALUES ('rehearsals', '" +
      std::string(64, 'c') + "', '{\"verdict\":\"PASS\"}')");
  for (bool fresh : {false, true}) {
    SCOPED_TRACE(fresh ? "fresh" : "this verifier");
    EXPECT_TRUE(Has(Gate("apply", fresh), "grant_used_up"));
    EXPECT_TRUE(Has(Gate("snapshot", fresh), "grant_revoked"));
    EXPECT_TRUE(Has(Gate("permit", fresh), "blocker_open"));
  }
  ExpectNoSecondRun();
}

TEST_P(LedgerTables, MetaEdited) {
  Sql("UPDATE meta SET value = 'prodgate.ledger/0' WHERE key = 'format'");
  RunResult r = Pg({"gate", "check", "--action", "apply", "--scope", "clone"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("not a prodgate ledger"), std::string::npos) << r.err;
  Sql("UPDATE meta SET value = 'prodgate.ledger/1' WHERE key = 'format';"
      "INSERT INTO meta VALUES ('verified_seq', '1'), ('verified_hash', '" +
      std::string(64, '0') + "')");
  // Rows an earlier prodgate trusted (a checkpoint in the ledger) decide nothing now.
  EXPECT_TRUE(Has(Gate("apply", false), "grant_used_up"));
  EXPECT_TRUE(Has(Gate("apply", true), "grant_used_up"));
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerTables, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace prodgate::testing
