#include "render/verify_report.h"

#include <fmt/format.h>

#include <map>

#include "core/canonical_json.h"
#include "core/path_rules.h"
#include "core/tool.h"

namespace prodgate::render {
namespace {

using seal::DriftClass;
using seal::FileDrift;

std::string ClassList(const FileDrift& d) {
  std::vector<std::string_view> names;
  for (auto c : d.classes) names.push_back(seal::DriftClassName(c));
  return fmt::format("{}", fmt::join(names, ", "));
}

Json DriftJson(const FileDrift& d) {
  Json classes = Json::array();
  for (auto c : d.classes) classes.push_back(std::string(seal::DriftClassName(c)));
  Json j = {{"path", d.path}, {"classes", classes}, {"detail", d.Detail()}};
  if (d.first_difference) {
    const auto& f = *d.first_difference;
    j["first_difference"] = {{"offset", f.offset},
                             {"line", f.line},
                             {"column", f.column},
                             {"sealed", f.sealed},
                             {"current", f.current}};
  }
  return j;
}

Result<std::string> Canonical(const Json& j) {
  PG_ASSIGN_OR_RETURN(std::string s, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  return s + "\n";
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

size_t CountSealedDrifts(const seal::VerifyReport& r) {
  size_t n = 0;
  for (const auto& d : r.drifts) {
    if (!(d.classes.size() == 1 && d.classes[0] == DriftClass::kUnsealed)) ++n;
  }
  return n;
}

}  // namespace

std::string VerifyText(const seal::VerifyReport& r) {
  std::string out;
  const std::string root = ToHex(r.sealed_root).substr(0, 12);
  if (r.pass) {
    out += fmt::format("PASS {}: {} sealed entries byte-identical (root {}…)\n", r.root_dir,
                       r.sealed_paths.size(), root);
  } else {
    size_t changed = CountSealedDrifts(r);
    size_t unsealed = r.drifts.size() - changed;
    out += fmt::format("FAIL {}: {} of {} sealed entries differ, {} unsealed (root {}…)\n",
                       r.root_dir, changed, r.sealed_paths.size(), unsealed, root);
    if (!r.root_problem.empty()) out += fmt::format("  root_mismatch: {}\n", r.root_problem);
    for (const auto& d : r.drifts) {
      out += fmt::format("  {}\n      {}: {}\n", d.path, ClassList(d), d.Detail());
    }
  }
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

Result<std::string> VerifyJson(const seal::VerifyReport& r) {
  Json files = Json::array();
  for (const auto& d : r.drifts) files.push_back(DriftJson(d));
  Json j = {{"format", "prodgate.verify/1"},
            {"verdict", r.pass ? "PASS" : "FAIL"},
            {"root", ToHex(r.sealed_root)},
            {"dir", PrintablePath(r.root_dir)},
            {"manifest", PrintablePath(r.manifest_path)},
            {"sealed_files", r.sealed_paths.size()},
            {"files", files},
            {"warnings", r.warnings},
            {"tool", ToolJson()}};
  if (!r.root_problem.empty()) j["root_problem"] = r.root_problem;
  return Canonical(j);
}

std::string VerifyJunit(const seal::VerifyReport& r) {
  std::map<std::string, const FileDrift*> by_path;
  for (const auto& d : r.drifts) by_path[d.path] = &d;
  std::vector<std::pair<std::string, const FileDrift*>> cases;
  for (const auto& p : r.sealed_paths) {
    auto it = by_path.find(p);
    cases.emplace_back(p, it == by_path.end() ? nullptr : it->second);
  }
  for (const auto& d : r.drifts) {
    if (d.classes.size() == 1 && d.classes[0] == DriftClass::kUnsealed)
      cases.emplace_back(d.path, &d);
  }
  size_t failures = !r.root_problem.empty();
  for (const auto& c : cases) failures += c.second != nullptr;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"prodgate verify\" tests=\"{0}\" failures=\"{1}\">\n"
      "  <testsuite name=\"seal {2}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\">\n",
      cases.size() + !r.root_problem.empty(), failures, ToHex(r.sealed_root));
  if (!r.root_problem.empty()) {
    out += fmt::format(
        "    <testcase classname=\"prodgate.seal\" name=\"(root)\">\n      <failure "
        "type=\"root_mismatch\" message=\"root_mismatch\">{}</failure>\n    </testcase>\n",
        XmlEscape(r.root_problem));
  }
  for (const auto& [path, drift] : cases) {
    out += fmt::format("    <testcase classname=\"prodgate.seal\" name=\"{}\"", XmlEscape(path));
    if (drift == nullptr) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(
        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
        XmlEscape(ClassList(*drift)), XmlEscape(ClassList(*drift)), XmlEscape(drift->Detail()));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string ExplainText(const FileDrift& d, const std::string& old_path) {
  if (d.classes.empty()) return fmt::format("IDENTICAL {} and {}\n", old_path, d.path);
  return fmt::format("DIFFERENT {} → {}\n      {}: {}\n", old_path, d.path, ClassList(d),
                     d.Detail());
}

Result<std::string> ExplainJson(const FileDrift& d, const std::string& old_path) {
  Json j = DriftJson(d);
  j["old"] = PrintablePath(old_path);
  j["format"] = "prodgate.explain/1";
  j["verdict"] = d.classes.empty() ? "IDENTICAL" : "DIFFERENT";
  j["tool"] = ToolJson();
  return Canonical(j);
}

std::string SealText(const seal::SealOutcome& o) {
  std::string out;
  size_t text = 0;
  for (const auto& e : o.manifest.files) text += e.text.has_value();
  out += fmt::format("sealed {} entries ({} text), {} bytes\n", o.manifest.files.size(), text,
                     o.total_bytes);
  out += fmt::format("root {}\n", ToHex(o.manifest.root));
  out += fmt::format("manifest {}\n", o.manifest_path);
  if (o.objects_stored > 0) out += fmt::format("kept {} objects\n", o.objects_stored);
  for (const auto& w : o.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

Result<std::string> SealJson(const seal::SealOutcome& o) {
  Json j = {{"format", "prodgate.seal-result/1"},
            {"root", ToHex(o.manifest.root)},
            {"manifest", PrintablePath(o.manifest_path)},
            {"entries", o.manifest.files.size()},
            {"bytes", o.total_bytes},
            {"objects_stored", o.objects_stored},
            {"warnings", o.warnings},
            {"tool", ToolJson()}};
  return Canonical(j);
}

}  // namespace prodgate::render
