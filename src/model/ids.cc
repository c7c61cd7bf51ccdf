#include "model/ids.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "model/projector.h"

namespace prodgate::model {
namespace {

Result<IdState> StateFromJson(const Json& d) {
  IdState s;
  s.prefix = d.value("prefix", "");
  s.ceiling = d.value("ceiling", int64_t{0});
  for (const char* key : {"reserved", "folded"}) {
    for (const auto& r : d.value(key, Json::array())) {
      if (!r.is_array() || r.size() != 2) return Status::BadInput("id range is malformed");
      (std::string(key) == "reserved" ? s.reserved : s.folded)
          .push_back({r[0].get<int64_t>(), r[1].get<int64_t>()});
    }
  }
  return s;
}

Status CheckPrefix(const std::string& p) {
  bool ok = !p.empty() && p.size() <= 64;
  for (char c : p) ok &= (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  if (!ok || p.back() == '-') {
    return Status::BadInput(fmt::format("id prefix \"{}\" is not like TKT-OBJ", p),
                            "use capital letters, digits, '-' and '_'");
  }
  return Status::Ok();
}

Result<std::optional<IdState>> Current(ledger::ProjectionTxn& state, const std::string& prefix) {
  PG_ASSIGN_OR_RETURN(auto doc, state.Get("ids", prefix));
  if (!doc) return std::optional<IdState>();
  PG_ASSIGN_OR_RETURN(IdState s, StateFromJson(*doc));
  return std::optional<IdState>(s);
}

// Appends the event `body_of` makes from the reservation state as of the head it chains
// onto: the check and the append are one transaction, so concurrent reservations never
// hand out one id twice (DESIGN.md §3.4).
Result<IdState> AppendIds(
    Workspace& ws, const std::string& prefix, const std::string& kind, const std::string& actor,
    const std::function<Result<Json>(const std::optional<IdState>&)>& body_of) {
  auto appended = AppendEvent(ws, [&](ledger::ProjectionTxn& txn) -> Result<ledger::EventDraft> {
    PG_ASSIGN_OR_RETURN(auto cur, Current(txn, prefix));
    ledger::EventDraft d;
    d.actor = actor;
    d.kind = kind;
    PG_ASSIGN_OR_RETURN(d.body, body_of(cur));
    return d;
  });
  if (!appended.ok()) return appended.status();
  PG_ASSIGN_OR_RETURN(auto s, Current(ws.state(), prefix));
  if (!s) return Status::Internal(fmt::format("the reservation of {} is not in the state", prefix));
  return *s;
}

std::string Ranges(const IdState& s, const std::vector<IdRange>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs)
    out.push_back(s.Label(r.first) + ".." + s.Label(r.last).substr(s.prefix.size() + 1));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

std::string IdState::Label(int64_t n) const { return fmt::format("{}-{:03}", prefix, n); }

Json IdState::ToJson() const {
  auto ranges = [](const std::vector<IdRange>& rs) {
    Json a = Json::array();
    for (const auto& r : rs) a.push_back({r.first, r.last});
    return a;
  };
  return Json{{"prefix", prefix},
              {"above_ceiling", ceiling},
              {"reserved", ranges(reserved)},
              {"folded", ranges(folded)},
              {"objects_reserved", Ranges(*this, reserved)},
              {"canonical_fold", !folded.empty()},
              {"canonical_registry_untouched", folded.empty()}};
}

Result<IdState> ReserveIds(Workspace& ws, const std::string& prefix, int64_t count,
                           std::optional<int64_t> ceiling, const std::string& actor) {
  PG_RETURN_IF_ERROR(CheckPrefix(prefix));
  if (count < 1 || count > 1000000) {
    return Status::BadInput(fmt::format("count {} is out of range", count),
                            "reserve 1 to 1000000 ids");
  }
  return AppendIds(
      ws, prefix, "ids.reserve", actor, [&](const std::optional<IdState>& cur) -> Result<Json> {
        int64_t next;
        int64_t base;
        if (!cur) {
          if (!ceiling || *ceiling < 0) {
            return Status::BadInput(
                fmt::format("the first reservation of {} needs the registry's ceiling", prefix),
                "pass --ceiling N, the highest id the canonical registry holds (e.g. "
                "494)");
          }
          base = *ceiling;
          next = *ceiling + 1;
        } else {
          if (ceiling && *ceiling != cur->ceiling) {
            return Status::BadInput(
                fmt::format("{} has ceiling {} in the ledger, not {}", prefix, cur->ceiling,
                            *ceiling),
                "leave --ceiling out after the first reservation; a fold moves the "
                "ceiling");
          }
          base = cur->ceiling;
          next = cur->ceiling + 1;
          for (const auto& r : cur->reserved) next = std::max(next, r.last + 1);
          for (const auto& r : cur->folded) next = std::max(next, r.last + 1);
        }
        return Json{
            {"prefix", prefix}, {"ceiling", base}, {"first", next}, {"last", next + count - 1}};
      });
}

Result<IdState> FoldIds(Workspace& ws, const std::string& prefix, const std::string& actor) {
  PG_RETURN_IF_ERROR(CheckPrefix(prefix));
  return AppendIds(
      ws, prefix, "ids.fold", actor, [&](const std::optional<IdState>& cur) -> Result<Json> {
        if (!cur || cur->reserved.empty()) {
          return Status::BadInput(fmt::format("{} has no reservation to fold", prefix),
                                  "reserve ids first: prodgate ids reserve --prefix P --count N");
        }
        int64_t top = cur->ceiling;
        for (const auto& r : cur->reserved) top = std::max(top, r.last);
        return Json{{"prefix", prefix}, {"ceiling", top}};
      });
}

Result<IdVerification> VerifyIds(Workspace& ws, const std::string& prefix) {
  PG_RETURN_IF_ERROR(CheckPrefix(prefix));
  IdVerification v;
  // The state is the one the verified events make (ws.proven); the store's cached copy is
  // compared with it, so an edit of the cache is named too.
  PG_ASSIGN_OR_RETURN(auto proven, ws.state().Get("ids", prefix));
  if (!proven) {
    return Status::BadInput(
        fmt::format("no reservation of {} is recorded", prefix),
        "reserve ids first: prodgate ids reserve --prefix P --count N --ceiling C");
  }
  if (ws.proven && !ws.proven->ok()) v.problems.push_back(ws.proven->problem());
  PG_ASSIGN_OR_RETURN(auto stored, ws.ledger->GetProjection("ids", prefix));
  if (!stored || *proven != *stored) {
    v.problems.push_back(
        "the store's cached reservation state differs from what its events make "
        "(run `prodgate ledger rebuild --write`)");
  }
  PG_ASSIGN_OR_RETURN(v.state, StateFromJson(*proven));
  std::vector<IdRange> all = v.state.folded;
  all.insert(all.end(), v.state.reserved.begin(), v.state.reserved.end());
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].first > all[i].last) v.problems.push_back("an empty range");
    if (i > 0 && all[i].first <= all[i - 1].last) {
      v.problems.push_back(fmt::format("ranges overlap at {}", v.state.Label(all[i].first)));
    }
  }
  for (const auto& r : v.state.reserved) {
    if (r.first <= v.state.ceiling) {
      v.problems.push_back(fmt::format("reservation {} is not above the ceiling {}",
                                       v.state.Label(r.first), v.state.ceiling));
    }
  }
  v.ok = v.problems.empty();
  return v;
}

}  // namespace prodgate::model
