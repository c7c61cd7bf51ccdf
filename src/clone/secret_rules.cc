#include "clone/secret_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace prodgate::clone {
namespace {

// Builders keep the table below one line of intent per rule.
SecretRule Whole(std::string id, std::string description, std::string pattern, double entropy) {
  SecretRule r;
  r.id = std::move(id);
  r.description = std::move(description);
  r.pattern = std::move(pattern);
  r.min_entropy = entropy;
  return r;
}

SecretRule Assignment(std::string id, std::string description, std::string pattern,
                      double entropy) {
  SecretRule r = Whole(std::move(id), std::move(description), std::move(pattern), entropy);
  r.caseless = true;
  r.part = SecretPart::kAssignment;
  r.reject_placeholders = true;
  return r;
}

std::vector<SecretRule> MakeRules() {
  std::vector<SecretRule> rules;
  {
    SecretRule r = Whole("aws-access-key-id", "AWS access key id",
                         R"(\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b)", 3.0);
    r.reject_suffix = "EXAMPLE";
    rules.push_back(r);
  }
  {
    SecretRule r = Assignment(
        "aws-secret-access-key", "AWS secret access key in an assignment",
        R"(aws_?(?:secret_?access_?key|secret_?key)["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40})", 4.0);
    r.exact_length = 40;
    rules.push_back(r);
  }
  rules.push_back(Whole("gcp-service-account-key", "Google Cloud service-account key JSON",
                        R"("private_key_id"\s*:\s*"[a-f0-9]{40}")", 3.0));
  rules.push_back(Whole("azure-storage-account-key", "Azure storage account key",
                        R"([Aa]ccount[Kk]ey=[A-Za-z0-9+/]{86}==)", 4.5));
  rules.push_back(
      Whole("github-pat", "GitHub personal access token (classic)", R"(ghp_[A-Za-z0-9]{36})", 3.5));
  rules.push_back(
      Whole("github-oauth-token", "GitHub OAuth access token", R"(gho_[A-Za-z0-9]{36})", 3.5));
  rules.push_back(Whole("github-app-token",
                        "GitHub App user-to-server, server-to-server or refresh token",
                        R"((?:ghu|ghs|ghr)_[A-Za-z0-9]{36})", 3.5));
  rules.push_back(Whole("github-fine-grained-pat", "GitHub fine-grained personal access token",
                        R"(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})", 3.5));
  rules.push_back(
      Whole("gitlab-pat", "GitLab personal access token", R"(glpat-[A-Za-z0-9_\-]{20})", 3.0));
  rules.push_back(Whole("slack-token", "Slack bot, user or app token",
                        R"(xox[abposr]-(?:[0-9]{8,13}-){1,3}[A-Za-z0-9]{24,34})", 3.0));
  rules.push_back(Whole(
      "slack-webhook", "Slack incoming webhook URL",
      R"(https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{8,12}/[A-Z0-9]{8,12}/[A-Za-z0-9]{20,})",
      3.0));
  rules.push_back(Whole("stripe-live-key", "Stripe live secret or restricted key",
                        R"((?:sk|rk)_live_[A-Za-z0-9]{24,99})", 3.5));
  rules.push_back(Whole("twilio-api-key", "Twilio API key SID", R"(\bSK[0-9a-f]{32}\b)", 3.0));
  rules.push_back(Whole("sendgrid-api-key", "SendGrid API key",
                        R"(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})", 3.5));
  rules.push_back(Whole("npm-token", "npm access token", R"(npm_[A-Za-z0-9]{36})", 3.5));
  rules.push_back(Whole(
      "private-key-pem", "PEM private key (PKCS#1, PKCS#8, EC, DSA, encrypted)",
      R"(-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?:\s|\\[rn])+(?:Proc-Type:|[A-Za-z0-9+/]{16}))",
      0));
  rules.push_back(Whole("openssh-private-key", "OpenSSH private key",
                        R"(-----BEGIN OPENSSH PRIVATE KEY-----(?:\s|\\[rn])+[A-Za-z0-9+/]{16})",
                        0));
  rules.push_back(Whole(
      "pgp-private-key", "PGP private key block",
      R"(-----BEGIN PGP PRIVATE KEY BLOCK-----(?:\s|\\[rn])+(?:[A-Z][a-z]+:|[A-Za-z0-9+/]{16}))",
      0));
  rules.push_back(Whole("putty-private-key", "PuTTY private key file",
                        R"(PuTTY-User-Key-File-[23]: [a-z0-9\-]+)", 0));
  rules.push_back(Whole("age-secret-key", "age encryption secret key",
                        R"(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})", 3.0));
  rules.push_back(Whole("jwt", "JSON Web Token",
                        R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,})",
                        3.5));
  {
    SecretRule r = Whole(
        "connection-string-password", "password in a connection string (scheme://user:pass@host)",
        R"(\b[A-Za-z][A-Za-z0-9+.\-]+://[^\s:/@\x00"'<>]+:[^\s:/@\x00"']{3,}@[A-Za-z0-9\[])", 0);
    r.part = SecretPart::kUrlPassword;
    r.reject_placeholders = true;
    rules.push_back(r);
  }
  rules.push_back(Assignment(
      "password-assignment", "password assigned in configuration, JSON or a connection string",
      R"((?:password|passwd|\bpwd|\bpass|_pass)["']?\s*[:=]\s*["']?[^\s"'\x00,;&]{8,})", 2.5));
  rules.push_back(Assignment(
      "generic-secret-assignment", "high-entropy secret, token or API key in an assignment",
      R"((?:secret(?:[_\-]?key)?|api[_\-]?key|apikey|access[_\-]?key|auth[_\-]?token|access[_\-]?token|client[_\-]?secret|private[_\-]?key|token)["']?\s*[:=]\s*["']?[A-Za-z0-9_\-+/=.~]{16,})",
      3.5));
  {
    SecretRule r =
        Whole("bearer-token", "bearer token in an Authorization header",
              R"(\bauthorization["']?\s*[:=]\s*["']?bearer\s+[A-Za-z0-9_\-.~+/]{20,})", 3.0);
    r.caseless = true;
    r.part = SecretPart::kAfterSpace;
    r.reject_placeholders = true;
    rules.push_back(r);
  }
  rules.push_back(Assignment(
      "directus-static-token", "Directus static token (setting, or access_token in a URL)",
      R"((?:directus[_\-]?(?:static[_\-]?|admin[_\-]?)?token|[?&]access_token)["']?\s*[:=]\s*["']?[A-Za-z0-9_\-]{16,})",
      3.0));
  rules.push_back(Whole("google-api-key", "Google API key", R"(AIza[0-9A-Za-z_\-]{35})", 3.0));
  rules.push_back(Whole("google-oauth-client-secret", "Google OAuth client secret",
                        R"(GOCSPX-[A-Za-z0-9_\-]{28})", 3.0));
  rules.push_back(Whole("openai-api-key", "OpenAI API key",
                        R"(sk-(?:proj-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})", 3.5));
  rules.push_back(Whole("anthropic-api-key", "Anthropic API key",
                        R"(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,})", 3.5));
  rules.push_back(
      Whole("vault-token", "HashiCorp Vault service token", R"(\bhvs\.[A-Za-z0-9_\-]{24,})", 3.5));
  rules.push_back(
      Whole("digitalocean-token", "DigitalOcean token", R"(\bdo[por]_v1_[a-f0-9]{64})", 3.0));
  rules.push_back(
      Whole("shopify-token", "Shopify access token", R"(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})", 3.0));
  rules.push_back(Whole(
      "password-hash",
      "bcrypt or Argon2 password hash (a real user's hash does not belong in a clone)",
      R"(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,})",
      0));
  return rules;
}

}  // namespace

const std::vector<SecretRule>& DefaultSecretRules() {
  static const std::vector<SecretRule> rules = MakeRules();
  return rules;
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0, n = static_cast<double>(s.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

bool LooksLikePlaceholder(std::string_view secret) {
  if (secret.size() < 3) return true;
  if (std::all_of(secret.begin(), secret.end(), [&](char c) { return c == secret[0]; })) {
    return true;
  }
  std::string lower(secret);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* const kExact[] = {"password", "passwd", "pass", "secret",    "changeme", "pwd",
                                       "token",    "null",   "none", "undefined", "redacted"};
  for (const char* w : kExact) {
    if (lower == w) return true;
  }
  static const char* const kContains[] = {"${",      "{{",          "<",        ">",        "%s",
                                          "example", "placeholder", "changeme", "redacted", "your_",
                                          "your-",   "xxxx",        "****",     "dummy"};
  for (const char* w : kContains) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace prodgate::clone
