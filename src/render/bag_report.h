// Renderings of `prodgate packet verify` (seal/bagit.h): human text and JSON.
//
// JSON, canonical form (RFC 8785) with the tool's identity:
//   {"format":"prodgate.bag-verify/1","verdict":"VALID"|"INVALID"|"UNREADABLE",
//    "dir","version","encoding","algorithms":{"payload":[…],"tag":[…]},
//    "payload_oxum"?,"packet_tree_digest"?,
//    "counts":{"payload_files","payload_bytes","tag_files","fetch_items","files_hashed",
//              "bytes_hashed"},
//    "errors":N,"warnings":N,
//    "problems":[{"path","severity":"error"|"warning","code","rule","message",
//                 "content"?:{"size","original_size"?,"original_source",
//                             "digests":[{"manifest","algorithm","expected","actual","match"}],
//                             "classes":[…],"notes":[…],"first_difference"?:{…}}}],
//    "tool":{…}}
// "path" is "" for a problem of the bag as a whole.
#pragma once

#include <string>

#include "core/canonical_json.h"
#include "core/status.h"
#include "seal/bagit.h"

namespace prodgate::render {

Json BagReportToJson(const seal::BagReport& r);
// Canonical JSON of BagReportToJson plus a newline.
Result<std::string> BagReportJson(const seal::BagReport& r);
// A verdict line, then the problems grouped by path (errors and warnings alike).
std::string BagReportText(const seal::BagReport& r);

}  // namespace prodgate::render
