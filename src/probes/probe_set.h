// The probes, one file per module they attack (probes_<module>.cc). Internal to probes/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "probes/fixture.h"
#include "probes/probes.h"

namespace prodgate::probes {

struct Probe {
  ProbeInfo info;
  std::function<void(Fixture&)> run;
  int weight = 1;  // rough cost (rehearsals are heavy): the heaviest start first
};

std::vector<Probe> SealProbes();
std::vector<Probe> LedgerProbes();
std::vector<Probe> AuthorityProbes();
std::vector<Probe> EvidenceProbes();
std::vector<Probe> CloneProbes();
std::vector<Probe> RehearseProbes();

// Every probe, in report order.
const std::vector<Probe>& AllProbes();

// A change digest that names no real change (for bindings that must not match anything).
inline const std::string kSomeChange(64, 'c');

// The change digest a rehearsal printed ("rehearsal of change <64 hex> on …"), or "".
std::string RehearsedChange(const std::string& rehearse_text);

}  // namespace prodgate::probes
