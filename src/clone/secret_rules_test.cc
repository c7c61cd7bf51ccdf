// Every default secret rule, with true positives that must be found and false positives that
// must not (the gitleaks rule-testing pattern). Synthetic secrets only: random characters of
// the right shape, made here, never real credentials.
#include "clone/secret_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "clone/secret_scan.h"

namespace prodgate::clone {
namespace {

// Deterministic random strings over an alphabet (splitmix64), so the vectors are stable.
std::string Random(std::string_view alphabet, size_t n, uint64_t seed) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    out.push_back(alphabet[z % alphabet.size()]);
  }
  return out;
}
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kAlnumDash =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kHex = "0123456789abcdef";
std::string Alnum(size_t n, uint64_t s = 1) { return Random(kAlnum, n, s); }
std::string AlnumDash(size_t n, uint64_t s = 2) { return Random(kAlnumDash, n, s); }
std::string B64(size_t n, uint64_t s = 3) { return Random(kBase64, n, s); }
std::string Hex(size_t n, uint64_t s = 4) { return Random(kHex, n, s); }

struct Vectors {
  std::vector<std::string> found;      // true positives
  std::vector<std::string> not_found;  // false positives
};

std::map<std::string, Vectors> AllVectors() {
  std::map<std::string, Vectors> v;
  v["aws-access-key-id"] = {{"key=AKIAQ3EGVP7XKZ5MNB2R;", "ASIAY34FZKBOKMUTVV7A"},
                            {"AKIAIOSFODNN7EXAMPLE", "AKIAAAAAAAAAAAAAAAAA",
                             "xAKIAQ3EGVP7XKZ5MNB2R", "AKIAQ3EGVP7XKZ5MNB2"}};
  v["aws-secret-access-key"] = {
      {"aws_secret_access_key = \"" + B64(40) + "\"", "AWS_SECRET_KEY: " + B64(40, 9)},
      {"aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
       "aws_secret_access_key=" + std::string(40, 'A'), "aws_secret_access_key=" + B64(41)}};
  v["gcp-service-account-key"] = {
      {"{\"type\": \"service_account\", \"private_key_id\": \"" + Hex(40) + "\"}"},
      {"\"private_key_id\": \"\"", "\"private_key_id\": \"" + std::string(40, '0') + "\""}};
  v["azure-storage-account-key"] = {
      {"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + B64(86) + "==;"},
      {"AccountKey=" + std::string(86, 'A') + "==", "AccountKey=<your key>"}};
  v["github-pat"] = {{"ghp_" + Alnum(36)}, {"ghp_" + std::string(36, '0'), "ghp_short"}};
  v["github-oauth-token"] = {{"gho_" + Alnum(36, 5)}, {"gho_" + std::string(36, 'a')}};
  v["github-app-token"] = {{"ghs_" + Alnum(36, 6), "ghu_" + Alnum(36, 7)},
                           {"ghx_" + Alnum(36), "ghs_" + Alnum(20)}};
  v["github-fine-grained-pat"] = {{"github_pat_" + Alnum(22) + "_" + Alnum(59, 8)},
                                  {"github_pat_" + Alnum(22), "github_pat_short"}};
  v["gitlab-pat"] = {{"glpat-" + AlnumDash(20)}, {"glpat-xxxxxxxxxxxxxxxxxxxx", "glpat-short"}};
  v["slack-token"] = {{"xoxb-1234567890123-1234567890123-" + Alnum(24)},
                      {"xoxb-123-abc", "xoxb-0000000000-0000000000-aaaaaaaaaaaaaaaaaaaaaaaa"}};
  v["slack-webhook"] = {{"https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/" + Alnum(24)},
                        {"https://hooks.slack.com/services/",
                         "https://example.com/services/T0ABCDEF1/B0ABCDEF2/" + Alnum(24)}};
  v["stripe-live-key"] = {{"sk_live_" + Alnum(24), "rk_live_" + Alnum(30, 9)},
                          {"sk_test_" + Alnum(24), "sk_live_" + std::string(24, '0')}};
  v["twilio-api-key"] = {{"SK" + Hex(32)}, {"SK" + std::string(32, '0'), "SKU" + Hex(32)}};
  v["sendgrid-api-key"] = {{"SG." + AlnumDash(22) + "." + AlnumDash(43, 11)}, {"SG.short.x"}};
  v["npm-token"] = {{"npm_" + Alnum(36)}, {"npm_" + std::string(36, 'a')}};
  v["private-key-pem"] = {
      {"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x" + B64(40),
       "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0" + B64(20) +
           "\"}",
       "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"},
      {"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A",
       "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkq",
       "-----BEGIN PRIVATE KEY-----"}};
  v["openssh-private-key"] = {
      {"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU" + B64(30)},
      {"-----BEGIN OPENSSH PUBLIC KEY-----",
       "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + B64(40) + " a@b"}};
  v["pgp-private-key"] = {{"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF" + B64(40)},
                          {"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF" + B64(40)}};
  v["putty-private-key"] = {{"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none"},
                            {"convert it to a PuTTY-User-Key-File first"}};
  v["age-secret-key"] = {
      {"AGE-SECRET-KEY-1" + Random("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 12)},
      {"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "AGE-SECRET-KEY-1SHORT"}};
  v["jwt"] = {{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + AlnumDash(43)},
              {"eyJhbGciOiJIUzI1NiJ9", "eyJ.eyJ.x"}};
  v["connection-string-password"] = {
      {"postgres://app_user:S3cr3t-Pa55w0rd@db.internal:5432/app",
       "DATABASE_URL=mysql://root:hunter2xyz@10.0.0.5/db"},
      {"postgres://app_user@db.internal/app", "postgres://user:${DB_PASSWORD}@db/app",
       "https://user:password@example.com/", "redis://:@localhost:6379", "postgres://u:****@db/x"}};
  v["password-assignment"] = {
      {"password=Tr0ub4dor&3x", "{\"password\": \"hunter2hunter2\"}",
       "DB_PASSWORD=correct-horse-battery", "Server=db;User Id=sa;Password=Zx9!vQ2#kL;"},
      {"password=********", "password: changeme", "password=${DB_PASSWORD}", "{\"password\": \"\"}",
       "password_reset_sent_at=2024-01-01", "passwordless=true", "password=aaaaaaaaaa",
       "bypass=0123456789abc"}};
  v["generic-secret-assignment"] = {
      {"api_key=" + Alnum(32, 13), "{\"client_secret\": \"" + Alnum(40, 14) + "\"}",
       "SECRET_KEY=" + B64(50, 15)},
      {"api_key=YOUR_API_KEY_GOES_HERE", "token=aaaaaaaaaaaaaaaaaaaaaaaa",
       "secret=abcdabcdabcdabcd", "token_type=bearer"}};
  v["bearer-token"] = {{"Authorization: Bearer " + AlnumDash(40, 16)},
                       {"Authorization: Bearer <token>", "Authorization: Basic dXNlcjpwYXNz"}};
  v["directus-static-token"] = {
      {"DIRECTUS_STATIC_TOKEN=" + Alnum(32, 17),
       "https://cms.example.com/items/births?access_token=" + Alnum(32, 18)},
      {"?access_token=" + std::string(32, 'x'), "directus_token=changeme_changeme"}};
  v["google-api-key"] = {{"AIza" + AlnumDash(35)}, {"AIza" + std::string(35, 'A')}};
  v["google-oauth-client-secret"] = {{"GOCSPX-" + AlnumDash(28)}, {"GOCSPX-short"}};
  v["openai-api-key"] = {{"sk-proj-" + Alnum(20) + "T3BlbkFJ" + Alnum(20, 19)},
                         {"sk-" + Alnum(48)}};
  v["anthropic-api-key"] = {{"sk-ant-api03-" + AlnumDash(93) + "AA"}, {"sk-ant-api03-short"}};
  v["vault-token"] = {{"hvs." + Alnum(90)}, {"hvs.short", "hvs." + std::string(30, 'a')}};
  v["digitalocean-token"] = {{"dop_v1_" + Hex(64)}, {"dop_v1_" + std::string(64, '0')}};
  v["shopify-token"] = {{"shpat_" + Hex(32)}, {"shpat_" + std::string(32, '0')}};
  v["password-hash"] = {
      {"$2b$12$" +
           Random("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 53, 20),
       "$argon2id$v=19$m=65536,t=3,p=4$" + B64(22) + "$" + B64(43, 21)},
      {"$2b$12$short", "$argon2id$v=19$"}};
  return v;
}

class SecretRules : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SecretScanner::Compile(DefaultSecretRules());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    scanner_ = std::move(*s);
  }
  // The ids of the rules that find a secret in `value`.
  std::set<std::string> RulesFound(const std::string& value) {
    std::set<std::string> ids;
    for (const auto& m : scanner_->ScanValue(value)) {
      ids.insert(scanner_->rules()[m.rule].id);
      // Every default rule compiles with start-of-match: a located match has a length.
      EXPECT_GT(m.length, 0u) << scanner_->rules()[m.rule].id;
    }
    return ids;
  }
  std::unique_ptr<SecretScanner> scanner_;
};

TEST_F(SecretRules, AtLeastTwentyKindsEachWithVectors) {
  const auto& rules = DefaultSecretRules();
  EXPECT_GE(rules.size(), 20u);
  auto vectors = AllVectors();
  for (const auto& r : rules) {
    auto it = vectors.find(r.id);
    ASSERT_NE(it, vectors.end()) << "rule " << r.id << " has no test vectors";
    EXPECT_FALSE(it->second.found.empty()) << r.id;
    EXPECT_FALSE(it->second.not_found.empty()) << r.id;
  }
  EXPECT_EQ(vectors.size(), rules.size()) << "vectors for a rule that does not exist";
}

TEST_F(SecretRules, TruePositivesAreFound) {
  for (const auto& [id, v] : AllVectors()) {
    for (const auto& tp : v.found) {
      EXPECT_TRUE(RulesFound(tp).count(id)) << "rule " << id << " missed: " << tp;
      // The same secret inside a longer text, between other values.
      EXPECT_TRUE(RulesFound("note: " + tp + "\nend").count(id)) << id << " in context: " << tp;
    }
  }
}

TEST_F(SecretRules, FalsePositivesAreNotFound) {
  for (const auto& [id, v] : AllVectors()) {
    for (const auto& fp : v.not_found) {
      EXPECT_FALSE(RulesFound(fp).count(id)) << "rule " << id << " fired on: " << fp;
    }
  }
}

TEST_F(SecretRules, SuppressionMarkersInTheDataAreIgnored) {
  for (const auto& [id, v] : AllVectors()) {
    const std::string& tp = v.found[0];
    for (const char* marker : {" # gitleaks:allow", " // nosec", " # pragma: allowlist secret",
                               " trufflehog:ignore", " #nosec G101", " -- noqa"}) {
      EXPECT_TRUE(RulesFound(tp + marker).count(id)) << id << " suppressed by" << marker;
      EXPECT_TRUE(RulesFound(std::string(marker) + "\n" + tp).count(id)) << id << marker;
    }
  }
}

TEST_F(SecretRules, NoMatchSpansTwoValuesOfABatch) {
  // The batch joins values with NUL; a secret cut in two must not be reassembled, and each
  // secret must be reported against its own value.
  std::string tp = "ghp_" + Alnum(36);
  SecretScanner::Batch batch(*scanner_);
  batch.Add("first value", 1);
  batch.Add(tp.substr(0, 20), 2);
  batch.Add(tp.substr(20), 3);
  batch.Add("x " + tp, 4);
  batch.Add("", 5);
  batch.Add("AKIAQ3EGVP7XKZ5MNB2R", 6);
  std::vector<std::pair<uint64_t, SecretMatch>> got;
  batch.Flush([&](uint64_t tag, const SecretMatch& m) { got.emplace_back(tag, m); });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, 4u);
  EXPECT_EQ(got[0].second.offset, 2u);
  EXPECT_EQ(got[0].second.length, tp.size());
  EXPECT_EQ(got[1].first, 6u);
  EXPECT_EQ(got[1].second.offset, 0u);
}

TEST_F(SecretRules, EachSecretIsReportedOnce) {
  std::string value = "token=" + Alnum(64, 30) + " and again token=" + Alnum(64, 31);
  auto matches = scanner_->ScanValue(value);
  size_t generic = 0;
  for (const auto& m : matches)
    generic += scanner_->rules()[m.rule].id == "generic-secret-assignment";
  EXPECT_EQ(generic, 2u);
}

TEST(SecretScanner, ARuleWithoutStartOfMatchStillReports) {
  // Bounded repeats this large compile without start-of-match but not with it ("Pattern is
  // too large"): the match must still be reported, at its end, rather than dropped.
  SecretRule r;
  r.id = "wide";
  r.pattern = R"(key[^\s:/@\x00]{1,64}:[^\s:/@\x00]{3,128}@[A-Za-z0-9.]{1,255})";
  auto s = SecretScanner::Compile({r});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto m = (*s)->ScanValue("xx keyuser:pass1234@host.example");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].length, 0u);
  EXPECT_GT(m[0].offset, 0u);
  EXPECT_TRUE((*s)->ScanValue("nothing to see").empty());  // control
}

TEST(SecretScanner, ZeroRulesIsAFailureNotAPass) {
  auto s = SecretScanner::Compile({});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().ToString().find("no rules"), std::string::npos);
}

TEST(SecretScanner, ABrokenRuleNamesItself) {
  SecretRule r;
  r.id = "broken";
  r.pattern = "(unclosed";
  auto s = SecretScanner::Compile({r});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().what().find("broken"), std::string::npos);
}

TEST(SecretHelpers, EntropyAndPlaceholders) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcd"), 2);
  EXPECT_TRUE(LooksLikePlaceholder("${DB_PASSWORD}"));
  EXPECT_TRUE(LooksLikePlaceholder("<password>"));
  EXPECT_TRUE(LooksLikePlaceholder("********"));
  EXPECT_TRUE(LooksLikePlaceholder("changeme"));
  EXPECT_FALSE(LooksLikePlaceholder("Zx9!vQ2#kL"));
}

}  // namespace
}  // namespace prodgate::clone
