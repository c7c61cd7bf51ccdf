#include "render/bag_report.h"

#include <fmt/format.h>

#include "core/path_rules.h"
#include "core/tool.h"
#include "core/unicode.h"

namespace prodgate::render {
namespace {

using seal::BagProblem;
using seal::BagSeverity;

// Messages carry file names that went through PrintablePath, but a directory given on the
// command line or an OS error text may not be UTF-8; JSON needs it to be.
std::string Safe(const std::string& s) { return IsValidUtf8(s) ? s : PrintablePath(s); }

const char* SeverityName(BagSeverity s) { return s == BagSeverity::kError ? "error" : "warning"; }

Json ContentJson(const seal::BagContentChange& c) {
  Json digests = Json::array();
  for (const auto& d : c.digests) {
    digests.push_back({{"manifest", Safe(d.manifest)},
                       {"algorithm", Safe(d.algorithm)},
                       {"expected", Safe(d.expected)},
                       {"actual", d.actual},
                       {"match", d.match}});
  }
  Json classes = Json::array();
  for (auto k : c.classes) classes.push_back(std::string(seal::DriftClassName(k)));
  Json notes = Json::array();
  for (const auto& n : c.notes) notes.push_back(Safe(n));
  Json j = {{"size", c.size},
            {"original_source", c.original_source},
            {"digests", digests},
            {"classes", classes},
            {"notes", notes}};
  if (c.original_size) j["original_size"] = *c.original_size;
  if (c.first_difference) {
    const auto& f = *c.first_difference;
    j["first_difference"] = {{"offset", f.offset},
                             {"line", f.line},
                             {"column", f.column},
                             {"original", f.sealed},
                             {"current", f.current}};
  }
  return j;
}

std::string List(const std::vector<std::string>& v) {
  return v.empty() ? "none" : fmt::format("{}", fmt::join(v, ", "));
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

Json BagReportToJson(const seal::BagReport& r) {
  Json problems = Json::array();
  for (const BagProblem& p : r.problems) {
    Json j = {{"path", Safe(p.path)},
              {"severity", SeverityName(p.severity)},
              {"code", p.code},
              {"rule", p.rule},
              {"message", Safe(p.message)}};
    if (p.content) j["content"] = ContentJson(*p.content);
    problems.push_back(std::move(j));
  }
  std::vector<std::string> payload_algs, tag_algs;
  for (const auto& a : r.payload_algorithms) payload_algs.push_back(Safe(a));
  for (const auto& a : r.tag_algorithms) tag_algs.push_back(Safe(a));
  Json j = {{"format", "prodgate.bag-verify/1"},
            {"verdict", std::string(seal::BagVerdictName(r.verdict))},
            {"dir", PrintablePath(r.dir)},
            {"version", Safe(r.version)},
            {"encoding", Safe(r.encoding)},
            {"algorithms", {{"payload", payload_algs}, {"tag", tag_algs}}},
            {"counts",
             {{"payload_files", r.counts.payload_files},
              {"payload_bytes", r.counts.payload_bytes},
              {"tag_files", r.counts.tag_files},
              {"fetch_items", r.counts.fetch_items},
              {"files_hashed", r.counts.files_hashed},
              {"bytes_hashed", r.counts.bytes_hashed}}},
            {"errors", r.ErrorCount()},
            {"warnings", r.WarningCount()},
            {"problems", problems},
            {"tool", ToolJson()}};
  if (r.payload_oxum) j["payload_oxum"] = Safe(*r.payload_oxum);
  if (r.packet_tree_digest) j["packet_tree_digest"] = *r.packet_tree_digest;
  return j;
}

Result<std::string> BagReportJson(const seal::BagReport& r) {
  PG_ASSIGN_OR_RETURN(std::string s,
                      CanonicalJson(BagReportToJson(r), NumberPolicy::kIntegersOnly));
  return s + "\n";
}

std::string BagReportText(const seal::BagReport& r) {
  std::string out = fmt::format("{} bag {}", seal::BagVerdictName(r.verdict), PrintablePath(r.dir));
  if (!r.version.empty()) {
    out += fmt::format(": BagIt {} ({})", PrintablePath(r.version),
                       r.encoding.empty() ? "encoding not declared" : PrintablePath(r.encoding));
  }
  out += fmt::format(", {} ({} bytes), manifests {}, tag manifests {}",
                     Plural(r.counts.payload_files, "payload file", "payload files"),
                     r.counts.payload_bytes, List(r.payload_algorithms), List(r.tag_algorithms));
  const size_t errors = r.ErrorCount(), warnings = r.WarningCount();
  if (errors + warnings > 0) {
    out += fmt::format("; {}, {}", Plural(errors, "error", "errors"),
                       Plural(warnings, "warning", "warnings"));
  }
  out += "\n";
  if (r.packet_tree_digest) out += fmt::format("  packet tree digest {}\n", *r.packet_tree_digest);
  const std::string* group = nullptr;
  for (const BagProblem& p : r.problems) {
    if (group == nullptr || *group != p.path) {
      out += fmt::format("  {}\n", p.path.empty() ? "(the bag)" : p.path);
      group = &p.path;
    }
    out += fmt::format("    {:<7} {}: {} [{}]\n", SeverityName(p.severity), p.code, Safe(p.message),
                       p.rule);
    if (!p.content) continue;
    for (const auto& d : p.content->digests) {
      out += fmt::format("            {} {}: expected {}, found {}{}\n", d.manifest, d.algorithm,
                         d.expected, d.actual, d.match ? " (matches)" : "");
    }
  }
  return out;
}

}  // namespace prodgate::render
