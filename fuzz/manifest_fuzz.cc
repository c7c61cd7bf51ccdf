// The seal manifest reader (seal/manifest.h: ParseManifest).
//
// Properties: refusal is a Status; an accepted manifest is written back (SerializeManifest)
// as exactly the bytes that were read, "\n" normalized (the reader accepts only canonical
// JSON and only known fields, so there is one spelling per manifest; an empty
// "signatures" array is the one thing the writer leaves out), and what was written reads
// back to the same manifest. Every accepted path passes the path rules.
#include <cstddef>
#include <cstdint>

#include "core/path_rules.h"
#include "fuzz/fuzz_util.h"
#include "seal/manifest.h"

using namespace prodgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::AsText(data, size);
  Result<seal::SealManifest> m = seal::ParseManifest(bytes, "prodgate.seal.json");
  if (!m.ok()) {
    FUZZ_CHECK(!m.status().what().empty(), "refusal without a message");
    return 0;
  }
  for (const auto& e : m->files) {
    FUZZ_CHECK(CheckRelativePath(e.path).ok(), "accepted an unsafe path: " + PrintablePath(e.path));
  }
  Result<std::string> written = seal::SerializeManifest(*m);
  FUZZ_CHECK(written.ok(),
             "an accepted manifest does not serialize: " + written.status().ToString());
  std::string expected(bytes);
  if (expected.empty() || expected.back() != '\n') expected.push_back('\n');
  if (m->signatures.empty() && expected.find("\"signatures\":[]") == std::string::npos) {
    FUZZ_CHECK(*written == expected,
               "written back differently:\nread:    " + expected + "written: " + *written);
  }
  Result<seal::SealManifest> again = seal::ParseManifest(*written, "rewritten");
  FUZZ_CHECK(again.ok(), "the written manifest is refused: " + again.status().ToString());
  Result<std::string> rewritten = seal::SerializeManifest(*again);
  FUZZ_CHECK(rewritten.ok() && *rewritten == *written, "second round trip differs");
  return 0;
}
