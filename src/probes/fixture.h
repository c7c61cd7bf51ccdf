// The scratch fixture one probe (or the control) works in, and the steps it takes there.
// Internal to probes/.
//
// A fixture is a directory holding a copy of the suite's template workspace: .prodgate/
// (initialized, every key below trusted) and the keys keys/{alice,bob}.pem (owners),
// keys/carol.pem (operator), keys/agent.pem (agent), each with its NAME.pub.json. Commands
// run with the fixture as working directory. Every output is kept for the token scan.
//
// Steps:
//   Setup    a command that must succeed (exit 0) to build the fixture; if it does not, the
//            probe cannot show a refusal and is LEAKED ("fixture: …");
//   Refused  the attack: a command that must be refused (probes/classify.h);
//   Require  a fact about the state after a refusal (nothing ran, nothing changed).
// After the first failing step the others are skipped.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/process.h"
#include "probes/classify.h"

namespace prodgate::probes {

// Fake secrets of real shapes, planted in fixtures: random characters, never credentials.
struct PlantedSecrets {
  static constexpr const char* kAwsKeyId = "AKIAQ3EGVP7XKZ5MNB2R";
  static constexpr const char* kGithubToken = "ghp_R7mK2pQ9xW4vN8tL3sY6uJ1hB5cF0dGzA2eX";
  // The base64 body of a (fake) PEM private key: what must never be printed.
  static constexpr const char* kPemBody =
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7q3Zp9XkL2mNvR8tY4wQeHj6sUaF1bD0cGi";
  // The PEM as planted: header, body, footer.
  static std::string Pem();
};

// The forbidden tokens of a private key file: its PEM body, and the part of it that only
// the key's secret bytes make (so a partial print is caught too).
std::vector<ForbiddenToken> KeyMaterialTokens(const std::string& who, const std::string& pem);

class Fixture {
 public:
  Fixture(std::string dir, std::vector<ForbiddenToken> tokens);

  const std::string& dir() const { return dir_; }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }
  std::string Key(const std::string& who) const { return Path("keys/" + who + ".pem"); }

  // Runs `prodgate args` here and keeps its output. nullopt when it could not be started.
  std::optional<ProcessResult> Run(std::vector<std::string> args,
                                   const std::map<std::string, std::string>& env = {});

  // A fixture step that must exit 0. Returns its result, or nullopt (the probe is broken).
  std::optional<ProcessResult> Setup(const std::string& what, std::vector<std::string> args);
  // The attack: must be refused with one of `exit_codes`, naming every reason.
  std::optional<ProcessResult> Refused(const std::string& what, std::vector<std::string> args,
                                       std::vector<int> exit_codes,
                                       std::vector<std::string> reasons,
                                       const std::map<std::string, std::string>& env = {});
  // A fact after the refusal; false records `detail` as the leak.
  bool Require(bool fact, const std::string& detail);
  // The fixture could not be built (a file, a database edit): the probe is broken.
  bool Broken(const std::string& detail);
  bool Check(const Status& s, const std::string& what);

  // File helpers (relative to the fixture). Failures mark the fixture broken.
  bool Write(const std::string& rel, const std::string& text, unsigned mode = 0644);
  std::string Read(const std::string& rel);
  // Runs SQL on a SQLite file with the C API, behind prodgate's back.
  bool Sql(const std::string& rel_db, const std::string& sql);

  // Building blocks many probes share.
  // examples/fix7/ (compiled into the binary) written to fix7/.
  bool WriteExamples();
  // A FIX7 surrogate at scale 1 (about 1.5 k rows, with the clone marker).
  bool MakeClone(const std::string& rel_db, const std::string& seed = "7");
  // production.db (a surrogate with a marker: only its identity gives it away), named in
  // config.toml as [[production]] "directus-prod", accepted by an owner.
  bool AddProduction();
  // `grant issue ARGS --key keys/alice.pem`; returns the grant id or "".
  std::string Issue(std::vector<std::string> args, const std::string& who = "alice");
  std::string LedgerHead();  // `ledger head` output, "" on error
  // The kinds of the events after `head` (a LedgerHead output), in order.
  std::vector<std::string> KindsAfter(const std::string& head);
  std::string DbRoot(const std::string& rel_db);  // `db hash` root, "" on error
  std::string KeyId(const std::string& who);      // from keys/WHO.pub.json

  bool ok() const { return failure_.empty(); }
  // The outcome: FAILED_CLOSED iff every step went as it must and no token leaked.
  bool failed_closed() const;
  std::string detail() const;
  void SetSummary(std::string s) { summary_ = std::move(s); }
  void AddToken(ForbiddenToken t) { tokens_.push_back(std::move(t)); }
  int outputs() const { return static_cast<int>(outputs_.size()); }

  struct Leak {
    std::string token, command;
  };
  // Scans every kept output against the tokens (those added late included).
  std::vector<Leak> ScanOutputs() const;

 private:
  struct Output {
    std::string command, text;
  };
  std::string dir_;
  std::vector<ForbiddenToken> tokens_;
  std::vector<Output> outputs_;
  std::vector<std::string> refusals_;  // what each refusal showed, for the detail line
  std::string failure_;
  std::string summary_;
};

}  // namespace prodgate::probes
