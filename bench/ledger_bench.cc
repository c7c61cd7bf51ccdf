// Ledger benchmarks (DESIGN.md §5), in one run:
//   1. append throughput with synchronous=FULL against a raw SQLite insert of the same row
//      under the same settings (target: >= 75 % of raw);
//   2. `gate check` over ledgers of 1 k, 10 k and 100 k events, and over one holding 2 000
//      imported blockers: the whole `prodgate gate check` process with this user's verified
//      checkpoint warm (targets: <= 5 ms at 100 k events, <= 20 ms with 2 000 blockers),
//      against a whole `sqlite3` process reading the same head (the ratio), plus the first
//      check of each ledger, which verifies it from genesis (cold, information).
//
//   ledger_bench PRODGATE_BINARY [APPENDS=2000]
#include <fmt/format.h>
#include <sqlite3.h>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "authority/gate.h"
#include "authority/grants.h"
#include "authority/keys.h"
#include "authority/ledger_audit.h"
#include "authority/trust.h"
#include "authority/verified_ledger.h"
#include "core/file_io.h"
#include "model/blocker_ops.h"
#include "model/projector.h"
#include "model/workspace.h"

using namespace prodgate;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void Die(const Status& s) {
  fmt::print(stderr, "ledger_bench: {}\n", s.ToString());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) Die(r.status());
  return std::move(r).value();
}

// A realistic event: an evidence record (a seal root, paths), ~300 bytes of canonical JSON.
Json EvidenceBody(int i) {
  return Json{{"root", ToHex(Sha256Of(std::to_string(i)))},
              {"dir", fmt::format("/srv/evidence/lane-{:06}/packet", i)},
              {"manifest", fmt::format("/srv/evidence/lane-{:06}/packet/prodgate.seal.json", i)}};
}

Result<ledger::Event> AppendEvidence(ledger::LedgerStore& store, int i) {
  return store.Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = "local:bench";
        d.kind = "evidence.add";
        d.body = EvidenceBody(i);
        return d;
      },
      model::Project);
}

// Appends `n` evidence events to the SQLite ledger at `path` in one transaction, chained and
// hashed as the store does (the projections cache is left out: no decision reads it). What
// one append per transaction would take hours to fill.
void BulkAppendEvidence(const std::string& path, int n) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die(Status::Internal("open " + path));
  sqlite3_stmt* head = nullptr;
  sqlite3_prepare_v2(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", -1, &head,
                     nullptr);
  if (sqlite3_step(head) != SQLITE_ROW) Die(Status::Internal("no head in " + path));
  int64_t seq = sqlite3_column_int64(head, 0);
  Digest prev = *DigestFromHex(reinterpret_cast<const char*>(sqlite3_column_text(head, 1)));
  sqlite3_finalize(head);
  sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO events VALUES(?, ?, ?, ?, ?)", -1, &ins, nullptr);
  for (int i = 0; i < n; ++i) {
    ledger::Event e;
    e.seq = ++seq;
    e.prev = prev;
    e.at = ledger::NowUtc();
    e.actor = "local:bench";
    e.kind = "evidence.add";
    e.body = EvidenceBody(static_cast<int>(e.seq));
    e.hash = Must(ledger::ComputeEventHash(e));
    prev = e.hash;
    std::string doc = Must(CanonicalJson(e.ToJson(), NumberPolicy::kIntegersOnly));
    std::string hash = ToHex(e.hash), prev_hex = ToHex(e.prev);
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, e.seq);
    sqlite3_bind_text(ins, 2, hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, prev_hex.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 4, e.kind.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 5, doc.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(ins) != SQLITE_DONE) Die(Status::Internal("bulk insert failed"));
  }
  sqlite3_finalize(ins);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

// Runs `cmd` (a shell command line) `n` times; the median wall time in ms. Exit status must
// be `want`.
double ProcessMs(const std::string& cmd, int want, int n = 31) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    ms.push_back(Ms(Clock::now() - t0));
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != want) {
      Die(Status::Internal(fmt::format("`{}` exited {}, not {}", cmd, WEXITSTATUS(rc), want)));
    }
  }
  return Median(ms);
}

// A blocker map of `n` blockers, each holding production, in the export shape.
std::string BlockerMap(int n) {
  Json list = Json::array();
  for (int i = 0; i < n; ++i) {
    list.push_back({{"id", fmt::format("BENCH-{:05}", i)},
                    {"item", fmt::format("bench blocker {} of a large map", i)},
                    {"status", "OPEN"},
                    {"category", "engineering"},
                    {"actor_needed", Json::array({"agent"})},
                    {"next_action", "close it with evidence"},
                    {"blocks", Json::array({"production"})},
                    {"evidence", Json::array()},
                    {"extra", Json::object()}});
  }
  return Json{{"blockers", list}, {"doc", "bench map"}}.dump();
}

// The raw peer: the same event row inserted into a bare table, WAL + synchronous=FULL,
// one transaction per row, with a prepared statement.
double RawInsertsPerSecond(const std::string& path, int n) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE events(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
               " prev TEXT NOT NULL, kind TEXT NOT NULL, doc TEXT NOT NULL);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO events VALUES(?, ?, ?, ?, ?)", -1, &ins, nullptr);
  std::string doc = *CanonicalJson(EvidenceBody(0), NumberPolicy::kIntegersOnly);
  auto t0 = Clock::now();
  for (int i = 1; i <= n; ++i) {
    std::string hash = ToHex(Sha256Of(std::to_string(i) + "raw"));
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, i);
    sqlite3_bind_text(ins, 2, hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 4, "evidence.add", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, doc.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(ins) != SQLITE_DONE) Die(Status::Internal("raw insert failed"));
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return n / secs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: {} PRODGATE_BINARY [APPENDS]\n", argv[0]);
    return 2;
  }
  std::string binary = fs::absolute(argv[1]).string();
  const int appends = argc > 2 ? std::atoi(argv[2]) : 2000;
  fs::path dir = fs::temp_directory_path() / fmt::format("prodgate-ledger-bench-{}", ::getpid());
  fs::create_directories(dir);
  const std::string state = (dir / "state").string();
  ::setenv("PRODGATE_STATE_DIR", state.c_str(), 1);

  // 1. Append throughput, ledger against raw, interleaved in halves to share disk weather.
  double raw_rate = 0, ledger_rate = 0;
  {
    model::Workspace ws = Must(model::InitWorkspace((dir / "append").string(), "local:bench"));
    for (int round = 0; round < 2; ++round) {
      raw_rate +=
          RawInsertsPerSecond((dir / fmt::format("raw{}.db", round)).string(), appends / 2) / 2;
      auto t0 = Clock::now();
      for (int i = 0; i < appends / 2; ++i) Must(AppendEvidence(*ws.ledger, round * appends + i));
      ledger_rate += (appends / 2) / std::chrono::duration<double>(Clock::now() - t0).count() / 2;
    }
  }
  const double share = 100.0 * ledger_rate / raw_rate;

  // 2. Ledgers of 1 k, 10 k and 100 k events (an owner, the seed blockers, a grant, then
  //    evidence records with a grant every 1000), and one with 2 000 blockers imported at once.
  struct Row {
    std::string name;
    int64_t events = 0;
    double cold_ms = 0, warm_ms = 0, raw_ms = 0, target_ms = 0, in_process_ms = 0;
  };
  std::vector<Row> rows;
  auto measure = [&](const std::string& name, const std::string& root, double target) {
    model::Workspace ws = Must(model::OpenWorkspace(root));
    Row r{name, Must(ws.ledger->ReadHead()).seq, 0, 0, 0, target};
    const std::string check =
        fmt::format("{} --workspace {} gate check --action apply --scope clone", binary, root);
    fs::remove_all(state);
    r.cold_ms = ProcessMs(check, 0, 1);  // verifies from genesis, fills the checkpoint
    r.warm_ms = ProcessMs(check, 0);
    // In process: open the workspace on its verified chain (the checkpoint warm) and ask.
    std::vector<double> in;
    for (int i = 0; i < 31; ++i) {
      auto t0 = Clock::now();
      model::Workspace open = Must(authority::OpenCheckedWorkspace(root, ""));
      authority::GateRequest q;
      q.action = "apply";
      q.scope = "clone";
      auto d = Must(authority::CheckGate(open, q));
      in.push_back(Ms(Clock::now() - t0));
      if (!d.allow)
        Die(Status::Internal("the bench's grant did not allow: " + d.reasons[0].message));
    }
    r.in_process_ms = Median(in);
    r.raw_ms = ProcessMs(fmt::format("sqlite3 {}/.prodgate/ledger.db 'SELECT seq, hash FROM "
                                     "events ORDER BY seq DESC LIMIT 1'",
                                     root),
                         0);
    rows.push_back(r);
  };
  for (int events : {1000, 10000, 100000}) {
    std::string root = (dir / fmt::format("gate-{}", events)).string();
    model::Workspace ws = Must(model::InitWorkspace(root, "local:bench"));
    ws.proven = Must(authority::VerifiedLedger::Open(*ws.ledger));
    authority::PrivateKey owner = Must(authority::PrivateKey::Generate());
    authority::TrustedKey tk{owner.Id(), "owner", authority::Role::kOwner, owner.public_key(), 0};
    authority::TrustChangeRequest add;
    add.add = tk;
    Must(authority::ProposeTrustChange(ws, add, nullptr, 1));
    Must(model::ImportBlockerMap(
        ws, std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/seeds/001_aadb98cec8920608.txt",
        "local:bench"));
    authority::GrantRequest req;
    req.action = "apply";
    req.scope = "clone";
    req.expires_in = "30d";
    Must(authority::IssueGrant(ws, req, owner));
    // Evidence records, with another owner-signed grant every 1000 events.
    while (Must(ws.ledger->ReadHead()).seq < events) {
      int64_t at = Must(ws.ledger->ReadHead()).seq;
      BulkAppendEvidence(ws.ledger_path(), static_cast<int>(std::min<int64_t>(999, events - at)));
      if (Must(ws.ledger->ReadHead()).seq < events) {
        authority::GrantRequest other = req;
        other.action = "snapshot";
        Must(authority::IssueGrant(ws, other, owner));
      }
    }
    measure(fmt::format("{} events", events), root, events == 100000 ? 5 : 0);
  }
  {
    std::string root = (dir / "blockers").string();
    model::Workspace ws = Must(model::InitWorkspace(root, "local:bench"));
    ws.proven = Must(authority::VerifiedLedger::Open(*ws.ledger));
    authority::PrivateKey owner = Must(authority::PrivateKey::Generate());
    authority::TrustedKey tk{owner.Id(), "owner", authority::Role::kOwner, owner.public_key(), 0};
    authority::TrustChangeRequest add;
    add.add = tk;
    Must(authority::ProposeTrustChange(ws, add, nullptr, 1));
    std::string map = (dir / "map.json").string();
    Status w = WriteFileAtomic(map, BlockerMap(2000));
    if (!w.ok()) Die(w);
    auto t0 = Clock::now();
    Must(model::ImportBlockerMap(ws, map, "local:bench"));
    const double import_s = std::chrono::duration<double>(Clock::now() - t0).count();
    authority::GrantRequest req;
    req.action = "apply";
    req.scope = "clone";
    req.expires_in = "30d";
    Must(authority::IssueGrant(ws, req, owner));
    measure(fmt::format("2000 blockers (import {:.2f} s)", import_s), root, 20);
  }

  fmt::print("ledger benchmark ({} appends per side)\n\n", appends);
  fmt::print("{:<44} {:>12}   {}\n", "", "value", "target");
  fmt::print("{:<44} {:>12.0f}\n", "raw SQLite insert, synchronous=FULL  /s", raw_rate);
  fmt::print("{:<44} {:>12.0f}\n", "ledger append, synchronous=FULL      /s", ledger_rate);
  fmt::print("{:<44} {:>11.1f}%   >= 75 %{}\n\n", "ledger append as a share of raw", share,
             share < 75 ? " MISSED" : "");
  fmt::print("`gate check` (ALLOW), median of 31, ms\n");
  fmt::print("{:<34} {:>7} {:>9} {:>8} {:>10} {:>8} {:>7}   {}\n", "ledger", "events", "cold",
             "warm", "in-process", "sqlite3", "ratio", "target (in process)");
  for (const auto& r : rows) {
    std::string target =
        r.target_ms > 0
            ? fmt::format("<= {} ms{}", r.target_ms, r.in_process_ms > r.target_ms ? " MISSED" : "")
            : "";
    fmt::print("{:<34} {:>7} {:>9.1f} {:>8.1f} {:>10.2f} {:>8.1f} {:>6.2f}x   {}\n", r.name,
               r.events, r.cold_ms, r.warm_ms, r.in_process_ms, r.raw_ms, r.warm_ms / r.raw_ms,
               target);
  }
  fmt::print(
      "\ncold: the first `prodgate gate check` process, verifying every event from genesis into\n"
      "this user's checkpoint; warm: the same process with the checkpoint at the head (the\n"
      "normal case: a check verifies only what was appended since); in-process: opening the\n"
      "workspace on its verified chain and checking, without the process start-up\n"
      "(`prodgate --version` alone is most of `warm`); sqlite3: a whole `sqlite3` process\n"
      "reading the same head; ratio: warm / sqlite3.\n");
  fs::remove_all(dir);
  return 0;
}
