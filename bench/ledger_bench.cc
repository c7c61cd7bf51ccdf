// Ledger benchmarks (DESIGN.md §5), in one run:
//   1. append throughput with synchronous=FULL against a raw SQLite insert of the same row
//      under the same settings (target: >= 50 % of raw);
//   2. `gate check` latency over a ledger of 100 k events (target: <= 10 ms), in-process and
//      as a whole `prodgate gate check` process.
//
//   ledger_bench PRODGATE_BINARY [EVENTS=100000] [APPENDS=2000]
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "authority/gate.h"
#include "authority/grants.h"
#include "authority/keys.h"
#include "authority/trust.h"
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

Result<ledger::Event> AppendEvidence(model::Workspace& ws, int i) {
  return ws.ledger->Append(
      [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
        ledger::EventDraft d;
        d.actor = "local:bench";
        d.kind = "evidence.add";
        d.body = EvidenceBody(i);
        d.subjects = {"evidence:" + d.body["root"].get<std::string>()};
        return d;
      },
      model::Project);
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
    fmt::print(stderr, "usage: {} PRODGATE_BINARY [EVENTS] [APPENDS]\n", argv[0]);
    return 2;
  }
  std::string binary = fs::absolute(argv[1]).string();
  const int events = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int appends = argc > 3 ? std::atoi(argv[3]) : 2000;
  fs::path dir = fs::temp_directory_path() / fmt::format("prodgate-ledger-bench-{}", ::getpid());
  fs::create_directories(dir);

  // 1. Append throughput, ledger against raw, interleaved in halves to share disk weather.
  double raw_rate = 0, ledger_rate = 0;
  {
    model::Workspace ws = Must(model::InitWorkspace((dir / "append").string(), "local:bench"));
    for (int round = 0; round < 2; ++round) {
      raw_rate +=
          RawInsertsPerSecond((dir / fmt::format("raw{}.db", round)).string(), appends / 2) / 2;
      auto t0 = Clock::now();
      for (int i = 0; i < appends / 2; ++i) Must(AppendEvidence(ws, round * appends + i));
      ledger_rate += (appends / 2) / std::chrono::duration<double>(Clock::now() - t0).count() / 2;
    }
  }

  // 2. A ledger of `events` events: the seed blockers, a trusted owner, grants, and evidence.
  std::string root = (dir / "gate").string();
  model::Workspace ws = Must(model::InitWorkspace(root, "local:bench"));
  authority::PrivateKey owner = Must(authority::PrivateKey::Generate());
  authority::TrustedKey tk{owner.Id(), "owner", authority::Role::kOwner, owner.public_key(), ""};
  Must(authority::AddTrustedKey(ws, tk, nullptr));
  std::string seed = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/seeds";
  for (const auto& e : fs::directory_iterator(seed)) {
    if (e.path().filename().string().starts_with("001")) {
      Must(model::ImportBlockerMap(ws, e.path().string(), "local:bench"));
    }
  }
  authority::GrantRequest req;
  req.action = "apply";
  req.scope = "clone";
  req.expires_in = "30d";
  Must(authority::IssueGrant(ws, req, owner));
  auto t_fill = Clock::now();
  auto head = Must(ws.ledger->ReadHead());
  for (int64_t i = head.seq; i < events; ++i) {
    if (i % 1000 == 0) {  // other grants accumulate too
      authority::GrantRequest other = req;
      other.action = "snapshot";
      Must(authority::IssueGrant(ws, other, owner));
    } else {
      Must(AppendEvidence(ws, static_cast<int>(i)));
    }
  }
  double fill_secs = std::chrono::duration<double>(Clock::now() - t_fill).count();
  head = Must(ws.ledger->ReadHead());

  std::vector<double> allow_ms, hold_ms, process_ms;
  for (int i = 0; i < 30; ++i) {
    auto t0 = Clock::now();
    auto d = Must(authority::CheckGate(ws, {"apply", "clone", "", "", ""}));
    allow_ms.push_back(Ms(Clock::now() - t0));
    if (!d.allow) Die(Status::Internal("the bench's grant did not allow: " + d.reasons[0].message));
    t0 = Clock::now();
    auto h =
        Must(authority::CheckGate(ws, {"cutover", "production", std::string(64, 'c'), "", ""}));
    hold_ms.push_back(Ms(Clock::now() - t0));
    if (h.allow) Die(Status::Internal("cutover in production was allowed"));
    std::string cmd = fmt::format(
        "{} --workspace {} gate check --action apply --scope clone >/dev/null", binary, root);
    t0 = Clock::now();
    int rc = std::system(cmd.c_str());
    process_ms.push_back(Ms(Clock::now() - t0));
    if (rc != 0) Die(Status::Internal("prodgate gate check did not allow"));
  }

  double share = 100.0 * ledger_rate / raw_rate;
  fmt::print("ledger benchmark ({} events in the gate ledger; {} appends per side)\n\n", head.seq,
             appends);
  fmt::print("{:<44} {:>12}   {}\n", "", "value", "target");
  fmt::print("{:<44} {:>12.0f}\n", "raw SQLite insert, synchronous=FULL  /s", raw_rate);
  fmt::print("{:<44} {:>12.0f}\n", "ledger append, synchronous=FULL      /s", ledger_rate);
  fmt::print("{:<44} {:>11.1f}%   >= 50 %{}\n", "ledger append as a share of raw", share,
             share < 50 ? " MISSED" : "");
  fmt::print("{:<44} {:>12.3f}   <= 10 ms{}\n", "gate check ALLOW, in process, median  ms",
             Median(allow_ms), Median(allow_ms) > 10 ? " MISSED" : "");
  fmt::print("{:<44} {:>12.3f}   <= 10 ms{}\n", "gate check HOLD (7 blockers), median  ms",
             Median(hold_ms), Median(hold_ms) > 10 ? " MISSED" : "");
  fmt::print("{:<44} {:>12.3f}   (info: process start, config, open)\n",
             "prodgate gate check, whole process    ms", Median(process_ms));
  fmt::print("{:<44} {:>12.1f}   (info)\n", "filling the ledger                    s", fill_secs);
  fs::remove_all(dir);
  return 0;
}
