#include "clone/clone_check.h"

#include "clone/secret_check.h"
#include "clone/secret_scan.h"
#include "core/redact.h"
#include "db/database.h"

namespace prodgate::clone {

Result<CloneCheckReport> CheckClone(std::string_view target, const CloneCheckOptions& options) {
  // Everything that can be bad input is read before any check runs.
  std::optional<SchemaSpec> spec;
  if (options.schema_spec) {
    PG_ASSIGN_OR_RETURN(spec, ReadSchemaSpec(*options.schema_spec));
  }
  for (const auto& p : options.production) PG_RETURN_IF_ERROR(db::ParseTarget(p.target).status());
  PG_ASSIGN_OR_RETURN(auto scanner, SecretScanner::Compile(options.rules));
  PG_ASSIGN_OR_RETURN(auto db, db::OpenTarget(target, db::OpenMode::kReadOnly));

  CloneCheckReport report;
  report.target = ShownTarget(target);
  PG_ASSIGN_OR_RETURN(CheckOutcome isolation, CheckIsolation(*db, options.production));
  PG_RETURN_IF_ERROR(CheckMarker(*db, isolation));
  PG_RETURN_IF_ERROR(CheckOutboundLinks(*db, isolation));
  report.checks.push_back(std::move(isolation));

  PG_ASSIGN_OR_RETURN(CheckOutcome secrets, CheckSecrets(*db, *scanner, {options.raw_file}));
  report.checks.push_back(std::move(secrets));

  if (spec) {
    PG_ASSIGN_OR_RETURN(db::Schema schema, db->Introspect());
    report.checks.push_back(CheckSchema(schema, *spec));
  } else {
    CheckOutcome schema;
    schema.name = "schema";
    schema.state = CheckState::kNotRun;
    schema.note = "no schema spec given (--schema SPEC)";
    report.checks.push_back(std::move(schema));
  }
  report.pass = true;
  for (const auto& c : report.checks) report.pass &= c.state != CheckState::kFail;
  return report;
}

}  // namespace prodgate::clone
