// The secret check over a database: planted secrets are found where they are, and the
// findings never contain them.
#include "clone/secret_check.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::clone {
namespace {

using db::testing::Sql;

// Synthetic secrets of the right shapes (random characters, not real credentials).
const std::string kGithub = "ghp_R7mK2pQ9xW4vN8tL3sY6uJ1hB5cF0dGzA2eX";
const std::string kAws = "AKIAQ3EGVP7XKZ5MNB2R";
const std::string kSlackHook =
    "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/Zq8Xv2Lm4Np6Rt0Yw3Ks5Hd7";
const std::string kConn = "postgres://app_user:S3cr3t-Pa55w0rd@db.internal:5432/app";
const std::string kToken = "Xk29fPq8LmZ3vRt7WnB4yHc6JdG1sAe5";  // opaque: no known prefix

class SecretCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SecretScanner::Compile(DefaultSecretRules());
    ASSERT_TRUE(s.ok());
    scanner_ = std::move(*s);
  }
  CheckOutcome Run(const std::string& sql, bool raw = false, std::string* path_out = nullptr) {
    std::string p = dir_ / ("x" + std::to_string(++runs_) + ".db");
    Sql(p, sql);
    if (path_out) *path_out = p;
    auto db = db::OpenTarget("sqlite:" + p, db::OpenMode::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto out = CheckSecrets(**db, *scanner_, {raw});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : CheckOutcome{};
  }
  prodgate::testing::ScratchDir dir_;
  std::unique_ptr<SecretScanner> scanner_;
  int runs_ = 0;
};

TEST_F(SecretCheckTest, ACleanDatabasePasses) {
  CheckOutcome out =
      Run("CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT, token TEXT, note TEXT);"
          "INSERT INTO users VALUES (1, 'ada.abe.1@example.com', NULL, 'password: see the vault'),"
          "  (2, 'alan.bauer.2@example.com', 'short', 'token_type=bearer');");
  EXPECT_EQ(out.state, CheckState::kPass);
  EXPECT_TRUE(out.findings.empty()) << out.findings[0].message;
  EXPECT_EQ(out.facts["values"], 6);
}

TEST_F(SecretCheckTest, PlantedSecretsAreFoundWhereTheyAre) {
  CheckOutcome out =
      Run("CREATE TABLE users(id INTEGER PRIMARY KEY, bio TEXT, avatar BLOB, token TEXT);"
          "INSERT INTO users VALUES (1, 'nothing here', NULL, NULL),"
          "  (7, 'my token is " +
          kGithub +
          " # gitleaks:allow', NULL, NULL),"
          "  (9, NULL, CAST('" +
          kConn + "' AS BLOB), '" + kToken +
          "');"
          "CREATE TABLE notes(body TEXT);"  // keyless: rows are named by rowid
          "INSERT INTO notes VALUES ('hook " +
          kSlackHook +
          "');"
          "CREATE TABLE config(k TEXT DEFAULT '" +
          kAws + "');");
  std::vector<std::string> got;
  for (const auto& f : out.findings) {
    got.push_back(f.rule + " " + f.where["table"].get<std::string>() + "." +
                  f.where["column"].get<std::string>() + " " + f.where["key"].get<std::string>());
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "aws-access-key-id sqlite_schema.sql name='config'",
                     "connection-string-password users.avatar id=9",
                     "credential-column users.token id=9",
                     "github-pat users.bio id=7",
                     "slack-webhook notes.body rowid=1",
                 }));
  for (const auto& f : out.findings) {
    if (f.rule == "github-pat") {
      EXPECT_EQ(f.where["offset"], 12);
      EXPECT_EQ(f.where["length"], kGithub.size());
    }
  }
  EXPECT_EQ(out.state, CheckState::kFail);
}

TEST_F(SecretCheckTest, FindingsNeverContainTheSecret) {
  CheckOutcome out =
      Run("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, api_key TEXT);"
          "INSERT INTO t VALUES (1, '" +
          kGithub + "', '" + kToken + "'), (2, '" + kConn + "', NULL);");
  ASSERT_EQ(out.findings.size(), 3u);
  for (const auto& f : out.findings) {
    std::string text = f.message + f.fix + f.where.dump();
    for (const std::string& secret : {kGithub, kToken, kConn, std::string("S3cr3t-Pa55w0rd")}) {
      for (size_t i = 0; i + 8 <= secret.size(); ++i) {
        ASSERT_EQ(text.find(secret.substr(i, 8)), std::string::npos)
            << "a finding shows part of a secret: " << text;
      }
    }
  }
}

TEST_F(SecretCheckTest, AKeyThatHoldsASecretIsWithheld) {
  CheckOutcome out =
      Run("CREATE TABLE tokens(token TEXT PRIMARY KEY NOT NULL, owner TEXT) WITHOUT ROWID;"
          "INSERT INTO tokens VALUES ('" +
          kGithub + "', 'ada'), ('plain-key', 'x " + kAws + "');");
  ASSERT_EQ(out.findings.size(), 3u);  // github-pat and credential-column on the key; aws in owner
  for (const auto& f : out.findings) {
    std::string key = f.where["key"];
    if (f.where["column"] == "token") {
      EXPECT_NE(key.find("withheld"), std::string::npos) << key;
      EXPECT_EQ(key.find("ghp_"), std::string::npos) << key;
    } else {
      EXPECT_EQ(key, "token='plain-key'");  // control: an innocent key is shown
    }
  }
}

TEST_F(SecretCheckTest, EngineTablesAreScannedToo) {
  // ANALYZE's tables hold samples of indexed values (sqlite_stat4 where compiled in): they
  // are read like any table, though the logical hash leaves them out.
  CheckOutcome out =
      Run("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v);"
          "INSERT INTO t VALUES (1, 'x'); ANALYZE;");
  EXPECT_EQ(out.facts["tables"], 2);  // t and sqlite_stat1
}

TEST_F(SecretCheckTest, RawScanSeesDeletedRowsThatALogicalReadCannot) {
  std::string sql =
      "PRAGMA secure_delete = OFF;"
      "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
      "INSERT INTO t VALUES (1, 'keep'), (2, 'x " +
      kGithub +
      "');"
      "DELETE FROM t WHERE id = 2;";
  CheckOutcome logical = Run(sql);
  EXPECT_TRUE(logical.findings.empty());  // the row is gone for every SELECT
  EXPECT_FALSE(logical.note.empty());     // …and the report says what it did not see
  CheckOutcome raw = Run(sql, true);
  ASSERT_EQ(raw.findings.size(), 1u);
  EXPECT_EQ(raw.findings[0].rule, "github-pat");
  EXPECT_TRUE(raw.findings[0].where.contains("file"));
}

TEST(SecretCheck, ZeroRulesIsRefused) {
  auto s = SecretScanner::Compile({});
  EXPECT_FALSE(s.ok());
}

TEST(SecretCheck, CredentialColumnNames) {
  for (const char* c : {"password", "db_passwd", "client_secret", "token", "API_KEY", "apikey",
                        "access_key_id", "private_key"}) {
    EXPECT_TRUE(IsCredentialColumn(c)) << c;
  }
  for (const char* c : {"email", "status", "object_id", "blueprint_sha256", "keyword"}) {
    EXPECT_FALSE(IsCredentialColumn(c)) << c;
  }
}

}  // namespace
}  // namespace prodgate::clone
