#include "ledger/store.h"

namespace prodgate::ledger {

Result<std::optional<Json>> MemoryProjections::Get(std::string_view table, std::string_view id) {
  auto t = tables_.find(std::string(table));
  if (t == tables_.end()) return std::optional<Json>();
  auto it = t->second.find(std::string(id));
  if (it == t->second.end()) return std::optional<Json>();
  return std::optional<Json>(it->second);
}

Result<std::vector<Json>> ProjectionTxn::List(std::string_view table) {
  PG_ASSIGN_OR_RETURN(ProjectionEntries entries, Entries(table));
  std::vector<Json> out;
  out.reserve(entries.size());
  for (auto& [id, doc] : entries) out.push_back(std::move(doc));
  return out;
}

Result<ProjectionEntries> MemoryProjections::Entries(std::string_view table) {
  ProjectionEntries out;
  auto t = tables_.find(std::string(table));
  if (t != tables_.end()) {
    for (const auto& [id, doc] : t->second) out.emplace_back(id, doc);
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

Result<std::optional<Json>> OverlayProjections::Get(std::string_view table, std::string_view id) {
  auto t = writes_.find(std::string(table));
  if (t != writes_.end()) {
    auto it = t->second.find(std::string(id));
    if (it != t->second.end()) return it->second;
  }
  return base_.Get(table, id);
}

Result<ProjectionEntries> OverlayProjections::Entries(std::string_view table) {
  PG_ASSIGN_OR_RETURN(ProjectionEntries base, base_.Entries(table));
  auto t = writes_.find(std::string(table));
  if (t == writes_.end()) return base;
  std::map<std::string, Json> merged(std::make_move_iterator(base.begin()),
                                     std::make_move_iterator(base.end()));
  for (const auto& [id, w] : t->second) {
    if (w) {
      merged[id] = *w;
    } else {
      merged.erase(id);
    }
  }
  return ProjectionEntries(merged.begin(), merged.end());
}

Status OverlayProjections::Put(std::string_view table, std::string_view id, const Json& doc) {
  writes_[std::string(table)][std::string(id)] = doc;
  return Status::Ok();
}

Status OverlayProjections::Remove(std::string_view table, std::string_view id) {
  writes_[std::string(table)][std::string(id)] = std::nullopt;
  return Status::Ok();
}

}  // namespace prodgate::ledger
