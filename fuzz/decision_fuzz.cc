// Decision documents (model/decision.h): DecisionSpec::FromJson on a spec as
// `prodgate decision new --file` reads it (TOML, or JSON with integers only), and
// DecisionState::FromJson on the same document as the ledger's "decisions" projection
// would hold it. With the configuration `prodgate init` writes.
//
// Input: JSON when the first non-blank byte is '{', else TOML.
//
// Properties: refusal is a Status (never an exception or an abort); an accepted spec has
// exactly one default option, which holds and issues nothing, unique option ids, known
// actions and scopes, valid durations; ToJson → FromJson gives the same spec (what the
// ledger records reads back); selection bytes are written for every option.
#include <cstddef>
#include <cstdint>
#include <set>

#include "fuzz/fuzz_util.h"
#include "model/decision.h"
#include "model/grant.h"

using namespace prodgate;
using namespace prodgate::model;

namespace {

void CheckSpec(const DecisionSpec& d, const Config& config) {
  int defaults = 0;
  std::set<std::string> ids;
  for (const auto& o : d.options) {
    FUZZ_CHECK(!o.id.empty() && ids.insert(o.id).second, "option id empty or repeated: " + o.id);
    if (o.is_default) {
      ++defaults;
      FUZZ_CHECK(o.hold && o.grants.empty(), "the default option does not hold: " + o.id);
    }
    if (o.hold) FUZZ_CHECK(o.grants.empty(), "a holding option issues grants: " + o.id);
    for (const auto& g : o.grants) {
      FUZZ_CHECK(config.KnownAction(g.action) && config.KnownScope(g.scope),
                 "a grant with an unknown action or scope: " + g.action + " " + g.scope);
      FUZZ_CHECK(g.uses >= 1, "a grant with uses < 1");
      FUZZ_CHECK(ParseDuration(g.expires).ok(), "a grant with a bad duration: " + g.expires);
    }
    Result<std::string> bytes = SelectionBytes(d.id, o.id, "2026-06-12T00:00:00Z");
    FUZZ_CHECK(bytes.ok(), "selection bytes: " + bytes.status().ToString());
  }
  FUZZ_CHECK(defaults == 1, "not exactly one default option");
  Result<DecisionSpec> back = DecisionSpec::FromJson(d.ToJson(), config);
  FUZZ_CHECK(back.ok(), "an accepted spec is refused after ToJson: " + back.status().ToString());
  FUZZ_CHECK(back->ToJson() == d.ToJson(), "spec changed by ToJson/FromJson: " + d.ToJson().dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Config& config = fuzz::DefaultConfig();
  std::string_view text = fuzz::AsText(data, size);
  size_t first = text.find_first_not_of(" \t\r\n");
  Result<Json> doc = first != std::string_view::npos && text[first] == '{'
                         ? ParseJson(text, NumberPolicy::kIntegersOnly, "decision.json")
                         : fuzz::ParseTomlChecked(text, "decision.toml");
  if (!doc.ok()) return 0;

  Result<DecisionSpec> spec = DecisionSpec::FromJson(*doc, config);
  if (spec.ok()) {
    CheckSpec(*spec, config);
  } else {
    FUZZ_CHECK(!spec.status().what().empty(), "refusal without a message");
  }

  Result<DecisionState> state = DecisionState::FromJson(*doc, config);
  if (state.ok()) {
    CheckSpec(state->spec, config);
    Result<DecisionState> back = DecisionState::FromJson(state->ToJson(), config);
    FUZZ_CHECK(back.ok(), "a state is refused after ToJson: " + back.status().ToString());
    FUZZ_CHECK(back->ToJson() == state->ToJson(), "state changed by ToJson/FromJson");
  }
  return 0;
}
