// Canonical JSON (core/canonical_json.h): ParseJson under both number policies,
// CanonicalJson, ParseCanonicalDocument.
//
// Properties, for every input that parses:
//   - canonicalizing succeeds unless a number is not finite or a string is not UTF-8, and
//     for a document that parsed, strings are UTF-8 (ParseJson checks the text);
//   - the canonical form parses back to an equal value and canonicalizing that is the
//     identity: C(P(C(v))) == C(v);
//   - the canonical form is accepted by ParseCanonicalDocument (integers-only documents);
//   - kIntegersOnly accepts a subset of what kAny accepts.
// And for every input: ParseCanonicalDocument accepts it only if it is exactly the
// canonical form of what it parses to (optionally followed by one "\n").
#include <cstddef>
#include <cstdint>

#include "core/canonical_json.h"
#include "fuzz/fuzz_util.h"

using namespace prodgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::AsText(data, size);

  Result<Json> any = ParseJson(text, NumberPolicy::kAny, "input");
  Result<Json> strict = ParseJson(text, NumberPolicy::kIntegersOnly, "input");
  FUZZ_CHECK(any.ok() || !strict.ok(), "integers-only accepted what kAny refused");

  if (any.ok()) {
    Result<std::string> c1 = CanonicalJson(*any, NumberPolicy::kAny);
    if (c1.ok()) {
      Result<Json> back = ParseJson(*c1, NumberPolicy::kAny, "canonical");
      FUZZ_CHECK(back.ok(),
                 "canonical form does not parse: " + *c1 + "\n" + back.status().ToString());
      FUZZ_CHECK(*back == *any, "canonical form parses to a different value: " + *c1);
      Result<std::string> c2 = CanonicalJson(*back, NumberPolicy::kAny);
      FUZZ_CHECK(c2.ok(), c2.status().ToString());
      FUZZ_CHECK(*c2 == *c1, "canonicalization is not idempotent:\n" + *c1 + "\n" + *c2);
    }
  }

  if (strict.ok()) {
    Result<std::string> c1 = CanonicalJson(*strict, NumberPolicy::kIntegersOnly);
    FUZZ_CHECK(c1.ok(),
               "an integers-only document does not canonicalize: " + c1.status().ToString());
    Result<Json> doc = ParseCanonicalDocument(*c1, "canonical");
    FUZZ_CHECK(doc.ok(), "canonical form refused as a canonical document: " + *c1 + "\n" +
                             doc.status().ToString());
    FUZZ_CHECK(*doc == *strict, "canonical document parses to a different value: " + *c1);
    Result<Json> doc_nl = ParseCanonicalDocument(*c1 + "\n", "canonical");
    FUZZ_CHECK(doc_nl.ok(), "canonical form + LF refused: " + doc_nl.status().ToString());
  }

  Result<Json> canonical = ParseCanonicalDocument(text, "input");
  if (canonical.ok()) {
    Result<std::string> c = CanonicalJson(*canonical, NumberPolicy::kIntegersOnly);
    FUZZ_CHECK(c.ok(), c.status().ToString());
    std::string_view body = text;
    if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    FUZZ_CHECK(body == *c, "a non-canonical document was accepted as canonical");
  }
  return 0;
}
