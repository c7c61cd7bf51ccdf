// Grant documents (model/grant.h): GrantTerms::FromJson and GrantState::FromJson on JSON
// read as the ledger reads its documents (ParseJson, integers only), and ParseDuration.
//
// Input: a JSON document. It is offered as grant terms, as a grant state, and (when it is
// an object) as the body of a grant.issue event, {"id","terms","signatures"}, which is how
// the projector reads it. The input as text is also offered to ParseDuration.
//
// Properties: refusal is a Status, never an exception; accepted terms write back
// (ToJson → FromJson) unchanged, their signing bytes are canonical JSON and their id is the
// SHA-256 of those bytes, stable across the round trip; an accepted state writes back
// unchanged; a parsed duration is positive.
#include <cstddef>
#include <cstdint>

#include "core/sha256.h"
#include "fuzz/fuzz_util.h"
#include "model/grant.h"

using namespace prodgate;
using namespace prodgate::model;

namespace {

void CheckTerms(const GrantTerms& t) {
  Result<std::string> bytes = t.SigningBytes();
  FUZZ_CHECK(bytes.ok(), "accepted terms have no signing bytes: " + bytes.status().ToString());
  Result<Json> canonical = ParseCanonicalDocument(*bytes, "signing bytes");
  FUZZ_CHECK(canonical.ok(), "signing bytes are not canonical: " + canonical.status().ToString());
  Result<std::string> id = t.Id();
  FUZZ_CHECK(id.ok() && *id == ToHex(Sha256Of(*bytes)), "id is not the SHA-256 of the terms");
  Result<GrantTerms> back = GrantTerms::FromJson(t.ToJson());
  FUZZ_CHECK(back.ok(), "accepted terms refused after ToJson: " + back.status().ToString());
  FUZZ_CHECK(back->ToJson() == t.ToJson(), "terms changed by ToJson/FromJson");
  Result<std::string> id2 = back->Id();
  FUZZ_CHECK(id2.ok() && *id2 == *id, "the id changed across a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  Result<int64_t> duration = ParseDuration(text);
  if (duration.ok()) FUZZ_CHECK(*duration > 0, "a duration that is not positive");

  Result<Json> doc = ParseJson(text, NumberPolicy::kIntegersOnly, "grant.json");
  if (!doc.ok()) return 0;

  Result<GrantTerms> terms = GrantTerms::FromJson(*doc);
  if (terms.ok()) CheckTerms(*terms);

  Result<GrantState> state = GrantState::FromJson(*doc);
  if (state.ok()) {
    CheckTerms(state->terms);
    Result<GrantState> back = GrantState::FromJson(state->ToJson());
    FUZZ_CHECK(back.ok(), "an accepted state is refused after ToJson: " + back.status().ToString());
    FUZZ_CHECK(back->ToJson() == state->ToJson(), "state changed by ToJson/FromJson");
  }
  return 0;
}
