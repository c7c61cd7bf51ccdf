#include "seal/manifest.h"

#include <fmt/format.h>

#include <set>

#include "core/path_rules.h"
#include "seal/ignore.h"

namespace prodgate::seal {
namespace {

Json EolToJson(const EolCounts& e) { return Json{{"lf", e.lf}, {"crlf", e.crlf}, {"cr", e.cr}}; }

Json TextToJson(const TextFacts& t) {
  Json j = {{"utf8", true},
            {"bom", t.bom},
            {"nfc", t.nfc},
            {"eol", EolToJson(t.eol)},
            {"final_newline", t.final_newline},
            {"lf_sha256", ToHex(t.lf_sha256)}};
  if (t.nfc_sha256) j["nfc_sha256"] = ToHex(*t.nfc_sha256);
  if (t.fold_sha256) j["fold_sha256"] = ToHex(*t.fold_sha256);
  if (t.json_sha256) j["json_sha256"] = ToHex(*t.json_sha256);
  return j;
}

// Field readers for one JSON object. Each records a problem (naming the field) instead of
// stopping, so a damaged manifest is described completely.
class FieldReader {
 public:
  FieldReader(const Json& obj, std::string where, std::vector<std::string>& problems)
      : obj_(obj), where_(std::move(where)), problems_(problems) {}

  void AllowOnly(std::initializer_list<std::string_view> names) {
    for (const auto& [k, v] : obj_.items()) {
      bool known = false;
      for (auto n : names) known |= (k == n);
      if (!known) {
        Problem(fmt::format("unknown field \"{}\"", k));
      }
    }
  }
  bool Has(const char* name) const { return obj_.contains(name); }
  const Json* Get(const char* name, bool required = true) {
    auto it = obj_.find(name);
    if (it == obj_.end()) {
      if (required) Problem(fmt::format("missing field \"{}\"", name));
      return nullptr;
    }
    return &*it;
  }
  std::optional<std::string> String(const char* name, bool required = true) {
    const Json* v = Get(name, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Problem(fmt::format("\"{}\" must be a string", name));
      return std::nullopt;
    }
    return v->get<std::string>();
  }
  std::optional<uint64_t> Count(const char* name) {
    const Json* v = Get(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer() ||
        (v->is_number_integer() && !v->is_number_unsigned() && v->get<int64_t>() < 0)) {
      Problem(fmt::format("\"{}\" must be a non-negative integer", name));
      return std::nullopt;
    }
    return v->get<uint64_t>();
  }
  std::optional<bool> Bool(const char* name) {
    const Json* v = Get(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      Problem(fmt::format("\"{}\" must be true or false", name));
      return std::nullopt;
    }
    return v->get<bool>();
  }
  std::optional<Digest> Hex(const char* name, bool required = true) {
    auto s = String(name, required);
    if (!s) return std::nullopt;
    auto d = DigestFromHex(*s);
    if (!d) Problem(fmt::format("\"{}\" must be 64 lowercase hex digits", name));
    return d;
  }
  void Problem(const std::string& what) { problems_.push_back(where_ + ": " + what); }

 private:
  const Json& obj_;
  std::string where_;
  std::vector<std::string>& problems_;
};

std::optional<TextFacts> ReadText(const Json& j, const std::string& where,
                                  std::vector<std::string>& problems) {
  if (!j.is_object()) {
    problems.push_back(where + ": must be an object");
    return std::nullopt;
  }
  FieldReader r(j, where, problems);
  r.AllowOnly({"utf8", "bom", "nfc", "eol", "final_newline", "lf_sha256", "nfc_sha256",
               "fold_sha256", "json_sha256"});
  TextFacts t;
  auto utf8 = r.Bool("utf8");
  if (utf8 && !*utf8) r.Problem("\"utf8\" must be true (text facts exist only for UTF-8)");
  t.bom = r.Bool("bom").value_or(false);
  t.nfc = r.Bool("nfc").value_or(false);
  t.final_newline = r.Bool("final_newline").value_or(false);
  if (const Json* eol = r.Get("eol")) {
    if (!eol->is_object()) {
      r.Problem("\"eol\" must be an object");
    } else {
      FieldReader er(*eol, where + ".eol", problems);
      er.AllowOnly({"lf", "crlf", "cr"});
      t.eol.lf = er.Count("lf").value_or(0);
      t.eol.crlf = er.Count("crlf").value_or(0);
      t.eol.cr = er.Count("cr").value_or(0);
    }
  }
  t.lf_sha256 = r.Hex("lf_sha256").value_or(Digest{});
  t.nfc_sha256 = r.Hex("nfc_sha256", false);
  t.fold_sha256 = r.Hex("fold_sha256", false);
  t.json_sha256 = r.Hex("json_sha256", false);
  return t;
}

std::optional<unsigned> ParseMode(std::string_view s) {
  if (s.size() != 4) return std::nullopt;
  unsigned m = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    m = m * 8 + static_cast<unsigned>(c - '0');
  }
  return m;
}

}  // namespace

std::string ModeString(unsigned mode) { return fmt::format("{:04o}", mode & 07777); }

std::string TreeDigestLine(const SealEntry& e) {
  return e.kind == EntryKind::kFile
             ? fmt::format("file {} {} {} {}\n", ModeString(e.mode), ToHex(e.sha256), e.size,
                           e.path)
             : fmt::format("symlink - {} {} {}\n", ToHex(e.sha256), e.size, e.path);
}

Digest TreeDigest(const std::vector<SealEntry>& entries, const std::vector<std::string>& ignore) {
  Sha256 h;
  for (const auto& e : entries) h.Update(TreeDigestLine(e));
  // Strings only: canonical JSON cannot fail on them.
  h.Update("ignore " + CanonicalJson(Json(ignore), NumberPolicy::kIntegersOnly).value() + "\n");
  return h.Finish();
}

Digest TreeDigestV1(const std::vector<SealEntry>& entries) {
  Sha256 h;
  for (const auto& e : entries)
    h.Update(fmt::format("{} {} {}\n", ToHex(e.sha256), e.size, e.path));
  return h.Finish();
}

Digest RootOf(const SealManifest& m) {
  return m.version == 1 ? TreeDigestV1(m.files) : TreeDigest(m.files, m.ignore);
}

Json ManifestToJson(const SealManifest& m) {
  Json files = Json::array();
  for (const auto& e : m.files) {
    Json j = {{"path", e.path}, {"size", e.size}, {"sha256", ToHex(e.sha256)}};
    if (e.kind == EntryKind::kFile) {
      j["kind"] = "file";
      j["mode"] = ModeString(e.mode);
      if (e.text) j["text"] = TextToJson(*e.text);
    } else {
      j["kind"] = "symlink";
      j["target"] = e.target;
    }
    files.push_back(std::move(j));
  }
  Json doc = {{"format", m.version == 1 ? kManifestFormatV1 : kManifestFormat},
              {"algorithm", "sha256"},
              {"root", ToHex(m.root)},
              {"ignore", m.ignore},
              {"files", std::move(files)}};
  if (!m.signatures.empty()) {
    Json sigs = Json::array();
    for (const auto& s : m.signatures) sigs.push_back({{"key", s.key}, {"sig", s.sig}});
    doc["signatures"] = std::move(sigs);
  }
  return doc;
}

Result<std::string> SerializeManifest(const SealManifest& m) {
  PG_ASSIGN_OR_RETURN(std::string out,
                      CanonicalJson(ManifestToJson(m), NumberPolicy::kIntegersOnly));
  out.push_back('\n');
  return out;
}

Result<SealManifest> ParseManifest(std::string_view bytes, std::string_view name) {
  const std::string fix_regenerate =
      "restore the manifest from where it was produced, or re-seal the reviewed tree with "
      "`prodgate seal`";
  auto parsed = ParseCanonicalDocument(bytes, name);
  if (!parsed.ok()) return parsed.status();
  const Json& doc = *parsed;
  if (!doc.is_object()) {
    return Status::BadInput(fmt::format("{}: not a JSON object", name), fix_regenerate);
  }
  std::vector<std::string> problems;
  FieldReader top(doc, std::string(name), problems);
  top.AllowOnly({"format", "algorithm", "root", "ignore", "files", "signatures"});
  auto format = top.String("format");
  if (format && *format != kManifestFormat && *format != kManifestFormatV1) {
    return Status::BadInput(
        fmt::format("{}: format is \"{}\", this prodgate reads \"{}\" and \"{}\"", name, *format,
                    kManifestFormat, kManifestFormatV1),
        "use the prodgate version that wrote it, or re-seal");
  }
  auto algorithm = top.String("algorithm");
  if (algorithm && *algorithm != "sha256") {
    top.Problem(fmt::format("algorithm \"{}\" is not supported (only sha256)", *algorithm));
  }
  SealManifest m;
  if (format && *format == kManifestFormatV1) m.version = 1;
  auto root = top.Hex("root");
  if (root) m.root = *root;
  if (const Json* ignore = top.Get("ignore")) {
    if (!ignore->is_array()) {
      top.Problem("\"ignore\" must be an array of strings");
    } else {
      for (const auto& p : *ignore) {
        if (!p.is_string()) {
          top.Problem("\"ignore\" must hold strings only");
          continue;
        }
        m.ignore.push_back(p.get<std::string>());
      }
      auto rules = IgnoreRules::Make(m.ignore);
      if (!rules.ok()) top.Problem(rules.status().what());
    }
  }
  if (const Json* sigs = top.Get("signatures", false)) {
    if (!sigs->is_array()) {
      top.Problem("\"signatures\" must be an array");
    } else {
      for (const auto& s : *sigs) {
        if (!s.is_object()) {
          top.Problem("each signature must be an object");
          continue;
        }
        FieldReader sr(s, std::string(name) + ": signature", problems);
        sr.AllowOnly({"key", "sig"});
        m.signatures.push_back({sr.String("key").value_or(""), sr.String("sig").value_or("")});
      }
    }
  }
  const Json* files = top.Get("files");
  if (files != nullptr && !files->is_array()) {
    top.Problem("\"files\" must be an array");
    files = nullptr;
  }
  if (files != nullptr) {
    size_t index = 0;
    for (const auto& f : *files) {
      std::string where = fmt::format("{}: files[{}]", name, index++);
      if (!f.is_object()) {
        problems.push_back(where + ": must be an object");
        continue;
      }
      if (auto it = f.find("path"); it != f.end() && it->is_string()) {
        where += fmt::format(" (\"{}\")", PrintablePath(it->get<std::string>()));
      }
      FieldReader r(f, where, problems);
      SealEntry e;
      if (auto path = r.String("path")) {
        e.path = *path;
        Status s = CheckRelativePath(e.path);
        if (!s.ok()) r.Problem(s.what());
      }
      auto kind = r.String("kind");
      if (kind && *kind == "file") {
        e.kind = EntryKind::kFile;
        r.AllowOnly({"path", "kind", "mode", "size", "sha256", "text"});
        if (auto mode = r.String("mode")) {
          auto m = ParseMode(*mode);
          if (!m) r.Problem("\"mode\" must be four octal digits, like \"0644\"");
          e.mode = m.value_or(0);
        }
        if (const Json* text = r.Get("text", false)) {
          e.text = ReadText(*text, where + ".text", problems);
        }
      } else if (kind && *kind == "symlink") {
        e.kind = EntryKind::kSymlink;
        r.AllowOnly({"path", "kind", "size", "sha256", "target"});
        e.target = r.String("target").value_or("");
      } else if (kind) {
        r.Problem(fmt::format("kind \"{}\" is not \"file\" or \"symlink\"", *kind));
      }
      if (auto size = r.Count("size")) e.size = *size;
      if (auto sha = r.Hex("sha256")) e.sha256 = *sha;
      if (e.kind == EntryKind::kSymlink && kind && *kind == "symlink") {
        if (e.size != e.target.size() || e.sha256 != Sha256Of(e.target)) {
          r.Problem("size/sha256 do not match the symlink target");
        }
      }
      m.files.push_back(std::move(e));
    }
    for (size_t i = 1; i < m.files.size(); ++i) {
      const auto& a = m.files[i - 1].path;
      const auto& b = m.files[i].path;
      if (a == b) {
        problems.push_back(fmt::format("{}: duplicate entry \"{}\"", name, a));
      } else if (!(a < b)) {
        problems.push_back(
            fmt::format("{}: entries not sorted by path (\"{}\" before \"{}\")", name, a, b));
      }
    }
  }
  if (problems.empty() && root && RootOf(m) != m.root) {
    problems.push_back(fmt::format(
        "{}: root {} does not match the tree digest of its entries and ignore list ({}): the "
        "manifest was edited",
        name, ToHex(m.root), ToHex(RootOf(m))));
  }
  if (!problems.empty()) {
    std::string what = problems.size() == 1
                           ? problems.front()
                           : fmt::format("{} problems in the manifest:\n    {}", problems.size(),
                                         fmt::join(problems, "\n    "));
    return Status::BadInput(what, fix_regenerate);
  }
  return m;
}

}  // namespace prodgate::seal
