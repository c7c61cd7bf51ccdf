#include "model/decision.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/redact.h"
#include "model/grant.h"

namespace prodgate::model {
namespace {

std::string Str(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The boolean `key`, false when absent or not a boolean (the caller reports the latter).
bool Bool(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

}  // namespace

Json DecisionSpec::ToJson() const {
  Json options_json = Json::array();
  for (const auto& o : options) {
    Json grants = Json::array();
    for (const auto& g : o.grants) {
      grants.push_back({{"action", g.action},
                        {"scope", g.scope},
                        {"change", g.change},
                        {"target", g.target},
                        {"uses", g.uses},
                        {"expires", g.expires}});
    }
    Json option = {{"id", o.id},
                   {"summary", o.summary},
                   {"default", o.is_default},
                   {"hold", o.hold},
                   {"grants", grants}};
    if (!o.closes.empty()) option["closes"] = o.closes;  // absent from older specs
    options_json.push_back(std::move(option));
  }
  return Json{{"format", "prodgate.decision/1"},
              {"id", id},
              {"title", title},
              {"summary", summary},
              {"changes", changes},
              {"recommendation", recommendation},
              {"precondition_gates", precondition_gates},
              {"options", options_json}};
}

Result<DecisionSpec> DecisionSpec::FromJson(const Json& j, const Config& config) {
  std::vector<std::string> problems;
  auto problem = [&](std::string p) { problems.push_back(std::move(p)); };
  if (!j.is_object()) return Status::BadInput("decision spec is not a table/object");
  static const std::set<std::string> kKnown = {
      "format", "id", "title", "summary", "changes", "recommendation", "precondition_gates",
      "options"};
  for (const auto& [k, v] : j.items()) {
    if (!kKnown.count(k)) problem(fmt::format("unknown key \"{}\"", k));
  }
  DecisionSpec d;
  d.id = Str(j, "id");
  if (d.id.empty()) problem("\"id\" is required");
  d.title = Str(j, "title");
  d.summary = Str(j, "summary");
  d.recommendation = Str(j, "recommendation");
  if (j.contains("changes")) {
    if (!j["changes"].is_array()) {
      problem("\"changes\" must be an array of strings");
    } else {
      for (const auto& c : j["changes"]) {
        if (c.is_string()) d.changes.push_back(c);
      }
    }
  }
  if (j.contains("precondition_gates")) {
    d.precondition_gates.clear();
    if (j["precondition_gates"].is_array()) {
      for (const auto& g : j["precondition_gates"]) {
        if (!g.is_string() || !config.KnownGate(g.get<std::string>())) {
          problem(fmt::format("precondition gate {} is not a gate label of the config", g.dump()));
        } else {
          d.precondition_gates.push_back(g);
        }
      }
    } else {
      problem("\"precondition_gates\" must be an array of gate labels");
    }
  }
  if (!j.contains("options") || !j["options"].is_array() || j["options"].size() < 2) {
    problem("a decision needs at least two options: the default hold and something to decide");
  } else {
    std::set<std::string> ids;
    for (const auto& o : j["options"]) {
      DecisionOption opt;
      opt.id = Str(o, "id");
      opt.summary = Str(o, "summary");
      if (opt.id.empty()) {
        problem("every option needs an id");
        continue;
      }
      if (!ids.insert(opt.id).second) problem(fmt::format("option \"{}\" appears twice", opt.id));
      for (const auto& [k, v] : o.items()) {
        if (k != "id" && k != "summary" && k != "default" && k != "hold" && k != "grants" &&
            k != "closes") {
          problem(fmt::format("option \"{}\": unknown key \"{}\"", opt.id, k));
        }
      }
      for (const char* flag : {"default", "hold"}) {
        if (o.contains(flag) && !o[flag].is_boolean()) {
          problem(fmt::format("option \"{}\": \"{}\" must be true or false", opt.id, flag));
        }
      }
      opt.is_default = Bool(o, "default");
      opt.hold = Bool(o, "hold");
      if (o.contains("grants")) {
        if (!o["grants"].is_array()) {
          problem(fmt::format("option \"{}\": grants must be an array", opt.id));
        } else {
          for (const auto& g : o["grants"]) {
            OptionGrant og;
            if (!g.is_object()) {
              problem(
                  fmt::format("option \"{}\": each grant must be a table {{ action, scope, "
                              "... }}",
                              opt.id));
              continue;
            }
            og.action = Str(g, "action");
            og.scope = Str(g, "scope");
            og.change = Str(g, "change");
            if (std::string t = Str(g, "target"); !t.empty()) {
              // Recorded with the decision and bound by its grants: as the gate compares it,
              // never with a password.
              auto bound = BindableTarget(t);
              if (bound.ok()) {
                og.target = *bound;
              } else {
                problem(
                    fmt::format("option \"{}\": grant target: {}", opt.id, bound.status().what()));
              }
            }
            if (g.contains("uses") && !g["uses"].is_number_integer()) {
              problem(fmt::format("option \"{}\": uses must be an integer", opt.id));
            } else {
              og.uses = g.value("uses", int64_t{1});
            }
            if (g.contains("expires")) og.expires = Str(g, "expires");
            if (!config.KnownAction(og.action)) {
              problem(fmt::format("option \"{}\": unknown action \"{}\"", opt.id, og.action));
            }
            if (!config.KnownScope(og.scope)) {
              problem(fmt::format("option \"{}\": unknown scope \"{}\"", opt.id, og.scope));
            }
            if (og.uses < 1) problem(fmt::format("option \"{}\": uses must be positive", opt.id));
            if (!ParseDuration(og.expires).ok()) {
              problem(fmt::format("option \"{}\": expires \"{}\" is not a duration like 24h",
                                  opt.id, og.expires));
            }
            opt.grants.push_back(og);
          }
        }
      }
      if (o.contains("closes")) {
        const Json& c = o["closes"];
        if (!c.is_array() ||
            !std::all_of(c.begin(), c.end(), [](const Json& v) { return v.is_string(); })) {
          problem(fmt::format("option \"{}\": closes must be an array of blocker ids", opt.id));
        } else {
          opt.closes = c.get<std::vector<std::string>>();
        }
      }
      if (opt.hold && !opt.grants.empty()) {
        problem(fmt::format("option \"{}\" holds, so it cannot issue grants", opt.id));
      }
      if (opt.hold && !opt.closes.empty()) {
        problem(fmt::format("option \"{}\" holds, so it closes no blocker", opt.id));
      }
      d.options.push_back(std::move(opt));
    }
    int defaults = 0;
    for (const auto& o : d.options) {
      if (!o.is_default) continue;
      ++defaults;
      if (!o.hold) {
        problem(
            fmt::format("the default option \"{}\" must hold (hold = true): doing nothing is "
                        "the only safe default",
                        o.id));
      }
    }
    if (defaults != 1) {
      problem(fmt::format("exactly one option must be the default; {} are", defaults));
    }
  }
  if (!problems.empty()) {
    return Status::BadInput(
        fmt::format("decision spec: {} problem{}:\n    {}", problems.size(),
                    problems.size() == 1 ? "" : "s", fmt::join(problems, "\n    ")),
        "fix the spec file; see docs/authority.md for its format");
  }
  return d;
}

const DecisionOption* DecisionSpec::FindOption(std::string_view oid) const {
  for (const auto& o : options) {
    if (o.id == oid) return &o;
  }
  return nullptr;
}

Json DecisionState::ToJson() const {
  return Json{{"spec", spec.ToJson()},          {"selected", selected},
              {"selected_by", selected_by},     {"selected_at", selected_at},
              {"selection_sig", selection_sig}, {"grants_issued", grants_issued}};
}

Result<DecisionState> DecisionState::FromJson(const Json& j, const Config& config) {
  if (!j.is_object() || !j.contains("spec")) return Status::BadInput("decision state is malformed");
  DecisionState s;
  PG_ASSIGN_OR_RETURN(s.spec, DecisionSpec::FromJson(j["spec"], config));
  s.selected = Str(j, "selected");
  s.selected_by = Str(j, "selected_by");
  s.selected_at = Str(j, "selected_at");
  s.selection_sig = Str(j, "selection_sig");
  if (j.contains("grants_issued")) {
    const Json& issued = j["grants_issued"];
    if (!issued.is_array() ||
        !std::all_of(issued.begin(), issued.end(), [](const Json& g) { return g.is_string(); })) {
      return Status::BadInput("decision state: \"grants_issued\" must be an array of grant ids");
    }
    s.grants_issued = issued.get<std::vector<std::string>>();
  }
  return s;
}

Result<std::string> SelectionBytes(std::string_view decision, std::string_view option,
                                   std::string_view at) {
  return CanonicalJson(Json{{"format", "prodgate.selection/1"},
                            {"decision", decision},
                            {"option", option},
                            {"at", at}},
                       NumberPolicy::kIntegersOnly);
}

}  // namespace prodgate::model
