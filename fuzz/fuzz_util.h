// Shared by the libFuzzer harnesses of fuzz/ (see fuzz/README.md).
//
// A harness feeds bytes to one parser and asserts what must hold for every input: the
// parser returns (a value or a Status), never throws, never aborts, and where a value can
// be written back, writing and reading it again gives the same value. A property that
// fails aborts with a message, which libFuzzer reports as a crash and saves the input.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/toml.h"
#include "model/config.h"

namespace prodgate::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* what,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: property failed: %s\n%s\n", file, line, what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The configuration `prodgate init` writes; the harnesses that need one use it.
inline const model::Config& DefaultConfig() {
  static const model::Config* config = [] {
    auto doc = ParseToml(model::DefaultConfigToml(), "default config");
    if (!doc.ok()) Fail(__FILE__, __LINE__, "default config parses", doc.status().ToString());
    auto c = model::ParseConfig(*doc, "default config");
    if (!c.ok()) Fail(__FILE__, __LINE__, "default config is valid", c.status().ToString());
    return new model::Config(std::move(*c));
  }();
  return *config;
}

}  // namespace prodgate::fuzz

#define FUZZ_CHECK(cond, detail)                                              \
  do {                                                                        \
    if (!(cond)) ::prodgate::fuzz::Fail(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

namespace prodgate::fuzz {

// True when `v` holds a float that is not finite (TOML's inf and nan): the one thing the
// JSON value model can hold and canonical JSON cannot write.
inline bool HasNonFinite(const Json& v) {
  if (v.is_number_float()) return !std::isfinite(v.get<double>());
  if (v.is_structured()) {
    for (const auto& child : v) {
      if (HasNonFinite(child)) return true;
    }
  }
  return false;
}

// ParseToml's contract: a syntax error is a Status naming the input; what parses is a JSON
// object that canonical JSON can write (unless TOML gave it inf or nan).
inline Result<Json> ParseTomlChecked(std::string_view text, std::string_view name) {
  Result<Json> doc = ParseToml(text, name);
  if (!doc.ok()) {
    FUZZ_CHECK(doc.status().what().find(name) != std::string::npos,
               "TOML error does not name the file: " + doc.status().what());
    return doc;
  }
  FUZZ_CHECK(doc->is_object(), "a TOML document is not an object");
  Result<std::string> c = CanonicalJson(*doc, NumberPolicy::kAny);
  FUZZ_CHECK(c.ok() || HasNonFinite(*doc),
             "parsed TOML does not canonicalize: " + c.status().ToString());
  return doc;
}

}  // namespace prodgate::fuzz
