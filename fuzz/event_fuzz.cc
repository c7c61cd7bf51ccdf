// Ledger events (ledger/event.h, chain.h): a stored event document decoded as the ledger
// stores decode it (ParseJson with integers only, then Event::FromJson) and its hash
// verified (CheckEventHash).
//
// Properties: refusal is a Status, never an exception; a decoded event writes back
// (ToJson → FromJson) unchanged; its preimage is canonical JSON; CheckEventHash accepts it
// exactly when the stored hash is the SHA-256 of the preimage; `at` is in the one spelling
// ParseUtc accepts, so FormatUtc(ParseUtc(at)) == at. The input as text is also offered to
// ParseUtc with the same round-trip property.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_util.h"
#include "ledger/chain.h"
#include "ledger/event.h"

using namespace prodgate;
using namespace prodgate::ledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  if (auto t = ParseUtc(text)) FUZZ_CHECK(FormatUtc(*t) == text, "ParseUtc/FormatUtc differ");

  Result<Json> doc = ParseJson(text, NumberPolicy::kIntegersOnly, "event");
  if (!doc.ok()) return 0;
  Result<Event> e = Event::FromJson(*doc);
  if (!e.ok()) {
    FUZZ_CHECK(!e.status().what().empty(), "refusal without a message");
    return 0;
  }
  FUZZ_CHECK(e->seq >= 1, "an event with seq < 1");
  auto at = ParseUtc(e->at);
  FUZZ_CHECK(at && FormatUtc(*at) == e->at, "an event time in a second spelling: " + e->at);

  Result<Event> back = Event::FromJson(e->ToJson());
  FUZZ_CHECK(back.ok(), "a decoded event is refused after ToJson: " + back.status().ToString());
  FUZZ_CHECK(back->ToJson() == e->ToJson(), "event changed by ToJson/FromJson");

  Result<std::string> pre = e->Preimage();
  FUZZ_CHECK(pre.ok(), "a decoded event has no preimage: " + pre.status().ToString());
  Result<Json> canonical = ParseCanonicalDocument(*pre, "preimage");
  FUZZ_CHECK(canonical.ok(), "the preimage is not canonical: " + canonical.status().ToString());
  Result<Digest> hash = ComputeEventHash(*e);
  FUZZ_CHECK(hash.ok() && *hash == Sha256Of(*pre), "the event hash is not SHA-256(preimage)");
  Status check = CheckEventHash(*e);
  FUZZ_CHECK(check.ok() == (e->hash == *hash), "CheckEventHash disagrees with the preimage hash");
  return 0;
}
