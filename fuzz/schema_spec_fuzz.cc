// The schema spec (clone/schema_spec.h: ParseSchemaSpec over core/toml.h: ParseToml).
//
// Properties: refusal is a Status; an accepted spec has named tables and columns, unique
// by name ignoring ASCII case, affinities in SQLite's five, and a primary key made of
// listed columns; the type helpers answer for every declared type.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <set>

#include "clone/schema_spec.h"
#include "fuzz/fuzz_util.h"

using namespace prodgate;
using namespace prodgate::clone;

namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<Json> doc = fuzz::ParseTomlChecked(fuzz::AsText(data, size), "schema.toml");
  if (!doc.ok()) return 0;
  Result<SchemaSpec> spec = ParseSchemaSpec(*doc, "schema.toml");
  if (!spec.ok()) {
    FUZZ_CHECK(!spec.status().what().empty(), "refusal without a message");
    return 0;
  }
  std::set<std::string> tables;
  for (const auto& t : spec->tables) {
    FUZZ_CHECK(tables.insert(Upper(t.name)).second, "table listed twice: " + t.name);
    std::set<std::string> columns;
    for (const auto& c : t.columns) {
      FUZZ_CHECK(columns.insert(Upper(c.name)).second, "column listed twice: " + c.name);
      if (c.affinity) {
        FUZZ_CHECK(*c.affinity == "INTEGER" || *c.affinity == "TEXT" || *c.affinity == "BLOB" ||
                       *c.affinity == "REAL" || *c.affinity == "NUMERIC",
                   "unknown affinity accepted: " + *c.affinity);
      }
      for (const auto& type : c.types) {
        std::string a = TypeAffinity(type);
        FUZZ_CHECK(TypeAffinity(NormalizeType(type)) == a ||
                       type.find_first_of(" \t\n\v\f\r") != std::string::npos,
                   "affinity of a type changes when normalized: " + type);
        FUZZ_CHECK(NormalizeType(NormalizeType(type)) == NormalizeType(type),
                   "NormalizeType is not idempotent: " + type);
      }
    }
    if (t.primary_key && !t.columns.empty()) {
      for (const auto& k : *t.primary_key) {
        FUZZ_CHECK(columns.count(Upper(k)) == 1, "primary key names an unlisted column: " + k);
      }
    }
  }
  return 0;
}
