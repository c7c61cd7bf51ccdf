#include "ledger/event.h"

#include <fmt/format.h>

#include <ctime>

namespace prodgate::ledger {

Result<std::string> Event::Preimage() const {
  Json j = {{"format", kEventFormat}, {"seq", seq},   {"prev", ToHex(prev)}, {"at", at},
            {"actor", actor},         {"kind", kind}, {"body", body}};
  return CanonicalJson(j, NumberPolicy::kIntegersOnly);
}

Json Event::ToJson() const {
  Json j = {{"format", kEventFormat}, {"seq", seq},   {"prev", ToHex(prev)}, {"at", at},
            {"actor", actor},         {"kind", kind}, {"body", body},        {"hash", ToHex(hash)}};
  if (!sig.empty()) j["sig"] = sig;
  return j;
}

Result<Event> Event::FromJson(const Json& j) {
  auto bad = [&](const std::string& what) {
    return Status::BadInput(
        fmt::format("ledger event {}: {}",
                    j.is_object() && j.contains("seq") ? j["seq"].dump() : "?", what),
        "the ledger was edited or damaged; restore it from a copy whose "
        "head you trust (prodgate ledger verify --expect-head)");
  };
  if (!j.is_object()) return bad("not an object");
  for (const auto& [k, v] : j.items()) {
    if (k != "format" && k != "seq" && k != "prev" && k != "at" && k != "actor" && k != "kind" &&
        k != "body" && k != "hash" && k != "sig") {
      return bad(fmt::format("unknown field \"{}\"", k));
    }
  }
  if (!j.contains("format") || j["format"] != kEventFormat) {
    return bad("format is not prodgate.event/1");
  }
  Event e;
  if (!j.contains("seq") || !j["seq"].is_number_integer() || j["seq"].get<int64_t>() < 1) {
    return bad("\"seq\" must be a positive integer");
  }
  e.seq = j["seq"];
  for (const char* f : {"prev", "at", "actor", "kind", "hash"}) {
    if (!j.contains(f) || !j[f].is_string()) return bad(fmt::format("\"{}\" must be a string", f));
  }
  auto prev = DigestFromHex(j["prev"].get<std::string>());
  auto hash = DigestFromHex(j["hash"].get<std::string>());
  if (!prev || !hash) return bad("\"prev\" and \"hash\" must be 64 lowercase hex digits");
  e.prev = *prev;
  e.hash = *hash;
  e.at = j["at"];
  e.actor = j["actor"];
  e.kind = j["kind"];
  if (!ParseUtc(e.at)) return bad("\"at\" is not an RFC 3339 UTC time");
  if (!j.contains("body") || !j["body"].is_object()) return bad("\"body\" must be an object");
  e.body = j["body"];
  if (j.contains("sig")) {
    if (!j["sig"].is_string() || j["sig"].get<std::string>().empty()) {
      return bad("\"sig\" must be a non-empty string");
    }
    e.sig = j["sig"];
  }
  return e;
}

Result<Digest> ComputeEventHash(const Event& e) {
  PG_ASSIGN_OR_RETURN(std::string pre, e.Preimage());
  return Sha256Of(pre);
}

std::string FormatUtc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string NowUtc() { return FormatUtc(static_cast<int64_t>(std::time(nullptr))); }

std::optional<int64_t> ParseUtc(std::string_view s) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ: one spelling per instant, so times compare as text too.
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t len) -> int {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
      tm.tm_sec > 59) {
    return std::nullopt;
  }
  int64_t t = static_cast<int64_t>(timegm(&tm));
  if (FormatUtc(t) != s) return std::nullopt;  // e.g. February 30th
  return t;
}

}  // namespace prodgate::ledger
