#include "probes/classify.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace prodgate::probes {

bool ShowsProductionAllow(const std::string& text) {
  // The text rendering of the gate: "ALLOW apply in production, change …" at a line start.
  static const std::regex text_allow(R"((^|\n)[ \t]*ALLOW [^\s]+ in production)");
  // The JSON rendering: "verdict":"ALLOW" and "scope":"production…" in one document.
  static const std::regex json_allow(R"("verdict"\s*:\s*"ALLOW")");
  static const std::regex json_scope(R"("scope"\s*:\s*"production)");
  if (std::regex_search(text, text_allow)) return true;
  return std::regex_search(text, json_allow) && std::regex_search(text, json_scope);
}

std::vector<std::string> FindForbidden(const std::string& text,
                                       const std::vector<ForbiddenToken>& tokens) {
  std::vector<std::string> found;
  for (const auto& t : tokens) {
    bool hit = t.kind == ForbiddenToken::Kind::kProductionAllow
                   ? ShowsProductionAllow(text)
                   : !t.bytes.empty() && text.find(t.bytes) != std::string::npos;
    if (hit && std::find(found.begin(), found.end(), t.name) == found.end()) {
      found.push_back(t.name);
    }
  }
  return found;
}

Classification Classify(const Expectation& expect, const Observation& seen,
                        const std::vector<ForbiddenToken>& tokens) {
  Classification c;
  std::string all = seen.out + seen.err;
  auto leaked = FindForbidden(all, tokens);
  if (!leaked.empty()) {
    c.detail = fmt::format("printed a forbidden token: {}", fmt::join(leaked, ", "));
    return c;
  }
  if (seen.exit_code == 0) {
    c.detail = "let through: exit 0";
    return c;
  }
  bool expected_code = std::find(expect.exit_codes.begin(), expect.exit_codes.end(),
                                 seen.exit_code) != expect.exit_codes.end();
  if (!expected_code) {
    c.detail = fmt::format("exit {}, but a refusal here exits {}", seen.exit_code,
                           fmt::join(expect.exit_codes, " or "));
    return c;
  }
  std::vector<std::string> missing;
  for (const auto& r : expect.reasons) {
    if (all.find(r) == std::string::npos) missing.push_back(r);
  }
  if (!missing.empty()) {
    c.detail = fmt::format("exit {}, but the reason is not named (no \"{}\")", seen.exit_code,
                           fmt::join(missing, "\", \""));
    return c;
  }
  c.failed_closed = true;
  c.detail = expect.reasons.empty()
                 ? fmt::format("exit {}", seen.exit_code)
                 : fmt::format("exit {}, {}", seen.exit_code, fmt::join(expect.reasons, ", "));
  return c;
}

}  // namespace prodgate::probes
