#include "model/blocker_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "core/sha256.h"

// Field table: how a map row becomes a Blocker.
//
//   Blocker        "blockers" shape       "table_F_final_blockers" shape
//   id             id                     blocker_id
//   item           item                   item
//   status         status (absent: unset) status (absent: unset; the seeds have none)
//   category       category (absent: "")  category, a phrase → Config::ResolveCategory
//   actor_needed   actor_needed           remaining_actor_input
//   next_action    next_action            next_action
//   blocks         blocks                 blocks
//   evidence       — (always empty: a map names no sealed digest)
//   extra          every other field under its own name; plus
//                  evidence_text     the map's free-text "evidence"
//                  actor_needed_raw  the actor text when it is not the names joined by " + "
//                  blocks_raw        the blocks text when it is not the labels joined by "/"
//                  category_raw      the category phrase when it is not the category itself
//
// actor_needed / remaining_actor_input: a string or an array of strings. Each string loses
// its parenthetical remarks first (so "+" inside a remark does not split), then is split on
// "+" and trimmed: "owner (adopt?) + operator (wire off-production)" → owner, operator.
// blocks: a string or an array of strings; each through Config::ResolveGateLabels. Both
// lists drop repeated names, keeping the first.
// closed_this_lane is kept in extra; true is refused like status CLOSED.

namespace prodgate::model {
namespace {

// Candidates that fail to parse (or never close) before the search gives up. Bounds the
// work on text full of stray braces to a small multiple of its length.
constexpr size_t kMaxFailedCandidates = 16;

constexpr std::string_view kExportPrefix = "prodgate.blockers/";
constexpr std::string_view kUnset = "unset";
constexpr std::string_view kUncategorized = "uncategorized";

constexpr const char* kFixNoMap =
    "import the map file exactly as it was written; it must hold one JSON object with a "
    "\"blockers\" or \"table_F_final_blockers\" array (or be a `prodgate blocker export`)";
constexpr const char* kFixClosed =
    "import the blocker open, then close it with `prodgate blocker close ID --evidence DIGEST`: "
    "closing needs evidence that verifies (DESIGN.md §3.5), which a map file cannot carry";
constexpr const char* kFixStatus =
    "use OPEN, OPEN_DESIGN_DELIVERED or OPEN_PARTIALLY_DISCHARGED, or leave status out to keep "
    "the status prodgate holds";
constexpr const char* kFixField = "correct the field in the map file and import it again";
constexpr const char* kFixId =
    "give every blocker a unique id without spaces (\"id\"; \"blocker_id\" in "
    "table_F_final_blockers)";
constexpr const char* kFixExport =
    "write the file again with `prodgate blocker export --format json` instead of editing it";

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Drops parenthetical remarks, nested ones included: "operator (+ separate authorization)".
std::string StripRemarks(std::string_view s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  return Trim(out);
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// Json::dump, but invalid UTF-8 (possible in a Blocker built by a caller) is replaced,
// never thrown.
std::string Show(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  return fmt::format("{}", fmt::join(parts, sep));
}

void AppendUnique(std::vector<std::string>& out, std::string s) {
  if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
}

// Problems of one map, gathered so that every one is reported, not only the first.
class Problems {
 public:
  void Add(std::string what, std::string_view fix) {
    what_.push_back(std::move(what));
    if (std::find(fixes_.begin(), fixes_.end(), fix) == fixes_.end()) fixes_.emplace_back(fix);
  }
  bool empty() const { return what_.empty(); }
  Status ToStatus(std::string_view name) const {
    return Status::BadInput(
        fmt::format("{}: {} in the blocker map:\n    {}", name,
                    Plural(what_.size(), "problem", "problems"), fmt::join(what_, "\n    ")),
        Join(fixes_, "\n       "));
  }

 private:
  std::vector<std::string> what_;
  std::vector<std::string> fixes_;
};

// The problems of one row, prefixed with the row's name ("blocker \"ID\"" or "blocker #3").
struct RowProblems {
  std::string who;
  Problems* all;
  void Fail(std::string_view what, std::string_view fix) const {
    all->Add(fmt::format("{}: {}", who, what), fix);
  }
};

std::string RowName(const Json& row, const char* id_key, size_t index) {
  if (row.is_object()) {
    auto it = row.find(id_key);
    if (it != row.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return fmt::format("blocker \"{}\"", it->get_ref<const std::string&>());
    }
  }
  return fmt::format("blocker #{}", index + 1);
}

// --- Finding the map in the text -----------------------------------------------------------

// One past the `}` closing the `{` at `open`, or npos when the text ends first. Braces in
// JSON strings (from an unescaped `"` to the next unescaped `"`) do not count.
size_t BalancedEnd(std::string_view text, size_t open) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string Where(std::string_view text, size_t pos) {
  std::string_view before = text.substr(0, pos);
  size_t line = 1 + std::count(before.begin(), before.end(), '\n');
  size_t last_nl = before.rfind('\n');
  size_t column = last_nl == std::string_view::npos ? pos + 1 : pos - last_nl;
  return fmt::format("the JSON at line {}, column {}", line, column);
}

bool HasArray(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_array();
}

// The shape `v` is written in, or "" when it is not a map.
std::string_view ShapeOf(const Json& v) {
  if (!v.is_object()) return {};
  auto format = v.find("format");
  if (format != v.end() && format->is_string() &&
      format->get_ref<const std::string&>().starts_with(kExportPrefix)) {
    return kShapeExport;
  }
  if (HasArray(v, kShapeBlockers)) return kShapeBlockers;
  if (HasArray(v, kShapeTableF)) return kShapeTableF;
  return {};
}

// Depth-first, members in name order, the value itself first.
const Json* FindMapIn(const Json& root) {
  std::vector<const Json*> stack{&root};
  while (!stack.empty()) {
    const Json* v = stack.back();
    stack.pop_back();
    if (!ShapeOf(*v).empty()) return v;
    if (v->is_structured()) {
      for (auto it = v->rbegin(); it != v->rend(); ++it) stack.push_back(&*it);
    }
  }
  return nullptr;
}

Result<Json> LocateMap(std::string_view text, std::string_view name) {
  std::vector<std::string> failures;
  size_t pos = 0;
  while (failures.size() < kMaxFailedCandidates) {
    size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    size_t end = BalancedEnd(text, open);
    if (end == std::string_view::npos) {
      failures.push_back(Where(text, open) + " is not closed before the text ends (truncated?)");
      pos = open + 1;
      continue;
    }
    Result<Json> parsed =
        ParseJson(text.substr(open, end - open), NumberPolicy::kAny, Where(text, open));
    if (!parsed.ok()) {
      failures.push_back(parsed.status().what());
      pos = open + 1;
      continue;
    }
    if (const Json* map = FindMapIn(*parsed)) return *map;
    pos = end;
  }
  std::string why = "no JSON object in it has a \"blockers\" or \"table_F_final_blockers\" array";
  if (!failures.empty()) why += "; unreadable JSON:\n    " + Join(failures, "\n    ");
  return Status::BadInput(fmt::format("{}: no blocker map found; {}", name, why), kFixNoMap);
}

// --- Field checks shared by every shape ----------------------------------------------------

void CheckId(const std::string& id, const RowProblems& p) {
  if (id.empty()) {
    p.Fail("the id is empty", kFixId);
    return;
  }
  // An id is typed on command lines (`prodgate blocker set ID`): no blanks, no controls.
  if (std::any_of(id.begin(), id.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    p.Fail(fmt::format("id {} holds a space or a control character", Show(Json(id))), kFixId);
  }
}

void CheckStatus(const std::string& status, const RowProblems& p) {
  if (status == "CLOSED") {
    p.Fail("status CLOSED is refused in an imported map", kFixClosed);
  } else if (!IsBlockerStatus(status)) {
    p.Fail(fmt::format("unknown status {}", Show(Json(status))), kFixStatus);
  }
}

// "owner (adopt?) + operator" → {"owner", "operator"}; an empty part stays "" for the caller
// to refuse. A string that is only a remark yields no names.
std::vector<std::string> SplitActors(std::string_view raw) {
  std::string s = StripRemarks(raw);
  if (s.empty()) return {};
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t plus = s.find('+', start);
    parts.push_back(Trim(std::string_view(s).substr(
        start, plus == std::string::npos ? std::string::npos : plus - start)));
    if (plus == std::string::npos) return parts;
    start = plus + 1;
  }
}

// --- Seed shapes: "blockers" and "table_F_final_blockers" ----------------------------------

struct SeedShape {
  std::string_view list;
  const char* id;
  const char* actor;
};
constexpr SeedShape kBlockersFields{kShapeBlockers, "id", "actor_needed"};
constexpr SeedShape kTableFFields{kShapeTableF, "blocker_id", "remaining_actor_input"};

// Reads one row of a seed-shaped map; see the field table at the top of this file.
class SeedRow {
 public:
  SeedRow(const SeedShape& shape, const Config& config, RowProblems problems)
      : shape_(shape), config_(config), p_(std::move(problems)) {
    b_.status.clear();  // unset until the row states one
  }

  Blocker Read(const Json& row) && {
    if (!row.is_object()) {
      p_.Fail("is not a JSON object", kFixField);
      return std::move(b_);
    }
    for (const auto& [key, value] : row.items()) ReadField(key, value);
    if (!row.contains(shape_.id)) p_.Fail(fmt::format("has no \"{}\"", shape_.id), kFixId);
    return std::move(b_);
  }

 private:
  void ReadField(const std::string& key, const Json& value) {
    if (key == shape_.id) {
      if (ReadString(key, value, b_.id)) CheckId(b_.id, p_);
    } else if (key == "item") {
      ReadString(key, value, b_.item);
    } else if (key == "next_action") {
      ReadString(key, value, b_.next_action);
    } else if (key == "status") {
      if (ReadString(key, value, b_.status)) CheckStatus(b_.status, p_);
    } else if (key == "category") {
      ReadCategory(value);
    } else if (key == shape_.actor) {
      ReadActors(key, value);
    } else if (key == "blocks") {
      ReadBlocks(value);
    } else if (key == "evidence") {
      PutExtra("evidence_text", value);
    } else {
      if (key == "closed_this_lane") CheckClosedClaim(value);
      PutExtra(key, value);
    }
  }

  bool ReadString(const std::string& key, const Json& value, std::string& out) {
    if (!value.is_string()) {
      p_.Fail(fmt::format("\"{}\" must be a string, not {}", key, value.type_name()), kFixField);
      return false;
    }
    out = value.get<std::string>();
    return true;
  }

  // A string, or an array of strings, as a list of strings; nullopt (reported) otherwise.
  std::optional<std::vector<std::string>> Strings(const std::string& key, const Json& value) {
    if (value.is_string()) return std::vector<std::string>{value.get<std::string>()};
    bool all_strings = value.is_array() && std::all_of(value.begin(), value.end(),
                                                       [](const Json& e) { return e.is_string(); });
    if (!all_strings) {
      p_.Fail(fmt::format("\"{}\" must be a string or an array of strings", key), kFixField);
      return std::nullopt;
    }
    return value.get<std::vector<std::string>>();
  }

  // Keeps `value` as extra[raw_key] unless the parsed list, written back the way the value
  // was (joined by `sep` for a string), gives it exactly.
  void KeepRawUnlessExact(const char* raw_key, const Json& value,
                          const std::vector<std::string>& parsed, std::string_view sep) {
    Json exact = value.is_string() ? Json(Join(parsed, sep)) : Json(parsed);
    if (value != exact) PutExtra(raw_key, value);
  }

  void ReadActors(const std::string& key, const Json& value) {
    auto texts = Strings(key, value);
    if (!texts) return;
    for (const auto& text : *texts) {
      std::vector<std::string> names = SplitActors(text);
      for (auto& n : names) {
        if (n.empty()) {
          p_.Fail(fmt::format("\"{}\" {} names an empty actor", key, Show(Json(text))), kFixField);
        } else {
          AppendUnique(b_.actor_needed, std::move(n));
        }
      }
    }
    KeepRawUnlessExact("actor_needed_raw", value, b_.actor_needed, " + ");
  }

  void ReadBlocks(const Json& value) {
    auto texts = Strings("blocks", value);
    if (!texts) return;
    for (const auto& text : *texts) {
      Result<std::vector<std::string>> labels = config_.ResolveGateLabels(text);
      if (!labels.ok()) {
        p_.Fail("blocks: " + labels.status().what(), labels.status().fix());
        continue;
      }
      for (auto& l : *labels) AppendUnique(b_.blocks, std::move(l));
    }
    KeepRawUnlessExact("blocks_raw", value, b_.blocks, "/");
  }

  void ReadCategory(const Json& value) {
    std::string raw;
    if (!ReadString("category", value, raw) || raw.empty()) return;  // "" = uncategorized
    Result<std::string> category = config_.ResolveCategory(raw);
    if (!category.ok()) {
      p_.Fail("category: " + category.status().what(), category.status().fix());
      return;
    }
    b_.category = *category;
    if (b_.category != raw) PutExtra("category_raw", value);
  }

  void CheckClosedClaim(const Json& value) {
    if (!value.is_boolean()) {
      p_.Fail(fmt::format("\"closed_this_lane\" must be true or false, not {}", Show(value)),
              kFixField);
    } else if (value.get<bool>()) {
      p_.Fail("closed_this_lane is true: the map claims it closed, which an import cannot do",
              kFixClosed);
    }
  }

  // The map's own field names and the ones derived here share `extra`; a clash would lose
  // one of the two values, so it is refused.
  void PutExtra(const std::string& key, const Json& value) {
    if (b_.extra.contains(key)) {
      p_.Fail(fmt::format("field \"{}\" clashes with the \"{}\" prodgate derives from another "
                          "field",
                          key, key),
              "rename the field in the map file");
      return;
    }
    b_.extra[key] = value;
  }

  const SeedShape& shape_;
  const Config& config_;
  RowProblems p_;
  Blocker b_;
};

void ReadSeedMap(const Json& doc, const SeedShape& shape, const Config& config, ImportedMap& map,
                 Problems& problems) {
  if (shape.list == kShapeBlockers && HasArray(doc, kShapeTableF)) {
    problems.Add("the map holds both a \"blockers\" and a \"table_F_final_blockers\" array",
                 "keep one list per map file");
  }
  const Json& rows = doc[std::string(shape.list)];
  for (size_t i = 0; i < rows.size(); ++i) {
    RowProblems p{RowName(rows[i], shape.id, i), &problems};
    map.blockers.push_back(SeedRow(shape, config, std::move(p)).Read(rows[i]));
  }
  map.metadata = doc;
  map.metadata.erase(std::string(shape.list));
}

// --- The export shape, "prodgate.blockers/1" -----------------------------------------------

void CheckExportLabels(const Blocker& b, const Config& config, const RowProblems& p) {
  for (const auto& label : b.blocks) {
    Result<std::vector<std::string>> resolved = config.ResolveGateLabels(label);
    if (!resolved.ok()) {
      p.Fail("blocks: " + resolved.status().what(), resolved.status().fix());
    } else if (*resolved != std::vector<std::string>{label}) {
      p.Fail(fmt::format("blocks holds {}, not one gate label", Show(Json(label))), kFixExport);
    }
  }
}

void CheckExportCategory(const Blocker& b, const Config& config, const RowProblems& p) {
  if (b.category.empty()) return;
  Result<std::string> resolved = config.ResolveCategory(b.category);
  if (!resolved.ok()) {
    p.Fail("category: " + resolved.status().what(), resolved.status().fix());
  } else if (*resolved != b.category) {
    p.Fail(fmt::format("category {} is a phrase; the export holds the category it means ({})",
                       Show(Json(b.category)), Show(Json(*resolved))),
           kFixExport);
  }
}

Blocker ReadExportRow(const Json& row, const Config& config, const RowProblems& p) {
  Blocker b;
  if (!row.is_object()) {
    p.Fail("is not a JSON object", kFixExport);
    return b;
  }
  if (!row.contains("id")) {
    p.Fail("has no \"id\"", kFixId);
    return b;
  }
  Result<Blocker> parsed = Blocker::FromJson(row);
  if (!parsed.ok()) {
    p.all->Add(parsed.status().what(), kFixExport);
    if (row["id"].is_string()) b.id = row["id"].get<std::string>();
    return b;
  }
  b = std::move(parsed).value();
  CheckId(b.id, p);
  if (row.contains("status")) {
    CheckStatus(b.status, p);
  } else {
    b.status.clear();  // ExportJson leaves an unset status out
  }
  CheckExportLabels(b, config, p);
  CheckExportCategory(b, config, p);
  for (const auto& e : b.evidence) {
    if (!DigestFromHex(e)) {
      p.Fail(fmt::format("evidence {} is not a SHA-256 digest (64 lowercase hex characters)",
                         Show(Json(e))),
             kFixExport);
    }
  }
  return b;
}

void ReadExport(const Json& doc, const Config& config, ImportedMap& map, Problems& problems) {
  for (const auto& [key, value] : doc.items()) {
    if (key != "format" && key != "blockers" && key != "metadata" && key != "open_count") {
      problems.Add(fmt::format("unknown top-level field \"{}\"", key), kFixExport);
    }
  }
  if (doc["format"] != kBlockerMapFormat) {
    problems.Add(fmt::format("format {} is not supported; this prodgate reads \"{}\"",
                             Show(doc["format"]), kBlockerMapFormat),
                 "export the map again with the prodgate version that will read it");
    return;
  }
  if (!HasArray(doc, "blockers")) {
    problems.Add("\"blockers\" must be an array", kFixExport);
    return;
  }
  const Json& rows = doc["blockers"];
  for (size_t i = 0; i < rows.size(); ++i) {
    map.blockers.push_back(ReadExportRow(rows[i], config, {RowName(rows[i], "id", i), &problems}));
  }
  map.metadata = doc.contains("metadata") ? doc["metadata"] : Json::object();
  int open = Summarize(map.blockers).open_count;
  if (!doc.contains("open_count") || doc["open_count"] != open) {
    problems.Add(
        fmt::format("open_count is {} but {} listed", Show(doc.value("open_count", Json())),
                    Plural(open, "open blocker is", "open blockers are")),
        kFixExport);
  }
}

// --- Whole-map checks ----------------------------------------------------------------------

void CheckDuplicateIds(const std::vector<Blocker>& blockers, Problems& problems) {
  std::map<std::string, int> seen;
  for (const auto& b : blockers) {
    if (!b.id.empty()) ++seen[b.id];
  }
  for (const auto& [id, n] : seen) {
    if (n > 1) problems.Add(fmt::format("blocker \"{}\" appears {} times", id, n), kFixId);
  }
}

// Figures a seed map states about itself, compared with what its blockers say.
std::vector<std::string> ClaimWarnings(const ImportedMap& map) {
  std::vector<std::string> out;
  if (!map.metadata.is_object()) return out;
  BlockerSummary s = Summarize(map.blockers);
  auto claim = map.metadata.find("open_count");
  if (claim != map.metadata.end() && *claim != s.open_count) {
    out.push_back(fmt::format("the map says open_count {} but lists {}", Show(*claim),
                              Plural(s.open_count, "open blocker", "open blockers")));
  }
  claim = map.metadata.find("engineering_blockers_remaining");
  if (claim != map.metadata.end() && s.uncategorized_open.empty() &&
      *claim != s.engineering_open.size()) {
    out.push_back(fmt::format("the map says engineering_blockers_remaining {} but lists {}",
                              Show(*claim),
                              Plural(s.engineering_open.size(), "open engineering blocker",
                                     "open engineering blockers")));
  }
  return out;
}

// A blocker as ExportJson and DiffToJson write it: an unset status is left out.
Json BlockerJson(const Blocker& b) {
  Json j = b.ToJson();
  if (b.status.empty()) j.erase("status");
  return j;
}

std::vector<const Blocker*> SortedById(const std::vector<Blocker>& blockers) {
  std::vector<const Blocker*> out;
  for (const auto& b : blockers) out.push_back(&b);
  std::stable_sort(out.begin(), out.end(),
                   [](const Blocker* x, const Blocker* y) { return x->id < y->id; });
  return out;
}

// --- Markdown ------------------------------------------------------------------------------

// A table cell: `\` and `|` escaped, line breaks as spaces.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return Trim(out);
}

std::string RuleText(const GateRule& r) {
  return fmt::format("{} in {}", r.action == "*" ? "any action" : "`" + r.action + "`",
                     r.scope == "*" ? "any scope" : "scope `" + r.scope + "`");
}

std::string GateLegend(const std::vector<Blocker>& blockers, const Config& config) {
  std::set<std::string> labels;
  for (const auto& b : blockers) labels.insert(b.blocks.begin(), b.blocks.end());
  if (labels.empty()) return "";
  std::string out = "\n## Gate labels\n\n";
  for (const auto& label : labels) {
    auto it = config.gates.find(label);
    std::vector<std::string> rules;
    if (it != config.gates.end()) {
      for (const auto& r : it->second) rules.push_back(RuleText(r));
    }
    out += fmt::format("- `{}`: {}\n", Cell(label),
                       rules.empty() ? "not in the configuration" : Join(rules, "; "));
  }
  return out;
}

// --- Diff ----------------------------------------------------------------------------------

void CompareString(std::string field, const std::string& a, const std::string& b,
                   BlockerChange& c) {
  if (a != b) c.changes.push_back({std::move(field), FieldChangeKind::kChanged, a, b});
}

void CompareSet(std::string field, const std::vector<std::string>& a,
                const std::vector<std::string>& b, BlockerChange& c) {
  if (std::set<std::string>(a.begin(), a.end()) != std::set<std::string>(b.begin(), b.end())) {
    c.changes.push_back({std::move(field), FieldChangeKind::kChanged, a, b});
  }
}

void CompareStatus(const std::string& a, const std::string& b, BlockerChange& c) {
  if (a.empty() && b.empty()) return;
  if (a.empty() || b.empty()) {
    c.unstated.push_back({"status", a.empty() ? 'A' : 'B', a.empty() ? b : a});
    return;
  }
  CompareString("status", a, b, c);
}

void CompareExtra(const Json& a, const Json& b, BlockerChange& c) {
  if (!a.is_object() || !b.is_object()) {
    if (a != b) c.changes.push_back({"extra", FieldChangeKind::kChanged, a, b});
    return;
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  for (const auto& k : keys) {
    auto ia = a.find(k);
    auto ib = b.find(k);
    std::string field = "extra." + k;
    if (ia == a.end()) {
      c.changes.push_back({field, FieldChangeKind::kAdded, Json(), *ib});
    } else if (ib == b.end()) {
      c.changes.push_back({field, FieldChangeKind::kRemoved, *ia, Json()});
    } else if (*ia != *ib) {
      c.changes.push_back({field, FieldChangeKind::kChanged, *ia, *ib});
    }
  }
}

BlockerChange CompareBlockers(const Blocker& a, const Blocker& b) {
  BlockerChange c{a.id, {}, {}};
  CompareStatus(a.status, b.status, c);
  CompareString("item", a.item, b.item, c);
  CompareString("category", a.category, b.category, c);
  CompareSet("actor_needed", a.actor_needed, b.actor_needed, c);
  CompareString("next_action", a.next_action, b.next_action, c);
  CompareSet("blocks", a.blocks, b.blocks, c);
  CompareSet("evidence", a.evidence, b.evidence, c);
  CompareExtra(a.extra, b.extra, c);
  return c;
}

// "ID: item", or the id alone when the item is empty.
std::string Headline(const Blocker& b) { return b.item.empty() ? b.id : b.id + ": " + b.item; }

const char* KindName(FieldChangeKind k) {
  switch (k) {
    case FieldChangeKind::kChanged:
      return "changed";
    case FieldChangeKind::kAdded:
      return "added";
    case FieldChangeKind::kRemoved:
      return "removed";
  }
  return "changed";
}

std::string ChangeLine(const FieldChange& f) {
  switch (f.kind) {
    case FieldChangeKind::kAdded:
      return fmt::format("{}: added {}", f.field, Show(f.after));
    case FieldChangeKind::kRemoved:
      return fmt::format("{}: removed {}", f.field, Show(f.before));
    case FieldChangeKind::kChanged:
      break;
  }
  return fmt::format("{}: {} → {}", f.field, Show(f.before), Show(f.after));
}

// --- Summary -------------------------------------------------------------------------------

std::string CountsText(const std::map<std::string, int>& counts) {
  std::vector<std::string> parts;
  for (const auto& [k, n] : counts) parts.push_back(fmt::format("{} {}", k, n));
  return parts.empty() ? "none" : Join(parts, ", ");
}

std::string Conclusion(const BlockerSummary& s) {
  if (s.open_count == 0) return "no open blockers: this map holds no gate";
  std::vector<std::string> parts;
  size_t eng = s.engineering_open.size();
  size_t unc = s.uncategorized_open.size();
  if (eng > 0) {
    parts.push_back(fmt::format("{} remain{} ({}): engineering work comes before a decision",
                                Plural(eng, "engineering blocker", "engineering blockers"),
                                eng == 1 ? "s" : "", Join(s.engineering_open, ", ")));
  }
  if (unc > 0) {
    parts.push_back(fmt::format(
        "{} no category ({}): give each one with `prodgate blocker set ID --category C` (C is "
        "engineering or one of {}); until then engineering cannot be told from decisions",
        Plural(unc, "open blocker has", "open blockers have"), Join(s.uncategorized_open, ", "),
        fmt::join(kHumanCategories, ", ")));
  }
  if (!parts.empty()) return Join(parts, "; ");
  return fmt::format("{} a human ({}): the next step is a decision, not another preparation macro",
                     s.open_count == 1 ? "the one open blocker needs"
                                       : fmt::format("all {} open blockers need", s.open_count),
                     CountsText(s.by_category));
}

}  // namespace

Result<ImportedMap> ParseBlockerMap(std::string_view text, std::string_view name,
                                    const Config& config) {
  PG_ASSIGN_OR_RETURN(Json doc, LocateMap(text, name));
  ImportedMap map;
  map.shape = std::string(ShapeOf(doc));
  map.source_sha256 = ToHex(Sha256Of(text));
  Problems problems;
  if (map.shape == kShapeExport) {
    ReadExport(doc, config, map, problems);
  } else {
    ReadSeedMap(doc, map.shape == kShapeBlockers ? kBlockersFields : kTableFFields, config, map,
                problems);
  }
  CheckDuplicateIds(map.blockers, problems);
  if (!problems.empty()) return problems.ToStatus(name);
  if (map.shape != kShapeExport) map.warnings = ClaimWarnings(map);
  return map;
}

Json ExportJson(const std::vector<Blocker>& blockers, const Json& metadata) {
  Json list = Json::array();
  for (const Blocker* b : SortedById(blockers)) list.push_back(BlockerJson(*b));
  return Json{{"format", std::string(kBlockerMapFormat)},
              {"blockers", std::move(list)},
              {"metadata", metadata},
              {"open_count", Summarize(blockers).open_count}};
}

Result<std::vector<Blocker>> ParseBlockerExport(std::string_view text, std::string_view name,
                                                const Config& config) {
  PG_ASSIGN_OR_RETURN(ImportedMap map, ParseBlockerMap(text, name, config));
  if (map.shape != kShapeExport) {
    return Status::BadInput(
        fmt::format("{} is a \"{}\" map, not a {} export", name, map.shape, kBlockerMapFormat),
        "import it with `prodgate blocker import`, or export it first");
  }
  return std::move(map.blockers);
}

std::string ExportMarkdown(const std::vector<Blocker>& blockers, const Config& config) {
  BlockerSummary s = Summarize(blockers);
  std::string out = "# Production blocker map\n\n";
  out += fmt::format(
      "**{} open** of {} · engineering blockers remaining: {} · uncategorized: {}\n\n",
      s.open_count, blockers.size(), s.engineering_open.size(), s.uncategorized_open.size());
  out += fmt::format("Conclusion: {}.\n\n", s.conclusion);
  out += "| blocker | status | category | actor | blocks | next action |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const Blocker* b : SortedById(blockers)) {
    std::string who = b->item.empty() ? b->id : b->id + " — " + b->item;
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", Cell(who),
                       b->status.empty() ? "(unset)" : Cell(b->status),
                       b->category.empty() ? "(uncategorized)" : Cell(b->category),
                       Cell(Join(b->actor_needed, " + ")), Cell(Join(b->blocks, ", ")),
                       Cell(b->next_action));
  }
  out += GateLegend(blockers, config);
  return out;
}

MapDiff DiffBlockerMaps(const std::vector<Blocker>& a, const std::vector<Blocker>& b) {
  std::map<std::string, const Blocker*> in_a, in_b;
  for (const auto& x : a) in_a.emplace(x.id, &x);
  for (const auto& x : b) in_b.emplace(x.id, &x);
  MapDiff diff;
  for (const auto& [id, x] : in_a) {
    auto other = in_b.find(id);
    if (other == in_b.end()) {
      diff.removed.push_back(*x);
      continue;
    }
    BlockerChange c = CompareBlockers(*x, *other->second);
    if (!c.changes.empty() || !c.unstated.empty()) diff.changed.push_back(std::move(c));
  }
  for (const auto& [id, x] : in_b) {
    if (!in_a.count(id)) diff.added.push_back(*x);
  }
  return diff;
}

std::string RenderDiffText(const MapDiff& diff) {
  if (diff.empty()) return "blocker map diff: no changes\n";
  std::string out = fmt::format("blocker map diff: {} added, {} removed, {} changed\n",
                                diff.added.size(), diff.removed.size(), diff.changed.size());
  for (const auto& b : diff.added) out += "+ " + Headline(b) + "\n";
  for (const auto& b : diff.removed) out += "- " + Headline(b) + "\n";
  for (const auto& c : diff.changed) {
    out += fmt::format("~ {}\n", c.id);
    for (const auto& u : c.unstated) {
      out += fmt::format("    {}: not stated by {}; {} says {} (not compared)\n", u.field,
                         u.missing_in, u.missing_in == 'A' ? 'B' : 'A', Show(u.stated));
    }
    for (const auto& f : c.changes) out += "    " + ChangeLine(f) + "\n";
  }
  return out;
}

Json DiffToJson(const MapDiff& diff) {
  Json added = Json::array(), removed = Json::array(), changed = Json::array();
  for (const auto& b : diff.added) added.push_back(BlockerJson(b));
  for (const auto& b : diff.removed) removed.push_back(BlockerJson(b));
  for (const auto& c : diff.changed) {
    Json changes = Json::array(), unstated = Json::array();
    for (const auto& f : c.changes) {
      Json j{{"field", f.field}, {"kind", KindName(f.kind)}};
      if (f.kind != FieldChangeKind::kAdded) j["before"] = f.before;
      if (f.kind != FieldChangeKind::kRemoved) j["after"] = f.after;
      changes.push_back(std::move(j));
    }
    for (const auto& u : c.unstated) {
      unstated.push_back({{"field", u.field},
                          {"missing_in", std::string(1, u.missing_in == 'A' ? 'a' : 'b')},
                          {"stated", u.stated}});
    }
    changed.push_back({{"id", c.id}, {"changes", changes}, {"unstated", unstated}});
  }
  return Json{{"format", "prodgate.blocker-diff/1"},
              {"added", added},
              {"removed", removed},
              {"changed", changed}};
}

BlockerSummary Summarize(const std::vector<Blocker>& blockers) {
  BlockerSummary s;
  for (const Blocker* b : SortedById(blockers)) {
    ++s.by_status[b->status.empty() ? std::string(kUnset) : b->status];
    if (!b->open()) continue;
    ++s.open_count;
    ++s.by_category[b->category.empty() ? std::string(kUncategorized) : b->category];
    if (b->category == kEngineering) s.engineering_open.push_back(b->id);
    if (b->category.empty()) s.uncategorized_open.push_back(b->id);
  }
  s.decision_next = s.open_count > 0 && s.engineering_open.empty() && s.uncategorized_open.empty();
  s.conclusion = Conclusion(s);
  return s;
}

Json SummaryToJson(const BlockerSummary& s) {
  return Json{{"format", "prodgate.blocker-summary/1"},
              {"open_count", s.open_count},
              {"by_status", s.by_status},
              {"by_category", s.by_category},
              {"engineering_blockers_remaining", s.engineering_open.size()},
              {"uncategorized_open", s.uncategorized_open.size()},
              {"decision_next", s.decision_next},
              {"conclusion", s.conclusion}};
}

std::string RenderSummaryText(const BlockerSummary& s) {
  return fmt::format(
      "open_count: {}\nengineering_blockers_remaining: {}\nuncategorized_open: {}\n"
      "by status: {}\nby category (open): {}\nconclusion: {}\n",
      s.open_count, s.engineering_open.size(), s.uncategorized_open.size(), CountsText(s.by_status),
      CountsText(s.by_category), s.conclusion);
}

}  // namespace prodgate::model
