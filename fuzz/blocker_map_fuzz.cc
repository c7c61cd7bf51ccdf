// Blocker-map import (model/blocker_map.h: ParseBlockerMap), with the configuration
// `prodgate init` writes.
//
// Properties: refusal is a Status; every imported blocker with a stated status survives
// Blocker::ToJson → Blocker::FromJson unchanged (what the ledger stores reads back); the
// export of an imported map (ExportJson, canonical JSON) reads back through
// ParseBlockerExport to the same blockers; a map diffed with itself is empty; summaries
// and the Markdown export do not fail.
#include <cstddef>
#include <cstdint>
#include <map>

#include "fuzz/fuzz_util.h"
#include "model/blocker_map.h"

using namespace prodgate;
using namespace prodgate::model;

namespace {

std::map<std::string, Json> ById(const std::vector<Blocker>& blockers) {
  std::map<std::string, Json> out;
  for (const auto& b : blockers) out.emplace(b.id, b.ToJson());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Config& config = fuzz::DefaultConfig();
  Result<ImportedMap> map = ParseBlockerMap(fuzz::AsText(data, size), "map.json", config);
  if (!map.ok()) {
    FUZZ_CHECK(!map.status().what().empty(), "refusal without a message");
    return 0;
  }
  for (const auto& b : map->blockers) {
    FUZZ_CHECK(!b.id.empty(), "imported a blocker without an id");
    if (b.status.empty()) continue;  // "this map does not say": never reaches the ledger as is
    Result<Blocker> back = Blocker::FromJson(b.ToJson());
    FUZZ_CHECK(back.ok(),
               "an imported blocker is refused by Blocker::FromJson: " + back.status().ToString());
    FUZZ_CHECK(back->ToJson() == b.ToJson(), "blocker changed by ToJson/FromJson: " + b.id);
  }

  Json exported = ExportJson(map->blockers, map->metadata);
  Result<std::string> text = CanonicalJson(exported, NumberPolicy::kAny);
  FUZZ_CHECK(text.ok(), "the export does not serialize: " + text.status().ToString());
  Result<std::vector<Blocker>> reread = ParseBlockerExport(*text, "export.json", config);
  FUZZ_CHECK(reread.ok(), "the export of an imported map is refused: " +
                              reread.status().ToString() + "\n" + *text);
  FUZZ_CHECK(ById(*reread) == ById(map->blockers), "export/import changed the blockers:\n" + *text);

  FUZZ_CHECK(DiffBlockerMaps(map->blockers, map->blockers).empty(), "a map differs from itself");
  (void)DiffToJson(DiffBlockerMaps(map->blockers, *reread));
  BlockerSummary summary = Summarize(map->blockers);
  (void)SummaryToJson(summary);
  (void)RenderSummaryText(summary);
  (void)ExportMarkdown(map->blockers, config);
  return 0;
}
