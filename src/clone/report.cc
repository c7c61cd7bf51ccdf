#include "clone/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/canonical_json.h"
#include "core/tool.h"

namespace prodgate::clone {
namespace {

Result<std::string> Canonical(const Json& j) {
  PG_ASSIGN_OR_RETURN(std::string s, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  return s + "\n";
}

std::string FactsLine(const CheckOutcome& c) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : c.facts.items()) {
    if (v.is_number_integer()) parts.push_back(fmt::format("{} {}", v.get<int64_t>(), k));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

std::string CloneCheckText(const CloneCheckReport& r) {
  std::string out = fmt::format("{}  clone check of {}\n", r.pass ? "PASS" : "FAIL", r.target);
  for (const auto& c : r.checks) {
    std::string summary;
    if (c.state != CheckState::kNotRun) {
      summary = fmt::format("{} finding{}", c.findings.size(), c.findings.size() == 1 ? "" : "s");
      std::string facts = FactsLine(c);
      if (!facts.empty()) summary += "; " + facts;
    }
    out += fmt::format("{:<10} {:<8} {}\n", c.name, CheckStateName(c.state), summary);
    // Findings grouped by their fix (in order of first appearance): a thousand planted tokens
    // need one instruction, not a thousand.
    std::vector<std::string> fixes;
    for (const auto& f : c.findings) {
      if (std::find(fixes.begin(), fixes.end(), f.fix) == fixes.end()) fixes.push_back(f.fix);
    }
    for (const auto& fix : fixes) {
      for (const auto& f : c.findings) {
        if (f.fix == fix) out += fmt::format("  - {}: {}\n", f.rule, f.message);
      }
      out += fmt::format("    fix: {}\n", fix);
    }
    if (!c.note.empty()) out += fmt::format("  note: {}\n", c.note);
  }
  return out;
}

Result<std::string> CloneCheckJson(const CloneCheckReport& r) {
  Json checks = Json::array();
  for (const auto& c : r.checks) {
    Json findings = Json::array();
    for (const auto& f : c.findings) {
      findings.push_back(
          {{"rule", f.rule}, {"message", f.message}, {"fix", f.fix}, {"where", f.where}});
    }
    Json j = {{"name", c.name},
              {"state", std::string(CheckStateName(c.state))},
              {"findings", findings},
              {"facts", c.facts}};
    if (!c.note.empty()) j["note"] = c.note;
    checks.push_back(std::move(j));
  }
  return Canonical({{"format", std::string(kCloneCheckFormat)},
                    {"tool", ToolJson()},
                    {"target", r.target},
                    {"verdict", r.pass ? "PASS" : "FAIL"},
                    {"checks", checks}});
}

std::string RulesText(const std::vector<SecretRule>& rules) {
  std::string out =
      fmt::format("{} pattern rules (Vectorscan), and credential-column\n", rules.size());
  for (const auto& r : rules) {
    out += fmt::format("  {:<28} {}\n", r.id, r.description);
  }
  out += fmt::format("  {:<28} {}\n", "credential-column",
                     "high-entropy value in a column named for a credential");
  return out;
}

Result<std::string> RulesJson(const std::vector<SecretRule>& rules) {
  Json list = Json::array();
  for (const auto& r : rules) {
    list.push_back(
        {{"id", r.id},
         {"description", r.description},
         {"pattern", r.pattern},
         {"caseless", r.caseless},
         // Integers only in prodgate documents: entropy in thousandths of a bit.
         {"min_entropy_millibits", static_cast<int64_t>(std::lround(r.min_entropy * 1000))}});
  }
  return Canonical({{"format", "prodgate.secret-rules/1"}, {"tool", ToolJson()}, {"rules", list}});
}

std::string FileScanText(const std::vector<FileScan>& scans, const std::vector<SecretRule>& rules) {
  size_t total = 0;
  std::string body;
  for (const auto& s : scans) {
    for (const auto& m : s.matches) {
      body += fmt::format("  - {} ({}) in {} at byte {} ({} bytes)\n", rules[m.rule].id,
                          rules[m.rule].description, s.path, m.offset, m.length);
      ++total;
    }
  }
  uint64_t bytes = 0;
  for (const auto& s : scans) bytes += s.bytes;
  return fmt::format("{}  secret scan of {} file{} ({} bytes): {} finding{}\n",
                     total ? "FAIL" : "PASS", scans.size(), scans.size() == 1 ? "" : "s", bytes,
                     total, total == 1 ? "" : "s") +
         body;
}

Result<std::string> FileScanJson(const std::vector<FileScan>& scans,
                                 const std::vector<SecretRule>& rules) {
  Json files = Json::array();
  bool any = false;
  for (const auto& s : scans) {
    Json findings = Json::array();
    for (const auto& m : s.matches) {
      findings.push_back({{"rule", rules[m.rule].id}, {"offset", m.offset}, {"length", m.length}});
      any = true;
    }
    files.push_back({{"path", s.path}, {"bytes", s.bytes}, {"findings", findings}});
  }
  return Canonical({{"format", "prodgate.secret-scan/1"},
                    {"tool", ToolJson()},
                    {"files", files},
                    {"verdict", any ? "FAIL" : "PASS"}});
}

}  // namespace prodgate::clone
