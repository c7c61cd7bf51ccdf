// Id reservations (compare seed 002: "objects reserved TKT-OBJ-495..507, above ceiling 494,
// canonical fold false, canonical registry untouched").
//
// A prefix has a ceiling: the highest id its canonical registry holds. A reservation takes
// the next `count` numbers above the ceiling and above every earlier reservation, without
// touching the registry. A fold moves the reserved ranges into the registry: the ceiling
// becomes the highest folded number. `VerifyIds` replays the prefix's events (re-hashed)
// and checks that reservations never overlap, lie above the ceiling, and that the
// projection agrees with the events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/workspace.h"

namespace prodgate::model {

struct IdRange {
  int64_t first = 0, last = 0;
};

struct IdState {
  std::string prefix;
  int64_t ceiling = 0;            // highest id in the canonical registry
  std::vector<IdRange> reserved;  // not yet folded
  std::vector<IdRange> folded;
  std::string Label(int64_t n) const;  // "TKT-OBJ-495"
  Json ToJson() const;                 // the seed's vocabulary included
};

// The first reservation of a prefix needs `ceiling` (>= 0); later ones must not give a
// different one.
Result<IdState> ReserveIds(Workspace& ws, const std::string& prefix, int64_t count,
                           std::optional<int64_t> ceiling, const std::string& actor);
Result<IdState> FoldIds(Workspace& ws, const std::string& prefix, const std::string& actor);

struct IdVerification {
  IdState state;
  bool ok = false;
  std::vector<std::string> problems;
};
Result<IdVerification> VerifyIds(Workspace& ws, const std::string& prefix);

}  // namespace prodgate::model
