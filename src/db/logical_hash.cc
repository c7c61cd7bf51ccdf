#include "db/logical_hash.h"

#include <cstring>

namespace prodgate::db {
namespace {

// Rows are encoded into a buffer and handed to SHA-256 in large pieces: one EVP update per
// row would cost more than the hashing of a short row.
constexpr size_t kFlushBytes = 64 * 1024;

}  // namespace

std::string_view KeyKindName(KeyKind k) {
  switch (k) {
    case KeyKind::kRowid:
      return "rowid";
    case KeyKind::kPrimaryKey:
      return "primary key";
    case KeyKind::kUniqueIndex:
      return "unique index";
    case KeyKind::kNone:
      return "none";
  }
  return "?";
}

const Column* Table::FindColumn(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

std::vector<std::string> Table::ColumnNames() const {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(c.name);
  return out;
}

const Table* Schema::FindTable(std::string_view name) const {
  for (const auto& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const TableHash* LogicalHash::FindTable(std::string_view name) const {
  for (const auto& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string TableHeader(const Table& table) {
  std::string h;
  h.push_back('T');
  AppendLengthPrefixed(h, table.name);
  AppendU64(h, table.columns.size());
  for (const auto& c : table.columns) {
    AppendLengthPrefixed(h, c.name);
    AppendLengthPrefixed(h, c.declared_type);
  }
  return h;
}

KeyedTableHasher::KeyedTableHasher(const Table& table) {
  result_.name = table.name;
  result_.key_kind = table.key_kind;
  buffer_ = TableHeader(table);
  buffer_.push_back('K');
  AppendU64(buffer_, table.key.size());
  for (const auto& k : table.key) AppendLengthPrefixed(buffer_, k);
}

bool KeyedTableHasher::AddRow(const std::vector<ValueRef>& key,
                              const std::vector<ValueRef>& values) {
  if (rows_ > 0 && CompareKeys(key, last_key_refs_) <= 0) return false;
  last_key_.resize(key.size());
  last_key_refs_.resize(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    Value& v = last_key_[i];
    v.type = key[i].type;
    v.integer = key[i].integer;
    v.real = key[i].real;
    v.bytes.assign(key[i].bytes);
    last_key_refs_[i] = v.ref();
  }
  buffer_.push_back('R');
  for (const auto& v : values) AppendValue(buffer_, v);
  ++rows_;
  if (buffer_.size() >= kFlushBytes) Flush();
  return true;
}

void KeyedTableHasher::Flush() {
  sha_.Update(buffer_);
  buffer_.clear();
}

TableHash KeyedTableHasher::Finish() {
  buffer_.push_back('E');
  AppendU64(buffer_, rows_);
  Flush();
  result_.rows = rows_;
  result_.digest = sha_.Finish();
  return result_;
}

MultisetTableHasher::MultisetTableHasher(const Table& table) {
  result_.name = table.name;
  result_.key_kind = KeyKind::kNone;
  buffer_ = TableHeader(table);
  buffer_.push_back('M');
}

bool MultisetTableHasher::AddRowDigest(std::string_view row_digest) {
  if (row_digest.size() != 32) return false;
  if (rows_ > 0 && std::memcmp(row_digest.data(), last_.data(), 32) < 0) return false;
  last_.assign(row_digest);
  buffer_.append(row_digest);
  ++rows_;
  if (buffer_.size() >= kFlushBytes) Flush();
  return true;
}

void MultisetTableHasher::Flush() {
  sha_.Update(buffer_);
  buffer_.clear();
}

TableHash MultisetTableHasher::Finish() {
  buffer_.push_back('E');
  AppendU64(buffer_, rows_);
  Flush();
  result_.rows = rows_;
  result_.digest = sha_.Finish();
  return result_;
}

Digest RowDigest(const std::vector<ValueRef>& values) {
  std::string row;
  row.push_back('R');
  for (const auto& v : values) AppendValue(row, v);
  return Sha256Of(row);
}

Digest SchemaDigest(const std::vector<SchemaObject>& objects) {
  Sha256 sha;
  std::string buf;
  for (const auto& o : objects) {
    buf.clear();
    buf.push_back('S');
    AppendValue(buf, ValueRef::Text(o.type));
    AppendValue(buf, ValueRef::Text(o.name));
    AppendValue(buf, ValueRef::Text(o.table));
    AppendValue(buf, o.sql ? ValueRef::Text(*o.sql) : ValueRef::Null());
    sha.Update(buf);
  }
  return sha.Finish();
}

Digest RootDigest(const Digest& schema, const std::vector<TableHash>& tables) {
  std::string buf;
  AppendLengthPrefixed(buf, kHashFormat);
  buf.push_back('S');
  buf.append(reinterpret_cast<const char*>(schema.data()), schema.size());
  AppendU64(buf, tables.size());
  for (const auto& t : tables) {
    AppendLengthPrefixed(buf, t.name);
    AppendU64(buf, t.rows);
    buf.append(reinterpret_cast<const char*>(t.digest.data()), t.digest.size());
  }
  return Sha256Of(buf);
}

}  // namespace prodgate::db
