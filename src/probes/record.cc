#include <fmt/format.h>

#include "model/projector.h"
#include "probes/probes.h"

namespace prodgate::probes {

Result<int64_t> RecordProbes(model::Workspace& ws, const SuiteReport& report,
                             const std::string& actor) {
  Json leaked = Json::array();
  size_t closed = 0;
  for (const auto& p : report.probes) {
    if (p.failed_closed) {
      ++closed;
    } else {
      leaked.push_back(p.info.name);
    }
  }
  auto appended = model::AppendEvent(ws, [&](ledger::ProjectionTxn&) -> Result<ledger::EventDraft> {
    ledger::EventDraft e;
    e.actor = actor;
    e.kind = "probes.result";
    e.body = {{"verdict", report.pass() ? "PASS" : "FAIL"},
              {"probes", report.probes.size()},
              {"failed_closed", closed},
              {"leaked", leaked},
              {"control_allowed", report.control_allowed},
              {"token_leaks", report.leaks.size()},
              {"outputs_scanned", report.outputs_scanned}};
    return e;
  });
  if (!appended.ok()) return appended.status();
  return appended->seq;
}

}  // namespace prodgate::probes
