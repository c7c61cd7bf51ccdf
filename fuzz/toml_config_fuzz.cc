// TOML (core/toml.h: ParseToml) and the workspace configuration read from it
// (model/config.h: ParseConfig).
//
// Properties: a syntax error is a Status that names the file; a parsed document
// canonicalizes (unless it holds inf/nan); an accepted configuration is consistent:
// every gate rule names a known action and scope (or "*"), every category phrase maps to a
// known category, thresholds are at least 1, and its lookups answer without failing.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "model/config.h"

using namespace prodgate;
using namespace prodgate::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<Json> doc = fuzz::ParseTomlChecked(fuzz::AsText(data, size), "config.toml");
  if (!doc.ok()) return 0;
  Result<Config> config = ParseConfig(*doc, "config.toml");
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().what().empty(), "refusal without a message");
    return 0;
  }
  for (const auto& [label, rules] : config->gates) {
    for (const auto& r : rules) {
      FUZZ_CHECK(r.action == "*" || config->KnownAction(r.action),
                 "gate " + label + " names an unknown action " + r.action);
      FUZZ_CHECK(r.scope == "*" || config->KnownScope(r.scope),
                 "gate " + label + " names an unknown scope " + r.scope);
    }
    Result<std::vector<std::string>> resolved = config->ResolveGateLabels(label);
    (void)resolved;
    for (const auto& a : config->actions) {
      for (const auto& s : config->scopes) (void)config->GateHolds(label, a, s);
    }
  }
  for (const auto& [phrase, category] : config->categories) {
    FUZZ_CHECK(IsKnownCategory(category), "phrase " + phrase + " maps to unknown " + category);
    Result<std::string> c = config->ResolveCategory(phrase);
    (void)c;
  }
  FUZZ_CHECK(config->default_threshold >= 1, "default threshold below 1");
  for (const auto& a : config->actions) FUZZ_CHECK(config->Threshold(a) >= 1, "threshold below 1");
  return 0;
}
