// A prodgate workspace for end-to-end tests: initialized, with trusted keys for two owners
// (alice, bob), an operator (carol) and an agent, made by the real binary.
#pragma once

#include <sstream>

#include <sqlite3.h>

#include <string>
#include <vector>

#include "authority/keys.h"
#include "ledger/store.h"
#include "model/projector.h"
#include "tests/e2e/e2e.h"

namespace prodgate::testing {

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = dir_.path();
    ASSERT_EQ(Pg({"init", "."}).exit_code, 0);
    for (const char* who : {"alice", "bob", "carol", "agent"}) {
      std::string role = std::string(who) == "carol"   ? "operator"
                         : std::string(who) == "agent" ? "agent"
                                                       : "owner";
      RunResult r = Pg({"key", "new", "--name", who, "--role", role, "--out", Key(who)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ids_[who] = Json::parse(ReadFileOrDie(dir_ / (std::string(who) + ".pub.json")))["id"];
    }
    ASSERT_EQ(Pg({"trust", "add", dir_ / "alice.pub.json"}).exit_code, 0);
    for (const char* who : {"bob", "carol", "agent"}) {
      RunResult r =
          Pg({"trust", "add", dir_ / (std::string(who) + ".pub.json"), "--key", Key("alice")});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  using Json = nlohmann::json;
  RunResult Pg(std::vector<std::string> args) { return Prodgate(std::move(args), ws_); }
  std::string Key(const std::string& who) const { return dir_ / (who + ".pem"); }
  std::string Id(const std::string& who) { return ids_[who]; }
  std::string LedgerPath() const { return dir_ / ".prodgate/ledger.db"; }
  std::string Head() {
    RunResult r = Pg({"ledger", "head"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // Runs a command that must exit `exit` and say `needle`.
  RunResult RunRefused(std::vector<std::string> args, int exit, const std::string& needle) {
    RunResult r = Pg(std::move(args));
    EXPECT_EQ(r.exit_code, exit) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(needle), std::string::npos)
        << "expected \"" << needle << "\" in:\n"
        << r.out << r.err;
    return r;
  }
  // The events after `head` (a Head() output), oldest first.
  std::vector<Json> EventsAfter(const std::string& head) {
    RunResult r =
        Pg({"ledger", "log", "--json", "--from", std::to_string(std::atoll(head.c_str()) + 1)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<Json> events;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) events.push_back(Json::parse(line));
    return events;
  }
  // Runs a command refused for want of authority: `exit`, `needle`, and the one event it
  // appends is the record of the refusal, of `kind`; returns that event.
  Json ExpectRefusalRecorded(std::vector<std::string> args, int exit, const std::string& needle,
                             const std::string& kind) {
    std::string before = Head();
    RunRefused(std::move(args), exit, needle);
    std::vector<Json> after = EventsAfter(before);
    EXPECT_EQ(after.size(), 1u) << "a refusal appends its record and nothing else";
    if (after.size() != 1) return Json();
    EXPECT_EQ(after[0]["kind"], kind);
    return after[0];
  }
  // Runs a command that must be refused with `exit`, say `needle`, and change nothing.
  RunResult ExpectRefused(std::vector<std::string> args, int exit, const std::string& needle) {
    std::string before = Head();
    RunResult r = RunRefused(std::move(args), exit, needle);
    EXPECT_EQ(Head(), before) << "a refused command changed the ledger";
    return r;
  }
  // Edits the ledger database directly, as an attacker with file access would.
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(LedgerPath().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  // Runs prodgate as a verifier with its own, fresh state directory: one that never saw this
  // ledger before (a new CI container, another operator).
  RunResult PgFresh(std::vector<std::string> args) {
    static int n = 0;
    std::string state = dir_ / ("fresh-state-" + std::to_string(++n));
    args.insert(args.begin(), {"env", "PRODGATE_STATE_DIR=" + state, PRODGATE_BIN});
    return RunCommand(args, ws_);
  }
  // Appends an event behind prodgate's checks, chained and hashed as prodgate would and
  // projected into the store's cache: what an attacker with write access to the ledger file
  // can do. Signed by `key` (actor its id) when given, else unsigned by `actor`.
  void AppendBehind(const std::string& kind, const Json& body,
                    const authority::PrivateKey* key = nullptr,
                    const std::string& actor = "local:mallory") {
    auto store = ledger::OpenLedger(LedgerPath(), false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto e = (*store)->Append(
        [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
          ledger::EventDraft d;
          d.actor = key ? key->Id() : actor;
          d.kind = kind;
          d.body = body;
          if (key) d.sign = [key](std::string_view pre) { return key->Sign(pre); };
          return d;
        },
        [](const ledger::Event& ev, ledger::ProjectionTxn& txn) {
          (void)model::Project(ev, txn);  // the cache follows as best it can
          return Status::Ok();
        });
    ASSERT_TRUE(e.ok()) << e.status().ToString();
  }
  // Issues a grant and returns its id.
  std::string Issue(std::vector<std::string> args, const std::string& who = "alice") {
    args.insert(args.begin(), {"grant", "issue"});
    args.insert(args.end(), {"--key", Key(who)});
    RunResult r = Pg(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out.size() > 70 ? r.out.substr(6, 64) : "";
  }
  Json Gate(std::vector<std::string> args, int expect_exit) {
    args.insert(args.begin(), {"gate", "check"});
    args.push_back("--json");
    RunResult r = Pg(args);
    EXPECT_EQ(r.exit_code, expect_exit) << r.out << r.err;
    return JsonOut(r);
  }
  static std::vector<std::string> Codes(const Json& gate) {
    std::vector<std::string> out;
    for (const auto& r : gate["reasons"]) out.push_back(r["code"]);
    return out;
  }
  static bool Has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  std::string Seed(const std::string& prefix) {
    std::string dir = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/seeds";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().filename().string().starts_with(prefix)) return e.path().string();
    }
    ADD_FAILURE() << "no seed " << prefix << " in " << dir;
    return "";
  }

  ScratchDir dir_;
  std::string ws_;
  std::map<std::string, std::string> ids_;
};

}  // namespace prodgate::testing
