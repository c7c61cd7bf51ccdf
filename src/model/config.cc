#include "model/config.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/sha256.h"
#include "core/toml.h"

namespace prodgate::model {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Drops parenthetical remarks: "production-ci (NOT clone rehearsal, NOT this design)".
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

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool IsKnownCategory(std::string_view c) { return c == kEngineering || IsHumanCategory(c); }

bool IsHumanCategory(std::string_view c) {
  for (const char* h : kHumanCategories) {
    if (c == h) return true;
  }
  return false;
}

bool GateRule::Matches(std::string_view a, std::string_view s) const {
  return (action == "*" || action == a) && (scope == "*" || scope == s);
}

bool Config::KnownAction(std::string_view a) const { return Contains(actions, a); }
bool Config::KnownScope(std::string_view s) const { return Contains(scopes, s); }

bool Config::GateHolds(std::string_view label, std::string_view action,
                       std::string_view scope) const {
  auto it = gates.find(std::string(label));
  if (it == gates.end()) return false;
  for (const auto& r : it->second) {
    if (r.Matches(action, scope)) return true;
  }
  return false;
}

bool AuthorityRules::MayAttest(std::string_view role) const { return Contains(attest, role); }

bool AuthorityRules::MayExecute(std::string_view scope, std::string_view role) const {
  auto it = execute.find(std::string(scope));
  return it == execute.end() || Contains(it->second, role);
}

int Config::Threshold(std::string_view action) const {
  auto it = thresholds.find(std::string(action));
  return it == thresholds.end() ? default_threshold : it->second;
}

Result<std::vector<std::string>> Config::ResolveGateLabels(std::string_view raw) const {
  std::string label = StripRemarks(raw);
  if (KnownGate(label)) return std::vector<std::string>{label};
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = label.find('/', start);
    parts.push_back(
        Trim(label.substr(start, slash == std::string::npos ? std::string::npos : slash - start)));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::vector<std::string> unknown;
  for (const auto& p : parts) {
    if (!KnownGate(p)) unknown.push_back(p);
  }
  if (!unknown.empty() || label.empty()) {
    return Status::BadInput(
        fmt::format("unknown gate label \"{}\" in \"{}\"", fmt::join(unknown, "\", \""), raw),
        "use a label from [gates] in .prodgate/config.toml, or add the label there with the "
        "(action, scope) pairs it holds");
  }
  return parts;
}

Result<std::string> Config::ResolveCategory(std::string_view raw) const {
  std::string c = Trim(raw);
  if (IsKnownCategory(c)) return c;
  auto it = categories.find(c);
  if (it != categories.end()) return it->second;
  return Status::BadInput(
      fmt::format("unknown blocker category \"{}\"", c),
      fmt::format("use one of engineering, {}, or map the phrase to one under [categories] in "
                  ".prodgate/config.toml",
                  fmt::join(kHumanCategories, ", ")));
}

Result<Config> ParseConfig(const Json& doc, std::string_view name) {
  std::vector<std::string> problems;
  auto problem = [&](std::string what) { problems.push_back(std::move(what)); };
  Config c;
  if (!doc.is_object()) return Status::BadInput(fmt::format("{}: not a TOML table", name));
  static const char* kKnown[] = {"format",     "actions",    "scopes",     "gates",
                                 "categories", "thresholds", "production", "authority"};
  for (const auto& [k, v] : doc.items()) {
    // An init-capture, not [&]: clang before 16 cannot capture a structured binding.
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&key = k](const char* n) { return key == n; }) == std::end(kKnown)) {
      problem(fmt::format("unknown key \"{}\"", k));
    }
  }
  if (!doc.contains("format") || doc["format"] != kConfigFormat) {
    problem(fmt::format("format must be \"{}\"", kConfigFormat));
  }
  auto names = [&](const char* key, std::vector<std::string>& out) {
    if (!doc.contains(key) || !doc[key].is_array() || doc[key].empty()) {
      problem(fmt::format("\"{}\" must be a non-empty array of names", key));
      return;
    }
    for (const auto& n : doc[key]) {
      if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>() == "*") {
        problem(fmt::format("\"{}\" holds {}, not a name", key, n.dump()));
        continue;
      }
      if (Contains(out, n.get<std::string>())) {
        problem(fmt::format("\"{}\" lists \"{}\" twice", key, n.get<std::string>()));
      }
      out.push_back(n.get<std::string>());
    }
  };
  names("actions", c.actions);
  names("scopes", c.scopes);
  if (doc.contains("gates")) {
    if (!doc["gates"].is_object()) {
      problem("[gates] must be a table of label = [{ action, scope }, ...]");
    } else {
      for (const auto& [label, rules] : doc["gates"].items()) {
        if (!rules.is_array() || rules.empty()) {
          problem(
              fmt::format("gate \"{}\" must be a non-empty array of {{ action, scope }}", label));
          continue;
        }
        for (const auto& r : rules) {
          GateRule rule;
          if (!r.is_object()) {
            problem(
                fmt::format("gate \"{}\": each rule is {{ action = ..., scope = ... }}", label));
            continue;
          }
          bool strings = true;
          for (const auto& [k, v] : r.items()) {
            if (k != "action" && k != "scope") {
              problem(fmt::format("gate \"{}\": unknown key \"{}\"", label, k));
            } else if (!v.is_string()) {
              problem(fmt::format("gate \"{}\": \"{}\" must be a string", label, k));
              strings = false;
            }
          }
          if (!strings) continue;  // reported; reading the rule would throw
          rule.action = r.value("action", std::string("*"));
          rule.scope = r.value("scope", std::string("*"));
          if (rule.action != "*" && !Contains(c.actions, rule.action)) {
            problem(fmt::format("gate \"{}\" names unknown action \"{}\"", label, rule.action));
          }
          if (rule.scope != "*" && !Contains(c.scopes, rule.scope)) {
            problem(fmt::format("gate \"{}\" names unknown scope \"{}\"", label, rule.scope));
          }
          if (rule.action == "*" && rule.scope == "*") {
            problem(fmt::format("gate \"{}\" matches every action in every scope", label));
          }
          c.gates[label].push_back(rule);
        }
      }
    }
  }
  if (doc.contains("categories")) {
    if (!doc["categories"].is_object()) {
      problem("[categories] must be a table of \"phrase\" = \"category\"");
    } else {
      for (const auto& [phrase, cat] : doc["categories"].items()) {
        if (!cat.is_string() || !IsKnownCategory(cat.get<std::string>())) {
          problem(fmt::format("category for \"{}\" must be engineering or one of {}", phrase,
                              fmt::join(kHumanCategories, ", ")));
          continue;
        }
        c.categories[phrase] = cat.get<std::string>();
      }
    }
  }
  if (doc.contains("thresholds")) {
    if (!doc["thresholds"].is_object()) {
      problem("[thresholds] must be a table of action = signatures");
    } else {
      for (const auto& [action, n] : doc["thresholds"].items()) {
        if (!n.is_number_integer() || n.get<int64_t>() < 1 || n.get<int64_t>() > 16) {
          problem(fmt::format("threshold for \"{}\" must be an integer from 1 to 16", action));
          continue;
        }
        if (action == "default") {
          c.default_threshold = n.get<int>();
        } else if (!Contains(c.actions, action)) {
          problem(fmt::format("threshold for unknown action \"{}\"", action));
        } else {
          c.thresholds[action] = n.get<int>();
        }
      }
    }
  }
  if (doc.contains("production")) {
    if (!doc["production"].is_array()) {
      problem("production must be an array of tables: [[production]]");
    } else {
      for (const auto& p : doc["production"]) {
        ProductionIdentity id;
        if (!p.is_object() || !p.contains("name") || !p["name"].is_string() ||
            !p.contains("target") || !p["target"].is_string()) {
          problem("each [[production]] needs name = \"...\" and target = \"...\"");
          continue;
        }
        for (const auto& [k, v] : p.items()) {
          if (k != "name" && k != "target" && k != "system_identifier") {
            problem(fmt::format("[[production]] \"{}\": unknown key \"{}\"",
                                p["name"].get<std::string>(), k));
          }
        }
        id.name = p["name"];
        id.target = p["target"];
        if (p.contains("system_identifier")) {
          if (p["system_identifier"].is_string()) {
            id.system_identifier = p["system_identifier"];
          } else {
            problem("system_identifier must be a string (it exceeds 2^53)");
          }
        }
        c.production.push_back(std::move(id));
      }
    }
  }
  if (doc.contains("authority")) {
    const Json& a = doc["authority"];
    const std::vector<std::string> roles = {"owner", "operator", "ci", "agent"};
    auto role_list = [&](const Json& v, const std::string& what,
                         std::vector<std::string>& out) -> bool {
      if (!v.is_array()) {
        problem(fmt::format("[authority] {} must be an array of roles", what));
        return false;
      }
      out.clear();
      for (const auto& r : v) {
        if (!r.is_string() || !Contains(roles, r.get<std::string>())) {
          problem(fmt::format("[authority] {} holds {}, not one of owner, operator, ci, agent",
                              what, r.dump()));
          continue;
        }
        out.push_back(r.get<std::string>());
      }
      return true;
    };
    if (!a.is_object()) {
      problem("[authority] must be a table");
    } else {
      for (const auto& [k, v] : a.items()) {
        if (k == "attest") {
          if (role_list(v, "attest", c.authority.attest) &&
              Contains(c.authority.attest, std::string("agent"))) {
            problem(
                "[authority] attest may not name agent: the agent that prepared a change "
                "cannot be the one who proves it");
          }
        } else if (k == "execute") {
          if (!v.is_object()) {
            problem("[authority] execute must be a table of scope = [roles]");
            continue;
          }
          c.authority.execute.clear();
          for (const auto& [scope, list] : v.items()) {
            if (!Contains(c.scopes, scope)) {
              problem(fmt::format("[authority] execute names unknown scope \"{}\"", scope));
              continue;
            }
            role_list(list, "execute." + scope, c.authority.execute[scope]);
          }
          auto prod = c.authority.execute.find("production");
          if (prod == c.authority.execute.end()) {
            problem("[authority] execute must name the roles for production (operator, ci)");
          } else {
            for (const auto& r : prod->second) {
              if (r != "operator" && r != "ci") {
                problem(
                    fmt::format("[authority] execute.production may name operator and ci "
                                "only, not {}: an executor is never the owner who grants "
                                "nor the agent who prepares",
                                r));
              }
            }
          }
        } else if (k == "tool_sha256") {
          if (!v.is_string() || !DigestFromHex(v.get<std::string>())) {
            problem(
                "[authority] tool_sha256 must be 64 lowercase hex digits (sha256sum of "
                "the prodgate binary)");
          } else {
            c.authority.tool_sha256 = v.get<std::string>();
          }
        } else {
          problem(fmt::format("[authority] unknown key \"{}\"", k));
        }
      }
    }
  }
  if (!problems.empty()) {
    return Status::BadInput(
        fmt::format("{}: {} problem{}:\n    {}", name, problems.size(),
                    problems.size() == 1 ? "" : "s", fmt::join(problems, "\n    ")),
        "fix the configuration; `prodgate init --print-config` shows the defaults");
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  PG_ASSIGN_OR_RETURN(Json doc, ReadTomlFile(path));
  return ParseConfig(doc, path);
}

std::string DefaultConfigToml() {
  return R"(# prodgate workspace configuration. Every name here is one gates know; anything else
# is refused. Edit with care: the config decides what a blocker holds.
format = "prodgate.config/1"

# Actions a gate can hold (`--action`). The seeds' irreversible steps are here: apply,
# QT001 (qt001), permit, activation, repoint, cutover, REAL_RUN (real_run), the production
# dry-run and real-run pre-check, and production execution (the owner's OPT-4).
actions = ["apply", "qt001", "permit", "activation", "repoint", "cutover", "real_run",
           "dryrun", "realrun_precheck", "execute", "rehearse", "rollback", "snapshot",
           "restore", "ci_wire", "ci_deploy", "live_read", "data_handoff"]

# Scopes are flat names (`--scope`). No scope implies another: a grant for "rehearsal"
# never satisfies "production".
scopes = ["production", "production-ci", "rehearsal", "clone", "surrogate", "real-data",
          "off-production"]

# Gate labels a blocker's `blocks` may name, and the (action, scope) pairs each holds.
# "*" matches any action or any scope (never both).
[gates]
"production" = [{ action = "*", scope = "production" }]
"production-ci" = [{ action = "*", scope = "production-ci" }]
"production dry-run" = [{ action = "dryrun", scope = "production" }]
"production-shaped real-data rehearsal" = [{ action = "rehearse", scope = "real-data" }]
"REAL_RUN" = [{ action = "real_run", scope = "*" }]
"QT001" = [{ action = "qt001", scope = "*" }]
"apply" = [{ action = "apply", scope = "*" }]
"permit" = [{ action = "permit", scope = "*" }]
"activation" = [{ action = "activation", scope = "*" }]
"repoint" = [{ action = "repoint", scope = "*" }]
"cutover" = [{ action = "cutover", scope = "*" }]

# Categories as imported maps write them, and the category each phrase means.
[categories]
"requires live production read" = "needs-live-production-read"
"requires CI production adoption" = "needs-ci-adoption"
"requires real production data / production access" = "needs-real-data"
"requires REAL_RUN grant" = "needs-grant"
"requires QT001/cutover grants" = "needs-grant"
"requires owner production decision" = "needs-owner-decision"
"requires real production data handoff" = "needs-data-handoff"

# Owner signatures a grant needs, per action (default for the rest).
[thresholds]
default = 1

# Who may do what, by role (owner, operator, ci, agent). A key's role is the one the owners'
# signed trust change gave it (prodgate trust add).
[authority]
# Roles whose signature on a rehearsal counts for production (never the agent alone).
attest = ["operator", "owner", "ci"]
# Roles that may run `gate run` in a scope (a scope not named: any trusted key, or none).
execute = { production = ["operator", "ci"] }
# Pin the prodgate binary the gate answers from (its sha256sum); any other binary holds.
# tool_sha256 = "…"

# Production identities: a rehearsal clone matching one of these is refused.
# [[production]]
# name = "birth registry"
# target = "sqlite:/srv/registry/registry.db"
# [[production]]
# name = "directus"
# target = "postgresql://db.internal:5432/directus"
# system_identifier = "7301234567890123456"
)";
}

}  // namespace prodgate::model
