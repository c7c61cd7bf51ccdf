#include "model/grant.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/sha256.h"

namespace prodgate::model {
namespace {

Status Bad(const std::string& what) {
  return Status::BadInput("grant: " + what,
                          "a grant is written by `prodgate grant issue`; it was altered");
}

}  // namespace

Json GrantTerms::ToJson() const {
  return Json{
      {"format", kGrantFormat},   {"action", action},      {"scope", scope},
      {"change", change},         {"target", target},      {"uses", uses},
      {"not_before", not_before}, {"expires", expires},    {"requires_closed", requires_closed},
      {"requester", requester},   {"decision", decision},  {"option", option},
      {"nonce", nonce},           {"issued_at", issued_at}};
}

Result<GrantTerms> GrantTerms::FromJson(const Json& j) {
  if (!j.is_object()) return Bad("terms are not an object");
  static const char* kStrings[] = {"format",   "action",     "scope",   "change",
                                   "target",   "not_before", "expires", "requester",
                                   "decision", "option",     "nonce",   "issued_at"};
  for (const auto& [k, v] : j.items()) {
    bool known = k == "uses" || k == "requires_closed";
    for (const char* s : kStrings) known |= (k == s);
    if (!known) return Bad(fmt::format("unknown term \"{}\"", k));
  }
  for (const char* s : kStrings) {
    if (!j.contains(s) || !j[s].is_string()) return Bad(fmt::format("\"{}\" must be a string", s));
  }
  if (j["format"] != kGrantFormat) return Bad("format is not prodgate.grant/1");
  if (!j.contains("uses") || !j["uses"].is_number_integer() || j["uses"].get<int64_t>() < 1) {
    return Bad("\"uses\" must be a positive integer");
  }
  if (!j.contains("requires_closed") || !j["requires_closed"].is_array()) {
    return Bad("\"requires_closed\" must be an array of blocker ids");
  }
  GrantTerms t;
  for (const auto& id : j["requires_closed"]) {
    if (!id.is_string()) return Bad("\"requires_closed\" must be an array of blocker ids");
    t.requires_closed.push_back(id);
  }
  t.action = j["action"];
  t.scope = j["scope"];
  t.change = j["change"];
  t.target = j["target"];
  t.uses = j["uses"];
  t.not_before = j["not_before"];
  t.expires = j["expires"];
  t.requester = j["requester"];
  t.decision = j["decision"];
  t.option = j["option"];
  t.nonce = j["nonce"];
  t.issued_at = j["issued_at"];
  return t;
}

Result<std::string> GrantTerms::SigningBytes() const {
  return CanonicalJson(ToJson(), NumberPolicy::kIntegersOnly);
}

Result<std::string> GrantTerms::Id() const {
  PG_ASSIGN_OR_RETURN(std::string bytes, SigningBytes());
  return ToHex(Sha256Of(bytes));
}

Json GrantState::ToJson() const {
  Json sigs = Json::array();
  for (const auto& s : signatures) sigs.push_back({{"key", s.key}, {"sig", s.sig}});
  return Json{{"id", id},
              {"terms", terms.ToJson()},
              {"signatures", sigs},
              {"revoked", revoked},
              {"revoked_by", revoked_by},
              {"revoked_at", revoked_at},
              {"revoke_reason", revoke_reason},
              {"used", used},
              {"events", events}};
}

Result<GrantState> GrantState::FromJson(const Json& j) {
  if (!j.is_object() || !j.contains("terms") || !j.contains("id") || !j["id"].is_string() ||
      !j.contains("signatures") || !j["signatures"].is_array()) {
    return Bad("state is malformed");
  }
  GrantState g;
  g.id = j["id"];
  PG_ASSIGN_OR_RETURN(g.terms, GrantTerms::FromJson(j["terms"]));
  for (const auto& s : j["signatures"]) {
    if (!s.is_object() || !s.contains("key") || !s["key"].is_string() || !s.contains("sig") ||
        !s["sig"].is_string()) {
      return Bad("a signature is malformed");
    }
    g.signatures.push_back({s["key"], s["sig"]});
  }
  // Optional fields: absent means the default, a value of another type is refused.
  auto has = [&](const char* k) { return j.contains(k); };
  if (has("revoked") && !j["revoked"].is_boolean()) return Bad("\"revoked\" must be a boolean");
  for (const char* k : {"revoked_by", "revoked_at", "revoke_reason"}) {
    if (has(k) && !j[k].is_string()) return Bad(fmt::format("\"{}\" must be a string", k));
  }
  if (has("used") && !j["used"].is_number_integer()) return Bad("\"used\" must be an integer");
  if (has("events") && (!j["events"].is_array() ||
                        !std::all_of(j["events"].begin(), j["events"].end(),
                                     [](const Json& e) { return e.is_number_integer(); }))) {
    return Bad("\"events\" must be an array of event numbers");
  }
  g.revoked = j.value("revoked", false);
  g.revoked_by = j.value("revoked_by", "");
  g.revoked_at = j.value("revoked_at", "");
  g.revoke_reason = j.value("revoke_reason", "");
  g.used = j.value("used", int64_t{0});
  if (has("events")) g.events = j["events"].get<std::vector<int64_t>>();
  return g;
}

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.size() < 2) {
    return Status::BadInput(fmt::format("duration \"{}\" is not like 24h, 30m, 7d or 90s", text));
  }
  int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || n > 100000000) {
      return Status::BadInput(fmt::format("duration \"{}\" is not like 24h, 30m, 7d or 90s", text),
                              "write a positive whole number and one unit: s, m, h or d");
    }
    n = n * 10 + (c - '0');
  }
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      break;
  }
  if (unit == 0 || n == 0) {
    return Status::BadInput(fmt::format("duration \"{}\" is not like 24h, 30m, 7d or 90s", text),
                            "write a positive whole number and one unit: s, m, h or d");
  }
  return n * unit;
}

}  // namespace prodgate::model
