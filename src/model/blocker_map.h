// Production blocker maps as documents (DESIGN.md §3.5): reading the shapes maps are
// written in, writing prodgate's own export (JSON, Markdown), diffing two revisions of a
// map, and summarizing what is left. Pure functions: the caller reads and writes files and
// records blockers in the ledger; nothing here closes a blocker.
//
// Shapes ParseBlockerMap reads, found by the list the map object holds:
//   "blockers"               {"doc":…, "blockers":[{"id","item","status","actor_needed":
//                            "owner + operator","next_action","blocks":"production",…}]}
//   "table_F_final_blockers" {"table_F_final_blockers":[{"blocker_id","item","category":
//                            "requires …","remaining_actor_input","blocks":[…],…}]} (no status)
//   "prodgate.blockers/1"    what ExportJson writes.
//
// Unset status. A map may not state a blocker's status (table_F_final_blockers has no such
// field). Such a blocker is imported with `status == ""`, meaning "this map does not say":
// the caller keeps the status the ledger already holds (OPEN for a new blocker). An unset
// status counts as open, is never reported as a status change by DiffBlockerMaps, and is
// refused by Blocker::FromJson, so it cannot reach the ledger unresolved.
// Category "" is different: it is a state, "uncategorized" (see Blocker::category).
//
// Thread-safety: every function is pure and may be called concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"
#include "model/blocker.h"
#include "model/config.h"

namespace prodgate::model {

inline constexpr std::string_view kBlockerMapFormat = "prodgate.blockers/1";
inline constexpr std::string_view kShapeBlockers = "blockers";
inline constexpr std::string_view kShapeTableF = "table_F_final_blockers";
inline constexpr std::string_view kShapeExport = kBlockerMapFormat;

struct ImportedMap {
  std::string shape;  // kShapeBlockers, kShapeTableF or kShapeExport
  // In document order. `status` is "" where the map states none (see above).
  std::vector<Blocker> blockers;
  // The map object's other top-level fields (doc, date, authority, open_count, …); for
  // the export shape, its "metadata" value.
  Json metadata = Json::object();
  std::string source_sha256;  // lowercase hex SHA-256 of the whole text that was read
  // Figures the map claims that disagree with its own blockers (open_count,
  // engineering_blockers_remaining). Informational: the blockers are what is imported.
  std::vector<std::string> warnings;
};

// Reads a map file exactly as it is, text around the JSON included. Finds the JSON object
// as follows: at each `{` in the text, in order, take the shortest balanced `{…}` (braces
// inside JSON strings, with their escapes, do not count) and parse it (ParseJson,
// NumberPolicy::kAny). Within a candidate that parses, the map is the first object, in
// depth-first order with members by name, that has "format": "prodgate.blockers/…" or a
// "blockers" or "table_F_final_blockers" array; a candidate that parses without one is
// skipped whole. A candidate that does not parse or never closes is skipped from its next
// character; after 16 such failures the search stops.
//
// Each blocker is mapped onto Blocker (fields prodgate has no slot for go to `extra` under
// their own names; see blocker_map.cc for the field table). Refused, every problem listed:
// no map, a status of CLOSED or closed_this_lane true (closing needs evidence that
// verifies; an imported map cannot carry it), an unknown status, gate label or category, a
// missing or duplicate id, a field of the wrong type.
Result<ImportedMap> ParseBlockerMap(std::string_view text, std::string_view name,
                                    const Config& config);

// {"format":"prodgate.blockers/1","blockers":[Blocker::ToJson()…],"metadata":metadata,
//  "open_count":N}, blockers sorted by id; an unset status is left out, not written "".
Json ExportJson(const std::vector<Blocker>& blockers, const Json& metadata);

// Reads what ExportJson wrote (through ParseBlockerMap); any other shape is refused.
Result<std::vector<Blocker>> ParseBlockerExport(std::string_view text, std::string_view name,
                                                const Config& config);

// A Markdown page: the summary (open count, engineering blockers remaining, conclusion),
// a table | blocker | status | category | actor | blocks | next action | sorted by id, and
// what each gate label used holds, from `config`.
std::string ExportMarkdown(const std::vector<Blocker>& blockers, const Config& config);

enum class FieldChangeKind { kChanged, kAdded, kRemoved };

// One field that differs. `field` is status, item, category, actor_needed, next_action,
// blocks, evidence, or "extra.<key>". kAdded has no `before`, kRemoved no `after` (null).
struct FieldChange {
  std::string field;
  FieldChangeKind kind = FieldChangeKind::kChanged;
  Json before;
  Json after;
};

// A field one map states and the other leaves unset: not compared, so never a change.
struct UnstatedField {
  std::string field;
  char missing_in = 'B';  // 'A' or 'B': the map that does not state it
  Json stated;            // the value the other map states
};

struct BlockerChange {
  std::string id;
  std::vector<FieldChange> changes;
  std::vector<UnstatedField> unstated;
};

struct MapDiff {
  std::vector<Blocker> added;          // in B only, sorted by id
  std::vector<Blocker> removed;        // in A only, sorted by id
  std::vector<BlockerChange> changed;  // sorted by id
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// Matches blockers by id (ids are unique within a map; the first wins otherwise). Lists
// (actor_needed, blocks, evidence) compare as sets: their order means nothing. An unset
// status on either side is not compared (UnstatedField instead).
MapDiff DiffBlockerMaps(const std::vector<Blocker>& a, const std::vector<Blocker>& b);
std::string RenderDiffText(const MapDiff& diff);
// {"format":"prodgate.blocker-diff/1","added":[…],"removed":[…],"changed":[{"id",
//  "changes":[{"field","kind","before","after"}],"unstated":[{"field","missing_in","stated"}]}]}
Json DiffToJson(const MapDiff& diff);

struct BlockerSummary {
  int open_count = 0;                           // status not CLOSED (unset counts as open)
  std::map<std::string, int> by_status;         // every blocker; "unset" for ""
  std::map<std::string, int> by_category;       // open blockers; "uncategorized" for ""
  std::vector<std::string> engineering_open;    // ids of open engineering blockers, sorted
  std::vector<std::string> uncategorized_open;  // ids of open uncategorized blockers, sorted
  // True when blockers are open and every one of them needs a human: what comes next is a
  // decision, not more engineering.
  bool decision_next = false;
  std::string conclusion;
};

BlockerSummary Summarize(const std::vector<Blocker>& blockers);
// {"format":"prodgate.blocker-summary/1","open_count","by_status","by_category",
//  "engineering_blockers_remaining":N,"uncategorized_open":N,"decision_next","conclusion"}
Json SummaryToJson(const BlockerSummary& summary);
std::string RenderSummaryText(const BlockerSummary& summary);

}  // namespace prodgate::model
