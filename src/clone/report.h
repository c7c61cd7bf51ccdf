// Renderings of clone checks, the rule list and raw-file scans: human text and canonical
// JSON with the document format and the tool's identity. Neither ever holds a secret value:
// findings carry locations only (secret_check.h).
//
//   prodgate.clone-check/1  {"format","tool","target","verdict":"PASS"|"FAIL",
//                            "checks":[{"name","state":"PASS"|"FAIL"|"NOT RUN","findings":
//                            [{"rule","message","fix","where"}],"facts","note"?}]}
//   prodgate.secret-rules/1 {"format","tool","rules":[{"id","description","pattern",
//                            "caseless","min_entropy_millibits"}]}
//   prodgate.secret-scan/1  {"format","tool","files":[{"path","bytes","findings":[{"rule",
//                            "offset","length"}]}],"verdict"}
#pragma once

#include <string>
#include <vector>

#include "clone/clone_check.h"
#include "clone/secret_scan.h"
#include "core/status.h"

namespace prodgate::clone {

std::string CloneCheckText(const CloneCheckReport& r);
Result<std::string> CloneCheckJson(const CloneCheckReport& r);

std::string RulesText(const std::vector<SecretRule>& rules);
Result<std::string> RulesJson(const std::vector<SecretRule>& rules);

struct FileScan {
  std::string path;
  uint64_t bytes = 0;
  std::vector<SecretMatch> matches;
};
std::string FileScanText(const std::vector<FileScan>& scans, const std::vector<SecretRule>& rules);
Result<std::string> FileScanJson(const std::vector<FileScan>& scans,
                                 const std::vector<SecretRule>& rules);

}  // namespace prodgate::clone
