// Probes against the seal: the CI gate on the bytes, drift, and the manifest's strict rules.
#include <fmt/format.h>

#include <filesystem>

#include "core/canonical_json.h"
#include "core/sha256.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

namespace fs = std::filesystem;

// A sealed change: change/apply.sql and change/rollback.sql, whose seal verifies.
bool SealedChange(Fixture& f, bool keep = false) {
  f.Write("change/apply.sql", "UPDATE settings SET value = 1 WHERE key = 'limit';\n");
  f.Write("change/rollback.sql", "UPDATE settings SET value = 0 WHERE key = 'limit';\n");
  std::vector<std::string> seal = {"seal", "change"};
  if (keep) seal.push_back("--keep");
  f.Setup("seal the change", seal);
  return f.Setup("the untouched change verifies", {"verify", "--root", "change"}).has_value();
}

// Rewrites change/prodgate.seal.json: `edit` changes the parsed document, then the root is
// recomputed over the entries (in their order) and the document written canonical, so that
// only the rule under test can refuse it.
bool EditManifest(Fixture& f, const std::function<void(Json&)>& edit) {
  Json d = Json::parse(f.Read("change/prodgate.seal.json"), nullptr, false);
  if (!d.is_object() || !d.contains("files") || d["files"].empty()) {
    return f.Broken("the manifest is not a document with files");
  }
  edit(d);
  std::string lines;
  for (const auto& e : d["files"]) {
    lines += fmt::format("{} {} {}\n", e.value("sha256", ""), e.value("size", int64_t{0}),
                         e.value("path", ""));
  }
  d["root"] = ToHex(Sha256Of(lines));
  auto text = CanonicalJson(d, NumberPolicy::kIntegersOnly);
  if (!f.Check(text.status(), "canonical manifest")) return false;
  return f.Write("change/prodgate.seal.json", *text + "\n");
}

void CiSealMismatchPasses(Fixture& f) {
  if (!SealedChange(f)) return;
  // One byte changes: the value the reviewer approved is not the value that would run.
  f.Write("change/apply.sql", "UPDATE settings SET value = 9 WHERE key = 'limit';\n");
  f.Refused("verify of the edited change", {"verify", "--root", "change"}, {1},
            {"FAIL", "apply.sql", "content_changed"});
}

void UnicodeByteDriftPasses(Fixture& f) {
  f.Write("change/runbook.md", "Stop the writers \xE2\x80\x94 then roll back.\n");
  f.Write("change/owner.txt", "caf\xC3\xA9 team\n");  // NFC
  if (!f.Setup("seal with kept bytes", {"seal", "change", "--keep"})) return;
  f.Setup("the untouched tree verifies", {"verify", "--root", "change"});
  // An editor "fixes" the em dash and a tool writes NFD: the same text to a reader.
  f.Write("change/runbook.md", "Stop the writers - then roll back.\n");
  f.Write("change/owner.txt", "cafe\xCC\x81 team\n");
  f.Refused("verify after em dash → hyphen and NFC → NFD", {"verify", "--root", "change"}, {1},
            {"unicode_typography", "U+2014 EM DASH", "unicode_normalization", "owner.txt"});
}

void UnsafeManifestPath(Fixture& f) {
  if (!SealedChange(f)) return;
  // "../" in a sealed path: verify would read outside the tree it vouches for.
  if (!EditManifest(f, [](Json& d) { d["files"][0]["path"] = "../outside.sql"; })) return;
  f.Refused("verify of a manifest with ../", {"verify", "--root", "change"}, {2},
            {"'..' component"});
}

void ManifestDuplicateEntry(Fixture& f) {
  if (!SealedChange(f)) return;
  if (!EditManifest(f, [](Json& d) { d["files"].insert(d["files"].begin(), d["files"][0]); })) {
    return;
  }
  f.Refused("verify of a manifest listing one file twice", {"verify", "--root", "change"}, {2},
            {"duplicate entry"});
}

void FloatInHashedDocument(Fixture& f) {
  if (!SealedChange(f)) return;
  std::string m = f.Read("change/prodgate.seal.json");
  size_t at = m.find("\"size\":");
  size_t end = at == std::string::npos ? at : m.find(',', at);
  if (end == std::string::npos) {
    f.Broken("no size in the manifest");
    return;
  }
  // 51 → 51.5: canonical JSON (RFC 8785) for a float, in a document that is hashed.
  m.insert(end, ".5");
  f.Write("change/prodgate.seal.json", m);
  f.Refused("verify of a manifest with a float", {"verify", "--root", "change"}, {2},
            {"files[0].size is the float", "integers only"});
}

void SealSymlinkEscapes(Fixture& f) {
  f.Write("tree/a.txt", "alpha\n");
  std::error_code ec;
  fs::create_symlink("/etc/passwd", f.Path("tree/passwd"), ec);
  if (ec) {
    f.Broken("symlink: " + ec.message());
    return;
  }
  f.Refused("seal of a tree with a symlink out of it", {"seal", "tree"}, {2},
            {"symlink passwd leaves the root"});
  f.Require(!fs::exists(f.Path("tree/prodgate.seal.json")), "a refused seal wrote a manifest");
}

}  // namespace

std::vector<Probe> SealProbes() {
  return {
      {{"ci_seal_mismatch_passes", "seal",
        "one byte of a sealed change edited, then the CI gate (verify) runs"},
       CiSealMismatchPasses},
      {{"unicode_byte_drift_passes", "seal",
        "em dash → hyphen and NFC → NFD in sealed files: the same text, other bytes"},
       UnicodeByteDriftPasses},
      {{"unsafe_manifest_path", "seal", "a sealed path with ../ (root recomputed, canonical)"},
       UnsafeManifestPath},
      {{"manifest_duplicate_entry", "seal", "a manifest listing one file twice"},
       ManifestDuplicateEntry},
      {{"float_in_hashed_document", "seal", "a float where the manifest holds an integer"},
       FloatInHashedDocument},
      {{"seal_symlink_escapes", "seal", "a symlink to /etc/passwd inside the tree to seal"},
       SealSymlinkEscapes},
  };
}

}  // namespace prodgate::probes
