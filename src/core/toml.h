// TOML (human-edited config and specs) read into the same JSON value model the rest of
// prodgate validates, through toml++.
//
// Mapping: tables → objects, arrays → arrays, strings, integers (int64), floats (double),
// booleans; dates, times and date-times → their TOML text as a string.
#pragma once

#include <string_view>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate {

// Parses TOML text. A syntax error is BadInput naming `name`, the line and the column.
Result<Json> ParseToml(std::string_view text, std::string_view name);

// Reads and parses a TOML file.
Result<Json> ReadTomlFile(const std::string& path);

}  // namespace prodgate
