#include "ledger/store.h"

namespace prodgate::ledger {

Result<std::optional<Json>> MemoryProjections::Get(std::string_view table, std::string_view id) {
  auto t = tables_.find(std::string(table));
  if (t == tables_.end()) return std::optional<Json>();
  auto it = t->second.find(std::string(id));
  if (it == t->second.end()) return std::optional<Json>();
  return std::optional<Json>(it->second);
}

Result<std::vector<Json>> MemoryProjections::List(std::string_view table) {
  std::vector<Json> out;
  auto t = tables_.find(std::string(table));
  if (t != tables_.end()) {
    for (const auto& [id, doc] : t->second) out.push_back(doc);
  }
  return out;
}

Status MemoryProjections::Put(std::string_view table, std::string_view id, const Json& doc) {
  tables_[std::string(table)][std::string(id)] = doc;
  return Status::Ok();
}

Status MemoryProjections::Remove(std::string_view table, std::string_view id) {
  auto t = tables_.find(std::string(table));
  if (t != tables_.end()) {
    t->second.erase(std::string(id));
    if (t->second.empty()) tables_.erase(t);
  }
  return Status::Ok();
}

}  // namespace prodgate::ledger
